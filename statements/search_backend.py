"""The archive's Whoosh backend: haystack's API, with the costs and faults of the stock Whoosh
backend taken out (measurements in ../shared/docs/SEARCH-PERFORMANCE.md):

- one searcher per process and thread, refreshed (free when nothing changed) instead of
  reopening the index and running a second, unbounded "narrow" query on every search;
- model restriction and narrow queries written into the query as terms, not as filters;
- facet fields indexed as exact values (ID), not stemmed text, so counts name real slugs;
- a word-for-word field (`WordsField`) for exact phrases, prefixes and spelling suggestions;
- mixed sort directions, "did you mean" with no hits, and match-all handled;
- writes that fail (the index is locked) raise, so the index queue keeps the change and
  retries, instead of logging and losing a delete.

Selected by settings alone (SEARCH_URL=whoosh://…); nothing else in the project depends on it.
"""

import datetime
import logging
import threading

from django.utils.encoding import force_str
from haystack.backends import BaseEngine
from haystack.backends.whoosh_backend import WhooshSearchBackend, WhooshSearchQuery
from haystack.constants import DJANGO_CT, DJANGO_ID, ID
from haystack.exceptions import SkipDocument
from haystack.models import SearchResult
from haystack.utils import get_identifier
from haystack.utils.app_loading import haystack_get_model
from whoosh import query as whoosh_query
from whoosh import sorting
from whoosh.analysis import LowercaseFilter, RegexTokenizer, StemmingAnalyzer
from whoosh.fields import DATETIME, KEYWORD, TEXT
from whoosh.fields import ID as WHOOSH_ID
from whoosh.qparser import QueryParser

log = logging.getLogger(__name__)

MATCH_ALL = {"*", "*:*", "(*)", "(*:*)"}


# Words are runs of letters and digits, "U.S." is "u" and "s": the same split as the query
# parser in statements.search, so what a visitor types meets what was indexed.
WORD_PATTERN = r"\w+"


def words_analyzer():
    # Lower-cased words, no stemming and no stop words, so "rule of law" is a phrase.
    return RegexTokenizer(WORD_PATTERN) | LowercaseFilter()


def stemmed_analyzer():
    return StemmingAnalyzer(expression=WORD_PATTERN)


class ArchiveWhooshSearchBackend(WhooshSearchBackend):
    def __init__(self, connection_alias, **connection_options):
        super().__init__(connection_alias, **connection_options)
        self.post_limit = connection_options.get("POST_LIMIT", 128 * 1024 * 1024)
        self.writer_options = {
            "limitmb": connection_options.get("WRITER_LIMIT_MB", 256),
            "procs": connection_options.get("WRITER_PROCS", 1),
            "multisegment": connection_options.get("WRITER_MULTISEGMENT", False),
        }
        self._local = threading.local()
        self.words_field_name = None

    # --- schema -----------------------------------------------------------------------

    def build_schema(self, fields):
        content_field_name, schema = super().build_schema(fields)
        for field_class in fields.values():
            name = field_class.index_fieldname
            if getattr(field_class, "facet_for", None) or (field_class.faceted and not field_class.indexed):
                # Exact values: slugs, years, kinds. Multi-valued ones (topics) as keywords.
                if field_class.is_multivalued:
                    schema.remove(name)
                    schema.add(name, KEYWORD(stored=field_class.stored, commas=True, lowercase=False))
                else:
                    schema.remove(name)
                    schema.add(name, WHOOSH_ID(stored=field_class.stored, sortable=True))
            elif getattr(field_class, "stemmed", True) is False:
                schema.remove(name)
                schema.add(name, TEXT(stored=False, analyzer=words_analyzer(), phrase=True))
                self.words_field_name = name
            elif field_class.document:
                schema.remove(name)
                schema.add(name, TEXT(stored=field_class.stored, analyzer=stemmed_analyzer(), phrase=True))
            elif field_class.field_type in ("date", "datetime"):
                schema.remove(name)
                schema.add(name, DATETIME(stored=field_class.stored, sortable=True))
        return content_field_name, schema

    def setup(self):
        super().setup()
        # The stock parser adds fuzzy-term syntax ("word~"); queries here are built by
        # haystack from validated terms, so a plain parser is all that is needed.
        self.parser = QueryParser(self.content_field_name, schema=self.schema)
        self._local.__dict__.clear()

    # --- reading ----------------------------------------------------------------------

    def searcher(self):
        """This thread's searcher, refreshed to see the latest commit."""
        if not self.setup_complete:
            self.setup()
        current = getattr(self._local, "searcher", None)
        current = self.index.searcher() if current is None else current.refresh()
        self._local.searcher = current
        return current

    def search(
        self,
        query_string,
        sort_by=None,
        start_offset=0,
        end_offset=None,
        fields="",
        highlight=False,
        facets=None,
        date_facets=None,
        query_facets=None,
        narrow_queries=None,
        spelling_query=None,
        models=None,
        limit_to_registered_models=None,
        result_class=None,
        **kwargs,
    ):
        query_string = force_str(query_string or "").strip()
        if not query_string:
            return {"results": [], "hits": 0, "facets": {}, "spelling_suggestion": None}
        searcher = self.searcher()
        parsed = self._parse(query_string)
        if parsed is None:
            return {"results": [], "hits": 0, "facets": {}, "spelling_suggestion": None}

        restrictions = [parsed]
        if models:
            labels = sorted(f"{m._meta.app_label}.{m._meta.model_name}" for m in models)
            restrictions.append(whoosh_query.Or([whoosh_query.Term(DJANGO_CT, label) for label in labels]))
        for narrow in narrow_queries or ():
            narrowed = self._parse(force_str(narrow))
            if narrowed is not None:
                restrictions.append(narrowed)
        final_query = whoosh_query.And(restrictions) if len(restrictions) > 1 else parsed

        search_kwargs = {"limit": end_offset if end_offset else None}
        sort_facet = self._sort_facet(sort_by)
        if sort_facet is not None:
            search_kwargs["sortedby"] = sort_facet
        if facets:
            search_kwargs["groupedby"] = {
                name: sorting.FieldFacet(name, allow_overlap=self._is_multivalued(name), maptype=sorting.Count)
                for name in facets
            }
        raw = searcher.search(final_query, **search_kwargs)
        hits = len(raw)
        results = []
        for position in range(start_offset, min(len(raw.top_n), end_offset or len(raw.top_n))):
            stored = raw[position]
            results.append(self._result(stored, raw.score(position) or 0, result_class))

        facet_counts = {}
        if facets:
            facet_counts = {"fields": {}, "dates": {}, "queries": {}}
            for name in facets:
                groups = raw.groups(name)
                groups.pop(None, None)
                facet_counts["fields"][name] = sorted(groups.items(), key=lambda item: (-item[1], str(item[0])))

        suggestion = None
        if self.include_spelling and (spelling_query or hits == 0):
            suggestion = self.create_spelling_suggestion(spelling_query or query_string)
        return {"results": results, "hits": hits, "facets": facet_counts, "spelling_suggestion": suggestion}

    def _parse(self, query_string):
        if query_string in MATCH_ALL:
            return whoosh_query.Every()
        return self.parser.parse(query_string)

    def _is_multivalued(self, name):
        return isinstance(self.schema[name], KEYWORD) if name in self.schema else False

    def _sort_facet(self, sort_by):
        if not sort_by:
            return None
        facets = []
        for order in sort_by:
            name, reverse = (order[1:], True) if order.startswith("-") else (order, False)
            facets.append(sorting.FieldFacet(name, reverse=reverse))
        return facets[0] if len(facets) == 1 else sorting.MultiFacet(facets)

    def _result(self, stored, score, result_class):
        app_label, model_name = stored[DJANGO_CT].split(".")
        result_class = result_class or SearchResult
        extra = {key: value for key, value in stored.fields().items() if key not in (DJANGO_CT, DJANGO_ID, ID)}
        result = result_class(app_label, model_name, stored[DJANGO_ID], score, **extra)
        result._model = haystack_get_model(app_label, model_name)
        return result

    def create_spelling_suggestion(self, query_string):
        """The query with each unknown word replaced by the closest word in the archive's
        own vocabulary, or None when no word changes."""
        field = self.words_field_name or self.content_field_name
        searcher = self.searcher()
        corrector = searcher.corrector(field)
        words = [w for w in force_str(query_string).split() if w.upper() not in self.RESERVED_WORDS]
        changed, suggested = False, []
        for word in words:
            cleaned = "".join(ch for ch in word.lower() if ch.isalnum())
            if not cleaned:
                continue
            if searcher.doc_frequency(field, cleaned):
                suggested.append(cleaned)
                continue
            options = corrector.suggest(cleaned, limit=1, maxdist=2)
            if options:
                suggested.append(options[0])
                changed = True
            else:
                suggested.append(cleaned)
        return " ".join(suggested) if changed else None

    # --- writing ----------------------------------------------------------------------

    def _writer(self):
        if not self.setup_complete:
            self.setup()
        # A plain writer raises LockError when another process writes; AsyncWriter (the stock
        # choice) would buffer in a thread and lose the change if the process ends first.
        return self.index.writer(**self.writer_options)

    def update(self, index, iterable, commit=True):
        documents = []
        for obj in iterable:
            try:
                document = index.full_prepare(obj)
            except SkipDocument:
                continue
            document.pop("boost", None)
            documents.append({key: self._from_python(value) for key, value in document.items()})
        if not documents:
            return
        writer = self._writer()
        try:
            # One batched delete, then plain adds: update_document() would open a reader for
            # every document to find the old copy.
            writer.delete_by_query(whoosh_query.Or([whoosh_query.Term(ID, d[ID]) for d in documents]))
            for document in documents:
                writer.add_document(**document)
        except Exception:
            writer.cancel()
            raise
        writer.commit()

    def remove(self, obj_or_string, commit=True):
        self.remove_identifiers([get_identifier(obj_or_string)])

    def remove_identifiers(self, identifiers):
        """Delete documents by identifier ("app.model.pk") in one write."""
        identifiers = list(identifiers)
        if not identifiers:
            return
        writer = self._writer()
        try:
            writer.delete_by_query(whoosh_query.Or([whoosh_query.Term(ID, i) for i in identifiers]))
        except Exception:
            writer.cancel()
            raise
        writer.commit()

    def _from_python(self, value):
        if isinstance(value, datetime.datetime) and value.tzinfo is not None:
            # Whoosh stores naive datetimes; the index keeps everything in UTC.
            value = value.astimezone(datetime.UTC).replace(tzinfo=None)
        return super()._from_python(value)


class ArchiveWhooshEngine(BaseEngine):
    backend = ArchiveWhooshSearchBackend
    query = WhooshSearchQuery

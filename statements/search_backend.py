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

import contextlib
import dataclasses
import datetime
import functools
import gc
import heapq
import io
import logging
import marshal
import multiprocessing
import os
import pickle
import re
import struct
import threading
import zlib
from array import array
from bisect import bisect_left
from collections import Counter
from hashlib import md5
from itertools import accumulate, chain, groupby, repeat
from operator import itemgetter, sub

from django import db
from django.utils.encoding import force_str
from haystack.backends import BaseEngine
from haystack.backends.whoosh_backend import WhooshSearchBackend, WhooshSearchQuery
from haystack.constants import DJANGO_CT, DJANGO_ID, ID
from haystack.exceptions import SkipDocument
from haystack.models import SearchResult
from haystack.utils import get_identifier, get_model_ct
from haystack.utils.app_loading import haystack_get_model
from whoosh import query as whoosh_query
from whoosh import sorting
from whoosh.analysis import STOP_WORDS, IDTokenizer, LowercaseFilter, RegexTokenizer, StemmingAnalyzer
from whoosh.codec.whoosh3 import (
    LENGTHS_COLUMN,
    WHOOSH3_HEADER_MAGIC,
    W3Codec,
    W3FieldWriter,
    W3LeafMatcher,
    W3PerDocReader,
    W3PostingsWriter,
    W3Segment,
    W3TermInfo,
    W3TermsReader,
    _lenfield,
)
from whoosh.columns import NumericColumn
from whoosh.fields import DATETIME, KEYWORD, STORED, TEXT
from whoosh.fields import ID as WHOOSH_ID
from whoosh.filedb.filestore import FileStorage
from whoosh.filedb.filetables import OrderedHashWriter, md5_hash
from whoosh.formats import Positions
from whoosh.lang.porter import stem as porter_stem
from whoosh.matching import FilterMatcher
from whoosh.multiproc import MpWriter, SubWriterTask
from whoosh.qparser import QueryParser
from whoosh.reading import SegmentReader
from whoosh.scoring import WeightLengthScorer, WeightScorer
from whoosh.system import _INT_SIZE, pack_int, pack_long, pack_uint, pack_ushort, unpack_int
from whoosh.util.numeric import byte_to_length, length_to_byte
from whoosh.writing import PostingPool, SegmentWriter

log = logging.getLogger(__name__)

MATCH_ALL = {"*", "*:*", "(*)", "(*:*)"}
SPELLING_PREFIX = 2  # letters a suggested word shares with the word it replaces
# A field's clause in a query string haystack built (`date:([20160101000000 to])`): a filter,
# not words to correct.
FIELD_CLAUSE = re.compile(r"\b\w+:(?:\([^()]*\)|\[[^\]]*\]|\"[^\"]*\"|\S+)")


# Words are runs of letters and digits, "U.S." is "u" and "s": the same split as the query
# parser in statements.search, so what a visitor types meets what was indexed.
WORD_PATTERN = r"\w+"


def words_analyzer():
    # Lower-cased words, no stemming and no stop words, so "rule of law" is a phrase.
    return RegexTokenizer(WORD_PATTERN) | LowercaseFilter()


def stemmed_analyzer():
    return StemmingAnalyzer(expression=WORD_PATTERN)


_WORD_RE = re.compile(WORD_PATTERN)
# StemmingAnalyzer's defaults: Whoosh's English stop words, and no word under 2 letters.
_STOP_WORDS = frozenset(STOP_WORDS)
_STEM_MIN_LENGTH = 2
_stem = functools.lru_cache(maxsize=50_000)(porter_stem)


class _DirectlyIndexedText(TEXT):
    """A TEXT field whose postings, when a document is added, are computed straight from the
    words instead of through the analyzer's chain of generators and its shared Token: the same
    postings (tests/test_search_backend.py compares them with Whoosh's own for every field),
    with about 30% less time spent adding documents in a bulk build. Queries, and any call
    with options, still go through the analyzer. A bulk build takes the postings as columns
    (posting_columns) rather than as one tuple per posting."""

    def index(self, value, **kwargs):
        if not isinstance(value, str) or kwargs.keys() - {"mode"} or kwargs.get("mode", "index") != "index":
            return super().index(value, **kwargs)
        return list(zip(*self.posting_columns(value), strict=True))

    def posting_columns(self, value):
        """index(value)'s postings as four columns: term bytes, frequencies, weights, values."""
        raise NotImplementedError


class WordsText(_DirectlyIndexedText):
    """Word for word, with positions: exact phrases, prefixes, spelling suggestions."""

    def __init__(self, **options):
        super().__init__(analyzer=words_analyzer(), phrase=True, **options)

    def posting_columns(self, value):
        positions = {}
        for position, word in enumerate(_lowered_words(value)):
            if word in positions:
                positions[word].append(position)
            else:
                positions[word] = [position]
        boost = self.format.field_boost
        frequencies = list(map(len, positions.values()))
        # Whoosh's own encoder for any other format (Characters, with chars=True).
        encode = _encoded_positions if type(self.format) is Positions else self.format.encode
        return (
            [word.encode("utf-8") for word in positions],
            frequencies,
            [frequency * boost for frequency in frequencies],
            list(map(encode, positions.values())),
        )


def _encoded_positions(positions):
    # Positions.encode (the count, then the pickled gaps) with the gaps taken in one map.
    return pack_uint(len(positions)) + pickle.dumps(list(map(sub, positions, chain((0,), positions))), 2)


_last_lowered = ("", ())


def _lowered_words(value):
    """The words of `value`, lower-cased, as a tuple. A document's text is indexed in three
    fields (stemmed, word for word, frequent pairs): the words of the last text asked for are
    kept for the next. Threads indexing at once only miss it more often."""
    global _last_lowered
    text, words = _last_lowered
    if value is text or value == text:
        return words
    words = tuple(map(str.lower, _WORD_RE.findall(value)))
    _last_lowered = (value, words)
    return words


# The most frequent English words. An exact phrase with two of them side by side ("that
# that", "it is the") would otherwise check the positions of most documents in the archive;
# each such pair is indexed as a term of its own (WordPairsText) and narrows the phrase first.
PAIRED_WORDS = _STOP_WORDS | frozenset((
    "about", "after", "all", "also", "been", "but", "could", "did", "do", "does", "had", "has",
    "he", "her", "him", "his", "how", "i", "its", "just", "me", "more", "most", "my", "no", "now",
    "one", "only", "our", "out", "over", "said", "say", "says", "she", "so", "some", "such",
    "than", "their", "them", "then", "there", "these", "they", "those", "through", "up", "was",
    "were", "what", "which", "who", "whom", "why", "would",
))
# Every document carries this term in the pairs field: a segment whose documents all have it
# was indexed with pairs (an index built before them is read the general way).
PAIRS_PRESENT = " "


def word_pairs_field_name(words_field_name):
    return f"{words_field_name}_pairs"


class WordPairsText(_DirectlyIndexedText):
    """Adjacent pairs of frequent words ("that that"), without positions or lengths: the
    documents an exact phrase holding such a pair can match (see _phrase_ids)."""

    scorable = False

    def __init__(self):
        super().__init__(analyzer=words_analyzer(), phrase=False, stored=False)

    def posting_columns(self, value):
        words = _lowered_words(value)
        counts = {PAIRS_PRESENT: 1}
        for first, second in zip(words, words[1:], strict=False):
            if first in PAIRED_WORDS and second in PAIRED_WORDS:
                pair = f"{first} {second}"
                counts[pair] = counts.get(pair, 0) + 1
        return _counted_columns(counts, self.format.field_boost)


class StemmedText(_DirectlyIndexedText):
    """Stemmed words without stop words or positions: what a plain search matches and ranks by."""

    def __init__(self, **options):
        super().__init__(analyzer=stemmed_analyzer(), phrase=False, **options)

    def posting_columns(self, value):
        counts = {}
        for word in _lowered_words(value):
            if len(word) < _STEM_MIN_LENGTH or word in _STOP_WORDS:
                continue
            word = _stem(word)
            counts[word] = counts.get(word, 0) + 1
        return _counted_columns(counts, self.format.field_boost)


def _counted_columns(counts, boost):
    """Posting columns of a Frequency field from {word: times found}."""
    frequencies = list(counts.values())
    return (
        [word.encode("utf-8") for word in counts],
        frequencies,
        [frequency * boost for frequency in frequencies],
        list(map(pack_uint, frequencies)),
    )


class ArchiveWhooshSearchBackend(WhooshSearchBackend):
    def __init__(self, connection_alias, **connection_options):
        super().__init__(connection_alias, **connection_options)
        self.post_limit = connection_options.get("POST_LIMIT", 128 * 1024 * 1024)
        self.writer_options = {
            "limitmb": connection_options.get("WRITER_LIMIT_MB", 256),
            "procs": connection_options.get("WRITER_PROCS", 1),
            "multisegment": connection_options.get("WRITER_MULTISEGMENT", False),
            # Seconds a writer waits for the index's lock: a merge holds it for milliseconds, and
            # a web request applying the queue must not hang behind a long `update_index`.
            "timeout": connection_options.get("WRITER_LOCK_TIMEOUT", 2.0),
            "delay": 0.02,
        }
        self._local = threading.local()
        self._writes = threading.local()  # what a one_commit block will write, per thread
        self._arrays_lock = threading.Lock()
        self._arrays_cache = {}
        # Searches are answered by _direct_search, which Whoosh's own walk only backs up.
        self.direct_search = connection_options.get("DIRECT_SEARCH", True)
        self.use_mmap = connection_options.get("MMAP", False)
        # A full rebuild (bulk_index) writes with a process per core, each making a segment.
        self.bulk_procs = connection_options.get("BULK_PROCS") or min(4, os.cpu_count() or 1)
        # Whoosh's estimate of the postings a rebuild process holds before it writes a sorted
        # run to disk; at 87k quotes, spilling at 256 MB made a rebuild a third slower than
        # not spilling. Resident memory is at most about 1.6x the estimate.
        self.bulk_limitmb = connection_options.get("BULK_LIMIT_MB") or 1024
        self.words_field_name = None
        self.unindexed_fields = set()

    # --- schema -----------------------------------------------------------------------

    def build_schema(self, fields):
        content_field_name, schema = super().build_schema(fields)
        # Results are read by their stored django_id, documents found and deleted by `id`: an
        # indexed django_id would only add a term per document (a tenth of a segment's terms).
        schema.remove(DJANGO_ID)
        schema.add(DJANGO_ID, STORED())
        self.unindexed_fields = set()
        for field_class in fields.values():
            name = field_class.index_fieldname
            if field_class.faceted and not field_class.indexed and not getattr(field_class, "facet_for", None):
                # Haystack filters and counts a faceted field through its "<name>_exact"
                # companion; a second copy of the value would only cost indexing time.
                schema.remove(name)
                self.unindexed_fields.add(name)
            elif getattr(field_class, "facet_for", None):
                # Exact values: slugs, years, kinds. Multi-valued ones (topics) as keywords.
                if field_class.is_multivalued:
                    schema.remove(name)
                    schema.add(name, KEYWORD(stored=field_class.stored, commas=True, lowercase=False))
                else:
                    schema.remove(name)
                    schema.add(name, WHOOSH_ID(stored=field_class.stored, sortable=True))
            elif getattr(field_class, "stemmed", True) is False:
                schema.remove(name)
                schema.add(name, WordsText(stored=False))
                schema.add(word_pairs_field_name(name), WordPairsText())
                self.words_field_name = name
            elif field_class.document:
                # No positions: exact phrases are matched on the word-for-word field.
                schema.remove(name)
                schema.add(name, StemmedText(stored=field_class.stored))
            elif field_class.field_type in ("date", "datetime"):
                # Dates are filtered and sorted from the column (_SegmentArrays); the indexed
                # terms serve only the general path's range queries: 4 precision tiers per
                # document instead of DATETIME's 8.
                date_field = DATETIME(stored=field_class.stored, sortable=True)
                date_field.shift_step = 16  # the constructor does not take it
                schema.remove(name)
                schema.add(name, date_field)
        return content_field_name, schema

    def setup(self):
        super().setup()
        if self.use_file_storage and not self.use_mmap:
            # Whoosh maps segment files and reads them whole when a reader opens; without
            # mmap a worker keeps only what its queries read (less memory, slower queries).
            self.storage = FileStorage(self.path, supports_mmap=False)
            self.index = self.storage.open_index(schema=self.schema)
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
        refreshed = self.index.searcher() if current is None else current.refresh()
        self._local.searcher = refreshed
        if refreshed is not current:
            # Build the per-segment arrays now, as part of opening the searcher.
            self._segment_arrays(refreshed)
        return refreshed

    def _segment_arrays(self, searcher):
        """[(segment searcher, docnum offset, _SegmentArrays)] for a searcher; arrays are
        built once per segment and kept while the segment exists."""
        with self._arrays_lock:
            cache = self._arrays_cache
            leaves, present = [], set()
            for segment_searcher, offset in searcher.leaf_searchers():
                reader = segment_searcher.reader()
                segment = reader.segment() if hasattr(reader, "segment") else None
                key = segment.segment_id() if segment is not None else ("reader", id(reader))
                present.add(key)
                if key not in cache:
                    cache[key] = self._build_arrays(reader)
                leaves.append((segment_searcher, offset, cache[key]))
            for key in set(cache) - present:
                del cache[key]
            return leaves

    def _build_arrays(self, reader):
        schema = self.schema
        exact = [DJANGO_CT] + [
            name for name, field in schema.items() if isinstance(field, WHOOSH_ID) and field.column_type is not None
        ]
        multi = [name for name, field in schema.items() if isinstance(field, KEYWORD)]
        dates = [name for name, field in schema.items() if isinstance(field, DATETIME) and field.column_type is not None]
        return _SegmentArrays(reader, schema, exact, multi, dates)

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
        # A spelling suggestion is made when asked for, with the words to correct
        # (SearchQuerySet.spelling_suggestion(words)), not for every search that finds nothing:
        # the archive asks with its own query, and walking the vocabulary again for each of a
        # zero-hit page's searches cost up to three corrections for one shown.
        query_string = force_str(query_string or "").strip()
        if not query_string:
            return {"results": [], "hits": 0, "facets": {}, "spelling_suggestion": None}
        searcher = self.searcher()
        if self.direct_search and not date_facets and not query_facets:
            # With or without facets: a page and an export of the same search rank alike.
            fast = self._direct_search(
                searcher, query_string, models=models, narrow_queries=narrow_queries, sort_by=sort_by,
                start_offset=start_offset, end_offset=end_offset, facets=facets or (), result_class=result_class,
            )
            if fast is not None:
                if self.include_spelling and spelling_query:
                    fast["spelling_suggestion"] = self.create_spelling_suggestion(spelling_query)
                return fast
        final_query = self.whoosh_query(query_string, models=models, narrow_queries=narrow_queries)
        if final_query is None:
            return {"results": [], "hits": 0, "facets": {}, "spelling_suggestion": None}

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
        if self.include_spelling and spelling_query:
            suggestion = self.create_spelling_suggestion(spelling_query)
        return {"results": results, "hits": hits, "facets": facet_counts, "spelling_suggestion": suggestion}

    def _direct_search(self, searcher, query_string, *, models, narrow_queries, sort_by, start_offset, end_offset, facets, result_class):
        """One page, the exact total and facet counts, in one pass over the matching document
        numbers (see _SegmentArrays); None when the query needs Whoosh's general path."""
        core = self.whoosh_query(query_string, narrow_queries=narrow_queries)
        if core is None:
            return {"results": [], "hits": 0, "facets": {}, "spelling_suggestion": None}
        core = core.normalize()
        parts = list(core.subqueries) if isinstance(core, whoosh_query.And) else [core]
        ranges = [q for q in parts if isinstance(q, whoosh_query.NumericRange) and isinstance(self.schema[q.fieldname], DATETIME)]
        parts = [q for q in parts if q not in ranges]
        if not parts:
            parts = [whoosh_query.Every()]
        core = whoosh_query.And(parts) if len(parts) > 1 else parts[0]
        sort_field, sort_reverse = None, False
        if sort_by:
            if len(sort_by) != 1:
                return None
            sort_field, sort_reverse = (sort_by[0][1:], True) if sort_by[0].startswith("-") else (sort_by[0], False)
            if sort_field not in self.schema or not isinstance(self.schema[sort_field], DATETIME):
                return None
        labels = {f"{m._meta.app_label}.{m._meta.model_name}" for m in models or ()}
        limit = end_offset if end_offset else None
        counts = {name: Counter() for name in facets}
        matched, best, by_segment = [], [], []
        for segment_searcher, offset, arrays in self._segment_arrays(searcher):
            if labels and labels.isdisjoint(arrays.values[DJANGO_CT]):
                continue  # no document of the models searched (a rebuild writes each model's segments)
            reader = segment_searcher.reader()
            reads = _SegmentReads()
            ids = _query_ids(core, segment_searcher, reader, reads)
            if ids is None:
                return None
            if labels and ids:
                ct_values, ct = arrays.values[DJANGO_CT], arrays.ordinals[DJANGO_CT]
                allowed = {i for i, value in enumerate(ct_values) if value in labels}
                ids = [d for d in ids if ct[d] in allowed]
            for q in ranges:
                dates = arrays.dates.get(q.fieldname)
                if dates is None:
                    return None
                low = q.start if q.start is not None else NO_DATE + 1  # undated documents match no range
                high = q.end if q.end is not None else 2**63 - 1
                ids = [d for d in ids if (low < dates[d] if q.startexcl else low <= dates[d]) and (dates[d] < high if q.endexcl else dates[d] <= high)]
            if not ids:
                continue
            for name in facets:
                if name in arrays.ordinals:
                    values = arrays.values[name]
                    for ordinal, count in Counter(map(arrays.ordinals[name].__getitem__, ids)).items():
                        counts[name][values[ordinal]] += count
                elif name in arrays.multi:
                    counts[name].update(chain.from_iterable(map(arrays.multi[name].__getitem__, ids)))
                else:
                    return None
            if sort_field:
                dates = arrays.dates.get(sort_field)
                if dates is None:
                    return None
                pick = heapq.nlargest if sort_reverse else heapq.nsmallest
                # Ties (same day) in index order, as Whoosh's own sort gives them.
                if sort_reverse:  # undated documents (NO_DATE, the least value) come last either way
                    keyed = ((dates[d], -(offset + d)) for d in ids)
                else:
                    keyed = ((_LAST if dates[d] == NO_DATE else dates[d], offset + d) for d in ids)
                best = pick(limit, chain(best, keyed)) if limit else [*best, *keyed]
            matched.extend(offset + d for d in ids)
            by_segment.append((segment_searcher, offset, ids, reads, arrays))
        total = len(matched)
        if sort_field:
            best = sorted(best, reverse=sort_reverse)[start_offset:]
            page = [(abs(docnum), 0) for _, docnum in best]
        elif total:
            page = _top_scored(core, by_segment, limit)
            if page is None:
                raw = searcher.search(_scored_as_terms(core), limit=limit, filter=set(matched))
                page = [(raw.docnum(i), raw.score(i) or 0) for i in range(len(raw.top_n))]
            page = page[start_offset:limit]
        else:
            page = []
        results = []
        for docnum, score in page:
            results.append(self._result(Hit(searcher, docnum), score, result_class))
        facet_counts = {"fields": {}, "dates": {}, "queries": {}}
        for name in facets:
            counts[name].pop(None, None)
            facet_counts["fields"][name] = sorted(counts[name].items(), key=lambda item: (-item[1], str(item[0])))
        return {"results": results, "hits": total, "facets": facet_counts, "spelling_suggestion": None}

    def whoosh_query(self, query_string, *, models=None, narrow_queries=None):
        """The Whoosh query a haystack search runs: the query, restricted to the models and
        narrowed, as one And (None when the query parses to nothing)."""
        if not self.setup_complete:
            self.setup()
        parsed = self._parse(force_str(query_string or "").strip())
        if parsed is None:
            return None
        restrictions = [parsed]
        if models:
            labels = sorted(f"{m._meta.app_label}.{m._meta.model_name}" for m in models)
            restrictions.append(whoosh_query.Or([whoosh_query.Term(DJANGO_CT, label) for label in labels]))
        for narrow in narrow_queries or ():
            narrowed = self._parse(force_str(narrow))
            if narrowed is not None:
                restrictions.append(narrowed)
        return whoosh_query.And(restrictions) if len(restrictions) > 1 else parsed

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
            if name in self.schema and isinstance(self.schema[name], DATETIME):
                # Undated documents last in either direction, as the search page sorts them
                # (Whoosh reads a missing date as 2**64 - 1: first when sorting newest first).
                facets.append(sorting.TranslateFacet(_is_undated, sorting.FieldFacet(name)))
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
        # Without a preferred query haystack passes the whole query, filters included: their
        # dates would each be a walk of the vocabulary (about 0.6 s at a million quotes).
        words = [w for w in FIELD_CLAUSE.sub(" ", force_str(query_string)).split() if w.upper() not in self.RESERVED_WORDS]
        changed, suggested = False, []
        for word in words:
            cleaned = "".join(ch for ch in word.lower() if ch.isalnum())
            if not cleaned:
                continue
            # A one-letter word is not corrected: Whoosh's automaton for a prefix longer than the
            # word fails (IndexError) on an index of a single segment.
            if len(cleaned) < SPELLING_PREFIX or searcher.doc_frequency(field, cleaned):
                suggested.append(cleaned)
                continue
            # Only words sharing the first two letters: the field has no spelling graph, so the
            # corrector walks the vocabulary, and a prefix keeps that walk short.
            options = corrector.suggest(cleaned, limit=1, maxdist=2, prefix=SPELLING_PREFIX)
            if options:
                suggested.append(options[0])
                changed = True
            else:
                suggested.append(cleaned)
        return " ".join(suggested) if changed else None

    # --- writing ----------------------------------------------------------------------

    @contextlib.contextmanager
    def one_commit(self):
        """Within this block, this thread's update(), add_new() and remove_identifiers() calls are
        gathered (their documents prepared at once, before any lock is taken) and written when
        the block ends, deletions first, in one commit: or not at all when it fails. Each of
        those calls is such a block of its own; the index queue applies a batch's quotes,
        articles and removals in one. An identifier is to be updated or removed once in a
        block."""
        if getattr(self._writes, "pending", None) is not None:  # nested: the outer block writes
            yield
            return
        pending = self._writes.pending = _PendingWrites()
        try:
            yield
        finally:
            self._writes.pending = None
        if not pending.identifiers and not pending.documents:  # nothing to write: no lock, no commit
            return
        with self._writing() as writer:
            # One batched delete, then plain adds: update_document() would open a reader for
            # every document to find the old copy.
            if pending.identifiers:
                writer.delete_by_query(whoosh_query.Or([whoosh_query.Term(ID, i) for i in pending.identifiers]))
            for document in pending.documents:
                bulk_add_document(writer, document)

    @contextlib.contextmanager
    def _writing(self, **options):
        """One writer, committed (merging nothing: search_merging) when the block succeeds and
        cancelled when it fails. It waits for the index's lock for WRITER_LOCK_TIMEOUT seconds (2),
        then raises LockError; AsyncWriter (the stock choice) would buffer in a thread and lose
        the change if the process ends first."""
        if not self.setup_complete:
            self.setup()
        from .search_merging import commit_merge_policy  # it builds on this module's writer

        writer_class = options.pop("writer_class", None)
        options = {"codec": FlushingCodec(), **self.writer_options, **options}
        if writer_class is None and options.get("procs", 1) <= 1:
            options.pop("procs", None)
            options.pop("multisegment", None)
            writer_class = _ArchiveSegmentWriter
        writer = writer_class(self.index, **options) if writer_class else self.index.writer(**options)
        try:
            yield writer
        except BaseException:
            writer.cancel()
            raise
        writer.commit(mergetype=commit_merge_policy)

    def clear(self, models=None, commit=True):
        """haystack's clear(); emptying the whole index deletes its folder, which waits for
        (and holds off) a merge beside the writers (search_merging) and the writers. Clearing
        some models deletes their documents through the archive's writer: haystack's goes
        through Whoosh's stock writer, whose commit merges small segments the slow way while
        holding the index's lock."""
        from .search_merging import merges_held

        if models is not None:
            with self._writing() as writer:
                writer.delete_by_query(whoosh_query.Or([whoosh_query.Term(DJANGO_CT, get_model_ct(model)) for model in models]))
            return
        if not self.use_file_storage:
            return super().clear(commit=commit)
        if not self.setup_complete:
            self.setup()
        with merges_held(self.index):
            super().clear(commit=commit)

    def segments_merge(self):
        """Merge the index's small segments beside the writers (search_merging); the number
        of segments merged."""
        from .search_merging import segments_merge

        if not self.setup_complete:
            self.setup()
        return segments_merge(self.index) if self.use_file_storage else 0

    def merge_pending(self):
        from .search_merging import merge_pending

        if not self.setup_complete:
            self.setup()
        return bool(self.use_file_storage and merge_pending(self.index))

    def _documents(self, index, iterable):
        if not self.setup_complete:
            self.setup()  # the schema says which prepared fields are not written
        for obj in iterable:
            try:
                document = index.full_prepare(obj)
            except SkipDocument:
                continue
            document.pop("boost", None)
            for name in self.unindexed_fields:
                document.pop(name, None)
            if self.words_field_name in document:
                document[word_pairs_field_name(self.words_field_name)] = document[self.words_field_name]
            yield {key: self._from_python(value) for key, value in document.items()}

    def update(self, index, iterable, commit=True):
        documents = list(self._documents(index, iterable))
        if not documents:
            return
        with self.one_commit():
            self._writes.pending.identifiers.extend(d[ID] for d in documents)
            self._writes.pending.documents.extend(documents)

    def add_new(self, index, iterable):
        """Like update(), for objects the caller knows are not in the index (created since it
        took the index queue's writer lock, which every other writer waits for): their
        documents are added without looking for an old copy to delete, a lookup in every
        segment that was most of the cost of indexing a new quote at a million quotes."""
        documents = list(self._documents(index, iterable))
        if not documents:
            return
        with self.one_commit():
            self._writes.pending.documents.extend(documents)

    def bulk_index(self, index, parts, *, procs=None, limitmb=None):
        """Add a document for every object of `parts` (callables, each returning an iterable of
        objects) with one commit, deleting nothing first: the fast path for filling a cleared
        index. With more than one process, each part is read, prepared and indexed by a forked
        writer process, one segment per process; if any of them fails, the commit fails and
        nothing is committed. The number of documents added."""
        parts = list(parts)
        procs = min(procs or self.bulk_procs, len(parts))
        options = {"limitmb": limitmb or self.bulk_limitmb}
        if procs > 1 and not forking_shares_a_database():
            before = self.index.doc_count_all() if self.setup_complete else 0
            with self._writing(writer_class=_PreparingMpWriter, procs=procs, multisegment=True, **options) as writer:
                db.connections.close_all()  # each process opens its own
                writer.add_parts(self, index, parts)
            return self.index.doc_count_all() - before
        added = 0
        with _collected_per_part(), self._writing(**options) as writer:
            for part in parts:
                for document in self._documents(index, part()):
                    bulk_add_document(writer, document)
                    added += 1
                _collect_and_freeze()
        return added

    def remove(self, obj_or_string, commit=True):
        self.remove_identifiers([get_identifier(obj_or_string)])

    def remove_identifiers(self, identifiers):
        """Delete documents by identifier ("app.model.pk") in one write."""
        identifiers = list(identifiers)
        if not identifiers:
            return
        with self.one_commit():
            self._writes.pending.identifiers.extend(identifiers)

    def _from_python(self, value):
        if type(value) is str:  # haystack's conversion gives it back unchanged, after five checks
            return value
        if isinstance(value, datetime.datetime) and value.tzinfo is not None:
            # Whoosh stores naive datetimes; the index keeps everything in UTC.
            value = value.astimezone(datetime.UTC).replace(tzinfo=None)
        return super()._from_python(value)


@dataclasses.dataclass
class _PendingWrites:
    """What a one_commit block will write: identifiers to delete, then documents to add."""

    identifiers: list = dataclasses.field(default_factory=list)
    documents: list = dataclasses.field(default_factory=list)


def forking_shares_a_database():
    """Whether a forked process would see something other than a committed, shared database:
    inside a transaction (a test's, say) or with an in-memory SQLite database."""
    connection = db.connection
    return connection.in_atomic_block or getattr(connection, "is_in_memory_db", lambda: False)()


def _collect_and_freeze():
    """After each part of a bulk build: collect the garbage the part left (its model instances'
    reference cycles), then keep every object alive now out of later collections. The pool
    holds millions of postings, which each full collection would otherwise walk again: at
    87,000 quotes in one process, 64 full collections were a sixth of the build."""
    gc.collect()
    gc.freeze()


@contextlib.contextmanager
def _collected_per_part():
    """No automatic garbage collection during a bulk build, which collects after each part
    (_collect_and_freeze) instead: what a part leaves is bounded by its size, and the
    thousands of young collections a part otherwise triggers (its model instances, the
    flush's lists) took about 6% of a build."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.unfreeze()
        if enabled:
            gc.enable()


class _PreparingMpWriter(MpWriter):
    """Whoosh's multi-process writer, where each process also reads and prepares its own
    documents: the parent only hands out parts. Feeding prepared documents from the parent
    (the stock way) makes the parent the bottleneck, preparing and pickling every document."""

    def add_parts(self, backend, index, parts):
        # Unbounded, so that handing out parts never waits on processes that may have died.
        self.jobqueue = multiprocessing.Queue()
        self._parts = (backend, index, parts)
        for number in range(len(parts)):
            if len(self.tasks) < self.procs:
                self._new_task()
            self.jobqueue.put((number, None))
        self._added_sub = True

    def _new_task(self):
        task = _PreparingSubWriterTask(
            self._parts, self.storage, self.indexname, self.jobqueue, self.resultqueue, self.subargs, self.multisegment
        )
        self.tasks.append(task)
        task.start()
        return task

    def _commit_toc(self, segments):
        # The tasks have been joined; a task that failed reported no segment.
        failed = [task.exitcode for task in self.tasks if task.exitcode]
        if failed:
            raise RuntimeError(f"{len(failed)} index writer process(es) failed (exit codes {failed}); nothing was committed.")
        super()._commit_toc(segments)


# Of a posting (fieldname, tbytes, docnum, weight, vbytes):
_field_and_term = itemgetter(0, 1)
_first = itemgetter(0)


class _PoolPostings:
    """A pool's postings in order: one at a time, as Whoosh's field writer reads them, or a
    term's at once (term_groups), as _TermFieldWriter does."""

    def __init__(self, pool):
        self.term_groups = pool.term_groups
        self._items = pool.items

    def __iter__(self):
        return iter(self._items())


def bulk_add_document(writer, fields):
    """writer.add_document(**fields) for a bulk build, whose writer holds a _ChunkedRunPool: a
    field's postings go to the pool in one call instead of one call per posting. The segment
    is byte for byte the one add_document writes (tests/test_search_backend.py); documents
    with boosts or custom stored values, and schemas with term vectors or spelling fields,
    go through add_document itself."""
    schema = writer.schema
    if "_bulk_schema" not in writer.__dict__:
        writer._bulk_schema = _plain_schema(schema)
    if not writer._bulk_schema or not isinstance(writer.pool, _ChunkedRunPool) or any(name.startswith("_") for name in fields):
        return writer.add_document(**fields)
    writer._check_state()
    writer._check_fields(schema, fields)
    perdocwriter, docnum, add_field = writer.perdocwriter, writer.docnum, writer.pool.add_field
    perdocwriter.start_doc(docnum)
    for fieldname in sorted(fields):
        value = fields[fieldname]
        if value is None:
            continue
        field = schema[fieldname]
        length = add_field(fieldname, docnum, _posting_columns(field, value), field.scorable) if field.indexed else 0
        perdocwriter.add_field(fieldname, field, value if field.stored else None, length)
        if field.column_type:
            perdocwriter.add_column_value(fieldname, field.column_type, field.to_column_value(value))
    perdocwriter.finish_doc()
    writer._added = True
    writer.docnum += 1


def _posting_columns(field, value):
    """field.index(value)'s postings as columns: (term bytes…), (frequencies…), (weights…),
    (values…), or () when there are none. The archive's text fields give them as columns, and
    an exact value (an ID field) is one posting; other fields' postings are transposed."""
    if isinstance(value, str):
        if isinstance(field, _DirectlyIndexedText):
            return field.posting_columns(value)
        if type(field) is WHOOSH_ID and type(field.analyzer) is IDTokenizer:
            return (value.encode("utf-8"),), (1,), (field.format.field_boost,), (b"",)
    return tuple(zip(*field.index(value), strict=True))


def _plain_schema(schema):
    """No term vectors or spelling fields: what the bulk paths (bulk_add_document, merges
    through _ArchiveSegmentWriter) write the way Whoosh does."""
    return not any(field.vector or field.separate_spelling() for field in schema)


class _ChunkedRunPool(PostingPool):
    """Whoosh's pool of postings, kept as columns per field (terms, document numbers, weights,
    values) that a document's postings extend, with no tuple made per posting. A writer adds
    documents in order, so gathering a field's postings by term, in the order added, puts them
    in Whoosh's order (field, term, document), and a term's postings are handed to the segment
    writer at once (term_groups). Its sorted runs (what does not fit in memory) are written
    and read back a chunk of terms at a time with marshal (one read() a chunk), and merged
    with heapq.merge, instead of one pickle per posting and Whoosh's own merge. Segments
    being merged into the new one are not pooled at all: their postings, already in order,
    are read from them at the flush beside the pool's (add_segment). The postings, and so
    the segment, are the same."""

    CHUNK = 10_000

    @classmethod
    def replacing(cls, pool):
        assert not pool.current and not pool.runs, "only an unused pool can be replaced"
        return cls(pool.tempstore, pool.segment, limitmb=pool.limit / (1024 * 1024))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.by_field = {}  # field name: _PostingColumns, in the order added
        self._last_docnum = -1
        self._in_document_order = True  # each field's postings, for any one term
        self._segments = []  # _MergedSegment, read only at the flush

    def add_segment(self, segment):
        """A segment being merged (a _MergedSegment): its postings are not pooled but read at
        the flush, term by term beside the pool's own. Its documents are numbered past every
        document added before it."""
        self._segments.append(segment)

    def _field_columns(self, fieldname, docnum):
        if self._segments:  # a document after a merged segment: numbered past it, so pooled after it
            self._take_in_segments()
        if docnum < self._last_docnum:  # a merged segment's postings, say
            self._in_document_order = False
        self._last_docnum = docnum
        return self._columns(fieldname)

    def _columns(self, fieldname):
        columns = self.by_field.get(fieldname)
        if columns is None:
            columns = self.by_field[fieldname] = _PostingColumns()
            self.fieldnames.add(fieldname)
        return columns

    def add(self, item):
        # Whoosh's estimate of a posting's size, without its type assertions: postings come
        # from the schema's fields and from segments being merged, bytes terms and values.
        fieldname, tbytes, docnum, weight, vbytes = item
        if docnum == -1:  # a spelling-graph marker, which Whoosh's field writer skips
            return
        columns = self._field_columns(fieldname, docnum)
        columns.terms.append(tbytes)
        columns.docnums.append(docnum)
        columns.weights.append(weight)
        columns.values.append(vbytes)
        self.currentsize += 150 + len(fieldname) + 2 * len(tbytes) + len(vbytes or b"")
        if self.currentsize > self.limit:
            self.save()

    def add_field(self, fieldname, docnum, columns, scorable):
        """add() for each of one document's postings in a field, given as _posting_columns
        gives them, weighted as SegmentWriter.add_document weights them (times a field boost
        of 1.0: a float); the field's length in the document (0 when not scorable)."""
        if not columns or not columns[0]:
            return 0
        tbytes, freqs, weights, vbytes = columns
        columns = self._field_columns(fieldname, docnum)
        columns.terms.extend(tbytes)
        columns.docnums.extend(repeat(docnum, len(tbytes)))
        columns.weights.extend(map(float, weights))
        columns.values.extend(vbytes)
        self.currentsize += (150 + len(fieldname)) * len(tbytes) + 2 * sum(map(len, tbytes)) + sum(map(len, filter(None, vbytes)))
        if self.currentsize > self.limit:
            self.save()
        return sum(freqs) if scorable else 0

    def _take_in_segments(self):
        segments, self._segments = self._segments, []
        for segment in segments:
            try:
                for group in segment.term_groups():
                    self.add_term_postings(*group)
            finally:
                segment.close()

    def add_term_postings(self, fieldname, tbytes, docnums, weights, values):
        """A term's postings from a segment being merged, in document order. A merge adds each
        segment after everything the pool holds (its documents are numbered past them), so
        the postings are appended as they come, in order."""
        count = len(docnums)
        columns = self._columns(fieldname)
        columns.terms.extend(repeat(tbytes, count))
        columns.docnums.extend(docnums)
        columns.weights.extend(weights)
        columns.values.extend(values)
        self._last_docnum = max(self._last_docnum, docnums[-1])
        self.currentsize += (150 + len(fieldname) + 2 * len(tbytes)) * count + sum(map(len, filter(None, values)))
        if self.currentsize > self.limit:
            self.save()

    def _in_memory_term_groups(self):
        """(field name, term bytes, docnums, weights, values) for what is held in memory, in
        Whoosh's order, emptying the pool."""
        by_field, self.by_field, self.currentsize = self.by_field, {}, 0
        for fieldname in sorted(by_field):
            yield from by_field.pop(fieldname).term_groups(fieldname, by_document=not self._in_document_order)

    def save(self):
        """Write what is held in memory as a sorted run, a term's postings together."""
        if self.by_field:
            path, f = self._new_run()
            self._write_run(f, self._in_memory_term_groups())
            self._add_run(path)

    def items(self, maxfiles=128):
        return (
            (fieldname, tbytes, *posting)
            for fieldname, tbytes, *columns in self.term_groups()
            for posting in zip(*columns, strict=True)
        )

    def iter_postings(self):
        return _PoolPostings(self)

    def term_groups(self):
        """(field name, term bytes, docnums, weights, values) in Whoosh's order, every posting
        of a term at once: the pool's own (in memory and in its sorted runs), and those of the
        segments being merged, read from them in step."""
        runs, self.runs = self.runs, []
        segments, self._segments = self._segments, []
        if not runs and not segments:
            return self._in_memory_term_groups()
        # The runs hold the pool's documents in the order added, then what is in memory; the
        # segments' documents are numbered past all of them.
        streams = [*(self._read_run(path) for path in runs), self._in_memory_term_groups()]
        if runs and not self._in_document_order:  # a term's postings are to be sorted by document
            streams = [_merged_term_groups(streams, by_document=True)]
        return _closing(
            _merged_term_groups([*streams, *(segment.term_groups() for segment in segments)]), segments
        )

    def cleanup(self):
        segments, self._segments = self._segments, []
        for segment in segments:
            segment.close()
        super().cleanup()

    def _write_run(self, f, term_groups):
        chunk, postings = [], 0
        for group in term_groups:
            chunk.append(group)
            postings += len(group[2])
            if postings >= self.CHUNK:
                _write_run_chunk(f, chunk)
                chunk, postings = [], 0
        if chunk:
            _write_run_chunk(f, chunk)
        f.close()

    def _read_run(self, path):
        f = self._open_run(path)
        try:
            while header := f.read(_RUN_CHUNK_LENGTH.size):
                (length,) = _RUN_CHUNK_LENGTH.unpack(header)
                data = f.read(length)
                if len(data) != length:
                    raise EOFError(f"the pool's run {path} ends inside a chunk")
                chunk = marshal.loads(data)
                del data  # not kept alive beside its decoded chunk while the merge reads on
                yield from chunk
        finally:
            f.close()
            self._remove_run(path)


# A chunk of a pool's run is its length, then the chunk marshalled: read back with one read()
# and marshal.loads. marshal.load(file) calls the file's readinto() for every object it reads
# (each term, number and list), which was a fifth of a million-quote rebuild.
_RUN_CHUNK_LENGTH = struct.Struct("<Q")


def _write_run_chunk(f, chunk):
    data = marshal.dumps(chunk)
    f.write(_RUN_CHUNK_LENGTH.pack(len(data)))
    f.write(data)


class _PostingColumns:
    """A field's pooled postings as four lists, one item per posting."""

    __slots__ = ("terms", "docnums", "weights", "values")

    def __init__(self):
        self.terms, self.docnums, self.weights, self.values = [], [], [], []

    def term_groups(self, fieldname, *, by_document=False):
        """(fieldname, term bytes, docnums, weights, values) for each term, in term order and,
        for a term, in the order added (by document number when `by_document`), emptying the
        columns. A term's postings are gathered in one pass over the columns, which costs
        half of sorting the postings by term and cutting them into terms."""
        columns = self.terms, self.docnums, self.weights, self.values
        self.terms, self.docnums, self.weights, self.values = [], [], [], []
        by_term = {}
        get = by_term.get
        for term, docnum, weight, value in zip(*columns, strict=True):
            postings = get(term)
            if postings is None:
                by_term[term] = ([docnum], [weight], [value])
            else:
                postings[0].append(docnum)
                postings[1].append(weight)
                postings[2].append(value)
        del columns
        for term in sorted(by_term):
            docnums, weights, values = by_term.pop(term)
            if by_document and len(docnums) > 1:
                docnums, weights, values = map(list, zip(*sorted(zip(docnums, weights, values, strict=True), key=_first), strict=True))
            yield fieldname, term, docnums, weights, values


def _merged_term_groups(streams, *, by_document=False):
    """Streams of term groups (field name, term bytes, docnums, weights, values), each in
    Whoosh's order, as one: a term's postings joined in the order of the streams (heapq.merge
    yields equal terms in the order of its inputs), or sorted by document."""
    for (fieldname, tbytes), groups in groupby(heapq.merge(*streams, key=_field_and_term), key=_field_and_term):
        groups = list(groups)
        if len(groups) == 1:  # one stream: already in order
            yield groups[0]
            continue
        columns = [list(chain.from_iterable(column)) for column in list(zip(*groups, strict=True))[2:]]
        if by_document:
            columns = [list(column) for column in zip(*sorted(zip(*columns, strict=True), key=_first), strict=True)]
        yield (fieldname, tbytes, *columns)


def _closing(term_groups, segments):
    try:
        yield from term_groups
    finally:
        for segment in segments:
            segment.close()


class _ArchiveSegmentWriter(SegmentWriter):
    """Whoosh's segment writer with the archive's pool, and merges (MERGE_SMALL at a commit,
    an optimize) that copy a segment's postings a term at a time, read a block at a time.
    Whoosh copies them one posting at a time through reader.postings(), which also builds the
    set of the segment's deleted documents anew for every term: merging the small segments
    of a few dozen imports took longer than indexing their documents."""

    def __init__(self, ix, **kwargs):
        super().__init__(ix, **kwargs)
        self.pool = _ChunkedRunPool.replacing(self.pool)  # Whoosh 2.7.4 ignores its poolclass argument
        self.source_storage = self.storage  # where segments being merged are (a background merge writes elsewhere)

    def add_postings_to_pool(self, reader, startdoc, docmap):
        if not isinstance(reader, SegmentReader) or not _plain_schema(self.schema):
            return super().add_postings_to_pool(reader, startdoc, docmap)
        # A reader of its own: the merge closes the one it passes as soon as this returns.
        own = SegmentReader(self.source_storage, reader.schema, reader.segment())
        self.pool.add_segment(_MergedSegment(own, self.schema, startdoc, docmap))


class _MergedSegment:
    """A segment being merged into a writer's new one, whose postings are read at the flush,
    a term at a time, numbered as in the new segment (an offset, or the docmap Whoosh made
    for a segment with deleted documents), the deleted ones left out."""

    def __init__(self, reader, schema, startdoc, docmap):
        self.reader, self.schema, self.startdoc, self.docmap = reader, schema, startdoc, docmap
        self.deleted = frozenset(reader._perdoc.deleted_docs()) if reader.has_deletions() else None

    def term_groups(self):
        """(field name, term bytes, docnums, weights, values) in Whoosh's order."""
        schema, deleted, docmap, startdoc = self.schema, self.deleted, self.docmap, self.startdoc
        for fieldname, btext, matcher in _segment_term_matchers(self.reader):
            if fieldname not in schema:
                continue
            docnums, weights, values = _term_postings(matcher)
            if deleted:
                kept = [k for k, docnum in enumerate(docnums) if docnum not in deleted]
                if len(kept) < len(docnums):
                    docnums, weights, values = ([column[k] for k in kept] for column in (docnums, weights, values))
            if not docnums:
                continue
            if docmap is not None:
                docnums = [docmap[docnum] for docnum in docnums]
            else:
                docnums = [startdoc + docnum for docnum in docnums]
            yield fieldname, btext, docnums, weights, values

    def close(self):
        self.reader.close()


def _segment_term_matchers(reader):
    """(field name, term bytes, a fresh matcher of its postings) for every term of a segment,
    in order. The term table is read through once, rather than looked up term by term."""
    terms, schema = reader._terms, reader.schema
    if not isinstance(terms, W3TermsReader):
        for fieldname, btext in reader.all_terms():
            yield fieldname, btext, terms.matcher(fieldname, btext, schema[fieldname].format)
        return
    postings_reader, postfile = terms._codec.postings_reader, terms._postfile
    for (fieldname, btext), terminfo in terms.items():
        if fieldname in schema:
            yield fieldname, btext, postings_reader(postfile, terminfo, schema[fieldname].format, term=(fieldname, btext))


def _term_postings(matcher, *, values=True):
    """([docnum…], [weight…], [value…]) of a fresh term matcher, deleted documents included,
    as its id(), weight() and value() give them (no values with `values=False`): a block at a
    time for Whoosh 2.7's block matcher, one posting at a time for anything else (a term kept
    in the term table)."""
    docnums, weights, found_values = [], [], []
    if not isinstance(matcher, W3LeafMatcher):
        while matcher.is_active():
            docnums.append(matcher.id())
            weights.append(matcher.weight())
            if values:
                found_values.append(matcher.value())
            matcher.next()
        return docnums, weights, found_values
    while matcher.is_active():
        start, stop = matcher._i, matcher._blocklength
        docnums.extend(_block_ids(matcher)[start:stop])
        if matcher._weights is None:
            matcher._read_weights()
        weights.extend(matcher._weights[start:stop])
        if values:
            if matcher._values is None:
                matcher._read_values()
            found_values.extend(matcher._values[start:stop])
        if matcher._lastblock:
            break
        _next_block(matcher)
    return docnums, weights, found_values


class _PreparingSubWriterTask(SubWriterTask):
    def __init__(self, parts, *args):
        super().__init__(*args)
        self.backend, self.index, self.parts = parts

    def run(self):
        try:
            with _collected_per_part():
                super().run()
        finally:
            db.connections.close_all()

    def _process_file(self, number, _):
        if not isinstance(self.writer.pool, _ChunkedRunPool):
            self.writer.pool = _ChunkedRunPool.replacing(self.writer.pool)
        for document in self.backend._documents(self.index, self.parts[number]()):
            bulk_add_document(self.writer, document)
        _collect_and_freeze()  # a process of its own: what it froze goes with it


class FlushingCodec(W3Codec):
    """Whoosh's codec for writing, with costs taken out of a segment's flush: for every
    posting, the stock lengths reader asks the file system whether the field has a length
    column, and only remembers the answer when it is yes (ID and keyword fields never have
    one); and short posting lists are written as _SegmentPostingsWriter says, long ones
    compressed with deflate(). The segments it makes name the plain codec, so the index on
    disk is Whoosh's own."""

    def per_document_reader(self, storage, segment):
        return _ColumnCachingPerDocReader(storage, segment)

    def new_segment(self, storage, indexname):
        return W3Segment(W3Codec(), indexname)

    def postings_writer(self, dbfile, byteids=False):
        return _SegmentPostingsWriter(dbfile, blocklimit=self._blocklimit, byteids=byteids, compression=self._compression)

    def field_writer(self, storage, segment):
        return _TermFieldWriter(self, storage, segment)


class _TermFieldWriter(W3FieldWriter):
    """Whoosh's field writer, given a term's postings at once when the pool can (_PoolPostings):
    the stock one is handed postings one by one and makes four calls for each of them. Its
    term table is a _TermTable."""

    def __init__(self, codec, storage, segment):
        super().__init__(codec, storage, segment)
        self._tindex = _TermTable.continuing(self._tindex)

    def add_postings(self, schema, lengths, items):
        if not isinstance(items, _PoolPostings):
            return super().add_postings(schema, lengths, items)
        blocks = _Appended(self._postfile)
        rows = self._tindex
        fieldname = None
        for name, btext, docnums, weights, values in items.term_groups():
            if name != fieldname:
                if fieldname is not None:
                    self.finish_field()
                fieldname = name
                self.start_field(fieldname, schema[fieldname])
                length_bytes = lengths.field_length_bytes(fieldname) if lengths else None
                key_prefix = pack_ushort(self._fieldid)
            if len(docnums) == 1:  # most terms of a small segment
                rows.add(key_prefix + btext, _inlined_term_row(docnums[0], weights[0], values[0], length_bytes))
                continue
            if len(docnums) < min(_SegmentPostingsWriter.COMPRESSED_FROM, self._postwriter._blocklimit + 1):
                rows.add(key_prefix + btext, self._one_block_term_row(blocks, docnums, weights, values, length_bytes))
                continue
            # Whoosh's writer, which writes its blocks to the file itself.
            blocks.flush()
            self.start_term(btext)
            self._postwriter.add_term_postings(docnums, weights, values, length_bytes)
            self.finish_term()
            blocks.resume()
        blocks.flush()
        if fieldname is not None:
            self.finish_field()

    def _one_block_term_row(self, blocks, docnums, weights, values, length_bytes):
        """For a term whose postings fit in one uncompressed block (most of the other terms of
        a small segment): the block, appended to `blocks`, and the term table's row pointing to
        it, as _SegmentPostingsWriter and W3TermInfo.to_bytes write them (the weights and
        values in the short forms of W3PostingsWriter._mini_weights and _mini_values)."""
        stored_weights = array("f", weights)
        max_weight = max(0, *weights)
        if length_bytes is None:
            shortest = longest = 0
        else:
            known = [length_bytes[docnum] for docnum in docnums if length_bytes[docnum]]
            shortest, longest = (min(known), max(known)) if known else (0, 0)
        if all(weight == 1.0 for weight in stored_weights):
            block_weights = None
        elif all(weight == stored_weights[0] for weight in stored_weights):
            block_weights = stored_weights[0]
        else:
            block_weights = tuple(stored_weights)
        kept_values = [value for value in values if value]
        fixed_size = self._format.fixed_value_size()
        if fixed_size is None or fixed_size < 0:
            block_values = tuple(kept_values)
        elif fixed_size == 0:
            block_values = None
        else:
            block_values = b"".join(kept_values)
        ids = tuple(map(sub, docnums, chain((0,), docnums)))
        data = pickle.dumps((ids, block_weights, block_values), POSTINGS_PICKLE_PROTOCOL)
        info = pickle.dumps((len(docnums), docnums[-1], max_weight, 0, _MIN_LENGTH_BYTE[shortest], _MAX_LENGTH_BYTE[longest]), 2)
        block = b"".join((WHOOSH3_HEADER_MAGIC, pack_int(-(len(info) + len(data))), info, data))  # negative: the last block
        start = blocks.append(block)
        return _TERM_INFO.pack(
            False, sum(stored_weights), len(docnums), _MIN_LENGTH_BYTE[shortest], _MAX_LENGTH_BYTE[longest],
            max_weight, docnums[0], docnums[-1],
        ) + pack_long(start) + pack_int(len(block))


def _inlined_term_row(docnum, weight, value, length_bytes):
    """The term table's row for a term found in one document: the term info with the posting
    inlined, as _SegmentPostingsWriter keeps it, without a block and a term info object to fill."""
    length = length_bytes[docnum] if length_bytes is not None else 0
    stored_weight = array("f", (weight,))[0]  # as a block's weights hold it
    info = _TERM_INFO.pack(
        True, stored_weight, 1, _MIN_LENGTH_BYTE[length], _MAX_LENGTH_BYTE[length], max(0, weight), docnum, docnum
    )
    return info + pickle.dumps(((docnum,), (stored_weight,), (value or b"",)), POSTINGS_PICKLE_PROTOCOL)


class _Appended:
    """Bytes to append to a file, written a few hundred at a time in one call, with the
    position each will have: a small segment's flush writes tens of thousands of term rows and
    short blocks, each in three or four writes and a tell() through Whoosh's StructFile."""

    __slots__ = ("file", "parts", "position")

    FLUSH_PARTS = 512

    def __init__(self, file):
        self.file, self.parts, self.position = file, [], file.tell()

    def append(self, data):
        """Where `data` will be in the file."""
        position = self.position
        self.parts.append(data)
        self.position = position + len(data)
        if len(self.parts) == self.FLUSH_PARTS:
            self.flush()
        return position

    def flush(self):
        if self.parts:
            self.file.write(b"".join(self.parts))
            self.parts = []

    def resume(self):
        """After someone else wrote to the file (flush() first)."""
        self.position = self.file.tell()


class _TermTable(OrderedHashWriter):
    """Whoosh's writer of a segment's term table (an on-disk hash of rows in key order), the
    same file written in fewer calls: rows through _Appended, and each of the 256 hash tables
    at once (Whoosh writes a slot at a time, two slots a row)."""

    @classmethod
    def continuing(cls, table):
        """This writer in place of `table`, a new OrderedHashWriter that wrote its header only."""
        assert not table.lastkey and not len(table.index), "only an unused table can be continued"
        continued = cls.__new__(cls)
        continued.__dict__.update(table.__dict__)
        continued._rows = _Appended(table.dbfile)
        continued._hash = _md5_low_bits if table.hashfn is md5_hash else table.hashfn
        return continued

    def tell(self):
        return self._rows.position

    def add(self, key, value):
        if key <= self.lastkey:
            raise ValueError(f"Keys must increase: {self.lastkey!r}..{key!r}")
        position = self._rows.append(b"".join((_ROW_LENGTHS.pack(len(key), len(value)), key, value)))
        self.index.append(position)
        hashed = self._hash(key)
        self.buckets[hashed & 255].append((hashed, position))
        self.lastkey = key

    def _write_hashes(self):
        # HashWriter._write_hashes, a table a write.
        self._rows.flush()
        dbfile, null, pack_slot = self.dbfile, (0, 0), _HASH_SLOT.pack
        for entries in self.buckets:
            numslots = 2 * len(entries)
            self.directory.append((dbfile.tell(), numslots))
            hashtable = [null] * numslots
            for hashed, position in entries:
                slot = (hashed >> 8) % numslots
                while hashtable[slot] != null:
                    slot = (slot + 1) % numslots
                hashtable[slot] = (hashed, position)
            dbfile.write(b"".join([pack_slot(*entry) for entry in hashtable]))


_ROW_LENGTHS = struct.Struct("!ii")  # filetables' _lengths: a row's key and value lengths
_HASH_SLOT = struct.Struct("!Iq")  # filetables' _pointer: a key's hash and its row's position


def _md5_low_bits(key):
    # filetables.md5_hash (the low 32 bits of the key's MD5) without the hexadecimal round trip.
    return int.from_bytes(md5(key).digest()[12:], "big")


# A field length byte (0: the document has none) as it comes out again as the shortest and
# the longest length of a term's postings, in a block's header and in W3TermInfo.to_bytes.
_TERM_INFO = W3TermInfo._struct
# The pickle protocol of the posting data this writes (a block's ids, weights and values; an
# inlined posting). Whoosh uses protocol 2, which has no opcode for bytes: each encoded value (a
# word's positions) goes in as a call to _codecs.encode on a str. With protocol 3 they are plain
# bytes: a block of the words field unpickles ~9x faster (90 -> 10 us for 128 postings) and
# compresses to a third. Whoosh reads any protocol (pickle.loads), so older segments stay
# readable, and a merge or rebuild rewrites them.
POSTINGS_PICKLE_PROTOCOL = 3
_MIN_LENGTH_BYTE = [0] + [length_to_byte(byte_to_length(byte)) for byte in range(1, 256)]
_MAX_LENGTH_BYTE = [length_to_byte(0)] + [length_to_byte(byte_to_length(byte)) for byte in range(1, 256)]


class _SegmentPostingsWriter(W3PostingsWriter):
    """Whoosh's block writer with two costs taken out of a flush, for the many short posting
    lists of a segment (most terms of the small segment an import adds, the long tail of a
    rebuild's vocabulary). Stock Whoosh reads what it writes (the block header says whether a
    block is compressed; W3Codec.postings_reader reads inlined postings).

    - A term found in one document keeps its posting in the term table instead of a block of
      its own (two pickles and a zlib stream). Whoosh 2.7.4's own inlining cannot be used: it
      calls a method the term info names set_inlined, not set_inline.
    - A block of few postings is written uncompressed: zlib's fixed cost per call was the
      larger part of writing it, for a few bytes saved (a rebuild ~3% faster, the index ~2%
      larger).

    And its posting data is pickled with POSTINGS_PICKLE_PROTOCOL, so that reading a block back
    costs a tenth of what it does in Whoosh's own segments."""

    COMPRESSED_FROM = 32  # postings in a block

    def _mini_ids(self):
        # Whoosh's delta_encode (a generator step per id) as one map.
        ids = self._ids
        return tuple(ids) if self._byteids else tuple(map(sub, ids, chain((0,), ids)))

    def add_term_postings(self, docnums, weights, values, length_bytes):
        """add_posting() for each of a term's postings, given as columns in document order, a
        block at a time: the same blocks, statistics and bytes. `length_bytes`: the field's
        length column (one byte a document), or None."""
        limit = self._blocklimit
        for start in range(0, len(docnums), limit):
            if self._ids:  # full: written only now that more postings follow, as add_posting does
                self._write_block()
            block_ids, block_weights, block_values = (column[start : start + limit] for column in (docnums, weights, values))
            self._ids.extend(block_ids)
            self._weights.extend(block_weights)
            self._maxweight = max(self._maxweight, *block_weights)
            self._values.extend(value for value in block_values if value)
            if length_bytes is not None:
                known = [length_bytes[docnum] for docnum in block_ids if length_bytes[docnum]]
                if known:  # add_posting skips a length of 0 (a document without the field)
                    self._minlength = byte_to_length(min(known))
                    self._maxlength = byte_to_length(max(known))

    def start_postings(self, format_, terminfo):
        super().start_postings(format_, _TermInfo() if type(terminfo) is W3TermInfo else terminfo)

    def finish_postings(self):
        if self._blockcount or len(self._ids) != 1:
            return super().finish_postings()
        terminfo, self._terminfo = self._terminfo, None
        terminfo.add_block(self)
        # A value for every posting, b"" where the format has none: the matcher that reads
        # them back would answer "" (a str), which a merge of this segment refuses.
        terminfo.set_inlined(self._ids, self._weights, self._values or [b""])
        return terminfo

    def _write_block(self, last=False):
        # W3PostingsWriter._write_block, compressing with deflate() instead of zlib.compress.
        if not self._blockcount:
            self._postfile.write(WHOOSH3_HEADER_MAGIC)
        self._terminfo.add_block(self)
        ids = self._ids
        data = pickle.dumps((self._mini_ids(), self._mini_weights(), self._mini_values()), POSTINGS_PICKLE_PROTOCOL)
        level = self._compression if len(ids) >= self.COMPRESSED_FROM else 0
        if level:
            data = deflate(data, level)
        info = pickle.dumps(
            (len(ids), ids[-1], self._maxweight, level, length_to_byte(self._minlength), length_to_byte(self._maxlength)), 2
        )
        self._postfile.write_int(-(len(info) + len(data)) if last else len(info) + len(data))  # negative: the last block
        self._postfile.write(info)
        self._postfile.write(data)
        self._blockcount += 1
        self._new_block()


class _TermInfo(W3TermInfo):
    """W3TermInfo with an inlined posting pickled as the blocks are (POSTINGS_PICKLE_PROTOCOL)."""

    def to_bytes(self):
        row = super().to_bytes()
        if not self.is_inlined():
            return row
        return row[: self._struct.size] + pickle.dumps(self._inlined, POSTINGS_PICKLE_PROTOCOL)


def deflate(data, level):
    """zlib.compress(data, level) with a 16 KB window and a smaller hash table, which
    zlib.decompress (what Whoosh reads blocks with) reads the same. Setting up the default
    32 KB window was most of the cost of compressing a posting block: a 20k-quote segment's
    blocks took 0.45 s to compress, 0.16 s with this; they are no larger, being smaller than
    the window. (A stored document's few bytes gained nothing, so they are left to Whoosh.)"""
    compressor = zlib.compressobj(level, zlib.DEFLATED, 14, 6)
    return compressor.compress(data) + compressor.flush()


class _ColumnCachingPerDocReader(W3PerDocReader):
    """Answers "does the field have a column" once per field, and a field's lengths from one
    read of its column instead of a file read per posting."""

    def has_column(self, fieldname):
        known = self.__dict__.setdefault("_has_column", {})
        if fieldname not in known:
            known[fieldname] = super().has_column(fieldname)
        return known[fieldname]

    def field_length_bytes(self, fieldname):
        """The field's length column, one byte a document (byte_to_length), or None."""
        lengths = self.__dict__.setdefault("_lengths", {})
        if fieldname not in lengths:
            reader = self._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
            lengths[fieldname] = None if reader is None else bytes(reader)
        return lengths[fieldname]

    def doc_field_length(self, docnum, fieldname, default=0):
        column = self.field_length_bytes(fieldname)
        if column is None:
            return default
        return byte_to_length(column[docnum]) if column[docnum] else None


# --- searching without Whoosh's per-document Python collectors ------------------------------
#
# The search page asks for one page of hits, the exact total and counts on four facet fields;
# an export asks for the hits page after page. Whoosh's own way (groupedby + len()) runs a
# collector per matching document in Python, and for a multi-valued field (topics) rebuilds a
# list of every document's values on every search. Here the matching document numbers are
# read whole posting blocks at a time, the model restriction, date ranges and facet counts use
# per-segment arrays built once per segment (a commit adds a small segment; unchanged segments
# keep theirs), and the matches are ranked as described above _top_scored.


#: The date of an undated document in _SegmentArrays.dates: before every real date, in no range.
NO_DATE = -(2**63)
_LAST = 2**63 - 1


def _is_undated(column_value):
    """Whether a date column's raw value is Whoosh's default for a document without a date."""
    return column_value is None or column_value >= _LAST


class _SegmentArrays:
    """Per-document values of one segment, for filtering and counting without Whoosh:
    ordinal arrays for exact-value fields, value tuples for multi-valued ones, raw dates."""

    def __init__(self, reader, schema, exact_fields, multi_fields, date_fields):
        self.doc_count_all = reader.doc_count_all()
        self.values, self.ordinals, self.multi, self.dates = {}, {}, {}, {}
        for name in exact_fields:
            if name not in schema:
                continue
            values, ordinals = [None], array("I", bytes(4 * self.doc_count_all))
            for ordinal, btext in enumerate(reader.lexicon(name), start=1):
                values.append(schema[name].from_bytes(btext))
                for docnum in _posting_ids(reader.postings(name, btext), ignore_deleted=True):
                    ordinals[docnum] = ordinal
            self.values[name], self.ordinals[name] = values, ordinals
        for name in multi_fields:
            if name not in schema:
                continue
            lists, interned = [()] * self.doc_count_all, {}
            for btext in reader.lexicon(name):
                text = schema[name].from_bytes(btext)
                for docnum in _posting_ids(reader.postings(name, btext), ignore_deleted=True):
                    combined = (*lists[docnum], text)
                    lists[docnum] = interned.setdefault(combined, combined)
            self.multi[name] = lists
        for name in date_fields:
            if name not in schema:
                continue
            if reader.has_column(name):
                column = reader.column_reader(name, translate=False)
                # A document without a date reads as the column's default, 2**64 - 1 (unsigned).
                self.dates[name] = array("q", (value if value < _LAST else NO_DATE for value in column))
            else:  # Whoosh writes a column only once a document of the segment has a value
                self.dates[name] = array("q", [NO_DATE]) * self.doc_count_all
        self._lengths = {}

    def field_lengths(self, reader, fieldname):
        """The field's length column (one byte a document, byte_to_length), read whole the
        first time a search scores the field; None when the segment has no such column.
        Whoosh reads it from the file for every document it scores."""
        if fieldname not in self._lengths:
            perdoc = getattr(reader, "_perdoc", None)
            column = perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN) if isinstance(perdoc, W3PerDocReader) else None
            self._lengths[fieldname] = None if column is None else _column_bytes(column)
        return self._lengths[fieldname]


def _column_bytes(column):
    """A one-byte numeric column's values as bytes: one read of the file (the documents after
    the last one written have the default, 0), not a read per document."""
    if isinstance(column, NumericColumn.Reader) and column._fixedlen == 1 and not column._default:
        stored = column._dbfile.get(column._basepos, min(column._count, column._doccount))
        return stored + bytes(column._doccount - len(stored))
    return bytes(column)


def _posting_ids(matcher, *, ignore_deleted=False):
    """Every document number of a fresh matcher. Plain postings (Whoosh 2.7's W3LeafMatcher,
    possibly inside the FilterMatcher that hides deleted documents) are read a block at a
    time; anything else one document at a time."""
    deleted = None
    if isinstance(matcher, FilterMatcher) and matcher._exclude and isinstance(matcher.child, W3LeafMatcher):
        deleted = None if ignore_deleted else matcher._ids
        matcher = matcher.child
    if not isinstance(matcher, W3LeafMatcher):
        return list(matcher.all_ids()) if matcher.is_active() else []
    ids = []
    while matcher.is_active():
        ids.extend(_block_ids(matcher)[matcher._i : matcher._blocklength])
        if matcher._lastblock:
            break
        _next_block(matcher)
    if deleted:
        ids = [docnum for docnum in ids if docnum not in deleted]
    return ids


class _SegmentReads:
    """What matching a query read from one segment, for ranking the matches without reading
    it again: {phrase: {docnum: occurrences}} for the phrases whose positions were read, and
    {(field name, term bytes): (docnums, weights, deleted docnums)} for the terms whose postings
    were read whole (_whole_postings), and {(field name, term bytes): term info} for the words
    prefixes expanded to, {(field name, prefix): words} (_expanded_words)."""

    def __init__(self):
        self.phrases, self.postings, self.term_infos, self.expansions = {}, {}, {}, {}
        self._deleted = None

    def deleted(self, reader):
        if self._deleted is None:
            self._deleted = frozenset(reader._perdoc.deleted_docs())  # as SegmentReader.postings reads them
        return self._deleted


def _expanded_words(query, reader, reads):
    """The words (term bytes) a prefix expands to in one segment. Their term infos come in
    the same pass over the segment's term table and are kept (reads.term_infos), so that their
    postings and their scorers do not look each word up again: a broad prefix expands to
    thousands of words at a million quotes ("stro*": 3,800), each lookup a hash probe in the
    compound file."""
    if not isinstance(query, whoosh_query.Prefix) or not isinstance(getattr(reader, "_terms", None), W3TermsReader):
        return list(query._btexts(reader))
    key = (query.fieldname, query.text)
    if key not in reads.expansions:  # matching expands it, then scoring
        words = reads.expansions[key] = []
        for btext, terminfo in reader.iter_prefix(query.fieldname, query.text):
            reads.term_infos[query.fieldname, btext] = terminfo
            words.append(btext)
    return reads.expansions[key]


def _whole_postings(reads, reader, fieldname, btext):
    """(docnums, weights, deleted docnums) of a term's postings in one segment, the deleted
    documents included, read once per search."""
    key = (fieldname, btext)
    if key not in reads.postings:
        terminfo = reads.term_infos.get(key)
        if terminfo is not None:  # a prefix's word: its postings read from its term info
            terms = reader._terms
            matcher = terms._codec.postings_reader(terms._postfile, terminfo, reader.schema[fieldname].format, term=key)
            deleted = reads.deleted(reader)
        else:
            matcher, deleted = reader.postings(fieldname, btext), ()
            if isinstance(matcher, FilterMatcher) and matcher._exclude:
                matcher, deleted = matcher.child, matcher._ids
        docnums, weights, _ = _term_postings(matcher, values=False)
        reads.postings[key] = (docnums, weights, deleted)
    return reads.postings[key]


class _KnownTermInfo:
    """A segment searcher that already knows one word's term info: a scorer's setup asks for
    it (for the word's best score), and a prefix's words were read with theirs."""

    def __init__(self, searcher, terminfo):
        self._searcher, self._terminfo = searcher, terminfo

    def term_info(self, fieldname, text):
        return self._terminfo

    def __getattr__(self, name):
        return getattr(self._searcher, name)


def _query_ids(query, searcher, reader, reads=None, within=None):
    """The set of document numbers of one segment that `query` matches, or None when the
    query is of a kind this does not evaluate itself (the caller falls back to Whoosh).
    `reads`, when given, keeps what was read (_SegmentReads); `within`, when given, are the
    only documents a phrase's positions are read for (the rest of an And already excludes
    the others)."""
    if isinstance(query, whoosh_query.Term):
        fieldname = query.fieldname
        if fieldname not in searcher.schema:
            return set()
        btext = searcher.schema[fieldname].to_bytes(query.text)
        if (fieldname, btext) not in reader:
            return set()
        if reads is None:
            return set(_posting_ids(reader.postings(fieldname, btext)))
        docnums, _, deleted = _whole_postings(reads, reader, fieldname, btext)
        return set(docnums).difference(deleted)
    if isinstance(query, whoosh_query.Every) and not query.fieldname:
        return set(reader.all_doc_ids())
    if isinstance(query, whoosh_query.And):
        positive, negative = [], []
        for child in query.subqueries:
            (negative if isinstance(child, whoosh_query.Not) else positive).append(child)
        if not positive:
            return None
        result = None
        # Phrases last: their positions are then read only for what the other parts matched.
        for child in sorted(positive, key=lambda child: isinstance(child, whoosh_query.Phrase)):
            ids = _query_ids(child, searcher, reader, reads, result)
            if ids is None:
                return None
            result = ids if result is None else result & ids
            if not result:
                return result
        for child in negative:
            ids = _query_ids(child.query, searcher, reader)
            if ids is None:
                return None
            result -= ids
        return result
    if isinstance(query, whoosh_query.AndNot):
        positive = _query_ids(query.a, searcher, reader, reads)
        negative = _query_ids(query.b, searcher, reader) if positive else set()
        return None if positive is None or negative is None else positive - negative
    if isinstance(query, whoosh_query.Or):
        result = set()
        for child in query.subqueries:
            if isinstance(child, whoosh_query.Not):
                return None
            ids = _query_ids(child, searcher, reader, reads)
            if ids is None:
                return None
            result |= ids
        return result
    if isinstance(query, whoosh_query.MultiTerm):  # prefix, wildcard: the terms it expands to
        # Read from this segment's own terms, so each is in it: no lookup to check. A broad
        # prefix expands to thousands of words at a million quotes ("stro*": 3,800).
        fieldname = query.field()
        if reads is None:
            return {docnum for btext in query._btexts(reader) for docnum in _posting_ids(reader.postings(fieldname, btext))}
        ids, deleted = set(), ()
        for btext in _expanded_words(query, reader, reads):
            docnums, _, deleted = _whole_postings(reads, reader, fieldname, btext)
            ids.update(docnums)
        return ids.difference(deleted)  # the segment's deleted documents, the same for every word
    if isinstance(query, whoosh_query.Phrase):
        ids = _phrase_ids(query, searcher, reader, reads, within)
        if ids is not None:
            return ids
    # Anything else: Whoosh's own matcher, one document at a time.
    matcher = query.matcher(searcher)
    return set(matcher.all_ids()) if matcher.is_active() else set()


def _phrase_ids(query, searcher, reader, reads=None, within=None):
    """The documents of one segment holding an exact phrase: the candidates are those of its
    pairs of frequent words, when the segment has pairs, or else of its rarest word, and only
    their positions are read. None for a phrase with a gap (slop), which Whoosh matches."""
    words, fieldname = query.words, query.fieldname
    if query.slop != 1 or len(words) < 2 or fieldname not in searcher.schema:
        return None
    field = searcher.schema[fieldname]
    words_b = [field.to_bytes(word) for word in words]
    if any((fieldname, word) not in reader for word in words_b):
        return set()
    pairs = _indexed_pairs(query, searcher, reader)
    if pairs:
        terms = [whoosh_query.Term(word_pairs_field_name(fieldname), pair) for pair in pairs]
        terms.sort(key=lambda t: reader.doc_frequency(t.fieldname, t.text.encode("utf-8")))
    else:
        terms = [whoosh_query.Term(fieldname, min(words, key=lambda w: reader.doc_frequency(fieldname, field.to_bytes(w))))]
    candidates = within
    for term in terms:
        btext = term.text.encode("utf-8")
        if candidates is not None and len(candidates) * 8 < reader.doc_frequency(term.fieldname, btext):
            # A few candidates already: look them up in the term's postings instead of reading all.
            candidates = {docnum for docnum, _ in _postings_at(reader.postings(term.fieldname, btext), sorted(candidates))}
        else:
            ids = _query_ids(term, searcher, reader)
            candidates = ids if candidates is None else candidates & ids
        if not candidates:
            return set()
    if len(words) == 2 and pairs:
        return candidates  # the pair's own postings are the answer
    starts = _phrase_starts(field, fieldname, words_b, reader, sorted(candidates))
    if reads is not None:
        # Merged, not replaced: the same phrase may be read again within other documents.
        reads.phrases.setdefault(query.with_boost(1.0), {}).update((docnum, len(found)) for docnum, found in starts.items())
    return set(starts)


def _indexed_pairs(query, searcher, reader):
    """The phrase's adjacent pairs of frequent words ("that that"), when this segment indexed
    such pairs (every document of it carries the marker term); [] otherwise."""
    pairs_field = word_pairs_field_name(query.fieldname)
    if pairs_field not in searcher.schema or reader.doc_frequency(pairs_field, PAIRS_PRESENT.encode()) != reader.doc_count_all():
        return []
    words = query.words
    return [f"{a} {b}" for a, b in zip(words, words[1:], strict=False) if a in PAIRED_WORDS and b in PAIRED_WORDS]


def _phrase_starts(field, fieldname, words_b, reader, docnums):
    """{docnum: positions where the phrase starts} for those of the sorted docnums that hold it.
    The documents holding every word are found first, the least frequent words first, with
    each word's encoded positions kept but not decoded: decoding is most of the cost, and two
    common words share far fewer documents than the rarer one has ("from into": 2,800 of
    18,000 at 1M quotes)."""
    encoded, held = [], docnums
    for i in sorted(range(len(words_b)), key=lambda i: reader.doc_frequency(fieldname, words_b[i])):
        values = dict(_postings_at(reader.postings(fieldname, words_b[i]), held, values=True))
        if not values:
            return {}
        if len(values) < len(held):
            held = list(values)  # in order: _postings_at yields the docnums as given
        encoded.append((i, values))
    decode = _positions_decoder(field.format)
    starts = {}
    for docnum in held:
        found = None
        for i, values in encoded:
            here = set(map((-i).__add__, decode(values[docnum])))
            found = here if found is None else found & here
            if not found:
                break
        if found:
            starts[docnum] = found
    return starts


def _positions_decoder(field_format):
    """The function reading a posting's positions: for Whoosh's Positions format, its own
    decoding (a pickled list of gaps after the count) with the sums done in C; a phrase of
    common words decodes tens of thousands of them."""
    if type(field_format) is not Positions:
        return field_format.decoder("positions")

    def decode(value):
        # Whoosh stores the pickle without its final STOP opcode.
        return accumulate(pickle.loads(value[_INT_SIZE:] if value.endswith(b".") else value[_INT_SIZE:] + b"."))

    return decode


def _phrase_counts(query, segment_searcher, reader, docnums):
    """{docnum: how often the phrase occurs} for the sorted docnums, all known to hold it."""
    field = segment_searcher.schema[query.fieldname]
    pairs = _indexed_pairs(query, segment_searcher, reader) if len(query.words) == 2 else []
    if pairs:  # a pair's weight is how often it occurs
        pair_b = pairs[0].encode("utf-8")
        return dict(_postings_at(reader.postings(word_pairs_field_name(query.fieldname), pair_b), docnums))
    words_b = [field.to_bytes(word) for word in query.words]
    return {docnum: len(found) for docnum, found in _phrase_starts(field, query.fieldname, words_b, reader, docnums).items()}


# Ranking the matched documents. Whoosh ranks with a collector walking the query's matcher: for
# a phrase, the intersection of its words, tens of thousands of documents for a phrase of common
# words with a few hundred hits. Here only the matched documents are scored, each term with the
# searcher's own scorer (BM25F, statistics of the whole index) on its postings for them.
#
# A phrase scores as a unit: its rarest word's score, with the phrase's occurrences in the quote
# as the frequency, once per word of the phrase (so a phrase weighs what its words would). A
# quote saying the phrase twice ranks above one saying it once, and a short quote above a long
# one, where Whoosh's sum of the separate words' scores would count those words anywhere.

# Every matched document is scored, however many match: each term's postings are read a block
# at a time (or, for a few documents among many postings, looked up), and a term's score is
# computed once per (frequency, length byte) pair, since BM25F depends on nothing else. A
# common word at a million quotes takes a fraction of Whoosh's walk, which scores document by
# document and reads each document's length from the file.


def _top_scored(query, by_segment, limit):
    """[(global docnum, score)], best first (ties in index order, as Whoosh gives them), for
    the documents known to match `query`: by_segment is [(segment searcher, offset, docnums,
    what _query_ids read (_SegmentReads), _SegmentArrays)]. None when the query has parts this
    does not score (Whoosh's walk ranks those)."""
    parts = _scored_parts(query)
    if parts is None:
        return None
    scored = []
    for segment_searcher, offset, ids, reads, arrays in by_segment:
        scores = _segment_scores(parts, segment_searcher, sorted(ids), reads, arrays)
        if scores is None:
            return None
        scored.append((offset, scores))
    if limit:
        # The page's lowest score first (a pass over the scores in C), then only the documents
        # reaching it are ordered.
        best = heapq.nlargest(limit, chain.from_iterable(scores.values() for _, scores in scored))
        cut = best[-1] if best else 0.0
        ranked = [(-score, offset + docnum) for offset, scores in scored for docnum, score in scores.items() if score >= cut]
    else:
        ranked = [(-score, offset + docnum) for offset, scores in scored for docnum, score in scores.items()]
    ranked.sort()
    return [(docnum, -negative) for negative, docnum in ranked[:limit]]


def _scored_parts(query, boost=1.0, parts=None):
    """{term, phrase or prefix: boost} of the parts whose scores make up a document's score
    for `query` (the scores of the matching parts are summed under And and Or, times the
    boosts above them; a negated part scores nothing; a prefix scores as the Or of the words
    it expands to, as Whoosh scores it in an index of more than 5,000 documents, where a
    smaller one gives all its matches the same score); None for any other kind of part."""
    parts = {} if parts is None else parts
    boost *= query.boost
    if isinstance(query, whoosh_query.Term | whoosh_query.Phrase | whoosh_query.Prefix):
        key = query.with_boost(1.0)
        parts[key] = parts.get(key, 0.0) + boost
    elif isinstance(query, whoosh_query.Or) and query.scale:
        return None
    elif isinstance(query, whoosh_query.And | whoosh_query.Or):
        for child in query.subqueries:
            if not isinstance(child, whoosh_query.Not) and _scored_parts(child, boost, parts) is None:
                return None
    elif isinstance(query, whoosh_query.AndNot):
        return _scored_parts(query.a, boost, parts)
    else:
        return None
    return parts


def _segment_scores(parts, segment_searcher, docnums, reads, arrays):
    """{docnum: score} for the sorted docnums of one segment."""
    reader, schema, weighting = segment_searcher.reader(), segment_searcher.schema, segment_searcher.weighting
    scores = dict.fromkeys(docnums, 0.0)
    for part, boost in parts.items():
        if part.fieldname not in schema:
            continue
        field = schema[part.fieldname]
        if isinstance(part, whoosh_query.Phrase):
            if part.slop != 1 or len(part.words) < 2:
                return None  # matched by Whoosh, so ranked by Whoosh
            words_b = [field.to_bytes(word) for word in part.words]
            if not docnums or any((part.fieldname, word) not in reader for word in words_b):
                continue
            rarest = min(words_b, key=lambda word: segment_searcher.get_parent().doc_frequency(part.fieldname, word))
            scorer = weighting.scorer(segment_searcher, part.fieldname, rarest)
            if not isinstance(scorer, WeightLengthScorer):
                return None
            found = reads.phrases[part].items() if part in reads.phrases else _phrase_counts(part, segment_searcher, reader, docnums).items()
            if not _add_scores(scores, found, len(words_b) * boost, scorer, arrays.field_lengths(reader, part.fieldname)):
                return None
            continue
        expanded = isinstance(part, whoosh_query.Prefix)  # words read from this segment's terms
        terms = _expanded_words(part, reader, reads) if expanded else [field.to_bytes(part.text)]
        for btext in terms:
            if not expanded and (part.fieldname, btext) not in reader:
                continue
            terminfo = reads.term_infos.get((part.fieldname, btext))
            scored_in = segment_searcher if terminfo is None else _KnownTermInfo(segment_searcher, terminfo)
            scorer = weighting.scorer(scored_in, part.fieldname, btext)
            read = reads.postings.get((part.fieldname, btext))  # by matching: no need to look it up again
            if read is None and len(docnums) * 8 < reader.doc_frequency(part.fieldname, btext):
                found = _postings_at(reader.postings(part.fieldname, btext), docnums)  # a few among many
            else:  # deleted documents among them are not in `scores`
                found_ids, found_weights, _ = read or _whole_postings(reads, reader, part.fieldname, btext)
                found = zip(found_ids, found_weights, strict=True)
            if not _add_scores(scores, found, boost, scorer, arrays.field_lengths(reader, part.fieldname)):
                return None
    return scores


def _add_scores(scores, found, boost, scorer, lengths):
    """Add boost × the scorer's score of each (docnum, weight) found to the documents' scores
    (those in `scores`); False for a scorer this cannot reproduce."""
    if isinstance(scorer, WeightLengthScorer):
        if lengths is None:  # no length column: Whoosh's default length for every document
            by_weight = _ScoreTable(lambda weight: scorer._score(weight, 1))
            for docnum, weight in found:
                if docnum in scores:
                    scores[docnum] += boost * by_weight[weight]
            return True
        by_length = _ScoreTable(lambda key: scorer._score(key[0], byte_to_length(key[1])))
        for docnum, weight in found:
            if docnum in scores:
                scores[docnum] += boost * by_length[weight, lengths[docnum]]
        return True
    if isinstance(scorer, WeightScorer):
        for docnum, weight in found:
            if docnum in scores:
                scores[docnum] += boost * weight
        return True
    return False


class _ScoreTable(dict):
    """A score computed the first time its key is asked for, then looked up."""

    def __init__(self, compute):
        super().__init__()
        self._compute = compute

    def __missing__(self, key):
        self[key] = value = self._compute(key)
        return value


# A posting block's header (a pickled tuple of six numbers) fits in this many bytes.
_BLOCK_HEADER_READ = 128


def _next_block(matcher):
    """Move a W3LeafMatcher to its next posting block, as its _next_block does, but reading
    the block's header with one read: Whoosh's pickle.load on the compound file makes some
    twenty small reads of it, the larger part of passing over a block not needed."""
    if matcher._lastblock:
        matcher._atend = True
        return
    position = matcher._nextoffset
    head = matcher._postfile.get(position, _INT_SIZE + _BLOCK_HEADER_READ)
    stream = io.BytesIO(head[_INT_SIZE:])
    try:
        blocklength, maxid, maxweight, compression, mnlen, mxlen = pickle.load(stream)
    except (EOFError, pickle.UnpicklingError, ValueError):
        matcher._goto(position)  # a header longer than expected: Whoosh's own way
        return
    length = unpack_int(head[:_INT_SIZE])[0]
    matcher._lastblock = length < 0
    matcher._nextoffset = position + _INT_SIZE + abs(length)
    matcher._dataoffset = position + _INT_SIZE + stream.tell()
    matcher._data = matcher._ids = matcher._weights = matcher._values = None
    matcher._i = 0
    matcher._blocklength, matcher._maxid, matcher._maxweight, matcher._compression = blocklength, maxid, maxweight, compression
    matcher._minlength, matcher._maxlength = byte_to_length(mnlen), byte_to_length(mxlen)


def _block_ids(matcher):
    """The document numbers of a W3LeafMatcher's current block. Whoosh's _read_ids decodes
    them through a generator, one Python step per id; accumulate does it in C."""
    if matcher._ids is None:
        if matcher._data is None:
            matcher._read_data()
        ids = matcher._data[0]
        matcher._ids = ids if matcher._byteids else tuple(accumulate(ids))
    return matcher._ids


def _postings_at(matcher, docnums, *, values=False):
    """(docnum, weight) -- or (docnum, encoded value) -- for each of the sorted docnums that a
    fresh matcher's postings hold. Posting blocks holding none of them are passed without
    decoding, and a block's own ids are searched by bisection (Whoosh's skip_to steps through
    them one by one)."""
    if isinstance(matcher, FilterMatcher) and matcher._exclude:
        matcher = matcher.child  # the docnums asked for are never deleted ones
    if not isinstance(matcher, W3LeafMatcher):
        for docnum in docnums:
            if not matcher.is_active():
                return
            if matcher.id() < docnum:
                matcher.skip_to(docnum)
            if matcher.is_active() and matcher.id() == docnum:
                yield docnum, matcher.value() if values else matcher.weight()
        return
    at, count = 0, len(docnums)
    while at < count and matcher.is_active():
        if matcher._maxid >= docnums[at]:
            ids = _block_ids(matcher)
            if values:
                if matcher._values is None:
                    matcher._read_values()
                found = matcher._values
            else:
                if matcher._weights is None:
                    matcher._read_weights()
                found = matcher._weights
            i = 0
            while at < count and docnums[at] <= matcher._maxid:
                docnum = docnums[at]
                i = bisect_left(ids, docnum, i)
                if i < len(ids) and ids[i] == docnum:
                    yield docnum, found[i]
                at += 1
        if matcher._lastblock:
            return
        _next_block(matcher)


def _scored_as_terms(query):
    """`query` with each phrase as the And of its words, to rank documents already known to
    match: Whoosh scores a phrase as the sum of its words' scores (the intersection inside its
    span matcher), so the order is the same, without checking positions a second time."""
    if isinstance(query, whoosh_query.Phrase):
        return whoosh_query.And([whoosh_query.Term(query.fieldname, word) for word in query.words], boost=query.boost)
    return query.apply(_scored_as_terms)


class Hit:
    """The stored fields of one document, as _result reads them."""

    def __init__(self, searcher, docnum):
        self._fields = searcher.stored_fields(docnum)

    def __getitem__(self, name):
        return self._fields[name]

    def fields(self):
        return self._fields


class ArchiveWhooshEngine(BaseEngine):
    backend = ArchiveWhooshSearchBackend
    query = WhooshSearchQuery

"""Searching the archive: the visitor's query language, made safe, run through haystack.

The query language: words, "exact phrases", AND / OR / NOT, -word, prefix*. A query is parsed
here into plain terms and rebuilt with haystack's SQ objects, so no engine syntax typed by a
visitor (field:value, brackets, wildcards in the middle, boosts) ever reaches the engine, and
whatever cannot be used is dropped with a short notice instead of an error.
"""

import re
import unicodedata
from dataclasses import dataclass, field

from haystack.inputs import Exact
from haystack.query import SQ, SearchQuerySet

from .models import Article, Quote, Source, Speaker, Topic

MAX_QUERY_CHARS = 300
MAX_TERMS = 12
MIN_PREFIX_CHARS = 3
RESULTS_PER_PAGE = 20
FACET_FIELDS = ("speaker", "topics", "source", "year")
# A common word at archive scale has quotes by most of the 2,000 speakers: the sidebar offers
# the largest values of each facet (the first few open, the rest behind "more"), and says how
# many others narrowing the search would bring into view.
FACET_VALUES_SHOWN = 30
SORTS = {"relevance": None, "newest": "-date", "oldest": "date"}

_token = re.compile(r'"[^"]*"?|\S+')
_word = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class Term:
    kind: str  # "word" | "phrase" | "prefix"
    value: str
    negated: bool = False

    def __str__(self):
        text = f'"{self.value}"' if self.kind == "phrase" else self.value + ("*" if self.kind == "prefix" else "")
        return ("-" if self.negated else "") + text


@dataclass
class ParsedQuery:
    """AND of OR-groups of terms, the notices for what was ignored, and the query as used."""

    groups: list = field(default_factory=list)
    notices: list = field(default_factory=list)

    @property
    def terms(self):
        return [term for group in self.groups for term in group]

    @property
    def positive_terms(self):
        return [term for term in self.terms if not term.negated]

    def __bool__(self):
        return bool(self.positive_terms)

    def __str__(self):
        return " ".join(" OR ".join(str(t) for t in group) for group in self.groups)


def clean_query_text(raw):
    """Remove control characters (NUL included) and fold the text to NFC."""
    text = unicodedata.normalize("NFC", raw or "")
    text = "".join(ch if unicodedata.category(ch)[0] != "C" else " " for ch in text)
    return text.replace("“", '"').replace("”", '"').replace("„", '"')


def parse_query(raw):
    """The visitor's query as terms, and notices for each part that was ignored."""
    parsed = ParsedQuery()
    notes = set()
    text = clean_query_text(raw)
    if len(text) > MAX_QUERY_CHARS:
        text = text[:MAX_QUERY_CHARS]
        notes.add(f"Only the first {MAX_QUERY_CHARS} characters of the query were used.")
    if text.count('"') % 2:
        notes.add("An unmatched quote mark was ignored.")

    pending_or = pending_not = False
    for token in _token.findall(text):
        if token in ("AND", "&&"):
            continue
        if token in ("OR", "||"):
            if parsed.groups and not pending_or:
                pending_or = True
            else:
                notes.add("An OR without a word on both sides was ignored.")
            continue
        if token == "NOT":
            pending_not = True
            continue
        for term in _terms_from_token(token, notes):
            negated = term.negated or pending_not
            term = Term(term.kind, term.value, negated)
            pending_not = False
            if len(parsed.terms) >= MAX_TERMS:
                notes.add(f"Only the first {MAX_TERMS} words were used.")
                break
            if pending_or and not negated and not any(t.negated for t in parsed.groups[-1]):
                parsed.groups[-1].append(term)
            else:
                parsed.groups.append([term])
            pending_or = False
    if pending_or:
        notes.add("An OR without a word on both sides was ignored.")
    if pending_not:
        notes.add("A NOT without a word after it was ignored.")
    if parsed.terms and not parsed.positive_terms:
        notes.add("A search needs at least one word that is not excluded; showing everything else instead.")
    parsed.notices = sorted(notes)
    return parsed


def _terms_from_token(token, notes):
    negated = False
    if token.startswith('"'):
        words = _word.findall(token)
        if len(words) > 1:
            return [Term("phrase", " ".join(w.lower() for w in words))]
        return [Term("word", w.lower()) for w in words]
    if token.startswith("-") and len(token) > 1:
        negated, token = True, token[1:]
    if any(ch in token for ch in ":()[]{}^~\\/<>=+!"):
        notes.add("Search syntax such as field:, brackets and symbols was treated as plain words.")
    prefix = token.endswith("*")
    words = _word.findall(token)
    if "*" in token.rstrip("*") or (prefix and not words):
        notes.add("A * is only used at the end of a word (coerc*).")
    if not words:
        return []
    terms = [Term("word", w.lower(), negated) for w in words]
    if prefix:
        last = words[-1].lower()
        if len(last) >= MIN_PREFIX_CHARS:
            terms[-1] = Term("prefix", last, negated)
        else:
            notes.add(f"A prefix needs at least {MIN_PREFIX_CHARS} letters before the *.")
    return terms


def term_sq(term):
    if term.kind == "phrase":
        sq = SQ(words=Exact(term.value))
    elif term.kind == "prefix":
        sq = SQ(words__startswith=term.value)
    else:
        sq = SQ(content=term.value)
    return ~sq if term.negated else sq


def query_sq(parsed):
    """The parsed query as one haystack SQ (AND of ORs), or None for "everything"."""
    combined = None
    for group in parsed.groups:
        group_sq = None
        for term in group:
            sq = term_sq(term)
            group_sq = sq if group_sq is None else group_sq | sq
        combined = group_sq if combined is None else combined & group_sq
    return combined if parsed.positive_terms else None


@dataclass
class Filters:
    speaker: Speaker | None = None
    topic: Topic | None = None
    source: Source | None = None
    date_from: object = None
    date_to: object = None
    kind: str = ""
    year: str = ""

    @property
    def active(self):
        return any([self.speaker, self.topic, self.source, self.date_from, self.date_to, self.kind, self.year])

    def apply_to(self, quotes):
        """The same filters on a Quote queryset (for lists that need no full-text match)."""
        if self.speaker:
            quotes = quotes.filter(speaker=self.speaker)
        if self.topic:
            quotes = quotes.filter(topics=self.topic)
        if self.source:
            quotes = quotes.filter(article__source=self.source)
        if self.kind:
            quotes = quotes.filter(kind=self.kind)
        if self.year:
            quotes = quotes.filter(article__published__year=int(self.year))
        if self.date_from:
            quotes = quotes.filter(article__published__gte=self.date_from.date())
        if self.date_to:
            quotes = quotes.filter(article__published__lte=self.date_to.date())
        return quotes


def quote_search(parsed, filters, *, sort="relevance", facets=True):
    """A haystack SearchQuerySet of public quotes for the parsed query and filters."""
    sqs = SearchQuerySet().models(Quote)
    condition = query_sq(parsed)
    if condition is not None:
        sqs = sqs.filter(condition)
    negatives = [term for term in parsed.terms if term.negated] if condition is None else []
    for term in negatives:
        sqs = sqs.exclude(term_sq(Term(term.kind, term.value)))
    if filters.speaker:
        sqs = sqs.filter(speaker_exact=Exact(filters.speaker.slug))
    if filters.topic:
        sqs = sqs.filter(topics_exact=Exact(filters.topic.slug))
    if filters.source:
        sqs = sqs.filter(source_exact=Exact(filters.source.slug))
    if filters.kind:
        sqs = sqs.filter(kind_exact=Exact(filters.kind))
    if filters.year:
        sqs = sqs.filter(year_exact=Exact(filters.year))
    if filters.date_from:
        sqs = sqs.filter(date__gte=filters.date_from)
    if filters.date_to:
        sqs = sqs.filter(date__lte=filters.date_to)
    for name in FACET_FIELDS if facets else ():
        sqs = sqs.facet(name)
    if SORTS.get(sort):
        sqs = sqs.order_by(SORTS[sort])
    return sqs


@dataclass
class SearchOutcome:
    total: int
    quotes: list
    facets: dict
    suggestion: str | None
    facets_not_shown: dict = field(default_factory=dict)


def collapse_statements(quotes):
    """Each statement once: [(quote, its other published reports)], in the given order. A
    later quote on the page reporting a statement already shown is folded into it."""
    from .statement_linking import reports_by_statement

    reports = reports_by_statement({q.statement_id for q in quotes if q.statement_id})
    shown, collapsed = set(), []
    for quote in quotes:
        if quote.statement_id in shown:
            continue
        if quote.statement_id:
            shown.add(quote.statement_id)
        others = [r for r in reports.get(quote.statement_id, []) if r.pk != quote.pk]
        collapsed.append((quote, others))
    return collapsed


def run_quote_search(parsed, filters, *, sort="relevance", page=1, per_page=RESULTS_PER_PAGE):
    """One page of public quotes with facet counts (one engine query), read from the
    database in one query; a "did you mean" when nothing matched."""
    sqs = quote_search(parsed, filters, sort=sort)
    start = (page - 1) * per_page
    hits = list(sqs[start : start + per_page])
    total = sqs.count()
    ids = [int(hit.pk) for hit in hits]
    found = Quote.objects.published().with_related().in_bulk(ids)
    quotes = [found[pk] for pk in ids if pk in found]
    values = facet_values(sqs.facet_counts().get("fields", {}))
    facets = named_facets(values)
    not_shown = {facet: max(0, len(values[facet]) - FACET_VALUES_SHOWN) for facet in FACET_FIELDS}
    suggestion = None
    if total == 0 and parsed:
        suggestion = spelling_suggestion(parsed, filters)
    return SearchOutcome(total=total, quotes=quotes, facets=facets, suggestion=suggestion, facets_not_shown=not_shown)


def spelling_suggestion(parsed, filters):
    """A better spelling from the archive's own words, offered only when it finds something.
    Asked of the query that found nothing (cheap to run again), and checked without facets."""
    words = " ".join(term.value for term in parsed.positive_terms)
    suggestion = quote_search(parsed, filters, facets=False).spelling_suggestion(words)
    if not suggestion or suggestion.lower() == words.lower():
        return None
    if not quote_search(parse_query(suggestion), filters, facets=False)[:1]:
        return None
    return suggestion


def facet_values(fields):
    """{facet: [(value, count)]} from the engine's counts: largest first (years: newest first),
    without empty values."""
    values = {facet: [(value, count) for value, count in fields.get(facet, []) if value and count] for facet in FACET_FIELDS}
    values["year"].sort(key=lambda item: item[0], reverse=True)
    return values


def named_facets(values, shown=FACET_VALUES_SHOWN):
    """The first `shown` values of each facet with display names: {facet: [(value, name, count)]}."""
    values = {facet: counts[:shown] for facet, counts in values.items()}
    names = {
        "speaker": dict(Speaker.objects.filter(slug__in=_values(values, "speaker")).values_list("slug", "name")),
        "topics": dict(Topic.objects.filter(slug__in=_values(values, "topics")).values_list("slug", "name")),
        "source": dict(Source.objects.filter(slug__in=_values(values, "source")).values_list("slug", "name")),
    }
    return {
        facet: [(value, value, count) for value, count in counts]
        if facet == "year"
        else [(value, names[facet][value], count) for value, count in counts if value in names[facet]]
        for facet, counts in values.items()
    }


def _values(values, name):
    return [value for value, _ in values[name]]


@dataclass
class ArticleSearch:
    """A page of published articles matching a query in their headline or text, best first."""

    parsed: ParsedQuery
    page: int
    total: int = 0
    articles: list = field(default_factory=list)

    @property
    def num_pages(self):
        return max(1, (self.total + RESULTS_PER_PAGE - 1) // RESULTS_PER_PAGE)


def article_search(params):
    """/search/articles/: its own page, because matching whole articles (phrases over every
    word of every article) costs as much as the quote search itself."""
    from .forms import SearchForm

    form = SearchForm(params)
    form.is_valid()
    parsed = parse_query(form.cleaned_data.get("q") or "")
    page = _page_number(params.get("page"))
    outcome = ArticleSearch(parsed=parsed, page=page)
    condition = query_sq(parsed)
    if condition is None:
        return outcome
    found = SearchQuerySet().models(Article).filter(condition)
    start = (page - 1) * RESULTS_PER_PAGE
    hits = list(found[start : start + RESULTS_PER_PAGE])
    outcome.total = found.count()
    if page > outcome.num_pages:
        raise PageNotFound
    ids = [int(hit.pk) for hit in hits]
    articles = Article.objects.published().select_related("source").in_bulk(ids)
    outcome.articles = [articles[pk] for pk in ids if pk in articles]
    return outcome


@dataclass
class SearchRequest:
    """A validated search from GET parameters: what to show, or why not."""

    form: object
    parsed: ParsedQuery
    filters: Filters
    sort: str
    page: int
    outcome: SearchOutcome | None = None

    @property
    def is_empty(self):
        return not self.parsed.terms and not self.filters.active

    @property
    def num_pages(self):
        if not self.outcome or not self.outcome.total:
            return 1
        return (self.outcome.total + RESULTS_PER_PAGE - 1) // RESULTS_PER_PAGE


class PageNotFound(Exception):
    """The page number is not a number, or lies past the last page."""


def _page_number(value):
    try:
        page = int(value or "1")
    except ValueError:
        raise PageNotFound from None
    if page < 1:
        raise PageNotFound
    return page


def search_from_params(params, *, fixed=None):
    """Validate GET parameters and run the search. `fixed` sets filters a page imposes (a
    speaker's page searches within the speaker). Raises PageNotFound for a bad page number."""
    from .forms import SearchForm

    data = params.copy()
    for name, value in (fixed or {}).items():
        data[name] = value
    form = SearchForm(data)
    form.is_valid()
    cleaned = getattr(form, "cleaned_data", {})
    parsed = parse_query(cleaned.get("q", ""))
    filters = Filters(
        speaker=cleaned.get("speaker"),
        topic=cleaned.get("topic"),
        source=cleaned.get("source"),
        date_from=SearchForm.as_datetime(cleaned.get("date_from")),
        date_to=SearchForm.as_datetime(cleaned.get("date_to")),
        kind=cleaned.get("kind") or "",
        year=cleaned.get("year") or "",
    )
    page = _page_number(params.get("page"))
    request = SearchRequest(form=form, parsed=parsed, filters=filters, sort=cleaned.get("sort") or "relevance", page=page)
    if form.errors or request.is_empty:
        if page != 1:
            raise PageNotFound
        return request
    request.outcome = run_quote_search(parsed, filters, sort=request.sort, page=page)
    if page > request.num_pages:
        raise PageNotFound
    return request

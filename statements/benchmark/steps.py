"""The benchmark's steps, each run in its own process whose settings point at the benchmark's
data directory (never var/ or the development database). Each step returns a dict of
measurements; `statements.benchmark.run` starts the processes and gathers what they return.
"""

import random
import resource
import statistics
import time
from itertools import islice

from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import Max
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils.text import slugify

from ..indexing import index_merge, index_queue_apply
from ..models import Article, Quote, QuoteTopic, Source, Speaker, SpeakerAlias, Statement, Topic
from ..sanitizing import text_to_html
from ..services import content_hash_for
from .corpus import ArchiveShape

CHUNK = 500  # articles per bulk insert


def peak_rss_mb():
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def percentiles(samples_ms):
    ordered = sorted(samples_ms)

    def at(fraction):
        if not ordered:
            return 0.0
        return round(ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))], 2)

    return {"p50_ms": at(0.50), "p95_ms": at(0.95), "p99_ms": at(0.99)}


# --- generate: bulk rows, offsets valid into the article text ------------------------------


def step_generate(*, articles, seed, **_):
    call_command("migrate", verbosity=0, interactive=False)
    call_command("collectstatic", verbosity=0, interactive=False)
    started = time.perf_counter()
    shape = ArchiveShape(seed)
    sources = Source.objects.bulk_create(
        [Source(name=name, slug=slugify(name)) for name in shape.outlets]
    )
    topics = Topic.objects.bulk_create([Topic(name=name, slug=slugify(name)) for name in shape.topics])
    speakers = Speaker.objects.bulk_create(
        [Speaker(name=s["name"], slug=slugify(s["name"]), role=s["role"]) for s in shape.speakers]
    )
    SpeakerAlias.objects.bulk_create(
        [SpeakerAlias(speaker=speakers[i], text=s["alias"]) for i, s in enumerate(shape.speakers) if s["alias"]]
    )
    article_topic = Article.topics.through
    statements_made = set()
    article_id = quote_id = 0
    generated = shape.articles(articles)
    totals = {"articles": 0, "quotes": 0, "statements": 0}
    while True:
        chunk = list(islice(generated, CHUNK))
        if not chunk:
            break
        article_rows, quote_rows, article_topic_rows, quote_topic_rows, statement_rows = [], [], [], [], []
        for item in chunk:
            article_id += 1
            article_rows.append(
                Article(
                    id=article_id,
                    title=item.title,
                    slug=f"{slugify(item.title)[:80].strip('-')}-{article_id}",
                    body=text_to_html(item.text),
                    text=item.text,
                    source_id=sources[item.source].pk,
                    url=f"https://news.example/{article_id}",
                    published=item.published,
                    content_hash=content_hash_for(item.text),
                    status=item.status,
                )
            )
            article_topic_rows += [article_topic(article_id=article_id, topic_id=topics[t].pk) for t in item.topics]
            for quote in item.quotes:
                quote_id += 1
                if quote.statement is not None and quote.statement not in statements_made:
                    statements_made.add(quote.statement)
                    statement_rows.append(
                        Statement(id=quote.statement, canonical_text=quote.text, first_reported=item.published)
                    )
                quote_rows.append(
                    Quote(
                        id=quote_id,
                        article_id=article_id,
                        speaker_id=speakers[quote.speaker].pk,
                        text=quote.text,
                        start=quote.start,
                        end=quote.end,
                        kind=quote.kind,
                        status=quote.status,
                        statement_id=quote.statement,
                    )
                )
                quote_topic_rows += [
                    QuoteTopic(quote_id=quote_id, topic_id=topics[t].pk, published=item.published) for t in quote.topics
                ]
        with transaction.atomic():
            Statement.objects.bulk_create(statement_rows, batch_size=1000)
            Article.objects.bulk_create(article_rows, batch_size=200)
            article_topic.objects.bulk_create(article_topic_rows, batch_size=2000)
            Quote.objects.bulk_create(quote_rows, batch_size=1000)
            QuoteTopic.objects.bulk_create(quote_topic_rows, batch_size=2000)
        totals["articles"] += len(article_rows)
        totals["quotes"] += len(quote_rows)
        totals["statements"] += len(statement_rows)
    call_command("recount_quotes", verbosity=0)  # bulk rows bypassed the index queue
    seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {
        "generate": {**totals, "seconds": round(seconds, 1)},
        "articles": Article.objects.published().count(),
        "quotes": Quote.objects.published().count(),
        "peak_rss_mb": {"generate": peak_rss_mb()},
    }


# --- import: the real service, article by article ------------------------------------------


def step_import(*, sample, seed, label="import", **_):
    """Import `sample` new articles as `import_articles` does (`importing.import_records`:
    extraction in worker processes, a batch per transaction, the index queue applied as
    settings say)."""
    from ..importing import ArticleRecord, import_records
    from ..models import IndexQueueEntry

    # New articles every run (a re-run over a kept archive must not find them imported).
    shape = ArchiveShape(seed * 7919 + Article.objects.count())
    records = [
        (
            "bench",
            ArticleRecord(
                origin=f"article {number}",
                title=item.title,
                content=item.text,
                content_format="text",
                source=shape.outlets[item.source],
                published=item.published,
                topics=[shape.topics[t] for t in item.topics],
            ),
        )
        for number, item in enumerate(shape.articles(sample), start=1)
    ]
    failures = []
    started = time.perf_counter()
    summary = import_records(records, status=Article.Status.PUBLISHED, on_failure=failures.append)
    seconds = time.perf_counter() - started
    if failures:
        raise RuntimeError(f"{len(failures)} bench articles failed to import, the first: {failures[0]}")
    created = summary.imported
    result = {"articles": created, "seconds": round(seconds, 3), "articles_per_s": round(created / seconds, 1)}
    queued = IndexQueueEntry.objects.count()
    if queued:
        started = time.perf_counter()
        index_queue_apply()
        result["queue_apply_seconds"] = round(time.perf_counter() - started, 3)
        result["queued_entries"] = queued
    # Commits merge no segments: the queue worker merges them beside the writers afterwards.
    started = time.perf_counter()
    result["segments_merged"] = index_merge()
    result["merge_seconds"] = round(time.perf_counter() - started, 3)
    return {label: result, "peak_rss_mb": {label: peak_rss_mb()}}


# --- index: a fresh build through the backend's bulk path -----------------------------------


def step_index(*, procs=None, **_):
    """A full rebuild, as `manage.py rebuild_index` does it."""
    from ..indexing import index_rebuild

    figures = index_rebuild(procs=procs)
    result = {label.split(".")[-1]: figure for label, figure in figures.items()}
    peaks = {"index": peak_rss_mb()}
    writers = round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1)
    if writers:  # the rebuild forked writer processes (more than one part of rows)
        peaks["index_writer_process"] = writers
    return {"index": result, "peak_rss_mb": peaks}


# --- search and pages: through the view, and raw Whoosh on the same queries ----------------

KINDS = (
    "common_term",
    "rare_term",
    "two_term_and",
    "phrase",
    "or",
    "prefix",
    "term_speaker",
    "term_date_range",
    "sort_newest",
)


def pick_queries(searcher, *, variants, rng):
    """Query parameters per kind, with words chosen from the index by document frequency."""
    from whoosh.analysis import STOP_WORDS

    docs = max(1, searcher.doc_count())
    common, middle, rare = [], [], []
    for text, info in searcher.reader().iter_field("words"):
        word = text.decode("utf-8") if isinstance(text, bytes) else text
        if not word.isalpha() or word in STOP_WORDS or len(word) < 4:
            continue
        frequency = info.doc_frequency()
        if frequency >= docs * 0.01:
            common.append(word)
        elif frequency >= docs * 0.002:
            middle.append(word)
        elif 2 <= frequency <= 20 and len(word) >= 6:
            rare.append(word)
    common = common or middle or rare
    middle = middle or common
    rare = rare or middle

    def some(words, n=variants):
        return [rng.choice(words) for _ in range(n)]

    phrases = []
    last = generated_quotes_end()
    quotes = list(Quote.objects.published().filter(pk__in=[rng.randint(1, last) for _ in range(200)]))
    rng.shuffle(quotes)
    for quote in quotes:
        words = [w.lower() for w in quote.text.replace(",", " ").split()]
        pairs = [
            f"{a} {b}" for a, b in zip(words, words[1:], strict=False) if len(a) > 3 and len(b) > 3 and a.isalpha() and b.isalpha()
        ]
        if pairs:
            phrases.append(rng.choice(pairs))
        if len(phrases) >= variants:
            break
    phrases = phrases or some(middle)
    speakers = list(Speaker.objects.filter(pk__in=[1, 2, 3, 5, 8, 13, 30, 100, 300, 1000]).values_list("slug", flat=True))
    queries = {
        "common_term": [{"q": w} for w in some(common)],
        "rare_term": [{"q": w} for w in some(rare)],
        "two_term_and": [{"q": f"{a} {b}"} for a, b in zip(some(common), some(middle), strict=True)],
        "phrase": [{"q": f'"{p}"'} for p in (phrases * variants)[:variants]],
        "or": [{"q": f"{a} OR {b} OR {c}"} for a, b, c in zip(some(middle), some(middle), some(common), strict=True)],
        "prefix": [{"q": w[:4] + "*"} for w in some(common + middle)],
        "term_speaker": [{"q": w, "speaker": rng.choice(speakers)} for w in some(common)] if speakers else [],
        "term_date_range": [],
        "sort_newest": [{"q": w, "sort": "newest"} for w in some(common)],
    }
    for word in some(common):
        first = rng.randint(2000, 2022)
        last = first + rng.randint(0, 4)
        queries["term_date_range"].append({"q": word, "date_from": f"{first}-01-01", "date_to": f"{last}-12-31"})
    return queries


def generated_quotes_end():
    """The highest id among the generated archive's quotes. The import step's articles (they
    have no url) and their quotes come after, so phrases drawn below this id are the same
    however many imports a kept archive has had."""
    last_article = Article.objects.filter(url__isnull=False).aggregate(last=Max("pk"))["last"]
    last_quote = None
    if last_article is not None:
        # The generator writes each article's quotes after those of the articles before it.
        window = Quote.objects.filter(article_id__gt=last_article - 100, article_id__lte=last_article)
        last_quote = window.aggregate(last=Max("pk"))["last"]
    return last_quote or max(1, Quote.objects.count())


def raw_whoosh_search(backend, params, *, facets=True):
    """The query the view runs, straight against Whoosh: one page of 20 hits with their stored
    fields, the exact total and (`facets`) Whoosh's own grouping on the facet fields."""
    from haystack import connections
    from whoosh import sorting

    from ..forms import SearchForm
    from ..search import FACET_FIELDS, RESULTS_PER_PAGE, Filters, parse_query, quote_search

    form = SearchForm(params)
    form.is_valid()
    cleaned = form.cleaned_data
    filters = Filters(
        speaker=cleaned.get("speaker"),
        date_from=SearchForm.as_datetime(cleaned.get("date_from")),
        date_to=SearchForm.as_datetime(cleaned.get("date_to")),
    )
    sqs = quote_search(parse_query(cleaned.get("q", "")), filters, sort=cleaned.get("sort") or "relevance")
    query = sqs.query
    whoosh_q = backend.whoosh_query(query.build_query(), models=query.models, narrow_queries=query.narrow_queries)
    kwargs = {"limit": RESULTS_PER_PAGE}
    if query.order_by:
        kwargs["sortedby"] = backend._sort_facet(query.order_by)
    unified = connections["default"].get_unified_index()
    facet_fields = [unified.get_facet_fieldname(name) for name in FACET_FIELDS]
    if facets:
        kwargs["groupedby"] = {
            name: sorting.FieldFacet(name, allow_overlap=backend._is_multivalued(name), maptype=sorting.Count)
            for name in facet_fields
        }
    searcher = backend.searcher()

    def run():
        results = searcher.search(whoosh_q, **kwargs)
        total = len(results) if facets else None
        stored = [hit.fields() for hit in results]
        if facets:
            for name in facet_fields:
                results.groups(name)
        return total, stored

    return run


def timed(function, repeats):
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        function()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def step_measure(*, seed, variants, repeats, page_samples, skip_search=False, skip_raw=False, skip_pages=False, **_):
    from urllib.parse import urlencode

    from haystack import connections

    rng = random.Random(seed)
    client = Client(HTTP_HOST="127.0.0.1")
    backend = connections["default"].get_backend()
    result = {"search": {}, "pages": {}, "urls": {"search": [], "pages": []}, "queries": {}}
    started = time.perf_counter()
    searcher = backend.searcher()
    result["searcher_open_ms"] = round((time.perf_counter() - started) * 1000, 1)
    queries = pick_queries(searcher, variants=variants, rng=rng)
    result["queries"] = {kind: [urlencode(p) for p in params] for kind, params in queries.items()}

    def get(url):
        response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")
        return response

    if not skip_search:
        started = time.perf_counter()
        get("/search/?q=first+visitor")
        result["first_search_ms"] = round((time.perf_counter() - started) * 1000, 1)
        for kind in KINDS:
            view_ms, raw_ms, bare_ms, totals = [], [], [], []
            for params in queries[kind]:
                url = "/search/?" + urlencode(params)
                result["urls"]["search"].append(url)
                for _ in range(repeats):
                    started = time.perf_counter()
                    get(url)
                    view_ms.append((time.perf_counter() - started) * 1000)
                if skip_raw:
                    continue
                raw = raw_whoosh_search(backend, params)
                totals.append(raw()[0])
                raw_ms += timed(raw, repeats)
                bare_ms += timed(raw_whoosh_search(backend, params, facets=False), repeats)
            result["search"][kind] = percentiles(view_ms)
            if not skip_raw:
                raw = percentiles(raw_ms)
                result["search"][kind].update({
                    "raw_whoosh_p50_ms": raw["p50_ms"],
                    "raw_whoosh_p95_ms": raw["p95_ms"],
                    "raw_whoosh_no_facets_p95_ms": percentiles(bare_ms)["p95_ms"],
                    "median_hits": statistics.median(totals) if totals else 0,
                })
    if not skip_pages:
        quote_count = Quote.objects.count()
        article_ids = list(Article.objects.published().filter(pk__in=[rng.randint(1, max(1, Article.objects.count())) for _ in range(page_samples * 2)]).values_list("slug", flat=True))
        quote_ids = list(Quote.objects.published().filter(pk__in=[rng.randint(1, max(1, quote_count)) for _ in range(page_samples * 2)]).values_list("pk", flat=True))
        speaker_slugs = list(Speaker.objects.values_list("slug", flat=True)[:50]) + list(Speaker.objects.order_by("?").values_list("slug", flat=True)[:50])
        topic_slugs = list(Topic.objects.values_list("slug", flat=True))
        pages = {
            "home": ["/"],
            "speaker": [f"/speakers/{slug}/" for slug in speaker_slugs],
            "topic": [f"/topics/{slug}/" for slug in topic_slugs],
            "article": [f"/articles/{slug}/" for slug in article_ids],
            "quote": [f"/quotes/{pk}/" for pk in quote_ids],
        }
        for name, urls in pages.items():
            if not urls:
                continue
            # One request first, not counted: the process compiles the page's templates once.
            get(urls[-1])
            samples, most_queries = [], 0
            for i in range(page_samples):
                url = urls[i % len(urls)] if name != "speaker" else rng.choice(urls)
                with CaptureQueriesContext(connection) as captured:
                    started = time.perf_counter()
                    get(url)
                    samples.append((time.perf_counter() - started) * 1000)
                most_queries = max(most_queries, len(captured.captured_queries))
            figures = percentiles(samples)
            result["pages"][name] = {"p50_ms": figures["p50_ms"], "p95_ms": figures["p95_ms"], "max_sql_queries": most_queries}
            result["urls"]["pages"] += urls[:page_samples]
    result["peak_rss_mb"] = {"measure": peak_rss_mb()}
    return result


STEPS = {"generate": step_generate, "import": step_import, "index": step_index, "measure": step_measure}


def step_count(**_):
    return {"articles": Article.objects.published().count(), "quotes": Quote.objects.published().count()}


STEPS["count"] = step_count

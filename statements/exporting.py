"""Exporting a search's quotes as CSV or JSON, streamed: rows are read from the engine and the
database in chunks and written as they come, so a large export never sits in memory."""

import csv
import json

from .models import Quote
from .search import quote_search

EXPORT_MAX_ROWS = 200_000
CHUNK = 2000
COLUMNS = [
    "id", "text", "speaker", "speaker_slug", "kind", "article_title", "source", "published",
    "original_url", "quote_url", "statement",
]  # fmt: skip
# A cell starting with one of these is read as a formula by spreadsheet programs.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value):
    """Text a spreadsheet shows as text: a leading formula character is escaped with '."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def exported_quotes(found):
    """The quotes of a search in its order: from the engine when there are words to match,
    else from the database with the same filters."""
    if found.parsed:
        for start in range(0, EXPORT_MAX_ROWS, CHUNK):
            hits = list(quote_search(found.parsed, found.filters, sort=found.sort, facets=False)[start : start + CHUNK])
            ids = [int(hit.pk) for hit in hits]
            quotes = Quote.objects.published().with_related().in_bulk(ids)
            yield from (quotes[pk] for pk in ids if pk in quotes)
            if len(hits) < CHUNK:
                return
    else:
        quotes = found.filters.apply_to(Quote.objects.published().with_related())
        order = ("article__published", "pk") if found.sort == "oldest" else ("-article__published", "-pk")
        yield from quotes.order_by(*order)[:EXPORT_MAX_ROWS].iterator(chunk_size=CHUNK)


def quote_row(quote, absolute):
    article = quote.article
    return {
        "id": quote.pk,
        "text": quote.text,
        "speaker": quote.speaker.name,
        "speaker_slug": quote.speaker.slug,
        "kind": quote.kind,
        "article_title": article.title,
        "source": article.source.name if article.source_id else "",
        "published": article.published.isoformat() if article.published else "",
        "original_url": article.url or "",
        "quote_url": absolute(quote.get_absolute_url()),
        "statement": quote.statement_id or "",
    }


class _Line:
    def write(self, value):
        return value


def csv_lines(rows):
    """UTF-8 CSV with a byte-order mark (so spreadsheet programs read the accents right), every
    text cell neutralized against formula injection."""
    writer = csv.writer(_Line())
    yield "\ufeff" + writer.writerow(COLUMNS)
    for row in rows:
        yield writer.writerow([spreadsheet_safe(row[column]) for column in COLUMNS])


def json_lines(rows):
    yield "["
    for number, row in enumerate(rows):
        yield ("," if number else "") + "\n" + json.dumps(row, ensure_ascii=False)
    yield "\n]\n"

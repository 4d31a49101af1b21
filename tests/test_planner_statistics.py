"""The planner's statistics after an import, and what they buy: a speaker's page finds its
quotes from indexes alone, without reading any article's row (its text included)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from statements.models import Article, MonthlyQuoteCount, Quote
from statements.planner_statistics import planner_statistics_refresh
from tests.factories import make_article, make_quote, make_speaker
from tests.test_import import run_import, write

pytestmark = pytest.mark.django_db


def sqlite_stats_rows():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")
        if cursor.fetchone() is None:
            return 0
        cursor.execute("SELECT count(*) FROM sqlite_stat1")
        return cursor.fetchone()[0]


def test_an_import_leaves_statistics_and_refreshes_them_only_when_the_archive_has_grown(tmp_path):
    for n in range(4):
        write(tmp_path / f"{n}.txt", f"Talks, day {n}\n\n“We talked for {n} hours,” Minister Holm said.")
    run_import(tmp_path, publish=True)
    if connection.vendor != "sqlite":  # PostgreSQL's autovacuum keeps its own
        assert planner_statistics_refresh() is False
        return
    assert sqlite_stats_rows() > 0
    assert planner_statistics_refresh() is False  # same size as when they were taken
    for n in range(4):
        make_article(f"More words, day {n}.", title=f"More {n}")
    assert planner_statistics_refresh() is True  # twice the articles
    assert planner_statistics_refresh() is False


def test_a_speakers_page_finds_its_quotes_from_indexes_without_reading_article_or_quote_rows():
    speaker = make_speaker("Ana Holm")
    for day in range(1, 6):
        article = make_article(f"Day {day}: “We will meet again,” Holm said.", title=f"Day {day}", published=datetime.date(2024, 5, day))
        make_quote(article, "We will meet again", speaker=speaker)
    planner_statistics_refresh(force=True)
    quotes = Quote.objects.published().with_related().by_speaker(speaker)
    monthly_counts = MonthlyQuoteCount.objects.newest_first(speaker=speaker)
    with CaptureQueriesContext(connection) as captured:
        page = quotes.newest_first_slice(0, 3, monthly_counts=monthly_counts)
    assert [quote.article.published.day for quote in page] == [5, 4, 3]
    finding, fetching = (query["sql"] for query in captured.captured_queries)
    assert "LIMIT 3" in finding and Article._meta.db_table in finding
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + finding)
        steps = [row[-1] for row in cursor.fetchall()]
    reads = [step for step in steps if step.startswith(("SCAN", "SEARCH"))]
    assert len(reads) == 2, steps
    assert all("USING COVERING INDEX" in step for step in reads), steps


def test_a_list_of_quotes_reads_its_articles_without_their_text_which_sqlite_stores_last():
    speaker = make_speaker("Ana Holm")
    article = make_article("Day 1: “We will meet again,” Holm said.", title="Day 1", published=datetime.date(2024, 5, 1))
    make_quote(article, "We will meet again", speaker=speaker)
    with CaptureQueriesContext(connection) as captured:
        listed = list(Quote.objects.published().with_related().by_speaker(speaker))
    assert [quote.article.title for quote in listed] == ["Day 1"]
    (fetching,) = (query["sql"] for query in captured.captured_queries)
    for column in ("body", "text"):
        assert f'"{Article._meta.db_table}"."{column}"' not in fetching
    # Asked for (a quote's own page shows the sentences around it), the text comes in the same query.
    with CaptureQueriesContext(connection) as captured:
        (quote,) = Quote.objects.published().with_related(article_text=True).by_speaker(speaker)
        assert quote.context() == ("Day 1: “", "We will meet again", ",” Holm said.")
    assert len(captured.captured_queries) == 1
    if connection.vendor != "sqlite":  # PostgreSQL keeps long values out of the row (TOAST)
        return
    with connection.cursor() as cursor:
        columns = [column.name for column in connection.introspection.get_table_description(cursor, Article._meta.db_table)]
    # A row continues on overflow pages past about 4 KB: the columns a list reads come first.
    assert columns[-2:] == ["body", "text"]

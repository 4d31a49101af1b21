"""The query planner's statistics, refreshed after bulk writes.

SQLite plans with no statistics until ANALYZE has run, and without them it reads each quote's
article row (its text included) to check the article's status and date, instead of the
covering index made for that (`article_status_date`): a speaker's page then costs a random
read per quote on a cold cache. PostgreSQL's autovacuum keeps its own statistics.
"""

from django.db import connection

from .models import Article

# ANALYZE again when the archive has grown or shrunk by this factor since the last run.
GROWTH_FACTOR = 1.25


def planner_statistics_refresh(*, force=False):
    """Run ANALYZE on SQLite when there are no statistics yet, or the articles table's size has
    moved by GROWTH_FACTOR since they were taken (a full ANALYZE of a million quotes takes a few
    seconds, so not after every small import). Returns whether it ran."""
    if connection.vendor != "sqlite":
        return False
    analyzed_rows = None if force else _analyzed_rows(Article._meta.db_table)
    if analyzed_rows is not None:
        rows = Article.objects.count()
        if analyzed_rows / GROWTH_FACTOR <= rows <= analyzed_rows * GROWTH_FACTOR:
            return False
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return True


def _analyzed_rows(table):
    """The row count the last ANALYZE saw for `table`, or None."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_stat1'")
        if cursor.fetchone() is None:
            return None
        cursor.execute("SELECT stat FROM sqlite_stat1 WHERE tbl = %s AND idx IS NOT NULL LIMIT 1", [table])
        row = cursor.fetchone()
    return int(row[0].split()[0]) if row else None

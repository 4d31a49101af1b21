"""One statement, many reports: the database side of statements.linking.

Each quote's blocking keys are stored in QuoteKey beside its speaker and date, so the reports a
new quote may repeat are found by one indexed lookup (same key, same speaker, a date window):
linking an article costs the same in an archive of a thousand quotes as in one of millions.
The pure core verifies and groups the candidates. Editors' decisions are kept: a quote an
editor placed in a statement is pinned there, and a split pair is never linked again.
"""

import datetime
from collections import defaultdict
from operator import itemgetter
from typing import NamedTuple

from django.db import connection, transaction
from django.db.models import Min

from . import linking
from .models import Quote, QuoteKey, Statement, StatementSplit

WINDOW_DAYS = linking.DEFAULT_WINDOW_DAYS


def linkable_quotes():
    """Quotes that take part in linking: all but the rejected ones."""
    return Quote.objects.exclude(status=Quote.Status.REJECTED)


#: Looked-up keys per query (up to four parameters each), well under every database's limit.
KEYS_PER_QUERY = 1000


def quote_keys_refresh(quotes):
    """(Re)write the blocking keys of these quotes."""
    quotes = list(quotes)
    QuoteKey.objects.filter(quote__in=quotes).delete()
    # About eight rows per quote, eighty per article: one executemany instead of bulk_create,
    # which builds and prepares a model instance per row (three times slower when importing).
    date_field = QuoteKey._meta.get_field("date")
    rows = []
    for quote in quotes:
        date = date_field.get_db_prep_save(quote.article.published, connection)
        rows += [(quote.pk, key, quote.speaker_id, date) for key in linking.blocking_keys(quote.text)]
    # In key order: the lookup index's pages are then written one after another rather than
    # at random places of a table that holds about eight rows for every quote of the archive.
    rows.sort(key=itemgetter(1))
    columns = ", ".join(connection.ops.quote_name(QuoteKey._meta.get_field(name).column) for name in ("quote", "key", "speaker", "date"))
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {connection.ops.quote_name(QuoteKey._meta.db_table)} ({columns}) VALUES (%s, %s, %s, %s)", rows)


class ArchivedReport(NamedTuple):
    """What linking reads of a quote already in the archive (a few thousand per imported
    batch, where model instances cost a tenth of the import's time)."""

    pk: int
    text: str
    speaker_id: int | None
    kind: str
    published: datetime.date | None
    statement_id: int | None

    def candidate(self):
        return linking.LinkCandidate(
            id=self.pk, text=self.text, speaker_id=self.speaker_id, date=self.published, kind=_link_kind(self.kind)
        )


def candidates_for(quotes):
    """Quotes already in the archive that share a blocking key, speaker and date window with
    any of `quotes`, as ArchivedReports. Each dated quote's keys are looked up with its own
    window, all of them in a few queries (each key, speaker and window a row joined to the
    QuoteKey index), so a batch of articles spread over years costs no more than one from a
    single day."""
    own = {quote.pk for quote in quotes}
    windows, undated_keys = set(), set()
    for quote in quotes:
        day = quote.article.published
        for key in linking.blocking_keys(quote.text):
            if day is None:  # an undated quote may repeat a report of any date
                undated_keys.add((key, quote.speaker_id))
            else:
                windows.add((key, quote.speaker_id, *linking.window_bounds(day, WINDOW_DAYS)))
    found = sorted((_quotes_within_windows(sorted(windows)) | _quotes_with_keys(undated_keys)) - own)
    reports = []
    for start in range(0, len(found), KEYS_PER_QUERY):
        rows = linkable_quotes().filter(pk__in=found[start : start + KEYS_PER_QUERY]).order_by("pk")
        reports += map(ArchivedReport._make, rows.values_list("pk", "text", "speaker_id", "kind", "article__published", "statement_id"))
    return reports


def _quotes_within_windows(windows):
    """Ids of the quotes holding a (key, speaker id, first day, last day) row's key, with its
    speaker, dated within its days."""
    quote_name = connection.ops.quote_name
    key_table = quote_name(QuoteKey._meta.db_table)
    column = {name: quote_name(QuoteKey._meta.get_field(name).column) for name in ("quote", "key", "speaker", "date")}
    adapt = connection.ops.adapt_datefield_value  # once: `connection` is a proxy, each attribute a lookup
    found = set()
    for start in range(0, len(windows), KEYS_PER_QUERY):
        rows = windows[start : start + KEYS_PER_QUERY]
        params = [value for key, speaker_id, first, last in rows for value in (key, speaker_id, adapt(first), adapt(last))]
        values = ", ".join(["(%s, %s, %s, %s)"] * len(rows))
        with connection.cursor() as cursor:
            cursor.execute(
                f"WITH wanted (key_hash, speaker_ref, first_day, last_day) AS (VALUES {values}) "
                f"SELECT DISTINCT k.{column['quote']} FROM wanted JOIN {key_table} k "
                f"ON k.{column['key']} = wanted.key_hash AND k.{column['speaker']} = wanted.speaker_ref "
                f"AND k.{column['date']} BETWEEN wanted.first_day AND wanted.last_day",
                params,
            )
            found.update(quote_id for (quote_id,) in cursor.fetchall())
    return found


def _quotes_with_keys(pairs):
    """Ids of the quotes holding one of the (key, speaker id) pairs, whatever their date."""
    found = set()
    pairs = sorted(pairs)
    for start in range(0, len(pairs), KEYS_PER_QUERY):
        chunk = pairs[start : start + KEYS_PER_QUERY]
        rows = QuoteKey.objects.filter(key__in={key for key, _ in chunk}, speaker_id__in={speaker for _, speaker in chunk})
        wanted = set(chunk)
        found.update(quote_id for quote_id, key, speaker_id in rows.values_list("quote_id", "key", "speaker_id") if (key, speaker_id) in wanted)
    return found


def _link_kind(kind):
    return "fragment" if kind == Quote.Kind.FRAGMENT else "full"


def _candidate(quote):
    return linking.LinkCandidate(
        id=quote.pk, text=quote.text, speaker_id=quote.speaker_id, date=quote.article.published, kind=_link_kind(quote.kind)
    )


@transaction.atomic
def quotes_link(*, quotes):
    """Link `quotes` (new or changed) to the reports of the same statements; the statements
    created or changed. Other quotes already in a statement stay there (re-linking everything
    resets that first: see statements_relink); `quotes` themselves may move. Rejected ones
    leave linking (_rejected_unlinked)."""
    left = _rejected_unlinked([q for q in quotes if q.status == Quote.Status.REJECTED])
    quotes = [q for q in quotes if q.status != Quote.Status.REJECTED]
    if not quotes:
        statements_refresh(left)
        return left
    quote_keys_refresh(quotes)
    others = candidates_for(quotes)
    candidates = [_candidate(q) for q in quotes] + [report.candidate() for report in others]
    statement_of = {q.pk: q.statement_id for q in quotes} | {report.pk: report.statement_id for report in others}
    moving = {q.pk for q in quotes if not q.statement_pinned}
    pinned = {pk: statement_id for pk, statement_id in statement_of.items() if statement_id and pk not in moving}
    groups = linking.group(candidates, window_days=WINDOW_DAYS, forbidden_pairs=_splits_among(statement_of), pinned=pinned)
    text_of = {candidate.id: candidate.text for candidate in candidates}
    held_elsewhere = set(pinned.values())
    touched, moves = set(), {}
    for member_ids in groups:
        statement_id = _statement_for(member_ids, statement_of, pinned, held_elsewhere, text_of)
        held_elsewhere.add(statement_id)
        for pk in member_ids:
            if statement_of[pk] != statement_id and pk not in pinned:
                if statement_of[pk]:
                    touched.add(statement_of[pk])
                moves[pk] = statement_id
        if statement_id:
            touched.add(statement_id)
    # Saved one by one, as models, so that the index queue and counts hear of each move.
    by_id = {q.pk: q for q in quotes}
    by_id |= Quote.objects.in_bulk([pk for pk in moves if pk not in by_id])
    for pk, statement_id in moves.items():
        quote = by_id[pk]
        quote.statement_id = statement_id
        quote.save(update_fields=["statement", "updated_at"])
    touched |= left
    statements_refresh(touched)
    return touched


def _rejected_unlinked(quotes):
    """Rejected quotes are words no one is to be quoted as saying: their keys go, so that no
    later report is compared with them, and they leave their statements (but where an editor
    pinned them, as statements_relink does), whose wording and dates are then taken from the
    other reports. The statements they left."""
    if not quotes:
        return set()
    QuoteKey.objects.filter(quote__in=quotes).delete()
    left = set()
    for quote in quotes:
        if quote.statement_id and not quote.statement_pinned:
            left.add(quote.statement_id)
            quote.statement = None
            quote.save(update_fields=["statement", "updated_at"])
    return left


def _splits_among(quote_ids):
    """(quote id, other id) of the editors' splits between two of these quotes."""
    quote_ids = sorted(quote_ids)
    wanted = set(quote_ids)
    splits = []
    for start in range(0, len(quote_ids), KEYS_PER_QUERY):
        rows = StatementSplit.objects.filter(quote_id__in=quote_ids[start : start + KEYS_PER_QUERY])
        splits += [pair for pair in rows.values_list("quote_id", "other_id") if pair[1] in wanted]
    return splits


def _statement_for(member_ids, statement_of, pinned, held_elsewhere, text_of):
    """The statement a group of reports belongs to: a pinned one; else the one its members
    already had (so permalinks survive re-linking); else a new one, for two or more reports."""
    pinned_ids = {pinned[pk] for pk in member_ids if pk in pinned}
    if pinned_ids:
        (statement_id,) = pinned_ids
        return statement_id
    current = sorted({statement_of[pk] for pk in member_ids if statement_of[pk]} - held_elsewhere)
    if len(member_ids) < 2:
        return None
    if current:
        return current[0]
    return Statement.objects.create(canonical_text=text_of[member_ids[0]]).pk


def statements_refresh(statement_ids, *, chunk=500):
    """Recompute canonical wording and first report date; drop statements with < 2 reports."""
    statement_ids = sorted(set(statement_ids))
    for start in range(0, len(statement_ids), chunk):
        ids = statement_ids[start : start + chunk]
        reports_of = defaultdict(list)
        for quote in linkable_quotes().filter(statement_id__in=ids).select_related("article").order_by("pk"):
            reports_of[quote.statement_id].append(quote)
        for statement in Statement.objects.filter(pk__in=ids):
            reports = reports_of[statement.pk]
            if len(reports) < 2:
                Quote.objects.filter(statement=statement).update(statement=None)
                statement.delete()
                continue
            full = [q.text for q in reports if q.kind != Quote.Kind.FRAGMENT] or [q.text for q in reports]
            statement.canonical_text = linking.canonical_text(full)
            statement.first_reported = min((q.article.published for q in reports if q.article.published), default=None)
            statement.save()


@transaction.atomic
def statements_relink(*, batch_size=500):
    """Re-link every quote, oldest first, keeping editors' decisions and, where the grouping
    is unchanged, the statements' ids; (quotes, statements)."""
    pks = list(linkable_quotes().order_by("article__published", "pk").values_list("pk", flat=True))
    for start in range(0, len(pks), batch_size):
        batch = list(Quote.objects.filter(pk__in=pks[start : start + batch_size]).select_related("article"))
        quotes_link(quotes=batch)
    Quote.objects.filter(status=Quote.Status.REJECTED, statement_pinned=False).update(statement=None)
    orphans = Statement.objects.annotate(first=Min("quotes__pk")).filter(first__isnull=True)
    orphans.delete()
    statements_refresh(Statement.objects.values_list("pk", flat=True))
    return len(pks), Statement.objects.count()


@transaction.atomic
def quote_split_from_statement(*, quote):
    """An editor takes a quote out of its statement: it is never linked to those reports again."""
    if not quote.statement_id:
        return
    statement_id = quote.statement_id
    for other_id in Quote.objects.filter(statement_id=statement_id).exclude(pk=quote.pk).values_list("pk", flat=True):
        low, high = sorted((quote.pk, other_id))
        StatementSplit.objects.get_or_create(quote_id=low, other_id=high)
    quote.statement = None
    quote.statement_pinned = True
    quote.save(update_fields=["statement", "statement_pinned", "updated_at"])
    statements_refresh({statement_id})


@transaction.atomic
def statements_merge(*, statements):
    """An editor joins statements into the first (oldest): all their reports stay together."""
    statements = sorted(statements, key=lambda s: s.pk)
    if len(statements) < 2:
        return statements[0] if statements else None
    kept, others = statements[0], statements[1:]
    reports = Quote.objects.filter(statement__in=statements)
    ids = list(reports.values_list("pk", flat=True))
    StatementSplit.objects.filter(quote_id__in=ids, other_id__in=ids).delete()
    for quote in reports:
        quote.statement = kept
        quote.statement_pinned = True
        quote.save(update_fields=["statement", "statement_pinned", "updated_at"])
    Statement.objects.filter(pk__in=[s.pk for s in others]).delete()
    statements_refresh({kept.pk})
    return kept


def reports_by_statement(statement_ids):
    """{statement id: [published reports, oldest first]} in one query."""
    reports = defaultdict(list)
    for quote in (
        Quote.objects.published()
        .with_related()
        .filter(statement_id__in=statement_ids)
        .order_by("article__published", "pk")
    ):
        reports[quote.statement_id].append(quote)
    return reports

"""One statement, many reports: linking in the database, editors' decisions, pages."""

import datetime

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from statements import services
from statements.models import Quote, Statement
from statements.services import article_import
from statements.statement_linking import candidates_for, quote_keys_refresh, quotes_link
from tests.factories import make_article, make_quote, make_speaker

pytestmark = pytest.mark.django_db

CCP = "the Chinese Communist Party’s coercive practices threaten"
BEIJING = "There is no doubt that Beijing’s coercive behavior threatens"
TAIWAN = "China uses coercion and aggression to systematically erode autonomy"


def quote_starting(words):
    return Quote.objects.get(text__startswith=words)


def test_seed_reports_of_one_remark_are_one_statement(seeded):
    assert quote_starting(CCP).statement_id == quote_starting(BEIJING).statement_id is not None
    assert quote_starting(TAIWAN).statement_id != quote_starting(BEIJING).statement_id


def test_an_imported_report_joins_the_existing_statement(seeded):
    article, _ = article_import(
        title="Blinken at NATO",
        content="Antony Blinken spoke in Brussels.\n\n“Beijing’s coercive behavior threatens our collective security and prosperity, and it is actively working to undermine the rules of the international system,” Blinken said.",
        content_format="text",
        published=datetime.date(2021, 3, 25),
    )
    new = article.quotes.get()
    assert new.statement_id == quote_starting(BEIJING).statement_id
    assert new.status == "proposed"


def test_relinking_is_idempotent_and_keeps_statement_ids(seeded):
    before = dict(Quote.objects.values_list("pk", "statement_id"))
    call_command("link_statements", verbosity=0)
    call_command("link_statements", verbosity=0)
    assert dict(Quote.objects.values_list("pk", "statement_id")) == before


def test_a_split_quote_stays_apart_after_relinking(seeded, editor_client):
    quote = quote_starting(CCP)
    editor_client.post(reverse("admin:statements_quote_changelist"), {"action": "split_from_statement", ACTION_CHECKBOX_NAME: [quote.pk]})
    call_command("link_statements", verbosity=0)
    quote.refresh_from_db()
    assert quote.statement_id is None
    assert quote_starting(BEIJING).statement_id is None  # a statement needs two reports


def test_merged_statements_stay_merged_after_relinking(seeded, editor_client):
    speaker = make_speaker("Ann Envoy")
    first = make_quote(make_article("A. “The harbour deal is final,” she said."), "The harbour deal is final", speaker=speaker)
    second = make_quote(make_article("B. “Our fishing rights come first,” she said."), "Our fishing rights come first", speaker=speaker)
    statements = [Statement.objects.create(canonical_text=q.text) for q in (first, second)]
    for quote, statement in zip((first, second), statements, strict=True):
        quote.statement = statement
        quote.save()
    editor_client.post(reverse("admin:statements_statement_changelist"), {"action": "merge_statements", ACTION_CHECKBOX_NAME: [s.pk for s in statements]})
    call_command("link_statements", verbosity=0)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.statement_id == second.statement_id == statements[0].pk


def test_different_speakers_are_never_linked():
    words = "We will defend every inch of allied territory"
    one = make_quote(make_article(f"A. “{words},” he said."), words, speaker=make_speaker("First Person"))
    two = make_quote(make_article(f"B. “{words},” she said."), words, speaker=make_speaker("Second Person"))
    quotes_link(quotes=Quote.objects.filter(pk__in=[one.pk, two.pk]).select_related("article"))
    one.refresh_from_db()
    assert one.statement_id is None


def test_candidates_are_the_speakers_reports_within_two_weeks_and_an_undated_quote_meets_every_date():
    speaker = make_speaker("Window Speaker")
    words = "Harbour authorities will reopen the northern shipping lanes"
    numbers = iter(range(100))

    def report(published, *, by=speaker):
        article = make_article(f"Report {next(numbers)}. “{words},” she said.", published=published)
        return Quote.objects.select_related("article").get(pk=make_quote(article, words, speaker=by).pk)

    day = datetime.date(2021, 3, 24)
    first, last, early, late, old, undated = (
        report(day - datetime.timedelta(days=14)),
        report(day + datetime.timedelta(days=14)),
        report(day - datetime.timedelta(days=15)),
        report(day + datetime.timedelta(days=15)),
        report(datetime.date(2019, 6, 1)),
        report(None),
    )
    report(day, by=make_speaker("Someone Else"))
    new, new_old, new_undated = report(day), report(datetime.date(2019, 6, 3)), report(None)
    quote_keys_refresh(Quote.objects.select_related("article"))

    def found(quotes):
        return {quote.pk for quote in candidates_for(quotes)}

    assert found([new]) == {first.pk, last.pk}
    assert found([new, new_old]) == {first.pk, last.pk, old.pk}  # each with its own window, in one batch
    assert found([new_undated]) == {first.pk, last.pk, early.pk, late.pk, old.pk, undated.pk, new.pk, new_old.pk}


@pytest.mark.parametrize("published", [datetime.date.max, datetime.date.min])
def test_reports_misdated_at_the_end_of_the_calendar_still_link(published):
    speaker = make_speaker("Calendar Speaker")
    words = "The northern shipping lanes will reopen once the harbour is cleared"
    reports = [
        make_quote(make_article(f"Report {number}. “{words},” she said.", published=published), words, speaker=speaker)
        for number in range(2)
    ]
    quotes_link(quotes=Quote.objects.filter(pk__in=[report.pk for report in reports]).select_related("article"))
    linked = set(Quote.objects.filter(pk__in=[report.pk for report in reports]).values_list("statement_id", flat=True))
    assert len(linked) == 1 and None not in linked


def test_linking_cost_does_not_grow_with_the_archive():
    """Candidates come from an indexed key lookup: the number of SQL queries to link a new
    article's quote is the same with 5 or 60 quotes of the speaker already archived."""
    speaker = make_speaker("Busy Speaker")

    def queries_to_link_one(existing):
        for number in range(existing):
            text = f"Remark {number} about harbours bridges tunnels {number * 7}"
            quote = make_quote(make_article(f"{number}. “{text},” he said."), text, speaker=speaker)
            quotes_link(quotes=[Quote.objects.select_related("article").get(pk=quote.pk)])
        new = make_quote(make_article("New. “Remark about harbours and bridges today,” he said."), "Remark about harbours and bridges today", speaker=speaker)
        new = Quote.objects.select_related("article").get(pk=new.pk)
        with CaptureQueriesContext(connection) as queries:
            quotes_link(quotes=[new])
        return len(queries)

    small = queries_to_link_one(5)
    Quote.objects.all().delete()
    large = queries_to_link_one(60)
    assert large == small


def test_statement_page_shows_each_report_with_a_word_diff(client, seeded):
    statement = quote_starting(BEIJING).statement
    response = client.get(statement.get_absolute_url())
    content = response.content.decode()
    assert response.status_code == 200
    assert f"<blockquote class=\"quote-text quote-hero\"><p>{statement.canonical_text}</p></blockquote>" in content
    assert content.count('class="report"') == 2
    assert (
        '<del><span class="visually-hidden">[left out: </span>practices threaten<span class="visually-hidden">]</span></del> '
        '<ins><span class="visually-hidden">[added: </span>behavior threatens<span class="visually-hidden">]</span></ins>'
    ) in content
    assert "first reported <time datetime=\"2021-03-24\">24 March 2021</time>" in content


def test_quote_permalink_lists_the_other_reports(client, seeded):
    quote = quote_starting(BEIJING)
    other = quote_starting(CCP)
    content = client.get(quote.get_absolute_url()).content.decode()
    assert "Also reported by" in content
    assert f'href="{other.get_absolute_url()}"' in content


def test_search_shows_a_statement_once(client, indexed_seed):
    response = client.get(reverse("statements:search"), {"q": "collective security prosperity"})
    results = response.context["results"]
    statement_id = quote_starting(BEIJING).statement_id
    assert [quote.statement_id for quote, *_ in results].count(statement_id) == 1
    assert "Reported by 2 outlets" in response.content.decode()


def test_unpublished_statement_is_not_public(client):
    speaker = make_speaker("Quiet Speaker")
    statement = Statement.objects.create(canonical_text="Hidden words")
    for letter in "AB":
        quote = make_quote(make_article(f"{letter}. “Hidden words,” he said."), "Hidden words", speaker=speaker, status=Quote.Status.PROPOSED)
        quote.statement = statement
        quote.save()
    assert client.get(statement.get_absolute_url()).status_code == 404


def test_a_merged_speakers_quotes_are_linked_as_the_other_speakers_now_and_later():
    """Merging a duplicate speaker links its report with the one already filed under the
    speaker it is merged into, and a report imported afterwards joins them."""
    blinken, duplicate = make_speaker("Antony Blinken"), make_speaker("Tony Blinken")
    words = "Harbour authorities will reopen the northern shipping lanes next week"

    def report(by, published):
        quote = make_quote(make_article(f"Ports on {published}. “{words},” he said.", published=published), words, speaker=by)
        quotes_link(quotes=[Quote.objects.select_related("article").get(pk=quote.pk)])
        return quote

    kept, moved = report(blinken, datetime.date(2021, 3, 24)), report(duplicate, datetime.date(2021, 3, 25))
    services.speaker_merge(source=duplicate, target=blinken)
    kept.refresh_from_db()
    moved.refresh_from_db()
    assert moved.speaker == blinken
    assert kept.statement_id == moved.statement_id is not None

    Quote.objects.filter(pk=kept.pk).delete()  # the merged report alone must still be found
    later = report(blinken, datetime.date(2021, 3, 27))
    moved.refresh_from_db()
    assert Quote.objects.get(pk=later.pk).statement_id == moved.statement_id is not None


def test_an_edited_quote_is_linked_by_its_new_words():
    """An editor corrects a quote's words to another report's remark: it joins that statement."""
    speaker = make_speaker("Harbour Master")
    words = "Harbour authorities will reopen the northern shipping lanes next week"
    first = make_quote(make_article(f"Monday. “{words},” she said."), words, speaker=speaker)
    quotes_link(quotes=[Quote.objects.select_related("article").get(pk=first.pk)])
    article = make_article(f"Tuesday. “We are ready,” she said. “{words},” she added.", published=datetime.date(2021, 3, 25))
    edited = make_quote(article, "We are ready", speaker=speaker)
    services.quote_save(quote=edited)
    assert Quote.objects.get(pk=edited.pk).statement_id is None

    edited.text, edited.start = words, article.text.index(words)
    edited.end = edited.start + len(words)
    services.quote_save(quote=edited)
    assert Quote.objects.get(pk=edited.pk).statement_id == Quote.objects.get(pk=first.pk).statement_id is not None


def test_a_quote_the_editor_puts_in_another_statement_stays_there_and_the_statement_it_left_is_updated():
    speaker = make_speaker("Harbour Master")
    numbers = iter(range(100))

    def report(words, published):
        article = make_article(f"Report {next(numbers)}. “{words},” she said.", published=published)
        quote = make_quote(article, words, speaker=speaker)
        quotes_link(quotes=[Quote.objects.select_related("article").get(pk=quote.pk)])
        return quote

    lanes = "Harbour authorities will reopen the northern shipping lanes next week"
    tolls = "Bridge tolls for freight lorries will double from the first of April"
    lanes_reports = [report(lanes, datetime.date(2021, 3, day)) for day in (24, 25)]
    moved, left_alone = (report(tolls, datetime.date(2021, 3, day)) for day in (24, 25))
    lanes_statement = Quote.objects.get(pk=lanes_reports[0].pk).statement_id
    tolls_statement = Quote.objects.get(pk=moved.pk).statement_id
    assert None not in (lanes_statement, tolls_statement) and lanes_statement != tolls_statement

    moved = Quote.objects.get(pk=moved.pk)
    moved.statement_id = lanes_statement
    services.quote_save(quote=moved)

    assert Quote.objects.get(pk=moved.pk).statement_id == lanes_statement
    assert Quote.objects.get(pk=left_alone.pk).statement_id is None  # one report is no statement
    assert not Statement.objects.filter(pk=tolls_statement).exists()


def test_reattributing_many_quotes_moves_and_links_them_all_chunk_by_chunk():
    old, new = make_speaker("Old Name"), make_speaker("New Name")
    words = "Harbour authorities will reopen the northern shipping lanes next week"
    quotes = [
        make_quote(make_article(f"Day {day}. “{words},” she said.", published=datetime.date(2021, 3, day)), words, speaker=old)
        for day in range(1, 6)
    ]
    assert services.quote_reattribute(quotes=Quote.objects.filter(speaker=old), speaker=new, chunk=2) == 5
    statements = set(Quote.objects.filter(pk__in=[q.pk for q in quotes]).values_list("speaker_id", "statement_id"))
    assert len(statements) == 1
    ((speaker_id, statement_id),) = statements
    assert speaker_id == new.pk and statement_id is not None


def test_a_rejected_report_leaves_its_statement_and_is_linked_again_once_approved(client, seeded):
    """The two outlets' wordings of Blinken's remark are one statement; an editor rejects one:
    no statement of a single report is left behind (its page is gone), and no later report is
    compared with the rejected words. Approved again, it rejoins."""
    ccp, beijing = quote_starting(CCP), quote_starting(BEIJING)
    statement = Statement.objects.get(pk=beijing.statement_id)
    services.quote_set_status(quotes=Quote.objects.filter(pk=ccp.pk), status=Quote.Status.REJECTED)
    assert client.get(statement.get_absolute_url()).status_code == 404
    assert (quote_starting(CCP).statement_id, quote_starting(BEIJING).statement_id) == (None, None)
    assert not ccp.keys.exists()

    services.quote_set_status(quotes=Quote.objects.filter(pk=ccp.pk), status=Quote.Status.APPROVED)
    assert quote_starting(CCP).statement_id == quote_starting(BEIJING).statement_id is not None
    assert ccp.keys.exists()


def test_a_quote_rejected_in_its_edit_form_leaves_its_statement(seeded):
    ccp = quote_starting(CCP)
    ccp.status = Quote.Status.REJECTED
    services.quote_save(quote=ccp)
    assert (quote_starting(CCP).statement_id, quote_starting(BEIJING).statement_id) == (None, None)

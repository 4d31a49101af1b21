"""The stored counts of public quotes (published_quote_count on speakers and topics, and the
SpeakerTopicCount and MonthlyQuoteCount rows behind the speaker and topic pages): equal to the
live counts after every kind of change, shown on the pages, which never count quotes."""

import datetime
import functools
import re
from collections import Counter
from types import SimpleNamespace

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.management import call_command
from django.urls import reverse

from statements import services
from statements.importing import import_files
from statements.models import Article, MonthlyQuoteCount, Quote, Speaker, SpeakerTopicCount, Topic
from tests.factories import make_article, make_quote, make_speaker, make_topic

pytestmark = pytest.mark.django_db

TEXT = (
    "Talks in Anchorage. “We stand with our allies,” Blinken said. “Trade must be fair,” Biden said. "
    "“Coercion is wrong,” Blinken added. “We will compete,” Blinken said later."
)


def live_counts():
    """({speaker id: n}, {topic id: n}, {(speaker id, topic id): n}, {(speaker id, topic id,
    month): n}) counted in Python from Quote.objects.published(); zeros included for the first two."""
    by_speaker, by_topic, pairs, months = Counter(), Counter(), Counter(), Counter()
    for quote in Quote.objects.published().select_related("article").prefetch_related("topics"):
        by_speaker[quote.speaker_id] += 1
        month = quote.article.published and quote.article.published.replace(day=1)
        if month:
            months[(quote.speaker_id, None, month)] += 1
        for topic in quote.topics.all():
            by_topic[topic.pk] += 1
            pairs[(quote.speaker_id, topic.pk)] += 1
            if month:
                months[(None, topic.pk, month)] += 1
    return (
        {pk: by_speaker[pk] for pk in Speaker.objects.values_list("pk", flat=True)},
        {pk: by_topic[pk] for pk in Topic.objects.values_list("pk", flat=True)},
        dict(pairs),
        dict(months),
    )


def stored_counts():
    return (
        dict(Speaker.objects.values_list("pk", "published_quote_count")),
        dict(Topic.objects.values_list("pk", "published_quote_count")),
        {(row.speaker_id, row.topic_id): row.count for row in SpeakerTopicCount.objects.all()},
        {(row.speaker_id, row.topic_id, row.month): row.count for row in MonthlyQuoteCount.objects.all()},
    )


def shown_count(client, path, name):
    """The number a visitor reads beside `name` on a list page (None when not listed)."""
    content = client.get(path).content.decode()
    match = re.search(rf">{re.escape(name)}</a>(?:(?!</li>).)*<span class=\"count\">(\d+) quotes?</span>", content, re.S)
    return int(match.group(1)) if match else None


def assert_counts(client, speakers=None, topics=None):
    """Stored counts equal the live ones, and the list pages show `speakers`/`topics` ({name: n})."""
    assert stored_counts() == live_counts()
    for name, expected in (speakers or {}).items():
        assert shown_count(client, "/speakers/", name) == expected, name
        assert shown_count(client, "/speakers/?order=most-quoted", name) == expected, name
    for name, expected in (topics or {}).items():
        assert shown_count(client, "/topics/", name) == expected, name


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """`with committed():` runs what follows a commit in production (the index queue applied)."""
    return functools.partial(django_capture_on_commit_callbacks, execute=True)


@pytest.fixture
def archive(search_index, client):
    """One published article (three approved quotes, one proposed) and one in review (an approved
    quote), with the queue applied, so a change is the only thing left to count."""
    china, trade = make_topic("China"), make_topic("Trade")
    blinken, biden = make_speaker("Antony Blinken"), make_speaker("Joe Biden")
    article = make_article(TEXT)
    allies = make_quote(article, "We stand with our allies", speaker=blinken)
    fair = make_quote(article, "Trade must be fair", speaker=biden)
    coercion = make_quote(article, "Coercion is wrong", speaker=blinken)
    compete = make_quote(article, "We will compete", speaker=blinken, status=Quote.Status.PROPOSED)
    allies.topics.set([china])
    fair.topics.set([trade])
    coercion.topics.set([china])
    compete.topics.set([trade])
    draft = make_article("Later. “Jobs come first,” Biden said.", status=Article.Status.REVIEW)
    jobs = make_quote(draft, "Jobs come first", speaker=biden)
    jobs.topics.set([trade])
    search_index()
    assert_counts(client, {"Antony Blinken": 2, "Joe Biden": 1}, {"China": 2, "Trade": 1})
    return SimpleNamespace(
        china=china, trade=trade, blinken=blinken, biden=biden, article=article, draft=draft,
        allies=allies, fair=fair, coercion=coercion, compete=compete, jobs=jobs,
    )


def run_action(client, model, action, objects, **extra):
    url = reverse(f"admin:statements_{model}_changelist")
    data = {"action": action, ACTION_CHECKBOX_NAME: [o.pk for o in objects], **extra}
    return client.post(url, data, follow=True)


def test_seeded_counts_are_stored_and_shown(seeded, client):
    # load_seed counts at once: no queue applied here.
    assert stored_counts() == live_counts()
    assert Speaker.objects.get(slug="antony-blinken").published_quote_count == 12
    assert shown_count(client, "/speakers/", "Antony Blinken") == 12
    assert shown_count(client, "/speakers/", "Joe Biden") == 4
    assert shown_count(client, "/topics/", "China") == Topic.objects.get(slug="china").published_quote_count > 0


def test_approving_rejecting_and_proposing_quotes(archive, committed, client):
    a = archive
    with committed():
        services.quote_set_status(quotes=Quote.objects.filter(pk=a.compete.pk), status=Quote.Status.APPROVED)
    assert_counts(client, {"Antony Blinken": 3}, {"Trade": 2})
    with committed():
        services.quote_set_status(quotes=Quote.objects.filter(pk=a.allies.pk), status=Quote.Status.REJECTED)
    assert_counts(client, {"Antony Blinken": 2}, {"China": 1})
    with committed():
        services.quote_set_status(quotes=Quote.objects.filter(pk=a.compete.pk), status=Quote.Status.PROPOSED)
    assert_counts(client, {"Antony Blinken": 1}, {"Trade": 1})


def test_publishing_and_unpublishing_articles(archive, committed, client):
    a = archive
    with committed():
        services.article_set_status(articles=Article.objects.filter(pk=a.draft.pk), status=Article.Status.PUBLISHED)
    assert_counts(client, {"Joe Biden": 2}, {"Trade": 2})
    with committed():
        services.article_set_status(articles=Article.objects.filter(pk=a.article.pk), status=Article.Status.DRAFT)
    assert_counts(client, {"Antony Blinken": 0, "Joe Biden": 1}, {"China": 0, "Trade": 1})


def test_deleting_an_article_uncounts_its_quotes(archive, committed, client):
    with committed():
        archive.article.delete()
    assert_counts(client, {"Antony Blinken": 0, "Joe Biden": 0}, {"China": 0, "Trade": 0})


def test_deleting_a_quote_uncounts_it(archive, committed, client):
    with committed():
        archive.allies.delete()
    assert_counts(client, {"Antony Blinken": 1}, {"China": 1})


def test_reattributing_a_quote_lowers_the_old_speakers_count(archive, committed, client):
    with committed():
        services.quote_reattribute(quotes=Quote.objects.filter(pk=archive.allies.pk), speaker=archive.biden)
    assert_counts(client, {"Antony Blinken": 1, "Joe Biden": 2}, {"China": 2})


def test_merging_speakers_moves_the_count(archive, committed, client):
    with committed():
        services.speaker_merge(source=archive.blinken, target=archive.biden)
    assert_counts(client, {"Joe Biden": 3})
    assert shown_count(client, "/speakers/", "Antony Blinken") is None


def test_adding_and_removing_topics_on_quotes(archive, committed, client):
    a = archive
    with committed():
        a.fair.topics.add(a.china)
    assert_counts(client, topics={"China": 3, "Trade": 1})
    with committed():
        a.allies.topics.remove(a.china)
    assert_counts(client, topics={"China": 2})
    with committed():
        a.coercion.topics.clear()
    assert_counts(client, topics={"China": 1})
    with committed():
        a.china.quotes.remove(a.fair)
    assert_counts(client, topics={"China": 0})
    with committed():
        a.trade.quotes.add(a.allies)
    assert_counts(client, topics={"Trade": 2})
    with committed():
        a.trade.quotes.clear()
    assert_counts(client, topics={"Trade": 0})


def test_importing_articles_then_approving_their_quotes(archive, committed, client, tmp_path):
    a = archive
    a.china.keywords = "Beijing"
    a.china.save()
    path = tmp_path / "article.txt"
    path.write_text("Blinken on Beijing\n\n“Beijing must keep its word,” Antony Blinken said on Friday.\n", encoding="utf-8")
    with committed():
        import_files([path], status=Article.Status.PUBLISHED, on_failure=pytest.fail)
    imported = Quote.objects.get(article__title="Blinken on Beijing")
    assert (imported.speaker, imported.status, list(imported.topics.all())) == (a.blinken, "proposed", [a.china])
    assert_counts(client, {"Antony Blinken": 2}, {"China": 2})
    with committed():
        services.quote_set_status(quotes=Quote.objects.filter(pk=imported.pk), status=Quote.Status.APPROVED)
    assert_counts(client, {"Antony Blinken": 3}, {"China": 3})


def test_admin_actions_keep_the_counts(archive, committed, editor_client, client):
    a = archive
    with committed():
        run_action(editor_client, "quote", "approve", [a.compete])
    assert_counts(client, {"Antony Blinken": 3}, {"Trade": 2})
    with committed():
        run_action(editor_client, "quote", "reject", [a.allies])
    assert_counts(client, {"Antony Blinken": 2}, {"China": 1})
    with committed():
        run_action(editor_client, "article", "publish", [a.draft])
    assert_counts(client, {"Joe Biden": 2}, {"Trade": 3})
    with committed():
        run_action(editor_client, "article", "unpublish", [a.draft])
    assert_counts(client, {"Joe Biden": 1}, {"Trade": 2})
    with committed():
        run_action(editor_client, "quote", "reattribute", [a.coercion], speaker=a.biden.pk, apply="Apply")
    assert_counts(client, {"Antony Blinken": 1, "Joe Biden": 2})
    with committed():
        run_action(editor_client, "speaker", "merge_into", [a.biden], speaker=a.blinken.pk, apply="Apply")
    assert_counts(client, {"Antony Blinken": 3})


def test_admin_edits_and_deletes_keep_the_counts(archive, committed, editor_client, client):
    a = archive
    form = {
        "text": a.allies.text, "speaker": a.biden.pk, "article": a.article.pk, "start": a.allies.start,
        "end": a.allies.end, "kind": "full", "status": "approved", "confidence": "1", "chosen_topics": [a.trade.pk],
    }
    with committed():
        response = editor_client.post(reverse("admin:statements_quote_change", args=[a.allies.pk]), form)
    assert response.status_code == 302
    assert_counts(client, {"Antony Blinken": 1, "Joe Biden": 2}, {"China": 1, "Trade": 2})
    with committed():
        run_action(editor_client, "quote", "delete_selected", [a.coercion], post="yes")
    assert_counts(client, {"Antony Blinken": 0}, {"China": 0})
    with committed():
        response = editor_client.post(reverse("admin:statements_article_delete", args=[a.article.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert_counts(client, {"Joe Biden": 0}, {"Trade": 0})


def test_moving_an_approved_quote_to_an_unpublished_article_uncounts_it(archive, committed, client):
    a = archive
    with committed():
        a.allies.article = a.draft  # as an editor's change of the quote's article does
        a.allies.save()
    assert_counts(client, {"Antony Blinken": 1}, {"China": 1})


def test_moving_an_article_to_another_month_moves_its_quotes_on_the_timelines(archive, committed, client):
    a = archive
    with committed():
        a.article.published = datetime.date(2019, 11, 5)
        a.article.save()
    assert_counts(client)
    content = client.get(a.blinken.get_absolute_url()).content.decode()
    assert "2 quotes from November 2019 to November 2019" in content


def test_speaker_and_topic_pages_show_the_stored_counts(archive, committed, client, django_assert_max_num_queries):
    a = archive
    with committed():
        a.fair.topics.add(a.china)
    with django_assert_max_num_queries(8) as captured:
        speaker_page = client.get(a.biden.get_absolute_url())
    assert not [q for q in captured.captured_queries if "GROUP BY" in q["sql"]]
    assert [(t.name, t.quote_count) for t in speaker_page.context["speaker_topics"]] == [("China", 1), ("Trade", 1)]
    topic_page = client.get(a.china.get_absolute_url())
    assert [(s.name, s.quote_count) for s in topic_page.context["topic_speakers"]] == [("Antony Blinken", 2), ("Joe Biden", 1)]
    assert "3 quotes from March 2021 to March 2021" in topic_page.content.decode()
    assert "<title>March 2021: 3 quotes</title>" in topic_page.content.decode()


def test_recount_quotes_repairs_every_count(archive, client):
    Speaker.objects.update(published_quote_count=7)
    Topic.objects.update(published_quote_count=7)
    SpeakerTopicCount.objects.update(count=7)
    MonthlyQuoteCount.objects.all().delete()
    call_command("recount_quotes", verbosity=0)
    assert_counts(client, {"Antony Blinken": 2, "Joe Biden": 1}, {"China": 2, "Trade": 1})


def test_most_quoted_order_follows_the_stored_counts(archive, client):
    make_speaker("Aaron Unquoted")
    names = [s.name for s in client.get("/speakers/", {"order": "most-quoted"}).context["speakers"]]
    assert names == ["Antony Blinken", "Joe Biden", "Aaron Unquoted"]


@pytest.mark.parametrize(
    "path", ["/speakers/", "/speakers/?order=most-quoted", "/topics/", "/search/", "/api/v1/speakers/", "/api/v1/topics/"]
)
def test_list_pages_read_the_stored_counts_in_a_few_queries(path, client, django_assert_max_num_queries):
    topics = [make_topic(f"Topic {number}") for number in range(30)]
    article = make_article(" ".join(f"“Words number {number},” she said." for number in range(30)))
    for number in range(30):
        quote = make_quote(article, f"Words number {number}", speaker=make_speaker(f"Speaker {number}"))
        quote.topics.set(topics[number:])
    services.quote_counts_recount()
    with django_assert_max_num_queries(4) as captured:
        response = client.get(path)
    assert response.status_code == 200
    counting_quotes = [q["sql"] for q in captured.captured_queries if "COUNT(" in q["sql"].upper() and "statements_quote" in q["sql"]]
    assert counting_quotes == []
    if path.startswith("/speakers/"):
        assert shown_count(client, path, "Speaker 0") == 1
    if path == "/topics/":
        assert shown_count(client, path, "Topic 29") == 30

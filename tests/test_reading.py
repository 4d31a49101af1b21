"""What a journalist or analyst reads: pages, timelines, citations, feeds, alerts, API, export."""

import csv
import datetime
import io
import json
import xml.etree.ElementTree as ET

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from statements.models import AlertDelivery, Quote, Subscription
from tests.factories import make_article, make_quote, make_speaker

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


def atom_entries(response):
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)
    assert root.tag == f"{ATOM}feed"
    return [entry.find(f"{ATOM}title").text for entry in root.findall(f"{ATOM}entry")]


# --- pages ---------------------------------------------------------------------------


def test_speaker_list_filters_and_orders(client, seeded):
    response = client.get(reverse("statements:speaker-list"), {"order": "most-quoted"})
    names = [s.name for s in response.context["speakers"]]
    assert names[:3] == ["Antony Blinken", "Joe Biden", "U.S. Department of the Treasury"]
    response = client.get(reverse("statements:speaker-list"), {"kind": "institution"})
    assert [s.name for s in response.context["speakers"]] == ["U.S. Department of the Treasury"]
    response = client.get(reverse("statements:speaker-list"), {"country": "Germany"})
    assert [s.name for s in response.context["speakers"]] == ["Angela Merkel"]
    alphabetical = [s.name for s in client.get(reverse("statements:speaker-list")).context["speakers"]]
    assert alphabetical == sorted(alphabetical)


def test_speaker_page_has_timeline_feed_scoped_search_and_topics(client, seeded):
    response = client.get(reverse("statements:speaker-detail", kwargs={"slug": "antony-blinken"}))
    content = response.content.decode()
    assert "<title id=\"timeline-title\">Quotes per month: Antony Blinken</title>" in content
    assert "12 quotes from March 2021 to March 2021; the busiest month was March 2021 with 12." in content
    assert ">2021</text>" in content
    assert content.count('<rect class="bar"') == 1
    assert 'href="/feeds/speakers/antony-blinken/"' in content
    assert '<input type="hidden" name="speaker" value="antony-blinken">' in content
    topics = {t.name: t.quote_count for t in response.context["speaker_topics"]}
    assert topics["NATO"] == Quote.objects.published().filter(speaker__slug="antony-blinken", topics__slug="nato").count()


def test_timeline_spans_months_with_axis_labels(client, search_index):
    speaker = make_speaker("Timeline Speaker")
    for day in (datetime.date(2020, 1, 5), datetime.date(2020, 1, 20), datetime.date(2021, 6, 1)):
        make_quote(make_article(f"On {day}. “Words of {day},” she said.", published=day), f"Words of {day}", speaker=speaker)
    search_index()  # what the queue worker does after the commit
    content = client.get(speaker.get_absolute_url()).content.decode()
    assert content.count('<rect class="bar"') == 2
    assert ">2020</text>" in content and ">2021</text>" in content
    assert "<title>January 2020: 2 quotes</title>" in content


def test_topic_page_has_speakers_timeline_and_feed(client, seeded):
    content = client.get(reverse("statements:topic-detail", kwargs={"slug": "china"})).content.decode()
    assert "Quotes per month: China" in content
    assert 'href="/feeds/topics/china/"' in content


def test_quote_page_has_context_citation_json_and_open_graph(client, seeded):
    quote = Quote.objects.get(text__startswith="We will face China")
    content = client.get(quote.get_absolute_url()).content.decode()
    assert '<meta property="og:title" content="Joe Biden: “We will face China’s economic abuses”">' in content
    assert "Joe Biden, “We will face China’s economic abuses”, in “Blinken says China threatens NATO" in content
    assert "author = {Joe Biden}" in content and "@misc{biden2021q" in content
    assert f'href="/api/v1/quotes/{quote.pk}/"' in content
    assert "Biden said in a speech to the State Department" in content  # the sentence around it


def test_article_page_shows_outlet_date_topics(client, seeded):
    article = Quote.objects.get(text__startswith="We will face").article
    content = client.get(article.get_absolute_url()).content.decode()
    assert '<a class="outlet" href="/sources/cnbc/">CNBC</a>' in content
    assert '<time datetime="2021-03-24">24 March 2021</time>' in content
    assert '<a class="tag" href="/topics/china/">China</a>' in content


@pytest.mark.parametrize("name", ["home", "speaker", "topic", "article", "quote"])
def test_pages_use_a_bounded_number_of_queries(client, django_assert_max_num_queries, name):
    speaker = make_speaker("Many Quotes")
    from statements.models import Topic

    topic = Topic.objects.create(name="Ports", slug="ports")
    quotes = []
    for number in range(40):
        article = make_article(f"Item {number}. “Ports statement {number},” he said.", published=datetime.date(2021, 1 + number % 12, 1))
        quote = make_quote(article, f"Ports statement {number}", speaker=speaker)
        quote.topics.add(topic)
        quotes.append(quote)
    urls = {
        "home": "/",
        "speaker": speaker.get_absolute_url(),
        "topic": topic.get_absolute_url(),
        "article": quotes[0].article.get_absolute_url(),
        "quote": quotes[0].get_absolute_url(),
    }
    with django_assert_max_num_queries(12):
        assert client.get(urls[name]).status_code == 200


# --- feeds ---------------------------------------------------------------------------


def test_feeds_parse_as_atom_with_the_right_entries(client, seeded):
    latest = atom_entries(client.get("/feeds/quotes/"))
    assert len(latest) == 17
    biden = atom_entries(client.get("/feeds/speakers/joe-biden/"))
    assert len(biden) == 4 and all(title.startswith("Joe Biden: “") for title in biden)
    defense = atom_entries(client.get("/feeds/topics/defense-spending/"))
    assert len(defense) == 4
    assert client.get("/feeds/speakers/nobody/").status_code == 404


def test_search_feed(client, indexed_seed):
    titles = atom_entries(client.get("/feeds/search/", {"q": "coercion"}))
    assert len(titles) == 2
    assert "Antony Blinken: “coercion and aggression”" in titles
    assert any(title.startswith("Antony Blinken: “China uses coercion and aggression to systematically") for title in titles)
    assert client.get("/feeds/search/", {"q": "x", "from": "bad"}).status_code == 404


# --- alerts --------------------------------------------------------------------------


def test_alert_flow_subscribe_confirm_send_no_repeat_unsubscribe(client, seeded):
    speaker = make_speaker("Alert Speaker")
    response = client.post(reverse("statements:alert-subscribe"), {"email": "reader@example.org", "speaker": speaker.slug})
    assert response.status_code == 200 and "we sent a confirmation link to <strong>reader@example.org</strong>" in response.content.decode()
    (confirmation,) = mail.outbox
    assert confirmation.to == ["reader@example.org"]
    subscription = Subscription.objects.get()
    confirm_path = reverse("statements:alert-confirm", kwargs={"token": subscription.token})
    assert confirm_path in confirmation.body

    first = make_quote(make_article("A. “First alert words,” she said."), "First alert words", speaker=speaker)
    call_command("send_alerts", verbosity=0)
    assert len(mail.outbox) == 1  # nothing is sent before confirmation

    assert client.get(confirm_path).status_code == 200
    first.save()  # public after the confirmation
    call_command("send_alerts", verbosity=0)
    assert len(mail.outbox) == 2
    alert = mail.outbox[1]
    assert "“First alert words”" in alert.body
    unsubscribe_path = reverse("statements:alert-unsubscribe", kwargs={"token": subscription.token})
    assert unsubscribe_path in alert.body

    call_command("send_alerts", verbosity=0)
    assert len(mail.outbox) == 2  # never the same quote twice

    make_quote(make_article("B. “Second alert words,” she said."), "Second alert words", speaker=speaker)
    call_command("send_alerts", verbosity=0)
    assert len(mail.outbox) == 3
    assert "Second alert words" in mail.outbox[2].body and "First alert words" not in mail.outbox[2].body
    assert AlertDelivery.objects.count() == 2

    assert client.post(unsubscribe_path).status_code == 200
    assert not Subscription.objects.exists()
    make_quote(make_article("C. “Third alert words,” she said."), "Third alert words", speaker=speaker)
    call_command("send_alerts", verbosity=0)
    assert len(mail.outbox) == 3


def test_search_alerts_send_new_matches(client, search_index, django_capture_on_commit_callbacks):
    client.post(reverse("statements:alert-subscribe"), {"email": "a@example.org", "query": "q=icebreakers"})
    subscription = Subscription.objects.get()
    client.get(reverse("statements:alert-confirm", kwargs={"token": subscription.token}))
    with django_capture_on_commit_callbacks(execute=True):
        make_quote(make_article("A. “We need more icebreakers,” she said."), "We need more icebreakers")
    search_index()
    call_command("send_alerts", verbosity=0)
    assert "We need more icebreakers" in mail.outbox[-1].body


def test_bad_subscription_is_a_form_error(client, seeded):
    response = client.post(reverse("statements:alert-subscribe"), {"email": "not-an-email", "speaker": "antony-blinken"})
    assert response.status_code == 400 and "Enter a valid email address." in response.content.decode()
    response = client.post(reverse("statements:alert-subscribe"), {"email": "a@example.org"})
    assert response.status_code == 400 and "Choose one speaker, topic or search to follow." in response.content.decode()
    assert not mail.outbox


# --- API -----------------------------------------------------------------------------


def get_json(client, url, **params):
    response = client.get(url, params)
    return response.status_code, json.loads(response.content)


def test_api_speakers_topics_quotes(client, seeded):
    status, body = get_json(client, "/api/v1/speakers/")
    assert status == 200 and body["count"] == 11 and body["next"] is None
    blinken = next(s for s in body["results"] if s["slug"] == "antony-blinken")
    assert blinken["quote_count"] == 12 and blinken["api_url"].endswith("/api/v1/speakers/antony-blinken/")
    status, detail = get_json(client, "/api/v1/speakers/antony-blinken/")
    assert {"text": "the top U.S. diplomat", "valid_from": "2021-01-26", "valid_to": "2025-01-20"} in detail["aliases"]
    status, topic = get_json(client, "/api/v1/topics/defense-spending/")
    assert topic["speakers"] == [{"slug": "antony-blinken", "name": "Antony Blinken", "quote_count": 4}]
    status, quotes = get_json(client, "/api/v1/quotes/", speaker="joe-biden")
    assert quotes["count"] == 4 and {q["speaker"]["slug"] for q in quotes["results"]} == {"joe-biden"}
    status, quotes = get_json(client, "/api/v1/quotes/", topic="xinjiang", source="cnbc", **{"from": "2021-03-01", "to": "2021-03-31"})
    assert quotes["count"] == Quote.objects.published().filter(topics__slug="xinjiang").count()
    status, none = get_json(client, "/api/v1/quotes/", **{"from": "2022-01-01"})
    assert none["count"] == 0
    quote = Quote.objects.get(text__startswith="There is no doubt")
    status, one = get_json(client, f"/api/v1/quotes/{quote.pk}/")
    assert one["text"] == quote.text and one["also_reported_by"][0]["article"]["source"] == "Chinese-language press (translated)"
    assert client.get("/api/v1/quotes/999999/").status_code == 404
    assert client.get("/api/v1/speakers/", {"page": 9}).status_code == 404
    assert client.get("/api/v1/quotes/", {"from": "yesterday"}).status_code == 400


def test_api_paginates(client):
    for number in range(55):
        make_speaker(f"Speaker {number:02}")
    status, first = get_json(client, "/api/v1/speakers/")
    assert first["count"] == 55 and len(first["results"]) == 50 and first["next"].endswith("/api/v1/speakers/?page=2")
    status, second = get_json(client, "/api/v1/speakers/", page=2)
    assert len(second["results"]) == 5 and second["previous"].endswith("?page=1")


# --- export --------------------------------------------------------------------------


def exported(client, **params):
    response = client.get(reverse("statements:search-export"), params)
    assert response.status_code == 200
    return b"".join(response.streaming_content).decode("utf-8")


def test_csv_export_opens_cleanly_and_neutralizes_formulas(client, search_index):
    speaker = make_speaker("Formula Speaker")
    for words in ("=HYPERLINK(\"http://evil\")", "+1 more sanctions", "-2 percent growth", "@SUM(A1) notice", "Plain, “quoted” words"):
        make_quote(make_article(f"Intro. “{words}” she said."), words, speaker=speaker)
    search_index()
    body = exported(client, speaker=speaker.slug, format="csv")
    assert body.startswith("\ufeffid,text,speaker")
    rows = list(csv.DictReader(io.StringIO(body.lstrip("\ufeff"))))
    texts = sorted(row["text"] for row in rows)
    assert texts == sorted(["'=HYPERLINK(\"http://evil\")", "'+1 more sanctions", "'-2 percent growth", "'@SUM(A1) notice", "Plain, “quoted” words"])


def test_json_export_matches_the_search(client, indexed_seed):
    rows = json.loads(exported(client, q="coerc*", format="json"))
    page = client.get(reverse("statements:search"), {"q": "coerc*"})
    assert len(rows) == page.context["search"].outcome.total
    assert rows[0]["text"] == page.context["search"].outcome.quotes[0].text
    assert client.get(reverse("statements:search-export"), {"q": "x", "format": "xls"}).status_code == 400


def test_export_streams_large_result_sets(client):
    speaker = make_speaker("Bulk Speaker")
    article = make_article("Bulk. " + " ".join(f"“Line {n} words,” he said." for n in range(300)))
    Quote.objects.bulk_create([
        Quote(article=article, speaker=speaker, text=f"Line {n} words", start=article.text.index(f"Line {n} words"),
              end=article.text.index(f"Line {n} words") + len(f"Line {n} words"), status="approved")
        for n in range(300)
    ])
    response = client.get(reverse("statements:search-export"), {"speaker": speaker.slug, "format": "csv"})
    assert response.streaming
    assert len(list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode().lstrip("\ufeff"))))) == 301

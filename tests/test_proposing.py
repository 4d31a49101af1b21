"""The extractor feeding the editors' review queue: import, re-extract, the CLI."""

import datetime
import json
from io import StringIO

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.management import call_command
from django.urls import reverse

from statements.models import Article, Quote, QuoteTopic, Speaker, SpeakerAlias
from statements.services import article_import
from tests.factories import make_speaker, make_topic

pytestmark = pytest.mark.django_db

TEXT = (
    "Foreign Minister Maria Lopez spoke in Lisbon on Tuesday.\n\n"
    "“We will not accept pressure from anyone,” Lopez said.\n\n"
    "“The alliance stands together,” the secretary told reporters."
)


def import_text(text=TEXT, published=datetime.date(2022, 5, 3), **kwargs):
    article, _ = article_import(title="Lisbon talks", content=text, content_format="text", published=published, **kwargs)
    return article


def test_import_proposes_quotes_with_resolved_and_flagged_speakers():
    secretary = make_speaker("Jens Holm", role="Secretary General")
    SpeakerAlias.objects.create(speaker=secretary, text="the secretary", valid_from=datetime.date(2020, 1, 1), valid_to=datetime.date(2024, 1, 1))

    article = import_text()

    quotes = list(article.quotes.order_by("start"))
    assert [(q.text, q.speaker.name, q.status) for q in quotes] == [
        ("We will not accept pressure from anyone", "Maria Lopez", "proposed"),
        ("The alliance stands together", "Jens Holm", "proposed"),
    ]
    lopez = Speaker.objects.get(name="Maria Lopez")
    assert lopez.needs_review is True  # unknown before: an editor confirms it
    assert not Quote.objects.published().exists()  # nothing public before review
    for quote in quotes:
        assert article.text[quote.start : quote.end] == quote.text


def test_alias_outside_its_dates_does_not_resolve():
    holm = make_speaker("Jens Holm")
    SpeakerAlias.objects.create(speaker=holm, text="the secretary", valid_from=datetime.date(2010, 1, 1), valid_to=datetime.date(2012, 1, 1))
    article = import_text()
    quote = article.quotes.get(text="The alliance stands together")
    assert quote.speaker != holm


def test_reextraction_keeps_editor_decisions_and_never_duplicates(editor_client):
    article = import_text()
    approved = article.quotes.get(text__startswith="We will not")
    approved.status = Quote.Status.APPROVED
    approved.save()
    rejected = article.quotes.get(text__startswith="The alliance")
    rejected.status = Quote.Status.REJECTED
    rejected.save()

    editor_client.post(reverse("admin:statements_article_changelist"), {"action": "reextract_quotes", ACTION_CHECKBOX_NAME: [article.pk]})

    assert sorted(article.quotes.values_list("text", "status")) == [
        ("The alliance stands together", "rejected"),
        ("We will not accept pressure from anyone", "approved"),
    ]


def test_reextraction_replaces_unreviewed_proposals():
    from statements.proposing import quotes_propose

    article = import_text()
    before = sorted(article.quotes.values_list("text", flat=True))
    quotes_propose(article=article)
    quotes_propose(article=article)
    assert sorted(article.quotes.values_list("text", flat=True)) == before


def test_reimporting_the_same_article_proposes_nothing_new():
    import_text()
    count = Quote.objects.count()
    import_text()
    assert Quote.objects.count() == count


def test_admin_paste_form_runs_the_extractor(editor_client):
    editor_client.post(reverse("admin:statements_article_add"), {
        "title": "Pasted", "content": TEXT, "content_format": "text", "language": "en", "status": "review",
    })
    assert Article.objects.get(title="Pasted").quotes.filter(status="proposed").count() == 2


def test_extract_quotes_command_prints_json_and_writes_nothing(tmp_path, seeded):
    path = tmp_path / "talks.txt"
    path.write_text("Headline\n\n“Our door remains open,” the top U.S. diplomat said.", encoding="utf-8")
    counts = (Article.objects.count(), Quote.objects.count(), Speaker.objects.count())
    out = StringIO()
    call_command("extract_quotes", str(path), stdout=out)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert lines == [{
        "file": "talks.txt", "text": "Our door remains open", "speaker": "Antony Blinken",
        "start": 11, "end": 32, "kind": "full", "confidence": lines[0]["confidence"],
    }]
    assert 0 < lines[0]["confidence"] <= 1
    assert (Article.objects.count(), Quote.objects.count(), Speaker.objects.count()) == counts


def test_extract_quotes_command_works_on_an_empty_database(tmp_path):
    path = tmp_path / "a.json"
    path.write_text(json.dumps({"title": "T", "body": "“Nothing changes,” Minister Anna Berg said."}), encoding="utf-8")
    out = StringIO()
    call_command("extract_quotes", str(path), stdout=out)
    (line,) = [json.loads(raw) for raw in out.getvalue().splitlines()]
    assert (line["text"], line["speaker"]) == ("Nothing changes", "Anna Berg")


def test_proposed_quotes_take_their_topics_with_the_articles_date():
    """Topics matched from a quote's words are linked with the date its topic page sorts by."""
    make_topic("Alliances", keywords="alliance")
    article = import_text()
    links = QuoteTopic.objects.filter(quote__article=article)
    assert [(link.quote.text, link.topic.name, link.published) for link in links] == [
        ("The alliance stands together", "Alliances", datetime.date(2022, 5, 3))
    ]

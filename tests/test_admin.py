import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from statements.models import Article, Quote, Speaker, SpeakerAlias, SpeakerRedirect
from tests.factories import make_article, make_quote, make_speaker, make_topic

pytestmark = pytest.mark.django_db


def run_action(client, model, action, objects, **extra):
    url = reverse(f"admin:statements_{model}_changelist")
    data = {"action": action, ACTION_CHECKBOX_NAME: [o.pk for o in objects], **extra}
    return client.post(url, data, follow=True)


def test_anonymous_visitor_is_sent_to_login(client):
    response = client.get(reverse("admin:statements_quote_changelist"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_staff_without_the_editors_group_cannot_curate(client, django_user_model):
    user = django_user_model.objects.create_user(username="staff", password="x", is_staff=True)
    client.force_login(user)
    assert client.get(reverse("admin:statements_quote_changelist")).status_code == 403


def test_editor_sees_every_curation_page(editor_client):
    for model in ["article", "quote", "speaker", "source", "topic", "statement"]:
        response = editor_client.get(reverse(f"admin:statements_{model}_changelist"), follow=True)
        assert response.status_code == 200, model
    assert editor_client.get(reverse("admin:auth_user_changelist")).status_code == 403


def test_editor_adds_an_article_by_pasting_html(editor_client):
    response = editor_client.post(
        reverse("admin:statements_article_add"),
        {
            "title": "Pasted article",
            "content": "<p>“We will respond,” the minister said.</p><script>alert(1)</script><p onclick='x()'>More.</p>",
            "content_format": "auto",
            "language": "en",
            "status": "review",
            "published": "2021-03-24",
        },
        follow=True,
    )
    assert response.status_code == 200
    article = Article.objects.get(title="Pasted article")
    assert article.body == "<p>“We will respond,” the minister said.</p><p>More.</p>"
    assert article.text == "“We will respond,” the minister said.\n\nMore."
    assert article.status == "review"


def test_pasting_an_article_already_in_the_archive_is_a_form_error(editor_client):
    existing = make_article("Some words here.", title="Existing")
    response = editor_client.post(
        reverse("admin:statements_article_add"),
        {"title": "Copy", "content": "Some words  here.", "content_format": "text", "language": "en", "status": "review"},
    )
    assert response.status_code == 200
    assert "already in the archive" in response.content.decode()
    assert Article.objects.get() == existing


def test_publish_unpublish_and_review_actions(editor_client):
    article = make_article(status=Article.Status.REVIEW)
    run_action(editor_client, "article", "publish", [article])
    article.refresh_from_db()
    assert article.status == "published"
    run_action(editor_client, "article", "unpublish", [article])
    article.refresh_from_db()
    assert article.status == "review"
    article.status = "draft"
    article.save()
    run_action(editor_client, "article", "send_to_review", [article])
    article.refresh_from_db()
    assert article.status == "review"


def test_review_queue_bulk_approve_and_reject(editor_client):
    first, second, third = (make_quote(status=Quote.Status.PROPOSED) for _ in range(3))
    make_quote(status=Quote.Status.APPROVED)
    response = editor_client.get(reverse("admin:statements_quote_changelist"), follow=True)
    assert response.redirect_chain[-1][0].endswith("?status__exact=proposed")
    assert response.context["cl"].result_count == 3
    run_action(editor_client, "quote", "approve", [first, second])
    run_action(editor_client, "quote", "reject", [third])
    assert sorted(Quote.objects.values_list("status", flat=True)) == ["approved", "approved", "approved", "rejected"]


def test_reattribute_quotes_through_the_intermediate_page(editor_client):
    quotes = [make_quote(), make_quote()]
    blinken = make_speaker("Antony Blinken")
    page = run_action(editor_client, "quote", "reattribute", quotes)
    assert "Re-attribute quotes" in page.content.decode()
    run_action(editor_client, "quote", "reattribute", quotes, speaker=blinken.pk, apply="Apply")
    assert set(Quote.objects.values_list("speaker__name", flat=True)) == {"Antony Blinken"}


def test_quote_edit_with_wrong_offsets_is_refused(editor_client):
    quote = make_quote()
    url = reverse("admin:statements_quote_change", args=[quote.pk])
    response = editor_client.post(url, {
        "text": quote.text, "speaker": quote.speaker.pk, "article": quote.article.pk,
        "start": quote.start + 2, "end": quote.end + 2, "kind": "full", "status": "approved", "confidence": "1",
    })
    assert response.status_code == 200
    assert "do not select the quote&#x27;s words" in response.content.decode()


def test_merge_moves_quotes_and_aliases_and_redirects_the_old_slug(editor_client, client):
    kept = make_speaker("Antony Blinken", aliases=["Blinken"])
    duplicate = make_speaker("Tony Blinken", aliases=["Secretary Blinken", "Blinken"])
    quote = make_quote(speaker=duplicate)
    old_slug = duplicate.slug

    run_action(editor_client, "speaker", "merge_into", [duplicate], speaker=kept.pk, apply="Apply")

    assert not Speaker.objects.filter(pk=duplicate.pk).exists()
    quote.refresh_from_db()
    assert quote.speaker == kept
    assert sorted(SpeakerAlias.objects.filter(speaker=kept).values_list("text", flat=True)) == ["Blinken", "Secretary Blinken", "Tony Blinken"]
    assert SpeakerRedirect.objects.get(old_slug=old_slug).speaker == kept
    response = client.get(f"/speakers/{old_slug}/")
    assert response.status_code == 301
    assert response["Location"] == kept.get_absolute_url()


def test_merge_refuses_merging_a_speaker_into_itself(editor_client):
    speaker = make_speaker()
    response = run_action(editor_client, "speaker", "merge_into", [speaker])
    assert speaker.pk not in [s.pk for s in response.context["form"].fields["speaker"].queryset]


def test_quote_form_shows_and_changes_its_topics(editor_client, client):
    china, trade = make_topic("China"), make_topic("Trade")
    quote = make_quote()
    quote.topics.add(china)
    url = reverse("admin:statements_quote_change", args=[quote.pk])
    form = editor_client.get(url).context["adminform"].form
    assert list(form["chosen_topics"].value()) == [china.pk]
    response = editor_client.post(url, {
        "text": quote.text, "speaker": quote.speaker.pk, "article": quote.article.pk, "start": quote.start,
        "end": quote.end, "kind": "full", "status": "approved", "confidence": "1", "chosen_topics": [trade.pk],
    })
    assert response.status_code == 302
    assert list(quote.topics.all()) == [trade]
    assert quote.topic_links.get().published == quote.article.published

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from statements.models import Article, Quote, Speaker, SpeakerAlias
from tests.factories import make_article, make_quote, make_source, make_speaker

pytestmark = pytest.mark.django_db


def test_quote_offsets_must_select_its_words():
    article = make_article("Intro. “We will not back down,” the minister said.")
    quote = make_quote(article, "We will not back down")
    quote.full_clean()  # the right offsets pass

    quote.start += 1
    with pytest.raises(ValidationError) as error:
        quote.full_clean()
    assert "do not select the quote's words" in str(error.value)


def test_quote_offsets_outside_the_text_are_rejected():
    quote = make_quote()
    quote.end = len(quote.article.text) + 10
    with pytest.raises(ValidationError, match="outside the article's text"):
        quote.full_clean()


def test_database_refuses_an_empty_or_reversed_span():
    quote = make_quote()
    quote.end = quote.start
    with pytest.raises(IntegrityError), transaction.atomic():
        quote.save()


def test_published_hides_unapproved_quotes_and_unpublished_articles():
    visible = make_quote(status=Quote.Status.APPROVED)
    make_quote(status=Quote.Status.PROPOSED)
    make_quote(status=Quote.Status.REJECTED)
    draft_article = make_article("A draft. “Not yet public,” she said.", status=Article.Status.DRAFT)
    make_quote(draft_article, "Not yet public", status=Quote.Status.APPROVED)

    assert list(Quote.objects.published()) == [visible]
    assert draft_article not in Article.objects.published()


def test_article_url_is_unique_when_set_but_many_may_have_none():
    make_article("First text.", url=None)
    make_article("Second text.", url=None)
    make_article("Third text.", url="https://example.org/a")
    with pytest.raises(IntegrityError), transaction.atomic():
        Article.objects.create(title="x", slug="x", body="<p>x</p>", text="x", content_hash="0" * 64, url="https://example.org/a")


def test_same_words_are_one_article():
    first = make_article("Exactly   the same\nwords.", title="One")
    second = make_article("exactly the same words.", title="Two")
    assert first.pk == second.pk
    assert Article.objects.count() == 1


def test_deleting_an_article_deletes_its_quotes():
    quote = make_quote()
    quote.article.delete()
    assert not Quote.objects.filter(pk=quote.pk).exists()


def test_alias_resolution_respects_date_ranges():
    blinken = make_speaker("Antony Blinken")
    pompeo = make_speaker("Mike Pompeo")
    SpeakerAlias.objects.create(speaker=blinken, text="the secretary", valid_from=datetime.date(2021, 1, 26), valid_to=datetime.date(2025, 1, 20))
    SpeakerAlias.objects.create(speaker=pompeo, text="the secretary", valid_from=datetime.date(2018, 4, 26), valid_to=datetime.date(2021, 1, 20))

    assert Speaker.objects.get_by_name("The Secretary", on=datetime.date(2021, 3, 24)) == blinken
    assert Speaker.objects.get_by_name("the secretary", on=datetime.date(2019, 6, 1)) == pompeo
    assert Speaker.objects.get_by_name("the secretary") is None  # ambiguous without a date
    assert Speaker.objects.get_by_name("antony  blinken") == blinken


def test_alias_range_must_not_be_reversed():
    speaker = make_speaker()
    with pytest.raises(IntegrityError), transaction.atomic():
        SpeakerAlias.objects.create(speaker=speaker, text="x", valid_from=datetime.date(2022, 1, 1), valid_to=datetime.date(2021, 1, 1))


def test_every_model_has_a_readable_name_and_url():
    quote = make_quote()
    source = make_source("Reuters")
    assert str(source) == "Reuters" and source.get_absolute_url() == "/sources/" + source.slug + "/"
    assert quote.get_absolute_url() == f"/quotes/{quote.pk}/"
    assert quote.article.get_absolute_url() == f"/articles/{quote.article.slug}/"
    assert quote.speaker.get_absolute_url() == f"/speakers/{quote.speaker.slug}/"
    assert str(quote).startswith(f"{quote.speaker.name}: “")


def test_slugs_stay_unique():
    first = make_article("Text one.", title="Same title")
    second = make_article("Text two.", title="Same title")
    assert (first.slug, second.slug) == ("same-title", "same-title-2")

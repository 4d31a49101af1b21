import json
from pathlib import Path

import pytest
from django.conf import settings

from statements.models import Article, Quote, Speaker, Topic

pytestmark = pytest.mark.django_db
SEED = json.loads((Path(settings.BASE_DIR) / "fixtures" / "seed.json").read_text(encoding="utf-8"))


def test_every_curated_offset_selects_its_words(seeded):
    assert Quote.objects.count() == sum(len(a["quotes"]) for a in SEED["articles"]) == 17
    for quote in Quote.objects.select_related("article"):
        assert quote.article.text[quote.start : quote.end] == quote.text
        quote.full_clean()


def test_seed_loads_published_with_speakers_topics_and_aliases(seeded):
    assert Article.objects.published().count() == 2
    assert Quote.objects.published().count() == 17
    blinken = Speaker.objects.get(slug="antony-blinken")
    assert blinken.role == "U.S. Secretary of State"
    assert Speaker.objects.get(slug="us-department-of-the-treasury").kind == "institution"
    assert {"China", "NATO", "Human rights", "Defense spending", "Transatlantic relations"} <= set(Topic.objects.values_list("name", flat=True))
    assert Speaker.objects.get_by_name("the top U.S. diplomat", on=Article.objects.first().published) == blinken


def test_loading_the_seed_twice_changes_nothing(seeded):
    from django.core.management import call_command

    before = (Article.objects.count(), Quote.objects.count(), Speaker.objects.count())
    call_command("load_seed", verbosity=0)
    assert (Article.objects.count(), Quote.objects.count(), Speaker.objects.count()) == before


def test_who_said_what_in_the_seed(seeded):
    by_speaker = {}
    for quote in Quote.objects.select_related("speaker"):
        by_speaker.setdefault(quote.speaker.name, []).append(quote.text)
    assert len(by_speaker["Antony Blinken"]) == 12
    assert len(by_speaker["Joe Biden"]) == 4
    assert by_speaker["U.S. Department of the Treasury"] == [
        "The targets of this surveillance are often stopped and are supposed to be subjected to various methods of torture and ‘political re-education,'"
    ]

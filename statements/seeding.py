"""Loading the curated seed data (fixtures/seed.json): the archive's first articles with their
speakers, aliases, topics and hand-checked quotes. Safe to run again: it updates in place."""

import datetime
import json
from pathlib import Path

from django.conf import settings
from django.db import transaction

from .importing import read_records
from .models import Quote, Source, Speaker, SpeakerAlias, Topic
from .services import article_import, article_set_status, quote_counts_refresh
from .statement_linking import quotes_link

SEED_FILE = Path(settings.BASE_DIR) / "fixtures" / "seed.json"


def _date(value):
    return datetime.date.fromisoformat(value) if value else None


@transaction.atomic
def seed_load(*, path=SEED_FILE):
    """Load the seed file; returns {"articles": n, "quotes": n, "speakers": n}."""
    path = Path(path)
    data = json.loads(path.read_text(encoding="utf-8"))
    sources = {
        item["slug"]: Source.objects.update_or_create(slug=item["slug"], defaults=_without(item, "slug"))[0]
        for item in data["sources"]
    }
    topics = {
        item["slug"]: Topic.objects.update_or_create(
            slug=item["slug"],
            defaults={**_without(item, "slug", "keywords"), "keywords": "\n".join(item["keywords"])},
        )[0]
        for item in data["topics"]
    }
    speakers = {}
    for item in data["speakers"]:
        speaker, _ = Speaker.objects.update_or_create(
            slug=item["slug"], defaults={**_without(item, "slug", "aliases"), "needs_review": False}
        )
        for alias in item["aliases"]:
            SpeakerAlias.objects.update_or_create(
                speaker=speaker,
                text=alias["text"],
                valid_from=_date(alias["valid_from"]),
                defaults={"valid_to": _date(alias["valid_to"])},
            )
        speakers[item["slug"]] = speaker

    quote_count = 0
    for item in data["articles"]:
        (record,) = read_records(path.parent / item["file"])
        article, _ = article_import(
            title=item["title"],
            content=record.content,
            content_format=record.content_format,
            source=sources[item["source"]],
            url=item["url"],
            published=_date(item["published"]),
            language=item["language"],
            topics=[topics[slug] for slug in item["topics"]],
            status=item["status"],
            extract=False,  # the seed's quotes are curated by hand below
        )
        for quote_item in item["quotes"]:
            quote, _ = Quote.objects.update_or_create(
                article=article,
                start=quote_item["start"],
                end=quote_item["end"],
                defaults={
                    "text": quote_item["text"],
                    "speaker": speakers[quote_item["speaker"]],
                    "kind": quote_item["kind"],
                    "status": Quote.Status.APPROVED,
                    "confidence": 1.0,
                },
            )
            quote.full_clean()
            quote.topics.set([topics[slug] for slug in quote_item["topics"]])
            quote_count += 1
        article_set_status(articles=type(article).objects.filter(pk=article.pk), status=item["status"])
    quotes_link(quotes=Quote.objects.filter(article__title__in=[a["title"] for a in data["articles"]]).select_related("article"))
    # Now, not when the index queue is next applied: the seeded pages are right at once.
    quote_counts_refresh(
        speaker_ids=[speaker.pk for speaker in speakers.values()], topic_ids=[topic.pk for topic in topics.values()]
    )
    return {"articles": len(data["articles"]), "quotes": quote_count, "speakers": len(speakers)}


def _without(mapping, *keys):
    return {key: value for key, value in mapping.items() if key not in keys}

"""Small builders for test data: each returns a saved record with sensible defaults."""

import datetime
import itertools

from statements.models import Article, Quote, Source, Speaker, SpeakerAlias, Topic
from statements.services import article_import

_counter = itertools.count(1)


def make_source(name=None, **fields):
    number = next(_counter)
    name = name or f"Outlet {number}"
    return Source.objects.create(name=name, slug=fields.pop("slug", f"outlet-{number}"), **fields)


def make_topic(name="China", **fields):
    from django.utils.text import slugify

    return Topic.objects.create(name=name, slug=fields.pop("slug", slugify(name)), **fields)


def make_speaker(name="Antony Blinken", *, aliases=(), **fields):
    from statements.models import unique_slug

    speaker = Speaker.objects.create(name=name, slug=fields.pop("slug", unique_slug(Speaker, name)), **fields)
    for alias in aliases:
        SpeakerAlias.objects.create(speaker=speaker, text=alias)
    return speaker


def make_article(text=None, *, title=None, status=Article.Status.PUBLISHED, published=datetime.date(2021, 3, 24), **fields):
    number = next(_counter)
    text = text or f"Article number {number}. “We stand together,” the minister said."
    article, _ = article_import(
        title=title or f"Article {number}",
        content=text,
        content_format="text",
        published=published,
        status=status,
        extract=fields.pop("extract", False),
        **fields,
    )
    return article


def make_quote(article=None, words=None, *, speaker=None, status=Quote.Status.APPROVED, kind=Quote.Kind.FULL, **fields):
    """A quote of `words` found in `article`'s text (both made up when not given)."""
    if article is None:
        words = words or f"Quote number {next(_counter)} is what was said"
        article = make_article(f"Reporters heard this. “{words},” the speaker said.")
    words = words or article.text.split("“")[1].split("”")[0].rstrip(",")
    start = article.text.index(words)
    return Quote.objects.create(
        article=article,
        speaker=speaker or make_speaker(f"Speaker {next(_counter)}"),
        text=words,
        start=start,
        end=start + len(words),
        status=status,
        kind=kind,
        **fields,
    )

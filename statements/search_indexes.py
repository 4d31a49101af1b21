"""What the search engine knows of quotes and articles. Both indexes are built from the
`.published()` querysets, so the index never holds what a visitor may not see.

Filters and facets use slugs and ids (exact values), never display names: engines analyse text
fields (Whoosh stems them), which would split and stem a speaker's name.
"""

import datetime

from django.db.models import Prefetch
from haystack import indexes

from .models import Article, Quote, Speaker, SpeakerAlias, Topic

QUOTE_DOCUMENT_FIELDS = ("text", "kind", "status", "updated_at", "speaker", "article")


class WordsField(indexes.CharField):
    """Text indexed word for word (no stemming): exact phrases, prefixes and spelling
    suggestions use it. Backends that do not know the marker index it as ordinary text."""

    stemmed = False


class QuoteIndex(indexes.SearchIndex, indexes.Indexable):
    # Nothing but identifiers is stored: results are read from the database, so a stored copy
    # of the text would only cost indexing time and index size.
    text = indexes.CharField(document=True, stored=False)
    words = WordsField(stored=False)
    speaker = indexes.CharField(model_attr="speaker__slug", faceted=True, indexed=False, stored=False)
    topics = indexes.MultiValueField(faceted=True, indexed=False, stored=False)
    source = indexes.CharField(faceted=True, indexed=False, stored=False, null=True)
    year = indexes.CharField(faceted=True, indexed=False, stored=False, null=True)
    date = indexes.DateTimeField(null=True, stored=False)
    kind = indexes.CharField(model_attr="kind", faceted=True, indexed=False, stored=False)

    def get_model(self):
        return Quote

    def index_queryset(self, using=None):
        # Only what a document is made of: a quote's article would otherwise bring its whole
        # body and text along, for every quote of a rebuild.
        # Speakers and articles are prefetched rather than joined: a batch's quotes share one
        # record of each (a rebuild makes a model instance per speaker, not per quote).
        return (
            Quote.objects.published()
            .only(*QUOTE_DOCUMENT_FIELDS)
            .prefetch_related(
                indexed_topics(),
                Prefetch(
                    "speaker",
                    queryset=Speaker.objects.only("name", "slug").prefetch_related(
                        Prefetch("aliases", queryset=SpeakerAlias.objects.only("speaker_id", "text"))
                    ),
                ),
                Prefetch(
                    "article",
                    queryset=Article.objects.only("title", "published", "status", "source", "source__slug").select_related("source"),
                ),
            )
            .order_by("pk")
        )

    def read_queryset(self, using=None):
        return Quote.objects.published().with_related()

    def get_updated_field(self):
        return "updated_at"

    def prepare_text(self, quote):
        # What a visitor may search a quote by: its words, who said it (by every name the
        # archive knows them by: "the top U.S. diplomat") and the headline it appeared under.
        # Built in Python rather than a template: it runs for every quote of a full rebuild.
        names = [quote.speaker.name, *(alias.text for alias in quote.speaker.aliases.all())]
        return "\n".join([quote.text, *names, quote.article.title])

    prepare_words = prepare_text

    def prepare_topics(self, quote):
        return topic_slugs(quote)

    def prepare_source(self, quote):
        return quote.article.source.slug if quote.article.source_id else None

    def prepare_year(self, quote):
        return str(quote.article.published.year) if quote.article.published else None

    def prepare_date(self, quote):
        return published_datetime(quote.article)


class ArticleIndex(indexes.SearchIndex, indexes.Indexable):
    text = indexes.CharField(document=True, stored=False)
    words = WordsField(stored=False)
    source = indexes.CharField(faceted=True, indexed=False, stored=False, null=True)
    topics = indexes.MultiValueField(faceted=True, indexed=False, stored=False)
    date = indexes.DateTimeField(null=True, stored=False)

    def get_model(self):
        return Article

    def index_queryset(self, using=None):
        return (
            Article.objects.published()
            .select_related("source")
            .defer("body")
            .prefetch_related(indexed_topics())
            .order_by("pk")
        )

    def read_queryset(self, using=None):
        return Article.objects.published().select_related("source")

    def get_updated_field(self):
        return "updated_at"

    def prepare_text(self, article):
        return f"{article.title}\n{article.text}"

    prepare_words = prepare_text

    def prepare_source(self, article):
        return article.source.slug if article.source_id else None

    def prepare_topics(self, article):
        return topic_slugs(article)

    def prepare_date(self, article):
        return published_datetime(article)


def indexed_topics():
    # A plain list on each object (to_attr): the usual prefetch makes a related manager and
    # compiles a filtered queryset for every quote of a rebuild, the costliest part of reading
    # its rows (with it gone, a 10k rebuild went from about 2,400 to 3,000-3,300 quotes/s).
    return Prefetch("topics", queryset=Topic.objects.only("slug"), to_attr="indexed_topics")


def topic_slugs(obj):
    """The sorted slugs of a quote's or an article's topics: from what the index's queryset
    prefetched, or from the database for an object that did not come from it."""
    topics = getattr(obj, "indexed_topics", None)
    if topics is None:
        topics = obj.topics.all()
    return sorted(topic.slug for topic in topics)


def published_datetime(article):
    """The publication date as a timezone-aware datetime (midnight UTC), for date filters."""
    if not article.published:
        return None
    return datetime.datetime.combine(article.published, datetime.time.min, tzinfo=datetime.UTC)


#: Every model the search engine indexes; the index queue and the tests iterate over this.
INDEXED_MODELS = (Quote, Article)

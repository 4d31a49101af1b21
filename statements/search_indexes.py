"""What the search engine knows of quotes and articles. Both indexes are built from the
`.published()` querysets, so the index never holds what a visitor may not see.

Filters and facets use slugs and ids (exact values), never display names: engines analyse text
fields (Whoosh stems them), which would split and stem a speaker's name.
"""

import datetime

from haystack import indexes

from .models import Article, Quote


class WordsField(indexes.CharField):
    """Text indexed word for word (no stemming): exact phrases, prefixes and spelling
    suggestions use it. Backends that do not know the marker index it as ordinary text."""

    stemmed = False


class QuoteIndex(indexes.SearchIndex, indexes.Indexable):
    text = indexes.CharField(document=True, use_template=True)
    words = WordsField(use_template=True, template_name="search/indexes/statements/quote_text.txt", stored=False)
    speaker = indexes.CharField(model_attr="speaker__slug", faceted=True, indexed=False, stored=False)
    topics = indexes.MultiValueField(faceted=True, indexed=False, stored=False)
    source = indexes.CharField(faceted=True, indexed=False, stored=False, null=True)
    year = indexes.CharField(faceted=True, indexed=False, stored=False, null=True)
    date = indexes.DateTimeField(null=True, stored=False)
    kind = indexes.CharField(model_attr="kind", faceted=True, indexed=False, stored=False)

    def get_model(self):
        return Quote

    def index_queryset(self, using=None):
        return (
            Quote.objects.published()
            .select_related("speaker", "article", "article__source")
            .prefetch_related("topics", "speaker__aliases")
            .order_by("pk")
        )

    def read_queryset(self, using=None):
        return Quote.objects.published().with_related()

    def get_updated_field(self):
        return "updated_at"

    def prepare_topics(self, quote):
        return sorted(topic.slug for topic in quote.topics.all())

    def prepare_source(self, quote):
        return quote.article.source.slug if quote.article.source_id else None

    def prepare_year(self, quote):
        return str(quote.article.published.year) if quote.article.published else None

    def prepare_date(self, quote):
        return published_datetime(quote.article)


class ArticleIndex(indexes.SearchIndex, indexes.Indexable):
    text = indexes.CharField(document=True, use_template=True)
    words = WordsField(use_template=True, template_name="search/indexes/statements/article_text.txt", stored=False)
    source = indexes.CharField(faceted=True, indexed=False, stored=False, null=True)
    topics = indexes.MultiValueField(faceted=True, indexed=False, stored=False)
    date = indexes.DateTimeField(null=True, stored=False)

    def get_model(self):
        return Article

    def index_queryset(self, using=None):
        return Article.objects.published().select_related("source").prefetch_related("topics").order_by("pk")

    def read_queryset(self, using=None):
        return Article.objects.published().select_related("source")

    def get_updated_field(self):
        return "updated_at"

    def prepare_source(self, article):
        return article.source.slug if article.source_id else None

    def prepare_topics(self, article):
        return sorted(topic.slug for topic in article.topics.all())

    def prepare_date(self, article):
        return published_datetime(article)


def published_datetime(article):
    """The publication date as a timezone-aware datetime (midnight UTC), for date filters."""
    if not article.published:
        return None
    return datetime.datetime.combine(article.published, datetime.time.min, tzinfo=datetime.UTC)


#: Every model the search engine indexes; the index queue and the tests iterate over this.
INDEXED_MODELS = (Quote, Article)

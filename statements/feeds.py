"""Atom feeds: the latest quotes, per speaker, per topic, and for any search."""

from django.contrib.syndication.views import Feed
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from .models import MonthlyQuoteCount, Quote, Speaker, Topic
from .search import PageNotFound, search_from_params

ITEMS = 30


class QuoteFeed(Feed):
    feed_type = Atom1Feed

    def items(self, obj=None):
        return Quote.objects.published().with_related().latest(ITEMS)

    def item_title(self, quote):
        words = quote.text if len(quote.text) <= 90 else quote.text[:89] + "…"
        return f"{quote.speaker.name}: “{words}”"

    def item_description(self, quote):
        source = f" ({quote.article.source.name})" if quote.article.source_id else ""
        return f"“{quote.text}” — {quote.speaker.name}, in “{quote.article.title}”{source}"

    def item_author_name(self, quote):
        return quote.speaker.name

    def item_pubdate(self, quote):
        return quote.created_at

    def item_updateddate(self, quote):
        return quote.updated_at


class LatestQuotesFeed(QuoteFeed):
    title = "Statements Archive: latest quotes"
    subtitle = "The newest quotes published in the archive."

    def link(self):
        return reverse("statements:home")


class SpeakerQuotesFeed(QuoteFeed):
    def get_object(self, request, slug):
        return get_object_or_404(Speaker.objects.public(), slug=slug)

    def title(self, speaker):
        return f"Statements Archive: {speaker.name}"

    def subtitle(self, speaker):
        return f"New quotes of {speaker.name}."

    def link(self, speaker):
        return speaker.get_absolute_url()

    def items(self, speaker):
        return Quote.objects.published().by_speaker(speaker).with_related().newest_first_slice(
            0, ITEMS, monthly_counts=MonthlyQuoteCount.objects.newest_first(speaker=speaker)
        )


class TopicQuotesFeed(QuoteFeed):
    def get_object(self, request, slug):
        return get_object_or_404(Topic, slug=slug)

    def title(self, topic):
        return f"Statements Archive: {topic.name}"

    def subtitle(self, topic):
        return f"New quotes on {topic.name}."

    def link(self, topic):
        return topic.get_absolute_url()

    def items(self, topic):
        return Quote.objects.published().on_topic(topic).with_related().newest_first_slice(
            0, ITEMS, monthly_counts=MonthlyQuoteCount.objects.newest_first(topic=topic), topic=topic
        )


class SearchQuotesFeed(QuoteFeed):
    """/feeds/search/?q=…&speaker=… : the newest quotes matching a search."""

    def get_object(self, request):
        params = request.GET.copy()
        params["sort"] = "newest"
        params.pop("page", None)
        try:
            found = search_from_params(params)
        except PageNotFound:
            raise Http404 from None
        if found.form.errors:
            raise Http404("Invalid search parameters.")
        found.query_string = request.GET.urlencode()
        return found

    def title(self, found):
        return f"Statements Archive: search “{found.parsed}”" if found.parsed.terms else "Statements Archive: search"

    def subtitle(self, found):
        return "New quotes matching a saved search."

    def link(self, found):
        return reverse("statements:search") + (f"?{found.query_string}" if found.query_string else "")

    def items(self, found):
        return found.outcome.quotes if found.outcome else []

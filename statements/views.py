"""Public pages. Every queryset here starts from `.published()` (or the public speakers), so an
unpublished article or an unapproved quote never reaches a visitor."""

import heapq
from collections import Counter

from django.core.paginator import Paginator
from django.http import Http404, HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST
from django.views.generic import DetailView, ListView, TemplateView
from django.views.generic.detail import SingleObjectMixin

from . import alerts, citation
from .exporting import csv_lines, exported_quotes, json_lines, quote_row
from .forms import SpeakerFilterForm, SubscriptionForm
from .highlighting import highlight
from .linking import word_diff
from .models import (
    Article,
    MonthlyQuoteCount,
    Quote,
    QuoteTopic,
    Source,
    Speaker,
    SpeakerRedirect,
    Statement,
    Subscription,
    Topic,
)
from .search import PageNotFound, article_search, collapse_statements, search_from_params

QUOTES_PER_PAGE = 20


RECENT_QUOTES = 2000


class HomeView(TemplateView):
    """The front page. Its counts cover the most recently added quotes, so the page costs
    the same whatever the size of the archive (the full counts are on /speakers/ and /topics/)."""

    template_name = "statements/home.html"

    def get_context_data(self, **kwargs):
        recent = Quote.objects.added_last(RECENT_QUOTES)
        speaker_counts = Counter(recent.values_list("speaker_id", flat=True))
        # The recent quotes as a subquery: thousands of ids as parameters cost more to prepare.
        topic_counts = Counter(
            QuoteTopic.objects.filter(quote__in=recent.values("pk")).values_list("topic_id", flat=True)
        )
        return super().get_context_data(
            latest_quotes=Quote.objects.published().with_related().latest(10),
            top_speakers=most_counted(Speaker.objects.public(), speaker_counts, 10),
            topics=most_counted(Topic.objects.all(), topic_counts, 15),
            **kwargs,
        )


def most_counted(queryset, counts, limit):
    """The `limit` objects of `queryset` with the highest `counts` (by pk), most first, then by
    name; each with `quote_count`. Only those that can make the cut are read: the `limit`
    highest counts, and every tie with the last of them."""
    if len(counts) > limit:
        cut = heapq.nlargest(limit, counts.values())[-1]
        counts = {pk: count for pk, count in counts.items() if count >= cut}
    found = list(queryset.filter(pk__in=counts))
    for obj in found:
        obj.quote_count = counts[obj.pk]
    return sorted(found, key=lambda obj: (-obj.quote_count, obj.name))[:limit]


class StoredCountPaginator(Paginator):
    """Pages of a speaker's or a topic's quotes, sized by the stored count and monthly counts
    (kept by the index queue) rather than by counting and sorting all of them on every view
    (QuoteQuerySet.newest_first_slice). A page holds whatever rows are there, so a count that
    lags a change by a moment (the queue applies it just after the commit) never hides a
    quote from the first page."""

    def __init__(self, object_list, per_page, *, count, monthly_counts, topic=None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.count = count  # takes the place of the counting cached_property
        self.monthly_counts = monthly_counts
        self.topic = topic

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        rows = self.object_list.newest_first_slice(
            bottom, bottom + self.per_page, monthly_counts=self.monthly_counts, topic=self.topic
        )
        return self._get_page(rows, number, self)


class QuoteListOfObjectMixin(SingleObjectMixin):
    """A detail page whose body is a paginated list of the object's public quotes
    (the pattern from Django's docs: SingleObjectMixin with ListView)."""

    paginate_by = QUOTES_PER_PAGE

    def get(self, request, *args, **kwargs):
        self.object = self.get_object(queryset=self.get_object_queryset())
        return super().get(request, *args, **kwargs)

    def get_object_queryset(self):
        return self.model._default_manager.all()

    def get_context_data(self, **kwargs):
        return super().get_context_data(**{self.context_object_name: self.object, **kwargs})

    def get_paginator(self, queryset, per_page, **kwargs):
        monthly_counts = MonthlyQuoteCount.objects.newest_first(**{self.context_object_name: self.object})
        return StoredCountPaginator(
            queryset, per_page, count=self.object.published_quote_count, monthly_counts=monthly_counts, **kwargs
        )

    def quotes(self):
        return Quote.objects.published().with_related().newest_first()


class SpeakerListView(ListView):
    """/speakers/: filter by kind, role and country; alphabetical or most quoted first."""

    template_name = "statements/speaker_list.html"
    context_object_name = "speakers"
    paginate_by = 100

    def get_queryset(self):
        self.form = SpeakerFilterForm(self.request.GET or None)
        speakers = Speaker.objects.public()
        data = self.form.cleaned_data if self.form.is_valid() else {}
        for name in ("kind", "role", "country"):
            if data.get(name):
                speakers = speakers.filter(**{name: data[name]})
        if data.get("order") == "most-quoted":
            return speakers.order_by("-published_quote_count", "name")
        return speakers.order_by("name")

    def get_context_data(self, **kwargs):
        return super().get_context_data(form=self.form, **kwargs)


class SpeakerDetailView(QuoteListOfObjectMixin, ListView):
    model = Speaker
    template_name = "statements/speaker_detail.html"
    context_object_name = "speaker"

    def get_object_queryset(self):
        return Speaker.objects.public()

    def get(self, request, *args, **kwargs):
        slug = kwargs["slug"]
        if not Speaker.objects.public().filter(slug=slug).exists():
            moved = SpeakerRedirect.objects.select_related("speaker").filter(old_slug=slug).first()
            if moved:
                return redirect(moved.speaker, permanent=True)
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return self.quotes().by_speaker(self.object)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            aliases=self.object.aliases.all(),
            timeline_counts=MonthlyQuoteCount.objects.timeline_of(speaker=self.object),
            speaker_topics=Topic.objects.quoted_by(self.object),
            **kwargs,
        )


class TopicListView(ListView):
    template_name = "statements/topic_list.html"
    context_object_name = "topics"

    def get_queryset(self):
        return Topic.objects.order_by("name")


class TopicDetailView(QuoteListOfObjectMixin, ListView):
    model = Topic
    template_name = "statements/topic_detail.html"
    context_object_name = "topic"

    def get_queryset(self):
        return self.quotes().on_topic(self.object)

    def get_paginator(self, queryset, per_page, **kwargs):
        return super().get_paginator(queryset, per_page, topic=self.object, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            timeline_counts=MonthlyQuoteCount.objects.timeline_of(topic=self.object),
            topic_speakers=Speaker.objects.public().quoted_on(self.object)[:20],
            **kwargs,
        )


class SourceDetailView(SingleObjectMixin, ListView):
    model = Source
    template_name = "statements/source_detail.html"
    paginate_by = QUOTES_PER_PAGE

    def get(self, request, *args, **kwargs):
        self.object = self.get_object(queryset=Source.objects.all())
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return self.object.articles.published().select_related("source")

    def get_context_data(self, **kwargs):
        return super().get_context_data(source=self.object, **kwargs)


class ArticleDetailView(DetailView):
    template_name = "statements/article_detail.html"
    context_object_name = "article"

    def get_queryset(self):
        return Article.objects.published().select_related("source").prefetch_related("topics")

    def get_context_data(self, **kwargs):
        quotes = list(self.object.quotes.published().select_related("speaker").order_by("start"))
        quoted = Counter(quote.speaker for quote in quotes)
        return super().get_context_data(
            paragraphs=self.object.marked_paragraphs(quotes),
            quotes=quotes,
            quoted_speakers=sorted(quoted.items(), key=lambda item: (-item[1], item[0].name)),
            **kwargs,
        )


class QuoteDetailView(DetailView):
    template_name = "statements/quote_detail.html"
    context_object_name = "quote"

    def get_queryset(self):
        return Quote.objects.published().with_related(article_text=True).prefetch_related("topics")

    def get_context_data(self, **kwargs):
        quote = self.object
        before, words, after = quote.context()
        other_reports = []
        if quote.statement_id:
            other_reports = (
                Quote.objects.published()
                .with_related()
                .filter(statement_id=quote.statement_id)
                .exclude(pk=quote.pk)
                .order_by("article__published", "pk")
            )
        permalink = self.request.build_absolute_uri(quote.get_absolute_url())
        return super().get_context_data(
            context_before=before,
            context_after=after,
            other_reports=other_reports,
            citation_text=citation.plain_text(quote, permalink),
            citation_bibtex=citation.bibtex(quote, permalink),
            **kwargs,
        )


class StatementDetailView(DetailView):
    template_name = "statements/statement_detail.html"
    context_object_name = "statement"

    def get_queryset(self):
        return Statement.objects.published()

    def get_context_data(self, **kwargs):
        reports = list(self.object.quotes.published().with_related().order_by("article__published", "pk"))
        if not reports:
            raise Http404("No published report of this statement.")
        canonical = self.object.canonical_text
        return super().get_context_data(
            reports=[(report, word_diff(canonical, report.text)) for report in reports],
            first_report=reports[0],
            **kwargs,
        )


class SearchView(TemplateView):
    """/search/: quotes matching a query and filters, with facets. Bad input is answered with
    notices and form errors on a normal page; only a page number past the end is a 404."""

    template_name = "statements/search.html"

    def get_context_data(self, **kwargs):
        try:
            search = search_from_params(self.request.GET)
        except PageNotFound:
            raise Http404("No such page of results.") from None
        context = super().get_context_data(search=search, form=search.form, **kwargs)
        if search.outcome is not None:
            context["results"] = [
                (quote, highlight(quote.text, search.parsed), others, len({r.article.source_id or r.article_id for r in [quote, *others]}))
                for quote, others in collapse_statements(search.outcome.quotes)
            ]
            context["folded"] = len(search.outcome.quotes) - len(context["results"])
        elif search.is_empty:
            context["latest_quotes"] = Quote.objects.published().with_related().latest(5)
            context["top_speakers"] = Speaker.objects.public().quoted().order_by("-published_quote_count", "name")[:10]
            context["topics"] = Topic.objects.order_by("name")
        return context


class ArticleSearchView(TemplateView):
    """/search/articles/: published articles matching the query in their headline or text."""

    template_name = "statements/article_search.html"

    def get_context_data(self, **kwargs):
        try:
            search = article_search(self.request.GET)
        except PageNotFound:
            raise Http404("No such page of results.") from None
        return super().get_context_data(search=search, **kwargs)


def search_export(request):
    """/search/export/?format=csv|json&<search parameters>: every matching quote, streamed."""
    export_format = request.GET.get("format", "csv")
    if export_format not in ("csv", "json"):
        return HttpResponseBadRequest("format must be csv or json")
    params = request.GET.copy()
    params.pop("page", None)
    found = search_from_params(params)
    if found.form.errors:
        return HttpResponseBadRequest("Invalid search parameters: " + "; ".join(
            f"{field}: {' '.join(errors)}" for field, errors in found.form.errors.items()
        ))
    rows = (quote_row(quote, request.build_absolute_uri) for quote in exported_quotes(found))
    if export_format == "csv":
        response = StreamingHttpResponse(csv_lines(rows), content_type="text/csv; charset=utf-8")
    else:
        response = StreamingHttpResponse(json_lines(rows), content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="statements-archive-quotes.{export_format}"'
    return response


@require_POST
def alert_subscribe(request):
    form = SubscriptionForm(request.POST)
    if not form.is_valid():
        return render(request, "statements/alert_subscribe.html", {"form": form}, status=400)
    data = form.cleaned_data
    kind = "speaker" if data.get("speaker") else "topic" if data.get("topic") else "search"
    subscription = alerts.subscription_create(
        email=data["email"], kind=kind, speaker=data.get("speaker") or None, topic=data.get("topic") or None,
        query=data.get("query") or "",
    )
    return render(request, "statements/alert_subscribe.html", {"subscription": subscription})


def alert_confirm(request, token):
    subscription = alerts.subscription_confirm(token=token)
    if subscription is None:
        raise Http404("This confirmation link is not valid (any more).")
    return render(request, "statements/alert_confirmed.html", {"subscription": subscription})


def alert_unsubscribe(request, token):
    subscription = Subscription.objects.filter(token=token).select_related("speaker", "topic").first()
    if request.method == "POST":
        alerts.subscription_cancel(token=token)
        return render(request, "statements/alert_unsubscribe.html", {"done": True})
    if subscription is None:
        return render(request, "statements/alert_unsubscribe.html", {"done": True})
    return render(request, "statements/alert_unsubscribe.html", {"subscription": subscription})

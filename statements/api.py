"""The read-only JSON API under /api/v1/. Plain Django views with JsonResponse: the API is
small, read-only and mirrors the pages, so Django REST Framework (serializers, routers,
browsable pages) would add a dependency without removing code. Ids and slugs are stable;
lists are paginated (`?page=N`, 50 a page) with `count`, `next` and `previous`."""

import datetime

from django.core.paginator import EmptyPage, Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse

from .models import Quote, Speaker, Topic
from .search import PageNotFound, collapse_statements, search_from_params

PER_PAGE = 50


def api_response(data, status=200):
    return JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})


def paginated(request, queryset, serialize):
    try:
        number = int(request.GET.get("page", "1"))
        page = Paginator(queryset, PER_PAGE).page(number)
    except (ValueError, EmptyPage):
        raise Http404("No such page.") from None

    def link(page_number):
        params = request.GET.copy()
        params["page"] = page_number
        return request.build_absolute_uri(f"{request.path}?{params.urlencode()}")

    return api_response(
        {
            "count": page.paginator.count,
            "page": page.number,
            "num_pages": page.paginator.num_pages,
            "next": link(page.next_page_number()) if page.has_next() else None,
            "previous": link(page.previous_page_number()) if page.has_previous() else None,
            "results": [serialize(item, request) for item in page.object_list],
        }
    )


def speaker_json(speaker, request, *, detail=False):
    data = {
        "slug": speaker.slug,
        "name": speaker.name,
        "kind": speaker.kind,
        "role": speaker.role,
        "organization": speaker.organization,
        "country": speaker.country,
        "quote_count": speaker.published_quote_count,
        "url": request.build_absolute_uri(speaker.get_absolute_url()),
        "api_url": request.build_absolute_uri(reverse("statements:api-speaker-detail", kwargs={"slug": speaker.slug})),
    }
    if detail:
        data["bio"] = speaker.bio
        data["aliases"] = [
            {"text": a.text, "valid_from": _iso(a.valid_from), "valid_to": _iso(a.valid_to)} for a in speaker.aliases.all()
        ]
        data["quotes_api_url"] = request.build_absolute_uri(reverse("statements:api-quote-list") + f"?speaker={speaker.slug}")
    return data


def topic_json(topic, request):
    return {
        "slug": topic.slug,
        "name": topic.name,
        "description": topic.description,
        "quote_count": topic.published_quote_count,
        "url": request.build_absolute_uri(topic.get_absolute_url()),
        "api_url": request.build_absolute_uri(reverse("statements:api-topic-detail", kwargs={"slug": topic.slug})),
    }


def quote_json(quote, request):
    article = quote.article
    return {
        "id": quote.pk,
        "text": quote.text,
        "kind": quote.kind,
        "speaker": {"name": quote.speaker.name, "slug": quote.speaker.slug},
        "article": {
            "title": article.title,
            "url": request.build_absolute_uri(article.get_absolute_url()),
            "original_url": article.url,
            "source": article.source.name if article.source_id else None,
            "published": _iso(article.published),
        },
        "statement": quote.statement_id,
        "url": request.build_absolute_uri(quote.get_absolute_url()),
    }


def _iso(day):
    return day.isoformat() if day else None


def api_index(request):
    def url(name):
        return request.build_absolute_uri(reverse(name))

    return api_response(
        {
            "speakers": url("statements:api-speaker-list"),
            "topics": url("statements:api-topic-list"),
            "quotes": url("statements:api-quote-list"),
            "search": url("statements:api-search"),
        }
    )


def speaker_list(request):
    speakers = Speaker.objects.public().order_by("name")
    return paginated(request, speakers, speaker_json)


def speaker_detail(request, slug):
    speaker = get_object_or_404(Speaker.objects.public().prefetch_related("aliases"), slug=slug)
    return api_response(speaker_json(speaker, request, detail=True))


def topic_list(request):
    return paginated(request, Topic.objects.order_by("name"), topic_json)


def topic_detail(request, slug):
    topic = get_object_or_404(Topic, slug=slug)
    data = topic_json(topic, request)
    data["speakers"] = [
        {"slug": s.slug, "name": s.name, "quote_count": s.quote_count}
        for s in Speaker.objects.public().quoted_on(topic)[:50]
    ]
    return api_response(data)


def quote_list(request):
    """/api/v1/quotes/?speaker=&topic=&source=&from=&to=&q= — with q, the search's order
    (relevance) and matching; without, newest first from the database."""
    if request.GET.get("q", "").strip():
        return search(request)
    quotes = Quote.objects.published().with_related().newest_first()
    filters = {"speaker": "speaker__slug", "topic": "topics__slug", "source": "article__source__slug"}
    for param, lookup in filters.items():
        if request.GET.get(param):
            quotes = quotes.filter(**{lookup: request.GET[param]})
    try:
        if request.GET.get("from"):
            quotes = quotes.filter(article__published__gte=datetime.date.fromisoformat(request.GET["from"]))
        if request.GET.get("to"):
            quotes = quotes.filter(article__published__lte=datetime.date.fromisoformat(request.GET["to"]))
    except ValueError:
        return api_response({"errors": {"date": [{"message": "Dates are YYYY-MM-DD."}]}}, status=400)
    return paginated(request, quotes, quote_json)


def quote_detail(request, pk):
    quote = get_object_or_404(Quote.objects.published().with_related(article_text=True), pk=pk)
    data = quote_json(quote, request)
    before, _, after = quote.context()
    data["context"] = {"before": before, "after": after}
    data["topics"] = [{"slug": t.slug, "name": t.name} for t in quote.topics.all()]
    data["also_reported_by"] = [
        quote_json(other, request)
        for other in Quote.objects.published().with_related().filter(statement_id=quote.statement_id).exclude(pk=quote.pk)
    ] if quote.statement_id else []
    return api_response(data)


def search(request):
    """/api/v1/search/: the search page's results as JSON, same parameters, same order."""
    try:
        found = search_from_params(request.GET)
    except PageNotFound:
        raise Http404("No such page of results.") from None
    if found.form.errors:
        return api_response({"errors": found.form.errors.get_json_data()}, status=400)
    outcome = found.outcome
    return api_response(
        {
            "query": str(found.parsed),
            "notices": found.parsed.notices,
            "count": outcome.total if outcome else 0,
            "page": found.page,
            "num_pages": found.num_pages,
            "results": [
                {**quote_json(quote, request), "also_reported_by": [quote_json(other, request) for other in others]}
                for quote, others in collapse_statements(outcome.quotes)
            ]
            if outcome
            else [],
            "facets": {
                facet: [{"value": value, "name": name, "count": count} for value, name, count in values]
                for facet, values in (outcome.facets.items() if outcome else [])
            },
            "facets_not_shown": outcome.facets_not_shown if outcome else {},
            "suggestion": outcome.suggestion if outcome else None,
        }
    )

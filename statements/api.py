"""The read-only JSON API under /api/v1/. Plain Django views with JsonResponse: the API is
small, read-only and shaped by the pages it mirrors, so Django REST Framework's serializers,
routers and browsable pages would add a dependency without removing code."""

from django.http import Http404, JsonResponse

from .search import PageNotFound, collapse_statements, search_from_params


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
            "published": article.published.isoformat() if article.published else None,
        },
        "url": request.build_absolute_uri(quote.get_absolute_url()),
    }


def search(request):
    """/api/v1/search/: the search page's results as JSON, same parameters, same order."""
    try:
        found = search_from_params(request.GET)
    except PageNotFound:
        raise Http404("No such page of results.") from None
    if found.form.errors:
        return JsonResponse({"errors": found.form.errors.get_json_data()}, status=400)
    outcome = found.outcome
    return JsonResponse(
        {
            "query": str(found.parsed),
            "notices": found.parsed.notices,
            "count": outcome.total if outcome else 0,
            "page": found.page,
            "num_pages": found.num_pages,
            "results": [
                {
                    **quote_json(quote, request),
                    "statement": quote.statement_id,
                    "also_reported_by": [quote_json(other, request) for other in others],
                }
                for quote, others in collapse_statements(outcome.quotes)
            ]
            if outcome
            else [],
            "facets": {
                facet: [{"value": value, "name": name, "count": count} for value, name, count in values]
                for facet, values in (outcome.facets.items() if outcome else [])
            },
            "suggestion": outcome.suggestion if outcome else None,
        },
        json_dumps_params={"ensure_ascii": False},
    )

from django import template
from django.template import defaulttags

from ..timeline import build_timeline

register = template.Library()


@register.inclusion_tag("statements/includes/timeline.html")
def quote_timeline(counts, label):
    """The SVG timeline of {first day of month: quotes} (MonthlyQuoteCount.objects.timeline_of)."""
    return {"timeline": build_timeline(counts), "label": label}


@register.simple_tag(takes_context=True)
def querystring_with(context, name, value):
    """The page's query string with one parameter set (its name a variable, which the built-in
    {% querystring %} cannot take) and the page number dropped: a facet's link."""
    return defaulttags.querystring(context, **{name: value, "page": None})

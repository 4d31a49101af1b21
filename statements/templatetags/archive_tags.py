from django import template

from ..timeline import build_timeline

register = template.Library()


@register.inclusion_tag("statements/includes/timeline.html")
def quote_timeline(counts, label):
    """The SVG timeline of {first day of month: quotes} (MonthlyQuoteCount.objects.timeline_of)."""
    return {"timeline": build_timeline(counts), "label": label}

from django import template

from ..timeline import build_timeline, monthly_counts

register = template.Library()


@register.inclusion_tag("statements/includes/timeline.html")
def quote_timeline(quotes, label):
    """The SVG timeline of a Quote queryset (public quotes only: pass a .published() one)."""
    return {"timeline": build_timeline(monthly_counts(quotes)), "label": label}

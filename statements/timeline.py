"""A quote timeline (quotes per month) drawn as an SVG bar chart on the server: readable
without JavaScript, with axis labels and a text alternative."""

import datetime
from dataclasses import dataclass
from functools import cached_property

from django.template.defaultfilters import pluralize
from django.utils.dates import MONTHS
from django.utils.html import format_html_join

from .models import month_after

WIDTH, HEIGHT = 640, 180
LEFT, RIGHT, TOP, BOTTOM = 36, 8, 12, 28


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    month: datetime.date
    count: int


@dataclass(frozen=True)
class Timeline:
    bars: list
    x_ticks: list  # (x, label)
    y_ticks: list  # (y, label)
    total: int
    first: datetime.date | None
    last: datetime.date | None
    peak: tuple | None  # (month, count)
    width: int = WIDTH
    height: int = HEIGHT
    plot_left: int = LEFT
    plot_bottom: int = HEIGHT - BOTTOM

    @cached_property
    def bars_svg(self):
        """The bars' SVG, each with its month and count as a tooltip. Drawn here rather than
        by a template loop: a timeline of 27 years has over 300 bars, and the template engine
        would spend more on them than on the rest of the page."""
        month_names = {month: str(name) for month, name in MONTHS.items()}  # as the date filter's "F"
        return format_html_join(
            "",
            '<rect class="bar" x="{}" y="{}" width="{}" height="{}"><title>{} {}: {} quote{}</title></rect>',
            (
                (bar.x, bar.y, bar.width, bar.height, month_names[bar.month.month], bar.month.year, bar.count, pluralize(bar.count))
                for bar in self.bars
            ),
        )


def _months_between(first, last):
    months, current = [], first
    while current <= last:
        months.append(current)
        current = month_after(current)
    return months


def build_timeline(counts):
    if not counts:
        return Timeline(bars=[], x_ticks=[], y_ticks=[], total=0, first=None, last=None, peak=None)
    first, last = min(counts), max(counts)
    first = first.replace(month=1)  # whole years read better on the axis
    # At least a whole year, so a few months of quotes are thin bars, not a slab.
    months = _months_between(first, max(last, first.replace(month=12)))
    plot_width = WIDTH - LEFT - RIGHT
    plot_height = HEIGHT - TOP - BOTTOM
    slot = plot_width / len(months)
    peak_count = max(counts.values())
    bars = []
    for index, month in enumerate(months):
        count = counts.get(month, 0)
        if not count:
            continue
        height = max(1.5, plot_height * count / peak_count)
        bars.append(Bar(
            x=round(LEFT + index * slot + slot * 0.1, 2), y=round(TOP + plot_height - height, 2),
            width=round(max(slot * 0.8, 1), 2), height=round(height, 2), month=month, count=count,
        ))
    years = sorted({m.year for m in months})
    step = max(1, len(years) // 8)
    x_ticks = [
        (round(LEFT + months.index(datetime.date(year, 1, 1)) * slot, 2), str(year))
        for year in years[::step]
        if datetime.date(year, 1, 1) in months
    ]
    y_ticks = [(TOP + plot_height, "0"), (TOP, str(peak_count))]
    peak = max(counts.items(), key=lambda item: (item[1], item[0]))
    return Timeline(bars=bars, x_ticks=x_ticks, y_ticks=y_ticks, total=sum(counts.values()), first=min(counts), last=last, peak=peak)

"""The home page's charts, drawn as SVG on the server: columns per month (this year against last
year) and bars against a goal (training against its target, a project against its budget, a
drive against its goal).

Drawn here rather than by a JavaScript library (ECharts, vendored from npm, was the alternative):
the figures are already computed by the selectors when the page is built, so an SVG of a few
rectangles costs nothing more; it shows without JavaScript, prints as it is, scales to a phone by
its viewBox, needs no ``'unsafe-eval'`` nor inline style under the content security policy (fills
are SVG presentation attributes), and each mark is a plain ``<a>`` to the list behind it, as every
figure of the page is. The page stays as light as it was (ECharts is about 1 MB of script).

This module only lays marks out: what a mark says and where it links is given by the caller
(``reports.dashboard``). Geometry is in the SVG's own units; the SVG is as wide as its box.
"""

import datetime
import math
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from redcross.money import WAN, format_money

WIDTH = 360  # of every chart's viewBox: about a phone's width, so its text stays readable there
FONT = 12

THIS_YEAR = "#c8161d"
LAST_YEAR = "#b3b3b3"
TRACK = "#ececec"
BEYOND = "#6b0a0e"  # what a project spent beyond its budget
GOAL = "#333333"


def text_width(text, size=FONT):
    """About how wide ``text`` is drawn at ``size``: a Chinese character is square, the rest narrower."""
    return sum(size if ord(ch) >= 0x2E80 else size * 0.6 for ch in str(text))


def shorten(text, width, size=FONT):
    """``text`` cut (with …) to fit ``width``."""
    text = str(text)
    if text_width(text, size) <= width:
        return text
    while text and text_width(text + "…", size) > width:
        text = text[:-1]
    return text + "…"


def nice_step(span, ticks=4):
    """A round step (1, 2, 2.5 or 5 times a power of ten) dividing ``span`` into about ``ticks``."""
    if span <= 0:
        return 1
    raw = span / ticks
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if factor * magnitude >= raw:
            return factor * magnitude
    return 10 * magnitude


def _plain_number(value):
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


@dataclass
class Mark:
    """One bar or column: what it is drawn as, what it says (its ``<title>``), where it links,
    and its exact value (``data-value``) for whoever reads the page as data."""

    url: str
    title: str
    value: object
    x: float
    y: float
    width: float
    height: float
    fill: str
    data: dict = field(default_factory=dict)


@dataclass
class Series:
    """A year's values per month ({first day of the month: amount}), and the list of a month."""

    label: str
    year: int
    values: dict
    url: object  # month (first day) → URL of the records behind it
    fill: str


@dataclass
class ColumnChart:
    title: str
    label: str  # what the SVG says to a screen reader (role="img")
    unit: str
    height: float
    marks: list
    series: list  # (label, fill, x of its swatch, x of its label) for the legend
    ticks: list  # (y, label)
    months: list  # (x, label)
    axis_left: float
    axis_y: float  # the zero line
    plot: tuple  # (top, height) of the plotting area: a column's link takes its whole height
    kind: str = "columns"
    width: int = WIDTH

    @property
    def empty(self):
        return not self.marks


def money_axis(largest):
    """The unit an amount axis counts in: 万元 from 10,000 yuan on, otherwise 元."""
    return (WAN, _("万元")) if largest >= WAN else (Decimal(1), _("元"))


def column_chart(*, title, label, series, describe):
    """Columns per month of the year, one per series (a year) side by side, the earlier first.

    ``describe(series, month, value)`` says a column in words (its ``<title>``).
    """
    months = range(1, 13)
    left, right, top, bottom, plot = 40, 6, 30, 22, 150
    values = [v for s in series for v in s.values.values()]
    high = max([Decimal(0), *values])
    low = min([Decimal(0), *values])
    divisor, unit = money_axis(max(high, -low))
    step = Decimal(str(nice_step(float((high - low) / divisor))))
    top_value = (high / divisor / step).to_integral_value(rounding="ROUND_CEILING") * step or step
    bottom_value = (low / divisor / step).to_integral_value(rounding="ROUND_FLOOR") * step

    def y(value):
        scaled = (Decimal(value) / divisor - bottom_value) / (top_value - bottom_value)
        return round(top + plot - float(scaled) * plot, 1)

    ticks = []
    tick = bottom_value
    while tick <= top_value:
        ticks.append((y(tick * divisor), _plain_number(tick)))
        tick += step
    slot = (WIDTH - left - right) / len(months)
    bar = slot * 0.78 / len(series)
    marks = []
    for i, number in enumerate(months):
        for j, s in enumerate(series):
            month = datetime.date(s.year, number, 1)
            value = s.values.get(month)
            if not value:
                continue
            x = left + i * slot + slot * 0.11 + j * bar
            y0, y1 = y(0), y(value)
            marks.append(
                Mark(
                    url=s.url(month),
                    title=describe(s, month, value),
                    value=value,
                    x=round(x, 1),
                    y=min(y0, y1),
                    width=round(bar - 1, 1),
                    height=round(abs(y0 - y1), 1),
                    fill=s.fill,
                    data={"series": s.label, "month": month.strftime("%Y-%m")},
                )
            )
    legend = []
    x = left + 40
    for s in series:
        legend.append((s.label, s.fill, round(x, 1), round(x + 16, 1)))
        x += 16 + text_width(s.label) + 18
    return ColumnChart(
        title=title,
        label=label,
        unit=unit,
        height=top + plot + bottom,
        marks=marks,
        series=legend,
        ticks=ticks,
        months=[
            (round(left + (i + 0.5) * slot, 1), _("%(month)s月") % {"month": m}) for i, m in enumerate(months)
        ],
        axis_left=left,
        axis_y=y(0),
        plot=(top, plot),
    )


@dataclass
class Row:
    """A bar against its goal: a project against its budget, a drive against its goal, a kind of
    training against the year's target. ``note`` is written at the right (what it reached, of
    what); ``over`` marks what went beyond the goal as a fault (a project over its budget)."""

    name: str
    value: object
    goal: object
    url: str
    title: str
    note: str
    over: bool = False
    flag: str = ""
    data: dict = field(default_factory=dict)


@dataclass
class BarRow:
    mark: Mark
    name: str
    note: str
    text_y: float
    track: tuple | None  # (x, y, width, height) of the goal's whole length
    goal_x: float | None
    beyond: tuple | None  # (x, width) of the part beyond the goal, when it is a fault
    flag: str
    flag_x: float
    top: float  # the row's link takes the row's whole band, from ``top``, ``height`` high
    height: float


@dataclass
class BarChart:
    title: str
    label: str
    height: float
    rows: list
    kind: str = "bars"
    width: int = WIDTH
    colors = {"track": TRACK, "beyond": BEYOND, "goal": GOAL}

    @property
    def empty(self):
        return not self.rows


def bar_chart(*, title, label, rows):
    """A bar per row against its own goal, marked by a line: each row is drawn to its own scale
    (its goal, or its value when beyond), so a project of 35万元 reads as plainly as one of
    7000万元 beside it; the note at the right says the amounts. Rows without a goal share one
    scale, the largest of them filling the width."""
    row_height, bar_height = 40, 13
    without_goal = max([float(r.value or 0) for r in rows if not r.goal] + [0])

    def scale_of(row):
        largest = max(float(row.goal), float(row.value or 0)) if row.goal else without_goal
        return (WIDTH - 2) / largest if largest > 0 else 0

    drawn = []
    for i, row in enumerate(rows):
        scale = scale_of(row)

        def x(value, scale=scale):
            return round(max(float(value or 0), 0) * scale, 1)

        top = 4 + i * row_height
        bar_y = top + 19
        note_width = text_width(row.note) + (text_width(row.flag) + 10 if row.flag else 0)
        goal_x = x(row.goal) if row.goal else None
        beyond = None
        if row.over and goal_x is not None and x(row.value) > goal_x:
            beyond = (goal_x, round(x(row.value) - goal_x, 1))
        drawn.append(
            BarRow(
                mark=Mark(
                    url=row.url,
                    title=row.title,
                    value=row.value,
                    x=0,
                    y=bar_y,
                    width=x(row.value),
                    height=bar_height,
                    fill=THIS_YEAR,
                    data=row.data,
                ),
                name=shorten(row.name, WIDTH - note_width - 12),
                note=row.note,
                text_y=top + 13,
                track=(0, bar_y, goal_x, bar_height) if goal_x else None,
                goal_x=goal_x,
                beyond=beyond,
                flag=row.flag,
                flag_x=round(WIDTH - text_width(row.note) - 8, 1),
                top=top,
                height=row_height,
            )
        )
    return BarChart(title=title, label=label, height=4 + len(rows) * row_height + 2, rows=drawn)


def exact_yuan(value):
    """``12,345.00 元``: the exact amount a mark's title gives after the rounded one."""
    return _("%(amount)s 元") % {"amount": format_money(value)}

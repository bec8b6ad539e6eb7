"""Period arithmetic, once: the first and last day of a year, a half-year or a month, the half-year
a day falls in, how a period is written (``2020年上半年``), and the list filter that selects it.

Work reports (``reports.periods.Period``), closed periods (``ClosedPeriod``, ``period_close``),
the approver's warning of repeat payments and the home page all count periods from here. It lives
in the kernel, not in ``reports``, because the kernel's closed periods and corrections need it and
the kernel imports no app; a report's own notion of its period (``2024H1``, its title, the year
its plan looks to) stays in ``reports.periods``.
"""

import calendar
import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .choices import PeriodKind


def year_bounds(year):
    """1 January and 31 December of ``year``."""
    return datetime.date(year, 1, 1), datetime.date(year, 12, 31)


def half_bounds(year, half):
    """The first (``half`` 1: January to June) or second (2: July to December) half of ``year``."""
    if half == 1:
        return datetime.date(year, 1, 1), datetime.date(year, 6, 30)
    return datetime.date(year, 7, 1), datetime.date(year, 12, 31)


def month_bounds(year, month):
    return datetime.date(year, month, 1), datetime.date(year, month, calendar.monthrange(year, month)[1])


def half_of(day):
    """The half-year ``day`` falls in."""
    return half_bounds(day.year, 1 if day.month <= 6 else 2)


def period_bounds(kind, year, part=1):
    """The first and last day of a ``PeriodKind``: ``part`` is the month (1–12) or the half (1, 2).

    A part out of range is refused with the field error a form shows next to it.
    """
    if kind == PeriodKind.MONTH:
        if not 1 <= part <= 12:
            raise ValidationError({"part": _("月份应为1到12")})
        return month_bounds(year, part)
    if kind == PeriodKind.HALF:
        if part not in (1, 2):
            raise ValidationError({"part": _("半年应为1（上半年）或2（下半年）")})
        return half_bounds(year, part)
    return year_bounds(year)


def period_label(kind, start):
    """How the period of ``kind`` starting on ``start`` is written: ``2020年6月``, ``2020年上半年``,
    ``2020年下半年``, ``2020年``."""
    if kind == PeriodKind.MONTH:
        return _("%(year)s年%(month)s月") % {"year": start.year, "month": start.month}
    if kind == PeriodKind.HALF:
        if start.month == 1:
            return _("%(year)s年上半年") % {"year": start.year}
        return _("%(year)s年下半年") % {"year": start.year}
    return _("%(year)s年") % {"year": start.year}


def date_filter(start, end):
    """The list filter parameters that select the records dated from ``start`` to ``end``."""
    return {"date_after": start.isoformat(), "date_before": end.isoformat()}

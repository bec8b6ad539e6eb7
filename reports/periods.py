"""A report's period: a year (全年工作报告) or its first half (上半年工作小结)."""

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from redcross import bounds, periods
from redcross.choices import PeriodKind

from .choices import ReportKind

PERIOD_RE = re.compile(r"^(?P<year>\d{4})(?P<half>H1)?$", re.IGNORECASE)


@dataclass(frozen=True)
class Period:
    year: int
    kind: str  # ReportKind

    @classmethod
    def parse(cls, text):
        """``2024`` is the year, ``2024H1`` its first half."""
        match = PERIOD_RE.match((text or "").strip())
        if not match:
            raise ValidationError(_("报告期间应写作年份（如 2024）或上半年（如 2024H1）"))
        year, latest = int(match["year"]), bounds.today().year
        # A report covers what happened: a year from the Society's founding to this one (whose
        # plan sets next year's targets, the furthest a target may lie).
        if not bounds.EARLIEST_DATE.year <= year <= latest:
            raise ValidationError(
                _("报告年度应在 %(earliest)s 至 %(latest)s 之间")
                % {"earliest": bounds.EARLIEST_DATE.year, "latest": latest}
            )
        return cls(year, ReportKind.H1 if match["half"] else ReportKind.YEAR)

    @property
    def code(self):
        return f"{self.year}H1" if self.kind == ReportKind.H1 else str(self.year)

    @property
    def bounds(self):
        """The period's first and last day (``redcross.periods``: the one period arithmetic)."""
        if self.kind == ReportKind.H1:
            return periods.half_bounds(self.year, 1)
        return periods.year_bounds(self.year)

    @property
    def start(self):
        return self.bounds[0]

    @property
    def end(self):
        return self.bounds[1]

    @property
    def label(self):
        """``2020年`` or ``2023年上半年``, as a report's sentences say it."""
        kind = PeriodKind.HALF if self.kind == ReportKind.H1 else PeriodKind.YEAR
        return periods.period_label(kind, self.start)

    @property
    def plan_year(self):
        """The year whose targets the plan sets: the next one, or the same one for the second half."""
        return self.year if self.kind == ReportKind.H1 else self.year + 1

    @property
    def plan_label(self):
        if self.kind == ReportKind.H1:
            return _("下半年")
        return _("%(year)s年") % {"year": self.plan_year}

    def title(self, chapter):
        if self.kind == ReportKind.H1:
            return _("%(chapter)s%(year)s年上半年工作小结") % {"chapter": chapter.name, "year": self.year}
        return _("%(chapter)s%(year)s年全年工作报告") % {"chapter": chapter.name, "year": self.year}

    def as_filter(self):
        """The list filter parameters that select this period."""
        return periods.date_filter(self.start, self.end)

"""Reads of training: sessions and person-times per kind, progress against the year's targets."""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q, Sum

from .models import SESSION_DAYS, Target, TrainingKind


@dataclass(frozen=True)
class SessionTotals:
    count: int
    person_times: int
    certified: int
    hours: object


def session_totals(queryset):
    """Sessions, person-times, certified trainees and hours in ``queryset`` (one query)."""
    row = queryset.order_by().aggregate(
        n=Count("pk"), people=Sum("person_times"), certified=Sum("certified_count"), hours=Sum("hours")
    )
    return SessionTotals(
        count=row["n"] or 0,
        person_times=row["people"] or 0,
        certified=row["certified"] or 0,
        hours=row["hours"] or 0,
    )


def session_list_totals(figures):
    """The sessions' list's totals line from its kept daily figures (``redcross.kept``): what
    ``session_totals`` sums, without reading a session."""
    counted = figures["counted"]
    return SessionTotals(
        count=counted["count"],
        person_times=counted["person_times"],
        certified=counted["certified_count"],
        hours=counted["hours"],
    )


@dataclass
class KindProgress:
    kind_id: int
    kind_name: str
    sessions: int
    person_times: int
    certified: int
    target: int | None
    url: str = ""

    @property
    def percent(self):
        """Progress against the target, in whole percent (None without a target)."""
        if not self.target:
            return None
        return round(self.person_times * 100 / self.target)


def progress_totals(progress):
    """The sums of ``training_progress``'s rows: the period's sessions, person-times and certified
    trainees (hours are not part of progress)."""
    return SessionTotals(
        count=sum(row.sessions for row in progress),
        person_times=sum(row.person_times for row in progress),
        certified=sum(row.certified for row in progress),
        hours=None,
    )


def training_progress(*, chapter, year, start=None, end=None):
    """Per kind of training: sessions, person-times and certified trainees of ``chapter`` and the
    chapters below it from ``start`` to ``end`` (the year when not given), against ``chapter``'s
    targets for ``year`` (three queries: kinds, totals, targets).

    The totals are the kept ones (``SESSION_DAYS``: the period's months and edge days), so a
    city's year costs the same whatever its sessions number. Every active kind is listed, and any
    kind with sessions or a target.
    """
    if start is None and end is None:
        start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    totals = {}
    for part in SESSION_DAYS.span(start, end):
        rows = (
            part.filter(chapter__path__startswith=chapter.path)
            .order_by()
            .values("kind")
            .annotate(n=Sum("rows"), people=Sum("person_times"), certified=Sum("certified_count"))
        )
        for row in rows:
            total = totals.setdefault(row["kind"], {"n": 0, "people": 0, "certified": 0})
            for name in total:
                total[name] += row[name] or 0
    targets = dict(Target.objects.filter(chapter=chapter, year=year).values_list("kind", "person_times"))
    rows = []
    for kind in TrainingKind.objects.all():
        row = totals.get(kind.pk)
        if not kind.is_active and row is None and kind.pk not in targets:
            continue
        rows.append(
            KindProgress(
                kind_id=kind.pk,
                kind_name=kind.name,
                sessions=row["n"] if row else 0,
                person_times=row["people"] if row else 0,
                certified=(row["certified"] or 0) if row else 0,
                target=targets.get(kind.pk),
            )
        )
    return rows


def certificate_totals(queryset, *, today):
    """Certificates in ``queryset`` and how many are still valid on ``today`` (one query)."""
    return queryset.order_by().aggregate(
        count=Count("pk"), valid=Count("pk", filter=Q(expires_on__gte=today))
    )


def instructor_totals(queryset, *, today):
    """Instructors in ``queryset`` and how many are qualified on ``today`` (one query)."""
    return queryset.order_by().aggregate(
        count=Count("pk"), qualified=Count("pk", filter=Q(qualified_until__gte=today))
    )

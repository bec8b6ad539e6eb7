"""Reads of training: sessions and person-times per kind, progress against the year's targets."""

from dataclasses import dataclass

from django.db.models import Count, Q, Sum

from .models import Target, TrainingKind


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


def training_progress(sessions, *, chapter, year):
    """Per kind of training: sessions, person-times and certified trainees of ``sessions``, against
    ``chapter``'s targets for ``year`` (three queries: kinds, totals, targets).

    Every active kind is listed, and any kind with sessions or a target.
    """
    totals = {
        row["kind"]: row
        for row in sessions.order_by()
        .values("kind")
        .annotate(n=Count("pk"), people=Sum("person_times"), certified=Sum("certified_count"))
    }
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

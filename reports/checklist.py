"""What a leader should look at before publishing a report: a published version never changes,
so the confirmation page lists what the records or the draft may still lack."""

import datetime

from django.urls import reverse

from redcross.choices import ImportStatus
from redcross.corrections import pending_in_period
from redcross.models import ClosedPeriod, ImportBatch


def publish_checklist(report, *, sections, changes):
    """The confirmation page's checklist: pending records of the period, sections not yet
        written (``sections`` as rendered for the page), edited sections whose words no longer cover
    the records, ``changes`` since the last version, import
        batches left in preview, and whether the period is closed."""
    chapter, period = report.chapter, report.period
    batches = ImportBatch.objects.filter(chapter=chapter, status=ImportStatus.PREVIEW).select_related("user")
    return {
        "pending": pending_in_period(chapter, period.start, period.end),
        "unwritten": [
            {
                "heading": s.heading,
                "number": s.number,
                "url": reverse("reports:section-update", args=[report.pk, s.key]),
            }
            for s in sections
            if s.empty
        ],
        "outgrown": [
            {
                "heading": s.heading,
                "number": s.number,
                "gaps": s.gaps,
                "url": reverse("reports:section-update", args=[report.pk, s.key]),
            }
            for s in sections
            if s.gaps
        ],
        "changes": changes,
        "previews": list(batches),
        "closed": period_closed(chapter, period.start, period.end),
    }


def period_closed(chapter, start, end):
    """Whether closed periods (a year, its halves or its months) cover every day of the period."""
    covered = start
    closed = ClosedPeriod.objects.filter(
        chapter=chapter, start__lte=end, end__gte=start, reopened_at__isnull=True
    ).order_by("start")
    for period in closed:
        if period.start > covered:
            return False
        covered = max(covered, period.end + datetime.timedelta(days=1))
        if covered > end:
            return True
    return False

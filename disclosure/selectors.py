"""Reads of disclosures: what is due, what a chapter published, a donor's lookup, the restricted
gifts not yet reported back, a donor's statement."""

import calendar
import datetime
import hmac
import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.db.models import DurationField, ExpressionWrapper, F, OuterRef, Q, Subquery, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from aid.models import Disbursement
from donations.models import Donation, Drive, Receipt
from projects.models import Expenditure, Project
from redcross import bounds
from redcross.choices import REPORT_EDITING_ROLES
from redcross.money import to_money
from reports.models import Publication

from .choices import DisclosureKind
from .models import DisclosureVersion, GiftFeedback, LookupFailure

# 慈善法: a drive (or project) longer than six months discloses at least every three months, and
# every one in full within three months of its end.
LONG_MONTHS = 6
EVERY_MONTHS = 3
FINAL_WITHIN_MONTHS = 3
# How far ahead a coming due date is shown.
SOON_DAYS = 30
DUE_SHOWN = 20


def add_months(day, months):
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class Due:
    subject: str
    kind: str
    what: str  # 定期公开 / 完整公开
    due: datetime.date
    overdue: bool
    last_published: datetime.date | None
    url: str


def _due_of(subject, start, end, published, covered, today):
    """The next disclosure ``subject`` owes, or None: ``published`` is the day its last version
    was published, ``covered`` the latest cut-off day it published."""
    if start is None or start > today:
        return None
    if end is not None and covered is not None and covered >= end:
        return None  # disclosed in full
    long = end is None or add_months(start, LONG_MONTHS) < end
    if long:
        due = add_months(published or start, EVERY_MONTHS)
        if end is None or due < end:
            return _("定期公开（每三个月至少一次）"), due
    if end is None:
        return None
    return _("结束后完整公开"), add_months(end, FINAL_WITHIN_MONTHS)


# A drive or project longer than six months is at least this many days long (add_months(start, 6)
# is 181 to 184 days on): the database keeps the running ones longer than this, Python decides.
LONG_DAYS = 181


def _can_be_due(model, subject, chapters, today):
    """The drives or projects (``subject``: the disclosure's field naming them) of ``chapters``
    that can owe a disclosure on ``today``: started, and either still running and longer than six
    months (or without an end), or ended and not disclosed in full. Each with the day its last
    version was published and the latest cut-off it published (one query; those disclosed in
    full and the short ones still running are never read)."""
    versions = DisclosureVersion.objects.filter(**{f"disclosure__{subject}": OuterRef("pk")})
    running_long = Q(end_date__gte=today, span__gt=datetime.timedelta(days=LONG_DAYS))
    if model._meta.get_field("end_date").null:
        running_long |= Q(end_date__isnull=True)
    ended_open = Q(end_date__lt=today) & (Q(covered__isnull=True) | Q(covered__lt=F("end_date")))
    return (
        model.objects.filter(chapter__in=chapters, start_date__lte=today)
        .annotate(
            span=ExpressionWrapper(F("end_date") - F("start_date"), output_field=DurationField()),
            last=Subquery(versions.order_by("-published_at").values("published_at")[:1]),
            covered=Subquery(versions.order_by("-as_of").values("as_of")[:1]),
        )
        .filter(running_long | ended_open)
        .only("name", "start_date", "end_date")
    )


def disclosures_due(chapters, *, today=None):
    """The disclosures the drives and projects of ``chapters`` owe by ``SOON_DAYS`` from today,
    overdue first (two queries, reading only the drives and projects that can be due)."""
    from django.urls import reverse

    today = today or bounds.today()
    dues = []
    subjects = [
        (DisclosureKind.DRIVE, d.pk, str(d), d.start_date, d.end_date, d.last, d.covered)
        for d in _can_be_due(Drive, "drive", chapters, today)
    ] + [
        (DisclosureKind.PROJECT, p.pk, p.name, p.start_date, p.end_date, p.last, p.covered)
        for p in _can_be_due(Project, "project", chapters, today)
    ]
    prepare = reverse("disclosure:create")
    for kind, pk, name, start, end, last, covered in subjects:
        last = timezone.localdate(last) if last else None
        found = _due_of(name, start, end, last, covered, today)
        if found is None:
            continue
        what, due = found
        if (due - today).days > SOON_DAYS:
            continue
        dues.append(
            Due(
                subject=name,
                kind=DisclosureKind(kind).label,
                what=what,
                due=due,
                overdue=due < today,
                last_published=last,
                url=f"{prepare}?kind={kind}&{kind}={pk}",
            )
        )
    dues.sort(key=lambda d: (not d.overdue, d.due))
    return dues


def due_panel(request, access):
    """The start pages' panel (``redcross.registry`` "home_panels"): for staff and leaders of a
    chapter, the disclosures due and overdue."""
    chapters = [m.chapter for m in access.memberships if m.role in REPORT_EDITING_ROLES]
    if not chapters:
        return None
    return {"template": "disclosure/due_panel.html", **due_context(disclosures_due(chapters))}


def due_context(dues):
    return {
        "dues": dues[:DUE_SHOWN],
        "more": max(0, len(dues) - DUE_SHOWN),
        "overdue": sum(1 for d in dues if d.overdue),
    }


# --- public -------------------------------------------------------------------------------------


def published_list(chapter):
    """The chapter's published versions, newest first, without their lines (one query), each
    saying whether it was corrected or updated by a later one."""
    versions = list(
        DisclosureVersion.objects.filter(chapter=chapter)
        .defer("content", "html")
        .order_by("-published_at", "-pk")
    )
    latest = {}
    for v in versions:
        latest.setdefault(v.disclosure_id, v)
    corrected = {v.corrects_id: v for v in versions if v.corrects_id}
    for v in versions:
        v.correction = corrected.get(v.pk)
        v.newest = latest[v.disclosure_id]
    return versions


def published_reports(chapter):
    """The chapter's published work reports, without their PDFs (one query)."""
    return list(
        Publication.objects.filter(report__chapter=chapter)
        .defer("pdf", "sections", "figures")
        .order_by("-report__year", "report__kind", "-version")
    )


# --- donor lookup -------------------------------------------------------------------------------

NOT_FOUND = "-"  # compared with the typed name when no receipt matches, so both take one path


def normalized(name):
    return unicodedata.normalize("NFKC", name or "").strip()


def lookup_locked(address):
    """Whether ``address`` failed the lookup ``AXES_FAILURE_LIMIT`` times within the cool-off."""
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    return LookupFailure.objects.filter(address=address, at__gte=since).count() >= settings.AXES_FAILURE_LIMIT


def lookup_failed(address):
    LookupFailure.objects.create(address=address[:45])


def gift_by_receipt(chapter, number, name):
    """The gift whose valid receipt in ``chapter`` is ``number`` and whose donor is ``name``, or
    None. One query whether the receipt exists or not, and one constant-time comparison."""
    receipt = (
        Receipt.objects.filter(
            chapter=chapter, number=number, voided_at__isnull=True, donation__voided_at__isnull=True
        )
        .select_related("donation__donor", "donation__drive", "donation__fund")
        .first()
    )
    held = normalized(receipt.donation.donor.name) if receipt else NOT_FOUND
    matches = hmac.compare_digest(held.encode(), normalized(name).encode())
    return receipt if (receipt is not None and matches) else None


def gift_answer(receipt):
    """What a donor is shown of their gift: the gift, its receipt, the published disclosures of
    its drive, and for a restricted gift what its fund spent on that purpose."""
    gift = receipt.donation
    fund = gift.fund
    published = []
    if gift.drive_id:
        published = list(
            DisclosureVersion.objects.filter(disclosure__drive=gift.drive_id)
            .defer("html")
            .select_related("chapter")
            .order_by("-version")[:1]
        )
    spent = None
    if fund.is_restricted:
        spent = restricted_use(fund)
    # An unrestricted gift outside any drive is used with the chapter's other unrestricted money:
    # its use is what the chapter's period disclosure covering its day published.
    outside = not gift.drive_id and not fund.is_restricted
    return {
        "gift": gift,
        "receipt": receipt,
        "fund": fund,
        "published": published,
        "spent": spent,
        "outside": outside,
        "period": period_covering(gift.chapter_id, gift.date) if outside else None,
    }


def period_covering(chapter_id, day):
    """The latest published version of the chapter's period disclosures (its year's or its first
    half's) whose figures reach ``day``, the longest cut first; None when none is published (one
    query)."""
    codes = [str(day.year), *([f"{day.year}H1"] if day.month <= 6 else [])]
    return (
        DisclosureVersion.objects.filter(
            chapter_id=chapter_id,
            disclosure__kind=DisclosureKind.PERIOD,
            disclosure__period__in=codes,
            as_of__gte=day,
        )
        .defer("html")
        .order_by("-as_of", "-version")
        .first()
    )


def restricted_use(fund, *, start=None, end=None):
    """What a restricted fund spent on its purpose: per category or project, with head counts,
    never a person."""
    period = Q()
    if start:
        period &= Q(date__gte=start)
    if end:
        period &= Q(date__lte=end)
    if fund.restricted_category_id:
        rows = (
            Disbursement.objects.filter(period, fund=fund)
            .order_by()
            .values("category__name")
            .annotate(
                persons=Sum("head_count", filter=Q(reverses__isnull=True)),
                cash=Sum("cash_amount"),
                in_kind=Sum("in_kind_amount"),
            )
        )
        return [
            {
                "what": r["category__name"],
                "persons": r["persons"] or 0,
                "amount": to_money(r["cash"]) + to_money(r["in_kind"]),
            }
            for r in rows
        ]
    rows = (
        Expenditure.objects.filter(period, fund=fund)
        .order_by()
        .values("project__name")
        .annotate(amount=Sum("amount"))
    )
    return [{"what": r["project__name"], "persons": None, "amount": to_money(r["amount"])} for r in rows]


# --- feedback ------------------------------------------------------------------------------------


def restricted_gifts(chapters, *, reported=None):
    """Gifts into restricted funds with their feedback (``feedback_on``: the day their use was
    reported back, or None); ``reported`` False keeps those not yet reported, True those reported."""
    feedback = GiftFeedback.objects.filter(donation=OuterRef("pk"))
    gifts = (
        Donation.objects.filter(chapter__in=chapters, reverses__isnull=True)
        .filter(Q(fund__restricted_category__isnull=False) | Q(fund__restricted_project__isnull=False))
        .select_related("donor", "fund", "fund__restricted_category", "fund__restricted_project", "chapter")
        .annotate(feedback_on=Subquery(feedback.values("reported_on")[:1]))
        .order_by("date", "pk")
    )
    if reported is False:
        gifts = gifts.filter(feedback_on__isnull=True)
    elif reported is True:
        gifts = gifts.filter(feedback_on__isnull=False)
    return gifts


def donor_statement(donor, start, end):
    """A donor's gifts in a period, their receipts, and the use of what they gave to."""
    gifts = list(
        Donation.objects.filter(donor=donor, date__gte=start, date__lte=end, reverses__isnull=True)
        .select_related("drive", "fund", "fund__restricted_category", "fund__restricted_project")
        .with_receipt_number()
        .order_by("date", "pk")
    )
    funds = {g.fund_id: g.fund for g in gifts}
    uses = []
    for fund in funds.values():
        if fund.is_restricted:
            uses.append({"fund": fund, "rows": restricted_use(fund, start=start)})
    drives = {g.drive_id for g in gifts if g.drive_id}
    published = list(
        DisclosureVersion.objects.filter(disclosure__drive__in=drives)
        .defer("html")
        .order_by("disclosure", "-version")
    )
    latest = {}
    for version in published:
        latest.setdefault(version.disclosure_id, version)
    return {
        "gifts": gifts,
        "total": sum((g.amount for g in gifts), to_money(0)),
        "uses": uses,
        "published": list(latest.values()),
    }

"""The start page of staff (工作人员): what they entered that waits for approval or was turned
down, with the approver's reason; quick entry; and their recent entries. Leaders, auditors and
administrators start from the figures (``reports.dashboard``); "/" sends each to theirs.

Composed here, beside the dashboard, in the one app that reads all four record apps."""

import datetime
from dataclasses import dataclass

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from aid.models import Disbursement
from donations.models import Donation, Payout
from projects.models import Expenditure
from redcross.access import access_for
from redcross.corrections import approved_models, total_of
from redcross.models import every
from redcross.registry import home_panels
from redcross.views.base import AccessMixin
from training.models import Session

from .dashboard import HomeView

# How far back a turned-down record stays on its author's start page.
TURNED_DOWN_DAYS = 90
RECENT = 10


@dataclass(frozen=True)
class Entry:
    """One record the user entered, as the start page lists it."""

    record: object
    kind: str
    date: datetime.date
    what: str
    amount: object  # Decimal yuan, or None for what has no amount (a training session)


def _describe(record):
    if isinstance(record, Disbursement):
        return f"{record.category.name} · {record.recipient_label}"
    if isinstance(record, Donation):
        return str(record.donor)
    if isinstance(record, Payout):
        return f"{record.recipient} · {record.purpose}"
    if isinstance(record, Expenditure):
        return " · ".join(filter(None, [record.project.name, record.category]))
    if isinstance(record, Session):
        return _("%(title)s，%(n)s人次") % {"title": record.title, "n": record.person_times}
    return str(record)


def _entry(record):
    amount = total_of(record) if hasattr(record, "correction_total") else None
    return Entry(
        record=record,
        kind=record._meta.verbose_name,
        date=getattr(record, record.date_field),
        what=_describe(record),
        amount=amount,
    )


def recent_entries(user, *, limit=RECENT):
    """The ``limit`` records ``user`` entered last, of every kind staff enter, newest first
    (one query per kind)."""
    rows = []
    for model in (Disbursement, Donation, Payout, Expenditure, Session):
        records = every(model).filter(created_by=user)
        if hasattr(records, "with_related"):
            records = records.with_related()
        rows.extend(records.order_by("-created_at", "-pk")[:limit])
    rows.sort(key=lambda r: (r.created_at, r.pk), reverse=True)
    return [_entry(record) for record in rows[:limit]]


def awaiting_decision(user):
    """What ``user`` entered or corrected that waits for approval, and what of theirs was turned
    down in the last ``TURNED_DOWN_DAYS`` days (with the approver and the reason); one query
    per kind that waits."""
    since = timezone.now() - datetime.timedelta(days=TURNED_DOWN_DAYS)
    waiting, turned_down = [], []
    for model in approved_models():
        records = every(model).filter(
            (Q(created_by=user) | Q(updated_by=user)) & Q(pending=True)
            & (Q(voided_at__isnull=True) | Q(voided_at__gte=since, approved_by__isnull=False))
        )  # fmt: skip
        if hasattr(records, "with_related"):
            records = records.with_related()
        for record in records.select_related("approved_by").order_by("-created_at"):
            if record.is_pending:
                waiting.append(_entry(record))
            elif record.is_turned_down and record.created_by_id == user.pk:
                turned_down.append(_entry(record))
    turned_down.sort(key=lambda e: e.record.voided_at, reverse=True)
    return waiting, turned_down


# The forms staff open most, in the order of the menu.
QUICK_ENTRY = [
    ("aid:disbursement-create", _("登记救助发放")),
    ("donations:donation-create", _("登记捐赠")),
    ("donations:payout-create", _("登记款物拨付")),
    ("training:session-create", _("登记培训")),
    ("projects:expenditure-create", _("登记项目支出")),
    ("import-upload", _("导入工作簿")),
]


class StaffStartView(AccessMixin, TemplateView):
    template_name = "start.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        waiting, turned_down = awaiting_decision(user)
        context.update(
            chapter=self.access.home_chapter,
            quick=[(reverse(route), label) for route, label in QUICK_ENTRY],
            waiting=waiting,
            turned_down=turned_down,
            turned_down_days=TURNED_DOWN_DAYS,
            recent=recent_entries(user),
            panels=home_panels(self.request, self.access),
        )
        return context


def home(request, *args, **kwargs):
    """ "/": staff start from what they entered; everyone else from the figures. A staff member
    asking for figures (``?year=`` or ``?chapter=``) gets them, as from "本会数据" (/dashboard/)."""
    if access_for(request).is_staff_only() and not request.GET:
        return StaffStartView.as_view()(request, *args, **kwargs)
    return HomeView.as_view()(request, *args, **kwargs)

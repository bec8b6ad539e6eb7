"""Corrections, not deletions: voiding, reversing (冲销) and approving accounting records.

A donation, relief payment, project expenditure or payout is never deleted. While its period is
open a mistaken one is voided with a reason; it stays, marked, in lists, ledgers and history and
counts in no total (``CorrectableModel``'s default manager leaves it out). Once its period is
closed it cannot be touched: a reversal dated in an open period, referring to it, takes its
money back, and the right record is entered anew.

A relief payment or expenditure above its chapter's approval threshold waits for a leader who
did not enter it (four eyes); until approved it counts in no total either.
"""

from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from . import bounds
from .access import Access
from .choices import RecordStatus
from .models import ApprovedModel, ClosedPeriod, every
from .money import money_output_field, to_money
from .periods import date_filter, half_of
from .recording import APPROVE, REVERSE, VOID, recorded_as
from .registry import registry
from .urls_util import records_url

# Fields a reversal does not copy from the original.
NOT_COPIED = {
    "id", "created_at", "updated_at", "created_by", "updated_by", "version", "voided_at", "voided_by",
    "void_reason", "reverses", "pending", "approved_at", "approved_by", "approval_opinion", "remarks",
    "description",
}  # fmt: skip


class CorrectionHooks:
    """What voiding, reversing and approving one kind of record must also check or do, beyond
    what every accounting record shares. The kernel knows no kind of record: an app subclasses
    this in its services for a model of its own and registers it (``redcross.registry``,
    ``register_correction_hooks``) in its ``AppConfig.ready()``. The defaults do nothing."""

    def refuse_taking_back(self, record):
        """Before a standing ``record`` is voided or reversed: raises ValidationError when its
        money cannot be taken back (a gift its fund has already spent)."""

    def after_void(self, record, *, user, reason):
        """Once ``record`` is voided: whatever goes with it (its receipts)."""

    def prepare_reversal(self, record, reversal):
        """Adjusts the unsaved ``reversal`` of ``record`` (the amounts are already negated)."""

    def after_reverse(self, record, reversal, *, user, reason):
        """Once the ``reversal`` of ``record`` is saved: whatever goes with it (an issue's lines
        put the goods back)."""

    def approval_checks(self, record):
        """Before a pending ``record`` is approved: raises ValidationError when it cannot be, as
        its fund and purpose stand now (pending records hold no money)."""

    def approval_repeats(self, record):
        """What the approver of the pending ``record`` is warned of (repeat payments)."""
        return []

    def fund_balances(self, records):
        """For each of ``records`` (pending spendings of this kind) that draws on a fund: its
        ``record.pk`` mapped to an object with ``fund``, ``now`` (the fund's balance, which a
        pending record does not touch) and ``after`` (once it is approved). A few queries for
        any number of records."""
        return {}


NO_HOOKS = CorrectionHooks()


def hooks_for(record_or_model):
    """The registered ``CorrectionHooks`` of a record's kind (the defaults when none)."""
    model = record_or_model if isinstance(record_or_model, type) else type(record_or_model)
    return registry["correction_hooks"].get(model, NO_HOOKS)


def total_of(record):
    return to_money(record.correction_total())


def correctable(model, record):
    """``record`` locked for a correction; a voided record or a reversal is not corrected."""
    locked = every(model).select_for_update().get(pk=record.pk)
    if locked.is_void:
        raise ValidationError(_("该记录已作废，不能更正"))
    if locked.is_reversal:
        raise ValidationError(_("冲销记录不能更正；如有错误，请作废后重新冲销"))
    return locked


# --- four eyes ---------------------------------------------------------------------------------


def needs_approval(chapter, amount):
    """Whether ``amount`` is above the approval threshold ``chapter`` set."""
    threshold = chapter.approval_threshold
    return threshold is not None and to_money(amount) > threshold


def approval_mark(record, amount):
    """Marks a payment or expenditure being entered or corrected: pending when above its
    chapter's threshold (a correction of an approved one is approved again)."""
    if needs_approval(record.chapter, amount):
        record.pending = True
        record.approved_at = record.approved_by = None
        record.approval_opinion = ""
    else:
        record.pending = False


def can_approve(access, record):
    """A leader or administrator of the record's chapter who neither entered nor last changed it."""
    return access.can_approve(record.chapter) and access.user.pk not in (
        record.created_by_id,
        record.updated_by_id,
    )


def approved_models():
    """Every kind of record that waits for approval above a threshold (``ApprovedModel``)."""
    return [m for m in apps.get_models() if issubclass(m, ApprovedModel) and not m._meta.proxy]


def waiting_for_approval(chapter, *, start=None, end=None):
    """(model, count) of the chapter's records waiting for approval, kinds with none left out;
    with ``start`` and ``end``, only those dated in that period (what publishing or closing it
    warns of: pending records count nowhere)."""
    counts = []
    for model in approved_models():
        records = model.all_objects.filter(chapter=chapter, pending=True, voided_at__isnull=True)
        if start is not None and end is not None:
            records = records.filter(**{f"{model.date_field}__range": (start, end)})
        count = records.count()
        if count:
            counts.append((model, count))
    return counts


def waiting_records(access, *, limit=200):
    """Every record ``access`` may read that waits for approval, oldest first (the longest
    waiting at the top), each kind's rows with their relations in one query; at most ``limit``
    of each kind. Each record carries ``balance`` (its fund's, now and after it: ``CorrectionHooks
    .fund_balances``) and ``decidable`` (whether this user may approve or turn it down)."""
    waiting = []
    for model in approved_models():
        records = every(model).visible_to(access).filter(pending=True, voided_at__isnull=True)
        if hasattr(records, "with_related"):
            records = records.with_related()
        records = list(
            records.select_related("chapter", "created_by", "updated_by").order_by(model.date_field, "pk")[
                :limit
            ]
        )
        balances = hooks_for(model).fund_balances(records)
        for record in records:
            record.balance = balances.get(record.pk)
            record.decidable = can_approve(access, record)
            waiting.append(record)
    waiting.sort(key=lambda r: (getattr(r, r.date_field), r.created_at))
    return waiting


def pending_in_period(chapter, start, end):
    """The kinds of records dated from ``start`` to ``end`` still waiting for approval (counted
    nowhere), each with its count and the link to the list of them: what publishing a report or
    closing a period warns of first."""
    return [
        {
            "kind": model._meta.verbose_name,
            "count": count,
            "url": records_url(
                f"{model._meta.app_label}:{model._meta.model_name}-list",
                chapter=chapter.pk,
                status=RecordStatus.PENDING,
                **date_filter(start, end),
            ),
        }
        for model, count in waiting_for_approval(chapter, start=start, end=end)
    ]


def pending_totals(queryset):
    """Count and amount of the records of ``queryset`` waiting for approval (counted in no
    total): what a list shows on a line of its own. None for a kind that never waits."""
    model = queryset.model
    if not issubclass(model, ApprovedModel):
        return None
    amount = sum((F(name) for name in model.correction_amounts[1:]), F(model.correction_amounts[0]))
    row = (
        queryset.filter(pending=True, voided_at__isnull=True)
        .order_by()
        .aggregate(count=Count("pk"), amount=Sum(amount, output_field=money_output_field()))
    )
    return {"count": row["count"], "amount": to_money(row["amount"])}


def repeat_payments(disbursement):
    """The other payments (standing or pending) of the same category to the same person in the
    same half-year: what the approver is warned of."""
    if disbursement.beneficiary_id is None:
        return []
    model = type(disbursement)
    start, end = half_of(disbursement.date)
    reversed_ = model.all_objects.filter(reverses=OuterRef("pk"), voided_at__isnull=True)
    return list(
        model.all_objects.filter(
            beneficiary=disbursement.beneficiary_id,
            category=disbursement.category_id,
            date__range=(start, end),
            voided_at__isnull=True,
            reverses__isnull=True,
        )
        .exclude(pk=disbursement.pk)
        .filter(~Exists(reversed_))
        .order_by("date", "pk")
    )


def approvers_of(record):
    """Who may approve ``record``: the leaders and administrators of its chapter who neither
    entered nor last changed it (what its author is told it now waits for)."""
    from django.contrib.auth import get_user_model

    from .choices import APPROVING_ROLES

    return list(
        get_user_model()
        .objects.filter(
            is_active=True,
            memberships__chapter=record.chapter_id,
            memberships__role__in=APPROVING_ROLES,
        )
        .exclude(pk__in=[pk for pk in (record.created_by_id, record.updated_by_id) if pk])
        .order_by("username")
        .distinct()
    )


def sent_for_approval_message(record):
    """What the one who entered or corrected ``record`` is told once it waits for approval:
    to whom it went, and that it counts nowhere until then."""
    names = "、".join(user.get_full_name() or user.username for user in approvers_of(record))
    values = {"chapter": record.chapter.name, "names": names}
    if names:
        return (
            _("已提交审批，等待%(chapter)s领导审批（可审批人：%(names)s）；审批前不计入任何合计和基金余额")
            % values
        )
    return _("已提交审批，等待%(chapter)s领导审批；审批前不计入任何合计和基金余额") % values


def _pending_locked(record, user):
    """``record`` locked, refused unless it waits and ``user`` may decide on it (four eyes)."""
    record = every(type(record)).select_for_update().get(pk=record.pk)
    access = Access(user)
    if not access.can_approve(record.chapter):
        raise PermissionDenied
    if not record.is_pending:
        raise ValidationError(_("该记录不是待审批状态"))
    if not can_approve(access, record):
        raise ValidationError(_("录入或更正该记录的人不能审批它，请由其他领导审批"))
    return record


def _opinion(opinion):
    opinion = (opinion or "").strip()
    if len(opinion) > 200:
        raise ValidationError({"opinion": _("审批意见最多200字")})
    return opinion


@recorded_as(APPROVE)
@transaction.atomic
def record_approve(record, *, user, opinion=""):
    """Approves a pending payment or expenditure, keeping the approver's ``opinion`` with it;
    re-checks the fund (and the project's budget) as they are now, since pending records hold
    no money."""
    opinion = _opinion(opinion)
    record = _pending_locked(record, user)
    _approval_checks(record)
    record.pending = False
    record.approved_at = timezone.now()
    record.approved_by = user
    record.approval_opinion = opinion
    record.save()  # now it counts: the summaries follow
    return record


@recorded_as(APPROVE)
@transaction.atomic
def record_turn_down(record, *, user, opinion):
    """Turns down (驳回) a pending payment or expenditure: it is voided with the approver's
    ``opinion`` as its reason, and stays, marked 已驳回, for the one who entered it to read.
    It never counted, so there is no money to take back."""
    opinion = _opinion(opinion)
    if not opinion:
        raise ValidationError({"opinion": _("驳回须填写审批意见，说明理由")})
    record = _pending_locked(record, user)
    now = timezone.now()
    record.voided_at = record.approved_at = now
    record.voided_by = record.approved_by = record.updated_by = user
    record.void_reason = record.approval_opinion = opinion
    record.save()  # still pending, now void: counts in nothing
    hooks_for(record).after_void(record, user=user, reason=opinion)
    return record


def _approval_checks(record):
    hooks_for(record).approval_checks(record)


# --- voiding ----------------------------------------------------------------------------------


def can_void(access, record):
    """Staff of the record's chapter void; an approver may also turn down a pending record."""
    return access.can_write(record.chapter) or (record.is_pending and can_approve(access, record))


@recorded_as(VOID)
@transaction.atomic
def record_void(record, *, user, reason):
    """Voids ``record`` with ``reason``: it stays, marked, and counts in nothing. Refused inside a
    closed period (reverse it instead), for a record already reversed, and for a gift whose fund
    has spent the money."""
    model = type(record)
    record = every(model).select_for_update().get(pk=record.pk)
    if not can_void(Access(user), record):
        raise PermissionDenied
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写作废原因")})
    if record.is_void:
        when = timezone.localtime(record.voided_at).strftime("%Y-%m-%d")
        raise ValidationError(_("该记录已于 %(when)s 作废") % {"when": when})
    reversal = record.reversals.filter(voided_at__isnull=True).first()
    if reversal is not None:
        raise ValidationError(_("该记录已被冲销（冲销记录 #%(pk)s），不能再作废") % {"pk": reversal.pk})
    if record.stands:
        hooks_for(record).refuse_taking_back(record)
    record.voided_at = timezone.now()
    record.voided_by = user
    record.void_reason = reason
    record.updated_by = user
    record.save()  # refuses inside a closed period; the summaries follow
    hooks_for(record).after_void(record, user=user, reason=reason)
    return record


# --- reversing --------------------------------------------------------------------------------


@recorded_as(REVERSE)
@transaction.atomic
def record_reverse(record, *, user, date, reason):
    """Enters, dated ``date`` in an open period, the reversal of ``record`` (whose period is
    closed): the same record with its amounts negated, referring to it. Returns the reversal."""
    model = type(record)
    record = every(model).select_for_update().get(pk=record.pk)
    if not Access(user).can_write(record.chapter):
        raise PermissionDenied
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写冲销原因")})
    if not record.stands or record.is_reversal:
        raise ValidationError(_("只有有效的原记录可以冲销"))
    if record.reversals.filter(voided_at__isnull=True).exists():
        raise ValidationError(_("该记录已经冲销过"))
    day = getattr(record, record.closing_date_field)
    if ClosedPeriod.covering(record.chapter_id, day) is None:
        raise ValidationError(_("原记录所在期间尚未结账，请直接作废并重新登记"))
    if date is None:
        raise ValidationError({"date": _("请填写冲销日期")})
    bounds.check("date", date, bounds.validate_record_date)
    hooks = hooks_for(record)
    hooks.refuse_taking_back(record)
    reversal = model(
        **{
            field.attname: getattr(record, field.attname)
            for field in model._meta.concrete_fields
            if field.name not in NOT_COPIED
        }
    )
    for name in model.correction_amounts:
        setattr(reversal, name, -getattr(record, name))
    setattr(reversal, record.closing_date_field, date)
    hooks.prepare_reversal(record, reversal)
    reversal.reverses = record
    reversal.created_by = reversal.updated_by = user
    text = _("冲销 #%(pk)s（%(day)s）：%(reason)s") % {
        "pk": record.pk,
        "day": day.strftime("%Y-%m-%d"),
        "reason": reason,
    }
    if hasattr(reversal, "remarks"):
        reversal.remarks = text
    else:
        reversal.description = text
    reversal.save()  # refuses a date inside a closed period
    hooks.after_reverse(record, reversal, user=user, reason=reason)
    return reversal

"""Corrections, not deletions: voiding, reversing (冲销) and approving accounting records.

A donation, relief payment, project expenditure or payout is never deleted. While its period is
open a mistaken one is voided with a reason; it stays, marked, in lists, ledgers and history and
counts in no total (``CorrectableModel``'s default manager leaves it out). Once its period is
closed it cannot be touched: a reversal dated in an open period, referring to it, takes its
money back, and the right record is entered anew.

A relief payment or expenditure above its chapter's approval threshold waits for a leader who
did not enter it (four eyes); until approved it counts in no total either.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from . import bounds
from .access import Access
from .models import ClosedPeriod, every
from .money import format_money, to_money
from .periods import half_of

# The money fields a reversal negates, per model label.
AMOUNTS = {
    "aid.disbursement": ("cash_amount", "in_kind_amount"),
    "donations.donation": ("amount",),
    "donations.payout": ("cash_amount", "in_kind_amount"),
    "projects.expenditure": ("amount",),
}
# Fields a reversal does not copy from the original.
NOT_COPIED = {
    "id", "created_at", "updated_at", "created_by", "updated_by", "version", "voided_at", "voided_by",
    "void_reason", "reverses", "pending", "approved_at", "approved_by", "remarks", "description",
}  # fmt: skip


def total_of(record):
    return sum((getattr(record, name) for name in AMOUNTS[record._meta.label_lower]), to_money(0))


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
    else:
        record.pending = False


def can_approve(access, record):
    """A leader or administrator of the record's chapter who neither entered nor last changed it."""
    return access.can_approve(record.chapter) and access.user.pk not in (
        record.created_by_id,
        record.updated_by_id,
    )


def waiting_for_approval(chapter):
    """(model, count) of the chapter's records waiting for approval, kinds with none left out."""
    from aid.models import Disbursement
    from projects.models import Expenditure

    counts = []
    for model in (Disbursement, Expenditure):
        count = model.all_objects.filter(chapter=chapter, pending=True, voided_at__isnull=True).count()
        if count:
            counts.append((model, count))
    return counts


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


@transaction.atomic
def record_approve(record, *, user):
    """Approves a pending payment or expenditure; re-checks the fund (and the project's budget)
    as they are now, since pending records hold no money."""
    record = every(type(record)).select_for_update().get(pk=record.pk)
    access = Access(user)
    if not access.can_approve(record.chapter):
        raise PermissionDenied
    if not record.is_pending:
        raise ValidationError(_("该记录不是待审批状态"))
    if not can_approve(access, record):
        raise ValidationError(_("录入或更正该记录的人不能审批它，请由其他领导审批"))
    _approval_checks(record)
    record.pending = False
    record.approved_at = timezone.now()
    record.approved_by = user
    record.save()  # now it counts: the summaries follow
    return record


def _approval_checks(record):
    from donations.services import fund_lock_for_spending
    from projects.models import Expenditure

    if isinstance(record, Expenditure):
        from projects.choices import ProjectStatus

        if record.project.status == ProjectStatus.AUDITED:
            raise ValidationError(
                _("项目“%(project)s”已审计，不能再批准支出") % {"project": record.project.name}
            )
        from projects.rules import over_budget_problems

        spent = Expenditure.objects.filter(project=record.project_id).aggregate(total=Sum("amount"))["total"]
        problems = over_budget_problems(
            project=record.project, spent=spent, amount=record.amount, reason=record.over_budget_reason
        )
        if problems:
            raise ValidationError(problems)
        purpose = {"purpose_project": record.project}
    else:
        purpose = {"purpose_category": record.category}
    if record.fund_id is not None:
        fund_lock_for_spending(
            fund=record.fund, chapter=record.chapter, amount=total_of(record), excluding=record, **purpose
        )


# --- voiding ----------------------------------------------------------------------------------


def can_void(access, record):
    """Staff of the record's chapter void; an approver may also turn down a pending record."""
    return access.can_write(record.chapter) or (record.is_pending and can_approve(access, record))


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
    if _takes_money_in(record) and record.stands:
        _refuse_if_spent(record, record.amount)
    record.voided_at = timezone.now()
    record.voided_by = user
    record.void_reason = reason
    record.updated_by = user
    record.save()  # refuses inside a closed period; the summaries follow
    _void_receipt(record, user=user, reason=reason)
    return record


def _takes_money_in(record):
    return record._meta.label_lower == "donations.donation"


def _refuse_if_spent(record, amount):
    """A gift's money can only be taken back from its fund while the fund still holds it."""
    from donations.models import Fund
    from donations.selectors import fund_balance

    fund = Fund.objects.select_for_update().get(pk=record.fund_id)
    balance = fund_balance(fund)
    if balance - amount < 0:
        raise ValidationError(
            _(
                "基金“%(fund)s”的款项已经支出（余额 %(balance)s 元），"
                "不能收回 %(amount)s 元；请先作废或冲销支出"
            )
            % {"fund": fund.name, "balance": format_money(balance), "amount": format_money(amount)}
        )


def _void_receipt(record, *, user, reason):
    if not _takes_money_in(record):
        return
    from donations.models import Receipt

    for receipt in Receipt.objects.filter(donation=record, voided_at__isnull=True):
        receipt.voided_at = record.voided_at
        receipt.voided_by = user
        receipt.void_reason = _("捐赠作废：%(reason)s") % {"reason": reason}
        receipt.updated_by = user
        receipt.save()


# --- reversing --------------------------------------------------------------------------------


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
    if _takes_money_in(record):
        _refuse_if_spent(record, record.amount)
    reversal = model(
        **{
            field.attname: getattr(record, field.attname)
            for field in model._meta.concrete_fields
            if field.name not in NOT_COPIED
        }
    )
    for name in AMOUNTS[model._meta.label_lower]:
        setattr(reversal, name, -getattr(record, name))
    setattr(reversal, record.closing_date_field, date)
    if hasattr(reversal, "drive_id"):
        reversal.drive_id = None  # a closed drive's figures stay as they were published
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
    return reversal

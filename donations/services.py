"""Writes of funds, donors, drives, donations, receipts and payouts; and the rules of spending.

Every spending from a fund (a relief payment, a project expenditure, a payout) goes through
``fund_lock_for_spending``: donor intent and a balance that never goes below zero are kept here
once.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from redcross import bounds
from redcross.corrections import CorrectionHooks, correctable
from redcross.money import format_money, to_money
from redcross.rules import refuse

from .choices import DonationKind
from .models import Donation, Donor, Drive, Fund, Payout, Receipt
from .rules import donation_problems, drive_problems, fund_purpose_problems, payout_problems
from .selectors import fund_balance


def _purpose_name(fund):
    return fund.restricted_category.name if fund.restricted_category_id else fund.restricted_project.name


def fund_spending_problem(
    fund, *, chapter, amount, balance, purpose_category=None, purpose_project=None,
    in_kind_amount=0, goods_balance=None,
):  # fmt: skip
    """Why ``fund`` (holding ``balance`` in cash) may not pay ``amount`` in cash and
    ``in_kind_amount`` in goods (it holds ``goods_balance`` of them) for a purpose, or None if
    it may. Cash and goods are held apart: cash pays only cash, goods are spent only as goods.

    Donor intent and a balance that never goes below zero, said once for the forms and services
    (through ``fund_lock_for_spending``) and for the import, which keeps balances as it reads.
    """
    if fund.chapter_id != chapter.pk:
        return _("只能使用本会的基金")
    if fund.restricted_category_id and fund.restricted_category_id != getattr(purpose_category, "pk", None):
        return _("该基金限定用于“%(purpose)s”，不能用于其他用途") % {"purpose": _purpose_name(fund)}
    if fund.restricted_project_id and fund.restricted_project_id != getattr(purpose_project, "pk", None):
        return _("该基金限定用于项目“%(purpose)s”，不能用于其他用途") % {"purpose": _purpose_name(fund)}
    if to_money(amount) > balance:
        return _("基金“%(fund)s”余额不足：可用 %(balance)s 元，本次需 %(amount)s 元") % {
            "fund": fund.name,
            "balance": format_money(balance),
            "amount": format_money(amount),
        }
    if goods_balance is not None and to_money(in_kind_amount) > goods_balance:
        return _(
            "基金“%(fund)s”的物资不足：现有物资折价 %(balance)s 元，本次需 %(amount)s 元（现金不能充作物资）"
        ) % {
            "fund": fund.name,
            "balance": format_money(goods_balance),
            "amount": format_money(in_kind_amount),
        }
    return None


def fund_lock_for_spending(
    *, fund, chapter, amount, purpose_category=None, purpose_project=None, excluding=None, in_kind_amount=0
):
    """Locks ``fund`` for the rest of the transaction and checks it may pay ``amount`` in cash
    and ``in_kind_amount`` in goods.

    Refuses a fund of another chapter, a restricted fund spent on another purpose (a relief
    category or a project), cash beyond the fund's cash (the value of goods it holds pays no
    cash) and goods beyond the value of its goods. The row lock makes two payments racing for
    the last money of a fund wait for each other, so only one succeeds. ``excluding`` is the
    record being corrected, left out of the balance. Call inside a transaction.
    """
    locked = Fund.objects.select_for_update().get(pk=fund.pk)
    if locked.chapter_id != chapter.pk:
        raise ValidationError({"fund": _("只能使用本会的基金")})
    cash = fund_balance(locked, excluding=excluding, part="cash")
    # Books kept before cash and goods were apart may hold goods given beyond the goods received:
    # the fund's whole balance still bounds what its cash pays.
    cash = min(cash, fund_balance(locked, excluding=excluding))
    problem = fund_spending_problem(
        locked,
        chapter=chapter,
        amount=amount,
        balance=cash,
        purpose_category=purpose_category,
        purpose_project=purpose_project,
        in_kind_amount=in_kind_amount,
        goods_balance=fund_balance(locked, excluding=excluding, part="goods") if in_kind_amount else None,
    )
    if problem:
        raise ValidationError({"fund": problem})
    return locked


# --- Funds ------------------------------------------------------------------------------------


def _fund_fill(fund, *, user, name, restricted_category, restricted_project, remarks):
    refuse(
        fund_purpose_problems(restricted_category=restricted_category, restricted_project=restricted_project)
    )
    if restricted_project is not None and restricted_project.chapter_id != fund.chapter_id:
        raise ValidationError({"restricted_project": _("只能限定为本会的项目")})
    fund.name = name.strip()
    fund.restricted_category = restricted_category
    fund.restricted_project = restricted_project
    fund.remarks = remarks or ""
    fund.updated_by = user
    fund.full_clean()
    fund.save()
    return fund


@transaction.atomic
def fund_create(*, chapter, user, name, restricted_category=None, restricted_project=None, remarks=""):
    fund = Fund(chapter=chapter, created_by=user)
    return _fund_fill(
        fund,
        user=user,
        name=name,
        restricted_category=restricted_category,
        restricted_project=restricted_project,
        remarks=remarks,
    )


@transaction.atomic
def fund_update(*, fund, user, name, restricted_category=None, restricted_project=None, remarks=""):
    """Renames a fund or changes its purpose; a purpose its past spending breaks is refused."""
    fund = Fund.objects.select_for_update().get(pk=fund.pk)
    if restricted_category is not None:
        spent_elsewhere = (
            fund.disbursements.exclude(category=restricted_category).exists()
            or fund.expenditures.exists()
            or fund.payouts.exists()
        )
    elif restricted_project is not None:
        spent_elsewhere = (
            fund.disbursements.exists()
            or fund.payouts.exists()
            or fund.expenditures.exclude(project=restricted_project).exists()
        )
    else:
        spent_elsewhere = False
    if spent_elsewhere:
        raise ValidationError(_("该基金已有用于其他用途的支出，不能改为此限定用途"))
    return _fund_fill(
        fund,
        user=user,
        name=name,
        restricted_category=restricted_category,
        restricted_project=restricted_project,
        remarks=remarks,
    )


# --- Donors -----------------------------------------------------------------------------------


def _donor_fill(
    donor, *, user, name, kind, contact_person="", phone="", address="", named_in_public=False, remarks=""
):
    donor.name = name.strip()
    donor.kind = kind
    donor.contact_person = (contact_person or "").strip()
    donor.phone = (phone or "").strip()
    donor.address = (address or "").strip()
    donor.named_in_public = named_in_public
    donor.remarks = remarks or ""
    donor.updated_by = user
    donor.full_clean()
    donor.save()
    return donor


@transaction.atomic
def donor_create(*, chapter, user, name, kind, **details):
    return _donor_fill(Donor(chapter=chapter, created_by=user), user=user, name=name, kind=kind, **details)


@transaction.atomic
def donor_update(*, donor, user, name, kind, **details):
    return _donor_fill(donor, user=user, name=name, kind=kind, **details)


def donor_resolve(*, chapter, user, name, kind):
    """The chapter's donor of this name and kind, created when new (for imports and quick entry)."""
    donor = Donor.objects.filter(chapter=chapter, name=name.strip(), kind=kind).order_by("pk").first()
    return donor or donor_create(chapter=chapter, user=user, name=name, kind=kind)


# --- Drives -----------------------------------------------------------------------------------


def _drive_fill(drive, *, user, name, start_date, end_date, fund, goal=None, remarks=""):
    if fund.chapter_id != drive.chapter_id:
        raise ValidationError({"fund": _("只能使用本会的基金")})
    refuse(drive_problems(start_date=start_date, end_date=end_date))
    drive.name = name.strip()
    drive.start_date = start_date
    drive.end_date = end_date
    drive.fund = fund
    drive.goal = to_money(goal) if goal is not None else None
    drive.remarks = remarks or ""
    drive.updated_by = user
    drive.full_clean()
    drive.save()
    return drive


@transaction.atomic
def drive_create(*, chapter, user, **fields):
    return _drive_fill(Drive(chapter=chapter, created_by=user), user=user, **fields)


@transaction.atomic
def drive_update(*, drive, user, **fields):
    """Corrects a drive. Moving it to another fund moves what it raised: both funds must allow it."""
    drive = Drive.objects.select_for_update().get(pk=drive.pk)
    if fields["fund"].pk != drive.fund_id and drive.donations.exists():
        raise ValidationError({"fund": _("该活动已有捐赠入账，不能更换入账基金")})
    if drive.donations.exclude(date__range=(fields["start_date"], fields["end_date"])).exists():
        raise ValidationError({"end_date": _("已有捐赠的日期不在新的活动期间内")})
    return _drive_fill(drive, user=user, **fields)


def drive_for_date(*, chapter, name, date):
    """The chapter's drive called ``name`` that ran on ``date`` (drives repeat every year)."""
    return Drive.objects.filter(
        chapter=chapter, name=name.strip(), start_date__lte=date, end_date__gte=date
    ).first()


# --- Donations --------------------------------------------------------------------------------


def _donation_fill(
    donation,
    *,
    user,
    date,
    donor,
    amount,
    kind=DonationKind.CASH,
    drive=None,
    fund=None,
    goods="",
    quantity=None,
    unit="",
    valuation_basis="",
    anonymous=False,
    remarks="",
):
    chapter = donation.chapter
    if donor.chapter_id != chapter.pk:
        raise ValidationError({"donor": _("捐赠人不属于本会")})
    if drive is not None and drive.chapter_id != chapter.pk:
        raise ValidationError({"drive": _("只能选择本会的募捐活动")})
    refuse(
        donation_problems(
            kind=kind, amount=amount, drive=drive, fund=fund, goods=goods, valuation_basis=valuation_basis
        )
    )
    if drive is not None:
        fund = drive.fund
        if date and not drive.start_date <= date <= drive.end_date:
            raise ValidationError(
                {
                    "date": _("捐赠日期不在募捐活动“%(drive)s”期间（%(start)s 至 %(end)s）")
                    % {"drive": drive.name, "start": drive.start_date, "end": drive.end_date}
                }
            )
    if fund.chapter_id != chapter.pk:
        raise ValidationError({"fund": _("只能使用本会的基金")})
    if kind != DonationKind.IN_KIND:
        goods, quantity, unit, valuation_basis = "", None, "", ""
    donation.date = date
    donation.donor = donor
    donation.drive = drive
    donation.fund = fund
    donation.kind = kind
    donation.amount = to_money(amount)
    donation.goods = (goods or "").strip()
    donation.quantity = quantity
    donation.unit = (unit or "").strip()
    donation.valuation_basis = valuation_basis or ""
    donation.anonymous = anonymous
    donation.remarks = remarks or ""
    donation.updated_by = user
    donation.full_clean(validate_constraints=False)
    donation.save()
    return donation


class GoodsIntake:
    """What an app keeping goods (``goods``, which imports donations, never the other way) does
    when a gift in kind is recorded, corrected, voided or reversed: a gift in kind *is* the
    arrival of its goods (DESIGN.md). Registered with ``register_goods_intake`` in its
    AppConfig.ready(); the defaults do nothing. ``details``: the goods fields the donation form
    adds (``form_fields``) beyond the gift's own."""

    def form_fields(self, chapters):
        """{name: form field} the donation form shows for a gift in kind."""
        return {}

    def problems(self, details):
        """The field errors of ``details`` (the form's ``clean()``)."""
        return {}

    def received(self, donation, *, user, details):
        """After a gift is recorded."""

    def corrected(self, donation, *, user, details):
        """After a gift is corrected."""

    def refuse_taking_back(self, donation):
        """Before a gift is voided or reversed: raises ValidationError when its goods are gone."""

    def after_void(self, donation, *, user, reason):
        """Once a gift is voided."""

    def after_reverse(self, donation, reversal, *, user, reason):
        """Once a gift is reversed."""


GOODS_INTAKE = []


def register_goods_intake(intake):
    if all(type(existing) is not type(intake) for existing in GOODS_INTAKE):
        GOODS_INTAKE.append(intake)


@transaction.atomic
def donation_record(*, chapter, user, receipt_number="", receipt_date=None, goods_details=None, **fields):
    """Records a gift of cash or goods into a fund (through a drive, or straight into the fund).
    A gift in kind makes its lot in a store (``GoodsIntake``).

    With ``receipt_number`` the receipt is issued at once.
    """
    donation = _donation_fill(Donation(chapter=chapter, created_by=user), user=user, **fields)
    if donation.is_in_kind:
        for intake in GOODS_INTAKE:
            intake.received(donation, user=user, details=goods_details or {})
    if receipt_number:
        receipt_issue(
            donation=donation, user=user, number=receipt_number, issued_on=receipt_date or donation.date
        )
    return donation


@transaction.atomic
def donation_correct(*, donation, user, **fields):
    """Corrects a recorded gift. Taking money out of a fund that has spent it is refused."""
    donation = correctable(Donation, donation)
    old_fund, old_amount, old_kind = donation.fund, donation.amount, donation.kind
    goods_details = fields.pop("goods_details", None)
    donation = _donation_fill(donation, user=user, **fields)
    for intake in GOODS_INTAKE:
        intake.corrected(donation, user=user, details=goods_details)
    if donation.fund_id != old_fund.pk or donation.amount < old_amount or donation.kind != old_kind:
        locked = Fund.objects.select_for_update().get(pk=old_fund.pk)
        goods_moved = donation.is_in_kind or old_kind == DonationKind.IN_KIND
        if (
            fund_balance(locked, part="cash") < 0
            or fund_balance(locked) < 0
            or (goods_moved and fund_balance(locked, part="goods") < 0)
        ):
            raise ValidationError(
                {
                    "amount": _("基金“%(fund)s”的款项已经支出，更正后余额将为负数，请先更正支出记录")
                    % {"fund": locked.name}
                }
            )
    return donation


# --- Receipts ---------------------------------------------------------------------------------


def _receipt_new(*, donation, user, number, issued_on):
    number = (number or "").strip()
    if not number:
        raise ValidationError({"number": _("请填写票据号")})
    if Receipt.objects.filter(chapter=donation.chapter_id, number=number).exists():
        raise ValidationError(
            {"number": _("票据号“%(number)s”已经使用过（含已作废的票据）") % {"number": number}}
        )
    if issued_on is not None and issued_on < donation.date:
        raise ValidationError(
            {"issued_on": _("开具日期不能早于捐赠日期（%(date)s）") % {"date": donation.date.isoformat()}}
        )
    receipt = Receipt(
        chapter_id=donation.chapter_id,
        donation=donation,
        number=number,
        issued_on=issued_on,
        created_by=user,
        updated_by=user,
    )
    receipt.full_clean(validate_constraints=False)
    receipt.save()
    return receipt


@transaction.atomic
def receipt_issue(*, donation, user, number, issued_on):
    """Issues the receipt of a donation that has none valid."""
    donation = Donation.objects.select_for_update().get(pk=donation.pk)
    valid = donation.receipts.filter(voided_at__isnull=True).first()
    if valid is not None:
        raise ValidationError(
            {"number": _("该捐赠已开具票据“%(number)s”；如需更换，请先作废原票据") % {"number": valid.number}}
        )
    return _receipt_new(donation=donation, user=user, number=number, issued_on=issued_on)


@transaction.atomic
def receipt_void(*, receipt, user, reason, new_number="", new_issued_on=None):
    """Voids a receipt with its reason, and issues its replacement when ``new_number`` is given.

    The voided receipt stays, visible, with who voided it, when and why.
    """
    receipt = Receipt.objects.select_for_update().get(pk=receipt.pk)
    if receipt.is_void:
        when = timezone.localtime(receipt.voided_at).strftime("%Y-%m-%d")
        raise ValidationError({"reason": _("该票据已于 %(when)s 作废") % {"when": when}})
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写作废原因")})
    receipt.voided_at = timezone.now()
    receipt.voided_by = user
    receipt.void_reason = reason
    receipt.updated_by = user
    if new_number and new_issued_on is not None:
        bounds.check("new_issued_on", new_issued_on, bounds.validate_record_date)
    receipt.save()
    if new_number:
        return _receipt_new(
            donation=receipt.donation,
            user=user,
            number=new_number,
            issued_on=new_issued_on or timezone.localdate(),
        )
    return receipt


# --- Payouts ----------------------------------------------------------------------------------


def _payout_fill(
    payout,
    *,
    user,
    date,
    fund,
    recipient,
    purpose,
    cash_amount=0,
    in_kind_amount=0,
    document_number="",
    remarks="",
):
    payout.date = date
    payout.fund = fund
    payout.recipient = recipient.strip()
    payout.purpose = purpose.strip()
    payout.cash_amount = to_money(cash_amount)
    payout.in_kind_amount = to_money(in_kind_amount)
    payout.document_number = (document_number or "").strip()
    payout.remarks = remarks or ""
    payout.updated_by = user
    refuse(payout_problems(cash_amount=payout.cash_amount, in_kind_amount=payout.in_kind_amount))
    payout.full_clean(validate_constraints=False)
    fund_lock_for_spending(
        fund=fund,
        chapter=payout.chapter,
        amount=payout.cash_amount,
        in_kind_amount=payout.in_kind_amount,
        excluding=payout,
    )
    payout.save()
    return payout


@transaction.atomic
def payout_record(*, chapter, user, **fields):
    """Records money or goods a fund passes on to another body; only unrestricted funds pay out."""
    return _payout_fill(Payout(chapter=chapter, created_by=user), user=user, **fields)


@transaction.atomic
def payout_correct(*, payout, user, **fields):
    payout = correctable(Payout, payout)
    return _payout_fill(payout, user=user, **fields)


class DonationCorrections(CorrectionHooks):
    """What voiding and reversing a gift must check and do (registered in DonationsConfig.ready):
    its money can only be taken back while its fund still holds it; its receipts are voided
    with it; a reversal belongs to no drive."""

    def refuse_taking_back(self, record):
        for intake in GOODS_INTAKE:
            intake.refuse_taking_back(record)
        fund = Fund.objects.select_for_update().get(pk=record.fund_id)
        balance = fund_balance(fund, part="goods" if record.is_in_kind else "cash")
        amount = record.amount
        if balance - amount < 0:
            raise ValidationError(
                _(
                    "基金“%(fund)s”的款项已经支出（余额 %(balance)s 元），"
                    "不能收回 %(amount)s 元；请先作废或冲销支出"
                )
                % {"fund": fund.name, "balance": format_money(balance), "amount": format_money(amount)}
            )

    def after_void(self, record, *, user, reason):
        for intake in GOODS_INTAKE:
            intake.after_void(record, user=user, reason=reason)
        for receipt in Receipt.objects.filter(donation=record, voided_at__isnull=True):
            receipt.voided_at = record.voided_at
            receipt.voided_by = user
            receipt.void_reason = _("捐赠作废：%(reason)s") % {"reason": reason}
            receipt.updated_by = user
            receipt.save()

    def prepare_reversal(self, record, reversal):
        reversal.drive_id = None  # a closed drive's figures stay as they were published

    def after_reverse(self, record, reversal, *, user, reason):
        for intake in GOODS_INTAKE:
            intake.after_reverse(record, reversal, user=user, reason=reason)

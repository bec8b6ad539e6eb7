"""Writes of funds and donations, and the rules every spending from a fund obeys."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from redcross.money import format_money, to_money

from .models import Donation, Fund
from .selectors import fund_balance


def fund_lock_for_spending(*, fund, chapter, amount, purpose_category=None, excluding_disbursement=None):
    """Locks ``fund`` for the rest of the transaction and checks it may pay ``amount``.

    Refuses a fund of another chapter, a restricted fund spent on another purpose, and any
    payment that would take the fund below zero. The row lock makes two payments racing for
    the last money of a fund wait for each other, so only one succeeds. Call inside a
    transaction.
    """
    locked = Fund.objects.select_for_update().get(pk=fund.pk)
    if locked.chapter_id != chapter.pk:
        raise ValidationError({"fund": _("只能使用本会的基金")})
    if locked.restricted_category_id and locked.restricted_category_id != getattr(
        purpose_category, "pk", None
    ):
        raise ValidationError(
            {
                "fund": _("该基金限定用于“%(purpose)s”，不能用于其他用途")
                % {"purpose": locked.restricted_category.name}
            }
        )
    balance = fund_balance(locked, excluding_disbursement=excluding_disbursement)
    if to_money(amount) > balance:
        raise ValidationError(
            {
                "fund": _("基金“%(fund)s”余额不足：可用 %(balance)s 元，本次需 %(amount)s 元")
                % {
                    "fund": locked.name,
                    "balance": format_money(balance),
                    "amount": format_money(amount),
                }
            }
        )
    return locked


@transaction.atomic
def fund_create(*, chapter, user, name, restricted_category=None, remarks=""):
    fund = Fund(
        chapter=chapter,
        name=name,
        restricted_category=restricted_category,
        remarks=remarks,
        created_by=user,
        updated_by=user,
    )
    fund.full_clean()
    fund.save()
    return fund


@transaction.atomic
def donation_record(*, chapter, user, date, donor_name, fund, amount, kind="cash", remarks=""):
    if fund.chapter_id != chapter.pk:
        raise ValidationError({"fund": _("只能使用本会的基金")})
    donation = Donation(
        chapter=chapter,
        date=date,
        donor_name=donor_name,
        fund=fund,
        amount=to_money(amount),
        kind=kind,
        remarks=remarks,
        created_by=user,
        updated_by=user,
    )
    donation.full_clean()
    donation.save()
    return donation

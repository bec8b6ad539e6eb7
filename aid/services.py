"""Writes of relief disbursements. Each service is one transaction and validates before saving."""

from decimal import Decimal

from django.db import transaction

from donations.selectors import spending_balances
from donations.services import fund_lock_for_spending
from redcross.corrections import CorrectionHooks, approval_mark, correctable, repeat_payments
from redcross.idnumber import normalize_id_number
from redcross.money import to_money
from redcross.rules import refuse

from .models import (  # kept by a payment's save; offered here to bulk writes
    Beneficiary,
    Disbursement,
    person_years_refresh,
    relief_days_rebuild,
    summaries_refresh,
)
from .rules import beneficiary_problems, disbursement_problems

# Re-exported: bulk writes (the import's undo, benchmarks, tests) call them from here.
__all__ = ["person_years_refresh", "relief_days_rebuild", "summaries_refresh"]


def beneficiary_resolve(*, chapter, name, id_number="", township="", user=None):
    """The chapter's beneficiary with this ID number (or, without one, this name and township).

    Creates the person when new. An ID number already held under another name is refused: one of
    the two is mistyped, and guessing would merge or split people.
    """
    name = name.strip()
    id_number = normalize_id_number(id_number)
    township = township.strip()
    if id_number:
        existing = Beneficiary.objects.filter(chapter=chapter, id_number=id_number).first()
        if existing:
            refuse(beneficiary_problems(name=name, holder_name=existing.name))
            return existing
    else:
        existing = Beneficiary.objects.filter(
            chapter=chapter, name=name, township=township, id_number=""
        ).first()
        if existing:
            return existing
    beneficiary = Beneficiary(
        chapter=chapter,
        name=name,
        id_number=id_number,
        township=township,
        created_by=user,
        updated_by=user,
    )
    beneficiary.full_clean()
    beneficiary.save()
    return beneficiary


def _fill(
    disbursement,
    *,
    user,
    date,
    category,
    cash_amount,
    in_kind_amount,
    beneficiary_name,
    id_number,
    township,
    head_count,
    cases,
    fund,
    remarks,
):
    """Sets a disbursement's fields, checks them and the fund it draws on, and saves it."""
    refuse(
        disbursement_problems(
            beneficiary_name=beneficiary_name,
            id_number=id_number,
            cash_amount=to_money(cash_amount),
            in_kind_amount=to_money(in_kind_amount),
        )
    )
    beneficiary_name = (beneficiary_name or "").strip()
    if beneficiary_name:
        disbursement.beneficiary = beneficiary_resolve(
            chapter=disbursement.chapter,
            name=beneficiary_name,
            id_number=id_number,
            township=township,
            user=user,
        )
        head_count = 1
    else:
        disbursement.beneficiary = None
    disbursement.date = date
    disbursement.category = category
    disbursement.cash_amount = to_money(cash_amount)
    disbursement.in_kind_amount = to_money(in_kind_amount)
    disbursement.township = (township or "").strip()
    disbursement.head_count = head_count
    # Left open, a person's payment is one case and a group's is one per person reached.
    disbursement.cases = cases if cases is not None else head_count
    disbursement.fund = fund
    disbursement.remarks = remarks or ""
    disbursement.updated_by = user
    # The check constraints are the rules checked above (``aid.rules``) and by the fields' validators;
    # the database still enforces them, so they are not asked of it once more here.
    disbursement.full_clean(validate_constraints=False)
    if fund is not None:
        fund_lock_for_spending(
            fund=fund,
            chapter=disbursement.chapter,
            amount=disbursement.total_amount,
            purpose_category=category,
            excluding=disbursement,
        )
    approval_mark(disbursement, disbursement.total_amount)
    disbursement.save()  # which keeps PersonYear true
    return disbursement


@transaction.atomic
def disbursement_record(
    *,
    chapter,
    user,
    date,
    category,
    cash_amount=Decimal("0"),
    in_kind_amount=Decimal("0"),
    beneficiary_name="",
    id_number="",
    township="",
    head_count=1,
    cases=None,
    fund=None,
    remarks="",
):
    """Records a relief payment to a named person (``beneficiary_name``) or to a group.

    ``cases`` counts operations or payments; left as None it is 1 for a person and the head
    count for a group.
    """
    disbursement = Disbursement(chapter=chapter, created_by=user)
    return _fill(
        disbursement,
        user=user,
        date=date,
        category=category,
        cash_amount=cash_amount,
        in_kind_amount=in_kind_amount,
        beneficiary_name=beneficiary_name,
        id_number=id_number,
        township=township,
        head_count=head_count,
        cases=cases,
        fund=fund,
        remarks=remarks,
    )


@transaction.atomic
def disbursement_correct(
    *,
    disbursement,
    user,
    date,
    category,
    cash_amount=Decimal("0"),
    in_kind_amount=Decimal("0"),
    beneficiary_name="",
    id_number="",
    township="",
    head_count=1,
    cases=None,
    fund=None,
    remarks="",
):
    """Corrects a recorded payment; the fund rules are checked again for the new figures."""
    disbursement = correctable(Disbursement, disbursement)
    return _fill(
        disbursement,
        user=user,
        date=date,
        category=category,
        cash_amount=cash_amount,
        in_kind_amount=in_kind_amount,
        beneficiary_name=beneficiary_name,
        id_number=id_number,
        township=township,
        head_count=head_count,
        cases=cases,
        fund=fund,
        remarks=remarks,
    )


class DisbursementCorrections(CorrectionHooks):
    """What approving a relief payment checks, and warns of (registered in AidConfig.ready)."""

    def approval_checks(self, record):
        """The fund, as it stands now, must still be able to pay for the payment's category."""
        if record.fund_id is not None:
            fund_lock_for_spending(
                fund=record.fund,
                chapter=record.chapter,
                amount=to_money(record.correction_total()),
                excluding=record,
                purpose_category=record.category,
            )

    def approval_repeats(self, record):
        return repeat_payments(record)

    def fund_balances(self, records):
        return spending_balances(records)

"""Writes of relief disbursements. Each service is one transaction and validates before saving."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from donations.selectors import spending_balances
from donations.services import fund_lock_for_spending
from redcross.corrections import (
    CorrectionHooks,
    approval_mark,
    correctable,
    record_reverse,
    record_void,
    repeat_payments,
)
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
from .rules import beneficiary_collision_problems, beneficiary_problems, disbursement_problems

# Re-exported: bulk writes (the import's undo, benchmarks, tests) call them from here.
__all__ = ["person_years_refresh", "relief_days_rebuild", "summaries_refresh"]


def beneficiary_resolve(*, chapter, name, id_number="", township="", user=None):
    """The chapter's beneficiary with this ID number (or, without one, this name and township).

    Creates the person when new. An ID number already held under another name is refused: one of
    the two is mistyped, and guessing would merge or split people. Unless every payment of the
    holder is voided (an import undone, a payment entered by mistake): then nothing in the books
    says the number is that name's any more, and the ID number, which is who a person is, is
    taken to be right. The payment attaches to the holder, whose name is corrected to the one
    now given (a new version, in history): the voided payments stay with the number they named.
    """
    name = name.strip()
    id_number = normalize_id_number(id_number)
    township = township.strip()
    if id_number:
        existing = standing_beneficiaries().filter(chapter=chapter, id_number=id_number).first()
        if existing:
            released = existing.name != name and beneficiary_released(existing)
            refuse(beneficiary_problems(name=name, holder_name=existing.name, holder_released=released))
            if released:
                existing.name = name
                existing.updated_by = user
                existing.full_clean(validate_constraints=False)
                existing.save()
            return existing
    else:
        existing = (
            standing_beneficiaries()
            .filter(chapter=chapter, name=name, township=township, id_number="")
            .first()
        )
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


def standing_beneficiaries():
    """The persons that stand: not merged into another record."""
    return Beneficiary.objects.filter(merged_into__isnull=True)


def beneficiary_released(beneficiary):
    """Whether ``beneficiary`` had payments and every one is voided (a pending or reversed
    payment still holds the person): their ID number then holds no name (``aid.rules``)."""
    payments = Disbursement.all_objects.filter(beneficiary=beneficiary)
    return payments.exists() and not payments.filter(voided_at__isnull=True).exists()


def released_beneficiaries(chapter):
    """The ids of ``chapter``'s persons whose every payment is voided, in one query (the import)."""
    return set(
        Disbursement.all_objects.filter(chapter=chapter, beneficiary__isnull=False)
        .order_by()
        .values("beneficiary")
        .annotate(live=Count("pk", filter=Q(voided_at__isnull=True)))
        .filter(live=0)
        .values_list("beneficiary", flat=True)
    )


def beneficiary_collisions(*, beneficiary, id_number, name, township):
    """The problems (``aid.rules``) of giving ``beneficiary`` this ID number, name and township,
    and the person it would collide with (or None)."""
    others = standing_beneficiaries().filter(chapter=beneficiary.chapter_id).exclude(pk=beneficiary.pk)
    holder = namesake = None
    if id_number:
        holder = others.filter(id_number=id_number).first()
    else:
        namesake = others.filter(id_number="", name=name, township=township).first()
    problems = beneficiary_collision_problems(
        id_number=id_number,
        holder_name=holder.name if holder else None,
        name=name,
        township=township,
        namesake_name=namesake.name if namesake else None,
    )
    return problems, holder or namesake


@transaction.atomic
def beneficiary_correct(*, beneficiary, user, name, id_number="", township=""):
    """Corrects a person's name, ID number or township: a new version of the record, in history.

    Refused while the new values would make it a second record of a person already held (the
    same ID number, or without one the same name and township): those are merged instead.
    """
    beneficiary = Beneficiary.objects.select_for_update().get(pk=beneficiary.pk)
    if beneficiary.is_merged:
        raise ValidationError(_("该受助人记录已合并到另一条记录，不能更正"))
    name = (name or "").strip()
    id_number = normalize_id_number(id_number)
    township = (township or "").strip()
    problems, _other = beneficiary_collisions(
        beneficiary=beneficiary, id_number=id_number, name=name, township=township
    )
    refuse(problems)
    beneficiary.name = name
    beneficiary.id_number = id_number
    beneficiary.township = township
    beneficiary.updated_by = user
    beneficiary.full_clean(validate_constraints=False)
    beneficiary.save()
    return beneficiary


@transaction.atomic
def beneficiary_merge(*, keep, merged, user):
    """Merges ``merged`` into ``keep``: two records found to be one person.

    Every payment of ``merged`` (voided ones too) moves to ``keep`` through its own save, so
    the daily sums and the persons counted (PersonYear) follow, and a payment in a closed
    period refuses the whole merge. ``merged`` is kept, pointing to ``keep`` (in history), and
    holds its number no more; ``keep`` takes the ID number when it had none.
    """
    if keep.pk == merged.pk:
        raise ValidationError(_("不能把受助人与自己合并"))
    locked = {b.pk: b for b in Beneficiary.objects.select_for_update().filter(pk__in=[keep.pk, merged.pk])}
    keep, merged = locked[keep.pk], locked[merged.pk]
    if keep.chapter_id != merged.chapter_id:
        raise ValidationError(_("只能合并同一红十字会的受助人"))
    if keep.is_merged or merged.is_merged:
        raise ValidationError(_("该受助人记录已合并到另一条记录，不能再合并"))
    for payment in Disbursement.all_objects.filter(beneficiary=merged).order_by("pk"):
        payment.beneficiary = keep
        payment.updated_by = user
        payment.save()  # which keeps ReliefDay and PersonYear true, and refuses closed periods
    merged.merged_into = keep
    merged.updated_by = user
    merged.save()
    if not keep.id_number and merged.id_number:
        keep.id_number = merged.id_number
        keep.updated_by = user
        keep.save()
    return keep


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
    if disbursement.goods_issue_id is not None and disbursement.pk is not None:
        issue = disbursement.goods_issue
        if to_money(in_kind_amount) != issue.total_value or (
            fund is not None and fund.pk != disbursement.fund_id
        ):
            raise ValidationError(
                {
                    "in_kind_amount": _(
                        "该笔发放的物资出自物资出库单，物资折价和资金来源由出库的物资决定；请更正出库单"
                    )
                }
            )
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
            amount=disbursement.cash_amount,
            in_kind_amount=disbursement.in_kind_amount,
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


# --- Relief in kind out of the store (goods) -----------------------------------------------------


def relief_for_issue(*, issue, user, fund, id_number="", township="", cases=None):
    """The relief payment of a relief issue (``goods.services.issue_record``): worth the value of
    the lots its lines took, from the fund whose goods they were, naming the issue."""
    disbursement = Disbursement(chapter=issue.chapter, created_by=user, goods_issue=issue)
    return _fill(
        disbursement,
        user=user,
        date=issue.date,
        category=issue.category,
        cash_amount=Decimal("0"),
        in_kind_amount=issue.total_value,
        beneficiary_name=issue.beneficiary_name,
        id_number=id_number,
        township=township,
        head_count=issue.head_count,
        cases=cases,
        fund=fund,
        remarks=issue.remarks,
    )


def relief_issue_voided(issue, *, user, reason):
    """A voided relief issue voids its payment."""
    payment = Disbursement.all_objects.filter(goods_issue=issue, voided_at__isnull=True).first()
    if payment is not None:
        record_void(payment, user=user, reason=reason)


def relief_issue_reversed(issue, reversal, *, user, reason):
    """A reversed relief issue reverses its payment on the same day."""
    payment = Disbursement.objects.filter(goods_issue=issue).first()
    if payment is not None and not payment.reversals.filter(voided_at__isnull=True).exists():
        record_reverse(payment, user=user, date=reversal.date, reason=reason)


def relief_recipients(issues, access):
    """issue pk → (recipient, ID number as ``access`` may see it, payment URL) for relief issues."""
    from redcross.personal import shown

    payments = Disbursement.all_objects.filter(goods_issue__in=[i.pk for i in issues]).select_related(
        "beneficiary"
    )
    found = {}
    for payment in payments:
        person = payment.beneficiary
        name = person.name if person else _("群体发放（%(n)s人）") % {"n": payment.head_count}
        number = shown(access, payment.chapter_id, person.id_number, "id_number") if person else ""
        found[payment.goods_issue_id] = (name, number, payment.get_absolute_url())
    return found


class DisbursementCorrections(CorrectionHooks):
    """What approving a relief payment checks, and warns of (registered in AidConfig.ready); a
    payment of goods out of the store is voided and reversed with its issue."""

    def after_void(self, record, *, user, reason):
        if record.goods_issue_id is not None:
            from goods.models import Issue

            issue = Issue.all_objects.filter(pk=record.goods_issue_id, voided_at__isnull=True).first()
            if issue is not None:
                record_void(issue, user=user, reason=reason)

    def prepare_reversal(self, record, reversal):
        reversal.goods_issue = None  # the issue's own reversal puts its goods back

    def after_reverse(self, record, reversal, *, user, reason):
        if record.goods_issue_id is not None:
            from goods.models import Issue

            issue = Issue.objects.filter(pk=record.goods_issue_id).first()
            if issue is not None and not issue.reversals.filter(voided_at__isnull=True).exists():
                record_reverse(issue, user=user, date=reversal.date, reason=reason)

    def approval_checks(self, record):
        """The fund, as it stands now, must still be able to pay for the payment's category."""
        if record.fund_id is not None:
            fund_lock_for_spending(
                fund=record.fund,
                chapter=record.chapter,
                amount=to_money(record.cash_amount),
                in_kind_amount=to_money(record.in_kind_amount),
                excluding=record,
                purpose_category=record.category,
            )

    def approval_repeats(self, record):
        return repeat_payments(record)

    def fund_balances(self, records):
        return spending_balances(records)

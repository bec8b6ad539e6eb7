"""Writes of goods: stores, lots received, issues with their lines, stock count adjustments.
Each service is one transaction and validates before saving.

Never more than a lot holds: the lots an issue takes from are locked (``select_for_update``)
before their stock is read, so two people issuing the last cartons of one lot at once wait for
each other and the second finds them gone.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from donations.services import fund_create, fund_lock_for_spending
from redcross import bounds
from redcross.choices import Role
from redcross.corrections import CorrectionHooks
from redcross.history import recorded_update
from redcross.models import Membership
from redcross.money import to_money
from redcross.rules import refuse

from .choices import RELIEF_KINDS, IssueKind, LotOrigin
from .models import Adjustment, Issue, IssueLine, Item, Lot, Store
from .rules import arrival_problems, issue_problems, line_problems, lot_problems, plain, restriction_problems
from .selectors import fifo_order, issue_value_for, lot_on_hand, with_stock

DEFAULT_STORE_NAME = "本会库房"

# Filled by ``aid`` in its AppConfig.ready() (aid imports goods, never the other way):
# ``RELIEF["record"](issue=, user=, fund=, id_number=, township=, cases=)`` records the relief
# payment worth the issue's value, naming the issue; ``RELIEF["void"](issue, user=, reason=)``
# and ``RELIEF["reverse"](issue, reversal, user=, reason=)`` follow a voided or reversed issue.
RELIEF = {}


def register_relief(*, record, void, reverse):
    RELIEF.update(record=record, void=void, reverse=reverse)


# --- Stores and items -------------------------------------------------------------------------


@transaction.atomic
def store_create(*, chapter, user, name, address="", keeper=""):
    store = Store(
        chapter=chapter,
        name=(name or "").strip(),
        address=(address or "").strip(),
        keeper=(keeper or "").strip(),
        created_by=user,
        updated_by=user,
    )
    store.full_clean()
    store.save()
    return store


def store_default(*, chapter, user=None):
    """The chapter's store: its only (or first) store in use, else a new 本会库房."""
    store = Store.objects.filter(chapter=chapter, is_active=True).order_by("pk").first()
    return store or store_create(chapter=chapter, user=user, name=DEFAULT_STORE_NAME)


def item_resolve(*, chapter, user, name, specification="", unit):
    """The chapter's item of this name, specification and unit, created when new."""
    name, specification, unit = (name or "").strip(), (specification or "").strip(), (unit or "").strip()
    problems = {}
    if not name:
        problems["item_name"] = _("请填写物资名称")
    if not unit:
        problems["unit"] = _("请填写计量单位")
    refuse(problems)
    item = Item.objects.filter(chapter=chapter, name=name, specification=specification, unit=unit).first()
    if item is None:
        item = Item(
            chapter=chapter,
            name=name,
            specification=specification,
            unit=unit,
            created_by=user,
            updated_by=user,
        )
        item.full_clean()
        item.save()
    return item


# --- Lots -------------------------------------------------------------------------------------


def _lot_values(quantity, unit_value, total_value):
    """(unit value, total value): the total from the unit value when not given, and the unit
    value from the total (the value the books hold is the total)."""
    if total_value is None and unit_value is not None and quantity:
        total_value = to_money(Decimal(unit_value) * Decimal(quantity))
    if total_value is None:
        raise ValidationError({"total_value": _("请填写单价或折价金额")})
    total_value = to_money(total_value)
    bounds.check("total_value", total_value, bounds.validate_amount)
    if quantity and quantity > 0:
        unit_value = to_money(total_value / Decimal(quantity))
    return to_money(unit_value or 0), total_value


@transaction.atomic
def lot_receive(
    *,
    chapter,
    user,
    date,
    origin,
    fund,
    item_name,
    unit,
    quantity,
    specification="",
    store=None,
    unit_value=None,
    total_value=None,
    valuation_basis,
    expiry_date=None,
    counted_by_1="",
    counted_by_2="",
    donation=None,
    origin_chapter=None,
    source_line=None,
    supplier="",
    document_number="",
    remarks="",
    counted=True,
):
    """Records an arrival of goods: an in-kind gift's (``donation``), a purchase with ``fund``'s
    cash (the cash leaves the fund: refused beyond its cash balance), or an allocation from the
    chapter above (``origin_chapter``; ``source_line`` when it was issued inside the product, in
    which case it is counted on arrival and ``counted`` is False)."""
    if store is None:
        store = store_default(chapter=chapter, user=user)
    if store.chapter_id != chapter.pk:
        raise ValidationError({"store": _("只能选择本会的库房")})
    if fund.chapter_id != chapter.pk:
        raise ValidationError({"fund": _("只能使用本会的基金")})
    if origin == LotOrigin.ALLOCATION and source_line is None:
        if origin_chapter is None:
            raise ValidationError({"origin_chapter": _("请选择调出物资的上级红十字会")})
        if origin_chapter.pk == chapter.pk or not chapter.is_within(origin_chapter):
            raise ValidationError({"origin_chapter": _("调出单位须是本会的上级红十字会")})
    if quantity is not None:
        bounds.check("quantity", quantity, bounds.validate_quantity)
    unit_value, total_value = _lot_values(quantity, unit_value, total_value)
    problems = lot_problems(
        date=date,
        quantity=quantity,
        total_value=total_value,
        expiry_date=expiry_date,
        counted_by_1=counted_by_1,
        counted_by_2=counted_by_2,
        origin=origin,
    )
    if not counted:
        problems.pop("counted_by_1", None)
        problems.pop("counted_by_2", None)
    refuse(problems)
    item = item_resolve(chapter=chapter, user=user, name=item_name, specification=specification, unit=unit)
    lot = Lot(
        chapter=chapter,
        date=date,
        store=store,
        item=item,
        quantity=quantity,
        unit_value=unit_value,
        total_value=total_value,
        valuation_basis=valuation_basis,
        expiry_date=expiry_date,
        counted_by_1=(counted_by_1 or "").strip(),
        counted_by_2=(counted_by_2 or "").strip(),
        origin=origin,
        donation=donation,
        origin_chapter=origin_chapter,
        source_line=source_line,
        supplier=(supplier or "").strip(),
        document_number=(document_number or "").strip(),
        fund=fund,
        remarks=remarks or "",
        # Sent from above inside the product: in transit until the chapter below confirms it.
        in_transit=source_line is not None,
        created_by=user,
        updated_by=user,
    )
    lot.full_clean(validate_constraints=False)
    if origin == LotOrigin.PURCHASE:
        # Goods bought with the fund's cash: the cash leaves the fund, the goods come in.
        fund_lock_for_spending(fund=fund, chapter=chapter, amount=total_value)
    lot.save()
    return lot


def lots_locked(pks):
    """Locks the lots ``pks`` for the rest of the transaction (in one order: two issues never
    wait on each other), then reads them with their stock as it now stands."""
    pks = sorted(set(pks))
    list(Lot.all_objects.select_for_update().filter(pk__in=pks).order_by("pk").values_list("pk", flat=True))
    return {lot.pk: lot for lot in with_stock(Lot.all_objects.filter(pk__in=pks).select_related("item"))}


# --- Issues -----------------------------------------------------------------------------------


def pick_lots(*, chapter, item, quantity, date, store=None):
    """[(lot pk, quantity)]: ``quantity`` of ``item`` taken from the chapter's lots that had
    arrived by ``date``, the earliest-expiring first (goods that do not expire last, then the
    oldest arrival). Refused when they do not hold that much together."""
    if quantity is None or quantity <= 0:
        raise ValidationError({"quantity": _("出库数量必须大于零")})
    candidates = Lot.objects.available().filter(chapter=chapter, item=item, date__lte=date)
    if store is not None:
        candidates = candidates.filter(store=store)
    locked = lots_locked(candidates.values_list("pk", flat=True))
    picked, left = [], Decimal(quantity)
    for lot in fifo_order(with_stock(candidates)):
        on_hand = locked[lot.pk].on_hand
        if left <= 0:
            break
        if on_hand <= 0:
            continue
        take = min(on_hand, left)
        picked.append((lot.pk, take))
        left -= take
    if left > 0:
        held = Decimal(quantity) - left
        raise ValidationError(
            {
                "quantity": _("“%(item)s”库存只有 %(held)s%(unit)s，不能出库 %(quantity)s%(unit)s")
                % {"item": item, "held": plain(held), "quantity": plain(quantity), "unit": item.unit}
            }
        )
    return picked


def _check_issue_lines(*, chapter, date, lines, locked):
    """Each line's lot is the chapter's, stands, had arrived by ``date`` and holds the quantity
    (several lines on one lot together)."""
    wanted = {}
    for pk, quantity in lines:
        wanted[pk] = wanted.get(pk, Decimal(0)) + Decimal(quantity)
    for pk, quantity in wanted.items():
        lot = locked.get(pk)
        if lot is None or lot.chapter_id != chapter.pk:
            raise ValidationError({"lines": _("只能从本会库存的批次出库")})
        if not lot.stands:
            raise ValidationError({"lines": _("批次“%(lot)s”已作废，不能出库") % {"lot": lot}})
        if lot.in_transit:
            raise ValidationError(
                {"lines": _("批次“%(lot)s”是在途的调拨物资，确认接收后才能出库") % {"lot": lot}}
            )
        if lot.date > date:
            raise ValidationError(
                {"date": _("出库日期不能早于批次“%(lot)s”的入库日期 %(day)s") % {"lot": lot, "day": lot.date}}
            )
        bounds.check("quantity", quantity, bounds.validate_quantity)
        refuse(
            {
                "lines" if k == "quantity" else k: v
                for k, v in line_problems(quantity=quantity, on_hand=lot.on_hand, lot_label=lot).items()
            }
        )


# The unrestricted fund a chapter below receives allocated goods into when it has none yet.
RECEIVING_FUND = gettext_lazy("上级调拨物资")


def _receiving_fund(recipient_chapter, recipient_fund, source_fund=None, *, user=None):
    """The fund of the chapter below the goods of ``source_fund`` go into: one restricted to the
    same relief category when the source fund is (the donors' purpose goes with the goods),
    otherwise an unrestricted one. A chapter below holding no unrestricted fund gets one, named
    ``RECEIVING_FUND``, as it receives its first allocation (it cannot have made one in advance
    without knowing it would need it)."""
    category_id = getattr(source_fund, "restricted_category_id", None)
    if recipient_fund is not None:
        if recipient_fund.chapter_id != recipient_chapter.pk:
            raise ValidationError({"recipient_fund": _("调入基金须是调入红十字会的基金")})
        if category_id and recipient_fund.restricted_category_id != category_id:
            raise ValidationError(
                {
                    "recipient_fund": _("调入基金须同样限定用于“%(purpose)s”")
                    % {"purpose": source_fund.restricted_category.name}
                }
            )
        return recipient_fund
    fund_model = Lot._meta.get_field("fund").related_model
    if category_id:
        fund = (
            fund_model.objects.filter(chapter=recipient_chapter, restricted_category_id=category_id)
            .order_by("name", "pk")
            .first()
        )
        if fund is None:
            raise ValidationError(
                {
                    "recipient_chapter": _(
                        "%(chapter)s没有限定用于“%(purpose)s”的基金，无法接收基金“%(fund)s”的限定用途物资"
                    )
                    % {
                        "chapter": recipient_chapter,
                        "purpose": source_fund.restricted_category.name,
                        "fund": source_fund.name,
                    }
                }
            )
        return fund
    fund = (
        fund_model.objects.filter(
            chapter=recipient_chapter, restricted_category__isnull=True, restricted_project__isnull=True
        )
        .order_by("name", "pk")
        .first()
    )
    if fund is None:
        fund = fund_create(chapter=recipient_chapter, user=user, name=str(RECEIVING_FUND))
    return fund


@transaction.atomic
def issue_record(
    *,
    chapter,
    user,
    date,
    kind,
    lines=None,
    item=None,
    quantity=None,
    store=None,
    recipient_chapter=None,
    recipient_fund=None,
    receiving_unit="",
    reason="",
    category=None,
    project=None,
    beneficiary_name="",
    id_number="",
    township="",
    head_count=1,
    cases=None,
    document_number="",
    remarks="",
):
    """Issues goods: from the lots chosen (``lines``: [(lot, quantity)]) or, without them,
    ``quantity`` of ``item`` picked earliest-expiring first (``pick_lots``). Never more than a
    lot holds. A relief issue records its relief payment (in ``aid``), worth what the lines
    took; an allocation makes the receiving lot in the chapter below; a write-off waits for a
    leader's approval."""
    bounds.check("date", date, bounds.validate_record_date)
    if kind not in IssueKind.values:
        raise ValidationError({"kind": _("请选择出库类型")})
    refuse(
        issue_problems(
            kind=kind,
            recipient_chapter=recipient_chapter,
            receiving_unit=receiving_unit,
            reason=reason,
            category=category,
            beneficiary_name=beneficiary_name,
            head_count=head_count,
        )
    )
    if kind == IssueKind.ALLOCATION and (
        recipient_chapter.pk == chapter.pk or not recipient_chapter.is_within(chapter)
    ):
        raise ValidationError({"recipient_chapter": _("只能调拨给本会下级的红十字会")})
    if head_count is not None:
        bounds.check("head_count", head_count, bounds.validate_head_count)
    if lines:
        lines = [(getattr(lot, "pk", lot), Decimal(q) if q is not None else None) for lot, q in lines]
    else:
        if item is None:
            raise ValidationError({"item": _("请选择出库的物资")})
        if item.chapter_id != chapter.pk:
            raise ValidationError({"item": _("只能出库本会的物资")})
        if quantity is not None:
            bounds.check("quantity", quantity, bounds.validate_quantity)
        lines = pick_lots(chapter=chapter, item=item, quantity=quantity, date=date, store=store)
    locked = lots_locked(pk for pk, _q in lines)
    _check_issue_lines(chapter=chapter, date=date, lines=lines, locked=locked)
    funds = {locked[pk].fund_id for pk, _q in lines}
    if kind in RELIEF_KINDS and len(funds) > 1:
        raise ValidationError({"lines": _("一次救助发放只能发放同一基金的物资，请分开登记")})
    if project is not None and project.chapter_id != chapter.pk:
        raise ValidationError({"project": _("只能选择本会的项目")})
    fund_model = Lot._meta.get_field("fund").related_model
    sources = {
        fund.pk: fund
        for fund in fund_model.objects.filter(pk__in=funds).select_related(
            "restricted_category", "restricted_project"
        )
    }
    refuse(
        restriction_problems(
            kind=kind, funds=sorted(sources.values(), key=lambda f: f.pk), category=category, project=project
        )
    )

    issue = Issue(
        chapter=chapter,
        date=date,
        kind=kind,
        recipient_chapter=recipient_chapter if kind == IssueKind.ALLOCATION else None,
        receiving_unit=(receiving_unit or "").strip() if kind == IssueKind.UNIT else "",
        reason=(reason or "").strip(),
        # Relief's category; for goods to a unit or a chapter below, their purpose (用途).
        category=category if kind != IssueKind.WRITE_OFF else None,
        project=project if kind == IssueKind.UNIT else None,
        beneficiary_name=(beneficiary_name or "").strip() if kind == IssueKind.RELIEF_PERSON else "",
        head_count=1 if kind != IssueKind.RELIEF_GROUP else head_count,
        document_number=(document_number or "").strip(),
        remarks=remarks or "",
        # A write-off waits for a leader who did not enter it (four eyes), whatever its value.
        pending=kind == IssueKind.WRITE_OFF,
        created_by=user,
        updated_by=user,
    )
    issue.full_clean(validate_constraints=False)
    issue.save()
    made, taken = [], {}
    for pk, quantity in lines:
        lot = locked[pk]
        on_hand = lot.on_hand - taken.get(pk, Decimal(0))
        value_on_hand = to_money(lot.value_on_hand) - sum(
            (line.value for line in made if line.lot_id == pk), Decimal("0.00")
        )
        value = issue_value_for(quantity, on_hand=on_hand, value_on_hand=value_on_hand)
        taken[pk] = taken.get(pk, Decimal(0)) + quantity
        line = IssueLine(
            chapter=chapter,
            issue=issue,
            lot=lot,
            date=date,
            fund_id=lot.fund_id,
            quantity=quantity,
            value=value,
            created_by=user,
            updated_by=user,
        )
        line.save()
        made.append(line)
    issue.total_value = sum((line.value for line in made), Decimal("0.00"))
    issue.save()
    if kind == IssueKind.ALLOCATION:
        receiving = {
            pk: _receiving_fund(recipient_chapter, recipient_fund, source, user=user)
            for pk, source in sources.items()
        }
        store_below = store_default(chapter=recipient_chapter, user=user)
        for line in made:
            lot = line.lot
            lot_receive(
                chapter=recipient_chapter,
                user=user,
                date=date,
                origin=LotOrigin.ALLOCATION,
                fund=receiving[lot.fund_id],
                item_name=lot.item.name,
                specification=lot.item.specification,
                unit=lot.item.unit,
                quantity=line.quantity,
                total_value=line.value,
                valuation_basis=lot.valuation_basis,
                expiry_date=lot.expiry_date,
                origin_chapter=chapter,
                source_line=line,
                store=store_below,
                document_number=issue.document_number,
                counted=False,
            )
    if kind in RELIEF_KINDS:
        if "record" not in RELIEF:
            raise ValidationError(_("救助发放功能未启用"))
        fund = locked[lines[0][0]].fund
        RELIEF["record"](
            issue=issue, user=user, fund=fund, id_number=id_number, township=township, cases=cases
        )
    return issue


def issue_line_choices(*, chapter, item, date, store=None):
    """The lots an issue of ``item`` may take from, in the order they would be taken, with their
    stock: what the issue form offers for choosing lots by hand."""
    lots = Lot.objects.available().filter(chapter=chapter, item=item, date__lte=date)
    if store is not None:
        lots = lots.filter(store=store)
    return [lot for lot in fifo_order(with_stock(lots.select_related("item", "store"))) if lot.on_hand > 0]


class IssueCorrections(CorrectionHooks):
    """What voiding, reversing and approving an issue must also do (registered in GoodsConfig):
    an allocation's receiving lot goes with it, unless goods were issued from it below; a relief
    issue's payment goes with it; a write-off is approved only while its lots still hold it."""

    def refuse_taking_back(self, record):
        if record.kind == IssueKind.ALLOCATION:
            received = Lot.objects.filter(source_line__issue=record)
            if (
                IssueLine.all_objects.filter(lot__in=received, issue__voided_at__isnull=True).exists()
                or Adjustment.objects.filter(lot__in=received).exists()
            ):
                raise ValidationError(_("调入的下级红十字会已从这批物资出库或盘点，请先更正下级的记录"))

    def after_void(self, record, *, user, reason):
        if record.kind == IssueKind.ALLOCATION:
            for lot in Lot.objects.filter(source_line__issue=record):
                _lot_void(lot, user=user, reason=_("上级调拨作废：%(reason)s") % {"reason": reason})
        if record.kind in RELIEF_KINDS and "void" in RELIEF:
            RELIEF["void"](record, user=user, reason=reason)

    def after_reverse(self, record, reversal, *, user, reason):
        """The reversal's lines put the goods back, dated the reversal's day."""
        for line in IssueLine.all_objects.filter(issue=record).order_by("pk"):
            IssueLine(
                chapter_id=line.chapter_id,
                issue=reversal,
                lot_id=line.lot_id,
                date=reversal.date,
                fund_id=line.fund_id,
                quantity=-line.quantity,
                value=-line.value,
                created_by=user,
                updated_by=user,
            ).save()
            received = Lot.objects.filter(source_line=line).first()
            if received is not None and received.in_transit:
                # Taken back before it arrived: nothing is left for the chapter below to confirm.
                recorded_update(Lot.all_objects.filter(pk=received.pk), in_transit=False, updated_by=user)
                received.in_transit = False
            if received is not None:
                held = with_stock(Lot.objects.filter(pk=received.pk)).get()
                _adjustment_save(
                    lot=received,
                    user=user,
                    date=reversal.date,
                    quantity=-held.on_hand,
                    value=-to_money(held.value_on_hand),
                    counted_quantity=Decimal("0"),
                    reason=_("上级调拨冲销：%(reason)s") % {"reason": reason},
                    counted_by_1=_("系统"),
                    counted_by_2=_("冲销"),
                )
        if record.kind in RELIEF_KINDS and "reverse" in RELIEF:
            RELIEF["reverse"](record, reversal, user=user, reason=reason)

    def approval_checks(self, record):
        """A write-off waiting for approval took nothing yet: its lots must still hold it."""
        lines = list(IssueLine.all_objects.filter(issue=record))
        locked = lots_locked(line.lot_id for line in lines)
        _check_issue_lines(
            chapter=record.chapter,
            date=record.date,
            lines=[(line.lot_id, line.quantity) for line in lines],
            locked=locked,
        )


def _lot_void(lot, *, user, reason):
    lot = Lot.all_objects.select_for_update().get(pk=lot.pk)
    if lot.is_void:
        return lot
    lot.voided_at = timezone.now()
    lot.voided_by = user
    lot.void_reason = reason[:200]
    lot.updated_by = user
    lot.save()
    return lot


class LotCorrections(CorrectionHooks):
    """A lot is voided only while nothing was issued or counted from it, and never reversed (a
    lot of a closed period is corrected by a stock count adjustment); an in-kind gift's lot is
    voided with its gift, not alone."""

    def refuse_taking_back(self, record):
        if record.origin == LotOrigin.DONATION and record.donation.voided_at is None:
            raise ValidationError(_("捐赠物资的入库批次随捐赠记录作废，请作废捐赠记录"))
        if record.source_line_id is not None:
            raise ValidationError(_("上级调拨的物资随上级的出库单作废"))
        _refuse_touched(record)

    def prepare_reversal(self, record, reversal):
        raise ValidationError(_("入库批次不能冲销；已结账期间的差异请以盘点调整更正"))


def _refuse_touched(lot):
    if IssueLine.all_objects.filter(lot=lot, issue__voided_at__isnull=True).exists():
        raise ValidationError(_("该批次已有出库记录，请先作废或冲销出库"))
    if Adjustment.objects.filter(lot=lot).exists():
        raise ValidationError(_("该批次已有盘点调整，请先作废盘点调整"))


class AdjustmentCorrections(CorrectionHooks):
    """Voiding an adjustment that found goods must not take the lot below zero."""

    def refuse_taking_back(self, record):
        if record.quantity > 0 and lot_on_hand(record.lot) - record.quantity < 0:
            raise ValidationError(_("盘盈的物资已经出库，不能作废该盘点调整"))

    def prepare_reversal(self, record, reversal):
        reversal.quantity = -record.quantity
        reversal.counted_quantity = Decimal("0")


# --- Stock counts -----------------------------------------------------------------------------


def _adjustment_save(
    *, lot, user, date, quantity, value, counted_quantity, reason, counted_by_1, counted_by_2
):
    adjustment = Adjustment(
        chapter_id=lot.chapter_id,
        date=date,
        lot=lot,
        fund_id=lot.fund_id,
        quantity=quantity,
        value=value,
        counted_quantity=counted_quantity,
        reason=reason,
        counted_by_1=counted_by_1,
        counted_by_2=counted_by_2,
        created_by=user,
        updated_by=user,
    )
    adjustment.save()
    return adjustment


@transaction.atomic
def stock_count_record(*, chapter, user, date, lot, counted_quantity, reason, counted_by_1, counted_by_2):
    """Records what a stock count (盘点) found for ``lot`` on ``date``: the difference from the
    books as an adjustment with its reason. Nothing is overwritten."""
    bounds.check("date", date, bounds.validate_record_date)
    if lot.chapter_id != chapter.pk:
        raise ValidationError({"lot": _("只能盘点本会的库存批次")})
    locked = lots_locked([lot.pk])[lot.pk]
    if not locked.stands:
        raise ValidationError({"lot": _("该批次已作废")})
    if locked.in_transit:
        raise ValidationError({"lot": _("该批次是在途的调拨物资，请先确认接收")})
    if counted_quantity is None or counted_quantity < 0:
        raise ValidationError({"counted_quantity": _("实盘数量不能为负数")})
    bounds.check("counted_quantity", counted_quantity, bounds.validate_quantity)
    problems = {}
    if not (reason or "").strip():
        problems["reason"] = _("请填写差异原因")
    first, second = (counted_by_1 or "").strip(), (counted_by_2 or "").strip()
    if not first or not second:
        problems["counted_by_2" if first else "counted_by_1"] = _("请填写两名盘点人")
    elif first == second:
        problems["counted_by_2"] = _("两名盘点人不能是同一人")
    if locked.date > date:
        problems["date"] = _("盘点日期不能早于入库日期")
    refuse(problems)
    held = with_stock(Lot.objects.filter(pk=lot.pk), date).get()
    difference = Decimal(counted_quantity) - held.on_hand
    if difference == 0:
        raise ValidationError({"counted_quantity": _("实盘数量与账面数量相符，无需调整")})
    if locked.on_hand + difference < 0:
        raise ValidationError(
            {"counted_quantity": _("盘亏后该批次的库存将为负数（之后已有出库），请核对盘点日期")}
        )
    if held.on_hand > 0:
        value = to_money(Decimal(held.value_on_hand) * difference / held.on_hand)
    else:
        value = to_money(locked.unit_value * difference)
    return _adjustment_save(
        lot=locked,
        user=user,
        date=date,
        quantity=difference,
        value=value,
        counted_quantity=counted_quantity,
        reason=reason.strip(),
        counted_by_1=first,
        counted_by_2=second,
    )


# --- Allocations received from above ----------------------------------------------------------

# Who confirms that an allocation arrived: the receiving chapter's staff and leaders (and its
# administrators, who enter its records too); not its auditors, not the chapter above.
RECEIVING_ROLES = frozenset({Role.STAFF, Role.LEADER, Role.ADMIN})


def may_confirm_arrival(memberships, chapter):
    """Whether a user holding ``memberships`` confirms the arrivals of ``chapter``."""
    return any(m.role in RECEIVING_ROLES and m.chapter_id == chapter.pk for m in memberships)


@transaction.atomic
def allocation_confirm(*, lot, user, date, counted_quantity, counted_by_1, counted_by_2, reason=""):
    """Confirms that an allocation from the chapter above arrived (确认接收): on ``date``, counted
    by two people, ``counted_quantity`` of what was sent. The lot then holds its goods in the
    store (it may be issued and counted); a shortfall is recorded as a stock count adjustment of
    the lot with its reason (``stock_count_record``), never by changing the lot's quantity. Only
    a person of the receiving chapter (``RECEIVING_ROLES``) confirms, once."""
    memberships = list(Membership.objects.filter(user=user, chapter_id=lot.chapter_id)) if user else []
    if not may_confirm_arrival(memberships, lot.chapter):
        raise ValidationError(
            _("只有调入单位%(chapter)s的工作人员或领导才能确认接收这批物资") % {"chapter": lot.chapter}
        )
    bounds.check("date", date, bounds.validate_record_date)
    if counted_quantity is not None:
        bounds.check("counted_quantity", counted_quantity, bounds.validate_quantity)
    locked = Lot.all_objects.select_for_update().get(pk=lot.pk)
    if locked.source_line_id is None:
        raise ValidationError(_("该批次不是上级调拨的在途物资，无需确认接收"))
    if locked.is_void:
        raise ValidationError(_("上级已作废这次调拨，不能确认接收"))
    if not locked.in_transit and locked.received_at is None:
        # Taken back by the chapter above (a reversal) before it arrived.
        raise ValidationError(_("这批物资不在途，无需确认接收"))
    if not locked.in_transit:
        raise ValidationError(
            _("这批物资已于%(day)s由%(user)s确认接收，不能重复确认")
            % {"day": locked.received_on, "user": locked.received_by or _("他人")}
        )
    refuse(
        arrival_problems(
            sent=locked.quantity,
            sent_on=locked.date,
            date=date,
            counted_quantity=counted_quantity,
            counted_by_1=counted_by_1,
            counted_by_2=counted_by_2,
            reason=reason,
        )
    )
    first, second = counted_by_1.strip(), counted_by_2.strip()
    # Recorded as a change of the lot (history), not a save: the lot's figures do not move, so a
    # month closed since it was sent does not refuse its arrival.
    recorded_update(
        Lot.all_objects.filter(pk=locked.pk, in_transit=True),
        in_transit=False,
        received_on=date,
        received_quantity=counted_quantity,
        received_at=timezone.now(),
        received_by=user,
        counted_by_1=first,
        counted_by_2=second,
        updated_by=user,
    )
    locked.refresh_from_db()
    if counted_quantity < locked.quantity:
        stock_count_record(
            chapter=locked.chapter,
            user=user,
            date=date,
            lot=locked,
            counted_quantity=counted_quantity,
            reason=_("调拨接收短少：%(reason)s") % {"reason": reason.strip()},
            counted_by_1=first,
            counted_by_2=second,
        )
    return locked

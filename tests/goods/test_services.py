"""The rules of goods, each through its service: never more than a lot holds, the earliest-expiring
first, void and reversal put goods back, a write-off waits for approval, closed periods hold."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from aid.models import Disbursement
from donations.selectors import fund_balance
from goods.choices import IssueKind, LotOrigin
from goods.models import Adjustment, Issue, IssueLine, Lot
from goods.selectors import expiring_lots, lot_on_hand, stock_by_item, stock_lots
from goods.services import issue_record, lot_receive, stock_count_record
from redcross.choices import Role
from redcross.corrections import record_approve, record_reverse, record_void

from ..factories import ClosedPeriodFactory, FundFactory
from .conftest import DAY

pytestmark = pytest.mark.django_db


def rows(model):
    """Every row of ``model`` (voided ones too), to compare before and after a refusal."""
    return sorted(model.all_objects.values_list())


def test_an_in_kind_gift_makes_its_lot(gift, tree, store):
    donation = gift()

    lot = Lot.objects.get(donation=donation)
    assert (lot.chapter, lot.store, lot.origin, lot.fund) == (
        tree.naiman,
        store,
        LotOrigin.DONATION,
        donation.fund,
    )
    assert (lot.item.name, lot.item.specification, lot.item.unit) == ("医用口罩", "50只/盒", "箱")
    assert (lot.quantity, lot.total_value, lot.unit_value) == (
        Decimal("1200"),
        Decimal("36000.00"),
        Decimal("30.00"),
    )
    assert lot.counters == "张三、李四"
    assert lot_on_hand(lot) == Decimal("1200")


def test_goods_are_never_issued_beyond_what_a_lot_holds(gift, tree, staff):
    lot = Lot.objects.get(donation=gift())
    before = rows(IssueLine), rows(Issue)

    with pytest.raises(ValidationError) as refused:
        issue_record(
            chapter=tree.naiman,
            user=staff,
            date=DAY,
            kind=IssueKind.UNIT,
            receiving_unit="奈曼旗疫情防控指挥部",
            lines=[(lot, Decimal("1201"))],
        )

    assert "库存只有 1200，不能出库 1201" in str(refused.value)
    assert (rows(IssueLine), rows(Issue)) == before
    issue_record(
        chapter=tree.naiman,
        user=staff,
        date=DAY,
        kind=IssueKind.UNIT,
        receiving_unit="奈曼旗疫情防控指挥部",
        lines=[(lot, Decimal("1200"))],
    )
    assert lot_on_hand(lot) == 0
    with pytest.raises(ValidationError):
        issue_record(
            chapter=tree.naiman,
            user=staff,
            date=DAY,
            kind=IssueKind.UNIT,
            receiving_unit="指挥部",
            lines=[(lot, Decimal("1"))],
        )


def test_without_chosen_lots_the_earliest_expiring_go_first_then_goods_without_expiry(purchase, tree, staff):
    never = purchase(quantity="10", date=datetime.date(2020, 1, 5))
    late = purchase(quantity="10", expiry=datetime.date(2021, 6, 1), date=datetime.date(2020, 1, 6))
    soon = purchase(quantity="10", expiry=datetime.date(2020, 12, 1), date=datetime.date(2020, 1, 7))
    older_never = purchase(quantity="10", date=datetime.date(2020, 1, 4))

    issue = issue_record(
        chapter=tree.naiman,
        user=staff,
        date=DAY,
        kind=IssueKind.UNIT,
        receiving_unit="医院",
        item=soon.item,
        quantity=Decimal("25"),
    )

    taken = [(line.lot_id, line.quantity) for line in issue.lines.order_by("pk")]
    assert taken == [(soon.pk, Decimal("10")), (late.pk, Decimal("10")), (older_never.pk, Decimal("5"))]
    assert lot_on_hand(never) == Decimal("10")
    assert issue.total_value == Decimal("7500.00")  # 300 元 a box


def test_a_lot_issued_in_full_issues_exactly_its_value(gift, tree, staff):
    lot = Lot.objects.get(donation=gift(quantity="3", amount="100.00"))
    values = [
        issue_record(
            chapter=tree.naiman,
            user=staff,
            date=DAY,
            kind=IssueKind.UNIT,
            receiving_unit="医院",
            lines=[(lot, Decimal("1"))],
        ).total_value
        for _ in range(3)
    ]
    assert values == [Decimal("33.33"), Decimal("33.34"), Decimal("33.33")]  # each a share of what is left
    assert sum(values) == Decimal("100.00")


def test_a_relief_issue_records_its_payment_worth_the_lots_it_took(gift, tree, staff, category):
    lot = Lot.objects.get(donation=gift())

    issue = issue_record(
        chapter=tree.naiman,
        user=staff,
        date=DAY,
        kind=IssueKind.RELIEF_GROUP,
        category=category["困难群众慰问"],
        head_count=200,
        lines=[(lot, Decimal("200"))],
        township="大沁他拉镇",
    )

    payment = Disbursement.objects.get(goods_issue=issue)
    assert (payment.in_kind_amount, payment.cash_amount, payment.head_count) == (Decimal("6000.00"), 0, 200)
    assert payment.fund == lot.fund and payment.category == category["困难群众慰问"]
    # Voiding the payment voids the issue: the goods are back.
    record_void(payment, user=staff, reason="登记错误")
    assert Issue.all_objects.get(pk=issue.pk).is_void
    assert lot_on_hand(lot) == Decimal("1200")


def test_voiding_an_issue_puts_the_goods_back_and_voids_its_payment(gift, tree, staff, category):
    lot = Lot.objects.get(donation=gift())
    issue = issue_record(
        chapter=tree.naiman,
        user=staff,
        date=DAY,
        kind=IssueKind.RELIEF_PERSON,
        category=category["困难群众慰问"],
        beneficiary_name="王桂兰",
        lines=[(lot, Decimal("2"))],
    )
    assert lot_on_hand(lot) == Decimal("1198")

    record_void(issue, user=staff, reason="发错了")

    assert lot_on_hand(lot) == Decimal("1200")
    assert Disbursement.all_objects.get(goods_issue=issue).is_void


def test_reversing_an_issue_of_a_closed_period_puts_the_goods_back_on_the_reversal_s_day(
    gift, tree, staff, member, category
):
    lot = Lot.objects.get(donation=gift())
    issue = issue_record(
        chapter=tree.naiman,
        user=staff,
        date=DAY,
        kind=IssueKind.RELIEF_PERSON,
        category=category["困难群众慰问"],
        beneficiary_name="王桂兰",
        lines=[(lot, Decimal("10"))],
    )
    ClosedPeriodFactory(
        chapter=tree.naiman, kind="month", start=datetime.date(2020, 3, 1), end=datetime.date(2020, 3, 31)
    )

    with pytest.raises(ValidationError):
        record_void(issue, user=staff, reason="发错了")
    reversal = record_reverse(issue, user=staff, date=datetime.date(2020, 4, 10), reason="发错了")

    assert reversal.total_value == Decimal("-300.00")
    assert [line.quantity for line in reversal.lines.all()] == [Decimal("-10")]
    assert lot_on_hand(lot) == Decimal("1200")
    assert lot_on_hand(lot, as_of=datetime.date(2020, 4, 9)) == Decimal("1190")
    payment = Disbursement.objects.get(goods_issue=issue)
    assert payment.reversals.filter(voided_at__isnull=True).count() == 1


def test_a_write_off_waits_for_a_leader_and_takes_nothing_until_approved(gift, tree, staff, member):
    lot = Lot.objects.get(donation=gift(expiry=datetime.date(2020, 6, 1)))
    leader = member(Role.LEADER, tree.naiman, "leader")

    write_off = issue_record(
        chapter=tree.naiman,
        user=staff,
        date=datetime.date(2020, 6, 2),
        kind=IssueKind.WRITE_OFF,
        reason="过期",
        lines=[(lot, Decimal("100"))],
    )

    assert write_off.is_pending
    assert lot_on_hand(lot) == Decimal("1200")
    with pytest.raises(PermissionDenied):
        record_approve(write_off, user=staff)  # staff do not approve
    record_approve(write_off, user=leader, opinion="同意报损")
    assert lot_on_hand(lot) == Decimal("1100")


def test_a_write_off_needs_its_reason(gift, tree, staff):
    lot = Lot.objects.get(donation=gift())
    with pytest.raises(ValidationError) as refused:
        issue_record(chapter=tree.naiman, user=staff, date=DAY, kind=IssueKind.WRITE_OFF, lines=[(lot, 1)])
    assert "reason" in refused.value.message_dict


def test_closed_periods_refuse_issues_and_lots(gift, tree, staff, purchase):
    lot = Lot.objects.get(donation=gift())
    ClosedPeriodFactory(
        chapter=tree.naiman, kind="month", start=datetime.date(2020, 3, 1), end=datetime.date(2020, 3, 31)
    )
    before = rows(IssueLine), rows(Issue), rows(Lot)

    with pytest.raises(ValidationError) as refused:
        issue_record(
            chapter=tree.naiman,
            user=staff,
            date=DAY,
            kind=IssueKind.UNIT,
            receiving_unit="医院",
            lines=[(lot, Decimal("1"))],
        )
    assert "已结账" in str(refused.value)
    with pytest.raises(ValidationError):
        purchase(date=datetime.date(2020, 3, 15))
    assert (rows(IssueLine), rows(Issue), rows(Lot)) == before


def test_an_allocation_goes_only_to_a_chapter_below(gift, tree, staff):
    lot = Lot.objects.get(donation=gift())
    before = rows(IssueLine), rows(Issue), rows(Lot)

    with pytest.raises(ValidationError) as refused:  # 科左中旗 is beside 奈曼旗, not below it
        issue_record(
            chapter=tree.naiman,
            user=staff,
            date=DAY,
            kind=IssueKind.ALLOCATION,
            recipient_chapter=tree.horqin,
            lines=[(lot, Decimal("1000"))],
        )

    assert "recipient_chapter" in refused.value.message_dict
    assert (rows(IssueLine), rows(Issue), rows(Lot)) == before


def test_allocation_to_a_chapter_below(tree, member):
    city_staff = member(Role.STAFF, tree.tongliao, "city")
    city_fund = FundFactory(chapter=tree.tongliao, name="市级救灾物资")
    county_fund = FundFactory(chapter=tree.naiman, name="救灾物资")
    lot = lot_receive(
        chapter=tree.tongliao,
        user=city_staff,
        date=DAY,
        origin=LotOrigin.ALLOCATION,
        fund=city_fund,
        item_name="棉被",
        unit="床",
        quantity=Decimal("500"),
        total_value=Decimal("50000.00"),
        valuation_basis="invoice",
        counted_by_1="甲",
        counted_by_2="乙",
        origin_chapter=tree.nm,
    )

    issue = issue_record(
        chapter=tree.tongliao,
        user=city_staff,
        date=DAY,
        kind=IssueKind.ALLOCATION,
        recipient_chapter=tree.naiman,
        lines=[(lot, Decimal("200"))],
    )

    received = Lot.objects.get(source_line__issue=issue)
    assert (received.chapter, received.fund, received.quantity, received.total_value) == (
        tree.naiman,
        county_fund,
        Decimal("200"),
        Decimal("20000.00"),
    )
    assert (received.origin, received.origin_chapter) == (LotOrigin.ALLOCATION, tree.tongliao)
    assert lot_on_hand(lot) == Decimal("300")
    record_void(issue, user=city_staff, reason="调拨单填错")
    assert Lot.all_objects.get(pk=received.pk).is_void
    assert lot_on_hand(lot) == Decimal("500")


def test_a_lot_of_another_chapter_is_refused(gift, tree, member):
    lot = Lot.objects.get(donation=gift())
    hanyin_staff = member(Role.STAFF, tree.hanyin, "hanyin")
    with pytest.raises(ValidationError) as refused:
        issue_record(
            chapter=tree.hanyin,
            user=hanyin_staff,
            date=DAY,
            kind=IssueKind.UNIT,
            receiving_unit="医院",
            lines=[(lot, Decimal("1"))],
        )
    assert "只能从本会库存的批次出库" in str(refused.value)


def test_stock_as_of_any_date_per_lot_item_and_store(gift, purchase, tree, staff):
    lot = Lot.objects.get(donation=gift(date=datetime.date(2020, 2, 1)))
    water = purchase(date=datetime.date(2020, 2, 10))
    issue_record(
        chapter=tree.naiman,
        user=staff,
        date=datetime.date(2020, 2, 20),
        kind=IssueKind.UNIT,
        receiving_unit="医院",
        lines=[(lot, Decimal("200")), (water, Decimal("40"))],
    )

    def stock(day):
        return {row.pk: row.on_hand for row in stock_lots(Lot.objects.all(), as_of=day)}

    assert stock(datetime.date(2020, 1, 31)) == {}
    assert stock(datetime.date(2020, 2, 5)) == {lot.pk: Decimal("1200")}
    assert stock(datetime.date(2020, 2, 19)) == {lot.pk: Decimal("1200"), water.pk: Decimal("100")}
    assert stock(datetime.date(2020, 2, 20)) == {lot.pk: Decimal("1000"), water.pk: Decimal("60")}
    by_item = {
        (row["item__name"], row["store__name"]): (row["quantity"], row["value"])
        for row in stock_by_item(stock_lots(Lot.objects.all()))
    }
    assert {k: (Decimal(q), Decimal(v).quantize(Decimal("0.01"))) for k, (q, v) in by_item.items()} == {
        ("医用口罩", "奈曼旗备灾库"): (Decimal("1000"), Decimal("30000.00")),
        ("矿泉水", "奈曼旗备灾库"): (Decimal("60"), Decimal("1800.00")),
    }


def test_goods_expiring_within_90_days(gift, purchase):
    soon = Lot.objects.get(donation=gift(expiry=datetime.date(2020, 5, 1)))
    purchase(expiry=datetime.date(2020, 12, 1))
    purchase()

    assert [lot.pk for lot in expiring_lots(Lot.objects.all(), today=datetime.date(2020, 3, 10))] == [soon.pk]


def test_a_stock_count_records_the_difference_with_its_reason(gift, tree, staff):
    lot = Lot.objects.get(donation=gift())

    adjustment = stock_count_record(
        chapter=tree.naiman,
        user=staff,
        date=datetime.date(2020, 3, 20),
        lot=lot,
        counted_quantity=Decimal("1195"),
        reason="受潮损坏5箱",
        counted_by_1="张三",
        counted_by_2="李四",
    )

    assert (adjustment.quantity, adjustment.value) == (Decimal("-5"), Decimal("-150.00"))
    assert lot_on_hand(lot) == Decimal("1195")
    assert Lot.objects.get(pk=lot.pk).quantity == Decimal("1200")  # nothing overwritten
    with pytest.raises(ValidationError):
        stock_count_record(
            chapter=tree.naiman,
            user=staff,
            date=datetime.date(2020, 3, 21),
            lot=lot,
            counted_quantity=Decimal("1195"),
            reason="复盘",
            counted_by_1="张三",
            counted_by_2="李四",
        )
    assert Adjustment.objects.count() == 1


def test_a_gift_whose_goods_were_issued_is_not_voided(gift, tree, staff):
    donation = gift()
    lot = Lot.objects.get(donation=donation)
    issue_record(
        chapter=tree.naiman,
        user=staff,
        date=DAY,
        kind=IssueKind.UNIT,
        receiving_unit="医院",
        lines=[(lot, Decimal("1"))],
    )
    with pytest.raises(ValidationError):
        record_void(donation, user=staff, reason="错")


def test_voiding_a_gift_voids_its_lot(gift, staff):
    donation = gift()
    record_void(donation, user=staff, reason="重复登记")
    assert Lot.all_objects.get(donation=donation).is_void


def test_a_purchase_takes_cash_out_of_the_fund_and_never_more_than_it_holds(fund, purchase):
    assert fund_balance(fund, part="cash") == Decimal("50000.00")
    purchase(total="20000.00")
    assert fund_balance(fund, part="cash") == Decimal("30000.00")
    assert fund_balance(fund, part="goods") == Decimal("20000.00")
    with pytest.raises(ValidationError) as refused:
        purchase(total="30000.01")
    assert "余额不足" in str(refused.value)

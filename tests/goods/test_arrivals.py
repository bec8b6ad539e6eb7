"""A chapter below confirms an allocation it received (确认接收): until then the lot is in transit
— in its books, marked on its stock page, listed on its goods and start pages, not to be issued
or counted —; only its staff and leaders confirm it, once, with the day, the two counters and
the quantity counted (a shortfall becomes a stock count adjustment with its reason); the chapter
above sees on its issue who confirmed it and when."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from goods.choices import IssueKind, LotOrigin
from goods.models import Adjustment, Issue, IssueLine, Lot
from goods.selectors import lot_on_hand, with_stock
from goods.services import allocation_confirm, issue_record, lot_receive, stock_count_record
from redcross.choices import Role

from ..factories import FundFactory

pytestmark = pytest.mark.django_db

SENT = datetime.date.today() - datetime.timedelta(days=3)
ARRIVED = datetime.date.today() - datetime.timedelta(days=1)


def rows(*models):
    return [sorted(getattr(m, "all_objects", m.objects).values_list()) for m in models]


GOODS = (Lot, Issue, IssueLine, Adjustment)


@pytest.fixture
def people(tree, member):
    return {
        "city": member(Role.STAFF, tree.tongliao, "city-staff"),
        "staff": member(Role.STAFF, tree.naiman, "county-staff"),
        "leader": member(Role.LEADER, tree.naiman, "county-leader"),
        "auditor": member(Role.AUDITOR, tree.naiman, "county-auditor"),
        "horqin": member(Role.STAFF, tree.horqin, "horqin-staff"),
    }


@pytest.fixture
def sent(tree, people):
    """通辽市 allocates 40 of its 100 quilts (100 元 each) to 奈曼旗: the county's lot is in transit."""
    FundFactory(chapter=tree.naiman, name="救灾物资")
    above = lot_receive(
        chapter=tree.tongliao,
        user=people["city"],
        date=SENT,
        origin=LotOrigin.ALLOCATION,
        fund=FundFactory(chapter=tree.tongliao, name="市级救灾物资"),
        item_name="棉被",
        unit="床",
        quantity=Decimal("100"),
        total_value=Decimal("10000.00"),
        valuation_basis="invoice",
        counted_by_1="甲",
        counted_by_2="乙",
        origin_chapter=tree.nm,
    )
    issue = issue_record(
        chapter=tree.tongliao,
        user=people["city"],
        date=SENT,
        kind=IssueKind.ALLOCATION,
        recipient_chapter=tree.naiman,
        lines=[(above, Decimal("40"))],
    )
    return {"above": above, "issue": issue, "lot": Lot.objects.get(source_line__issue=issue)}


def confirm(lot, user, counted="40", **kwargs):
    arguments = dict(date=ARRIVED, counted_by_1="王五", counted_by_2="赵六", reason="")
    arguments.update(kwargs)
    return allocation_confirm(lot=lot, user=user, counted_quantity=Decimal(counted), **arguments)


def test_an_allocation_arrives_in_transit_and_cannot_be_issued_or_counted(sent, tree, people):
    lot = sent["lot"]
    assert lot.in_transit and lot.awaits_receipt and lot.received_at is None
    before = rows(*GOODS)

    with pytest.raises(ValidationError) as by_lot:
        issue_record(chapter=tree.naiman, user=people["staff"], date=ARRIVED, kind=IssueKind.UNIT,
                     receiving_unit="敬老院", lines=[(lot, Decimal("1"))])  # fmt: skip
    assert "在途的调拨物资，确认接收后才能出库" in by_lot.value.message_dict["lines"][0]
    with pytest.raises(ValidationError) as by_item:  # picked earliest-expiring first: none to pick
        issue_record(chapter=tree.naiman, user=people["staff"], date=ARRIVED, kind=IssueKind.UNIT,
                     receiving_unit="敬老院", item=lot.item, quantity=Decimal("1"))  # fmt: skip
    assert by_item.value.message_dict["quantity"] == ["“棉被”库存只有 0床，不能出库 1床"]
    with pytest.raises(ValidationError) as counted:
        stock_count_record(chapter=tree.naiman, user=people["staff"], date=ARRIVED, lot=lot,
                           counted_quantity=Decimal("39"), reason="少",
                           counted_by_1="甲", counted_by_2="乙")  # fmt: skip
    assert counted.value.message_dict["lot"] == ["该批次是在途的调拨物资，请先确认接收"]
    assert rows(*GOODS) == before


def test_confirming_in_full_puts_the_goods_in_the_store(sent, tree, people):
    lot = confirm(sent["lot"], people["staff"])

    lot.refresh_from_db()
    assert (lot.in_transit, lot.received_on, lot.received_quantity, lot.received_by) == (
        False, ARRIVED, Decimal("40.00"), people["staff"],
    )  # fmt: skip
    assert (lot.counted_by_1, lot.counted_by_2, lot.quantity) == ("王五", "赵六", Decimal("40.00"))
    assert not Adjustment.objects.filter(lot=lot).exists()
    issue_record(chapter=tree.naiman, user=people["staff"], date=ARRIVED, kind=IssueKind.UNIT,
                 receiving_unit="敬老院", item=lot.item, quantity=Decimal("15"))  # fmt: skip
    assert lot_on_hand(lot) == Decimal("25")


def test_a_shortfall_is_a_stock_count_adjustment_and_the_lot_keeps_what_was_sent(sent, tree, people):
    lot = confirm(sent["lot"], people["leader"], counted="37", reason="运输途中破损3床")

    lot.refresh_from_db()
    assert lot.quantity == Decimal("40.00") and lot.received_quantity == Decimal("37.00")
    adjustment = Adjustment.objects.get(lot=lot)
    assert (adjustment.date, adjustment.quantity, adjustment.value, adjustment.counted_quantity) == (
        ARRIVED, Decimal("-3.00"), Decimal("-300.00"), Decimal("37.00"),
    )  # fmt: skip
    assert adjustment.reason == "调拨接收短少：运输途中破损3床"
    assert (adjustment.counted_by_1, adjustment.counted_by_2) == ("王五", "赵六")
    # Received − issued ± counted = on hand, in quantity and value.
    issue_record(chapter=tree.naiman, user=people["staff"], date=ARRIVED, kind=IssueKind.UNIT,
                 receiving_unit="敬老院", lines=[(lot, Decimal("7"))])  # fmt: skip
    held = with_stock(Lot.objects.filter(pk=lot.pk)).get()
    assert (held.issued, held.adjusted, held.on_hand) == (Decimal("7"), Decimal("-3"), Decimal("30"))
    assert held.value_on_hand == Decimal("3000.00")


@pytest.mark.parametrize(
    "who, said",
    [
        ("city", "只有调入单位奈曼旗红十字会的工作人员或领导才能确认接收这批物资"),
        ("horqin", "只有调入单位奈曼旗红十字会的工作人员或领导才能确认接收这批物资"),
        ("auditor", "只有调入单位奈曼旗红十字会的工作人员或领导才能确认接收这批物资"),
    ],
)
def test_only_the_receiving_chapter_s_staff_and_leaders_confirm(sent, people, who, said):
    before = rows(*GOODS)
    with pytest.raises(ValidationError) as refused:
        confirm(sent["lot"], people[who])
    assert refused.value.messages == [said]
    assert rows(*GOODS) == before


def test_confirming_twice_is_refused_and_changes_nothing(sent, people):
    confirm(sent["lot"], people["staff"], counted="38", reason="短少")
    before = rows(*GOODS)

    with pytest.raises(ValidationError) as refused:
        confirm(sent["lot"], people["leader"], counted="36", reason="又少了")

    assert refused.value.messages == [f"这批物资已于{ARRIVED}由county-staff确认接收，不能重复确认"]
    assert rows(*GOODS) == before


@pytest.mark.parametrize(
    "change, field, said",
    [
        ({"counted": "41"}, "counted_quantity", "实收数量 41 不能多于调出数量 40"),
        ({"counted": "39"}, "reason", "实收少于调出数量 40，请填写短少原因"),
        ({"date": SENT - datetime.timedelta(days=1)}, "date", f"接收日期不能早于调出日期 {SENT}"),
        ({"counted_by_2": "王五"}, "counted_by_2", "两名清点人不能是同一人"),
        ({"counted_by_1": " "}, "counted_by_1", "请填写两名清点人"),
        ({"date": datetime.date.today() + datetime.timedelta(days=1)}, "date", None),
    ],
)
def test_a_wrong_confirmation_is_told_by_its_field_and_changes_nothing(sent, people, change, field, said):
    before = rows(*GOODS)
    with pytest.raises(ValidationError) as refused:
        confirm(sent["lot"], people["staff"], **change)
    assert field in refused.value.message_dict
    if said:
        assert refused.value.message_dict[field] == [said]
    assert rows(*GOODS) == before


def test_the_stock_page_marks_what_is_in_transit_and_the_ledger_closes_with_it(
    client, tmp_path, sent, tree, people
):
    """In the books from the day it was sent (the goods ledger and the stock page agree:
    received − issued ± counted = on hand), marked 在途 and listed apart until confirmed."""
    from .test_exports import ledger, money

    client.force_login(people["staff"])
    page = client.get(reverse("goods:stock"))
    html = page.content.decode()
    totals = page.context["totals"]
    assert (totals.lots, totals.value, totals.transit_lots, totals.transit_value) == (
        1, Decimal("4000.00"), 1, Decimal("4000.00"),
    )  # fmt: skip
    assert "其中在途1批 4,000.00 元，确认接收后才能出库" in html
    assert 'id="in-transit"' in html
    assert f'href="{reverse("goods:lot-receive", args=[sent["lot"].pk])}"' in html

    confirm(sent["lot"], people["staff"], counted="38", reason="短少2床")
    issue_record(chapter=tree.naiman, user=people["staff"], date=ARRIVED, kind=IssueKind.UNIT,
                 receiving_unit="敬老院", lines=[(sent["lot"], Decimal("8"))])  # fmt: skip
    page = client.get(reverse("goods:stock"))
    totals = page.context["totals"]
    assert (totals.lots, totals.value, totals.transit_lots) == (1, Decimal("3000.00"), 0)
    assert 'id="in-transit"' not in page.content.decode()

    sheet = ledger(tmp_path, people["staff"], chapter=tree.naiman.pk, date_after=str(SENT),
                   date_before=str(datetime.date.today()))  # fmt: skip
    said = [(r["摘要"], r["收入数量"], r["发出数量"], r["结存数量"]) for r in sheet.rows]
    assert said == [
        ("上级调拨", 40, None, 40),
        ("发往接收单位", None, 8, 32),  # the ledger puts a day's issues before its counts
        ("盘点调整", None, 2, 30),
        ("期末结存", None, None, 30),
    ]
    assert money(sheet.rows[-1]["结存金额"]) == totals.value


def test_the_confirm_page_tells_a_wrong_count_in_chinese_and_changes_nothing(client, sent, people):
    client.force_login(people["staff"])
    url = reverse("goods:lot-receive", args=[sent["lot"].pk])
    form = client.get(url)
    assert form.status_code == 200 and "调出数量 40床" in form.content.decode()
    before = rows(*GOODS)

    response = client.post(url, {"date": str(ARRIVED), "counted_quantity": "45", "counted_by_1": "王五",
                                 "counted_by_2": "赵六"})  # fmt: skip

    assert response.status_code == 200
    assert "实收数量 45 不能多于调出数量 40" in response.content.decode()
    assert rows(*GOODS) == before
    for bad in ("abc", "-1", "1e400", "1" * 40):
        response = client.post(url, {"date": str(ARRIVED), "counted_quantity": bad, "counted_by_1": "王五",
                                     "counted_by_2": "赵六"})  # fmt: skip
        assert response.status_code == 200 and "实收数量" in response.content.decode()
    assert rows(*GOODS) == before

    response = client.post(url, {"date": str(ARRIVED), "counted_quantity": "40", "counted_by_1": "王五",
                                 "counted_by_2": "赵六"})  # fmt: skip
    assert response.status_code == 302
    sent["lot"].refresh_from_db()
    assert not sent["lot"].in_transit and sent["lot"].received_by == people["staff"]
    again = client.post(url, {"date": str(ARRIVED), "counted_quantity": "40", "counted_by_1": "王五",
                              "counted_by_2": "赵六"}, follow=True)  # fmt: skip
    assert "已于" in again.content.decode() and "不能重复确认" in again.content.decode()


def test_the_chapter_above_may_not_open_the_confirm_page(client, sent, people):
    client.force_login(people["city"])
    response = client.get(reverse("goods:lot-receive", args=[sent["lot"].pk]))
    assert response.status_code == 403
    assert "只有调入单位奈曼旗红十字会的工作人员或领导才能确认接收这批物资" in response.content.decode()
    client.force_login(people["horqin"])  # beside it: does not even read it
    assert client.get(reverse("goods:lot-receive", args=[sent["lot"].pk])).status_code == 403


def test_the_issue_above_says_whether_and_by_whom_its_goods_were_received(client, sent, people):
    client.force_login(people["city"])
    url = reverse("goods:issue-detail", args=[sent["issue"].pk])
    assert "在途，待下级确认" in client.get(url).content.decode()

    confirm(sent["lot"], people["leader"])
    lot = Lot.objects.get(pk=sent["lot"].pk)

    html = client.get(url).content.decode()
    assert "在途，待下级确认" not in html
    stamp = lot.received_at.astimezone().strftime("%Y-%m-%d %H:%M")
    assert f"已接收：county-leader {stamp} 确认，实收 40" in html


def test_the_start_page_lists_what_waits_to_be_received(client, sent, people):
    client.force_login(people["staff"])
    html = client.get(reverse("home")).content.decode()
    assert "待接收的调拨物资" in html and "通辽市红十字会" in html
    assert f'href="{reverse("goods:lot-receive", args=[sent["lot"].pk])}"' in html

    client.force_login(people["city"])  # the chapter above sends: nothing waits for it
    assert "待接收的调拨物资" not in client.get(reverse("home")).content.decode()

    confirm(sent["lot"], people["staff"])
    client.force_login(people["staff"])
    assert "待接收的调拨物资" not in client.get(reverse("home")).content.decode()


def test_voiding_the_allocation_above_takes_the_lot_in_transit_with_it(sent, people):
    from redcross.corrections import record_void

    record_void(sent["issue"], user=people["city"], reason="调错")

    lot = Lot.all_objects.get(pk=sent["lot"].pk)
    assert lot.is_void and not lot.awaits_receipt
    assert not Lot.objects.in_transit().exists()
    with pytest.raises(ValidationError) as refused:
        confirm(lot, people["staff"])
    assert refused.value.messages == ["上级已作废这次调拨，不能确认接收"]


def test_reversing_the_allocation_above_leaves_nothing_to_confirm(sent, tree, people):
    from redcross.corrections import record_reverse

    from ..factories import ClosedPeriodFactory

    ClosedPeriodFactory(chapter=tree.tongliao, kind="month", start=SENT, end=SENT)
    record_reverse(sent["issue"], user=people["city"], date=ARRIVED, reason="调错")

    lot = Lot.objects.get(pk=sent["lot"].pk)
    assert not lot.in_transit and lot_on_hand(lot) == Decimal("0")
    assert lot_on_hand(sent["above"]) == Decimal("100")
    before = rows(*GOODS)
    with pytest.raises(ValidationError) as refused:
        confirm(lot, people["staff"])
    assert refused.value.messages == ["这批物资不在途，无需确认接收"]
    assert rows(*GOODS) == before

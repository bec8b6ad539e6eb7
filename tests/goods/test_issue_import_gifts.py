"""Goods given in a workbook's 捐赠 sheet are issued by its 物资发放 sheet: the rows take from the
lots the gifts will make, stock counted as the rows above leave it; an over-issue names the issue
row and the gift rows, and the whole workbook goes in or nothing does. Real .xlsx files written by
openpyxl."""

import datetime
from decimal import Decimal

import pytest

from goods.models import Issue, IssueLine, Item, Lot
from goods.selectors import lot_on_hand
from redcross.importing import import_records

from ..factories import FundFactory
from ..test_imports import database_rows, workbook

pytestmark = pytest.mark.django_db

D = datetime.date
GIFT = {
    "捐赠日期": D(2021, 1, 5),
    "捐赠人": "奈曼旗粮油公司",
    "捐赠人类型": "单位",
    "入账基金": "综合基金",
    "捐赠方式": "物资",
    "金额": 36000,
    "物资名称": "医用口罩",
    "数量": 1200,
    "单位": "箱",
    "折价依据": "发票",
}
ISSUE = {"发放日期": D(2021, 1, 8), "物资名称": "医用口罩", "单位": "箱", "发放对象": "接收单位"}


@pytest.fixture
def fund(tree):
    return FundFactory(chapter=tree.naiman, name="综合基金")


def goods_rows():
    """Every row of the goods tables, as it stands."""
    return {m.__name__: list(m._base_manager.order_by("pk").values()) for m in (Item, Lot, Issue, IssueLine)}


def test_goods_given_in_the_workbook_are_issued_by_it_to_the_last_box(tree, staff, fund):
    sheets = {
        "捐赠": [GIFT],
        "物资发放": [
            {**ISSUE, "数量": 200, "接收单位": "奈曼旗人民医院"},
            {**ISSUE, "数量": 1000, "接收单位": "奈曼旗疫情防控指挥部", "发放日期": D(2021, 1, 9)},
        ],
    }

    preview = import_records(workbook(sheets), chapter=tree.naiman, user=staff, dry_run=True)

    assert preview.ok, [str(p) for p in preview.problems]
    assert preview.counts == {"捐赠": 1, "物资发放": 2}
    assert [(r["row"], r.get("note")) for r in preview.rows["物资发放"]] == [
        (2, "捐赠 第2行 200箱"),
        (3, "捐赠 第2行 1000箱"),
    ]
    assert not Lot.all_objects.exists() and not Issue.all_objects.exists()

    result = import_records(workbook(sheets), chapter=tree.naiman, user=staff)

    assert result.imported, [str(p) for p in result.problems]
    lot = Lot.objects.get()
    assert (lot.donation.amount, lot.quantity, lot.item.name, lot.item.unit) == (
        Decimal("36000.00"),
        Decimal("1200"),
        "医用口罩",
        "箱",
    )
    issued = [
        (i.receiving_unit, [(line.lot_id, line.quantity) for line in i.lines.all()], i.total_value)
        for i in Issue.objects.order_by("pk")
    ]
    assert issued == [
        ("奈曼旗人民医院", [(lot.pk, Decimal("200.00"))], Decimal("6000.00")),
        ("奈曼旗疫情防控指挥部", [(lot.pk, Decimal("1000.00"))], Decimal("30000.00")),
    ]
    assert lot_on_hand(lot) == Decimal("0.00")
    assert sorted(result.batch.created) == sorted(
        [
            ["donations.Donor", [lot.donation.donor_id]],
            ["donations.Donation", [lot.donation_id]],
            ["goods.Issue", [i.pk for i in Issue.objects.order_by("pk")]],
        ]
    )


def test_the_rows_take_held_lots_and_the_workbooks_gift_the_earliest_expiring_first(tree, staff, fund):
    earlier = workbook({"捐赠": [{**GIFT, "数量": 50, "金额": 1500}]})
    held = import_records(earlier, chapter=tree.naiman, user=staff)
    assert held.imported
    old = Lot.objects.get()
    sheets = {"捐赠": [GIFT], "物资发放": [{**ISSUE, "数量": 250, "接收单位": "医院"}]}

    result = import_records(workbook(sheets), chapter=tree.naiman, user=staff)

    assert result.imported, [str(p) for p in result.problems]
    new = Lot.objects.exclude(pk=old.pk).get()
    assert result.rows["物资发放"][0]["note"] == f"批次#{old.pk} 50箱；捐赠 第2行 200箱"
    assert [(line.lot_id, line.quantity) for line in IssueLine.objects.order_by("pk")] == [
        (old.pk, Decimal("50.00")),
        (new.pk, Decimal("200.00")),
    ]
    assert (lot_on_hand(old), lot_on_hand(new)) == (Decimal("0.00"), Decimal("1000.00"))


def test_an_over_issue_of_the_workbooks_gift_names_both_rows_and_changes_nothing(tree, staff, fund):
    before = (database_rows(), goods_rows())
    sheets = {
        "捐赠": [{**GIFT, "数量": 100, "金额": 3000}],
        "物资发放": [{**ISSUE, "数量": 150, "接收单位": "医院"}],
    }

    result = import_records(workbook(sheets), chapter=tree.naiman, user=staff)

    assert not result.imported
    assert [str(p) for p in result.problems] == [
        "物资发放 第2行 数量: “医用口罩”截至2021-01-08库存只有 100箱（含本文件捐赠表第2行捐赠的物资，"
        "已扣除本表前面各行的发放），不能发放 150箱"
    ]
    assert (database_rows(), goods_rows()) == before


def test_a_later_row_counts_what_the_rows_above_issued_from_the_gift(tree, staff, fund):
    sheets = {
        "捐赠": [
            {**GIFT, "数量": 100, "金额": 3000},
            {**GIFT, "数量": 20, "金额": 600, "捐赠日期": D(2021, 2, 1)},  # after the issues
        ],
        "物资发放": [
            {**ISSUE, "数量": 60, "接收单位": "医院"},
            {**ISSUE, "数量": 60, "接收单位": "卫生院"},  # before the second gift: 40 left
        ],
    }

    result = import_records(workbook(sheets), chapter=tree.naiman, user=staff)

    assert [str(p) for p in result.problems] == [
        "物资发放 第3行 数量: “医用口罩”截至2021-01-08库存只有 40箱（含本文件捐赠表第2行捐赠的物资，"
        "已扣除本表前面各行的发放），不能发放 60箱"
    ]
    assert not Lot.all_objects.exists() and not Issue.all_objects.exists()


def test_a_refused_gift_is_the_root_of_the_rows_issuing_its_goods(tree, staff, fund):
    sheets = {
        "捐赠": [{**GIFT, "折价依据": None}],
        "物资发放": [{**ISSUE, "数量": 200, "接收单位": "医院"}, {**ISSUE, "数量": 20, "接收单位": "卫生院"}],
    }

    result = import_records(workbook(sheets), chapter=tree.naiman, user=staff)

    assert [str(p) for p in result.problems] == [
        "捐赠 第2行 折价依据: 物资捐赠必须填写折价依据（另有 2 行引用该物资）"
    ]
    assert not Lot.all_objects.exists() and not Issue.all_objects.exists()


def test_the_gifts_sheet_is_read_once_though_it_defines_the_goods(tree, staff, fund):
    told = []
    sheets = {"捐赠": [GIFT, {**GIFT, "数量": 10, "金额": 300}, {**GIFT, "物资名称": "大米", "单位": "袋"}]}

    result = import_records(
        workbook(sheets),
        chapter=tree.naiman,
        user=staff,
        dry_run=True,
        progress=lambda p: told.append(p.read),
    )

    assert result.ok and result.counts == {"捐赠": 3}
    assert told[-1] == 4  # the header and three rows, not twice

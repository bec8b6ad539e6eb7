"""The work report says what became of each drive's goods: "已全部发放" only when none of the
goods the drive received in the period is left at its end, otherwise what was issued and what
is on hand; each figure under its key, read back from the PDF."""

import datetime
from decimal import Decimal

import pytest

from donations.choices import DonationKind, ValuationBasis
from donations.services import donation_record
from goods.choices import IssueKind
from goods.models import Lot
from goods.services import issue_record, stock_count_record
from reports.choices import ReportKind
from reports.figures import report_data
from reports.periods import Period

from ..factories import DonationFactory, DonorFactory, DriveFactory
from ..reports.test_reports import build

pytestmark = pytest.mark.django_db

D = datetime.date
YEAR, H1 = Period(2020, ReportKind.YEAR), Period(2020, ReportKind.H1)


@pytest.fixture
def drive_goods(tree, fund, store, staff):
    """The 疫情防控专项募捐 drive: 111.61万元 in cash and 1,200 boxes worth 83.85万元."""
    drive = DriveFactory(
        fund=fund, name="疫情防控专项募捐", start_date=D(2020, 1, 27), end_date=D(2020, 3, 31)
    )
    DonationFactory(fund=fund, drive=drive, amount=Decimal("1116100"), date=D(2020, 2, 1))
    gift = donation_record(
        chapter=tree.naiman, user=staff, date=D(2020, 2, 3), drive=drive, fund=fund,
        donor=DonorFactory(chapter=tree.naiman, name="奈曼旗爱心企业"), kind=DonationKind.IN_KIND,
        amount=Decimal("838500.00"), goods="医用防护服", quantity=Decimal("1200"), unit="箱",
        valuation_basis=ValuationBasis.INVOICE,
        goods_details={"store": store, "counted_by_1": "张三", "counted_by_2": "李四"},
    )  # fmt: skip
    return {"drive": drive, "lot": Lot.objects.get(donation=gift)}


def give(tree, staff, lot, quantity, day):
    return issue_record(chapter=tree.naiman, user=staff, date=day, kind=IssueKind.UNIT,
                        receiving_unit="奈曼旗疫情防控指挥部", lines=[(lot, Decimal(quantity))])  # fmt: skip


def test_all_goods_issued_by_the_periods_end_is_said_so(tree, staff, drive_goods, tmp_path):
    give(tree, staff, drive_goods["lot"], "1200", D(2020, 2, 10))

    text = build(tree.naiman, YEAR, tmp_path)

    assert "“疫情防控专项募捐”接收捐款111.61万元，物资折价83.85万元，已全部发放。" in text
    key = f"drive.{drive_goods['drive'].pk}"
    figures = report_data(tree.naiman, YEAR)
    assert figures[f"{key}.goods_issued"].value == "838500.00"
    assert figures[f"{key}.goods_on_hand"].value == "0.00"
    assert figures[f"{key}.goods_all_issued"].text == "已全部发放"


def test_goods_left_at_the_periods_end_are_said_with_what_was_issued(tree, staff, drive_goods, tmp_path):
    give(tree, staff, drive_goods["lot"], "1000", D(2020, 2, 10))
    give(tree, staff, drive_goods["lot"], "200", D(2020, 8, 10))

    half = build(tree.naiman, H1, tmp_path)
    # 1,000 of 1,200 boxes: 698,750 元 issued, 139,750 元 on hand on 30 June.
    assert "物资折价83.85万元，已发放69.88万元，库存13.98万元。" in half
    assert "已全部发放" not in half.replace("已按捐赠人意愿全部发放", "")
    figures = report_data(tree.naiman, H1)
    key = f"drive.{drive_goods['drive'].pk}"
    assert (figures[f"{key}.goods_issued"].value, figures[f"{key}.goods_on_hand"].value) == (
        "698750.00",
        "139750.00",
    )
    assert figures[f"{key}.goods_all_issued"].text == ""
    # By the year's end the last 200 boxes are gone.
    assert "物资折价83.85万元，已全部发放。" in build(tree.naiman, YEAR, tmp_path)


def test_a_stock_count_shortfall_is_not_said_to_be_issued(tree, staff, drive_goods, tmp_path):
    give(tree, staff, drive_goods["lot"], "1190", D(2020, 2, 10))
    stock_count_record(
        chapter=tree.naiman,
        user=staff,
        date=D(2020, 3, 1),
        lot=drive_goods["lot"],
        counted_quantity=0,
        reason="破损",
        counted_by_1="张三",
        counted_by_2="李四",
    )

    text = build(tree.naiman, YEAR, tmp_path)

    assert "已全部发放" not in text.replace("已按捐赠人意愿全部发放", "")
    assert "物资折价83.85万元，已发放83.15万元，库存0元，盘点调整-6987.5元。" in text


def test_a_gift_in_kind_without_its_lot_says_nothing_of_goods(tree, fund, tmp_path):
    drive = DriveFactory(fund=fund, name="博爱一日捐", start_date=D(2020, 5, 1), end_date=D(2020, 6, 30))
    DonationFactory(
        fund=fund,
        drive=drive,
        amount=Decimal("5000"),
        date=D(2020, 5, 8),
        kind=DonationKind.IN_KIND,
        goods="棉被",
        valuation_basis="invoice",
    )

    text = build(tree.naiman, YEAR, tmp_path)

    assert "“博爱一日捐”接收捐赠物资折价5000元。" in text

"""物资收发存明细账 (``export_ledger --ledger goods``): each lot's opening balance, receipt, issues
(to whom, an ID number masked as in the relief ledger), stock count adjustments and closing
balance in the period; reconciled per lot and in total (opening + in − out = closing), and
with the stock page (what the lots hold at the period's end); from the command, the ledgers
page and LibreOffice."""

import datetime
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse

from goods.choices import IssueKind
from goods.models import Lot
from goods.services import issue_record, stock_count_record
from redcross.access import Access
from redcross.choices import Role
from redcross.corrections import record_void
from redcross.exports import export_class
from redcross.services import export_write

from ..factories import valid_id_number
from ..test_exports import Sheet, libreoffice_csv, money

pytestmark = pytest.mark.django_db

D = datetime.date
MARCH = {"date_after": "2020-03-01", "date_before": "2020-03-31"}
NUMBER = valid_id_number(serial=77)


@pytest.fixture
def moved(gift, purchase, tree, staff, category):
    """Water bought in February (10 boxes issued then); in March 1,200 boxes of masks given and
    issued to a group, a unit and a person, the water counted 5 short, an issue voided; in April
    more water issued."""
    water = purchase(quantity="100", total="3000.00", date=D(2020, 2, 10))
    issue = dict(chapter=tree.naiman, user=staff)
    issue_record(**issue, date=D(2020, 2, 20), kind=IssueKind.UNIT, receiving_unit="奈曼旗医院",
                 lines=[(water, Decimal("10"))])  # fmt: skip
    masks = Lot.objects.get(donation=gift(date=D(2020, 3, 2)))
    issue_record(**issue, date=D(2020, 3, 5), kind=IssueKind.RELIEF_GROUP, category=category["困难群众慰问"],
                 head_count=200, lines=[(masks, Decimal("200"))])  # fmt: skip
    issue_record(
        **issue,
        date=D(2020, 3, 10),
        kind=IssueKind.UNIT,
        receiving_unit="奈曼旗疫情防控指挥部",
        lines=[(masks, Decimal("990"))],
    )
    issue_record(
        **issue,
        date=D(2020, 3, 12),
        kind=IssueKind.RELIEF_PERSON,
        category=category["困难群众慰问"],
        beneficiary_name="王桂兰",
        id_number=NUMBER,
        lines=[(masks, Decimal("2"))],
    )
    voided = issue_record(**issue, date=D(2020, 3, 13), kind=IssueKind.UNIT, receiving_unit="重复登记单位",
                          lines=[(water, Decimal("1"))])  # fmt: skip
    record_void(voided, user=staff, reason="重复登记")
    stock_count_record(chapter=tree.naiman, user=staff, date=D(2020, 3, 15), lot=water, counted_quantity=85,
                       reason="受潮损坏", counted_by_1="张三", counted_by_2="李四")  # fmt: skip
    issue_record(**issue, date=D(2020, 4, 2), kind=IssueKind.UNIT, receiving_unit="四月单位",
                 lines=[(water, Decimal("5"))])  # fmt: skip
    return {"water": water, "masks": masks}


def ledger(tmp_path, user, **params):
    path = tmp_path / "goods.xlsx"
    export_write(export_class("goods")(Access(user)), params, path, made_by=user.username)
    return Sheet(path)


def test_each_lot_opens_moves_and_closes_in_the_period_and_the_total_is_the_stock_page(
    tmp_path, client, moved, tree, member
):
    auditor = member(Role.AUDITOR, tree.tongliao, "city-auditor")
    sheet = ledger(tmp_path, auditor, chapter=tree.naiman.pk, **MARCH)

    assert sheet.title == "物资收发存明细账" and sheet.meta["期间"] == "2020-03-01 至 2020-03-31"
    said = [
        (r["物资名称"], r["摘要"], r["来源/去向"], r["收入数量"], r["发出数量"], r["结存数量"], r["结存金额"])
        for r in sheet.rows
    ]
    assert said == [
        ("矿泉水", "期初结存", None, None, None, 90, 2700),
        ("矿泉水", "盘点调整", "受潮损坏", None, 5, 85, 2550),
        ("矿泉水", "期末结存", None, None, None, 85, 2550),
        ("医用口罩", "捐赠物资", "奈曼旗爱心企业", 1200, None, 1200, 36000),
        ("医用口罩", "救助发放（群体）", "群体发放（200人）", None, 200, 1000, 30000),
        ("医用口罩", "发往接收单位", "奈曼旗疫情防控指挥部", None, 990, 10, 300),
        ("医用口罩", "救助发放（个人）", "王桂兰", None, 2, 8, 240),
        ("医用口罩", "期末结存", None, None, None, 8, 240),
    ]
    # The city auditor sees the county's ID numbers masked, as in the relief ledger.
    person = sheet.rows[6]
    assert person["身份证号"] != NUMBER and person["身份证号"].count("*") == 8
    assert person["身份证号"][:6] == NUMBER[:6]

    # Per lot, and in total: opening + in − out = closing.
    blocks = {}
    for row in sheet.rows:
        blocks.setdefault(row["入库批次"], []).append(row)
    openings = closings = Decimal("0.00")
    for rows in blocks.values():
        first, *moves, last = rows
        opening = money(first["结存金额"]) if first["摘要"] == "期初结存" else Decimal("0.00")
        moves = moves if first["摘要"] == "期初结存" else [first, *moves]
        received = sum((money(r["收入金额"] or 0) for r in moves), Decimal("0.00"))
        issued = sum((money(r["发出金额"] or 0) for r in moves), Decimal("0.00"))
        assert money(last["结存金额"]) == opening + received - issued
        openings, closings = openings + opening, closings + money(last["结存金额"])
    assert (money(sheet.totals["收入金额"]), money(sheet.totals["发出金额"])) == (
        Decimal("36000.00"), Decimal("35910.00"),
    )  # fmt: skip
    assert closings == openings + money(sheet.totals["收入金额"]) - money(sheet.totals["发出金额"])
    assert (openings, closings) == (Decimal("2700.00"), Decimal("2790.00"))

    # Received − issued = on hand: the stock page at the period's end holds what the ledger closes at.
    client.force_login(auditor)
    stock = client.get(reverse("goods:stock"), {"chapter": tree.naiman.pk, "as_of": "2020-03-31"})
    assert stock.context["totals"].value == closings
    on_hand = {lot.pk: lot.on_hand for lot in stock.context["object_list"]}
    assert {pk: rows[-1]["结存数量"] for pk, rows in blocks.items()} == on_hand


def test_a_lot_emptied_before_the_period_is_not_in_it_and_april_follows_march(tmp_path, moved, tree, staff):
    april = ledger(tmp_path, staff, chapter=tree.naiman.pk, date_after="2020-04-01", date_before="2020-04-30")
    # The masks stand at 8 from March; the water closes at 80 after April's issue.
    assert [(r["物资名称"], r["摘要"], r["结存数量"]) for r in april.rows] == [
        ("矿泉水", "期初结存", 85), ("矿泉水", "发往接收单位", 80), ("矿泉水", "期末结存", 80),
        ("医用口罩", "期初结存", 8), ("医用口罩", "期末结存", 8),
    ]  # fmt: skip
    # Once the last 8 masks are gone in March, April's ledger holds only the water.
    issue_record(chapter=tree.naiman, user=staff, date=D(2020, 3, 20), kind=IssueKind.UNIT,
                 receiving_unit="奈曼旗医院", lines=[(moved["masks"], Decimal("8"))])  # fmt: skip
    april = ledger(tmp_path, staff, chapter=tree.naiman.pk, date_after="2020-04-01", date_before="2020-04-30")
    assert set(april.column("物资名称")) == {"矿泉水"}
    # The county's own staff see the ID number in full.
    march = ledger(tmp_path, staff, chapter=tree.naiman.pk, **MARCH)
    assert NUMBER in march.column("身份证号")
    # A period before anything arrived holds nothing.
    assert (
        ledger(
            tmp_path, staff, chapter=tree.naiman.pk, date_after="2019-01-01", date_before="2019-12-31"
        ).rows
        == []
    )


def test_export_ledger_goods_from_the_command_the_ledgers_page_and_libreoffice(
    tmp_path, client, moved, tree, member, capsys
):
    output = tmp_path / "goods.xlsx"
    call_command(
        "export_ledger", "--chapter", "150525", "--ledger", "goods", "--from", "2020-03-01", "--to",
        "2020-03-31", "--output", str(output),
    )  # fmt: skip
    sheet = Sheet(output)
    printed = capsys.readouterr().out
    assert "奈曼旗红十字会 物资收发存明细账 2020-03-01 至 2020-03-31：8 行" in printed
    assert "收入金额 36,000.00，发出金额 35,910.00" in printed
    assert sheet.meta["导出人"].startswith("命令行")
    assert sheet.ws.page_setup.orientation == "landscape"
    assert sheet.ws.print_title_rows == f"${sheet.header_index + 1}:${sheet.header_index + 1}"
    # Personal data masked without --user.
    assert all("********" in n for n in sheet.column("身份证号") if n)

    lines = libreoffice_csv(output, tmp_path)
    header = lines.index(sheet.header)
    data, totals = lines[header + 1 : -1], lines[-1]
    assert len(data) == 8 and totals[0] == "合计（8条）"
    at = sheet.header.index("发出金额")
    assert sum(Decimal(line[at] or 0) for line in data) == money(totals[at]) == Decimal("35910.00")

    auditor = member(Role.AUDITOR, tree.naiman, "county-auditor")
    client.force_login(auditor)
    assert "物资收发存明细账" in client.get(reverse("ledgers")).content.decode()
    response = client.post(reverse("ledgers"), {"ledger": "goods", "chapter": tree.naiman.pk, **MARCH})
    assert (
        "150525-%E7%89%A9%E8%B5%84%E6%94%B6%E5%8F%91%E5%AD%98%E6%98%8E%E7%BB%86%E8%B4%A6-2020"
        in (response["Content-Disposition"])
    )
    path = tmp_path / "page.xlsx"
    path.write_bytes(b"".join(response.streaming_content))
    assert Sheet(path).column("结存金额") == sheet.column("结存金额")
    assert Sheet(path).meta["导出人"] == "county-auditor"

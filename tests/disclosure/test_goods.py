"""The goods lists of a disclosure (issue 21 beside issue 20): the lots a drive received and the
goods issued from its fund — to a receiving unit by name, as relief only as a category with its
head count —, their value totals checked against their lines and against the in-kind gifts,
frozen once published, downloadable as Excel."""

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from disclosure import lines
from disclosure.models import DisclosureVersion
from disclosure.services import disclosure_publish, draft_content
from donations.choices import DonationKind, ValuationBasis
from donations.services import donation_record
from goods.choices import IssueKind
from goods.models import Issue
from goods.services import issue_record, store_create
from redcross.corrections import record_void
from tests.factories import PayoutFactory

from .conftest import PERSON_ID, TOWNSHIP

D = datetime.date
RELIEF_PERSON = "李桂芝"
RELIEF_ID = "150525197003035671"


def section(content, key):
    return next(s for s in content["sections"] if s["key"] == key)


def gift_in_kind(books, goods, quantity, amount, specification=""):
    """A gift of ``quantity`` boxes of ``goods`` from 奈曼旗教育系统 to the drive, counted into the
    chapter's store: its lot."""
    store = store_create(chapter=books.chapter, user=books.staff, name="奈曼旗备灾库")
    gift = donation_record(
        chapter=books.chapter,
        user=books.staff,
        date=D(2020, 2, 10),
        donor=books.named,
        fund=books.fund,
        drive=books.drive,
        kind=DonationKind.IN_KIND,
        amount=amount,
        goods=goods,
        quantity=quantity,
        unit="箱",
        valuation_basis=ValuationBasis.INVOICE,
        goods_details={
            "store": store,
            "specification": specification,
            "expiry_date": None,
            "counted_by_1": "张三",
            "counted_by_2": "李四",
        },
    )
    return gift.lot


@pytest.fixture
def goods(books, category):
    """奈曼旗教育系统 (named in public) gives 1,000 boxes of masks worth 30,000 元 to the drive;
    600 go to the epidemic command, 2 to a person as relief, 5 to a group of 5 as relief; an
    issue of 50 more to the command was voided."""
    lot = gift_in_kind(books, "医用口罩", Decimal("1000"), Decimal("30000.00"), specification="50只/盒")

    def issue(day, kind, quantity, **details):
        return issue_record(
            chapter=books.chapter,
            user=books.staff,
            date=day,
            kind=kind,
            lines=[(lot, Decimal(quantity))],
            **details,
        )

    issue(D(2020, 2, 12), IssueKind.UNIT, "600", receiving_unit="奈曼旗新冠肺炎疫情防控指挥部")
    voided = issue(D(2020, 2, 13), IssueKind.UNIT, "50", receiving_unit="奈曼旗人民医院")
    record_void(voided, user=books.staff, reason="重复登记")
    relief = category["困难群众慰问"]
    issue(
        D(2020, 2, 14),
        IssueKind.RELIEF_PERSON,
        "2",
        category=relief,
        beneficiary_name=RELIEF_PERSON,
        id_number=RELIEF_ID,
        township=TOWNSHIP,
    )
    issue(D(2020, 2, 14), IssueKind.RELIEF_GROUP, "5", category=relief, head_count=5)
    return lot, issue


def test_a_drive_lists_its_goods_received_and_issued_without_persons(books, drive_disclosure, goods):
    content = draft_content(drive_disclosure)
    received = section(content, "goods_received")
    assert [c["label"] for c in received["columns"]] == [
        "入库日期", "捐赠单位（来源）", "品名", "规格型号", "计量单位", "数量", "折价（元）",
    ]  # fmt: skip
    assert received["rows"] == [
        ["2020-02-10", "奈曼旗教育系统", "医用口罩", "50只/盒", "箱", "1000", "30000.00"]
    ]
    assert received["totals"] == {"value": "30000.00"}
    issued = section(content, "goods_issued")
    assert [c["label"] for c in issued["columns"]] == [
        "出库日期", "去向", "接收单位", "品名", "规格", "计量单位", "数量", "折价（元）",
    ]  # fmt: skip
    # The voided issue of 50 is not there; the two relief issues of one day and category are one
    # line of 6 people.
    mask = ["医用口罩", "50只/盒", "箱"]
    assert issued["rows"] == [
        ["2020-02-12", "发往接收单位", "奈曼旗新冠肺炎疫情防控指挥部", *mask, "600", "18000.00"],
        ["2020-02-14", "救助发放", "困难群众慰问（6人次）", *mask, "7", "210.00"],
    ]
    assert issued["totals"] == {"value": "18210.00"}
    summary = {i["key"]: i["value"] for i in content["summary"]}
    # The goods received stand beside the money figures, never added into them twice: the gift's
    # 30,000 is the in-kind part of what was received. The goods used are the issues' value, the
    # relief in kind (210.00, shown in the relief list too) once.
    assert summary["received_in_kind"] == summary["goods_received"] == "30000.00"
    assert summary["received"] == "279800.00"
    assert section(content, "relief")["totals"]["in_kind"] == "210.00"
    # cash: relief 20,000 + 60,000, spending 12,000, payout 100,000
    assert summary["used_cash"] == "192000.00"
    assert summary["used_in_kind"] == "18210.00"
    assert summary["used"] == "210210.00"
    text = str(content)
    for secret in (RELIEF_PERSON, RELIEF_ID, PERSON_ID, TOWNSHIP, "奈曼旗人民医院"):
        assert secret not in text


def test_the_goods_lists_show_on_the_page(client, books, drive_disclosure, goods):
    published = disclosure_publish(disclosure=drive_disclosure, user=books.leader)
    page = Client().get(f"/public/150525/{published.pk}/").content.decode()
    assert "接收物资明细" in page and "物资发放明细" in page
    assert "奈曼旗新冠肺炎疫情防控指挥部" in page and "困难群众慰问（6人次）" in page
    assert RELIEF_PERSON not in page and RELIEF_ID not in page


def test_a_goods_list_that_lost_a_line_is_refused(books, drive_disclosure, goods, monkeypatch):
    real = lines.goods_issued_section

    def lost_a_line(issue_lines, **kwargs):
        built = real(issue_lines, **kwargs)
        built.rows = built.rows[:-1]  # the relief line lost between the list and its total
        return built

    monkeypatch.setattr(lines, "goods_issued_section", lost_a_line)
    with pytest.raises(ValidationError) as refused:
        disclosure_publish(disclosure=drive_disclosure, user=books.leader)
    assert "“物资发放明细”的“折价（元）”合计为18210.00，而各行相加为18000.00" in refused.value.messages[0]
    assert not DisclosureVersion.objects.exists()


def test_goods_received_must_equal_the_in_kind_gifts(books, drive_disclosure, goods):
    from disclosure.checks import totals_problems

    content = draft_content(drive_disclosure)
    received = section(content, "goods_received")
    received["rows"][0][-1] = received["totals"]["value"] = "29000.00"
    next(i for i in content["summary"] if i["key"] == "goods_received")["value"] = "29000.00"
    assert totals_problems(content) == [
        "“接收物资折价（元，物资明细）”为29000.00，而“累计接收物资折价（元）”为30000.00，两者应相等"
    ]


def test_the_published_goods_lists_stay_frozen_after_a_later_issue(books, drive_disclosure, goods):
    published = disclosure_publish(disclosure=drive_disclosure, user=books.leader)
    before = published.content
    _lot, issue = goods
    issue(D(2020, 3, 1), IssueKind.UNIT, "100", receiving_unit="奈曼旗人民医院")
    published.refresh_from_db()
    assert published.content == before
    assert len(section(published.content, "goods_issued")["rows"]) == 2
    assert "奈曼旗人民医院" in str(section(draft_content(drive_disclosure), "goods_issued")["rows"])
    page = Client().get(f"/public/150525/{published.pk}/").content.decode()
    assert "奈曼旗人民医院" not in page


def test_the_goods_lists_download_as_excel(books, drive_disclosure, goods):
    published = disclosure_publish(disclosure=drive_disclosure, user=books.leader)
    response = Client().get(f"/public/150525/{published.pk}/excel/goods_issued.xlsx")
    assert response.status_code == 200
    rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    header = rows.index(("出库日期", "去向", "接收单位", "品名", "规格", "计量单位", "数量", "折价（元）"))
    assert rows[header + 1][2:7] == ("奈曼旗新冠肺炎疫情防控指挥部", "医用口罩", "50只/盒", "箱", 600)
    assert rows[header + 2][2] == "困难群众慰问（6人次）"
    assert rows[header + 3][0] == "合计（2条）" and rows[header + 3][7] == 18210
    response = Client().get(f"/public/150525/{published.pk}/excel/goods_received.xlsx")
    rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    header = rows.index(
        ("入库日期", "捐赠单位（来源）", "品名", "规格型号", "计量单位", "数量", "折价（元）")
    )
    assert rows[header + 1][1:7] == ("奈曼旗教育系统", "医用口罩", "50只/盒", "箱", 1000, 30000)


# --- the goods used (累计使用: cash and goods apart, each counted once) ----------------------------


def summary_of(content):
    return {i["key"]: i["value"] for i in content["summary"]}


@pytest.fixture
def boxes(books, category):
    """A gift of 1,200 boxes of instant noodles worth 36,000 元 (30 元 a box) to the drive: 200
    go to a group of 40 as relief, 1,000 to the county hospital."""
    lot = gift_in_kind(books, "方便面", Decimal("1200"), Decimal("36000.00"))
    common = {"chapter": books.chapter, "user": books.staff}
    group = issue_record(
        **common,
        date=D(2020, 2, 15),
        kind=IssueKind.RELIEF_GROUP,
        lines=[(lot, Decimal("200"))],
        category=category["困难群众慰问"],
        head_count=40,
    )
    unit = issue_record(
        **common,
        date=D(2020, 2, 16),
        kind=IssueKind.UNIT,
        lines=[(lot, Decimal("1000"))],
        receiving_unit="奈曼旗人民医院",
    )
    return lot, group, unit


def test_the_goods_used_count_every_issue_once_relief_and_unit_alike(books, drive_disclosure, boxes):
    content = draft_content(drive_disclosure)
    summary = summary_of(content)
    # The relief list shows the group's 200 boxes (6,000 元); the unit's 1,000 boxes (30,000 元)
    # have no payment at all: the goods used are the whole 36,000, counted once.
    assert section(content, "relief")["totals"]["in_kind"] == "6000.00"
    assert section(content, "goods_issued")["totals"] == {"value": "36000.00"}
    # Someone adding up the relief and payouts lists is told where the unit's goods are counted.
    assert section(content, "goods_issued")["note"] == (
        "本表合计计入“使用物资折价”。救助和款物拨付明细中的物资折价若由本表出库，"
        "只在本表计入一次；没有拨付记录的物资（发往接收单位、调拨下级）只在本表列出。"
    )
    assert summary["used_in_kind"] == "36000.00"
    assert summary["used_cash"] == "192000.00"
    assert summary["used"] == "228000.00"
    assert [i["label"] for i in content["summary"] if i["key"].startswith("used")] == [
        "累计使用现金（元）",
        "累计使用物资折价（元）",
        "累计使用合计（元）",
    ]
    assert "goods_untraced" not in [s["key"] for s in content["sections"]]
    published = disclosure_publish(disclosure=drive_disclosure, user=books.leader)
    page = Client().get(f"/public/150525/{published.pk}/").content.decode()
    assert '累计使用物资折价（元）</th><td class="num">36,000.00' in page
    assert '累计使用合计（元）</th><td class="num">228,000.00' in page


def test_a_payout_traced_to_its_issue_counts_once_an_untraced_one_as_recorded(books, drive_disclosure, boxes):
    """Older payouts in kind: one the data migration traced to the unit's issue (``Issue.payout``)
    is the issue's 30,000 once; one it could not trace (5,000 of blankets with no lot) counts its
    recorded value, listed as such."""
    _lot, _group, unit = boxes
    traced = PayoutFactory(
        fund=books.fund,
        date=D(2020, 2, 16),
        recipient="奈曼旗人民医院",
        cash_amount=Decimal("0.00"),
        in_kind_amount=Decimal("30000.00"),
    )
    Issue.objects.filter(pk=unit.pk).update(payout=traced)
    PayoutFactory(
        fund=books.fund,
        date=D(2020, 3, 20),
        recipient="奈曼旗敬老院",
        cash_amount=Decimal("0.00"),
        in_kind_amount=Decimal("5000.00"),
    )
    content = draft_content(drive_disclosure)
    summary = summary_of(content)
    assert section(content, "payouts")["totals"]["in_kind"] == "35000.00"
    untraced = section(content, "goods_untraced")
    assert untraced["rows"] == [["2020-03-20", "款物拨付", "奈曼旗敬老院", "5000.00"]]
    assert untraced["totals"] == {"value": "5000.00"}
    assert summary["used_in_kind"] == "41000.00"  # 36,000 issued + 5,000 untraced; not 71,000
    assert summary["used"] == "233000.00"
    assert disclosure_publish(disclosure=drive_disclosure, user=books.leader).version == 1


def test_an_untraced_list_that_lost_a_line_is_refused(books, drive_disclosure, monkeypatch):
    PayoutFactory(
        fund=books.fund, date=D(2020, 3, 20), cash_amount=Decimal("0"), in_kind_amount=Decimal("5000")
    )
    PayoutFactory(
        fund=books.fund, date=D(2020, 3, 21), cash_amount=Decimal("0"), in_kind_amount=Decimal("700")
    )
    real = lines.goods_untraced_section

    def lost_a_line(*args, **kwargs):
        built = real(*args, **kwargs)
        built.rows = built.rows[:-1]
        return built

    monkeypatch.setattr(lines, "goods_untraced_section", lost_a_line)
    with pytest.raises(ValidationError) as refused:
        disclosure_publish(disclosure=drive_disclosure, user=books.leader)
    assert refused.value.messages == [
        "不能发布：“未经物资出库的实物使用”的“物资折价（元）”合计为5700.00，而各行相加为5000.00"
    ]
    assert not DisclosureVersion.objects.exists()


def test_the_goods_used_falling_needs_a_correction_note(books, drive_disclosure, boxes):
    disclosure_publish(disclosure=drive_disclosure, user=books.leader)
    _lot, _group, unit = boxes
    record_void(unit, user=books.staff, reason="重复登记")
    with pytest.raises(ValidationError) as refused:
        disclosure_publish(disclosure=drive_disclosure, user=books.leader)
    assert refused.value.messages == [
        "不能发布：“累计使用物资折价（元）”从上一版的36000.00减少为6000.00，须填写更正说明；"
        "“累计使用合计（元）”从上一版的228000.00减少为198000.00，须填写更正说明"
    ]
    assert DisclosureVersion.objects.count() == 1


# --- quantities with thousands separators ----------------------------------------------------------


def test_quantities_are_written_with_separators_and_their_decimals_as_stored():
    from disclosure.services import _shown

    assert _shown("50000", "quantity") == "50,000"
    assert _shown("1234.50", "quantity") == "1,234.50"
    assert _shown("12.5", "quantity") == "12.5"
    assert _shown("-600", "quantity") == "-600"
    assert _shown("", "quantity") == ""


def test_new_versions_show_quantities_with_separators_published_ones_stay_as_they_were(
    books, drive_disclosure, goods, monkeypatch
):
    from disclosure import services

    # Version 1 was published before quantities had separators: its stored page says 1000.
    real = services._shown
    monkeypatch.setattr(
        services, "_shown", lambda value, kind: value if kind == "quantity" else real(value, kind)
    )
    first = disclosure_publish(disclosure=drive_disclosure, user=books.leader)
    monkeypatch.undo()
    second = disclosure_publish(disclosure=drive_disclosure, user=books.leader)
    old = Client().get(f"/public/150525/{first.pk}/").content.decode()
    new = Client().get(f"/public/150525/{second.pk}/").content.decode()
    assert '<td class="num">1000</td>' in old and "1,000" not in old
    assert '<td class="num">1,000</td>' in new and '<td class="num">1000</td>' not in new
    assert '<td class="num">600</td>' in new  # below a thousand: as it was
    first.refresh_from_db()
    assert '<td class="num">1000</td>' in first.html


# --- townships of relief issues (公开到乡镇) ----------------------------------------------------------


def test_relief_issues_show_their_payment_s_township_when_the_chapter_chooses(books, drive_disclosure, goods):
    from disclosure.services import disclosure_update

    mask = ["医用口罩", "50只/盒", "箱"]
    hidden = section(draft_content(drive_disclosure), "goods_issued")
    assert "township" not in [c["key"] for c in hidden["columns"]] and TOWNSHIP not in str(hidden)
    disclosure_update(
        disclosure=drive_disclosure, user=books.staff, as_of=D(2020, 4, 30), township_shown=True
    )
    issued = section(draft_content(drive_disclosure), "goods_issued")
    assert [c["label"] for c in issued["columns"]][:4] == ["出库日期", "去向", "接收单位", "乡镇"]
    # The person's issue (its payment names 八仙筒镇) and the group's (none) are two lines now.
    assert issued["rows"] == [
        ["2020-02-12", "发往接收单位", "奈曼旗新冠肺炎疫情防控指挥部", "—", *mask, "600", "18000.00"],
        ["2020-02-14", "救助发放", "困难群众慰问（1人次）", TOWNSHIP, *mask, "2", "60.00"],
        ["2020-02-14", "救助发放", "困难群众慰问（5人次）", "未填写", *mask, "5", "150.00"],
    ]
    assert issued["totals"] == {"value": "18210.00"}
    assert RELIEF_PERSON not in str(issued) and RELIEF_ID not in str(issued)
    assert disclosure_publish(disclosure=drive_disclosure, user=books.leader).version == 1


def test_a_reversed_relief_issue_keeps_its_township(books, drive_disclosure, goods):
    from disclosure.services import disclosure_update
    from goods.models import Issue
    from redcross.corrections import record_reverse
    from tests.factories import ClosedPeriodFactory

    ClosedPeriodFactory(chapter=books.chapter, kind="month", start=D(2020, 2, 1), end=D(2020, 2, 29))
    person = Issue.objects.get(kind=IssueKind.RELIEF_PERSON)
    record_reverse(person, user=books.staff, date=D(2020, 3, 5), reason="发错对象")
    disclosure_update(
        disclosure=drive_disclosure, user=books.staff, as_of=D(2020, 4, 30), township_shown=True
    )
    rows = section(draft_content(drive_disclosure), "goods_issued")["rows"]
    # The reversal's own payment names no issue: the township is the reversed issue's payment's.
    assert ["2020-03-05", "救助发放（冲销）", "困难群众慰问（0人次）", TOWNSHIP] == rows[-1][:4]
    assert rows[-1][-2:] == ["-2", "-60.00"]

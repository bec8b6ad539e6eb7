"""The import's 物资发放 sheet: each row issues goods from the chapter's lots, the earliest-expiring
first, to a person or a group (with its relief payment), a chapter below (named by its code) or a
unit; every refusal names its sheet, row and column and saves nothing; the blank template holds
the sheet with its example; undoing the import puts the goods back."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from aid.models import Disbursement
from donations.choices import ValuationBasis
from goods.choices import IssueKind, LotOrigin
from goods.models import Issue, IssueLine, Lot
from goods.selectors import lot_on_hand
from goods.services import lot_receive, store_create
from redcross.importing import import_records, import_undo

from ..factories import FundFactory, valid_id_number
from ..test_imports import notes_text, workbook

pytestmark = pytest.mark.django_db

D = datetime.date
NUMBER = valid_id_number(serial=88)


def row(**cells):
    base = {"发放日期": D(2020, 3, 10), "物资名称": "医用口罩", "单位": "箱"}
    return {**base, **cells}


@pytest.fixture
def two_lots(gift):
    """1,200 boxes of masks that do not expire, then 100 boxes expiring at the year's end."""
    plain = Lot.objects.get(donation=gift(date=D(2020, 3, 2)))
    soon = Lot.objects.get(
        donation=gift(quantity="100", amount="3000.00", date=D(2020, 3, 3), expiry=D(2020, 12, 31))
    )
    return plain, soon


def run(chapter, user, rows, **kwargs):
    return import_records(workbook({"物资发放": rows}), chapter=chapter, user=user, **kwargs)


def test_each_row_issues_goods_the_earliest_expiring_first_and_undo_puts_them_back(tree, staff, two_lots):
    plain, soon = two_lots
    rows = [
        row(数量=200, 发放对象="群体", 受助人数=200, 救助类别="困难群众慰问", 乡镇="大沁他拉镇"),
        row(数量=2, 发放对象="个人", 受助人姓名="王桂兰", 身份证号=NUMBER, 救助类别="困难群众慰问"),
        row(数量=1098, 发放对象="接收单位", 接收单位="奈曼旗疫情防控指挥部", 备注="防疫"),
    ]

    result = run(tree.naiman, staff, rows)

    assert result.imported, [str(p) for p in result.problems]
    assert result.counts["物资发放"] == 3
    issues = list(Issue.objects.order_by("pk"))
    assert [(i.kind, i.total_value) for i in issues] == [
        (IssueKind.RELIEF_GROUP, Decimal("6000.00")),  # 100 expiring boxes at 30 元, then 100 more
        (IssueKind.RELIEF_PERSON, Decimal("60.00")),
        (IssueKind.UNIT, Decimal("32940.00")),
    ]
    first = [(line.lot_id, line.quantity) for line in issues[0].lines.order_by("pk")]
    assert first == [(soon.pk, Decimal("100")), (plain.pk, Decimal("100"))]
    assert (lot_on_hand(plain), lot_on_hand(soon)) == (Decimal("0.00"), Decimal("0.00"))
    payments = Disbursement.objects.filter(goods_issue__in=issues).order_by("pk")
    assert [
        (p.head_count, p.in_kind_amount, p.beneficiary.name if p.beneficiary else "") for p in payments
    ] == [
        (200, Decimal("6000.00"), ""),
        (1, Decimal("60.00"), "王桂兰"),
    ]

    import_undo(result.batch, user=staff)

    assert (lot_on_hand(plain), lot_on_hand(soon)) == (Decimal("1200.00"), Decimal("100.00"))
    assert not Issue.objects.exists() and Issue.all_objects.count() == 3
    assert not Disbursement.objects.filter(goods_issue__isnull=False).exists()


def test_every_refusal_names_sheet_row_and_column_and_nothing_is_saved(tree, staff, two_lots, purchase):
    purchase(
        goods="医用口罩", unit="箱", quantity="5", total="100.00", date=D(2020, 3, 1)
    )  # no specification
    rows = [
        row(数量=1000, 发放对象="接收单位", 接收单位="指挥部", 规格型号="50只/盒"),  # 2: fine
        row(数量=400, 发放对象="接收单位", 接收单位="医院", 规格型号="50只/盒"),  # 3: only 300 left
        row(物资名称="棉被", 单位="床", 数量=1, 发放对象="接收单位", 接收单位="医院"),  # 4
        row(数量=1, 发放对象="下级红十字会", 接收单位="999999", 规格型号="50只/盒"),  # 5
        row(数量=1, 发放对象="下级红十字会", 接收单位="150500", 规格型号="50只/盒"),  # 6: above, not below
        row(数量=1, 发放对象="亲友", 规格型号="50只/盒"),  # 7
        row(数量=1, 发放对象="个人", 救助类别="困难群众慰问", 规格型号="50只/盒"),  # 8: no name
        row(数量=1, 发放对象="接收单位", 接收单位="医院", 规格型号="10只/盒"),  # 9
        row(数量=1, 发放对象="接收单位", 接收单位="医院", 发放日期=D(2020, 2, 1), 规格型号="50只/盒"),  # 10
        row(数量=-3, 发放对象="群体", 救助类别="没有的类别"),  # 11
    ]

    result = run(tree.naiman, staff, rows)

    assert not result.imported
    told = [str(p) for p in result.problems]
    assert told == [
        "物资发放 第3行 数量: “医用口罩（50只/盒）”截至2020-03-10库存只有 300箱（已扣除本表前面各行的发放），"
        "不能发放 400箱",
        "物资发放 第4行 物资名称: 本会没有“棉被”（计量单位：床）的库存物资",
        "物资发放 第5行 接收单位: 没有行政区划代码为 999999 的红十字会",
        "物资发放 第6行 接收单位: “通辽市红十字会”不是本会的下级红十字会",
        "物资发放 第7行 发放对象: 应为 个人、群体、下级红十字会、接收单位 之一",
        "物资发放 第8行 受助人姓名: 发放给个人时须填写受助人姓名",
        "物资发放 第9行 规格型号: “医用口罩”没有规格型号“10只/盒”，现有：—、50只/盒",
        "物资发放 第10行 数量: “医用口罩（50只/盒）”截至2020-02-01库存只有 0箱（已扣除本表前面各行的发放），"
        "不能发放 1箱",
        "物资发放 第11行 数量: 应为不小于0的数字",
        "物资发放 第11行 救助类别: 救助类别“没有的类别”不存在",
    ]
    assert not Issue.all_objects.exists() and not IssueLine.all_objects.exists()


def test_an_item_of_several_specifications_needs_one_and_the_dry_run_saves_nothing(tree, staff, gift):
    gift(specification="50只/盒")
    gift(specification="10只/盒", quantity="10", amount="100.00")
    result = run(tree.naiman, staff, [row(数量=1, 发放对象="接收单位", 接收单位="医院")], dry_run=True)
    assert [str(p) for p in result.problems] == [
        "物资发放 第2行 规格型号: “医用口罩”有多种规格型号，请填写其中之一：10只/盒、50只/盒"
    ]
    fine = run(
        tree.naiman,
        staff,
        [row(数量=1, 发放对象="接收单位", 接收单位="医院", 规格型号="10只/盒")],
        dry_run=True,
    )
    assert fine.ok and fine.counts["物资发放"] == 1 and not Issue.all_objects.exists()


def test_an_allocation_to_a_chapter_below_by_its_code_and_its_undo(tree, member):
    from redcross.choices import Role

    city_staff = member(Role.STAFF, tree.tongliao, "city-staff")
    fund = FundFactory(chapter=tree.tongliao, name="市级物资基金")
    lot = lot_receive(
        chapter=tree.tongliao, user=city_staff, date=D(2023, 3, 1), origin=LotOrigin.ALLOCATION,
        origin_chapter=tree.nm, fund=fund, item_name="棉被", unit="床", quantity=Decimal("300"),
        total_value=Decimal("30000.00"), valuation_basis=ValuationBasis.MARKET,
        store=store_create(chapter=tree.tongliao, user=city_staff, name="通辽备灾库"),
        counted_by_1="张三", counted_by_2="李四",
    )  # fmt: skip
    quilts = {"发放日期": D(2023, 3, 5), "物资名称": "棉被", "单位": "床", "发放对象": "下级红十字会"}
    rows = [
        {**quilts, "数量": 120, "接收单位": "150525"},
        {**quilts, "数量": 80, "接收单位": "科尔沁左翼中旗红十字会"},
    ]

    # 科尔沁左翼中旗 holds an unrestricted fund to receive goods into; 奈曼旗 holds none and gets
    # one, 上级调拨物资, with its first allocation.
    FundFactory(chapter=tree.horqin, name="综合基金")

    result = run(tree.tongliao, city_staff, rows)

    assert result.imported, [str(p) for p in result.problems]
    received = {
        r.chapter.code: (r.quantity, r.total_value, r.fund.name, r.fund.chapter.code, r.in_transit)
        for r in Lot.objects.filter(origin_chapter=tree.tongliao).select_related("fund__chapter", "chapter")
    }
    assert received == {
        "150525": (Decimal("120"), Decimal("12000.00"), "上级调拨物资", "150525", True),
        "150521": (Decimal("80"), Decimal("8000.00"), "综合基金", "150521", True),
    }
    assert lot_on_hand(lot) == Decimal("100.00")

    import_undo(result.batch, user=city_staff)

    assert lot_on_hand(lot) == Decimal("300.00")
    assert not Lot.objects.filter(origin_chapter=tree.tongliao).exists()


def test_the_blank_template_holds_the_sheet_its_example_and_its_drop_down(tmp_path, tree):
    path = tmp_path / "template.xlsx"
    call_command("import_template", str(path), "--chapter", "150525", stdout=io.StringIO())
    book = load_workbook(path)
    assert [c.value for c in book["物资发放"][1]] == [
        "发放日期*", "物资名称*", "规格型号", "数量*", "单位*", "发放对象*", "受助人姓名", "身份证号",
        "受助人数", "接收单位", "救助类别", "乡镇", "备注",
    ]  # fmt: skip
    notes = [[c.value for c in r] for r in book["说明"].iter_rows()]
    assert "下级红十字会填其行政区划代码" in notes_text(notes, "物资发放", "接收单位")
    example = next(i for i, r in enumerate(notes) if r[:2] == ["发放日期*", "物资名称*"])
    assert notes[example - 1][0] == "物资发放"
    assert notes[example + 1][:6] == ["2021-03-01", "棉被", None, 20, "床", "群体"]
    options = {c[0].value: [x.value for x in c[1:] if x.value] for c in book["选项"].iter_cols()}
    assert options["发放对象"] == ["个人", "群体", "下级红十字会", "接收单位"]

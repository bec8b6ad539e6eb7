"""Workbooks as people really fill them (issue 18): names defined by any sheet of the workbook,
a root cause told once with the rows depending on it, ID numbers Excel stored as numbers."""

import csv
import datetime
import io
import re
import subprocess
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from donations.models import Fund
from projects.models import Expenditure, Project
from redcross.choices import ImportStatus, Role
from redcross.idnumber import mask_id_number
from redcross.import_template import build_template
from redcross.importing import check_order, import_records, import_undo, sheet_classes
from redcross.models import ImportBatch

from .factories import (
    DisbursementFactory,
    DonationFactory,
    DriveFactory,
    ExpenditureFactory,
    FundFactory,
    ProjectFactory,
    SessionFactory,
    valid_id_number,
)
from .test_imports import PAYMENT, problems, workbook
from .test_lists import figure

D = datetime.date


@pytest.fixture
def admin(member, tree):
    return member(Role.ADMIN, tree.naiman, "county-admin")


def run(sheets, *, chapter, user, dry_run=False):
    return import_records(workbook(sheets), chapter=chapter, user=user, filename="t.xlsx", dry_run=dry_run)


def test_a_fund_restricted_to_a_project_of_the_same_workbook_imports(tree, admin):
    # Given the 基金 sheet first, naming a project only the 项目 sheet after it defines
    sheets = {
        "基金": [{"基金名称": "博爱家园专项基金", "限定用途": "新博爱家园"}],
        "捐赠": [
            {
                "捐赠日期": D(2021, 3, 1),
                "捐赠人": "某公司",
                "捐赠人类型": "单位",
                "入账基金": "博爱家园专项基金",
                "捐赠方式": "现金",
                "金额": 50000,
            }
        ],
        "项目": [{"项目名称": "新博爱家园", "项目类型": "博爱家园", "预算金额": 80000}],
        "项目支出": [
            {
                "支出日期": D(2021, 5, 1),
                "项目名称": "新博爱家园",
                "金额": 20000,
                "资金来源": "博爱家园专项基金",
            }
        ],
    }
    # When it is imported
    result = run(sheets, chapter=tree.naiman, user=admin)
    # Then the fund is restricted to the project the file made, and the spending from it is in
    assert problems(result) == []
    assert result.imported
    fund = Fund.objects.get(name="博爱家园专项基金")
    assert fund.restricted_project == Project.objects.get(name="新博爱家园")
    assert Expenditure.objects.get().fund == fund
    # The preview counts in the template's order, whatever the order of checking
    assert list(result.counts) == ["基金", "项目", "捐赠", "项目支出"]
    # And the batch is undone as a whole (what was made first is undone last)
    import_undo(result.batch, user=admin)
    result.batch.refresh_from_db()
    assert result.batch.status == ImportStatus.UNDONE
    assert Expenditure._base_manager.get().voided_at is not None


def test_sheets_are_checked_after_the_sheets_defining_what_they_name():
    names = [cls.name for cls in check_order()]
    assert names.index("项目") < names.index("基金") < names.index("募捐活动") < names.index("捐赠")
    assert names.index("基金") < names.index("救助发放")
    assert names.index("项目") < names.index("项目支出")


def test_five_funds_staff_may_not_create_are_told_once_each_with_their_dependent_rows(tree, staff, category):
    # Given a staff member's workbook defining five new funds (only administrators create funds),
    # and per fund a drive, three gifts to the drive, two gifts to the fund, four payments and
    # two project expenditures from it: 12 rows naming each fund
    funds = [f"新基金{i}" for i in range(1, 6)]
    gift = {"捐赠人": "某公司", "捐赠人类型": "单位", "捐赠方式": "现金", "金额": 100}
    sheets = {
        "基金": [{"基金名称": name} for name in funds],
        "募捐活动": [
            {"活动名称": f"活动{i}", "开始日期": D(2021, 1, 1), "结束日期": D(2021, 12, 31), "入账基金": name}
            for i, name in enumerate(funds)
        ],
        "项目": [{"项目名称": "某博爱家园", "项目类型": "博爱家园", "预算金额": 100000}],
        "捐赠": [
            {**gift, "捐赠日期": D(2021, 2, day), "募捐活动": f"活动{i}"}
            for i in range(5)
            for day in (1, 2, 3)
        ]
        + [{**gift, "捐赠日期": D(2021, 3, day), "入账基金": name} for name in funds for day in (1, 2)],
        "救助发放": [
            {**PAYMENT, "受助人姓名": f"受助人{i}{day}", "发放日期": D(2021, 4, day), "资金来源": name}
            for i, name in enumerate(funds)
            for day in (1, 2, 3, 4)
        ],
        "项目支出": [
            {"支出日期": D(2021, 5, day), "项目名称": "某博爱家园", "金额": 10, "资金来源": name}
            for name in funds
            for day in (1, 2)
        ],
    }
    # When it is checked
    result = run(sheets, chapter=tree.naiman, user=staff, dry_run=True)
    # Then the five root causes are listed, each with the rows depending on it, not 60 rows
    assert problems(result) == [
        f"基金 第{row}行 基金名称: 基金“{name}”不存在；新建基金须由系统管理员导入（另有 12 行引用该基金）"
        for row, name in enumerate(funds, start=2)
    ]
    assert [p.dependents for p in result.problems] == [12] * 5


def test_a_missing_category_is_told_at_its_first_row_with_the_count_of_the_others(tree, staff):
    rows = [{**PAYMENT, "受助人姓名": f"人{i}", "救助类别": "发红包"} for i in range(4)]
    result = run({"救助发放": [*rows, {**PAYMENT, "现金金额": -1}]}, chapter=tree.naiman, user=staff)
    assert problems(result) == [
        "救助发放 第2行 救助类别: 救助类别“发红包”不存在（另有 3 行引用该救助类别）",
        "救助发放 第6行 现金金额: 金额不能为负数",
    ]


def test_an_id_number_excel_stored_as_a_number_gets_its_own_reason(tree, staff):
    # Given ID numbers as Excel keeps a number typed into a General cell, and one typed as text
    text = valid_id_number()
    rows = [
        {**PAYMENT, "身份证号": 1.50525198203151e17},
        {**PAYMENT, "受助人姓名": "李四", "身份证号": int(valid_id_number()[:17] + "0")},
        {**PAYMENT, "受助人姓名": "王五", "身份证号": text},
    ]
    result = run({"救助发放": rows}, chapter=tree.naiman, user=staff)
    reason = "身份证号被Excel存为数字，末几位已丢失，请将该列设为文本后重新填写"
    # Then the two numbers are refused for what they are, not for their checksum; the text passes
    assert problems(result) == [f"救助发放 第2行 身份证号: {reason}", f"救助发放 第3行 身份证号: {reason}"]


# --- the template -------------------------------------------------------------------------------


def template(tmp_path, chapter):
    path = tmp_path / "模板.xlsx"
    build_template(path, chapter=chapter)
    return path


def column_of(sheet, header):
    return next(cell.column_letter for cell in sheet[1] if cell.value.rstrip("*") == header)


def test_the_template_keeps_id_receipt_and_invoice_numbers_as_text_wide_enough(tmp_path, tree):
    book = load_workbook(template(tmp_path, tree.naiman))
    numbers = (("救助发放", "身份证号"), ("捐赠", "票据号"), ("项目支出", "发票号"), ("物资发放", "身份证号"))
    for sheet, header in numbers:
        dimension = book[sheet].column_dimensions[column_of(book[sheet], header)]
        assert dimension.number_format == "@", (sheet, header)
        assert dimension.width >= 22, (sheet, header)
    # The others keep their formats
    assert book["救助发放"].column_dimensions["A"].number_format == "yyyy-mm-dd"


def test_the_template_offers_the_chapters_names_in_drop_downs_from_a_hidden_sheet_by_name(
    tmp_path, tree, category
):
    FundFactory(chapter=tree.naiman, name="大病救助基金")
    FundFactory(chapter=tree.naiman, name="综合基金")
    ProjectFactory(chapter=tree.naiman, name="某村博爱家园")
    book = load_workbook(template(tmp_path, tree.naiman))
    assert book["选项"].sheet_state == "hidden"

    def drop_downs(sheet):
        return {
            str(v.sqref): v.formula1 for v in book[sheet].data_validations.dataValidation if v.type == "list"
        }

    def listed(name):
        sheet, cells = book.defined_names[name].destinations.__next__()
        return [c.value for row in book[sheet][cells.replace("$", "")] for c in row]

    payments = book["救助发放"]
    assert drop_downs("救助发放") == {
        f"{column_of(payments, '救助类别')}2:{column_of(payments, '救助类别')}5001": "选项_救助类别",
        f"{column_of(payments, '资金来源')}2:{column_of(payments, '资金来源')}5001": "选项_基金",
    }
    assert listed("选项_基金") == ["大病救助基金", "综合基金"]
    assert listed("选项_项目") == ["某村博爱家园"]
    assert listed("选项_救助类别")[:2] == ["重特大疾病救助", "救灾救助"]
    assert "选项_项目类型" in drop_downs("项目").values()
    assert "选项_培训类型" in drop_downs("培训").values()
    assert "选项_募捐活动" in drop_downs("捐赠").values()
    assert "选项_项目" in drop_downs("项目支出").values()


def test_the_notes_give_one_example_row_per_sheet_and_the_examples_import(tmp_path, tree, admin):
    book = load_workbook(template(tmp_path, tree.naiman))
    notes = [[c.value for c in row] for row in book["说明"].iter_rows()]
    examples = {}
    for index, row in enumerate(notes):
        if (
            row[0] in headers_by_sheet()
            and notes[index + 1][: len(headers_by_sheet()[row[0]])] == headers_by_sheet()[row[0]]
        ):
            head = [h.rstrip("*") for h in notes[index + 1] if h]
            examples[row[0]] = [dict(zip(head, notes[index + 2], strict=False))]
    assert list(examples) == [cls.name for cls in sheet_classes()]
    assert examples["救助发放"][0]["受助人姓名"] == "张三"
    # The examples together are a workbook the import takes as it is, once the store holds the
    # quilts the 物资发放 example gives out.
    from goods.choices import LotOrigin
    from goods.services import lot_receive, store_default

    lot_receive(
        chapter=tree.naiman, user=admin, date=datetime.date(2021, 1, 5), origin=LotOrigin.ALLOCATION,
        origin_chapter=tree.tongliao, fund=FundFactory(chapter=tree.naiman, name="上级调拨物资"),
        item_name="棉被", unit="床",
        quantity=Decimal("50"), total_value=Decimal("5000.00"), valuation_basis="invoice",
        store=store_default(chapter=tree.naiman, user=admin), counted_by_1="张三", counted_by_2="李四",
    )  # fmt: skip
    result = run(examples, chapter=tree.naiman, user=admin, dry_run=True)
    assert problems(result) == []
    assert result.counts == {
        "基金": 1,
        "募捐活动": 1,
        "项目": 1,
        "捐赠": 1,
        "救助发放": 1,
        "培训": 1,
        "项目支出": 1,
        "物资发放": 1,
    }


def headers_by_sheet():
    return {cls.name: [c.name + ("*" if c.required else "") for c in cls.columns] for cls in sheet_classes()}


def test_libreoffice_opens_the_template(tmp_path, tree):
    path = template(tmp_path, tree.naiman)
    out = tmp_path / "csv"
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{tmp_path}/lo-profile",
            "--headless",
            "--convert-to",
            "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1",
            "--outdir",
            str(out),
            str(path),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    files = {p.name: p for p in out.iterdir()}
    with open(files[f"{path.stem}-救助发放.csv"], encoding="utf-8") as handle:
        assert next(csv.reader(handle))[:4] == ["发放日期*", "救助类别*", "受助人姓名", "身份证号"]
    with open(files[f"{path.stem}-说明.csv"], encoding="utf-8") as handle:
        assert next(csv.reader(handle))[0] == "红十字会业务记录导入模板"


# --- the preview and the batch's records ---------------------------------------------------------


def upload(client, tree, sheets, name="records.xlsx"):
    handle = workbook(sheets)
    handle.name = name
    client.post(reverse("import-upload"), {"chapter": tree.naiman.pk, "file": handle})
    return ImportBatch.objects.latest("pk")


def preview_rows(html, sheet):
    """(row number, outcome text, bad cells) of each row the preview shows for ``sheet``."""
    part = html.split(f'<div class="sheet-preview" data-sheet="{sheet}">', 1)[1].split("</table>", 1)[0]
    rows = []
    for row in re.findall(r'<tr data-row="(\d+)"[^>]*>(.*?)</tr>', part, re.S):
        outcome = re.search(r'<td class="outcome">(.*?)</td>', row[1], re.S).group(1)
        text = re.sub(r"<[^>]+>", "", outcome).strip()
        bad = re.findall(r'<td class="bad-cell">([^<]*)</td>', row[1])
        rows.append((int(row[0]), text, bad))
    return rows


def test_the_preview_shows_the_rows_to_create_and_each_error_on_its_row(client, tree, staff):
    client.force_login(staff)
    batch = upload(
        client,
        tree,
        {
            "救助发放": [
                {**PAYMENT, "身份证号": "150525198001011233"},
                {**PAYMENT, "受助人姓名": "李四", "现金金额": -3},
                {**PAYMENT, "受助人姓名": "王五"},
            ],
            "培训": [
                {
                    "培训日期": D(2021, 4, 1),
                    "培训类型": "普及性培训",
                    "培训名称": f"进社区{i}",
                    "参训人次": 30,
                }
                for i in range(12)
            ],
        },
    )
    html = client.get(batch.get_absolute_url()).content.decode()
    # The payments: one to create, two with their errors on their rows and the bad cell marked
    assert preview_rows(html, "救助发放") == [
        (2, "身份证号：校验位错误", ["150525198001011233"]),
        (3, "现金金额：金额不能为负数", ["-3"]),
        (4, "将创建", []),
    ]
    assert "将创建 1 条" in html and "2 行有错误" in html
    # The sessions: twelve to create, the first ten shown
    sessions = preview_rows(html, "培训")
    assert [row for row, _text, _bad in sessions] == list(range(2, 12))
    assert "将创建 12 条" in html and "显示前 10 条" in html


def test_the_preview_masks_id_numbers_for_readers(client, tree, staff, member):
    client.force_login(staff)
    number = valid_id_number()
    batch = upload(client, tree, {"救助发放": [{**PAYMENT, "身份证号": number}]})
    assert number in client.get(batch.get_absolute_url()).content.decode()
    client.force_login(member(Role.LEADER, tree.naiman))
    html = client.get(batch.get_absolute_url()).content.decode()
    assert number not in html and mask_id_number(number) in html


def imported_batch(client, tree, admin):
    """An administrator's batch of every kind of record the lists show."""
    client.force_login(admin)
    batch = upload(
        client,
        tree,
        {
            "基金": [{"基金名称": "导入基金"}],
            "募捐活动": [
                {
                    "活动名称": "导入活动",
                    "开始日期": D(2021, 1, 1),
                    "结束日期": D(2021, 1, 31),
                    "入账基金": "导入基金",
                }
            ],
            "项目": [{"项目名称": "导入项目", "项目类型": "博爱家园", "预算金额": 5000}],
            "捐赠": [
                {
                    "捐赠日期": D(2021, 1, day),
                    "捐赠人": f"导入捐赠人{day}",
                    "捐赠人类型": "个人",
                    "募捐活动": "导入活动",
                    "捐赠方式": "现金",
                    "金额": 1000,
                }
                for day in (1, 2, 3)
            ],
            "救助发放": [{**PAYMENT, "受助人姓名": f"导入受助人{i}", "现金金额": 100} for i in range(2)],
            "培训": [
                {"培训日期": D(2021, 4, 1), "培训类型": "普及性培训", "培训名称": "导入培训", "参训人次": 30}
            ],
            "项目支出": [
                {"支出日期": D(2021, 5, 1), "项目名称": "导入项目", "金额": 100, "资金来源": "导入基金"}
            ],
        },
    )
    client.post(reverse("import-confirm", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == ImportStatus.DONE
    return batch


# list → (route, records of the batch listed)
BATCH_LISTS = {
    "disbursements": ("aid:disbursement-list", 2),
    "donations": ("donations:donation-list", 3),
    "donors": ("donations:donor-list", 3),
    "funds": ("donations:fund-list", 1),
    "drives": ("donations:drive-list", 1),
    "projects": ("projects:project-list", 1),
    "expenditures": ("projects:expenditure-list", 1),
    "sessions": ("training:session-list", 1),
}


def test_every_list_filters_by_import_batch_at_one_query_more(client, tree, admin, category):
    # Given records recorded by hand of every kind, and a batch imported after them
    fund = FundFactory(chapter=tree.naiman, name="手工基金")
    DonationFactory(fund=fund, amount=Decimal("5000"))
    DriveFactory(fund=fund, name="手工活动")
    ExpenditureFactory(project__chapter=tree.naiman, amount=Decimal("10"))
    SessionFactory(chapter=tree.naiman)
    DisbursementFactory(chapter=tree.naiman, category=category["重特大疾病救助"])
    batch = imported_batch(client, tree, admin)
    # The batch's page links to each list of its records
    html = client.get(batch.get_absolute_url()).content.decode()
    for sheet, route in (("救助发放", "aid:disbursement-list"), ("基金", "donations:fund-list")):
        assert f'href="{reverse(route)}?batch={batch.pk}" data-sheet="{sheet}"' in html
    for name, (route, listed) in BATCH_LISTS.items():
        url = reverse(route)
        with CaptureQueriesContext(connection) as plain:
            whole = client.get(url).content.decode()
        with CaptureQueriesContext(connection) as filtered:
            html = client.get(url, {"batch": batch.pk}).content.decode()
        # Then only the batch's records, the filter shown as active, one query more (the batch)
        assert int(figure(whole, "count")) > listed, name
        assert (name, figure(html, "count")) == (name, str(listed))
        assert f"导入第{batch.pk}批" in html, name
        # (A list whose figures come from kept totals reads them in a query or two for the whole
        # list; filtered by a batch it sums the batch's records in one instead.)
        assert len(filtered.captured_queries) <= len(plain.captured_queries) + 1, name


def test_a_batch_filter_that_is_not_a_readable_batch_says_so(client, tree, admin, member):
    batch = imported_batch(client, tree, admin)
    url = reverse("aid:disbursement-list")
    client.force_login(member(Role.LEADER, tree.ankang))  # another branch
    html = client.get(url, {"batch": batch.pk}).content.decode()
    assert figure(html, "count") == "0" and f"导入批次：第{batch.pk}批不存在或无权查看" in html
    for bad in ("abc", "1.5", "99999999999999999999", "0"):
        response = client.get(url, {"batch": bad})
        assert response.status_code == 200
        html = response.content.decode()
        assert "导入批次：" in html and figure(html, "count") == "0", bad


def test_the_next_page_of_a_list_keeps_its_filters_and_is_the_next_page(client, tree, staff, settings):
    # Django's {% querystring %} writes its own "?": a link "??after=…" would stay on page 1
    SessionFactory.create_batch(3, chapter=tree.naiman)
    client.force_login(staff)
    url = reverse("training:session-list")
    from redcross.views import generic

    original = generic.RecordListView.paginate_by
    generic.RecordListView.paginate_by = 2
    try:
        html = client.get(url, {"chapter": tree.naiman.pk}).content.decode()
        following = re.search(r'href="(\?[^"]*)" rel="next"', html).group(1).replace("&amp;", "&")
        assert following.startswith(f"?chapter={tree.naiman.pk}&after=") and "??" not in html
        html = client.get(url + following).content.decode()
        assert len(re.findall(r'href="/training/sessions/\d+/"', html)) == 1
        assert 'rel="next"' not in html and 'rel="prev"' in html
    finally:
        generic.RecordListView.paginate_by = original


def test_names_of_a_sheet_missing_a_column_are_counted_under_that_one_problem(tree, staff, category):
    # Given a 募捐活动 sheet without its 开始日期 column, and gifts naming its two drives
    fund = FundFactory(chapter=tree.naiman, name="综合基金")
    gift = {
        "捐赠人": "某公司",
        "捐赠人类型": "单位",
        "捐赠方式": "现金",
        "金额": 100,
        "捐赠日期": D(2021, 2, 1),
    }
    loaded = load_workbook(
        workbook(
            {
                "募捐活动": [
                    {
                        "活动名称": name,
                        "开始日期": D(2021, 1, 1),
                        "结束日期": D(2021, 12, 31),
                        "入账基金": fund.name,
                    }
                    for name in ("春节募捐", "冬季募捐")
                ],
                "捐赠": [{**gift, "募捐活动": name} for name in ("春节募捐", "冬季募捐", "冬季募捐")],
            }
        )
    )
    loaded["募捐活动"].delete_cols(2)  # 开始日期
    handle = io.BytesIO()
    loaded.save(handle)
    result = import_records(handle, chapter=tree.naiman, user=staff, dry_run=True)
    # Then the missing column is the one problem, with the three gifts naming its drives
    assert problems(result) == ["募捐活动 第1行 开始日期: 缺少必填列（另有 3 行引用该募捐活动）"]

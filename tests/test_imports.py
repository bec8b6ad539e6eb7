"""Import of the workbook: the template, every check with its exact message, all or nothing,
the same file twice, undo, hostile files, a round trip through the template into the lists and
the report, and the upload page with its preview, confirmation and marked workbook."""

import datetime
import io
import random
import re
import zipfile
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import connection, connections
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from aid.models import AidCategory, Beneficiary, Disbursement, PersonYear, ReliefDay
from donations.models import Donation, Donor, Drive, Fund, Receipt
from projects.models import Expenditure, Project
from redcross.choices import ImportStatus, Role
from redcross.import_template import build_template
from redcross.importing import RefusedFile, import_records, import_undo, sheet_classes
from redcross.models import Change, ImportBatch, Membership
from reports.choices import ReportKind
from reports.figures import report_data
from reports.periods import Period
from training.models import Session

from .factories import (
    DisbursementFactory,
    DonationFactory,
    FundFactory,
    ImportBatchFactory,
    ReceiptFactory,
    valid_id_number,
)

D = datetime.date
MODELS = (Fund, Drive, Project, Donor, Donation, Receipt, Beneficiary, Disbursement, Session, Expenditure)


def headers(sheet_name):
    cls = next(c for c in sheet_classes() if c.name == sheet_name)
    return [c.name + ("*" if c.required else "") for c in cls.columns]


def workbook(sheets, path=None):
    """A workbook of ``sheets`` (name → rows of values, each a dict by column or a list); the
    header row is written from the sheet's columns."""
    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        head = headers(name)
        sheet.append(head)
        plain = [h.rstrip("*") for h in head]
        for row in rows:
            sheet.append([row.get(h) for h in plain] if isinstance(row, dict) else row)
    handle = io.BytesIO()
    book.save(handle)
    handle.seek(0)
    if path is not None:
        path.write_bytes(handle.getvalue())
    return handle


def database_rows(standing_only=False):
    """Every row an import writes, as it stands: comparing rows, not counts, also catches a row
    changed in place (a fund's figures, a summary rebuilt wrongly). Voided rows are left out only
    when asked (``standing_only``), for an undo that voids what it made."""

    def rows(model):
        manager = model.objects if standing_only else model._base_manager
        return list(manager.order_by("pk").values())

    return {m.__name__: rows(m) for m in (*MODELS, PersonYear, ReliefDay, ImportBatch)}


def problems(result):
    return [str(p) for p in result.problems]


@pytest.fixture
def admin(member, tree):
    return member(Role.ADMIN, tree.naiman, "county-admin")


@pytest.fixture
def run(tree, staff):
    def run_import(sheets, *, user=None, dry_run=False, chapter=None):
        return import_records(
            workbook(sheets),
            chapter=chapter or tree.naiman,
            user=user or staff,
            filename="t.xlsx",
            dry_run=dry_run,
        )

    return run_import


PAYMENT = {"发放日期": D(2021, 3, 1), "救助类别": "重特大疾病救助", "受助人姓名": "张三", "现金金额": 2000}


# --- the template ---------------------------------------------------------------------------------


def test_the_template_has_the_sheets_and_headers_of_the_design_with_drop_downs(tmp_path, tree):
    FundFactory(chapter=tree.naiman, name="大病救助基金")
    path = tmp_path / "template.xlsx"
    call_command("import_template", str(path), "--chapter", "150525", stdout=io.StringIO())
    book = load_workbook(path)
    assert book.sheetnames == [
        "说明",
        "选项",
        "基金",
        "募捐活动",
        "项目",
        "捐赠",
        "救助发放",
        "培训",
        "项目支出",
        "物资发放",
    ]
    assert [c.value for c in book["救助发放"][1]] == [
        "发放日期*",
        "救助类别*",
        "受助人姓名",
        "身份证号",
        "受助人数",
        "例数",
        "现金金额",
        "物资折价",
        "资金来源",
        "乡镇",
        "备注",
    ]
    assert [c.value for c in book["捐赠"][1]] == [
        "捐赠日期*",
        "捐赠人*",
        "捐赠人类型*",
        "募捐活动",
        "入账基金",
        "捐赠方式*",
        "金额*",
        "物资名称",
        "数量",
        "单位",
        "折价依据",
        "票据号",
        "是否匿名",
        "备注",
    ]
    assert [c.value for c in book["基金"][1]] == ["基金名称*", "限定用途", "备注"]
    assert [c.value for c in book["项目支出"][1]] == [
        "支出日期*",
        "项目名称*",
        "支出类别",
        "金额*",
        "资金来源",
        "收款单位",
        "发票号",
        "说明",
    ]
    notes = [[c.value for c in row] for row in book["说明"].iter_rows()]
    assert ["救助发放", "身份证号", None, notes_text(notes, "救助发放", "身份证号")] in [r[:4] for r in notes]
    assert "校验位" in notes_text(notes, "救助发放", "身份证号")
    options = {c[0].value: [x.value for x in c[1:] if x.value] for c in book["选项"].iter_cols()}
    assert options["救助类别"][:2] == ["重特大疾病救助", "救灾救助"]
    assert options["基金"] == ["大病救助基金"]
    assert options["是否"] == ["是", "否"]
    payments = book["救助发放"]
    lists = {str(v.sqref): v.formula1 for v in payments.data_validations.dataValidation}
    assert lists["B2:B5001"] == "选项_救助类别"
    assert book.defined_names["选项_救助类别"].attr_text == "'选项'!$A$2:$A$9"
    assert payments.column_dimensions["A"].number_format == "yyyy-mm-dd"
    assert payments.column_dimensions["G"].number_format == "#,##0.00"


def notes_text(notes, sheet, column):
    return next(row[3] for row in notes if row[:2] == [sheet, column])


def test_the_template_downloads_from_the_upload_page(client, staff):
    client.force_login(staff)
    response = client.get(reverse("import-template"))
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert "救助发放" in book.sheetnames


# --- each check, with its message -------------------------------------------------------------------


def test_each_column_is_checked_and_named_with_its_row(run, tree):
    FundFactory(chapter=tree.naiman, name="综合基金")
    result = run(
        {
            "救助发放": [
                {**PAYMENT, "身份证号": "150525198001011233"},
                {**PAYMENT, "发放日期": "2021-02-30"},
                {**PAYMENT, "现金金额": -5},
                {**PAYMENT, "现金金额": "二千"},
                {**PAYMENT, "现金金额": 0},
                {**PAYMENT, "救助类别": "发红包"},
                {**PAYMENT, "资金来源": "没有的基金"},
                {**PAYMENT, "救助类别": None},
                {**PAYMENT, "受助人姓名": None},
                {**PAYMENT, "受助人数": 3},
                {**PAYMENT, "现金金额": 10.005},
            ],
        }
    )
    assert problems(result) == [
        "救助发放 第2行 身份证号: 校验位错误",
        "救助发放 第3行 发放日期: 日期无效，应为 YYYY-MM-DD 或 Excel 日期",
        "救助发放 第4行 现金金额: 金额不能为负数",
        "救助发放 第5行 现金金额: 金额无效：应为数字（元）",
        "救助发放 第6行 现金金额: 现金金额和物资折价不能都为零",
        "救助发放 第7行 救助类别: 救助类别“发红包”不存在",
        "救助发放 第8行 资金来源: 基金“没有的基金”不存在",
        "救助发放 第9行 救助类别: 必填",
        "救助发放 第10行 受助人数: 群体发放必须填写受助人数",
        "救助发放 第11行 受助人数: 指名发放的受助人数应为1；多人请分行填写或作为群体发放",
        "救助发放 第12行 现金金额: 金额最多保留两位小数（到分）",
    ]


def test_a_missing_required_column_is_named(tree, staff):
    loaded = load_workbook(
        workbook({"培训": [[D(2021, 4, 1), "普及性培训", "进社区", None, None, None, 30]]})
    )
    loaded["培训"].delete_cols(7)  # 参训人次
    handle = io.BytesIO()
    loaded.save(handle)
    result = import_records(handle, chapter=tree.naiman, user=staff, dry_run=True)
    assert problems(result) == ["培训 第1行 参训人次: 缺少必填列"]


def test_names_must_exist_or_come_from_an_earlier_sheet(run, admin):
    gift = {"捐赠人": "某公司", "捐赠人类型": "单位", "募捐活动": "春节慰问募捐", "捐赠方式": "现金"}
    good = {
        "基金": [{"基金名称": "新建基金"}],
        "募捐活动": [
            {
                "活动名称": "春节慰问募捐",
                "开始日期": D(2021, 1, 1),
                "结束日期": D(2021, 2, 28),
                "入账基金": "新建基金",
            }
        ],
        "项目": [{"项目名称": "新博爱家园", "项目类型": "博爱家园", "预算金额": 50000}],
        "捐赠": [{**gift, "捐赠日期": D(2021, 1, 5), "金额": 30000, "票据号": "NO-1"}],
        "救助发放": [{**PAYMENT, "资金来源": "新建基金"}],
        "项目支出": [
            {"支出日期": D(2021, 5, 1), "项目名称": "新博爱家园", "金额": 20000, "资金来源": "新建基金"}
        ],
    }
    bad = {
        **good,
        "捐赠": [
            *good["捐赠"],
            {**gift, "捐赠日期": D(2021, 3, 5), "金额": 100},
            {**gift, "捐赠日期": D(2021, 1, 6), "募捐活动": "没有的活动", "金额": 100},
        ],
        "项目支出": [*good["项目支出"], {"支出日期": D(2021, 5, 1), "项目名称": "没有的项目", "金额": 100}],
    }
    result = run(bad, user=admin)
    assert problems(result) == [
        "捐赠 第3行 募捐活动: 捐赠日期不在募捐活动“春节慰问募捐”的任何一期内",
        "捐赠 第4行 募捐活动: 募捐活动“没有的活动”不存在",
        "项目支出 第3行 项目名称: 项目“没有的项目”不存在",
    ]
    # Without those three rows, the rest goes in: a fund, drive and project defined above are used below.
    result = run(good, user=admin)
    assert result.imported and problems(result) == []
    fund = Fund.objects.get(name="新建基金")
    assert Donation.objects.get().drive.fund == fund
    assert Receipt.objects.get().number == "NO-1"
    assert Disbursement.objects.get().fund == fund
    assert Expenditure.objects.get().project.name == "新博爱家园"
    assert result.counts == {"基金": 1, "募捐活动": 1, "项目": 1, "捐赠": 1, "救助发放": 1, "项目支出": 1}


def test_only_administrators_create_funds_by_import(run, staff):
    result = run({"基金": [{"基金名称": "新建基金"}]}, user=staff)
    assert problems(result) == ["基金 第2行 基金名称: 基金“新建基金”不存在；新建基金须由系统管理员导入"]


def test_donor_intent_and_the_fund_balance_hold_across_the_file(run, tree, category):
    restricted = FundFactory(
        chapter=tree.naiman, name="大病基金", restricted_category=category["重特大疾病救助"]
    )
    DonationFactory(fund=restricted, amount=Decimal("1000.00"))
    result = run(
        {
            "捐赠": [
                {
                    "捐赠日期": D(2021, 1, 5),
                    "捐赠人": "甲",
                    "捐赠人类型": "个人",
                    "入账基金": "大病基金",
                    "捐赠方式": "现金",
                    "金额": 500,
                }
            ],
            "救助发放": [
                {**PAYMENT, "资金来源": "大病基金", "现金金额": 1200},
                {**PAYMENT, "资金来源": "大病基金", "救助类别": "助学", "现金金额": 10},
                {**PAYMENT, "受助人姓名": "李四", "资金来源": "大病基金", "现金金额": 400},
            ],
        }
    )
    assert problems(result) == [
        "救助发放 第3行 资金来源: 该基金限定用于“重特大疾病救助”，不能用于其他用途",
        "救助发放 第4行 资金来源: 基金“大病基金”余额不足：可用 300.00 元，本次需 400.00 元",
    ]


def test_receipt_numbers_are_used_once(run, tree):
    fund = FundFactory(chapter=tree.naiman, name="综合基金")
    ReceiptFactory(
        chapter=tree.naiman, donation=DonationFactory(fund=fund), number="NO-9", issued_on=D(2020, 1, 1)
    )
    gift = {
        "捐赠日期": D(2021, 1, 5),
        "捐赠人": "甲",
        "捐赠人类型": "个人",
        "入账基金": "综合基金",
        "捐赠方式": "现金",
        "金额": 5,
    }
    result = run(
        {"捐赠": [{**gift, "票据号": "NO-9"}, {**gift, "票据号": "NO-10"}, {**gift, "票据号": "NO-10"}]}
    )
    assert problems(result) == [
        "捐赠 第2行 票据号: 票据号“NO-9”已经使用过（含已作废的票据）",
        "捐赠 第4行 票据号: 票据号“NO-10”与第3行重复",
    ]


def test_in_kind_gifts_need_goods_and_a_valuation_basis(run, tree):
    FundFactory(chapter=tree.naiman, name="综合基金")
    gift = {
        "捐赠日期": D(2021, 1, 5),
        "捐赠人": "甲",
        "捐赠人类型": "个人",
        "入账基金": "综合基金",
        "捐赠方式": "物资",
        "金额": 5,
    }
    result = run({"捐赠": [gift, {**gift, "捐赠方式": "股票"}, {**gift, "是否匿名": "也许"}]})
    assert problems(result) == [
        "捐赠 第2行 物资名称: 物资捐赠必须填写物资名称",
        "捐赠 第2行 折价依据: 物资捐赠必须填写折价依据",
        "捐赠 第3行 捐赠方式: 应为 现金、物资 之一",
        "捐赠 第4行 是否匿名: 应为“是”或“否”",
    ]


def test_formula_cells_are_refused_not_evaluated(run, staff, tree):
    sheets = {"救助发放": [[D(2021, 3, 1), "重特大疾病救助", "张三", None, None, None, "=1000*2"]]}
    result = import_records(workbook(sheets), chapter=tree.naiman, user=staff, dry_run=True)
    assert problems(result) == ["救助发放 第2行 现金金额: 公式单元格不予导入，请粘贴为数值"]


def test_an_id_number_held_under_another_name_is_refused(run, tree):
    number = valid_id_number(serial=321)
    Beneficiary.objects.create(chapter=tree.naiman, name="王五", id_number=number)
    result = run({"救助发放": [{**PAYMENT, "身份证号": number}]})
    assert problems(result) == [
        "救助发放 第2行 身份证号: 该身份证号已登记在受助人“王五”名下，请核对姓名或身份证号"
    ]


def test_likely_duplicates_are_reported_in_the_preview(run, tree, category):
    person = Beneficiary.objects.create(chapter=tree.naiman, name="张三", township="")
    DisbursementFactory(
        chapter=tree.naiman,
        beneficiary=person,
        category=category["重特大疾病救助"],
        date=D(2021, 3, 1),
        cash_amount=Decimal("2000.00"),
        township="",
    )
    result = run(
        {"救助发放": [PAYMENT, {**PAYMENT, "受助人姓名": "李四"}, {**PAYMENT, "受助人姓名": "李四"}]},
        dry_run=True,
    )
    assert result.ok
    assert result.warnings == [
        "救助发放 第2行：疑似重复——张三 2021-03-01 已有一笔相同类别、相同金额（2,000.00 元）的救助",
        "救助发放 第4行：疑似重复——与本表第3行的受助人、类别、日期和金额相同",
    ]


# --- all or nothing, twice, undo --------------------------------------------------------------------


def test_one_bad_row_at_the_end_of_a_large_file_saves_nothing(run, tree):
    rows = [
        {
            **PAYMENT,
            "受助人姓名": f"受助人{i}",
            "身份证号": valid_id_number(birth=D(1950, 1, 1) + datetime.timedelta(days=i), serial=i % 1000),
            "现金金额": 100 + i % 7,
        }
        for i in range(1500)
    ]
    rows.append({**PAYMENT, "现金金额": -1})
    before = database_rows()
    result = run({"救助发放": rows})
    assert problems(result) == ["救助发放 第1502行 现金金额: 金额不能为负数"]
    assert not result.imported
    assert database_rows() == before


def test_the_same_file_twice_creates_nothing_the_second_time(tmp_path, tree, staff, capsys):
    path = tmp_path / "records.xlsx"
    workbook({"救助发放": [PAYMENT]}, path)
    call_command("import_records", str(path), "--chapter", "150525", "--user", "staff")
    assert "已导入第" in capsys.readouterr().out
    before = database_rows()
    call_command("import_records", str(path), "--chapter", "150525", "--user", "staff")
    assert "本次未创建任何记录" in capsys.readouterr().out
    assert database_rows() == before
    batch = ImportBatch.objects.get()
    assert (batch.user, batch.counts, batch.status) == (staff, {"救助发放": 1}, ImportStatus.DONE)
    assert len(batch.checksum) == 64


def test_the_command_prints_one_line_per_error_and_exits_non_zero(tmp_path, tree, staff, capsys):
    path = tmp_path / "bad.xlsx"
    workbook({"救助发放": [{**PAYMENT, "身份证号": "150525198001011233"}, {**PAYMENT, "现金金额": -1}]}, path)
    with pytest.raises(CommandError) as failure:
        call_command("import_records", str(path), "--chapter", "150525", "--user", "staff")
    assert failure.value.returncode == 1
    assert str(failure.value) == "2 处错误，未导入任何记录"
    assert capsys.readouterr().out.splitlines() == [
        "救助发放 第2行 身份证号: 校验位错误",
        "救助发放 第3行 现金金额: 金额不能为负数",
    ]
    assert Disbursement.objects.count() == 0


def test_a_dry_run_checks_and_saves_nothing(tmp_path, tree, staff, capsys):
    path = tmp_path / "ok.xlsx"
    workbook({"救助发放": [PAYMENT, PAYMENT | {"受助人姓名": "李四"}]}, path)
    call_command("import_records", str(path), "--chapter", "150525", "--user", "staff", "--dry-run")
    assert "检查通过（未保存）：救助发放 2 条" in capsys.readouterr().out
    assert Disbursement.objects.count() == 0 and ImportBatch.objects.count() == 0


def test_an_import_is_undone_as_a_whole(run, tree, staff):
    FundFactory(chapter=tree.naiman, name="综合基金")
    before = database_rows(standing_only=True)
    gift = {"捐赠日期": D(2021, 1, 5), "捐赠人": "新捐赠人", "捐赠人类型": "个人", "入账基金": "综合基金"}
    result = run(
        {
            "捐赠": [{**gift, "捐赠方式": "现金", "金额": 500, "票据号": "UNDO-1"}],
            "救助发放": [PAYMENT, {**PAYMENT, "受助人姓名": None, "受助人数": 30, "现金金额": 9000}],
        }
    )
    assert Disbursement.objects.count() == 2 and ReliefDay.objects.count() == 1
    assert (
        Receipt.objects.filter(number="UNDO-1").count() == 1
        and Donor.objects.filter(name="新捐赠人").exists()
    )
    assert report_data(tree.naiman, Period(2021, ReportKind.YEAR))["relief.total.amount"].value == "11000.00"
    import_undo(result.batch, user=staff)
    # Accounting records are voided, never deleted: they stay, marked, and count in nothing; the
    # donor and people they name stay with them.
    reason = f"撤销导入第{result.batch.pk}批"
    assert list(Disbursement.all_objects.values_list("void_reason", flat=True)) == [reason, reason]
    assert list(Donation.all_objects.values_list("void_reason", flat=True)) == [reason]
    assert Receipt.objects.get(number="UNDO-1").void_reason == reason
    after = database_rows(standing_only=True)
    assert len(after.pop("ImportBatch")) == 1
    before.pop("ImportBatch")
    assert [len(after.pop(name)) for name in ("Receipt", "Donor", "Beneficiary")] == [1, 1, 1]
    for name in ("Receipt", "Donor", "Beneficiary"):
        before.pop(name)
    assert after == before  # what stands, the summaries included, is as it was
    assert report_data(tree.naiman, Period(2021, ReportKind.YEAR))["relief.total.amount"].value == "0.00"
    result.batch.refresh_from_db()
    assert (result.batch.status, result.batch.undone_by) == (ImportStatus.UNDONE, staff)
    assert Change.objects.filter(table="aid_disbursement", action="update").count() == 2


def test_undo_is_refused_while_something_recorded_since_depends_on_it(run, tree, staff, category):
    FundFactory(chapter=tree.naiman, name="综合基金")
    drive = {
        "活动名称": "春节慰问募捐",
        "开始日期": D(2021, 1, 1),
        "结束日期": D(2021, 2, 28),
        "入账基金": "综合基金",
    }
    result = run({"募捐活动": [drive], "救助发放": [PAYMENT]})
    DonationFactory(chapter=tree.naiman, drive=Drive.objects.get(), date=D(2021, 1, 20))
    before = database_rows()
    with pytest.raises(Exception) as refusal:
        import_undo(result.batch, user=staff)
    assert "导入之后登记的捐赠" in str(refusal.value) and "不能整批撤销" in str(refusal.value)
    assert database_rows() == before  # nothing changed


def test_undo_is_refused_when_the_imported_gifts_were_spent_since(run, tree, staff, category):
    from aid.services import disbursement_record

    fund = FundFactory(chapter=tree.naiman, name="综合基金")
    gift = {"捐赠日期": D(2021, 1, 5), "捐赠人": "新捐赠人", "捐赠人类型": "个人", "入账基金": "综合基金"}
    result = run({"捐赠": [{**gift, "捐赠方式": "现金", "金额": 500}]})
    disbursement_record(
        chapter=tree.naiman, user=staff, date=D(2021, 2, 1), category=category["救灾救助"],
        cash_amount=Decimal("300"), beneficiary_name="王五", fund=fund,
    )  # fmt: skip
    with pytest.raises(Exception, match=r"基金“综合基金”已支出本批次导入的捐赠款，撤销后余额将为 -300.00 元"):
        import_undo(result.batch, user=staff)
    assert Donation.objects.get().amount == Decimal("500.00")  # nothing voided


def test_undo_keeps_the_people_a_later_payment_names(run, tree, staff, category):
    result = run({"救助发放": [PAYMENT]})
    person = Beneficiary.objects.get(name="张三")
    later = DisbursementFactory(chapter=tree.naiman, beneficiary=person, date=D(2021, 5, 1))
    import_undo(result.batch, user=staff)
    assert list(Disbursement.objects.all()) == [later] and Disbursement.all_objects.count() == 2
    assert PersonYear.objects.filter(beneficiary=person, category__isnull=True).get().first_date == D(
        2021, 5, 1
    )


def test_undo_is_refused_when_an_imported_record_was_corrected(run, tree, staff):
    from aid.services import disbursement_correct

    result = run({"救助发放": [PAYMENT]})
    payment = Disbursement.objects.get()
    disbursement_correct(
        disbursement=payment,
        user=staff,
        date=payment.date,
        category=payment.category,
        cash_amount=Decimal("2100"),
        beneficiary_name="张三",
    )
    with pytest.raises(Exception, match=r"导入的救助发放已有更正（如 #\d+），不能整批撤销"):
        import_undo(result.batch, user=staff)


# --- hostile files -----------------------------------------------------------------------------------


def refused(handle, tree, staff):
    before = database_rows()
    with pytest.raises(RefusedFile) as refusal:
        import_records(handle, chapter=tree.naiman, user=staff)
    assert database_rows() == before
    return str(refusal.value)


def test_a_file_that_is_not_xlsx_is_refused(tree, staff):
    assert refused(io.BytesIO("发放日期,救助类别\n2021-01-01,助学\n".encode()), tree, staff) == (
        "不是有效的 Excel 工作簿（.xlsx）：文件内容不是 xlsx 格式"
    )
    other_zip = io.BytesIO()
    with zipfile.ZipFile(other_zip, "w") as archive:
        archive.writestr("readme.txt", "hello")
    assert refused(other_zip, tree, staff) == "不是有效的 Excel 工作簿（.xlsx）：缺少工作簿结构"


def test_a_file_over_the_size_limit_is_refused(tree, staff, settings):
    settings.IMPORT_MAX_BYTES = 1000
    assert refused(workbook({"救助发放": [PAYMENT] * 50}), tree, staff).startswith("文件过大")


def test_a_zip_bomb_is_refused_before_it_is_unpacked(tree, staff):
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (51 * 2**20))
    assert len(bomb.getvalue()) < 1024 * 1024  # small as a file, 51 MB unpacked
    assert refused(bomb, tree, staff) == "工作簿解压后过大（51 MB，上限 50 MB），可能是压缩炸弹，已拒绝"


def test_a_workbook_of_too_many_parts_is_refused(tree, staff):
    many = io.BytesIO()
    with zipfile.ZipFile(many, "w") as archive:
        for i in range(600):
            archive.writestr(f"xl/media/{i}.bin", "x")
    assert refused(many, tree, staff) == "工作簿内部文件过多（600 个），已拒绝"


@pytest.mark.parametrize("part", ["xl/workbook.xml", "xl/worksheets/sheet1.xml"])
def test_xml_entity_expansion_is_refused(tree, staff, part):
    source = zipfile.ZipFile(workbook({"救助发放": [PAYMENT]}))
    laughs = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;">'
        '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
    )
    hostile = io.BytesIO()
    with zipfile.ZipFile(hostile, "w") as archive:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == part:
                body = data.split(b"?>", 1)[1] if data.startswith(b"<?xml") else data
                data = laughs.encode() + body
            archive.writestr(item, data)
    assert refused(hostile, tree, staff) == "工作簿含有不允许的 XML 实体或 DTD，已拒绝"


def test_the_server_refuses_to_start_without_defusedxml(monkeypatch):
    import openpyxl.xml

    from redcross.checks import defusedxml_installed

    assert defusedxml_installed(None) == []
    monkeypatch.setattr(openpyxl.xml, "DEFUSEDXML", False)
    assert [e.id for e in defusedxml_installed(None)] == ["redcross.E001"]


def rewritten(handle, part, change):
    """The workbook in ``handle`` with the bytes of ``part`` passed through ``change``."""
    source = zipfile.ZipFile(handle)
    target = io.BytesIO()
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for item in source.infolist():
            data = source.read(item)
            archive.writestr(item, change(data) if item.filename == part else data)
    target.seek(0)
    return target


def refused_fast(handle, tree, staff):
    """The refusal of ``handle``, checked to change no row and to take well under a second."""
    import time

    before = database_rows()
    started = time.perf_counter()
    with pytest.raises(RefusedFile) as refusal:
        import_records(handle, chapter=tree.naiman, user=staff)
    elapsed = time.perf_counter() - started
    assert database_rows() == before
    assert elapsed < 1, elapsed
    return str(refusal.value)


def test_a_tiny_workbook_declaring_the_whole_sheet_is_refused_before_it_is_read(tree, staff):
    book = Workbook()
    sheet = book.active
    sheet.title = "救助发放"
    sheet.append(headers("救助发放"))
    sheet["XFD1048576"] = "x"
    handle = io.BytesIO()
    book.save(handle)
    assert len(handle.getvalue()) < 10_000
    assert b'<dimension ref="A1:XFD1048576"' in zipfile.ZipFile(handle).read("xl/worksheets/sheet1.xml")
    assert refused_fast(handle, tree, staff) == (
        "工作表“救助发放”声明的范围为 A1:XFD1048576，超过每个工作表 100000 行数据的上限，"
        "已拒绝；请分成几个文件导入"
    )


def test_a_sheet_declaring_too_many_columns_is_refused(tree, staff):
    handle = workbook({"救助发放": [PAYMENT]})
    wide = rewritten(handle, "xl/worksheets/sheet1.xml", lambda d: d.replace(b'ref="A1:K2"', b'ref="A1:CW2"'))
    assert refused_fast(wide, tree, staff) == (
        "工作表“救助发放”声明的范围为 A1:CW2，超过每个工作表 100 列的上限，已拒绝"
    )


@pytest.mark.parametrize("dimension", [b'<dimension ref="A1:K2"/>', b""], ids=["lying", "absent"])
def test_rows_are_counted_while_streaming_when_the_dimension_lies_or_is_absent(
    tree, staff, settings, dimension
):
    settings.IMPORT_MAX_ROWS = 5
    rows = [{**PAYMENT, "受助人姓名": f"受助人{i}"} for i in range(6)]
    handle = workbook({"救助发放": rows})
    lying = rewritten(
        handle, "xl/worksheets/sheet1.xml", lambda d: re.sub(rb"<dimension[^>]*>", dimension, d)
    )
    assert refused_fast(lying, tree, staff) == (
        "工作表“救助发放”超过每个工作表 5 行数据的上限，已拒绝；请分成几个文件导入"
    )
    # Five rows are within the limit and come in.
    result = import_records(workbook({"救助发放": rows[:5]}), chapter=tree.naiman, user=staff)
    assert result.imported and Disbursement.objects.count() == 5


def test_a_sheet_of_malformed_xml_is_refused_not_a_server_error(client, tree, staff):
    handle = workbook({"救助发放": [PAYMENT, {**PAYMENT, "受助人姓名": "李四"}]})
    part = "xl/worksheets/sheet1.xml"
    broken = rewritten(handle, part, lambda d: d.replace(b"</row><row", b"</row><rw", 1))
    message = "不是有效的 Excel 工作簿（.xlsx）：工作表的 XML 格式错误，无法读取"
    assert refused_fast(broken, tree, staff) == message
    broken.seek(0)
    broken.name = "broken.xlsx"
    client.force_login(staff)
    response = client.post(reverse("import-upload"), {"chapter": tree.naiman.pk, "file": broken})
    assert response.status_code == 200 and message in response.content.decode()
    assert ImportBatch.objects.count() == 0


# --- the funds: checked unlocked, locked only around creating ------------------------------------


def _payout(fund, amount):
    from donations.services import payout_record

    return payout_record(
        chapter=fund.chapter, user=None, date=D(2021, 3, 1), fund=fund, recipient="指挥部", purpose="防控",
        cash_amount=Decimal(amount),
    )  # fmt: skip


def test_a_payment_recorded_between_check_and_create_cannot_take_the_fund_below_zero(
    tree, staff, monkeypatch
):
    import redcross.importing as importing

    fund = FundFactory(chapter=tree.naiman, name="综合基金")
    DonationFactory(fund=fund, amount=Decimal("1000.00"))
    original = importing._context

    def balances_read_then_money_spent(chapter, user):
        context = original(chapter, user)  # the check sees 1,000.00 in the fund
        _payout(fund, "600.00")  # … and a payout takes 600.00 before the records are created
        return context

    monkeypatch.setattr(importing, "_context", balances_read_then_money_spent)
    before = database_rows()
    result = import_records(
        workbook({"救助发放": [{**PAYMENT, "资金来源": "综合基金", "现金金额": 500}]}),
        chapter=tree.naiman,
        user=staff,
    )
    assert problems(result) == [
        "基金“综合基金”余额不足：检查之后该基金又有支出登记，按本文件导入后余额将为 -100.00 元；"
        "未导入任何记录，请重新检查"
    ]
    assert not result.imported
    assert database_rows() == before  # the payment, the payout (same transaction here) and no batch


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are PostgreSQL's; CI runs it there")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_fund_is_not_locked_while_checking_and_a_payout_committed_meanwhile_is_counted(tree, monkeypatch):
    import threading

    import redcross.importing as importing
    from donations.models import Payout

    staff = get_user_model().objects.create(username="race-staff")
    Membership.objects.create(user=staff, chapter=tree.naiman, role=Role.STAFF)
    fund = FundFactory(chapter=tree.naiman, name="综合基金")
    DonationFactory(fund=fund, amount=Decimal("1000.00"))
    original = importing._context
    outcome = []

    def other_clerk():
        try:
            _payout(fund, "600.00")
            outcome.append("paid")
        finally:
            connections.close_all()

    def checked_then_paid_elsewhere(chapter, user):
        context = original(chapter, user)
        clerk = threading.Thread(target=other_clerk)
        clerk.start()
        clerk.join(timeout=10)  # would hang if the import locked the fund while checking
        assert outcome == ["paid"]
        return context

    monkeypatch.setattr(importing, "_context", checked_then_paid_elsewhere)
    payment = {**PAYMENT, "资金来源": "综合基金", "现金金额": 100}
    rows = [{**payment, "受助人姓名": f"受助人{i}"} for i in range(5)]
    with CaptureQueriesContext(connection) as queries:
        result = import_records(workbook({"救助发放": rows}), chapter=tree.naiman, user=staff)
    assert problems(result) == [
        "基金“综合基金”余额不足：检查之后该基金又有支出登记，按本文件导入后余额将为 -100.00 元；"
        "未导入任何记录，请重新检查"
    ]
    assert Disbursement.objects.count() == 0 and Payout.objects.count() == 1
    # The lock comes after the payments were created, never before.
    sql = [q["sql"] for q in queries.captured_queries]
    locks = [i for i, q in enumerate(sql) if "FOR NO KEY UPDATE" in q or "FOR UPDATE" in q]
    inserts = [i for i, q in enumerate(sql) if 'INSERT INTO "aid_disbursement"' in q]
    assert inserts and locks and min(locks) > max(inserts)


# --- a round trip through the template --------------------------------------------------------------


def test_a_filled_template_comes_in_and_the_lists_and_report_agree(tmp_path, client, tree, admin):
    rng = random.Random(5)
    path = tmp_path / "template.xlsx"
    build_template(path, chapter=tree.naiman)
    book = load_workbook(path)
    book["基金"].append(["导入综合基金", None, None])
    book["募捐活动"].append(["博爱一日捐", D(2021, 5, 1), D(2021, 6, 30), "导入综合基金", 100000])
    book["项目"].append(["导入博爱家园", "博爱家园", "八仙筒镇", 80000, D(2021, 4, 1), None, "实施中"])
    donated = relief = spent = Decimal("0.00")
    named, groups = set(), 0
    for i in range(60):
        amount = Decimal(rng.randint(100000, 900000)) / 100
        donated += amount
        book["捐赠"].append(
            [
                D(2021, 5, 1 + i % 30),
                f"捐赠人{i % 9}",
                "个人",
                "博爱一日捐",
                None,
                "现金",
                amount,
                None,
                None,
                None,
                None,
                f"IMP-{i:04d}",
                "否",
                None,
            ]
        )
    categories = [c.name for c in AidCategory.objects.all()]
    for i in range(120):
        cash = Decimal(rng.randint(10000, 99999)) / 100
        relief += cash
        group = i % 10 == 0
        name = None if group else f"受助人{i % 100}"
        groups += 20 if group else 0
        named |= set() if group else {name}
        book["救助发放"].append(
            [
                D(2021, 1 + i % 12, 1 + i % 28),
                categories[i % len(categories)],
                name,
                None if group else valid_id_number(serial=i % 100),
                20 if group else None,
                None,
                cash,
                None,
                None,
                "八仙筒镇",
                None,
            ]
        )
    for i in range(10):
        amount = Decimal(rng.randint(100000, 500000)) / 100
        spent += amount
        book["项目支出"].append(
            [D(2021, 6, 1 + i), "导入博爱家园", "工程建设", amount, "导入综合基金", "某公司", f"FP{i}", None]
        )
    book["培训"].append([D(2021, 7, 1), "普及性培训", "进社区", None, "社区", 4, 150, None, None])
    book.save(path)
    with path.open("rb") as handle:
        result = import_records(handle, chapter=tree.naiman, user=admin, filename=path.name)
    assert result.imported, problems(result)

    client.force_login(admin)
    year = {"date_after": "2021-01-01", "date_before": "2021-12-31"}
    assert client.get(reverse("aid:disbursement-list"), year).context["totals"].amount == relief
    assert client.get(reverse("donations:donation-list"), year).context["totals"].amount == donated
    assert client.get(reverse("projects:expenditure-list"), year).context["totals"]["amount"] == spent
    figures = report_data(tree.naiman, Period(2021, ReportKind.YEAR))
    assert Decimal(figures["relief.total.amount"].value) == relief
    assert figures["relief.total.persons"].value == len(named) + groups == 90 + 240
    assert Decimal(figures["donations.total.amount"].value) == donated
    assert Decimal(figures["projects.total.spent"].value) == spent
    assert figures["training.total.person_times"].value == 150
    assert Receipt.objects.filter(number__startswith="IMP-").count() == 60
    assert Fund.objects.get(name="导入综合基金").donations.aggregate(t=Sum("amount"))["t"] == donated


# --- the upload page ----------------------------------------------------------------------------------


def upload(client, tree, sheets, name="records.xlsx"):
    handle = workbook(sheets)
    handle.name = name
    return client.post(reverse("import-upload"), {"chapter": tree.naiman.pk, "file": handle})


def test_the_upload_page_previews_then_imports_when_confirmed(client, tree, staff):
    client.force_login(staff)
    response = upload(client, tree, {"救助发放": [PAYMENT, {**PAYMENT, "受助人姓名": "李四"}]})
    batch = ImportBatch.objects.get()
    assert response["Location"] == batch.get_absolute_url()
    page = client.get(batch.get_absolute_url()).content.decode()
    assert 'data-sheet="救助发放"' in page and 'data-figure="total">2<' in page
    assert "确认导入 2 条记录" in page
    assert Disbursement.objects.count() == 0  # nothing before confirming
    response = client.post(reverse("import-confirm", args=[batch.pk]), follow=True)
    assert f"已导入 2 条记录（第 {batch.pk} 批）" in response.content.decode()
    assert Disbursement.objects.count() == 2
    batch.refresh_from_db()
    assert batch.status == ImportStatus.DONE
    # And undone from the page, through a confirmation page saying what goes.
    page = client.get(batch.get_absolute_url()).content.decode()
    assert f'href="{reverse("import-undo", args=[batch.pk])}" id="undo"' in page
    confirm = client.get(reverse("import-undo", args=[batch.pk])).content.decode()
    assert "将撤销本批导入的全部 2 条记录，撤销后不能恢复。" in confirm
    assert 'data-sheet="救助发放"' in confirm and "确认撤销 2 条记录" in confirm
    # A POST without the confirmation undoes nothing and sends back to the confirmation page.
    response = client.post(reverse("import-undo", args=[batch.pk]), follow=True)
    assert "请先查看将撤销的记录，再确认撤销" in response.content.decode()
    assert Disbursement.objects.count() == 2
    response = client.post(reverse("import-undo", args=[batch.pk]), {"confirm": "1"}, follow=True)
    assert "已整批撤销" in response.content.decode()
    assert Disbursement.objects.count() == 0


def test_the_preview_lists_every_error_and_offers_the_workbook_marked(client, tree, staff):
    client.force_login(staff)
    upload(
        client, tree, {"救助发放": [PAYMENT, {**PAYMENT, "身份证号": "150525198001011233", "现金金额": -3}]}
    )
    batch = ImportBatch.objects.get()
    page = client.get(batch.get_absolute_url()).content.decode()
    assert "2 处错误：未导入任何记录" in page
    assert "救助发放 第3行 身份证号: 校验位错误" in page and "救助发放 第3行 现金金额: 金额不能为负数" in page
    assert "确认导入" not in page
    marked = client.get(reverse("import-marked", args=[batch.pk]))
    assert "records-" in marked["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(b"".join(marked.streaming_content)))["救助发放"]
    assert sheet["D3"].comment.text == "校验位错误"
    assert sheet["G3"].comment.text == "金额不能为负数"
    assert sheet["D3"].fill.fgColor.rgb.endswith("FFC7CE")
    assert sheet["A2"].comment is None
    assert client.post(reverse("import-confirm", args=[batch.pk])).status_code == 302
    assert Disbursement.objects.count() == 0


def test_the_marked_workbook_gives_uploaded_formulas_back_as_text_never_as_formulas(client, tree, staff):
    client.force_login(staff)
    book = Workbook()
    sheet = book.active
    sheet.title = "救助发放"
    sheet.append(headers("救助发放"))
    sheet.append(
        [D(2021, 3, 1), "重特大疾病救助", "张三", None, None, None, '=HYPERLINK("http://x.example","点我")']
    )
    sheet.append([D(2021, 3, 1), "重特大疾病救助", "李四", None, None, None, -5, None, None, None, None])
    sheet["K3"] = "=1+1"
    sheet["K3"].data_type = "s"  # text that looks like a formula
    handle = io.BytesIO()
    book.save(handle)
    handle.seek(0)
    handle.name = "formulas.xlsx"
    client.post(reverse("import-upload"), {"chapter": tree.naiman.pk, "file": handle})
    batch = ImportBatch.objects.get()
    marked = client.get(reverse("import-marked", args=[batch.pk]))
    back = load_workbook(io.BytesIO(b"".join(marked.streaming_content)))["救助发放"]
    assert (back["G2"].value, back["G2"].data_type) == ('=HYPERLINK("http://x.example","点我")', "s")
    assert back["G2"].comment.text == "公式单元格不予导入，请粘贴为数值"
    assert (back["K3"].value, back["K3"].data_type) == ("=1+1", "s")
    assert back["G3"].comment.text == "金额不能为负数"


def test_a_hostile_upload_is_refused_with_its_reason_and_nothing_kept(client, tree, staff):
    client.force_login(staff)
    fake = io.BytesIO(b"MZ\x90\x00 not a workbook")
    fake.name = "records.xlsx"
    response = client.post(reverse("import-upload"), {"chapter": tree.naiman.pk, "file": fake})
    assert "不是有效的 Excel 工作簿（.xlsx）：文件内容不是 xlsx 格式" in response.content.decode()
    assert ImportBatch.objects.count() == 0


def test_only_staff_and_administrators_import(client, tree, member):
    client.force_login(member(Role.AUDITOR, tree.naiman))
    assert client.get(reverse("import-upload")).status_code == 403
    client.force_login(member(Role.LEADER, tree.naiman))
    assert client.get(reverse("import-upload")).status_code == 403


def test_the_import_list_costs_the_same_queries_however_many_batches(client, tree, staff):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(staff)

    def make(count):
        for i in range(count):
            ImportBatchFactory(
                chapter=tree.naiman,
                user=staff,
                filename=f"f{i}.xlsx",
                checksum=f"{i:064d}",
                status=ImportStatus.DONE,
                counts={"救助发放": 3},
            )

    make(1)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("import-list"))
    make(20)
    with CaptureQueriesContext(connection) as many:
        page = client.get(reverse("import-list")).content.decode()
    assert page.count("f1") >= 1 and page.count(".xlsx") == 21
    assert len(few.captured_queries) == len(many.captured_queries) == 5


def test_the_workbook_reads_the_same_for_someone_reading_english(run, tree, tmp_path):
    from django.utils import translation

    FundFactory(chapter=tree.naiman, name="综合基金")
    gift = {
        "捐赠日期": D(2021, 1, 5),
        "捐赠人": "甲",
        "捐赠人类型": "个人",
        "入账基金": "综合基金",
        "金额": 5,
    }
    with translation.override("en"):
        result = run({"捐赠": [{**gift, "捐赠方式": "现金"}, {**gift, "捐赠方式": "cash"}]}, dry_run=True)
        build_template(tmp_path / "t.xlsx")
        assert problems(result) == ["捐赠 row 3 捐赠方式: Expected one of 现金、物资"]
    options = {
        c[0].value: [x.value for x in c[1:] if x.value]
        for c in load_workbook(tmp_path / "t.xlsx")["选项"].iter_cols()
    }
    assert options["捐赠方式"] == ["现金", "物资"] and options["是否"] == ["是", "否"]


# --- large workbooks go to the task worker ----------------------------------------------------------


def _without_dimension(handle):
    return rewritten(handle, "xl/worksheets/sheet1.xml", lambda d: re.sub(rb"<dimension[^>]*>", b"", d))


@pytest.mark.parametrize("declared", [True, False], ids=["declared", "counted-while-streaming"])
def test_a_large_workbook_is_checked_and_imported_by_the_worker_never_in_the_request(
    client, tree, staff, settings, tmp_path, django_capture_on_commit_callbacks, declared
):
    settings.IMPORT_IMMEDIATE_ROWS = 3
    settings.MEDIA_ROOT = tmp_path / "media"
    client.force_login(staff)
    handle = workbook({"救助发放": [{**PAYMENT, "受助人姓名": f"受助人{i}"} for i in range(5)]})
    handle = handle if declared else _without_dimension(handle)
    handle.name = "large.xlsx"
    queued = []
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(reverse("import-upload"), {"chapter": tree.naiman.pk, "file": handle})
        batch = ImportBatch.objects.get()
        queued.append((batch.job, batch.rows_total, batch.counts))  # in the request: only queued
    assert queued == [("check", 5 if declared else 0, {})]
    assert response["Location"] == batch.get_absolute_url()
    page = client.get(batch.get_absolute_url()).content.decode()
    assert 'http-equiv="refresh"' in page and "正在检查" in page and 'id="confirm"' not in page
    for callback in callbacks:
        callback()  # the worker runs the check
    batch.refresh_from_db()
    assert (batch.job, batch.counts, batch.rows_read, batch.rows_checked, batch.rows_created) == (
        "",
        {"救助发放": 5},
        6,
        5,
        0,
    )
    assert Disbursement.objects.count() == 0
    page = client.get(batch.get_absolute_url()).content.decode()
    assert 'http-equiv="refresh"' not in page and "确认导入 5 条记录" in page
    assert 'data-figure="rows-read">6<' in page and 'data-figure="rows-checked">5<' in page
    assert batch.filename in client.get(reverse("import-list")).content.decode()  # to come back to
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("import-confirm", args=[batch.pk]), follow=True)
    assert "记录较多，正在后台导入" in response.content.decode()
    batch.refresh_from_db()
    assert (batch.status, batch.job, batch.rows_checked, batch.rows_created) == (ImportStatus.DONE, "", 5, 5)
    assert sorted(Disbursement.objects.values_list("beneficiary__name", flat=True)) == [
        f"受助人{i}" for i in range(5)
    ]
    page = client.get(batch.get_absolute_url()).content.decode()
    assert 'data-figure="rows-created">5<' in page and "已导入" in page


def test_a_workbook_the_worker_refuses_says_why_on_its_page_and_imports_nothing(
    client, tree, staff, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.IMPORT_IMMEDIATE_ROWS = 3
    settings.IMPORT_MAX_ROWS = 5
    settings.MEDIA_ROOT = tmp_path / "media"
    client.force_login(staff)
    handle = _without_dimension(
        workbook({"救助发放": [{**PAYMENT, "受助人姓名": f"受助人{i}"} for i in range(6)]})
    )
    handle.name = "too-long.xlsx"
    before = database_rows()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("import-upload"), {"chapter": tree.naiman.pk, "file": handle})
    batch = ImportBatch.objects.get()
    assert (batch.job, batch.error) == (
        "failed",
        "工作表“救助发放”超过每个工作表 5 行数据的上限，已拒绝；请分成几个文件导入",
    )
    page = client.get(batch.get_absolute_url()).content.decode()
    assert batch.error in page and 'id="confirm"' not in page and 'http-equiv="refresh"' not in page
    assert client.post(reverse("import-confirm", args=[batch.pk])).status_code == 302
    after = database_rows()
    assert after.pop("ImportBatch") != before.pop("ImportBatch")  # the batch that says why
    assert after == before


def test_a_running_import_shows_rows_read_checked_and_created_and_reloads_itself(client, tree, staff):
    batch = ImportBatchFactory(
        chapter=tree.naiman, user=staff, filename="big.xlsx", file="imports/big.xlsx", checksum="0" * 64,
        job="import", rows_total=100000, rows_read=50001, rows_checked=50000, rows_created=48000,
    )  # fmt: skip
    client.force_login(staff)
    page = client.get(batch.get_absolute_url()).content.decode()
    assert '<meta http-equiv="refresh" content="2">' in page
    assert not re.search(r"<script(?![^>]*\bsrc=)", page)  # no inline script (the CSP runs none)
    assert 'data-figure="rows-read">50001<' in page and "工作表声明约 100000 行" in page
    assert 'data-figure="rows-checked">50000<' in page and 'data-figure="rows-created">48000<' in page
    assert 'value="50"' in page and "正在导入" in page
    assert 'id="confirm"' not in page and 'id="undo"' not in page
    # A second confirmation while the worker has it starts nothing.
    response = client.post(reverse("import-confirm", args=[batch.pk]), follow=True)
    assert "该批次正在后台处理，请等待完成" in response.content.decode()
    assert Disbursement.objects.count() == 0


def test_a_file_wrong_throughout_stops_being_checked_after_the_problem_cap(run, tree, monkeypatch):
    import redcross.importing as importing

    monkeypatch.setattr(importing, "MAX_PROBLEMS", 3)
    rows = [{**PAYMENT, "现金金额": -i} for i in range(1, 11)]
    result = run({"救助发放": rows, "培训": [{"培训日期": "坏日期"}]})
    assert problems(result) == [f"救助发放 第{row}行 现金金额: 金额不能为负数" for row in (2, 3, 4)]
    assert "错误超过 3 处，检查已停止，只列出前 3 处；请改正后重新上传" in [str(n) for n in result.notices]
    assert not result.imported


def test_a_file_of_many_likely_duplicates_lists_only_the_first_ones(run, tree, monkeypatch):
    import redcross.importing as importing

    monkeypatch.setattr(importing, "MAX_PROBLEMS", 2)
    result = run({"救助发放": [PAYMENT] * 5}, dry_run=True)
    assert result.ok and result.counts == {"救助发放": 5}
    assert [str(w) for w in result.warnings] == [
        "救助发放 第3行：疑似重复——与本表第2行的受助人、类别、日期和金额相同",
        "救助发放 第4行：疑似重复——与本表第2行的受助人、类别、日期和金额相同",
    ]
    assert "疑似重复共 4 处，只列出前 2 处" in [str(n) for n in result.notices]


def test_a_large_workbook_is_not_loaded_whole_to_mark_its_errors_in_a_request(
    client, tree, staff, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.IMPORT_IMMEDIATE_ROWS = 3
    settings.MEDIA_ROOT = tmp_path / "media"
    client.force_login(staff)
    handle = workbook(
        {"救助发放": [{**PAYMENT, "受助人姓名": f"受助人{i}", "现金金额": -1} for i in range(5)]}
    )
    handle.name = "wrong.xlsx"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("import-upload"), {"chapter": tree.naiman.pk, "file": handle})
    batch = ImportBatch.objects.get()
    page = client.get(batch.get_absolute_url()).content.decode()
    assert "救助发放 第6行 现金金额: 金额不能为负数" in page and 'id="marked"' not in page
    response = client.get(reverse("import-marked", args=[batch.pk]), follow=True)
    assert "工作簿较大，不提供标注错误的工作簿" in response.content.decode()
    assert response.redirect_chain == [(batch.get_absolute_url(), 302)]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a second connection of PostgreSQL's")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_progress_of_an_import_is_readable_while_its_transaction_is_still_open(tree):
    from django.db import DEFAULT_DB_ALIAS, transaction

    from redcross.importing import Progress
    from redcross.services import _ImportProgress

    staff = get_user_model().objects.create(username="progress-staff")
    batch = ImportBatchFactory(chapter=tree.naiman, user=staff, filename="p.xlsx", checksum="3" * 64)
    page = connections.create_connection(DEFAULT_DB_ALIAS)  # what the page's request would read
    progress = _ImportProgress(batch.pk)
    try:
        with transaction.atomic():
            Disbursement.objects.filter(pk=0).update(remarks="")  # the import's own writes, uncommitted
            progress(Progress(read=5001, checked=5000, created=4000))
            with page.cursor() as cursor:
                cursor.execute(
                    "SELECT rows_read, rows_checked, rows_created FROM redcross_importbatch WHERE id = %s",
                    [batch.pk],
                )
                assert cursor.fetchone() == (5001, 5000, 4000)
    finally:
        progress.close()
        page.close()


def test_records_are_created_in_flushes_and_a_person_named_again_after_a_flush_is_the_same(
    run, tree, staff, monkeypatch
):
    import redcross.importing as importing

    monkeypatch.setattr(importing, "BATCH", 2)  # a flush every two records
    FundFactory(chapter=tree.naiman, name="综合基金")
    number = valid_id_number(birth=D(1960, 5, 1), serial=7)
    gift = {"捐赠日期": D(2021, 1, 5), "捐赠人类型": "个人", "入账基金": "综合基金", "捐赠方式": "现金"}
    sheets = {
        "捐赠": [{**gift, "捐赠人": f"捐赠人{i % 2}", "金额": 100, "票据号": f"R-{i}"} for i in range(5)],
        "救助发放": [
            {**PAYMENT, "身份证号": number},
            {**PAYMENT, "受助人姓名": "李四", "乡镇": "大沁他拉镇"},
            {**PAYMENT, "受助人姓名": "王五"},
            {**PAYMENT, "身份证号": number, "现金金额": 300},
            {**PAYMENT, "受助人姓名": "李四", "乡镇": "大沁他拉镇", "现金金额": 400},
            {**PAYMENT, "受助人姓名": "王五"},  # the same as row 4, two flushes later
        ],
    }
    checked = run(sheets, dry_run=True)
    assert checked.ok and checked.counts == {"捐赠": 5, "救助发放": 6}
    assert [str(w) for w in checked.warnings] == [
        "救助发放 第7行：疑似重复——与本表第4行的受助人、类别、日期和金额相同"
    ]
    result = run(sheets)
    assert result.imported
    people = {b.name: b for b in Beneficiary.objects.all()}
    assert sorted(people) == ["张三", "李四", "王五"]
    payments = list(Disbursement.objects.order_by("pk").values_list("beneficiary__name", "cash_amount"))
    assert payments == [
        ("张三", Decimal("2000.00")), ("李四", Decimal("2000.00")), ("王五", Decimal("2000.00")),
        ("张三", Decimal("300.00")), ("李四", Decimal("400.00")), ("王五", Decimal("2000.00")),
    ]  # fmt: skip
    assert sorted(Donor.objects.values_list("name", flat=True)) == ["捐赠人0", "捐赠人1"]
    assert sorted(Receipt.objects.values_list("number", flat=True)) == [f"R-{i}" for i in range(5)]
    made = dict((label, ids) for label, ids in result.batch.created)
    assert len(made["aid.Disbursement"]) == 6 and len(made["aid.Beneficiary"]) == 3
    assert len(made["donations.Donation"]) == 5 and len(made["donations.Receipt"]) == 5
    assert PersonYear.objects.filter(beneficiary__in=people.values()).exists()
    import_undo(result.batch, user=staff)
    assert Disbursement.objects.count() == 0


def test_a_large_batch_is_undone_by_the_worker_and_a_refusal_is_kept_on_its_page(
    client, run, tree, staff, category, settings, django_capture_on_commit_callbacks
):
    settings.IMPORT_IMMEDIATE_ROWS = 3
    client.force_login(staff)
    plain = run({"救助发放": [{**PAYMENT, "受助人姓名": f"甲{i}"} for i in range(5)]}).batch
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("import-undo", args=[plain.pk]), {"confirm": "1"}, follow=True)
    assert "记录较多，正在后台撤销" in response.content.decode()
    plain.refresh_from_db()
    assert (plain.status, plain.job, plain.undone_by) == (ImportStatus.UNDONE, "", staff)
    assert Disbursement.objects.count() == 0 and Disbursement.all_objects.count() == 5  # voided, kept
    # Something recorded since depends on the next batch: the worker's refusal stays on its page.
    FundFactory(chapter=tree.naiman, name="综合基金")
    drive = {
        "活动名称": "春节慰问募捐",
        "开始日期": D(2021, 1, 1),
        "结束日期": D(2021, 2, 28),
        "入账基金": "综合基金",
    }
    batch = run(
        {"募捐活动": [drive], "救助发放": [{**PAYMENT, "受助人姓名": f"乙{i}"} for i in range(4)]}
    ).batch
    DonationFactory(chapter=tree.naiman, drive=Drive.objects.get(), date=D(2021, 1, 20))
    before = database_rows()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("import-undo", args=[batch.pk]), {"confirm": "1"})
    batch.refresh_from_db()
    assert (batch.status, batch.job) == (ImportStatus.DONE, "failed")
    assert batch.error.startswith("导入之后登记的捐赠") and batch.error.endswith("不能整批撤销")
    after = database_rows()
    assert after.pop("ImportBatch") != before.pop("ImportBatch")  # the batch that says why
    assert after == before  # nothing undone
    page = client.get(batch.get_absolute_url()).content.decode()
    assert batch.error in page and 'id="undo"' in page  # it may be tried again

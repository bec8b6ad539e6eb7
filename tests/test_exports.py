"""Excel exports: every ledger and list opened with openpyxl (headers, real dates and numbers,
frozen header, autofilter, totals), the books reconciled on generated data (ledgers, work report
and the lists' totals lines agree; each fund closes at its opening plus inflows minus outflows),
one ledger read by LibreOffice, text that looks like a formula kept as text, the command line,
and the background export with its progress page."""

import csv
import datetime
import random
import subprocess
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from aid.models import AidCategory, Disbursement
from donations.choices import DonationKind, ValuationBasis
from donations.models import Donation, Payout
from projects.models import Expenditure
from redcross.access import Access
from redcross.choices import ExportStatus, Role
from redcross.exports import EXPORTS, export_class
from redcross.models import Export
from redcross.services import export_write
from reports.choices import ReportKind
from reports.figures import report_data
from reports.periods import Period

from .factories import (
    BeneficiaryFactory,
    CertificateFactory,
    DisbursementFactory,
    DonationFactory,
    DonorFactory,
    DriveFactory,
    ExpenditureFactory,
    ExportFactory,
    FundFactory,
    PayoutFactory,
    ProjectFactory,
    ReceiptFactory,
    SessionFactory,
    valid_id_number,
)

D = datetime.date
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# --- reading a workbook back ------------------------------------------------------------------


class Sheet:
    """A ledger read back: the lines on top, the header, the data rows and the totals row."""

    def __init__(self, path):
        self.book = load_workbook(path)
        self.ws = self.book.worksheets[0]
        rows = list(self.ws.iter_rows())
        self.title = rows[0][0].value
        self.meta = {}
        index = 1
        while rows[index] and rows[index][0].value is not None:
            self.meta[rows[index][0].value] = rows[index][1].value
            index += 1
        self.header_index = index + 1  # a blank row, then the header
        self.header = [c.value for c in rows[self.header_index]]
        self.cells = rows[self.header_index + 1 : -1]
        self.totals_cells = rows[-1]
        self.rows = [dict(zip(self.header, (c.value for c in row), strict=False)) for row in self.cells]
        self.totals = dict(zip(self.header, (c.value for c in self.totals_cells), strict=False))

    def column(self, name):
        return [row[name] for row in self.rows]

    def cell(self, row, name):
        return self.cells[row][self.header.index(name)]


def export(tmp_path, key, user, **params):
    path = tmp_path / f"{key}.xlsx"
    export_write(export_class(key)(Access(user)), params, path, made_by=user.username)
    return Sheet(path)


def money(value):
    return Decimal(str(value)).quantize(Decimal("0.01"))


# --- generated books ----------------------------------------------------------------------------


def generate_books(tree, seed=7):
    """A city (通辽) with two counties and itself, three years of every kind of record."""
    rng = random.Random(seed)
    chapters = [tree.tongliao, tree.naiman, tree.horqin]
    categories = list(AidCategory.objects.all())

    def amount(low, high):
        return Decimal(rng.randint(low * 100, high * 100)) / 100

    def day():
        return D(2019, 1, 1) + datetime.timedelta(days=rng.randint(0, 3 * 365 - 1))

    for chapter in chapters:
        funds = [
            FundFactory(chapter=chapter, name=f"{chapter.code}综合基金"),
            FundFactory(chapter=chapter, name=f"{chapter.code}大病基金", restricted_category=categories[0]),
        ]
        projects = [ProjectFactory(chapter=chapter, name=f"{chapter.code}博爱家园{i}") for i in range(2)]
        drive = DriveFactory(
            chapter=chapter, fund=funds[0], start_date=D(2019, 1, 1), end_date=D(2021, 12, 31)
        )
        people = [BeneficiaryFactory(chapter=chapter) for _ in range(8)]
        for _ in range(25):
            in_kind = rng.random() < 0.3
            DonationFactory(
                chapter=chapter,
                fund=rng.choice(funds),
                drive=drive if rng.random() < 0.5 else None,
                date=day(),
                kind=DonationKind.IN_KIND if in_kind else DonationKind.CASH,
                goods="大米" if in_kind else "",
                quantity=Decimal(rng.randint(1, 50)) if in_kind else None,
                unit="袋" if in_kind else "",
                valuation_basis=ValuationBasis.INVOICE if in_kind else "",
                amount=amount(5000, 50000),
            )
        for _ in range(40):
            group = rng.random() < 0.2
            fund = rng.choice([None, funds[0], funds[1]])
            DisbursementFactory(
                chapter=chapter,
                date=day(),
                category=categories[0] if fund == funds[1] else rng.choice(categories),
                beneficiary=None if group else rng.choice(people),
                head_count=rng.randint(2, 30) if group else 1,
                cases=rng.randint(1, 3),
                cash_amount=amount(100, 3000),
                in_kind_amount=amount(0, 500) if rng.random() < 0.3 else Decimal("0.00"),
                fund=fund,
            )
        for _ in range(10):
            ExpenditureFactory(
                project=rng.choice(projects),
                date=day(),
                amount=amount(1000, 9000),
                fund=funds[0] if rng.random() < 0.5 else None,
                payee="某建筑公司",
            )
        for _ in range(3):
            PayoutFactory(
                chapter=chapter,
                fund=funds[0],
                date=day(),
                recipient="疫情防控指挥部",
                cash_amount=amount(1000, 5000),
                purpose="转拨",
            )
        add_corrections(chapter)
    return chapters


def add_corrections(chapter):
    """Books are corrected, not cut: some records voided, some payments waiting for approval,
    one payment and one gift reversed (冲销). None of it may change a total but the reversals'
    money."""

    # Dated so that each period the reconciliation reads (2020, the first half of 2021) holds some.
    days = [D(2020, 5, 4), D(2021, 3, 8)]

    def void(record, day):
        record.date, record.voided_at, record.void_reason = day, timezone.now(), "重复登记"
        record.save()

    def reverse(record, day, **amounts):
        fields = {f.attname: getattr(record, f.attname) for f in record._meta.concrete_fields}
        for name in ("id", "created_at", "updated_at", "version", "reverses_id", "drive_id", "pending"):
            fields.pop(name, None)
        fields.update(amounts, reverses_id=record.pk, date=day)
        type(record).objects.create(**fields)

    payments = list(Disbursement.objects.filter(chapter=chapter).order_by("pk"))
    for payment, day in zip(payments[:2], days, strict=True):
        void(payment, day)
    for payment, day in zip(payments[2:4], days, strict=True):
        payment.date, payment.pending = day, True
        payment.save()
    for payment, day in zip(payments[4:6], days, strict=True):
        reverse(payment, day, cash_amount=-payment.cash_amount, in_kind_amount=-payment.in_kind_amount)
    gifts = list(Donation.objects.filter(chapter=chapter).order_by("pk"))
    for gift, day in zip(gifts[:2], days, strict=True):
        void(gift, day)
    for gift, day in zip(gifts[2:4], days, strict=True):
        reverse(gift, day, amount=-gift.amount)
    for model in (Expenditure, Payout):
        for record, day in zip(model.objects.filter(chapter=chapter).order_by("pk")[:2], days, strict=True):
            void(record, day)


@pytest.fixture
def books(tree):
    return generate_books(tree)


@pytest.fixture
def auditor(member, tree):
    return member(Role.AUDITOR, tree.tongliao, "city-auditor")


YEAR_2020 = {"date_after": "2020-01-01", "date_before": "2020-12-31"}


def list_totals(client, route, **params):
    response = client.get(reverse(route), params)
    assert response.status_code == 200
    return response.context["totals"]


# --- every export, opened --------------------------------------------------------------------


def test_every_export_opens_with_a_header_block_real_types_a_frozen_header_and_totals(
    tmp_path, books, auditor, tree
):
    for key in EXPORTS:
        sheet = export(tmp_path, key, auditor, chapter=tree.tongliao.pk, **YEAR_2020)
        exporter = export_class(key)
        assert sheet.title == str(exporter.title)
        assert sheet.meta["红十字会"] == "通辽市红十字会（含下级）"
        assert sheet.meta["账簿"] == str(exporter.title)
        assert sheet.meta["导出人"] == "city-auditor"
        assert sheet.header == [str(c.header) for c in exporter.columns]
        assert sheet.ws.freeze_panes == f"A{sheet.header_index + 2}"
        last = sheet.ws.max_row - 1
        assert sheet.ws.auto_filter.ref.startswith(f"A{sheet.header_index + 1}:")
        assert sheet.ws.auto_filter.ref.endswith(str(last))
        assert sheet.totals_cells[0].value == f"合计（{len(sheet.rows)}条）"
        for index, column in enumerate(exporter.columns):
            values = [row[index].value for row in sheet.cells if row[index].value is not None]
            if column.kind == "date":
                assert all(isinstance(v, datetime.datetime) for v in values), (key, column.header)
            if column.kind == "money":
                assert all(isinstance(v, int | float) for v in values), (key, column.header)
                assert all(row[index].number_format == "#,##0.00" for row in sheet.cells if row[index].value)
            if column.total:
                assert money(sheet.totals[str(column.header)]) == money(sum(values)), (key, column.header)
        for width_key, dimension in sheet.ws.column_dimensions.items():
            assert dimension.width >= 6, (key, width_key)


def test_the_disbursement_ledger_says_its_period_and_filters_and_fits_chinese_text(
    tmp_path, books, auditor, tree
):
    category = AidCategory.objects.get(name="重特大疾病救助")
    sheet = export(
        tmp_path, "disbursements", auditor, chapter=tree.naiman.pk, category=category.pk, **YEAR_2020
    )
    assert sheet.meta["红十字会"] == "奈曼旗红十字会（含下级）"
    assert sheet.meta["期间"] == "2020-01-01 至 2020-12-31"
    assert sheet.meta["筛选条件"] == "救助类别：重特大疾病救助"
    assert set(sheet.column("救助类别")) == {"重特大疾病救助"}
    assert all(D(2020, 1, 1) <= d.date() <= D(2020, 12, 31) for d in sheet.column("发放日期"))
    # 红十字会 holds "奈曼旗红十字会": seven CJK characters, fourteen columns wide, and a margin.
    assert sheet.ws.column_dimensions["B"].width == 16


# --- reconciliation ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "chapter_name, period",
    [("tongliao", Period(2020, ReportKind.YEAR)), ("naiman", Period(2021, ReportKind.H1))],
)
def test_ledgers_report_and_lists_agree_to_the_yuan(
    tmp_path, client, books, auditor, tree, chapter_name, period
):
    chapter = getattr(tree, chapter_name)
    params = {"chapter": chapter.pk, "date_after": str(period.start), "date_before": str(period.end)}
    client.force_login(auditor)
    figures = report_data(chapter, period)

    relief = export(tmp_path, "disbursements", auditor, **params)
    relief_total = money(relief.totals["合计金额"])
    assert relief_total == money(sum(v or 0 for v in relief.column("合计金额"))) > 0
    # Voided and pending payments are in the ledger, marked, their figures blank.
    in_books = Disbursement.all_objects.for_chapter(chapter).in_period(period.start, period.end)
    statuses = relief.column("状态")
    assert {"已作废：重复登记", "待审批"} <= set(statuses)  # the period holds corrections
    assert any(s.startswith("冲销 #") for s in statuses)
    assert statuses.count("已作废：重复登记") == in_books.filter(voided_at__isnull=False).count()
    assert statuses.count("待审批") == in_books.filter(pending=True).count()
    assert len(statuses) == in_books.count()
    for row in relief.rows:
        if row["状态"].startswith("已作废") or row["状态"] == "待审批":
            assert row["合计金额"] is None and row["例数"] is None
    assert relief_total == money(figures["relief.total.amount"].value)
    assert relief_total == list_totals(client, "aid:disbursement-list", **params).amount
    assert relief.totals["现金金额"] == pytest.approx(
        float(list_totals(client, "aid:disbursement-list", **params).cash)
    )

    donations = export(tmp_path, "donations", auditor, **params)
    donation_total = money(donations.totals["金额"])
    assert donation_total == money(figures["donations.total.amount"].value) > 0
    assert donation_total == list_totals(client, "donations:donation-list", **params).amount

    spending = export(tmp_path, "expenditures", auditor, **params)
    spent = money(spending.totals["金额"])
    assert spent == money(figures["projects.total.spent"].value) > 0
    assert spent == list_totals(client, "projects:expenditure-list", **params)["amount"]

    payouts = export(tmp_path, "payouts", auditor, **params)
    assert (
        money(payouts.totals["合计金额"]) == list_totals(client, "donations:payout-list", **params)["amount"]
    )

    # Each fund closes at its opening balance plus its inflows minus its outflows, row by row.
    funds = export(tmp_path, "funds", auditor, **params)
    blocks = {}
    for row in funds.rows:
        blocks.setdefault(row["基金"], []).append(row)
    assert len(blocks) == (6 if chapter_name == "tongliao" else 2)
    inflows = outflows = Decimal("0.00")
    for name, rows in blocks.items():
        opening, *flows, closing = rows
        assert (opening["摘要"], closing["摘要"]) == ("期初余额", "期末余额"), name
        balance = money(opening["余额"])
        cash, goods = money(opening["现金余额"]), money(opening["物资余额"])
        for row in flows:
            balance += money(row["收入"] or 0) - money(row["支出"] or 0)
            assert money(row["余额"]) == balance, name
            # Cash and goods apart: each follows its own flows, and together they are the balance.
            cash += money(row["现金收入"] or 0) - money(row["现金支出"] or 0)
            goods += money(row["物资收入"] or 0) - money(row["物资支出"] or 0)
            assert (money(row["现金余额"]), money(row["物资余额"])) == (cash, goods), name
            assert cash + goods == balance, name
        assert (money(closing["现金余额"]), money(closing["物资余额"])) == (cash, goods)
        assert money(closing["余额"]) == balance
        received = sum((money(r["收入"] or 0) for r in flows), Decimal("0.00"))
        paid = sum((money(r["支出"] or 0) for r in flows), Decimal("0.00"))
        assert money(closing["余额"]) == money(opening["余额"]) + received - paid
        inflows += received
        outflows += paid
    assert money(funds.totals["收入"]) == inflows == donation_total
    with_fund = [r for r in relief.rows if r["资金来源"] and r["合计金额"] is not None]
    assert (
        money(funds.totals["支出"])
        == outflows
        == (
            sum((money(r["合计金额"]) for r in with_fund), Decimal("0.00"))
            + sum((money(r["金额"] or 0) for r in spending.rows if r["资金来源"]), Decimal("0.00"))
            + money(payouts.totals["合计金额"])
        )
    )


def test_a_funds_closing_balance_is_the_next_periods_opening(tmp_path, books, auditor, tree):
    first = export(
        tmp_path, "funds", auditor, chapter=tree.naiman.pk, date_after="2019-01-01", date_before="2019-12-31"
    )
    second = export(
        tmp_path, "funds", auditor, chapter=tree.naiman.pk, date_after="2020-01-01", date_before="2020-12-31"
    )
    closing = {r["基金"]: money(r["余额"]) for r in first.rows if r["摘要"] == "期末余额"}
    opening = {r["基金"]: money(r["余额"]) for r in second.rows if r["摘要"] == "期初余额"}
    assert closing == opening
    assert any(closing.values())


# --- real spreadsheet software, and text that looks like a formula ----------------------------


def libreoffice_csv(path, tmp_path):
    """The first sheet as LibreOffice Calc reads it, converted to CSV (raw values, UTF-8)."""
    out = tmp_path / "csv"
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{tmp_path}/lo-profile",
            "--headless",
            "--convert-to",
            "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,false,false",
            "--outdir",
            str(out),
            str(path),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    with open(out / (path.stem + ".csv"), encoding="utf-8") as handle:
        return list(csv.reader(handle))


def test_libreoffice_reads_the_ledger_and_agrees_with_its_totals(tmp_path, books, auditor, tree):
    path = tmp_path / "disbursements.xlsx"
    export_write(
        export_class("disbursements")(Access(auditor)),
        {"chapter": tree.tongliao.pk, **YEAR_2020},
        path,
        made_by=auditor.username,
    )
    sheet = Sheet(path)
    lines = libreoffice_csv(path, tmp_path)
    header = lines.index(sheet.header)
    data, totals = lines[header + 1 : -1], lines[-1]
    assert len(data) == len(sheet.rows) > 0
    column = sheet.header.index("合计金额")
    assert (
        sum(Decimal(line[column] or 0) for line in data)  # blank: voided or pending, counted in nothing
        == money(totals[column])
        == money(sheet.totals["合计金额"])
    )
    # Dates are dates to Calc too: it writes them back as dates, not as serial numbers or text.
    assert all(len(line[0]) == 10 and line[0][4] == "-" for line in data)
    assert totals[0] == f"合计（{len(data)}条）"


def test_a_donor_named_like_a_formula_stays_text(tmp_path, tree, member):
    auditor = member(Role.AUDITOR, tree.naiman)
    donor = DonorFactory(chapter=tree.naiman, name='=HYPERLINK("http://x","点我")')
    DonationFactory(fund=FundFactory(chapter=tree.naiman), donor=donor, remarks="+1-2", goods="")
    path = tmp_path / "donations.xlsx"
    export_write(export_class("donations")(Access(auditor)), {}, path, made_by="a")
    sheet = Sheet(path)
    cell = sheet.cell(0, "捐赠人")
    assert cell.data_type == "s"
    assert cell.value == '=HYPERLINK("http://x","点我")'
    assert sheet.cell(0, "备注").value == "+1-2"
    lines = libreoffice_csv(path, tmp_path)
    row = lines[lines.index(sheet.header) + 1]
    assert row[sheet.header.index("捐赠人")] == '=HYPERLINK("http://x","点我")'
    assert row[sheet.header.index("备注")] == "+1-2"


# --- what each ledger holds --------------------------------------------------------------------


def test_the_donation_ledger_shows_receipts_valid_and_voided_and_anonymous_donors(tmp_path, tree, member):
    auditor = member(Role.AUDITOR, tree.naiman)
    fund = FundFactory(chapter=tree.naiman, name="综合基金")
    drive = DriveFactory(chapter=tree.naiman, fund=fund)
    gift = DonationFactory(
        fund=fund, drive=drive, date=D(2020, 5, 8), amount=Decimal("10000.00"), anonymous=True
    )
    ReceiptFactory(
        chapter=tree.naiman, donation=gift, number="NO001", issued_on=D(2020, 5, 8),
        voided_at=datetime.datetime(2020, 5, 9, tzinfo=datetime.UTC), void_reason="金额开错",
    )  # fmt: skip
    ReceiptFactory(chapter=tree.naiman, donation=gift, number="NO002", issued_on=D(2020, 5, 9))
    goods = DonationFactory(
        fund=fund, date=D(2020, 5, 9), kind=DonationKind.IN_KIND, goods="口罩", quantity=Decimal("2000"),
        unit="只", valuation_basis=ValuationBasis.INVOICE, amount=Decimal("3000.00"),
    )  # fmt: skip
    sheet = export(tmp_path, "donations", auditor)
    first, second = sheet.rows
    assert (first["票据号"], first["票据状态"], first["作废票据及原因"]) == (
        "NO002",
        "有效",
        "NO001（作废：金额开错）",
    )
    assert first["捐赠人"] == f"{gift.donor.name}（匿名）" and first["是否匿名"] == "是"
    assert (first["募捐活动"], first["入账基金"], first["捐赠方式"], first["金额"]) == (
        "博爱一日捐",
        "综合基金",
        "现金",
        10000,
    )
    assert (second["票据状态"], second["捐赠方式"], second["物资名称"], second["数量"], second["单位"]) == (
        "未开票", "物资", "口罩", 2000, "只",
    )  # fmt: skip
    assert (second["折价依据"], second["记录编号"]) == ("发票", goods.pk)
    assert sheet.totals["金额"] == 13000


def test_id_numbers_are_masked_in_the_ledger_unless_the_user_may_see_them(tmp_path, tree, member):
    number = valid_id_number(serial=123)
    DisbursementFactory(
        chapter=tree.naiman, beneficiary=BeneficiaryFactory(chapter=tree.naiman, id_number=number)
    )
    DisbursementFactory(chapter=tree.naiman, beneficiary=None, head_count=12)
    staff = member(Role.STAFF, tree.naiman)
    auditor = member(Role.AUDITOR, tree.naiman)
    city = member(Role.STAFF, tree.tongliao)  # staff above the county: reads, but not its people's numbers
    assert export(tmp_path, "disbursements", staff).column("身份证号") == [number, None]
    for user in (auditor, city):
        shown = [v for v in export(tmp_path, "disbursements", user).column("身份证号") if v]
        assert shown == [number[:6] + "********" + number[-4:]]
    assert "群体发放" in export(tmp_path, "disbursements", auditor).column("受助人")


def test_an_export_holds_only_what_the_user_may_read(tmp_path, books, tree, member):
    county = member(Role.AUDITOR, tree.naiman)
    other = member(Role.AUDITOR, tree.hanyin)
    assert set(export(tmp_path, "disbursements", county).column("红十字会")) == {"奈曼旗红十字会"}
    assert export(tmp_path, "disbursements", other).rows == []
    assert export(tmp_path, "disbursements", other).totals["合计金额"] == 0


def test_every_list_export_has_the_lists_rows(tmp_path, tree, member):
    auditor = member(Role.AUDITOR, tree.naiman)
    SessionFactory(chapter=tree.naiman, person_times=120)
    CertificateFactory(
        chapter=tree.naiman, session__chapter=tree.naiman, id_number=valid_id_number(serial=555)
    )
    sessions = export(tmp_path, "sessions", auditor)
    assert sessions.totals["参训人次"] == 120 + 100  # and the certificate's course, 100 by default
    assert len(sessions.rows) == 2
    certificate = export(tmp_path, "certificates", auditor).rows[0]
    assert certificate["身份证号"].count("*") == 8


# --- from the browser -----------------------------------------------------------------------------


def test_the_list_button_exports_exactly_the_filtered_rows_of_every_page(
    client, tmp_path, tree, member, settings
):
    settings.LIST_PAGE_SIZE = 2
    auditor = member(Role.AUDITOR, tree.naiman)
    client.force_login(auditor)
    for day in range(1, 8):
        DisbursementFactory(chapter=tree.naiman, date=D(2020, 3, day), cash_amount=Decimal("100.00") * day)
    DisbursementFactory(chapter=tree.naiman, date=D(2021, 3, 1), cash_amount=Decimal("5000.00"))
    page = client.get(
        reverse("aid:disbursement-list"), {"date_after": "2020-01-01", "date_before": "2020-12-31"}
    )
    html = page.content.decode()
    assert "导出Excel" in html and 'name="date_after" value="2020-01-01"' in html
    response = client.post(
        reverse("export-create", args=["disbursements"]),
        {"date_after": "2020-01-01", "date_before": "2020-12-31", "page": "2"},
    )
    assert response["Content-Type"] == XLSX
    assert "attachment" in response["Content-Disposition"]
    path = tmp_path / "download.xlsx"
    path.write_bytes(b"".join(response.streaming_content))
    sheet = Sheet(path)
    assert len(sheet.rows) == 7 == page.context["totals"].count
    assert money(sheet.totals["合计金额"]) == page.context["totals"].amount == Decimal("2800.00")


def test_a_bad_filter_is_refused_with_its_field_named(client, tree, member):
    client.force_login(member(Role.AUDITOR, tree.naiman))
    response = client.post(
        reverse("export-create", args=["disbursements"]),
        {"date_after": "2020-13-45", "next": "/aid/"},
        follow=True,
    )
    assert "期间" in response.content.decode()
    assert response.redirect_chain[-1][0] == "/aid/"


def test_a_large_export_runs_in_the_background_with_its_progress_and_download(
    client, tmp_path, tree, member, settings, django_capture_on_commit_callbacks
):
    settings.EXPORT_IMMEDIATE_ROWS = 3
    settings.MEDIA_ROOT = tmp_path / "media"
    auditor = member(Role.AUDITOR, tree.naiman)
    client.force_login(auditor)
    for day in range(1, 6):
        DisbursementFactory(chapter=tree.naiman, date=D(2020, 3, day))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("export-create", args=["disbursements"]), {"date_after": "2020-01-01"})
    job = Export.objects.get()
    assert response.status_code == 302 and response["Location"] == job.get_absolute_url()
    assert (job.status, job.rows_total, job.rows_done, job.user) == (ExportStatus.DONE, 5, 5, auditor)
    page = client.get(job.get_absolute_url()).content.decode()
    assert 'value="100"' in page and "已完成" in page and "已写入 5 / 5 行" in page
    assert 'http-equiv="refresh"' not in page
    download = client.get(reverse("export-download", args=[job.pk]))
    path = tmp_path / "background.xlsx"
    path.write_bytes(b"".join(download.streaming_content))
    assert len(Sheet(path).rows) == 5
    assert job.title in client.get(reverse("export-list")).content.decode()
    # Another user cannot see or download it.
    client.force_login(member(Role.AUDITOR, tree.naiman))
    assert client.get(job.get_absolute_url()).status_code == 404
    assert client.get(reverse("export-download", args=[job.pk])).status_code == 404


def test_a_running_export_shows_how_far_it_got_and_reloads_itself(client, tree, member):
    auditor = member(Role.AUDITOR, tree.naiman)
    job = ExportFactory(
        user=auditor, key="disbursements", title="救助支出明细账", status=ExportStatus.RUNNING,
        rows_total=200000, rows_done=50000,
    )  # fmt: skip
    client.force_login(auditor)
    page = client.get(job.get_absolute_url()).content.decode()
    assert 'value="25"' in page and "25%" in page and "正在导出" in page
    assert 'http-equiv="refresh"' in page
    assert "export-download" not in page


def test_the_ledgers_page_exports_a_chapters_ledger_for_a_period(client, tmp_path, books, tree, auditor):
    client.force_login(auditor)
    page = client.get(reverse("ledgers")).content.decode()
    assert "捐赠收入明细账" in page and "基金收支明细账" in page
    response = client.post(
        reverse("ledgers"),
        {
            "ledger": "expenditures",
            "chapter": tree.naiman.pk,
            "date_after": "2020-01-01",
            "date_before": "2020-12-31",
        },
    )
    path = tmp_path / "ledger.xlsx"
    path.write_bytes(b"".join(response.streaming_content))
    sheet = Sheet(path)
    assert sheet.title == "项目支出明细账" and sheet.meta["期间"] == "2020-01-01 至 2020-12-31"
    assert set(sheet.column("红十字会")) == {"奈曼旗红十字会"}
    bad = client.post(
        reverse("ledgers"),
        {
            "ledger": "funds",
            "chapter": tree.naiman.pk,
            "date_after": "2020-12-31",
            "date_before": "2020-01-01",
        },
    )
    assert "截止日期不能早于起始日期" in bad.content.decode()


# --- from the command line ----------------------------------------------------------------------


def test_export_ledger_writes_the_ledger_and_prints_its_totals(tmp_path, books, tree, capsys):
    output = tmp_path / "funds.xlsx"
    call_command(
        "export_ledger", "--chapter", "150500", "--ledger", "funds", "--from", "2020-01-01", "--to",
        "2020-12-31", "--output", str(output),
    )  # fmt: skip
    sheet = Sheet(output)
    printed = capsys.readouterr().out
    assert f"{len(sheet.rows):,} 行" in printed and "通辽市红十字会 基金收支明细账" in printed
    assert f"收入 {money(sheet.totals['收入']):,.2f}" in printed
    assert sheet.meta["导出人"].startswith("命令行")
    # Without --user, personal data is masked: the command reads as an auditor would.
    disbursements = tmp_path / "d.xlsx"
    call_command(
        "export_ledger", "--chapter", "150525", "--ledger", "disbursements", "--from", "2020-01-01", "--to",
        "2020-12-31", "--output", str(disbursements),
    )  # fmt: skip
    numbers = [n for n in Sheet(disbursements).column("身份证号") if n]
    assert numbers and all("********" in n for n in numbers)


def test_export_ledger_refuses_what_it_cannot_do_and_leaves_no_file(tmp_path, tree, member):
    output = tmp_path / "x.xlsx"
    base = ["--ledger", "donations", "--output", str(output)]
    with pytest.raises(CommandError, match="没有行政区划代码为 999999 的红十字会"):
        call_command(
            "export_ledger", "--chapter", "999999", "--from", "2020-01-01", "--to", "2020-12-31", *base
        )
    with pytest.raises(CommandError, match="日期“2020-02-30”无效"):
        call_command(
            "export_ledger", "--chapter", "150525", "--from", "2020-02-30", "--to", "2020-12-31", *base
        )
    with pytest.raises(CommandError, match="--from 不能晚于 --to"):
        call_command(
            "export_ledger", "--chapter", "150525", "--from", "2021-01-01", "--to", "2020-12-31", *base
        )
    member(Role.AUDITOR, tree.hanyin, "hanyin-auditor")
    with pytest.raises(CommandError, match="无权查阅"):
        call_command(
            "export_ledger", "--chapter", "150525", "--from", "2020-01-01", "--to", "2020-12-31", "--user",
            "hanyin-auditor", *base,
        )  # fmt: skip
    assert not output.exists()
    assert list(tmp_path.iterdir()) == []


def test_export_ledger_as_a_user_shows_what_their_role_may_see(tmp_path, tree, member):
    number = valid_id_number(serial=777)
    DisbursementFactory(
        chapter=tree.naiman, beneficiary=BeneficiaryFactory(chapter=tree.naiman, id_number=number)
    )
    member(Role.STAFF, tree.naiman, "county-staff")
    output = tmp_path / "d.xlsx"
    call_command(
        "export_ledger", "--chapter", "150525", "--ledger", "disbursements", "--from", "2020-01-01", "--to",
        "2020-12-31", "--output", str(output), "--user", "county-staff",
    )  # fmt: skip
    sheet = Sheet(output)
    assert sheet.column("身份证号") == [number]
    assert sheet.meta["导出人"] == "county-staff"
    assert get_user_model().objects.filter(username="county-staff").exists()


def test_my_exports_page_costs_the_same_queries_however_many_exports(client, tree, member):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    auditor = member(Role.AUDITOR, tree.naiman)
    client.force_login(auditor)

    def make(count):
        for _ in range(count):
            ExportFactory(user=auditor, key="donations", title="捐赠收入明细账", rows_total=9000)

    make(1)
    with CaptureQueriesContext(connection) as few:
        assert "捐赠收入明细账" in client.get(reverse("export-list")).content.decode()
    make(30)
    with CaptureQueriesContext(connection) as many:
        page = client.get(reverse("export-list")).content.decode()
    assert page.count("捐赠收入明细账") == 31
    assert len(few.captured_queries) == len(many.captured_queries) == 5


@pytest.mark.parametrize(
    "route, key",
    [
        ("aid:disbursement-list", "disbursements"),
        ("donations:donation-list", "donations"),
        ("donations:donor-list", "donors"),
        ("donations:fund-list", "funds"),
        ("donations:drive-list", "drives"),
        ("donations:payout-list", "payouts"),
        ("training:session-list", "sessions"),
        ("training:certificate-list", "certificates"),
        ("training:instructor-list", "instructors"),
        ("projects:project-list", "projects"),
        ("projects:expenditure-list", "expenditures"),
    ],
)
def test_every_list_page_offers_its_export_with_the_pages_filters(client, tree, member, route, key):
    client.force_login(member(Role.AUDITOR, tree.naiman))
    page = client.get(reverse(route), {"chapter": tree.naiman.pk, "page": "1"}).content.decode()
    form = page[page.index(f'action="{reverse("export-create", args=[key])}"') :]
    form = form[: form.index("</form>")]
    assert f'name="chapter" value="{tree.naiman.pk}"' in form
    assert 'name="page"' not in form
    assert "导出Excel" in form
    response = client.post(reverse("export-create", args=[key]), {"chapter": tree.naiman.pk})
    assert response["Content-Type"] == XLSX

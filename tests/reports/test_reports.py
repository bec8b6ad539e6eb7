"""Work reports built from factory-made records and read back from the PDF with poppler's
pdftotext: every figure is computed for the chapter and period, and a published version never
changes."""

import datetime
import re
import subprocess
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from aid.models import Beneficiary
from aid.services import disbursement_correct
from donations.choices import DonationKind
from redcross.choices import Role
from reports.choices import ReportKind
from reports.figures import report_data
from reports.models import Publication
from reports.periods import Period
from reports.services import report_open, report_pdf, report_publish, section_update
from training.models import TrainingKind

from ..factories import (
    BeneficiaryFactory,
    DisbursementFactory,
    DonationFactory,
    DriveFactory,
    ExpenditureFactory,
    FundFactory,
    OutputFactory,
    ProjectFactory,
    SessionFactory,
    TargetFactory,
)

D = datetime.date
YEAR = Period(2020, ReportKind.YEAR)
H1 = Period(2020, ReportKind.H1)


def pdf_text(pdf, tmp_path):
    """The PDF's text as pdftotext reads it, without the line breaks and spaces layout adds."""
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return re.sub(r"\s+", "", text)


def pdf_lines(pdf, tmp_path):
    """The PDF's lines as laid out (tables read across), runs of spaces made one."""
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return [re.sub(r"\s+", " ", line).strip() for line in text.splitlines()]


def build(chapter, period, tmp_path):
    return pdf_text(report_pdf(report_open(chapter=chapter, period=period)), tmp_path)


MID_YEAR = D(2020, 6, 15)


def pay(chapter, category, amount, *, date=MID_YEAR, person=None, cases=1, head_count=1, fund=None):
    """A payment to ``person`` (a new one when None; a group of ``head_count`` when False)."""
    return DisbursementFactory(
        chapter=chapter,
        category=category,
        cash_amount=Decimal(amount),
        date=date,
        beneficiary=None if person is False else person or BeneficiaryFactory(chapter=chapter),
        cases=cases,
        head_count=head_count,
        fund=fund,
    )


def test_relief_figures_per_category_in_the_genre(tree, category, tmp_path):
    for _ in range(3):
        pay(tree.naiman, category["重特大疾病救助"], "87333.34")  # 26.2万元 to 3 people
    pay(tree.naiman, category["困难群众慰问"], "6000")
    pay(tree.naiman, category["博爱送万家"], "50000", person=False, head_count=11000)
    text = build(tree.naiman, YEAR, tmp_path)
    assert "奈曼旗红十字会2020年全年工作报告" in text
    assert "重特大疾病救助26.2万元，惠及3人" in text
    assert "困难群众慰问6000元，惠及1人" in text
    assert "博爱送万家5万元，惠及1.1万人" in text
    assert "共发放救助款物31.8万元，惠及1.1万人" in text  # 262000 + 6000 + 50000 = 318000; persons 11004


def test_persons_and_cases_differ_where_a_person_had_two_operations(tree, category, tmp_path):
    surgery = category["光明行白内障手术"]
    twice = BeneficiaryFactory(chapter=tree.naiman)
    pay(tree.naiman, surgery, "1800", person=twice)
    pay(tree.naiman, surgery, "1800", person=twice, date=D(2020, 9, 1))
    pay(tree.naiman, surgery, "3600", cases=2)  # both eyes at once: one payment, two cases
    pay(tree.naiman, surgery, "1800")
    text = build(tree.naiman, YEAR, tmp_path)
    assert "光明行白内障手术9000元，共计5例(3人)" in text


def test_the_half_year_cuts_off_at_30_june(tree, category, tmp_path):
    pay(tree.naiman, category["救灾救助"], "3000", date=D(2020, 6, 30))
    pay(tree.naiman, category["救灾救助"], "5000", date=D(2020, 7, 1))
    half = build(tree.naiman, H1, tmp_path)
    assert "奈曼旗红十字会2020年上半年工作小结" in half
    assert "救灾救助3000元，惠及1人" in half
    assert "8000元" not in half and "5000元" not in half
    year = build(tree.naiman, YEAR, tmp_path)
    assert "救灾救助8000元，惠及2人" in year


def test_the_funds_the_relief_came_from(tree, category, tmp_path):
    fund = FundFactory(chapter=tree.naiman, name="博爱一日捐")
    DonationFactory(fund=fund, amount=Decimal("900000"), date=D(2020, 5, 8))
    pay(tree.naiman, category["博爱送万家"], "543000", person=False, head_count=11000, fund=fund)
    text = build(tree.naiman, YEAR, tmp_path)
    assert "救助资金来源于博爱一日捐54.3万元" in text


def test_a_drive_against_earlier_years_says_when_it_is_the_highest(tree, tmp_path):
    fund = FundFactory(chapter=tree.naiman, name="博爱一日捐基金")
    for year, amount in [(2018, "1500000"), (2019, "1625000"), (2020, "1887000")]:
        drive = DriveFactory(fund=fund, name="博爱一日捐", start_date=D(year, 5, 1), end_date=D(year, 6, 30))
        DonationFactory(fund=fund, drive=drive, amount=Decimal(amount), date=D(year, 5, 8))
    text = build(tree.naiman, YEAR, tmp_path)
    assert "“博爱一日捐”募集善款188.7万元，2019年为162.5万元，创同期最高水平" in text

    # A year that raised less than an earlier one is not called the highest.
    drive = DriveFactory(fund=fund, name="博爱一日捐", start_date=D(2021, 5, 1), end_date=D(2021, 6, 30))
    DonationFactory(fund=fund, drive=drive, amount=Decimal("1700000"), date=D(2021, 5, 8))
    text = build(tree.naiman, Period(2021, ReportKind.YEAR), tmp_path)
    assert "“博爱一日捐”募集善款170万元，2020年为188.7万元。" in text
    assert "创同期最高水平" not in text


def test_cash_and_in_kind_per_drive_and_a_restricted_fund_paid_out(tree, category, tmp_path):
    fund = FundFactory(chapter=tree.naiman, name="疫情防控专项基金")
    drive = DriveFactory(
        fund=fund, name="疫情防控专项募捐", start_date=D(2020, 1, 27), end_date=D(2020, 3, 31)
    )
    DonationFactory(fund=fund, drive=drive, amount=Decimal("1116100"), date=D(2020, 2, 1))
    DonationFactory(
        fund=fund,
        drive=drive,
        amount=Decimal("838500"),
        date=D(2020, 2, 3),
        kind=DonationKind.IN_KIND,
        goods="医用防护用品",
        valuation_basis="invoice",
    )
    aids = FundFactory(
        chapter=tree.naiman, name="白血病儿童专项", restricted_category=category["白血病儿童救助"]
    )
    DonationFactory(fund=aids, amount=Decimal("45000"), date=D(2020, 9, 1))
    for _ in range(15):
        pay(tree.naiman, category["白血病儿童救助"], "3000", fund=aids, date=D(2020, 9, 28))
    text = build(tree.naiman, YEAR, tmp_path)
    assert "“疫情防控专项募捐”接收捐款111.61万元，物资折价83.85万元" in text
    assert "限定用途的“白血病儿童专项”本期收入4.5万元，支出4.5万元，已按捐赠人意愿全部发放" in text


def test_training_against_the_years_target(tree, tmp_path):
    popular = TrainingKind.objects.get(name="普及性培训")
    TargetFactory(chapter=tree.naiman, year=2020, kind=popular, person_times=250)
    SessionFactory(chapter=tree.naiman, kind=popular, person_times=126, date=D(2020, 6, 1))
    SessionFactory(chapter=tree.naiman, kind=popular, person_times=134, date=D(2020, 10, 1))
    text = build(tree.naiman, YEAR, tmp_path)
    assert "普及性培训2期，260人次，年度目标250人次，完成年度目标的104%" in text
    half = build(tree.naiman, H1, tmp_path)
    assert "普及性培训1期，126人次，年度目标250人次，完成年度目标的50%" in half


def test_first_aider_certificates_are_only_the_first_aider_courses(tree, tmp_path):
    """师资培训 certifies instructors: their certificates are said under their own kind, not
    counted among the 救护员证书."""
    first_aid = TrainingKind.objects.get(name="救护员培训")
    instructors = TrainingKind.objects.get(name="师资培训")
    SessionFactory(
        chapter=tree.naiman, kind=first_aid, person_times=50, certified_count=46, date=D(2020, 5, 1)
    )
    SessionFactory(
        chapter=tree.naiman, kind=instructors, person_times=12, certified_count=12, date=D(2020, 9, 1)
    )
    text = build(tree.naiman, YEAR, tmp_path)
    assert "其中取得救护员证书46人" in text
    assert "师资培训1期，12人次，取证12人" in text
    assert "取得救护员证书58人" not in text


def test_the_plan_sets_next_years_targets_that_the_next_report_measures(tree, tmp_path):
    report = report_open(chapter=tree.naiman, period=YEAR)
    from reports.services import plan_targets_set

    popular = TrainingKind.objects.get(name="普及性培训")
    plan_targets_set(report=report, user=None, targets={popular: 3000})
    plan = report.sections.get(key="plan")
    section_update(
        section=plan,
        user=None,
        heading=plan.heading,
        body="年内完成普及性培训{{plan.普及性培训}}以上。",
        figures=report_data(tree.naiman, YEAR).figures,
    )
    text = pdf_text(report_pdf(report), tmp_path)
    assert "二、2021年重点工作安排年内完成普及性培训3000人次以上。" in text
    SessionFactory(chapter=tree.naiman, kind=popular, person_times=3120, date=D(2021, 5, 1))
    text = build(tree.naiman, Period(2021, ReportKind.YEAR), tmp_path)
    assert "完成年度目标的104%" in text


def test_projects_with_outputs_spending_against_budget_status_and_audit(tree, tmp_path):
    project = ProjectFactory(
        chapter=tree.naiman,
        name="振兴社区博爱家园项目",
        place="振兴社区",
        budget=Decimal("120000"),
        status="completed",
    )
    OutputFactory(project=project, name="硬化整修巷道", quantity=2, unit="条")
    OutputFactory(project=project, name="维修污水井", quantity=5, unit="眼")
    ExpenditureFactory(project=project, amount=Decimal("113500"), date=D(2020, 8, 1))
    ExpenditureFactory(project=project, amount=Decimal("1000"), date=D(2019, 12, 1))
    text = build(tree.naiman, YEAR, tmp_path)
    assert (
        "1.振兴社区博爱家园项目（博爱家园，振兴社区）：硬化整修巷道2条、维修污水井5眼；"
        "预算12万元，本期支出11.35万元，累计支出11.45万元；目前已完工。"
    ) in text


def test_a_city_report_rolls_up_its_counties_with_a_table_per_county(tree, category, tmp_path):
    pay(tree.ankang, category["救灾救助"], "99000", person=False, head_count=1200, date=D(2023, 6, 20))
    pay(tree.hanyin, category["博爱送万家"], "60000", person=False, head_count=1300, date=D(2023, 1, 18))
    pay(tree.hanyin, category["博爱送万家"], "7000", person=False, head_count=100, date=D(2023, 7, 18))
    pay(tree.naiman, category["博爱送万家"], "5555", date=D(2023, 1, 18))  # another branch of the tree
    pdf = report_pdf(report_open(chapter=tree.ankang, period=Period(2023, ReportKind.H1)))
    text = pdf_text(pdf, tmp_path)
    assert "安康市红十字会2023年上半年工作小结" in text
    assert "共发放救助款物15.9万元，惠及2500人" in text
    assert "各县（区）主要数据" in text
    assert "5555" not in text
    lines = pdf_lines(pdf, tmp_path)
    assert "安康市红十字会本级 9.9万元 1200人 0元 0人次 0元" in lines
    assert "汉阴县红十字会 6万元 1300人 0元 0人次 0元" in lines
    assert "合计 15.9万元 2500人 0元 0人次 0元" in lines  # the table adds up


def test_figures_in_the_pdf_link_to_the_records_behind_them(tree, category, tmp_path):
    pay(tree.naiman, category["重特大疾病救助"], "2000")
    from weasyprint import HTML

    from reports.pdf import BASE_URL
    from reports.services import live_context

    report = report_open(chapter=tree.naiman, period=YEAR)
    context, _data = live_context(report, link_base="https://rc.example.org")
    from django.template.loader import render_to_string

    document = HTML(string=render_to_string("reports/report_pdf.html", context), base_url=BASE_URL).render()
    links = [target for page in document.pages for (kind, target, *_rest) in page.links if kind == "external"]
    wanted = (
        f"https://rc.example.org/aid/?category={category['重特大疾病救助'].pk}&chapter={tree.naiman.pk}"
        "&date_after=2020-01-01&date_before=2020-12-31"
    )
    assert wanted in links
    assert all(link.startswith("https://rc.example.org/") for link in links)


def test_the_chinese_font_is_embedded_as_a_subset(tree, tmp_path):
    path = tmp_path / "r.pdf"
    path.write_bytes(report_pdf(report_open(chapter=tree.naiman, period=YEAR)))
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    rows = [line.split() for line in fonts.splitlines()[2:]]
    assert rows, fonts
    assert all("CJK" in row[0] and row[-5:-3] == ["yes", "yes"] for row in rows), fonts  # emb, sub
    # One family (regular and bold), not a second CJK font for the page numbers.
    assert {row[0].split("+")[1].removesuffix("-Bold") for row in rows} == {"Noto-Serif-CJK-SC"}, fonts


def test_page_numbers_and_the_issuing_chapter_at_the_end(tree, tmp_path):
    text = build(tree.naiman, YEAR, tmp_path)
    assert "第1页共1页" in text or "第1页共2页" in text
    today = datetime.date.today()
    assert text.endswith(f"奈曼旗红十字会{today.year}年{today.month}月{today.day}日" + text[-7:]) or (
        f"奈曼旗红十字会{today.year}年{today.month}月{today.day}日" in text
    )


def test_staff_text_is_escaped_and_nothing_outside_is_fetched(tree, tmp_path, monkeypatch):
    import urllib.request

    opened = []
    monkeypatch.setattr(
        urllib.request.OpenerDirector, "open", lambda self, *a, **k: opened.append(a) or 1 / 0
    )
    report = report_open(chapter=tree.naiman, period=YEAR)
    section = report.sections.get(key="publicity")
    body = '<img src="file:///etc/passwd"> <link rel="stylesheet" href="http://example.com/x.css"> 宣传'
    section_update(section=section, user=None, heading="宣传工作", body=body, figures={})
    text = pdf_text(report_pdf(report), tmp_path)
    assert '<imgsrc="file:///etc/passwd">' in text  # shown as the words typed, not an image
    assert "root:x:0" not in text
    assert opened == []


def test_the_fetcher_serves_static_files_and_refuses_everything_else():
    from reports.pdf import BASE_URL, _fetcher_class

    fetcher = _fetcher_class()()
    css = fetcher.fetch(BASE_URL + "static/reports/report.css")
    assert b"@page" in css.read()
    for url in [
        "file:///etc/passwd",
        "http://example.com/static/reports/report.css",
        BASE_URL + "static/../../../../etc/passwd",
        BASE_URL + "static/%2e%2e/%2e%2e/etc/passwd",
        BASE_URL + "etc/passwd",
        "data:text/plain,hello",
    ]:
        with pytest.raises(ValueError):
            fetcher.fetch(url)


def test_raw_html_naming_outside_files_is_not_fetched(monkeypatch):
    """Even HTML that reached WeasyPrint unescaped could not open a file or the network."""
    import urllib.request

    from reports.pdf import html_to_pdf

    opened = []
    monkeypatch.setattr(
        urllib.request.OpenerDirector, "open", lambda self, *a, **k: opened.append(a) or 1 / 0
    )
    html_to_pdf('<p>测试</p><img src="file:///etc/passwd"><img src="http://example.com/a.png">')
    assert opened == []


def test_publishing_freezes_the_pdf_while_records_are_corrected(tree, category, member, tmp_path):
    payment = pay(tree.naiman, category["重特大疾病救助"], "262000")
    leader = member(Role.LEADER, tree.naiman)
    report = report_open(chapter=tree.naiman, period=YEAR)
    first = report_publish(report=report, user=leader)
    assert first.version == 1 and len(first.sha256) == 64
    frozen = bytes(Publication.objects.get(pk=first.pk).pdf)
    assert "重特大疾病救助26.2万元" in pdf_text(frozen, tmp_path)

    beneficiary = Beneficiary.objects.get(pk=payment.beneficiary_id)
    disbursement_correct(
        disbursement=payment,
        user=None,
        date=payment.date,
        category=payment.category,
        cash_amount=Decimal("263480"),
        beneficiary_name=beneficiary.name,
        id_number=beneficiary.id_number,
        township=beneficiary.township,
    )
    assert bytes(Publication.objects.get(pk=first.pk).pdf) == frozen
    assert "重特大疾病救助26.35万元" in pdf_text(report_pdf(report), tmp_path)

    second = report_publish(report=report, user=leader)
    assert second.version == 2
    assert "26.35万元" in pdf_text(bytes(second.pdf), tmp_path)
    assert bytes(Publication.objects.get(pk=first.pk).pdf) == frozen
    with pytest.raises(ValidationError, match="已发布的报告不能修改"):
        first.save()


def test_unknown_figures_are_refused_by_name(tree):
    report = report_open(chapter=tree.naiman, period=YEAR)
    section = report.sections.get(key="relief")
    with pytest.raises(ValidationError) as error:
        section_update(
            section=section,
            user=None,
            heading="人道救助",
            body="发放{{relief.total.amount}}，{{relief.不存在.amount}}",
            figures=report_data(tree.naiman, YEAR).figures,
        )
    assert error.value.message_dict["body"] == [
        "正文中的数字“relief.不存在.amount”不存在，请从可用数字中选择"
    ]


def test_the_figures_cost_the_same_queries_however_many_records(tree, category):
    def load(n, offset):
        fund = FundFactory(chapter=tree.naiman)
        DonationFactory(fund=fund, amount=Decimal("1000000"), date=D(2020, 1, 2))
        for i in range(n):
            pay(
                tree.naiman,
                category["重特大疾病救助"],
                "100",
                date=D(2020, 1, 1) + datetime.timedelta(days=i),
            )
            DonationFactory(fund=fund, amount=Decimal("10"), date=D(2020, 3, 1))
            SessionFactory(chapter=tree.naiman, person_times=10)
        project = ProjectFactory(chapter=tree.naiman)
        for _ in range(n):
            ExpenditureFactory(project=project, amount=Decimal("1"), fund=None)

    load(2, 0)
    with CaptureQueriesContext(connection) as few:
        report_data(tree.naiman, YEAR)
    load(30, 100)
    with CaptureQueriesContext(connection) as many:
        report_data(tree.naiman, YEAR)
    # One more project adds its outputs and audits to the same two prefetch queries.
    assert len(many.captured_queries) == len(few.captured_queries)


def test_the_build_report_command_writes_the_draft_and_the_published_version(
    tree, category, member, tmp_path
):
    from django.core.management.base import CommandError

    pay(tree.naiman, category["重特大疾病救助"], "6000")
    out = tmp_path / "draft.pdf"
    call_command("build_report", "--chapter", "150525", "--period", "2020", "--output", str(out))
    assert "重特大疾病救助6000元，惠及1人" in pdf_text(out.read_bytes(), tmp_path)
    with pytest.raises(CommandError, match="尚未发布"):
        call_command(
            "build_report", "--chapter", "150525", "--period", "2020", "--output", str(out), "--published"
        )
    report = report_open(chapter=tree.naiman, period=YEAR)
    publication = report_publish(report=report, user=member(Role.LEADER, tree.naiman))
    published = tmp_path / "published.pdf"
    call_command("build_report", "--chapter=150525", "--period=2020", f"--output={published}", "--published")
    assert published.read_bytes() == bytes(publication.pdf)
    with pytest.raises(CommandError, match="报告期间应写作年份"):
        call_command("build_report", "--chapter", "150525", "--period", "2020H3", "--output", str(out))
    with pytest.raises(CommandError, match="没有代码为 999999 的红十字会"):
        call_command("build_report", "--chapter", "999999", "--period", "2020", "--output", str(out))


def test_rendering_requires_harfbuzz_subset():
    from reports.pdf import require_harfbuzz_subset

    require_harfbuzz_subset()  # libharfbuzz-subset0 is installed by the set-up; without it this fails


def test_the_issuing_chapter_and_date_stand_on_the_right(tree, tmp_path):
    """Official documents close with the issuer and the date on the right."""
    path = tmp_path / "r.pdf"
    path.write_bytes(report_pdf(report_open(chapter=tree.naiman, period=YEAR)))
    layout = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True).stdout
    line = next(line for line in layout.splitlines() if line.strip() == "奈曼旗红十字会")
    assert len(line) - len(line.lstrip()) > 20, layout[-400:]

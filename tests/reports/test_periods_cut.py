"""A report's cumulative figures are cut at its period's end: a record dated after the period
(here in 2026, in a 2020 report) changes none of them, in the report data or in the PDF."""

from decimal import Decimal

from projects.models import Project
from projects.selectors import projects_with_spending
from redcross.choices import Role
from reports.figures import report_data
from reports.services import report_open, report_pdf, report_publish

from ..factories import (
    DonationFactory,
    DriveFactory,
    ExpenditureFactory,
    FundFactory,
    OutputFactory,
    ProjectFactory,
)
from .test_reports import YEAR, D, pay, pdf_text


def test_a_2026_expenditure_is_not_in_the_2020_cumulative_spending(tree, member, tmp_path):
    project = ProjectFactory(
        chapter=tree.naiman, name="振兴社区博爱家园项目", budget=Decimal("50000"), status="in_progress"
    )
    ExpenditureFactory(project=project, amount=Decimal("1000"), date=D(2019, 12, 1))
    ExpenditureFactory(project=project, amount=Decimal("40000"), date=D(2020, 8, 1))
    ExpenditureFactory(project=project, amount=Decimal("10800"), date=D(2026, 3, 1))

    data = report_data(tree.naiman, YEAR)
    figure = data[f"project.{project.pk}.spent_total"]
    assert (figure.value, figure.text) == ("41000.00", "4.1万元")
    assert "date_before=2020-12-31" in figure.url
    assert data[f"project.{project.pk}.spent"].value == "40000.00"
    report = report_open(chapter=tree.naiman, period=YEAR)
    text = pdf_text(report_pdf(report), tmp_path)
    assert "本期支出4万元，累计支出4.1万元" in text
    assert "5.18万元" not in text
    # Publishing freezes the same figures (the status as it stood is plain text, not a lazy label).
    publication = report_publish(report=report, user=member(Role.LEADER, tree.naiman))
    figures = publication.figures["figures"]
    assert figures[f"project.{project.pk}.spent_total"]["text"] == "4.1万元", figures
    assert figures[f"project.{project.pk}.status"]["text"] == "实施中"


def test_a_project_over_budget_only_after_the_period_is_not_over_budget_in_it(tree):
    project = ProjectFactory(chapter=tree.naiman, budget=Decimal("50000"))
    ExpenditureFactory(project=project, amount=Decimal("41000"), date=D(2020, 8, 1))
    ExpenditureFactory(project=project, amount=Decimal("10800"), date=D(2026, 3, 1))
    rows = projects_with_spending(Project.objects.filter(pk=project.pk), until=YEAR.end)
    row = rows.get()
    assert (row.spent_total, row.over_budget) == (Decimal("41000.00"), False)
    # Without a period end it is everything ever spent, as the project pages show it.
    row = projects_with_spending(Project.objects.filter(pk=project.pk)).get()
    assert (row.spent_total, row.over_budget) == (Decimal("51800.00"), True)


def test_a_late_gift_to_last_years_drive_is_not_in_the_2020_comparison(tree, tmp_path):
    fund = FundFactory(chapter=tree.naiman, name="博爱一日捐基金")
    earlier = DriveFactory(fund=fund, name="博爱一日捐", start_date=D(2019, 5, 1), end_date=D(2019, 6, 30))
    DonationFactory(fund=fund, drive=earlier, amount=Decimal("1625000"), date=D(2019, 5, 8))
    DonationFactory(fund=fund, drive=earlier, amount=Decimal("900000"), date=D(2026, 1, 8))
    drive = DriveFactory(fund=fund, name="博爱一日捐", start_date=D(2020, 5, 1), end_date=D(2020, 6, 30))
    DonationFactory(fund=fund, drive=drive, amount=Decimal("1887000"), date=D(2020, 5, 8))

    data = report_data(tree.naiman, YEAR)
    assert data[f"drive.{drive.pk}.previous"].value == "1625000.00"
    assert data[f"drive.{drive.pk}.record"].text == "创同期最高水平"
    text = pdf_text(report_pdf(report_open(chapter=tree.naiman, period=YEAR)), tmp_path)
    assert "“博爱一日捐”募集善款188.7万元，2019年为162.5万元，创同期最高水平" in text


def test_a_restricted_funds_later_gift_leaves_its_2020_flows_all_paid(tree, category, tmp_path):
    aids = FundFactory(
        chapter=tree.naiman, name="白血病儿童专项", restricted_category=category["白血病儿童救助"]
    )
    DonationFactory(fund=aids, amount=Decimal("9000"), date=D(2020, 9, 1))
    for _ in range(3):
        pay(tree.naiman, category["白血病儿童救助"], "3000", fund=aids, date=D(2020, 9, 28))
    DonationFactory(fund=aids, amount=Decimal("50000"), date=D(2026, 2, 1))
    pay(tree.naiman, category["白血病儿童救助"], "1000", fund=aids, date=D(2026, 2, 2))

    data = report_data(tree.naiman, YEAR)
    key = f"fund.{aids.pk}"
    assert (data[f"{key}.received"].value, data[f"{key}.paid"].value) == ("9000.00", "9000.00")
    assert data[f"{key}.all_paid"].text == "全部发放"
    text = pdf_text(report_pdf(report_open(chapter=tree.naiman, period=YEAR)), tmp_path)
    assert "限定用途的“白血病儿童专项”本期收入9000元，支出9000元，已按捐赠人意愿全部发放" in text


def test_a_project_completed_in_2026_is_in_progress_in_the_2020_report(tree, tmp_path):
    project = ProjectFactory(
        chapter=tree.naiman,
        name="振兴社区博爱家园项目",
        budget=Decimal("120000"),
        status="audited",
        start_date=D(2019, 3, 1),
        started_on=D(2019, 3, 1),
        completed_on=D(2026, 5, 1),
        audited_on=D(2026, 6, 1),
    )
    ExpenditureFactory(project=project, amount=Decimal("20000"), date=D(2019, 5, 1))

    data = report_data(tree.naiman, YEAR)
    assert data.projects == [project.pk]
    assert data[f"project.{project.pk}.status"].text == "实施中"
    assert data[f"project.{project.pk}.audits"].text == ""
    text = pdf_text(report_pdf(report_open(chapter=tree.naiman, period=YEAR)), tmp_path)
    assert "本期支出0元，累计支出2万元；目前实施中。" in text
    assert "已审计" not in text and "已完工" not in text


def test_a_project_dated_2026_is_not_in_the_2020_report(tree, tmp_path):
    later = ProjectFactory(
        chapter=tree.naiman, name="2026年新建备灾库项目", status="planned", start_date=D(2026, 9, 1)
    )
    data = report_data(tree.naiman, YEAR)
    assert later.pk not in data.projects
    assert f"project.{later.pk}.name" not in data.figures
    text = pdf_text(report_pdf(report_open(chapter=tree.naiman, period=YEAR)), tmp_path)
    assert "2026年新建备灾库项目" not in text


def test_an_output_delivered_after_the_period_is_not_in_its_report(tree, tmp_path):
    project = ProjectFactory(chapter=tree.naiman, name="振兴社区博爱家园项目", status="in_progress")
    ExpenditureFactory(project=project, amount=Decimal("1000"), date=D(2020, 8, 1))
    OutputFactory(project=project, name="硬化整修巷道", quantity=2, unit="条", date=D(2020, 9, 1))
    OutputFactory(project=project, name="维修污水井", quantity=5, unit="眼", date=D(2026, 3, 1))
    assert report_data(tree.naiman, YEAR)[f"project.{project.pk}.outputs"].text == "硬化整修巷道2条"
    text = pdf_text(report_pdf(report_open(chapter=tree.naiman, period=YEAR)), tmp_path)
    assert "振兴社区博爱家园项目（博爱家园）：硬化整修巷道2条；" in text
    assert "维修污水井" not in text

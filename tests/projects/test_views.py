"""The project and expenditure pages: the figures they show and the records behind them, and the
forms that write through the services, refusing in Chinese at the field and saving nothing."""

import datetime
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from projects.choices import ProjectStatus
from projects.models import Audit, BudgetLine, Expenditure, Output, Project, ProjectKind
from redcross.choices import Role

from ..factories import (
    AuditFactory,
    BudgetLineFactory,
    ExpenditureFactory,
    FundFactory,
    FundingSourceFactory,
    OutputFactory,
    ProjectFactory,
)

D = datetime.date
PROJECTS = reverse("projects:project-list")
EXPENDITURES = reverse("projects:expenditure-list")


def figure(html, name):
    """The text of the page's figure ``name`` (a totals line or a detail)."""
    return re.search(rf'data-figure="{name}"[^>]*>([^<]*)<', html).group(1).strip()


def field_errors(html, name):
    return re.search(rf'id="field-{name}">(.*?)</div>', html, re.S).group(1)


def rows(model):
    return list(model._base_manager.order_by("pk").values())


@pytest.fixture
def school(tree):
    """振兴小学 示范校: budget 120,000, two budget lines, spending in 2019 and 2020, one over its line."""
    project = ProjectFactory(
        chapter=tree.naiman,
        name="振兴小学红十字示范校",
        kind=ProjectKind.objects.get(name="红十字示范校"),
        place="振兴小学",
        budget=Decimal("120000.00"),
        status=ProjectStatus.COMPLETED,
        started_on=D(2020, 4, 1),
        completed_on=D(2020, 9, 1),
    )
    BudgetLineFactory(project=project, category="工程建设", amount=Decimal("100000.00"))
    BudgetLineFactory(project=project, category="宣传培训", amount=Decimal("20000.00"))
    ExpenditureFactory(project=project, category="工程建设", amount=Decimal("60000.00"), date=D(2019, 12, 1))
    ExpenditureFactory(project=project, category="工程建设", amount=Decimal("45000.50"), date=D(2020, 6, 1))
    ExpenditureFactory(project=project, category="宣传培训", amount=Decimal("3000.00"), date=D(2020, 7, 1))
    OutputFactory(project=project, name="应急救护培训教室", quantity=Decimal("1"), unit="间")
    FundingSourceFactory(project=project, source="省红十字会拨款", amount=Decimal("80000.00"))
    AuditFactory(project=project, auditor="奈曼旗审计局", findings="资金使用规范")
    return project


# --- Project list -----------------------------------------------------------------------------


def test_the_project_list_totals_cover_the_filtered_set(client, staff, tree, school):
    ProjectFactory(chapter=tree.naiman, name="东明社区博爱家园", budget=Decimal("50000.00"))
    ProjectFactory(chapter=tree.hanyin, name="汉阴县项目", budget=Decimal("99999.00"))
    client.force_login(staff)

    html = client.get(PROJECTS).content.decode()
    assert "振兴小学红十字示范校" in html and "东明社区博爱家园" in html and "汉阴县项目" not in html
    assert (figure(html, "count"), figure(html, "budget"), figure(html, "spent")) == (
        "2",
        "170,000.00",
        "108,000.50",
    )
    assert figure(html, "over_budget") == "0"

    html = client.get(PROJECTS, {"kind": school.kind.pk}).content.decode()
    assert "东明社区博爱家园" not in html
    assert (figure(html, "count"), figure(html, "budget")) == ("1", "120,000.00")


def test_an_over_budget_project_is_counted_and_flagged(client, staff, tree):
    project = ProjectFactory(chapter=tree.naiman, name="超支项目", budget=Decimal("1000.00"))
    ExpenditureFactory(project=project, amount=Decimal("1000.01"), over_budget_reason="材料涨价")
    client.force_login(staff)
    assert figure(client.get(PROJECTS).content.decode(), "over_budget") == "1"
    html = client.get(project.get_absolute_url()).content.decode()
    assert 'id="over-budget"' in html
    assert figure(html, "remaining") == "-0.01 元（"  # and the link to the reasons
    assert f"{EXPENDITURES}?project={project.pk}&amp;over_budget=true" in html


# --- Project detail ---------------------------------------------------------------------------


def test_the_project_page_shows_budget_spending_and_what_the_project_is_made_of(client, staff, school):
    client.force_login(staff)
    html = client.get(school.get_absolute_url()).content.decode()

    assert figure(html, "status") == "已完工"
    assert figure(html, "budget") == "120,000.00 元"
    assert figure(html, "spent") == "108,000.50"  # every year's spending, not this year's
    assert figure(html, "remaining") == "11,999.50 元"
    assert 'id="over-budget"' not in html
    by_category = re.findall(
        r'<tr data-category="([^"]*)"[^>]*>.*?<td class="num">([^<]*)</td>'
        r'<td class="num"><a [^>]*>([^<]*)</a>',
        html,
        re.S,
    )
    assert by_category == [("工程建设", "100,000.00", "105,000.50"), ("宣传培训", "20,000.00", "3,000.00")]
    assert 'data-category="工程建设" class="flagged"' in html
    assert "应急救护培训教室 <strong>1</strong> 间" in html
    assert "省红十字会拨款" in html and "80,000.00" in html
    assert "奈曼旗审计局" in html and "资金使用规范" in html
    assert "登记审计" in html  # a completed project may be audited


def test_the_spending_figure_links_to_the_list_that_sums_to_it(client, staff, school):
    client.force_login(staff)
    html = client.get(school.get_absolute_url()).content.decode()
    link = re.search(r'<a href="([^"]+)" data-figure="spent">', html).group(1).replace("&amp;", "&")
    assert link == f"{EXPENDITURES}?project={school.pk}"
    listed = client.get(link).content.decode()
    assert (figure(listed, "amount"), figure(listed, "count"), figure(listed, "projects")) == (
        "108,000.50",
        "3",
        "1",
    )


def test_leadership_read_the_project_without_the_writing_links(client, member, tree, school):
    client.force_login(member(Role.LEADER, tree.naiman))
    html = client.get(school.get_absolute_url()).content.decode()
    assert figure(html, "budget") == "120,000.00 元"
    assert reverse("projects:project-update", args=[school.pk]) not in html
    assert "登记支出" not in html


def test_another_branch_cannot_read_the_project(client, member, tree, school):
    client.force_login(member(Role.LEADER, tree.ankang))
    response = client.get(school.get_absolute_url())
    assert response.status_code == 403
    assert "振兴小学红十字示范校" not in response.content.decode()


# --- Project forms ----------------------------------------------------------------------------


def test_creating_a_project_through_the_form(client, staff, tree):
    client.force_login(staff)
    data = {
        "name": "东明社区博爱家园",
        "kind": ProjectKind.objects.get(name="博爱家园").pk,
        "place": "东明镇",
        "budget": "200000",
        "start_date": "2020-03-01",
        "end_date": "",
        "description": "",
    }
    response = client.post(reverse("projects:project-create"), data, follow=True)
    project = Project.objects.get()
    assert response.redirect_chain[-1][0] == project.get_absolute_url()
    assert "项目已建立" in response.content.decode()
    assert (project.chapter, project.name, project.budget, project.status, project.created_by) == (
        tree.naiman,
        "东明社区博爱家园",
        Decimal("200000.00"),
        ProjectStatus.PLANNED,
        staff,
    )


def test_a_project_form_refuses_in_chinese_at_the_field_and_saves_nothing(client, staff, tree):
    client.force_login(staff)
    data = {
        "name": "",
        "kind": ProjectKind.objects.get(name="博爱家园").pk,
        "budget": "-5",
        "start_date": "2020-02-30",
    }
    html = client.post(reverse("projects:project-create"), data).content.decode()
    assert "这个字段是必填项" in field_errors(html, "name")
    assert "金额不能为负数" in field_errors(html, "budget")
    assert "请输入有效日期" in field_errors(html, "start_date")
    assert not Project.objects.exists()


def test_advancing_a_project_dates_its_step(client, staff, tree):
    project = ProjectFactory(chapter=tree.naiman)
    client.force_login(staff)
    url = reverse("projects:project-advance", args=[project.pk])
    assert "项目状态变更为“实施中”" in client.get(url).content.decode()
    client.post(url, {"date": "2020-05-10"})
    project.refresh_from_db()
    assert (project.status, project.started_on) == (ProjectStatus.IN_PROGRESS, D(2020, 5, 10))
    html = client.post(url, {"date": "2020-05-01"}).content.decode()
    assert "日期不能早于上一步的日期 2020-05-10" in field_errors(html, "date")
    project.refresh_from_db()
    assert (project.status, project.completed_on) == (ProjectStatus.IN_PROGRESS, None)


def test_an_output_and_an_audit_are_recorded_on_the_project(client, staff, school):
    client.force_login(staff)
    client.post(
        reverse("projects:output-create", args=[school.pk]),
        {"date": "2020-11-30", "name": "自动体外除颤仪", "quantity": "2", "unit": "台"},
    )
    client.post(
        reverse("projects:audit-create", args=[school.pk]),
        {"date": "2020-12-15", "auditor": "通辽市审计局", "findings": "合规"},
    )
    assert Output.objects.get(project=school, name="自动体外除颤仪").date == D(2020, 11, 30)
    assert list(Output.objects.filter(project=school).values_list("name", "quantity", "unit")) == [
        ("应急救护培训教室", Decimal("1.00"), "间"),
        ("自动体外除颤仪", Decimal("2.00"), "台"),
    ]
    assert Audit.objects.filter(project=school, auditor="通辽市审计局").get().date == D(2020, 12, 15)
    school.refresh_from_db()
    assert (school.status, school.audited_on) == (ProjectStatus.AUDITED, D(2020, 12, 15))


def test_budget_lines_that_do_not_add_up_to_the_budget_are_refused(client, staff, tree):
    project = ProjectFactory(chapter=tree.naiman, budget=Decimal("120000.00"))
    BudgetLineFactory(project=project, category="工程建设", amount=Decimal("120000.00"))
    before = rows(BudgetLine)
    client.force_login(staff)
    data = {
        "lines-TOTAL_FORMS": "2",
        "lines-INITIAL_FORMS": "1",
        "lines-0-category": "工程建设",
        "lines-0-amount": "100000",
        "lines-1-category": "",
        "lines-1-amount": "",
    }
    html = client.post(reverse("projects:budget-lines", args=[project.pk]), data).content.decode()
    assert "分类预算合计 100,000.00 元，与项目预算 120,000.00 元不一致" in html
    assert rows(BudgetLine) == before


# --- Expenditures -----------------------------------------------------------------------------


def expenditure_data(project, **overrides):
    data = {
        "date": "2020-07-01",
        "project": project.pk,
        "category": "工程建设",
        "amount": "5000",
        "fund": "",
        "payee": "奈曼旗建筑公司",
        "invoice_number": "FP-001",
        "description": "",
        "over_budget_reason": "",
    }
    data.update(overrides)
    return data


def test_recording_an_expenditure_through_the_form(client, staff, tree, school):
    client.force_login(staff)
    response = client.post(reverse("projects:expenditure-create"), expenditure_data(school), follow=True)
    spent = Expenditure.objects.get(invoice_number="FP-001")
    assert response.redirect_chain[-1][0] == spent.get_absolute_url()
    assert (spent.chapter, spent.amount, spent.payee, spent.created_by) == (
        tree.naiman,
        Decimal("5000.00"),
        "奈曼旗建筑公司",
        staff,
    )
    assert figure(client.get(school.get_absolute_url()).content.decode(), "spent") == "113,000.50"


def test_spending_beyond_budget_without_a_reason_is_refused_at_its_field(client, staff, school):
    client.force_login(staff)
    before = rows(Expenditure)
    html = client.post(
        reverse("projects:expenditure-create"), expenditure_data(school, amount="12000")
    ).content.decode()
    assert "本笔支出后项目累计支出 120,000.50 元，超过预算 120,000.00 元，请填写超预算原因" in field_errors(
        html, "over_budget_reason"
    )
    assert rows(Expenditure) == before


def test_another_chapters_project_and_fund_are_not_offered(client, staff, tree, school):
    elsewhere = ProjectFactory(chapter=tree.horqin, name="科左中旗项目")
    fund = FundFactory(chapter=tree.horqin, name="科左中旗基金")
    client.force_login(staff)
    html = client.get(reverse("projects:expenditure-create")).content.decode()
    assert "振兴小学红十字示范校" in html and "科左中旗项目" not in html and "科左中旗基金" not in html
    before = rows(Expenditure)
    html = client.post(
        reverse("projects:expenditure-create"), expenditure_data(elsewhere, fund=fund.pk)
    ).content.decode()
    assert "选择一个有效的选项" in field_errors(html, "project")
    assert "选择一个有效的选项" in field_errors(html, "fund")
    assert rows(Expenditure) == before


def test_the_expenditure_list_totals_and_its_filters(client, staff, school):
    client.force_login(staff)
    html = client.get(EXPENDITURES, {"category": "工程建设"}).content.decode()
    assert (figure(html, "amount"), figure(html, "count")) == ("105,000.50", "2")
    html = client.get(
        EXPENDITURES, {"date_after": "2020-01-01", "date_before": "2020-12-31"}
    ).content.decode()
    assert (figure(html, "amount"), figure(html, "count")) == ("48,000.50", "2")


def test_the_expenditure_page_shows_its_project_amount_and_invoice(client, staff, school):
    spent = ExpenditureFactory(
        project=school,
        amount=Decimal("1234.56"),
        payee="文具店",
        invoice_number="FP-778",
        category="宣传培训",
    )
    client.force_login(staff)
    html = client.get(spent.get_absolute_url()).content.decode()
    assert "振兴小学红十字示范校" in html and "1,234.56" in html and "FP-778" in html and "文具店" in html


def test_the_project_page_costs_the_same_queries_however_many_rows_it_shows(client, staff, tree):
    project = ProjectFactory(chapter=tree.naiman, budget=Decimal("1000000.00"))
    client.force_login(staff)

    def add(n):
        for i in range(n):
            BudgetLineFactory(project=project, category=f"类别{project.budget_lines.count()}", amount=1)
            ExpenditureFactory(project=project, category=f"类别{i}", amount=Decimal("10.00"))
            OutputFactory(project=project)
            FundingSourceFactory(project=project, fund=FundFactory(chapter=tree.naiman))
            AuditFactory(project=project)

    add(1)
    with CaptureQueriesContext(connection) as few:
        client.get(project.get_absolute_url())
    add(20)
    with CaptureQueriesContext(connection) as many:
        html = client.get(project.get_absolute_url()).content.decode()
    assert len(many) == len(few), [q["sql"] for q in many]
    assert figure(html, "spent") == "210.00"

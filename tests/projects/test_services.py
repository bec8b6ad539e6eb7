"""Projects: spending beyond budget needs a reason and is flagged; status only moves forward."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from projects.choices import ProjectStatus
from projects.models import Project
from projects.selectors import project_spending_by_category, project_totals, projects_with_spending
from projects.services import audit_record, expenditure_record, project_advance, project_budget_set

from ..factories import ExpenditureFactory, ProjectFactory

D = datetime.date


def spend(project, amount, **fields):
    return expenditure_record(
        chapter=project.chapter,
        user=None,
        date=D(2020, 7, 1),
        project=project,
        amount=Decimal(amount),
        **fields,
    )


def test_spending_beyond_budget_needs_a_stated_reason_and_is_flagged(tree):
    project = ProjectFactory(chapter=tree.naiman, budget=Decimal("80000.00"))
    spend(project, "80000", category="工程建设")
    with pytest.raises(ValidationError) as refused:
        spend(project, "3500.00")
    assert refused.value.message_dict["over_budget_reason"] == [
        "本笔支出后项目累计支出 83,500.00 元，超过预算 80,000.00 元，请填写超预算原因"
    ]
    assert not projects_with_spending(Project.objects.filter(pk=project.pk)).get().over_budget
    spend(project, "3500.00", category="工程建设", over_budget_reason="灯杆基础加固")
    row = projects_with_spending(Project.objects.filter(pk=project.pk)).get()
    assert (row.spent_total, row.over_budget) == (Decimal("83500.00"), True)
    assert project_totals(Project.objects.filter(pk=project.pk)).over_budget == 1


def test_budget_against_spending_by_category(tree):
    project = ProjectFactory(chapter=tree.naiman, budget=Decimal("120000.00"))
    with pytest.raises(ValidationError) as refused:
        project_budget_set(project=project, lines=[("工程建设", Decimal("100000"))])
    assert refused.value.messages == ["分类预算合计 100,000.00 元，与项目预算 120,000.00 元不一致"]
    project_budget_set(
        project=project, lines=[("工程建设", Decimal("110000")), ("宣传培训", Decimal("10000"))]
    )
    ExpenditureFactory(project=project, category="工程建设", amount=Decimal("86000.00"))
    ExpenditureFactory(project=project, category="工程建设", amount=Decimal("21500.00"))
    ExpenditureFactory(project=project, category="设备物资", amount=Decimal("999.99"))
    rows = project_spending_by_category(project)
    assert [(r.category, r.budget, r.spent, r.remaining, r.count) for r in rows] == [
        ("工程建设", Decimal("110000.00"), Decimal("107500.00"), Decimal("2500.00"), 2),
        ("宣传培训", Decimal("10000.00"), Decimal("0.00"), Decimal("10000.00"), 0),
        ("设备物资", None, Decimal("999.99"), None, 1),
    ]


def test_status_moves_forward_with_dates_and_an_audit_closes_it(tree):
    project = ProjectFactory(chapter=tree.naiman)
    project_advance(project=project, user=None, date=D(2020, 5, 10))
    with pytest.raises(ValidationError) as refused:
        audit_record(project=project, user=None, date=D(2020, 6, 1), auditor="审计局")
    assert refused.value.messages == ["项目完工后才能登记审计"]
    with pytest.raises(ValidationError) as refused:
        project_advance(project=project, user=None, date=D(2020, 5, 1))
    assert refused.value.message_dict["date"] == ["日期不能早于上一步的日期 2020-05-10"]
    project = project_advance(project=project, user=None, date=D(2020, 9, 25))
    assert (project.status, project.started_on, project.completed_on) == (
        ProjectStatus.COMPLETED,
        D(2020, 5, 10),
        D(2020, 9, 25),
    )
    audit_record(project=project, user=None, date=D(2020, 12, 15), auditor="奈曼旗审计局", findings="合规")
    project.refresh_from_db()
    assert (project.status, project.audited_on) == (ProjectStatus.AUDITED, D(2020, 12, 15))
    with pytest.raises(ValidationError) as refused:
        spend(project, "10")
    assert "已审计，不能再登记支出" in refused.value.message_dict["project"][0]

"""Project figures: spending in a period and in all, over budget, totals over many projects and
per category — computed in the database, counting only what stands."""

import datetime
from decimal import Decimal

from projects.models import Expenditure, Project
from projects.selectors import (
    expenditure_totals,
    project_spending_by_category,
    project_totals,
    projects_with_spending,
)
from redcross.corrections import record_void

from ..factories import BudgetLineFactory, ExpenditureFactory, ProjectFactory

D = datetime.date


def spending(project, start=None, end=None):
    row = projects_with_spending(Project.objects.filter(pk=project.pk), start=start, end=end).get()
    return row.spent, row.spent_total, row.over_budget


def test_spent_is_the_periods_and_over_budget_is_everything_ever_spent(tree):
    project = ProjectFactory(chapter=tree.naiman, budget=Decimal("1000.00"))
    ExpenditureFactory(project=project, amount=Decimal("600.00"), date=D(2019, 12, 31))
    ExpenditureFactory(project=project, amount=Decimal("400.00"), date=D(2020, 1, 1))
    ExpenditureFactory(project=project, amount=Decimal("0.01"), date=D(2020, 12, 31))
    assert spending(project, D(2020, 1, 1), D(2020, 12, 31)) == (Decimal("400.01"), Decimal("1000.01"), True)
    assert spending(project) == (Decimal("1000.01"), Decimal("1000.01"), True)


def test_a_project_that_spent_nothing_spent_zero_and_spending_exactly_the_budget_is_not_over(tree):
    idle = ProjectFactory(chapter=tree.naiman, budget=Decimal("500.00"))
    exact = ProjectFactory(chapter=tree.naiman, budget=Decimal("500.00"))
    ExpenditureFactory(project=exact, amount=Decimal("500.00"))
    assert spending(idle) == (Decimal("0.00"), Decimal("0.00"), False)
    assert spending(exact) == (Decimal("500.00"), Decimal("500.00"), False)


def test_voided_and_pending_spending_counts_in_nothing(tree, staff):
    project = ProjectFactory(chapter=tree.naiman, budget=Decimal("1000.00"))
    ExpenditureFactory(project=project, category="工程建设", amount=Decimal("300.00"))
    wrong = ExpenditureFactory(project=project, category="工程建设", amount=Decimal("900.00"))
    record_void(wrong, user=staff, reason="金额录错")
    ExpenditureFactory(project=project, category="设备物资", amount=Decimal("800.00"), pending=True)

    assert spending(project) == (Decimal("300.00"), Decimal("300.00"), False)
    assert project_totals(Project.objects.all()).spent == Decimal("300.00")
    assert [(r.category, r.spent, r.count) for r in project_spending_by_category(project)] == [
        ("工程建设", Decimal("300.00"), 1)
    ]
    assert expenditure_totals(Expenditure.objects.all()) == {
        "count": 1,
        "amount": Decimal("300.00"),
        "projects": 1,
    }


def test_a_reversal_takes_back_money_but_is_no_expenditure_of_its_own(tree):
    project = ProjectFactory(chapter=tree.naiman, budget=Decimal("1000.00"))
    original = ExpenditureFactory(project=project, category="工程建设", amount=Decimal("700.00"))
    ExpenditureFactory(project=project, category="工程建设", amount=Decimal("-700.00"), reverses=original)
    ExpenditureFactory(project=project, category="工程建设", amount=Decimal("250.00"))

    assert spending(project)[1] == Decimal("250.00")
    assert expenditure_totals(Expenditure.objects.all()) == {
        "count": 2,
        "amount": Decimal("250.00"),
        "projects": 1,
    }
    [row] = project_spending_by_category(project)
    assert (row.spent, row.count) == (Decimal("250.00"), 2)


def test_project_totals_are_not_inflated_by_the_rows_they_join(tree):
    first = ProjectFactory(chapter=tree.naiman, budget=Decimal("1000.00"))
    second = ProjectFactory(chapter=tree.naiman, budget=Decimal("2000.00"))
    ProjectFactory(chapter=tree.naiman, budget=Decimal("40.00"))
    for _ in range(3):
        ExpenditureFactory(project=first, amount=Decimal("400.00"))  # 1200: over budget
    ExpenditureFactory(project=second, amount=Decimal("0.10"))
    ExpenditureFactory(project=second, amount=Decimal("0.20"))
    ProjectFactory(chapter=tree.hanyin, budget=Decimal("99999.00"))

    totals = project_totals(Project.objects.for_chapter(tree.naiman))

    assert (totals.count, totals.budget, totals.spent, totals.over_budget) == (
        3,
        Decimal("3040.00"),
        Decimal("1200.30"),
        1,
    )


def test_project_totals_of_nothing_are_zero(tree):
    totals = project_totals(Project.objects.none())
    assert (totals.count, totals.budget, totals.spent, totals.over_budget) == (
        0,
        Decimal("0.00"),
        Decimal("0.00"),
        0,
    )


def test_by_category_lists_the_budget_lines_in_order_then_the_unbudgeted_by_name(tree):
    project = ProjectFactory(chapter=tree.naiman, budget=Decimal("3000.00"))
    BudgetLineFactory(project=project, category="宣传培训", amount=Decimal("1000.00"))
    BudgetLineFactory(project=project, category="工程建设", amount=Decimal("2000.00"))
    ExpenditureFactory(project=project, category="工程建设", amount=Decimal("2100.00"))
    ExpenditureFactory(project=project, category="其他", amount=Decimal("5.00"))
    ExpenditureFactory(project=project, category="", amount=Decimal("1.00"))
    ExpenditureFactory(project=ProjectFactory(chapter=tree.naiman), category="宣传培训", amount=Decimal("9"))

    rows = project_spending_by_category(project)

    assert [(r.category, r.budget, r.spent, r.remaining, r.over_budget) for r in rows] == [
        ("宣传培训", Decimal("1000.00"), Decimal("0.00"), Decimal("1000.00"), False),
        ("工程建设", Decimal("2000.00"), Decimal("2100.00"), Decimal("-100.00"), True),
        ("", None, Decimal("1.00"), None, False),
        ("其他", None, Decimal("5.00"), None, False),
    ]


def test_expenditure_totals_count_distinct_projects_and_sum_to_the_fen(tree):
    projects = [ProjectFactory(chapter=tree.naiman) for _ in range(3)]
    for i in range(300):
        ExpenditureFactory(project=projects[i % 2], amount=Decimal("0.10"))
    assert expenditure_totals(Expenditure.objects.all()) == {
        "count": 300,
        "amount": Decimal("30.00"),
        "projects": 2,
    }

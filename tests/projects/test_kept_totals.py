"""The expenditures' kept daily totals (``projects.ExpenditureDay``) equal the expenditures' own sums
after every kind of write — form, service, correction that moves an expenditure's day or project,
void, approval, turn down, reversal, import and its undo — and what is read from them (the
expenditures' list's totals line, its line of what waits and its count of rows; what each project
spent, in a period and up to a day) says what the expenditures themselves say."""

import datetime
import importlib
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Sum
from django.urls import reverse

from projects.filtersets import ExpenditureFilterSet
from projects.models import Expenditure, ExpenditureDay, Project
from projects.selectors import expenditure_totals, projects_of_period, projects_with_spending
from projects.services import expenditure_correct, expenditure_record
from redcross.access import Access
from redcross.choices import PeriodKind
from redcross.corrections import record_approve, record_reverse, record_turn_down, record_void
from redcross.importing import import_records, import_undo
from redcross.services import period_close

from ..factories import DonationFactory, FundFactory, ProjectFactory
from ..kept import assert_kept_true
from ..test_imports import workbook

D = datetime.date


def spend(project, day, amount, category="工程建设", **more):
    return expenditure_record(
        chapter=project.chapter,
        user=None,
        date=day,
        project=project,
        amount=Decimal(amount),
        category=category,
        **more,
    )


def funded(chapter, name="项目基金"):
    fund = FundFactory(chapter=chapter, name=name)
    DonationFactory(fund=fund, amount=Decimal("100000.00"))
    return fund


def test_every_write_keeps_the_daily_totals_true(client, tree, writers):
    tree.naiman.approval_threshold = Decimal("5000")
    tree.naiman.save()
    school = ProjectFactory(chapter=tree.naiman, name="示范校")
    home = ProjectFactory(chapter=tree.naiman, name="博爱家园")
    station = ProjectFactory(chapter=tree.horqin, name="救护站")
    fund = funded(tree.naiman)
    a = spend(school, D(2020, 3, 1), "100")
    b = spend(school, D(2020, 3, 1), "200", fund=fund, category="设备物资")
    c = spend(station, D(2021, 5, 2), "300")
    assert_kept_true()
    client.force_login(writers["staff"])
    data = {"date": "2020-03-01", "project": home.pk, "category": "", "amount": "50", "fund": fund.pk}
    assert client.post(reverse("projects:expenditure-create"), data).status_code == 302
    assert_kept_true()
    expenditure_correct(
        expenditure=a,
        user=None,
        date=D(2020, 4, 1),
        project=home,
        amount=Decimal("150"),
        category="宣传",
    )  # moved to another day and project: both days kept
    assert_kept_true()
    record_void(b, user=writers["staff"], reason="重复登记")
    assert_kept_true()
    big = spend(school, D(2020, 6, 1), "8000", fund=fund)  # above the threshold: waits
    assert big.is_pending
    assert_kept_true()
    record_approve(big, user=writers["leader"])
    assert_kept_true()
    other = spend(home, D(2020, 6, 2), "9000")
    record_turn_down(other, user=writers["leader"], opinion="材料不全")
    assert_kept_true()
    period_close(chapter=tree.horqin, user=writers["horqin-leader"], kind=PeriodKind.YEAR, year=2021)
    record_reverse(c, user=writers["horqin-staff"], date=D(2022, 1, 3), reason="重复支出")
    assert_kept_true()
    kept = {
        (r.status, r.date, r.project.name): (r.rows, r.expenditures, r.amount)
        for r in ExpenditureDay.objects.all()
    }
    assert kept == {
        ("standing", D(2020, 3, 1), "博爱家园"): (1, 1, Decimal("50.00")),
        ("voided", D(2020, 3, 1), "示范校"): (1, 1, Decimal("200.00")),
        ("standing", D(2020, 4, 1), "博爱家园"): (1, 1, Decimal("150.00")),
        ("standing", D(2020, 6, 1), "示范校"): (1, 1, Decimal("8000.00")),
        ("voided", D(2020, 6, 2), "博爱家园"): (1, 1, Decimal("9000.00")),
        ("standing", D(2021, 5, 2), "救护站"): (1, 1, Decimal("300.00")),
        ("reversal", D(2022, 1, 3), "救护站"): (1, 0, Decimal("-300.00")),
    }


def test_an_import_and_its_undo_keep_the_daily_totals_true(tree, writers):
    school = ProjectFactory(chapter=tree.naiman, name="示范校")
    spend(school, D(2021, 3, 1), "50")
    rows = [
        {"支出日期": D(2021, 3, day), "项目名称": "示范校", "支出类别": "工程建设", "金额": 100 * day}
        for day in range(1, 11)
    ]
    batch = import_records(
        workbook({"项目支出": rows}), chapter=tree.naiman, user=writers["staff"], filename="t.xlsx"
    ).batch
    assert_kept_true()
    assert ExpenditureDay.objects.filter(status="standing").count() == 10
    import_undo(batch, user=writers["staff"])
    assert_kept_true()
    voided = ExpenditureDay.objects.filter(status="voided")
    assert sorted(voided.values_list("date", "rows")) == [(D(2021, 3, day), 1) for day in range(1, 11)]


def test_the_migrations_fill_gives_the_rows_the_expenditures_give(tree, writers):
    tree.naiman.approval_threshold = Decimal("5000")
    tree.naiman.save()
    school = ProjectFactory(chapter=tree.naiman, name="示范校")
    fund = funded(tree.naiman)
    spend(school, D(2020, 3, 1), "100")
    spend(school, D(2020, 3, 1), "200", category="")
    spend(school, D(2020, 3, 1), "250", fund=fund)
    spend(school, D(2020, 6, 1), "8000")  # waits
    record_void(spend(school, D(2020, 3, 1), "70"), user=writers["staff"], reason="录错")
    period_close(chapter=tree.naiman, user=writers["leader"], kind=PeriodKind.YEAR, year=2020)
    reversed_one = Expenditure.objects.get(amount=Decimal("250"))
    record_reverse(reversed_one, user=writers["staff"], date=D(2021, 1, 2), reason="重复")
    ExpenditureDay.objects.all().delete()
    fill = importlib.import_module("projects.migrations.0008_kept_day_totals").FILL
    with connection.cursor() as cursor:
        cursor.execute(fill)
    assert ExpenditureDay.objects.count() == 6
    assert_kept_true()


@pytest.fixture
def spending(tree, writers):
    """Expenditures of every status in the city's two counties and one outside it."""
    tree.naiman.approval_threshold = Decimal("5000")
    tree.naiman.save()
    fund = funded(tree.naiman)
    school = ProjectFactory(chapter=tree.naiman, name="示范校", budget=Decimal("1000"))
    home = ProjectFactory(chapter=tree.naiman, name="博爱家园", budget=Decimal("100000"))
    station = ProjectFactory(chapter=tree.horqin, name="救护站", budget=Decimal("500"))
    elsewhere = ProjectFactory(chapter=tree.hanyin, name="外省项目")
    spend(school, D(2020, 1, 5), "100", payee="甲公司")
    spend(school, D(2020, 3, 1), "400", fund=fund, category="设备物资")
    spend(home, D(2020, 3, 1), "250.50", category="")
    spend(station, D(2020, 7, 1), "300")
    spend(home, D(2020, 9, 1), "9000")  # waits for approval
    record_void(spend(school, D(2020, 2, 1), "70"), user=writers["staff"], reason="录错")
    spend(school, D(2021, 2, 1), "600", over_budget_reason="追加设备")  # beyond the budget from here
    spend(elsewhere, D(2020, 3, 1), "999")  # not the city's
    period_close(chapter=tree.naiman, user=writers["leader"], kind=PeriodKind.YEAR, year=2020)
    reversed_one = Expenditure.objects.get(amount=Decimal("250.50"))
    record_reverse(reversed_one, user=writers["staff"], date=D(2021, 1, 2), reason="重复")
    return {"fund": fund, "school": school, "home": home, "station": station}


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"chapter": "CITY"},
        {"chapter": "HORQIN"},
        {"date_after": "2020-01-01", "date_before": "2020-12-31"},
        {"date_after": "2020-02-15", "project": "SCHOOL"},
        {"date_before": "2020-06-30", "category": "设备物资"},
        {"category": "工程建设", "project": "HOME"},
        {"fund": "FUND"},
        {"status": "pending"},
        {"status": "voided"},
        {"status": "standing"},
        {"status": "reversal"},
        {"without_category": "true"},  # not kept: summed from the expenditures
        {"over_budget": "true"},  # not kept
        {"q": "甲公司"},  # free text: not kept
    ],
)
def test_the_lists_figures_equal_the_expenditures_own(client, tree, writers, spending, params):
    values = {
        "CITY": tree.tongliao.pk,
        "HORQIN": spending["station"].chapter.pk,
        "SCHOOL": spending["school"].pk,
        "HOME": spending["home"].pk,
        "FUND": spending["fund"].pk,
    }
    params = {key: values.get(value, value) for key, value in params.items()}
    client.force_login(writers["city"])
    context = client.get(reverse("projects:expenditure-list"), params).context
    totals, pending, count = context["totals"], context["pending_totals"], context["paginator"].count

    class Request:
        user = writers["city"]

    visible = Expenditure.all_objects.visible_to(Access(writers["city"]))
    filterset = ExpenditureFilterSet(params, queryset=visible, request=Request())
    assert filterset.is_valid()
    records = filterset.qs
    assert totals == expenditure_totals(records.filter(voided_at__isnull=True, pending=False))
    waiting = records.filter(pending=True, voided_at__isnull=True)
    assert pending["count"] == waiting.count()
    assert pending["amount"] == sum((e.amount for e in waiting), Decimal("0.00"))
    kept = not {"without_category", "over_budget", "q"} & set(params)
    assert count == (records.count() if kept else None)


def spent_of(project, start=None, end=None):
    """What ``project`` spent from ``start`` to ``end``, summed from its standing expenditures."""
    expenditures = Expenditure.objects.filter(project=project).in_period(start, end)
    return expenditures.aggregate(total=Sum("amount"))["total"] or Decimal("0.00")


@pytest.mark.parametrize(
    "period",
    [
        {},
        {"start": D(2020, 1, 1), "end": D(2020, 12, 31), "until": D(2020, 12, 31)},
        {"start": D(2021, 1, 1), "end": D(2021, 12, 31), "until": D(2021, 12, 31)},
        {"start": D(2020, 3, 1), "end": D(2020, 3, 1)},
        {"end": D(2020, 6, 30), "until": D(2020, 6, 30)},
    ],
)
def test_what_each_project_spent_equals_its_expenditures(spending, period):
    projects = projects_with_spending(Project.objects.all(), **period)
    start, end, until = period.get("start"), period.get("end"), period.get("until")
    found = {p.name: (p.spent, p.spent_total, p.over_budget) for p in projects}
    expected = {}
    for project in Project.objects.all():
        total = spent_of(project, None, until)
        expected[project.name] = (spent_of(project, start, end), total, total > project.budget)
    assert found == expected
    assert found["示范校"][2] == (until is None or until.year >= 2021)


@pytest.mark.parametrize("year", [2020, 2021, 2022])
def test_a_periods_projects_are_those_that_spent_or_stood_open(spending, year):
    start, end = D(year, 1, 1), D(year, 12, 31)
    found = projects_of_period(Project.objects.all(), start=start, end=end).values_list("name", flat=True)
    spent = set(Expenditure.objects.in_period(start, end).values_list("project__name", flat=True))
    assert spent <= set(found)


@pytest.mark.parametrize(
    "params", [{}, {"over_budget": "true"}, {"over_budget": "false"}, {"date_after": "2020-04-01"}]
)
def test_the_projects_list_totals_equal_the_expenditures_own(client, writers, spending, params):
    client.force_login(writers["city"])
    context = client.get(reverse("projects:project-list"), params).context
    totals, listed = context["totals"], list(context["object_list"])
    spent = {p.pk: spent_of(p) for p in listed}
    assert {p.pk: p.spent_total for p in listed} == spent
    assert totals.spent == sum(spent.values(), Decimal("0.00"))
    assert totals.over_budget == sum(1 for p in listed if spent[p.pk] > p.budget)

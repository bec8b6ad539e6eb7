"""One test per filter of the project and expenditure lists: the rows each keeps."""

import datetime
from decimal import Decimal

import pytest
from django.test import RequestFactory

from projects.filtersets import ExpenditureFilterSet, ProjectFilterSet
from projects.models import Expenditure, Project, ProjectKind
from projects.selectors import projects_with_spending
from redcross.choices import Role
from redcross.corrections import record_void

from ..factories import ExpenditureFactory, FundFactory, ProjectFactory

D = datetime.date


@pytest.fixture
def filtered(tree, member):
    """``filtered(FilterSet, params, role=..., chapter=...)``: the ids of the rows the filter keeps,
    from the queryset the list page filters (projects carry their spending)."""

    def run(filterset_class, params, role=Role.STAFF, chapter=None):
        request = RequestFactory().get("/projects/", params)
        request.user = member(role, chapter or tree.naiman)
        if filterset_class is ProjectFilterSet:
            queryset = projects_with_spending(Project.objects.all())
        else:
            queryset = Expenditure.all_objects.all()
        filterset = filterset_class(request.GET, queryset=queryset, request=request)
        assert filterset.is_valid(), filterset.errors
        return set(filterset.qs.values_list("pk", flat=True))

    return run


# --- Projects ---------------------------------------------------------------------------------


def test_project_period_is_the_start_date_with_both_ends(tree, filtered):
    june = ProjectFactory(chapter=tree.naiman, start_date=D(2020, 6, 30))
    july = ProjectFactory(chapter=tree.naiman, start_date=D(2020, 7, 1))
    january = ProjectFactory(chapter=tree.naiman, start_date=D(2020, 1, 1))
    params = {"date_after": "2020-01-01", "date_before": "2020-06-30"}
    assert filtered(ProjectFilterSet, params) == {june.pk, january.pk}
    assert filtered(ProjectFilterSet, {"date_after": "2020-07-01"}) == {july.pk}


def test_project_kind(tree, filtered):
    school = ProjectFactory(chapter=tree.naiman, kind=ProjectKind.objects.get(name="红十字示范校"))
    ProjectFactory(chapter=tree.naiman)  # 博爱家园
    assert filtered(ProjectFilterSet, {"kind": school.kind.pk}) == {school.pk}


def test_project_status(tree, filtered):
    done = ProjectFactory(chapter=tree.naiman, status="completed", completed_on=D(2020, 10, 1))
    ProjectFactory(chapter=tree.naiman)  # planned
    assert filtered(ProjectFilterSet, {"status": "completed"}) == {done.pk}


def test_project_over_budget_counts_everything_ever_spent(tree, filtered):
    over = ProjectFactory(chapter=tree.naiman, budget=Decimal("1000.00"))
    ExpenditureFactory(project=over, amount=Decimal("600.00"), date=D(2019, 12, 1))
    ExpenditureFactory(project=over, amount=Decimal("400.01"), date=D(2020, 6, 1))
    exact = ProjectFactory(chapter=tree.naiman, budget=Decimal("1000.00"))
    ExpenditureFactory(project=exact, amount=Decimal("1000.00"))
    assert filtered(ProjectFilterSet, {"over_budget": "true"}) == {over.pk}
    assert filtered(ProjectFilterSet, {"over_budget": "false"}) == {exact.pk}


def test_project_free_text_matches_name_and_place(tree, filtered):
    by_name = ProjectFactory(chapter=tree.naiman, name="振兴社区博爱家园", place="")
    by_place = ProjectFactory(chapter=tree.naiman, name="示范校建设", place="振兴小学")
    ProjectFactory(chapter=tree.naiman, name="救护站", place="东明镇")
    assert filtered(ProjectFilterSet, {"q": " 振兴 "}) == {by_name.pk, by_place.pk}


def test_project_chapter_keeps_the_chapter_and_those_below_it(tree, filtered):
    naiman = ProjectFactory(chapter=tree.naiman)
    horqin = ProjectFactory(chapter=tree.horqin)
    city = ProjectFactory(chapter=tree.tongliao)
    ProjectFactory(chapter=tree.hanyin)
    params = {"chapter": tree.tongliao.pk}
    assert filtered(ProjectFilterSet, params, Role.LEADER, tree.tongliao) == {naiman.pk, horqin.pk, city.pk}
    params = {"chapter": tree.horqin.pk}
    assert filtered(ProjectFilterSet, params, Role.LEADER, tree.tongliao) == {horqin.pk}


def test_project_chapter_of_another_branch_is_not_a_choice(tree, member):
    request = RequestFactory().get("/projects/", {"chapter": tree.hanyin.pk})
    request.user = member(Role.STAFF, tree.naiman)
    filterset = ProjectFilterSet(request.GET, queryset=Project.objects.all(), request=request)
    assert not filterset.is_valid()
    assert "chapter" in filterset.errors


# --- Expenditures -----------------------------------------------------------------------------


def test_expenditure_period_keeps_both_ends(tree, filtered):
    days = [D(2020, 6, 30), D(2020, 7, 1), D(2020, 1, 1)]
    e = [ExpenditureFactory(project__chapter=tree.naiman, date=day) for day in days]
    params = {"date_after": "2020-01-01", "date_before": "2020-06-30"}
    assert filtered(ExpenditureFilterSet, params) == {e[0].pk, e[2].pk}


def test_expenditure_project(tree, filtered):
    project = ProjectFactory(chapter=tree.naiman)
    mine = ExpenditureFactory(project=project)
    ExpenditureFactory(project__chapter=tree.naiman)
    assert filtered(ExpenditureFilterSet, {"project": project.pk}) == {mine.pk}


def test_expenditure_project_of_another_branch_is_not_a_choice(tree, member):
    other = ProjectFactory(chapter=tree.hanyin)
    request = RequestFactory().get("/projects/expenditures/", {"project": other.pk})
    request.user = member(Role.STAFF, tree.naiman)
    filterset = ExpenditureFilterSet(request.GET, queryset=Expenditure.objects.all(), request=request)
    assert not filterset.is_valid()
    assert "project" in filterset.errors


def test_expenditure_category(tree, filtered):
    project = ProjectFactory(chapter=tree.naiman)
    works = ExpenditureFactory(project=project, category="工程建设")
    ExpenditureFactory(project=project, category="宣传培训")
    assert filtered(ExpenditureFilterSet, {"category": "工程建设"}) == {works.pk}


def test_expenditure_fund(tree, filtered):
    fund = FundFactory(chapter=tree.naiman)
    project = ProjectFactory(chapter=tree.naiman)
    paid = ExpenditureFactory(project=project, fund=fund)
    ExpenditureFactory(project=project)
    assert filtered(ExpenditureFilterSet, {"fund": fund.pk}) == {paid.pk}


def test_expenditure_over_budget_is_the_stated_reason(tree, filtered):
    project = ProjectFactory(chapter=tree.naiman)
    beyond = ExpenditureFactory(project=project, over_budget_reason="材料涨价")
    within = ExpenditureFactory(project=project)
    assert filtered(ExpenditureFilterSet, {"over_budget": "true"}) == {beyond.pk}
    assert filtered(ExpenditureFilterSet, {"over_budget": "false"}) == {within.pk}


def test_expenditure_free_text_matches_payee_invoice_and_description(tree, filtered):
    project = ProjectFactory(chapter=tree.naiman)
    payee = ExpenditureFactory(project=project, payee="奈曼旗建筑公司")
    invoice = ExpenditureFactory(project=project, invoice_number="FP-建筑-01")
    description = ExpenditureFactory(project=project, description="建筑材料")
    ExpenditureFactory(project=project, payee="文具店", description="宣传册")
    assert filtered(ExpenditureFilterSet, {"q": "建筑"}) == {payee.pk, invoice.pk, description.pk}


def test_expenditure_status(tree, filtered, staff):
    project = ProjectFactory(chapter=tree.naiman)
    standing = ExpenditureFactory(project=project)
    voided = ExpenditureFactory(project=project)
    record_void(voided, user=staff, reason="重复登记")
    pending = ExpenditureFactory(project=project, pending=True)
    assert filtered(ExpenditureFilterSet, {"status": "standing"}) == {standing.pk}
    assert filtered(ExpenditureFilterSet, {"status": "voided"}) == {voided.pk}
    assert filtered(ExpenditureFilterSet, {"status": "pending"}) == {pending.pk}


def test_expenditure_chapter_keeps_the_chapter_and_those_below_it(tree, filtered):
    naiman = ExpenditureFactory(project__chapter=tree.naiman)
    horqin = ExpenditureFactory(project__chapter=tree.horqin)
    ExpenditureFactory(project__chapter=tree.hanyin)
    params = {"chapter": tree.tongliao.pk}
    assert filtered(ExpenditureFilterSet, params, Role.LEADER, tree.tongliao) == {naiman.pk, horqin.pk}

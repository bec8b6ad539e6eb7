"""Reads of projects: spending against budget, computed in the database."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, F, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from redcross.kept import COUNTED
from redcross.money import money_output_field, to_money

from .choices import NEXT_STATUS, ProjectStatus
from .models import EXPENDITURE_DAYS, Expenditure

MONEY = money_output_field()
ZERO = Value(Decimal("0.00"), output_field=MONEY)


def _spent(start=None, end=None):
    """The kept spending (``ExpenditureDay`` and its months) that counts, dated from ``start``
    to ``end``, as a list of querysets (``DayTotals.span``): what stands of the expenditures,
    reversals taking their money back."""
    return [part.filter(status__in=COUNTED) for part in EXPENDITURE_DAYS.span(start, end)]


def _spent_subquery(parts):
    total = None
    for part in parts:
        summed = (
            part.filter(project=OuterRef("pk"))
            .order_by()
            .values("project")
            .annotate(total=Sum("amount", output_field=MONEY))
            .values("total")
        )
        one = Coalesce(Subquery(summed), ZERO)
        total = one if total is None else total + one
    return total


def projects_with_spending(queryset, *, start=None, end=None, until=None):
    """Projects annotated with ``spent`` (in the period when given), ``spent_total`` and ``over_budget``.

    ``spent_total`` is everything spent up to ``until`` (a report's period end: a 2020 report must
    not count an expenditure of 2026), or ever when ``until`` is None; ``over_budget`` compares it
    with the budget, so a project is judged over budget only by what it had spent by then. Both
    are summed from the kept daily spending (``ExpenditureDay``), a few rows per project and day.
    """
    in_period, to_date = _spent(start, end), _spent(None, until)
    return queryset.annotate(spent=_spent_subquery(in_period), spent_total=_spent_subquery(to_date)).annotate(
        over_budget=Q(spent_total__gt=F("budget"))
    )


# The date field of the step into each status, and the status before it.
_REACHED_ON = {status: date_field for status, date_field in NEXT_STATUS.values()}
_PREVIOUS = {status: previous for previous, (status, _date_field) in NEXT_STATUS.items()}


def status_on(project, day):
    """``project``'s status as it stood on ``day`` (a report's period end): a step dated after it
    had not happened yet, so a 2020 report does not call a project completed in 2026 已完工.
    A step without a date (records from before the steps were dated) is taken as done."""
    status = ProjectStatus(project.status)
    while status in _REACHED_ON:
        reached = getattr(project, _REACHED_ON[status])
        if reached is None or reached <= day:
            break
        status = _PREVIOUS[status]
    return status


def open_on_q(day):
    """Projects planned or in progress on ``day`` (as ``status_on`` reads them), and not dated
    (planned to start) after it: a filter, so a report selects them in its one query."""
    return ~Q(start_date__gt=day) & (
        Q(status__in=[ProjectStatus.PLANNED, ProjectStatus.IN_PROGRESS])
        | Q(status=ProjectStatus.COMPLETED, completed_on__gt=day)
        | Q(status=ProjectStatus.AUDITED, audited_on__gt=day, completed_on__gt=day)
    )


def projects_of_period(queryset, *, start, end):
    """The projects of ``queryset`` a period's figures speak of: those that spent in it, were
    open on its last day (``open_on_q``) or were completed or audited in it; annotated as
    ``projects_with_spending`` with what they spent in the period and up to its end, so an
    expenditure after the period neither counts nor flags 超预算 (one query).

    The work reports and the home page both select here, so their project tables agree.
    """
    spent_in_period = Q()
    for part in _spent(start, end):
        spent_in_period |= Q(pk__in=part.order_by().values("project"))
    return projects_with_spending(
        queryset.filter(
            spent_in_period
            | open_on_q(end)
            | Q(completed_on__range=(start, end))
            | Q(audited_on__range=(start, end))
        ),
        start=start,
        end=end,
        until=end,
    )


@dataclass(frozen=True)
class ProjectTotals:
    count: int
    budget: Decimal
    spent: Decimal
    over_budget: int


def project_totals(queryset):
    """Number of projects, their budget and what they spent, over ``queryset`` (two queries)."""
    row = projects_with_spending(queryset.order_by()).aggregate(
        n=Count("pk"), budget_total=Sum("budget"), over=Count("pk", filter=Q(over_budget=True))
    )
    projects = queryset.order_by().values("pk")
    spent = Decimal("0.00")
    for part in _spent():
        spent += to_money(part.filter(project__in=projects).aggregate(total=Sum("amount"))["total"])
    return ProjectTotals(
        count=row["n"] or 0,
        budget=to_money(row["budget_total"]),
        spent=spent,
        over_budget=row["over"] or 0,
    )


@dataclass
class CategorySpending:
    category: str
    budget: Decimal | None
    spent: Decimal
    count: int
    url: str = ""

    @property
    def remaining(self):
        return None if self.budget is None else self.budget - self.spent

    @property
    def over_budget(self):
        return self.budget is not None and self.spent > self.budget


def project_spending_by_category(project):
    """Budget against spending per category: the budget lines first, then categories spent without one."""
    spent = {
        row["category"]: row
        for row in Expenditure.objects.filter(project=project)
        .order_by()
        .values("category")
        .annotate(total=Sum("amount"), n=Count("pk", filter=Q(reverses__isnull=True)))
    }
    rows = []
    for line in project.budget_lines.all():
        row = spent.pop(line.category, None)
        rows.append(
            CategorySpending(
                line.category, line.amount, to_money(row and row["total"]), row["n"] if row else 0
            )
        )
    for category, row in sorted(spent.items()):
        rows.append(CategorySpending(category, None, to_money(row["total"]), row["n"]))
    return rows


def expenditure_totals(queryset):
    row = queryset.order_by().aggregate(
        n=Count("pk", filter=Q(reverses__isnull=True)),
        total=Sum("amount"),
        projects=Count("project", distinct=True),
    )
    return {"count": row["n"] or 0, "amount": to_money(row["total"]), "projects": row["projects"] or 0}


def expenditure_list_totals(figures, rows):
    """The expenditures' list's totals line (as ``expenditure_totals``) from its kept daily
    figures and rows (``redcross.kept``: months and days): the projects are those of the rows
    that count."""
    counted = [part.filter(status__in=COUNTED).order_by().values_list("project") for part in rows]
    projects = len(set().union(*(set(part.distinct()) for part in counted)))
    counted = figures["counted"]
    return {"count": counted["expenditures"], "amount": to_money(counted["amount"]), "projects": projects}

"""A period read from kept totals (``DayTotals.span``): the whole years from the years table
(where kept), the whole months from the months table, the days around them from the days table,
every day of the period counted once."""

import datetime
from decimal import Decimal

import pytest
from django.db.models import Sum

from aid.models import DISBURSEMENT_DAYS, AidCategory
from aid.services import disbursement_record
from projects.models import EXPENDITURE_DAYS, Expenditure, ExpenditureDay
from projects.services import expenditure_record
from tests.factories import ProjectFactory
from tests.kept import assert_kept_true

D = datetime.date


def assert_span_sums_its_days(totals, figure, start, end):
    """``totals.span(start, end)`` sums ``figure`` as the day rows of the period do; its parts."""
    parts = totals.span(start, end)
    found = sum((part.aggregate(total=Sum(figure))["total"] or 0 for part in parts), Decimal(0))
    days = totals.table.objects.all()
    if start:
        days = days.filter(date__gte=start)
    if end:
        days = days.filter(date__lte=end)
    assert found == (days.aggregate(total=Sum(figure))["total"] or 0)
    return parts


@pytest.fixture
def payments(tree):
    category = AidCategory.objects.get(name="救灾救助")
    for day in (D(2020, 1, 1), D(2020, 1, 31), D(2020, 2, 1), D(2020, 2, 15), D(2020, 2, 29), D(2020, 3, 1),
                D(2020, 12, 31), D(2021, 1, 1)):  # fmt: skip
        disbursement_record(
            chapter=tree.naiman, user=None, date=day, category=category, beneficiary_name=f"人{day}",
            cash_amount=Decimal(day.day * 100 + day.month),
        )  # fmt: skip


@pytest.mark.parametrize(
    "start, end",
    [
        (None, None),
        (D(2020, 1, 1), D(2020, 12, 31)),
        (D(2020, 1, 2), D(2020, 12, 31)),
        (D(2020, 1, 1), D(2020, 2, 28)),
        (D(2020, 2, 1), D(2020, 2, 29)),
        (D(2020, 2, 2), D(2020, 2, 28)),
        (D(2020, 1, 31), D(2020, 3, 1)),
        (None, D(2020, 2, 15)),
        (D(2020, 2, 15), None),
        (D(2020, 3, 1), D(2020, 2, 1)),  # an empty period
    ],
)
def test_a_span_counts_every_day_of_the_period_once(payments, start, end):
    parts = assert_span_sums_its_days(DISBURSEMENT_DAYS, "cash_amount", start, end)
    # Whole months only: one query of the months table.
    if start in (None, D(2020, 1, 1), D(2020, 2, 1)) and end in (None, D(2020, 12, 31), D(2020, 2, 29)):
        assert [part.model for part in parts] == [DISBURSEMENT_DAYS.months]


@pytest.fixture
def spending(tree):
    project = ProjectFactory(chapter=tree.naiman, budget=Decimal("9999999"))
    for day in (D(2019, 12, 31), D(2020, 1, 1), D(2020, 1, 31), D(2020, 2, 1), D(2020, 2, 29),
                D(2020, 12, 31), D(2021, 1, 1), D(2021, 6, 30), D(2021, 7, 1), D(2022, 12, 31),
                D(2023, 1, 1)):  # fmt: skip
        expenditure_record(
            chapter=tree.naiman, user=None, date=day, project=project, category="工程建设",
            amount=Decimal(day.year % 100 * 10000 + day.month * 100 + day.day),
        )  # fmt: skip
    assert_kept_true(Expenditure)


@pytest.mark.parametrize(
    "start, end, tables",
    [
        (None, None, ["years"]),
        (D(2020, 1, 1), D(2022, 12, 31), ["years"]),
        (None, D(2021, 12, 31), ["years"]),
        (D(2021, 1, 1), None, ["years"]),
        (D(2020, 1, 1), D(2021, 6, 30), ["years", "months"]),
        (D(2020, 2, 1), D(2022, 12, 31), ["years", "months"]),
        (D(2020, 1, 31), D(2022, 12, 31), ["years", "months", "days"]),
        (D(2019, 12, 31), D(2023, 1, 1), ["years", "days"]),
        (D(2020, 1, 31), D(2021, 7, 1), ["months", "days"]),  # no whole year inside
        (None, D(2021, 7, 1), ["years", "months", "days"]),
        (D(2020, 2, 1), D(2020, 12, 31), ["months"]),
        (D(2020, 1, 2), D(2021, 1, 1), ["months", "days"]),
        (D(2021, 7, 1), D(2020, 2, 1), ["days"]),  # an empty period
    ],
)
def test_a_span_of_years_counts_every_day_once(spending, start, end, tables):
    parts = assert_span_sums_its_days(EXPENDITURE_DAYS, "amount", start, end)
    names = {EXPENDITURE_DAYS.years: "years", EXPENDITURE_DAYS.months: "months", ExpenditureDay: "days"}
    assert [names[part.model] for part in parts] == tables

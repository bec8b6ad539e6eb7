"""A period read from kept totals (``DayTotals.span``): the whole months from the months table,
the days around them from the days table, every day of the period counted once."""

import datetime
from decimal import Decimal

import pytest
from django.db.models import Sum

from aid.models import DISBURSEMENT_DAYS, AidCategory, DisbursementDay
from aid.services import disbursement_record

D = datetime.date


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
    parts = DISBURSEMENT_DAYS.span(start, end)
    found = sum((part.aggregate(total=Sum("cash_amount"))["total"] or 0 for part in parts), Decimal(0))
    days = DisbursementDay.objects.all()
    if start:
        days = days.filter(date__gte=start)
    if end:
        days = days.filter(date__lte=end)
    assert found == (days.aggregate(total=Sum("cash_amount"))["total"] or 0)
    # Whole months only: one query of the months table.
    if start in (None, D(2020, 1, 1), D(2020, 2, 1)) and end in (None, D(2020, 12, 31), D(2020, 2, 29)):
        assert [part.model for part in parts] == [DISBURSEMENT_DAYS.months]

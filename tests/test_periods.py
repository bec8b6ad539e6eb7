"""The one period arithmetic (redcross/periods.py) that reports, closed periods, the approver's
warning and the home page share: each bound a fault would shift by a day."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from redcross.choices import PeriodKind
from redcross.periods import date_filter, half_of, period_bounds, period_label
from reports.choices import ReportKind
from reports.periods import Period

D = datetime.date


@pytest.mark.parametrize(
    ("kind", "year", "part", "bounds", "label"),
    [
        (PeriodKind.MONTH, 2024, 2, (D(2024, 2, 1), D(2024, 2, 29)), "2024年2月"),  # a leap year's February
        (PeriodKind.MONTH, 2023, 2, (D(2023, 2, 1), D(2023, 2, 28)), "2023年2月"),
        (PeriodKind.MONTH, 2020, 12, (D(2020, 12, 1), D(2020, 12, 31)), "2020年12月"),
        (PeriodKind.HALF, 2020, 1, (D(2020, 1, 1), D(2020, 6, 30)), "2020年上半年"),
        (PeriodKind.HALF, 2020, 2, (D(2020, 7, 1), D(2020, 12, 31)), "2020年下半年"),
        (PeriodKind.YEAR, 2020, 1, (D(2020, 1, 1), D(2020, 12, 31)), "2020年"),
    ],
)
def test_a_period_ends_on_its_last_day_and_is_written_as_the_books_write_it(kind, year, part, bounds, label):
    assert period_bounds(kind, year, part) == bounds
    assert period_label(kind, bounds[0]) == label


@pytest.mark.parametrize(
    ("kind", "part", "message"),
    [
        (PeriodKind.MONTH, 13, "月份应为1到12"),
        (PeriodKind.MONTH, 0, "月份应为1到12"),
        (PeriodKind.HALF, 3, "半年应为1（上半年）或2（下半年）"),
    ],
)
def test_a_part_out_of_range_is_refused_naming_the_field(kind, part, message):
    with pytest.raises(ValidationError) as refused:
        period_bounds(kind, 2020, part)
    assert refused.value.message_dict == {"part": [message]}


def test_30_june_and_1_july_fall_in_different_halves():
    assert half_of(D(2020, 6, 30)) == (D(2020, 1, 1), D(2020, 6, 30))
    assert half_of(D(2020, 7, 1)) == (D(2020, 7, 1), D(2020, 12, 31))


def test_a_reports_period_counts_with_the_same_arithmetic():
    h1, year = Period(2023, ReportKind.H1), Period(2023, ReportKind.YEAR)
    assert (h1.start, h1.end, h1.label) == (D(2023, 1, 1), D(2023, 6, 30), "2023年上半年")
    assert (year.start, year.end, year.label) == (D(2023, 1, 1), D(2023, 12, 31), "2023年")
    assert (
        year.as_filter()
        == date_filter(year.start, year.end)
        == {
            "date_after": "2023-01-01",
            "date_before": "2023-12-31",
        }
    )

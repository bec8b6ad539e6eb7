"""The one formatter: figures written as the work reports write them (DESIGN.md)."""

from decimal import Decimal

import pytest

from redcross.money import format_cases, format_count, format_money, format_yuan, to_money


@pytest.mark.parametrize(
    ("amount", "written"),
    [
        ("262000.00", "26.2万元"),
        ("1116100.00", "111.61万元"),
        ("6000.00", "6000元"),
        ("263480", "26.35万元"),
        ("100000", "10万元"),
        ("10000", "1万元"),
        ("9999.99", "9999.99元"),
        ("1234.50", "1234.5元"),
        ("0", "0元"),
        ("1887000", "188.7万元"),
        ("12345", "1.23万元"),
        ("12355", "1.24万元"),  # half up, not to even
    ],
)
def test_format_yuan_writes_amounts_the_reports_way(amount, written):
    assert format_yuan(Decimal(amount)) == written


@pytest.mark.parametrize(
    ("count", "written"),
    [(117, "117人"), (11000, "1.1万人"), (10300, "1.03万人"), (9999, "9999人"), (10000, "1万人")],
)
def test_format_count_writes_head_counts_in_wan_from_ten_thousand(count, written):
    assert format_count(count) == written


def test_format_cases_says_cases_in_li_and_persons_where_they_differ():
    assert format_cases(140, 117) == "140例(117人)"
    assert format_cases(109, 109) == "109例"


def test_exact_amounts_keep_the_fen_and_thousands():
    assert format_money(Decimal("262000")) == "262,000.00"
    assert to_money(0.1 + 0.2) == Decimal("0.30")
    assert to_money(None) == Decimal("0.00")

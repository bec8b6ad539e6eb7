"""Totals, balances and the fund ledger, computed in the database and exact to the fen."""

import datetime
from decimal import Decimal

import pytest

from aid.models import Disbursement
from donations.choices import DonationKind
from donations.models import Fund
from donations.selectors import (
    FundLedger,
    donation_totals,
    drive_history,
    drive_is_record_high,
    fund_totals,
    funds_with_balance,
    year_donation_totals,
)
from redcross.params import BadParameter

from ..factories import DisbursementFactory, DonationFactory, DriveFactory, ExpenditureFactory, FundFactory

D = datetime.date


def test_the_ledger_lists_every_flow_in_date_order_with_the_running_balance(tree):
    fund = FundFactory(chapter=tree.naiman, name="博爱一日捐")
    DonationFactory(fund=fund, date=D(2020, 5, 8), amount=Decimal("1000.10"))
    DisbursementFactory(
        chapter=tree.naiman,
        fund=fund,
        date=D(2020, 5, 9),
        cash_amount=Decimal("300.05"),
        in_kind_amount=Decimal("100.00"),
    )
    ExpenditureFactory(project__chapter=tree.naiman, fund=fund, date=D(2020, 5, 9), amount=Decimal("200.00"))
    DonationFactory(fund=fund, date=D(2020, 5, 9), amount=Decimal("50.00"))
    ledger = FundLedger(fund)
    entries = ledger[0:10]
    assert [(e.date, e.kind, e.inflow, e.outflow, e.balance) for e in entries] == [
        (D(2020, 5, 8), "donation", Decimal("1000.10"), Decimal("0.00"), Decimal("1000.10")),
        (D(2020, 5, 9), "donation", Decimal("50.00"), Decimal("0.00"), Decimal("1050.10")),
        (D(2020, 5, 9), "disbursement", Decimal("0.00"), Decimal("400.05"), Decimal("650.05")),
        (D(2020, 5, 9), "expenditure", Decimal("0.00"), Decimal("200.00"), Decimal("450.05")),
    ]
    assert ledger.count() == 4
    # A later page starts from the balance of everything before it.
    assert [(e.kind, e.balance) for e in ledger[2:4]] == [
        ("disbursement", Decimal("650.05")),
        ("expenditure", Decimal("450.05")),
    ]


def test_a_page_of_the_ledger_costs_the_same_queries_however_long(tree, django_assert_num_queries):
    fund = FundFactory(chapter=tree.naiman)
    for day in range(1, 29):
        DonationFactory(fund=fund, date=D(2020, 2, day), amount=Decimal("10.01"))
        DisbursementFactory(chapter=tree.naiman, fund=fund, date=D(2020, 2, day), cash_amount=Decimal("5.00"))
    ledger = FundLedger(fund)
    with django_assert_num_queries(2):  # the rows, then one sum of everything before them
        page = ledger[40:50]
    assert page[-1].balance == Decimal("10.01") * 25 - Decimal("5.00") * 25
    # Paged from a cursor: each kind's rows beyond it (seven kinds: gifts, relief, expenditures,
    # payouts, goods received, issued and counted), then the balance before.
    cursor = FundLedger.cursor(ledger[39])
    with django_assert_num_queries(8):
        page = ledger.page(10, after=cursor)
    assert [(e.date, e.kind, e.balance) for e in page] == [(e.date, e.kind, e.balance) for e in ledger[40:50]]
    assert page.has_previous and page.has_next


def test_the_ledger_pages_forward_and_back_from_cursors_with_the_running_balance(tree):
    fund = FundFactory(chapter=tree.naiman)
    for day in range(1, 29):
        DonationFactory(fund=fund, date=D(2020, 2, day), amount=Decimal("10.01"))
        DonationFactory(fund=fund, date=D(2020, 2, day), amount=Decimal("1.00"))
        DisbursementFactory(chapter=tree.naiman, fund=fund, date=D(2020, 2, day), cash_amount=Decimal("5.00"))
    ledger = FundLedger(fund)
    everything = ledger[0:200]
    assert ledger.count() == len(everything) == 84
    seen, page = [], ledger.page(25)
    assert not page.has_previous
    while True:
        seen += list(page)
        if not page.has_next:
            break
        page = ledger.page(25, after=page.next_cursor)
    assert [(e.pk, e.kind, e.balance) for e in seen] == [(e.pk, e.kind, e.balance) for e in everything]
    last = ledger.page(25, last=True)
    assert [e.pk for e in last] == [e.pk for e in everything[-25:]]
    assert last.has_previous and not last.has_next
    back = ledger.page(25, before=last.previous_cursor)
    assert [(e.pk, e.balance) for e in back] == [(e.pk, e.balance) for e in everything[-50:-25]]
    assert everything[-1].balance == Decimal("11.01") * 28 - Decimal("5.00") * 28


@pytest.mark.parametrize(
    "cursor", ["x", "2020-02-30.0.1", "2020-02-01.9.1", "2020-02-01.0.-1", "2020-02-01.0.9" * 3, "a.b.c.d"]
)
def test_a_forged_ledger_cursor_is_a_bad_parameter(tree, cursor):
    with pytest.raises(BadParameter):
        FundLedger(FundFactory(chapter=tree.naiman)).page(10, after=cursor)


def test_balances_count_every_kind_of_outflow_without_inflating(tree):
    fund = FundFactory(chapter=tree.naiman)
    for _ in range(3):
        DonationFactory(fund=fund, amount=Decimal("1000.00"))
    DisbursementFactory(chapter=tree.naiman, fund=fund, cash_amount=Decimal("100.00"))
    DisbursementFactory(
        chapter=tree.naiman, fund=fund, cash_amount=Decimal("50.00"), in_kind_amount=Decimal("25")
    )
    ExpenditureFactory(project__chapter=tree.naiman, fund=fund, amount=Decimal("200.00"))
    row = funds_with_balance(Fund.objects.filter(pk=fund.pk)).get()
    assert (row.received, row.paid, row.balance) == (
        Decimal("3000.00"),
        Decimal("375.00"),
        Decimal("2625.00"),
    )
    totals = fund_totals(Fund.objects.filter(pk=fund.pk))
    assert (totals.count, totals.received, totals.paid, totals.balance) == (
        1,
        Decimal("3000.00"),
        Decimal("375.00"),
        Decimal("2625.00"),
    )
    assert Disbursement.objects.count() == 2


def test_donation_totals_split_cash_and_in_kind_per_drive(tree):
    drive = DriveFactory(fund__chapter=tree.naiman, name="疫情防控专项募捐")
    DonationFactory(fund=drive.fund, drive=drive, amount=Decimal("1116100.00"), date=D(2020, 2, 1))
    DonationFactory(
        fund=drive.fund,
        drive=drive,
        date=D(2020, 2, 3),
        amount=Decimal("838500.00"),
        kind=DonationKind.IN_KIND,
        goods="口罩",
        valuation_basis="invoice",
    )
    DonationFactory(fund=drive.fund, amount=Decimal("0.10"), date=D(2020, 3, 1))
    totals = donation_totals(drive.fund.donations.all())
    assert (totals.cash, totals.in_kind, totals.amount, totals.count) == (
        Decimal("1116100.10"),
        Decimal("838500.00"),
        Decimal("1954600.10"),
        3,
    )
    kept, rows = year_donation_totals(tree.naiman, D(2020, 1, 1), D(2020, 12, 31))
    assert kept == totals
    assert [(r.drive_name, r.cash, r.in_kind, r.count) for r in rows] == [
        ("疫情防控专项募捐", Decimal("1116100.00"), Decimal("838500.00"), 2),
        ("", Decimal("0.10"), Decimal("0.00"), 1),
    ]


def test_a_drive_is_compared_with_the_same_drive_in_earlier_years(tree):
    fund = FundFactory(chapter=tree.naiman)
    earlier = DriveFactory(fund=fund, start_date=D(2019, 5, 1), end_date=D(2019, 6, 30))
    later = DriveFactory(fund=fund, start_date=D(2020, 5, 1), end_date=D(2020, 6, 30))
    DriveFactory(fund=fund, name="其他活动")
    DonationFactory(fund=fund, drive=earlier, amount=Decimal("1625000.00"))
    DonationFactory(fund=fund, drive=later, amount=Decimal("1887000.00"))
    history = drive_history(later)
    assert [(d.start_date.year, d.raised) for d in history] == [
        (2019, Decimal("1625000.00")),
        (2020, Decimal("1887000.00")),
    ]
    assert drive_is_record_high(later, history) is True
    assert drive_is_record_high(earlier, history) is False

"""The gifts' kept daily totals (``donations.DonationDay``) and donor firsts (``DonorFirst`` and
their day counts) equal the gifts' own sums after every kind of write — form, correction, void,
reversal, import and its undo — and what the donations' list, the home page and a drive's page
read from them says what the gifts themselves say."""

import datetime
from decimal import Decimal

import pytest
from django.db.models import Min
from django.urls import reverse

from donations.choices import DonationKind, DonorKind
from donations.filtersets import DonationFilterSet
from donations.models import Donation, DonationDay, DonorFirst
from donations.selectors import donation_totals, drive_totals, year_donation_totals
from donations.services import donation_correct, donation_record, donor_resolve, payout_record
from redcross.access import Access
from redcross.choices import PeriodKind
from redcross.corrections import record_reverse, record_void
from redcross.importing import import_records, import_undo
from redcross.services import period_close

from ..factories import DriveFactory, FundFactory
from ..kept import assert_kept_true
from ..test_imports import workbook

D = datetime.date


def give(chapter, day, name, amount, fund, **more):
    donor = donor_resolve(chapter=chapter, user=None, name=name, kind=DonorKind.PERSON)
    return donation_record(
        chapter=chapter, user=None, date=day, donor=donor, amount=Decimal(amount), fund=fund, **more
    )


def assert_firsts_true():
    """The donor firsts are exactly what the standing gifts give (kept_true checks their days)."""
    gifts = Donation.objects.filter(reverses__isnull=True)
    expected = set()
    for ever in (True, False):
        for by_drive in (True, False):
            group = ["chapter", "donor", *(["drive"] if by_drive else [])] + ([] if ever else ["date__year"])
            for row in gifts.values(*group).annotate(first=Min("date")):
                key = (row["chapter"], row["donor"], row.get("drive"), not by_drive, ever, row["first"])
                expected.add(key)
    columns = ("chapter", "donor", "drive", "every_drive", "ever", "first_date")
    found = set(DonorFirst.objects.values_list(*columns))
    assert found == expected
    assert_kept_true()


def test_every_write_keeps_the_daily_totals_and_donor_firsts_true(tree, writers):
    fund = FundFactory(chapter=tree.naiman, name="博爱一日捐")
    other = FundFactory(chapter=tree.naiman, name="大病救助基金")
    drive = DriveFactory(fund=fund, chapter=tree.naiman, start_date=D(2020, 5, 1), end_date=D(2020, 5, 31))
    a = give(tree.naiman, D(2020, 5, 8), "甲", "100", fund, drive=drive)
    b = give(tree.naiman, D(2020, 5, 8), "乙", "200", other)
    give(tree.naiman, D(2021, 1, 3), "甲", "300", other)
    c = give(tree.horqin, D(2021, 5, 2), "丙", "400", FundFactory(chapter=tree.horqin))
    assert_firsts_true()
    donation_correct(
        donation=a, user=None, date=D(2020, 5, 20), donor=a.donor, amount=Decimal("150"), fund=fund,
        drive=drive, kind=DonationKind.CASH,
    )  # fmt: skip — moved to another day: both days kept
    assert_firsts_true()
    record_void(b, user=writers["staff"], reason="重复登记")
    assert_firsts_true()
    period_close(chapter=tree.horqin, user=writers["horqin-leader"], kind=PeriodKind.YEAR, year=2021)
    record_reverse(c, user=writers["horqin-staff"], date=D(2022, 1, 3), reason="重复")
    assert_firsts_true()
    days = DonationDay.objects.filter(chapter=tree.naiman)
    kept = {(r.status, r.date): (r.rows, r.gifts, r.cash) for r in days}
    assert kept == {
        ("standing", D(2020, 5, 20)): (1, 1, Decimal("150.00")),
        ("voided", D(2020, 5, 8)): (1, 1, Decimal("200.00")),
        ("standing", D(2021, 1, 3)): (1, 1, Decimal("300.00")),
    }
    first = DonorFirst.objects.get(donor=a.donor, ever=True, every_drive=True)
    assert first.first_date == D(2020, 5, 20)


def test_an_import_and_its_undo_keep_the_daily_totals_true(tree, writers):
    fund = FundFactory(chapter=tree.naiman, name="大病救助基金")
    give(tree.naiman, D(2021, 3, 1), "旧", "50", fund)
    rows = [
        {
            "捐赠日期": D(2021, 3, day), "捐赠人": f"人{day % 4}", "捐赠人类型": "个人",
            "入账基金": "大病救助基金", "捐赠方式": "现金", "金额": 100 * day,
        }
        for day in range(1, 11)
    ]  # fmt: skip
    batch = import_records(
        workbook({"捐赠": rows}), chapter=tree.naiman, user=writers["staff"], filename="t.xlsx"
    ).batch
    assert_firsts_true()
    assert DonationDay.objects.filter(status="standing").count() == 10
    import_undo(batch, user=writers["staff"])
    assert_firsts_true()
    voided = DonationDay.objects.filter(status="voided")
    assert sorted(voided.values_list("date", "rows")) == [(D(2021, 3, day), 1) for day in range(1, 11)]


@pytest.fixture
def gifts(tree, writers):
    """Gifts of the city's two counties over two years, in and outside a drive, a void, a reversal."""
    fund = FundFactory(chapter=tree.naiman, name="博爱一日捐")
    drive = DriveFactory(fund=fund, chapter=tree.naiman, start_date=D(2020, 5, 1), end_date=D(2020, 12, 31))
    give(tree.naiman, D(2020, 5, 5), "甲", "100", fund, drive=drive)
    give(tree.naiman, D(2020, 6, 1), "甲", "100", fund, drive=drive)  # the same donor again
    give(tree.naiman, D(2020, 3, 1), "甲", "70", fund)  # and outside the drive
    give(tree.naiman, D(2020, 6, 1), "乙", "250.50", fund, drive=drive)
    give(
        tree.naiman, D(2020, 7, 1), "丙", "3000", fund, kind=DonationKind.IN_KIND, goods="口罩",
        valuation_basis="invoice",
    )  # fmt: skip
    record_void(give(tree.naiman, D(2020, 2, 1), "丁", "70", fund), user=writers["staff"], reason="录错")
    give(tree.naiman, D(2021, 2, 1), "乙", "60", fund)
    give(tree.horqin, D(2020, 7, 1), "戊", "300", FundFactory(chapter=tree.horqin))
    give(tree.hanyin, D(2020, 3, 1), "外省", "999", FundFactory(chapter=tree.hanyin))  # not the city's
    period_close(chapter=tree.naiman, user=writers["leader"], kind=PeriodKind.YEAR, year=2020)
    record_reverse(Donation.objects.get(donor__name="乙", date=D(2020, 6, 1)), user=writers["staff"],
                   date=D(2021, 1, 2), reason="重复")  # fmt: skip
    return {"drive": drive, "fund": fund}


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"chapter": "CITY"},
        {"date_after": "2020-01-01", "date_before": "2020-12-31"},
        {"date_after": "2020-01-01", "date_before": "2020-06-30", "drive": "DRIVE"},
        {"date_before": "2020-06-30"},
        {"date_after": "2020-02-15"},  # not a year's start: donors from the gifts
        {"without_drive": "true"},
        {"without_drive": "false"},
        {"drive": "DRIVE"},
        {"fund": "FUND"},
        {"kind": "in_kind"},
        {"status": "voided"},
        {"status": "standing"},
        {"status": "reversal"},
        {"q": "甲"},
    ],
)
def test_the_lists_figures_equal_the_gifts_own(client, tree, writers, gifts, params):
    values = {"CITY": tree.tongliao.pk, "DRIVE": gifts["drive"].pk, "FUND": gifts["fund"].pk}
    params = {key: values.get(value, value) for key, value in params.items()}
    client.force_login(writers["city"])
    context = client.get(reverse("donations:donation-list"), params).context

    class Request:
        user = writers["city"]

    visible = Donation.all_objects.visible_to(Access(writers["city"]))
    filterset = DonationFilterSet(params, queryset=visible, request=Request())
    assert filterset.is_valid()
    records = filterset.qs
    assert context["totals"] == donation_totals(records.filter(voided_at__isnull=True))
    assert context["paginator"].count in (None, records.count())


def test_the_home_page_and_a_drives_page_read_what_the_gifts_say(tree, writers, gifts):
    start, end = D(2020, 1, 1), D(2020, 12, 31)
    total, by_drive = year_donation_totals(tree.tongliao, start, end)
    year = Donation.objects.for_chapter(tree.tongliao).in_period(start, end)
    assert total == donation_totals(year)
    assert (total.count, total.donors, total.amount) == (6, 4, Decimal("3820.50"))
    assert [(row.drive_name, row.count, row.donors, row.amount) for row in by_drive] == [
        (gifts["drive"].name, 3, 2, Decimal("450.50")),
        ("", 3, 3, Decimal("3370.00")),
    ]
    assert drive_totals(gifts["drive"]) == donation_totals(Donation.objects.filter(drive=gifts["drive"]))


def test_the_drives_lists_totals_line_reads_what_the_gifts_say(client, tree, writers, gifts):
    other = DriveFactory(
        fund=gifts["fund"], chapter=tree.naiman, start_date=D(2021, 1, 1), end_date=D(2021, 6, 30), goal=5000
    )
    give(tree.naiman, D(2021, 3, 1), "甲", "80", gifts["fund"], drive=other)
    client.force_login(writers["city"])
    totals = client.get(reverse("donations:drive-list")).context["totals"]
    gifts_of_drives = donation_totals(Donation.objects.filter(drive__in=[gifts["drive"], other]))
    assert (totals["count"], totals["goal"]) == (2, Decimal("5000.00") + (gifts["drive"].goal or 0))
    donations = totals["donations"]
    assert (donations.count, donations.cash, donations.in_kind) == (
        gifts_of_drives.count, gifts_of_drives.cash, gifts_of_drives.in_kind
    )
    # 100 + 100 + 250.50 to the first drive and 80 to the second.
    assert (donations.count, donations.amount, donations.donors) == (4, Decimal("530.50"), None)


def test_payouts_and_fund_balances_read_from_kept_totals_equal_the_records(client, tree, writers, gifts):
    from aid.models import AidCategory
    from aid.services import disbursement_record
    from donations.models import Fund, Payout, PayoutDay
    from donations.selectors import fund_balance, funds_with_balance, funds_with_flows, payout_totals

    fund = gifts["fund"]
    first = payout_record(
        chapter=tree.naiman, user=None, date=D(2021, 8, 1), fund=fund, recipient="县指挥部", purpose="防控",
        cash_amount=Decimal("100.00"), in_kind_amount=Decimal("20.00"),
    )  # fmt: skip
    payout_record(
        chapter=tree.naiman, user=None, date=D(2021, 3, 1), fund=fund, recipient="县医院", purpose="防控",
        cash_amount=Decimal("30.00"),
    )  # fmt: skip
    record_void(first, user=writers["staff"], reason="重复")
    disbursement_record(
        chapter=tree.naiman, user=None, date=D(2021, 4, 1), category=AidCategory.objects.get(name="救灾救助"),
        beneficiary_name="己", cash_amount=Decimal("40.00"), fund=fund,
    )  # fmt: skip
    assert_kept_true(Payout)
    assert PayoutDay.objects.filter(status="voided").count() == 1
    for row in funds_with_balance(Fund.objects.all()):
        assert row.balance == fund_balance(row), row.name
    flows = funds_with_flows(Fund.objects.filter(pk=fund.pk), start=D(2021, 1, 1), end=D(2021, 12, 31)).get()
    assert (flows.received, flows.paid) == (Decimal("60.00") - Decimal("250.50"), Decimal("70.00"))
    client.force_login(writers["city"])
    for params in ({}, {"fund": fund.pk}, {"q": "医院"}, {"status": "voided"}):
        shown = client.get(reverse("donations:payout-list"), params).context["totals"]
        records = Payout.all_objects.filter(voided_at__isnull=True)
        if params.get("q"):
            records = records.filter(recipient__contains="医院")
        if params.get("status"):
            records = Payout.objects.none()
        assert shown == payout_totals(records), params

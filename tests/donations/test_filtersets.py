"""One test per filter of the donation, donor, fund, drive and payout lists: the rows each keeps."""

import datetime
from decimal import Decimal

import pytest
from django.test import RequestFactory

from donations.choices import DonationKind, DonorKind, ValuationBasis
from donations.filtersets import (
    DonationFilterSet,
    DonorFilterSet,
    DriveFilterSet,
    FundFilterSet,
    FundLedgerFilterSet,
    PayoutFilterSet,
)
from donations.models import Donation, Donor, Drive, Fund, Payout
from redcross.choices import Role
from redcross.corrections import record_void

from ..factories import (
    DonationFactory,
    DonorFactory,
    DriveFactory,
    FundFactory,
    PayoutFactory,
    ProjectFactory,
)

D = datetime.date
MODELS = {
    DonationFilterSet: Donation.all_objects,
    DonorFilterSet: Donor.objects,
    FundFilterSet: Fund.objects,
    FundLedgerFilterSet: Fund.objects,
    DriveFilterSet: Drive.objects,
    PayoutFilterSet: Payout.all_objects,
}


@pytest.fixture
def filtered(tree, member):
    """``filtered(FilterSet, params, role=..., chapter=...)``: the ids of the rows the filter keeps."""

    def run(filterset_class, params, role=Role.STAFF, chapter=None):
        request = RequestFactory().get("/donations/", params)
        request.user = member(role, chapter or tree.naiman)
        filterset = filterset_class(request.GET, queryset=MODELS[filterset_class].all(), request=request)
        assert filterset.is_valid(), filterset.errors
        return set(filterset.qs.values_list("pk", flat=True))

    return run


@pytest.fixture
def fund(tree):
    return FundFactory(chapter=tree.naiman, name="博爱一日捐基金")


# --- Donations --------------------------------------------------------------------------------


def test_donation_period_keeps_both_ends(fund, filtered):
    d = [DonationFactory(fund=fund, date=day) for day in (D(2020, 6, 30), D(2020, 7, 1), D(2020, 1, 1))]
    assert filtered(DonationFilterSet, {"date_after": "2020-01-01", "date_before": "2020-06-30"}) == {
        d[0].pk,
        d[2].pk,
    }


def test_donation_drive_and_without_drive(fund, filtered):
    drive = DriveFactory(fund=fund)
    in_drive = DonationFactory(fund=fund, drive=drive)
    outside = DonationFactory(fund=fund)
    assert filtered(DonationFilterSet, {"drive": drive.pk}) == {in_drive.pk}
    assert filtered(DonationFilterSet, {"without_drive": "true"}) == {outside.pk}


def test_donation_fund(tree, fund, filtered):
    mine = DonationFactory(fund=fund)
    DonationFactory(fund=FundFactory(chapter=tree.naiman))
    assert filtered(DonationFilterSet, {"fund": fund.pk}) == {mine.pk}


def test_donation_kind(fund, filtered):
    goods = DonationFactory(
        fund=fund,
        kind=DonationKind.IN_KIND,
        goods="口罩",
        quantity=Decimal("100"),
        unit="只",
        valuation_basis=ValuationBasis.INVOICE,
    )
    DonationFactory(fund=fund)
    assert filtered(DonationFilterSet, {"kind": "in_kind"}) == {goods.pk}


def test_donation_donor(tree, fund, filtered):
    donor = DonorFactory(chapter=tree.naiman)
    mine = DonationFactory(fund=fund, donor=donor)
    DonationFactory(fund=fund)
    assert filtered(DonationFilterSet, {"donor": donor.pk}) == {mine.pk}


def test_donation_anonymous(fund, filtered):
    hidden = DonationFactory(fund=fund, anonymous=True)
    named = DonationFactory(fund=fund)
    assert filtered(DonationFilterSet, {"anonymous": "true"}) == {hidden.pk}
    assert filtered(DonationFilterSet, {"anonymous": "false"}) == {named.pk}


def test_donation_free_text_matches_donor_and_goods(tree, fund, filtered):
    by_donor = DonationFactory(fund=fund, donor=DonorFactory(chapter=tree.naiman, name="口罩厂"))
    by_goods = DonationFactory(
        fund=fund,
        kind=DonationKind.IN_KIND,
        goods="医用口罩",
        quantity=Decimal("10"),
        unit="箱",
        valuation_basis=ValuationBasis.INVOICE,
    )
    DonationFactory(fund=fund, donor=DonorFactory(chapter=tree.naiman, name="爱心人士"))
    assert filtered(DonationFilterSet, {"q": " 口罩 "}) == {by_donor.pk, by_goods.pk}


def test_donation_status(fund, filtered, staff):
    standing = DonationFactory(fund=fund)
    voided = DonationFactory(fund=fund)
    record_void(voided, user=staff, reason="重复登记")
    assert filtered(DonationFilterSet, {"status": "standing"}) == {standing.pk}
    assert filtered(DonationFilterSet, {"status": "voided"}) == {voided.pk}


def test_donation_chapter_keeps_the_chapter_and_those_below_it(tree, fund, filtered):
    naiman = DonationFactory(fund=fund)
    horqin = DonationFactory(fund=FundFactory(chapter=tree.horqin))
    DonationFactory(fund=FundFactory(chapter=tree.hanyin))
    params = {"chapter": tree.tongliao.pk}
    assert filtered(DonationFilterSet, params, Role.LEADER, tree.tongliao) == {naiman.pk, horqin.pk}


def test_donation_fund_of_another_branch_is_not_a_choice(tree, member):
    request = RequestFactory().get("/donations/")
    request.user = member(Role.STAFF, tree.naiman)
    other = FundFactory(chapter=tree.hanyin)
    filterset = DonationFilterSet({"fund": other.pk}, queryset=Donation.objects.all(), request=request)
    assert not filterset.is_valid() and "fund" in filterset.errors


# --- Donors, funds, drives --------------------------------------------------------------------


def test_donor_kind_public_name_and_text(tree, filtered):
    company = DonorFactory(
        chapter=tree.naiman, name="爱心企业", kind=DonorKind.ORGANISATION, named_in_public=True
    )
    person = DonorFactory(chapter=tree.naiman, name="王秀英", named_in_public=False)
    assert filtered(DonorFilterSet, {"kind": "organisation"}) == {company.pk}
    assert filtered(DonorFilterSet, {"named_in_public": "true"}) == {company.pk}
    assert filtered(DonorFilterSet, {"named_in_public": "false"}) == {person.pk}
    assert filtered(DonorFilterSet, {"q": "秀英"}) == {person.pk}


def test_fund_restriction_and_text(tree, category, filtered):
    to_relief = FundFactory(chapter=tree.naiman, name="助学基金", restricted_category=category["助学"])
    to_project = FundFactory(
        chapter=tree.naiman, name="示范校基金", restricted_project=ProjectFactory(chapter=tree.naiman)
    )
    general = FundFactory(chapter=tree.naiman, name="综合基金")
    assert filtered(FundFilterSet, {"restriction": "restricted"}) == {to_relief.pk, to_project.pk}
    assert filtered(FundFilterSet, {"restriction": "unrestricted"}) == {general.pk}
    assert filtered(FundFilterSet, {"q": "助学"}) == {to_relief.pk}


def test_the_ledger_period_keeps_every_fund_and_its_fund_picks_one(tree, fund, filtered):
    other = FundFactory(chapter=tree.naiman)
    params = {"date_after": "2020-01-01", "date_before": "2020-01-31"}
    assert filtered(FundLedgerFilterSet, params) == {fund.pk, other.pk}
    assert filtered(FundLedgerFilterSet, {**params, "fund": other.pk}) == {other.pk}


def test_drive_period_is_its_start_fund_and_name(tree, fund, filtered):
    spring = DriveFactory(fund=fund, name="春节慰问募捐", start_date=D(2021, 1, 1), end_date=D(2021, 2, 28))
    day = DriveFactory(fund=fund, name="博爱一日捐", start_date=D(2020, 5, 1), end_date=D(2021, 6, 30))
    elsewhere = DriveFactory(fund=FundFactory(chapter=tree.naiman), name="疫情防控专项")
    assert filtered(DriveFilterSet, {"date_after": "2021-01-01"}) == {spring.pk}
    assert filtered(DriveFilterSet, {"fund": fund.pk}) == {spring.pk, day.pk}
    assert filtered(DriveFilterSet, {"q": "专项"}) == {elsewhere.pk}


# --- Payouts ----------------------------------------------------------------------------------


def test_payout_period_fund_text_and_status(tree, fund, filtered, staff):
    march = PayoutFactory(fund=fund, date=D(2020, 3, 1), recipient="疫情防控指挥部", purpose="转拨")
    april = PayoutFactory(
        fund=FundFactory(chapter=tree.naiman), date=D(2020, 4, 1), recipient="第四中学", purpose="防疫物资"
    )
    record_void(april, user=staff, reason="拨付撤回")
    assert filtered(PayoutFilterSet, {"date_before": "2020-03-31"}) == {march.pk}
    assert filtered(PayoutFilterSet, {"fund": fund.pk}) == {march.pk}
    assert filtered(PayoutFilterSet, {"q": "防疫"}) == {april.pk}  # the purpose
    assert filtered(PayoutFilterSet, {"q": "指挥部"}) == {march.pk}  # the recipient
    assert filtered(PayoutFilterSet, {"status": "voided"}) == {april.pk}
    assert filtered(PayoutFilterSet, {"status": "standing"}) == {march.pk}

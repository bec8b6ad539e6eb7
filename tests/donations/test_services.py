"""The rules of donations and funds: donor intent, a balance never below zero, receipts never edited."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from aid.services import disbursement_record
from donations.choices import DonationKind, ValuationBasis
from donations.models import Receipt
from donations.selectors import fund_balance
from donations.services import (
    donation_correct,
    donation_record,
    fund_create,
    payout_record,
    receipt_issue,
    receipt_void,
)
from projects.services import expenditure_record

from ..factories import DonorFactory, DriveFactory, ProjectFactory

D = datetime.date


@pytest.fixture
def donor(tree):
    return DonorFactory(chapter=tree.naiman, name="奈曼旗直属机关干部职工")


def give(chapter, donor, fund=None, amount="1000.00", **fields):
    return donation_record(
        chapter=chapter,
        user=None,
        date=D(2020, 5, 8),
        donor=donor,
        fund=fund,
        amount=Decimal(amount),
        **fields,
    )


def test_a_fund_restricted_to_a_category_refuses_other_relief(tree, category, donor):
    fund = fund_create(chapter=tree.naiman, user=None, name="助飞梦想", restricted_category=category["助学"])
    give(tree.naiman, donor, fund, "5000")
    with pytest.raises(ValidationError) as refused:
        disbursement_record(
            chapter=tree.naiman,
            user=None,
            date=D(2020, 9, 1),
            category=category["救灾救助"],
            beneficiary_name="王秀英",
            cash_amount=Decimal("100"),
            fund=fund,
        )
    assert refused.value.message_dict["fund"] == ["该基金限定用于“助学”，不能用于其他用途"]
    paid = disbursement_record(
        chapter=tree.naiman,
        user=None,
        date=D(2020, 9, 1),
        category=category["助学"],
        beneficiary_name="王秀英",
        cash_amount=Decimal("1000"),
        fund=fund,
    )
    assert paid.fund == fund
    assert fund_balance(fund) == Decimal("4000.00")


def test_a_fund_restricted_to_a_project_pays_only_that_project(tree, category, donor):
    school, other = ProjectFactory(chapter=tree.naiman, name="示范校"), ProjectFactory(chapter=tree.naiman)
    fund = fund_create(chapter=tree.naiman, user=None, name="示范校资金", restricted_project=school)
    give(tree.naiman, donor, fund, "80000")
    for attempt in (
        lambda: expenditure_record(
            chapter=tree.naiman,
            user=None,
            date=D(2020, 9, 5),
            project=other,
            amount=Decimal("100"),
            fund=fund,
        ),
        lambda: disbursement_record(
            chapter=tree.naiman,
            user=None,
            date=D(2020, 9, 1),
            category=category["助学"],
            beneficiary_name="李四",
            cash_amount=Decimal("100"),
            fund=fund,
        ),
        lambda: payout_record(
            chapter=tree.naiman,
            user=None,
            date=D(2020, 9, 1),
            fund=fund,
            recipient="某单位",
            purpose="其他",
            cash_amount=Decimal("100"),
        ),
    ):
        with pytest.raises(ValidationError) as refused:
            attempt()
        assert refused.value.message_dict["fund"] == ["该基金限定用于项目“示范校”，不能用于其他用途"]
    expenditure_record(
        chapter=tree.naiman, user=None, date=D(2020, 9, 5), project=school, amount=Decimal("80000"), fund=fund
    )
    assert fund_balance(fund) == Decimal("0.00")


def test_no_spending_takes_a_fund_below_zero(tree, category, donor):
    fund = fund_create(chapter=tree.naiman, user=None, name="博爱一日捐")
    give(tree.naiman, donor, fund, "1000")
    project = ProjectFactory(chapter=tree.naiman)
    expenditure_record(
        chapter=tree.naiman, user=None, date=D(2020, 6, 1), project=project, amount=Decimal("600"), fund=fund
    )
    with pytest.raises(ValidationError) as refused:
        payout_record(
            chapter=tree.naiman,
            user=None,
            date=D(2020, 6, 2),
            fund=fund,
            recipient="指挥部",
            purpose="疫情防控",
            cash_amount=Decimal("400.01"),
        )
    assert refused.value.message_dict["fund"] == [
        "基金“博爱一日捐”余额不足：可用 400.00 元，本次需 400.01 元"
    ]
    # Cash and goods apart (issue 20): cash pays no goods.
    with pytest.raises(ValidationError) as refused:
        payout_record(
            chapter=tree.naiman,
            user=None,
            date=D(2020, 6, 2),
            fund=fund,
            recipient="指挥部",
            purpose="疫情防控",
            in_kind_amount=Decimal("400.00"),
        )
    assert "现金不能充作物资" in refused.value.message_dict["fund"][0]
    payout_record(
        chapter=tree.naiman,
        user=None,
        date=D(2020, 6, 2),
        fund=fund,
        recipient="指挥部",
        purpose="疫情防控",
        cash_amount=Decimal("400.00"),
    )
    assert fund_balance(fund) == Decimal("0.00")


def test_correcting_a_donation_cannot_take_back_money_already_spent(tree, category, donor):
    fund = fund_create(chapter=tree.naiman, user=None, name="博爱一日捐")
    gift = give(tree.naiman, donor, fund, "1000")
    disbursement_record(
        chapter=tree.naiman,
        user=None,
        date=D(2020, 6, 1),
        category=category["其他救助"],
        beneficiary_name="王五",
        cash_amount=Decimal("800"),
        fund=fund,
    )
    with pytest.raises(ValidationError) as refused:
        donation_correct(
            donation=gift, user=None, date=gift.date, donor=donor, fund=fund, amount=Decimal("700")
        )
    assert "款项已经支出，更正后余额将为负数" in refused.value.message_dict["amount"][0]
    gift.refresh_from_db()
    assert gift.amount == Decimal("1000.00")
    donation_correct(donation=gift, user=None, date=gift.date, donor=donor, fund=fund, amount=Decimal("800"))
    assert fund_balance(fund) == Decimal("0.00")


def test_an_in_kind_donation_needs_its_goods_and_the_basis_of_its_value(tree, donor):
    fund = fund_create(chapter=tree.naiman, user=None, name="疫情防控")
    with pytest.raises(ValidationError) as refused:
        give(tree.naiman, donor, fund, "150000", kind=DonationKind.IN_KIND)
    assert refused.value.message_dict == {
        "goods": ["物资捐赠必须填写物资名称"],
        "valuation_basis": ["物资捐赠必须填写折价依据"],
    }
    gift = give(
        tree.naiman,
        donor,
        fund,
        "150000",
        kind=DonationKind.IN_KIND,
        goods="医用外科口罩",
        quantity=Decimal("50000"),
        unit="只",
        valuation_basis=ValuationBasis.INVOICE,
    )
    assert (gift.goods, gift.quantity, gift.unit, gift.amount) == (
        "医用外科口罩",
        Decimal("50000"),
        "只",
        Decimal("150000.00"),
    )


def test_a_donation_to_a_drive_goes_to_the_drive_fund_within_its_dates(tree, donor):
    drive = DriveFactory(fund__chapter=tree.naiman)
    gift = give(tree.naiman, donor, drive=drive)
    assert gift.fund == drive.fund
    with pytest.raises(ValidationError) as refused:
        donation_record(
            chapter=tree.naiman, user=None, date=D(2020, 7, 1), donor=donor, drive=drive, amount=Decimal("10")
        )
    assert refused.value.message_dict["date"] == [
        "捐赠日期不在募捐活动“博爱一日捐”期间（2020-05-01 至 2020-06-30）"
    ]


def test_a_receipt_is_not_dated_before_its_gift(tree, donor, staff):
    fund = fund_create(chapter=tree.naiman, user=None, name="博爱一日捐")
    gift = give(tree.naiman, donor, fund)
    with pytest.raises(ValidationError) as refused:
        day_before = gift.date - datetime.timedelta(1)
        receipt_issue(donation=gift, user=staff, number="NM2020-0001", issued_on=day_before)
    assert refused.value.message_dict["issued_on"] == [f"开具日期不能早于捐赠日期（{gift.date.isoformat()}）"]
    assert list(Receipt.objects.values_list("number")) == []
    receipt_issue(donation=gift, user=staff, number="NM2020-0001", issued_on=gift.date)
    assert list(Receipt.objects.values_list("number", "issued_on")) == [("NM2020-0001", gift.date)]


def test_a_receipt_is_voided_with_its_reason_and_reissued_never_edited(tree, donor, staff):
    fund = fund_create(chapter=tree.naiman, user=None, name="博爱一日捐")
    gift = give(tree.naiman, donor, fund, receipt_number="NM2020-0001")
    first = gift.receipts.get()

    with pytest.raises(ValidationError) as refused:
        receipt_issue(donation=gift, user=staff, number="NM2020-0002", issued_on=D(2020, 5, 9))
    assert refused.value.message_dict["number"] == ["该捐赠已开具票据“NM2020-0001”；如需更换，请先作废原票据"]
    with pytest.raises(ValidationError) as refused:
        receipt_void(receipt=first, user=staff, reason=" ")
    assert refused.value.message_dict["reason"] == ["请填写作废原因"]

    second = receipt_void(
        receipt=first, user=staff, reason="抬头写错", new_number="NM2020-0002", new_issued_on=D(2020, 5, 10)
    )
    first.refresh_from_db()
    assert (first.is_void, first.void_reason, first.voided_by) == (True, "抬头写错", staff)
    assert (second.number, second.is_void, second.donation) == ("NM2020-0002", False, gift)
    assert list(gift.receipts.values_list("number", "void_reason")) == [
        ("NM2020-0001", "抬头写错"),
        ("NM2020-0002", ""),
    ]

    other = give(tree.naiman, donor, fund)
    with pytest.raises(ValidationError) as refused:
        receipt_issue(donation=other, user=staff, number="NM2020-0001", issued_on=D(2020, 5, 9))
    assert refused.value.message_dict["number"] == ["票据号“NM2020-0001”已经使用过（含已作废的票据）"]
    with pytest.raises(ValidationError):
        receipt_void(receipt=first, user=staff, reason="再次作废")
    assert Receipt.objects.count() == 2


def test_a_fund_cannot_be_restricted_to_both_a_category_and_a_project(tree, category):
    with pytest.raises(ValidationError) as refused:
        fund_create(
            chapter=tree.naiman,
            user=None,
            name="双重限定",
            restricted_category=category["助学"],
            restricted_project=ProjectFactory(chapter=tree.naiman),
        )
    assert refused.value.message_dict["restricted_project"] == [
        "限定用途只能是一个救助类别或一个项目，不能同时指定"
    ]

"""Recording and correcting relief payments, and the fund rules every payment obeys."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from aid.models import Beneficiary, Disbursement
from aid.services import disbursement_correct, disbursement_record

from ..factories import DonationFactory, FundFactory, valid_id_number

D = datetime.date(2020, 6, 15)


def record(tree, categories, **kwargs):
    kwargs.setdefault("chapter", tree.naiman)
    kwargs.setdefault("user", None)
    kwargs.setdefault("date", D)
    kwargs.setdefault("category", categories["重特大疾病救助"])
    return disbursement_record(**kwargs)


def test_a_payment_to_a_named_person_is_recorded_with_its_beneficiary(tree, category, staff):
    id_number = valid_id_number(serial=1)

    payment = record(
        tree,
        category,
        user=staff,
        beneficiary_name="王秀英",
        id_number=id_number.lower(),
        township="八仙筒镇",
        cash_amount=Decimal("2400.50"),
    )

    payment.refresh_from_db()
    assert payment.beneficiary.name == "王秀英"
    assert payment.beneficiary.id_number == id_number  # upper-cased
    assert payment.cash_amount == Decimal("2400.50")
    assert (payment.head_count, payment.cases) == (1, 1)
    assert payment.created_by == staff


def test_a_group_payment_counts_its_head_count_and_one_case_per_person(tree, category):
    payment = record(
        tree,
        category,
        category=category["救灾救助"],
        township="新镇",
        head_count=50,
        cash_amount=Decimal("25000"),
    )
    assert payment.beneficiary is None
    assert (payment.head_count, payment.cases) == (50, 50)


def test_the_same_id_number_is_the_same_person(tree, category):
    id_number = valid_id_number(serial=2)
    first = record(tree, category, beneficiary_name="李桂兰", id_number=id_number, cash_amount=1)
    second = record(tree, category, beneficiary_name="李桂兰", id_number=id_number, cash_amount=2)
    assert first.beneficiary_id == second.beneficiary_id
    assert Beneficiary.objects.count() == 1


def test_without_id_number_name_and_township_identify_the_person(tree, category):
    a = record(tree, category, beneficiary_name="张伟", township="新镇", cash_amount=1)
    b = record(tree, category, beneficiary_name="张伟", township="新镇", cash_amount=1)
    c = record(tree, category, beneficiary_name="张伟", township="东明镇", cash_amount=1)
    assert a.beneficiary_id == b.beneficiary_id != c.beneficiary_id


def test_an_id_number_held_under_another_name_is_refused(tree, category):
    id_number = valid_id_number(serial=3)
    record(tree, category, beneficiary_name="刘洋", id_number=id_number, cash_amount=1)
    with pytest.raises(ValidationError) as error:
        record(tree, category, beneficiary_name="刘阳", id_number=id_number, cash_amount=1)
    assert error.value.message_dict["id_number"] == [
        "该身份证号已登记在受助人“刘洋”名下，请核对姓名或身份证号"
    ]


def test_both_amounts_zero_is_refused(tree, category):
    with pytest.raises(ValidationError) as error:
        record(tree, category, beneficiary_name="陈静", cash_amount=0, in_kind_amount=0)
    assert error.value.message_dict["cash_amount"] == ["现金金额和物资折价不能都为零"]
    assert Disbursement.objects.count() == 0


def test_a_negative_amount_is_refused(tree, category):
    with pytest.raises(ValidationError) as error:
        record(tree, category, beneficiary_name="陈静", cash_amount=Decimal("-5"), in_kind_amount=10)
    assert "金额不能为负数" in error.value.message_dict["cash_amount"]


def test_a_bad_id_number_is_refused_and_nothing_is_saved(tree, category):
    bad = valid_id_number(serial=4)[:17] + "Y"
    with pytest.raises(ValidationError):
        record(tree, category, beneficiary_name="杨勇", id_number=bad, cash_amount=1)
    assert Disbursement.objects.count() == 0
    assert Beneficiary.objects.count() == 0


def test_a_payment_within_the_fund_balance_is_drawn_from_it(tree, category):
    fund = FundFactory(chapter=tree.naiman)
    DonationFactory(fund=fund, amount=Decimal("5000"))
    payment = record(tree, category, beneficiary_name="赵敏", cash_amount=Decimal("5000"), fund=fund)
    assert payment.fund == fund


def test_a_payment_that_would_take_the_fund_below_zero_is_refused(tree, category):
    fund = FundFactory(chapter=tree.naiman, name="博爱一日捐")
    DonationFactory(fund=fund, amount=Decimal("5000"))
    record(tree, category, beneficiary_name="赵敏", cash_amount=Decimal("3000"), fund=fund)

    with pytest.raises(ValidationError) as error:
        record(
            tree,
            category,
            beneficiary_name="孙杰",
            cash_amount=Decimal("1500"),
            in_kind_amount=Decimal("500.01"),
            fund=fund,
        )

    # Cash and goods apart (issue 20): the fund's 2,000 元 of cash pays no goods.
    assert error.value.message_dict["fund"] == [
        "基金“博爱一日捐”的物资不足：现有物资折价 0.00 元，本次需 500.01 元（现金不能充作物资）"
    ]
    with pytest.raises(ValidationError) as error:
        record(tree, category, beneficiary_name="孙杰", cash_amount=Decimal("2000.01"), fund=fund)
    assert error.value.message_dict["fund"] == [
        "基金“博爱一日捐”余额不足：可用 2,000.00 元，本次需 2,000.01 元"
    ]
    assert Disbursement.objects.filter(fund=fund).count() == 1


def test_a_restricted_fund_is_refused_for_another_purpose(tree, category):
    fund = FundFactory(chapter=tree.naiman, restricted_category=category["助学"])
    DonationFactory(fund=fund, amount=Decimal("5000"))
    with pytest.raises(ValidationError) as error:
        record(tree, category, beneficiary_name="周涛", cash_amount=100, fund=fund)
    assert error.value.message_dict["fund"] == ["该基金限定用于“助学”，不能用于其他用途"]
    assert record(
        tree, category, category=category["助学"], beneficiary_name="周涛", cash_amount=100, fund=fund
    )


def test_another_chapters_fund_is_refused(tree, category):
    fund = FundFactory(chapter=tree.horqin)
    DonationFactory(fund=fund, amount=Decimal("5000"))
    with pytest.raises(ValidationError) as error:
        record(tree, category, beneficiary_name="吴超", cash_amount=100, fund=fund)
    assert error.value.message_dict["fund"] == ["只能使用本会的基金"]


def test_correcting_a_payment_rechecks_the_fund_without_counting_the_old_amount(tree, category):
    fund = FundFactory(chapter=tree.naiman)
    DonationFactory(fund=fund, amount=Decimal("5000"))
    payment = record(tree, category, beneficiary_name="徐霞", cash_amount=Decimal("4000"), fund=fund)

    corrected = disbursement_correct(
        disbursement=payment,
        user=None,
        date=D,
        category=category["重特大疾病救助"],
        beneficiary_name="徐霞",
        cash_amount=Decimal("5000"),
        fund=fund,
    )
    assert corrected.cash_amount == Decimal("5000.00")

    with pytest.raises(ValidationError):
        disbursement_correct(
            disbursement=payment,
            user=None,
            date=D,
            category=category["重特大疾病救助"],
            beneficiary_name="徐霞",
            cash_amount=Decimal("5000.01"),
            fund=fund,
        )
    payment.refresh_from_db()
    assert payment.cash_amount == Decimal("5000.00")


def test_correcting_a_named_payment_into_a_group_payment(tree, category):
    payment = record(tree, category, beneficiary_name="胡平", cash_amount=100)
    corrected = disbursement_correct(
        disbursement=payment,
        user=None,
        date=D,
        category=category["救灾救助"],
        township="新镇",
        head_count=12,
        cash_amount=Decimal("1200"),
    )
    assert corrected.beneficiary is None
    assert (corrected.head_count, corrected.cases) == (12, 12)

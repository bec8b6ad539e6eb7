"""Totals per category: amount, distinct persons, cases — computed in the database."""

import datetime
from decimal import Decimal

from aid.models import Disbursement
from aid.selectors import disbursement_totals, disbursement_totals_by_category, relief_years

from ..factories import BeneficiaryFactory, DisbursementFactory


def test_persons_are_counted_once_and_cases_per_operation(tree, category):
    cataract = category["光明行白内障手术"]
    twice = BeneficiaryFactory(chapter=tree.naiman)
    DisbursementFactory(
        chapter=tree.naiman, category=cataract, beneficiary=twice, in_kind_amount=1800, cash_amount=0
    )
    DisbursementFactory(
        chapter=tree.naiman, category=cataract, beneficiary=twice, in_kind_amount=1800, cash_amount=0
    )
    DisbursementFactory(chapter=tree.naiman, category=cataract, cases=2, in_kind_amount=3600, cash_amount=0)
    DisbursementFactory(chapter=tree.naiman, category=cataract, in_kind_amount=1800, cash_amount=0)

    totals = disbursement_totals(Disbursement.objects.all())

    assert totals.persons == 3
    assert totals.cases == 5
    assert totals.count == 4
    assert totals.amount == Decimal("9000.00")


def test_group_head_counts_add_up_with_named_persons(tree, category):
    relief = category["救灾救助"]
    DisbursementFactory(chapter=tree.naiman, category=relief, beneficiary=None, head_count=50, cases=50)
    DisbursementFactory(chapter=tree.naiman, category=relief, beneficiary=None, head_count=60, cases=60)
    DisbursementFactory(chapter=tree.naiman, category=relief)

    totals = disbursement_totals(Disbursement.objects.all())

    assert (totals.persons, totals.cases) == (111, 111)


def test_totals_per_category_in_category_order(tree, category):
    person = BeneficiaryFactory(chapter=tree.naiman)
    DisbursementFactory(
        chapter=tree.naiman, category=category["助学"], beneficiary=person, cash_amount=Decimal("1000.10")
    )
    DisbursementFactory(
        chapter=tree.naiman,
        category=category["重特大疾病救助"],
        beneficiary=person,
        cash_amount=Decimal("2000.20"),
        in_kind_amount=Decimal("0.05"),
    )
    DisbursementFactory(chapter=tree.naiman, category=category["重特大疾病救助"], cash_amount=Decimal("0.01"))

    rows = disbursement_totals_by_category(Disbursement.objects.all())

    assert [(r.category_name, r.amount, r.persons, r.cases) for r in rows] == [
        ("重特大疾病救助", Decimal("2000.26"), 2, 2),
        ("助学", Decimal("1000.10"), 1, 1),
    ]
    # The same person in two categories is one person overall.
    assert disbursement_totals(Disbursement.objects.all()).persons == 2


def test_totals_are_exact_to_the_fen_over_many_amounts(tree, category):
    for _ in range(300):
        DisbursementFactory(
            chapter=tree.naiman,
            category=category["其他救助"],
            beneficiary=None,
            cash_amount=Decimal("0.10"),
            in_kind_amount=Decimal("0.20"),
        )
    totals = disbursement_totals(Disbursement.objects.all())
    assert totals.cash == Decimal("30.00")
    assert totals.amount == Decimal("90.00")


def test_a_city_sees_its_counties_and_not_the_other_branch(tree, category):
    DisbursementFactory(chapter=tree.naiman, cash_amount=100)
    DisbursementFactory(chapter=tree.horqin, cash_amount=200)
    DisbursementFactory(chapter=tree.tongliao, cash_amount=400)
    DisbursementFactory(chapter=tree.hanyin, cash_amount=800)

    assert disbursement_totals(Disbursement.objects.for_chapter(tree.tongliao)).amount == Decimal("700.00")
    assert disbursement_totals(Disbursement.objects.for_chapter(tree.naiman)).amount == Decimal("100.00")


def test_the_period_includes_both_ends(tree):
    for day in (
        datetime.date(2019, 12, 31),
        datetime.date(2020, 1, 1),
        datetime.date(2020, 12, 31),
        datetime.date(2021, 1, 1),
    ):
        DisbursementFactory(chapter=tree.naiman, date=day, cash_amount=1)
    in_2020 = Disbursement.objects.in_period(datetime.date(2020, 1, 1), datetime.date(2020, 12, 31))
    assert disbursement_totals(in_2020).count == 2
    # The home page's years: from the first relief to the last, of the chapter and those below.
    DisbursementFactory(chapter=tree.horqin, date=datetime.date(2016, 5, 1), cash_amount=1)
    assert relief_years(tree.naiman.subtree()) == [2021, 2020, 2019]
    assert relief_years(tree.tongliao.subtree()) == [2021, 2020, 2019, 2018, 2017, 2016]
    assert relief_years(tree.hanyin.subtree()) == []

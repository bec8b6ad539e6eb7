"""One test per filter of the disbursement list."""

import datetime
from decimal import Decimal

import pytest
from django.test import RequestFactory

from aid.filtersets import DisbursementFilterSet
from aid.models import Disbursement
from redcross.choices import Role

from ..factories import BeneficiaryFactory, DisbursementFactory, FundFactory, valid_id_number


@pytest.fixture
def filtered(tree, member):
    """``filtered(params, role=..., chapter=...)``: the disbursements the filter keeps, as a set of ids."""

    def run(params, role=Role.STAFF, chapter=None):
        request = RequestFactory().get("/aid/", params)
        request.user = member(role, chapter or tree.naiman)
        filterset = DisbursementFilterSet(request.GET, queryset=Disbursement.objects.all(), request=request)
        assert filterset.is_valid(), filterset.errors
        return set(filterset.qs.values_list("pk", flat=True))

    return run


def test_period_keeps_both_ends(tree, filtered):
    days = [datetime.date(2020, 6, 30), datetime.date(2020, 7, 1), datetime.date(2020, 1, 1)]
    d = [DisbursementFactory(chapter=tree.naiman, date=day) for day in days]
    assert filtered({"date_after": "2020-01-01", "date_before": "2020-06-30"}) == {d[0].pk, d[2].pk}
    assert filtered({"date_after": "2020-07-01"}) == {d[1].pk}


def test_category(tree, category, filtered):
    a = DisbursementFactory(chapter=tree.naiman, category=category["助学"])
    DisbursementFactory(chapter=tree.naiman, category=category["救灾救助"])
    assert filtered({"category": category["助学"].pk}) == {a.pk}


def test_township(tree, filtered):
    a = DisbursementFactory(chapter=tree.naiman, beneficiary=None, township="新镇")
    DisbursementFactory(chapter=tree.naiman, beneficiary=None, township="东明镇")
    assert filtered({"township": "新镇"}) == {a.pk}


def test_fund(tree, filtered):
    fund = FundFactory(chapter=tree.naiman)
    a = DisbursementFactory(chapter=tree.naiman, fund=fund)
    DisbursementFactory(chapter=tree.naiman)
    assert filtered({"fund": fund.pk}) == {a.pk}


def test_recipient_person_or_group(tree, filtered):
    person = DisbursementFactory(chapter=tree.naiman)
    group = DisbursementFactory(chapter=tree.naiman, beneficiary=None, head_count=9, cases=9)
    assert filtered({"recipient": "person"}) == {person.pk}
    assert filtered({"recipient": "group"}) == {group.pk}


def test_chapter_keeps_the_chapter_and_those_below_it(tree, filtered):
    naiman = DisbursementFactory(chapter=tree.naiman)
    horqin = DisbursementFactory(chapter=tree.horqin)
    city = DisbursementFactory(chapter=tree.tongliao)
    assert filtered({"chapter": tree.tongliao.pk}, role=Role.LEADER, chapter=tree.tongliao) == {
        naiman.pk,
        horqin.pk,
        city.pk,
    }
    assert filtered({"chapter": tree.horqin.pk}, role=Role.LEADER, chapter=tree.tongliao) == {horqin.pk}


def test_free_text_matches_name_and_id_number_for_staff(tree, filtered):
    id_number = valid_id_number(serial=555)
    a = DisbursementFactory(
        chapter=tree.naiman,
        beneficiary=BeneficiaryFactory(chapter=tree.naiman, name="王秀英", id_number=id_number),
    )
    DisbursementFactory(
        chapter=tree.naiman, beneficiary=BeneficiaryFactory(chapter=tree.naiman, name="李桂兰")
    )
    assert filtered({"q": "秀英"}) == {a.pk}
    assert filtered({"q": id_number}) == {a.pk}
    assert filtered({"q": id_number[-6:]}) == {a.pk}


def test_free_text_does_not_search_id_numbers_for_those_who_see_them_masked(tree, filtered):
    id_number = valid_id_number(serial=556)
    DisbursementFactory(
        chapter=tree.naiman,
        beneficiary=BeneficiaryFactory(chapter=tree.naiman, name="王秀英", id_number=id_number),
        cash_amount=Decimal("1"),
    )
    assert filtered({"q": id_number}, role=Role.LEADER) == set()
    assert len(filtered({"q": "王秀英"}, role=Role.LEADER)) == 1


@pytest.mark.parametrize("at_once", [500, 1])
def test_a_name_found_in_many_people_finds_the_same_payments(tree, filtered, monkeypatch, at_once):
    """The people a name finds are handed over by id, or, when there are more than
    ``PEOPLE_AT_ONCE`` of them, kept as a condition: the same payments either way, and only
    those of the chapters the user reads."""
    import aid.filtersets

    monkeypatch.setattr(aid.filtersets, "PEOPLE_AT_ONCE", at_once)
    zhang = [DisbursementFactory(chapter=tree.naiman, beneficiary=BeneficiaryFactory(chapter=tree.naiman,
             name=name)) for name in ("张三", "张三丰", "李四")]  # fmt: skip
    DisbursementFactory(chapter=tree.horqin, beneficiary=BeneficiaryFactory(chapter=tree.horqin, name="张三"))
    assert filtered({"q": "张三"}) == {zhang[0].pk, zhang[1].pk}
    assert filtered({"q": "李四"}) == {zhang[2].pk}
    assert filtered({"q": "王五"}) == set()

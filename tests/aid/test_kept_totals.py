"""The payments' kept daily totals (``aid.DisbursementDay``) and first days (``aid.PersonFirst``)
equal the payments' own sums after every kind of write — form, correction, void, approval, turn
down, reversal, import and its undo — and the list's totals line, its line of what waits and its
count of rows read from them say what the payments themselves say."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from aid.models import AidCategory, Disbursement, DisbursementDay, PersonFirst
from aid.selectors import disbursement_totals
from aid.services import disbursement_correct, disbursement_record
from redcross.choices import PeriodKind
from redcross.corrections import record_approve, record_reverse, record_turn_down, record_void
from redcross.importing import import_records, import_undo
from redcross.services import period_close

from ..factories import DonationFactory, FundFactory
from ..kept import assert_kept_true
from ..test_imports import workbook

D = datetime.date


def pay(chapter, day, name, amount, category="重特大疾病救助", **more):
    return disbursement_record(
        chapter=chapter,
        user=None,
        date=day,
        category=AidCategory.objects.get(name=category),
        beneficiary_name=name,
        cash_amount=Decimal(amount),
        **more,
    )


def figures(client, user, **params):
    """The list's totals line, its line of what waits, and its count, as the page shows them."""
    client.force_login(user)
    response = client.get(reverse("aid:disbursement-list"), params)
    context = response.context
    return context["totals"], context["pending_totals"], context["paginator"].count



def test_every_write_keeps_the_daily_totals_and_first_days_true(tree, writers):
    tree.naiman.approval_threshold = Decimal("5000")
    tree.naiman.save()
    fund = FundFactory(chapter=tree.naiman, name="大病救助基金")
    DonationFactory(fund=fund, amount=Decimal("100000.00"))
    a = pay(tree.naiman, D(2020, 3, 1), "甲", "100")
    b = pay(tree.naiman, D(2020, 3, 1), "乙", "200", fund=fund)
    c = pay(tree.horqin, D(2021, 5, 2), "丙", "300", category="救灾救助")
    assert_kept_true()
    disbursement_correct(
        disbursement=a, user=None, date=D(2020, 4, 1), category=AidCategory.objects.get(name="救灾救助"),
        cash_amount=Decimal("150"), beneficiary_name="甲",
    )  # fmt: skip — moved to another day and category: both days kept
    assert_kept_true()
    record_void(b, user=writers["staff"], reason="重复登记")
    assert_kept_true()
    big = pay(tree.naiman, D(2020, 6, 1), "丁", "8000", fund=fund)  # above the threshold: waits
    assert big.is_pending
    assert_kept_true()
    record_approve(big, user=writers["leader"])
    assert_kept_true()
    other = pay(tree.naiman, D(2020, 6, 2), "戊", "9000")
    record_turn_down(other, user=writers["leader"], opinion="材料不全")
    assert_kept_true()
    period_close(chapter=tree.horqin, user=writers["horqin-leader"], kind=PeriodKind.YEAR, year=2021)
    record_reverse(c, user=writers["horqin-staff"], date=D(2022, 1, 3), reason="重复发放")
    assert_kept_true()
    # The first days follow too: 甲's first payment moved to April.
    first = PersonFirst.objects.get(beneficiary=a.beneficiary, category=None)
    assert first.first_date == D(2020, 4, 1)
    kept = {(r.status, r.date): r.rows for r in DisbursementDay.objects.filter(chapter=tree.naiman)}
    assert kept == {
        ("standing", D(2020, 4, 1)): 1,
        ("voided", D(2020, 3, 1)): 1,
        ("standing", D(2020, 6, 1)): 1,
        ("voided", D(2020, 6, 2)): 1,
    }


def test_an_import_and_its_undo_keep_the_daily_totals_true(tree, writers):
    pay(tree.naiman, D(2021, 3, 1), "旧", "50")
    rows = [
        {
            "发放日期": D(2021, 3, day), "救助类别": "重特大疾病救助",
            "受助人姓名": f"人{day}", "现金金额": 100 * day,
        }
        for day in range(1, 11)
    ]
    batch = import_records(
        workbook({"救助发放": rows}), chapter=tree.naiman, user=writers["staff"], filename="t.xlsx"
    ).batch
    assert_kept_true()
    assert DisbursementDay.objects.filter(status="standing").count() == 10
    import_undo(batch, user=writers["staff"])
    assert_kept_true()
    voided = DisbursementDay.objects.filter(status="voided")
    assert sorted(voided.values_list("date", "rows")) == [(D(2021, 3, day), 1) for day in range(1, 11)]


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"chapter": "CITY"},
        {"date_after": "2020-01-01", "date_before": "2020-12-31"},
        {"date_after": "2020-01-01", "date_before": "2020-06-30", "category": "CAT"},
        {"date_before": "2020-06-30"},
        {"date_after": "2020-02-15"},  # not a year's start: persons from the payments
        {"fund": "FUND"},
        {"status": "pending"},
        {"status": "voided"},
        {"status": "standing"},
        {"status": "reversal"},
        {"recipient": "group"},
        {"q": "甲"},
    ],
)
def test_the_lists_figures_equal_the_payments_own(client, tree, writers, params):
    tree.naiman.approval_threshold = Decimal("5000")
    tree.naiman.save()
    fund = FundFactory(chapter=tree.naiman, name="大病救助基金")
    DonationFactory(fund=fund, amount=Decimal("100000.00"))
    pay(tree.naiman, D(2020, 1, 5), "甲", "100")
    pay(tree.naiman, D(2020, 3, 1), "甲", "100", fund=fund)  # the same person again
    pay(tree.naiman, D(2020, 3, 1), "乙", "250.50", category="救灾救助")
    pay(tree.horqin, D(2020, 7, 1), "丙", "300", fund=None)
    disbursement_record(
        chapter=tree.naiman, user=None, date=D(2020, 8, 1), category=AidCategory.objects.get(name="救灾救助"),
        cash_amount=Decimal("1000"), head_count=40,
    )  # fmt: skip — a group of 40
    pay(tree.naiman, D(2020, 9, 1), "丁", "9000")  # waits for approval
    record_void(pay(tree.naiman, D(2020, 2, 1), "戊", "70"), user=writers["staff"], reason="录错")
    pay(tree.naiman, D(2021, 2, 1), "甲", "60")
    pay(tree.hanyin, D(2020, 3, 1), "外省", "999")  # not the city's
    period_close(chapter=tree.naiman, user=writers["leader"], kind=PeriodKind.YEAR, year=2020)
    record_reverse(
        Disbursement.objects.get(beneficiary__name="乙"),
        user=writers["staff"], date=D(2021, 1, 2), reason="重复",
    )
    category = AidCategory.objects.get(name="重特大疾病救助")
    values = {"CITY": tree.tongliao.pk, "CAT": category.pk, "FUND": fund.pk}
    params = {key: values.get(value, value) for key, value in params.items()}

    totals, pending, count = figures(client, writers["city"], **params)

    # The same list with a filter the kept totals cannot answer (an impossible person number
    # would empty it): the payments summed one by one.
    from aid.filtersets import DisbursementFilterSet
    from redcross.access import Access

    class Request:
        user = writers["city"]

    visible = Disbursement.all_objects.visible_to(Access(writers["city"]))
    filterset = DisbursementFilterSet(params, queryset=visible, request=Request())
    assert filterset.is_valid()
    records = filterset.qs
    expected = disbursement_totals(records.filter(voided_at__isnull=True, pending=False))
    assert totals == expected
    waiting = records.filter(pending=True, voided_at__isnull=True)
    assert pending["count"] == waiting.count()
    assert pending["amount"] == sum((d.cash_amount + d.in_kind_amount for d in waiting), Decimal("0.00"))
    assert count in (None, records.count())

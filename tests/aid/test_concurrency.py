"""Two payments racing for the last money of a fund: exactly one succeeds (PostgreSQL row lock)."""

import datetime
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from aid.models import AidCategory, Disbursement
from aid.services import disbursement_record

from ..factories import DonationFactory, FundFactory
from ..kept import assert_kept_true


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are PostgreSQL's; CI runs it there")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_payments_racing_for_the_last_money_of_a_fund(tree):
    fund = FundFactory(chapter=tree.naiman)
    DonationFactory(fund=fund, amount=Decimal("1000.00"))
    category = AidCategory.objects.get(name="重特大疾病救助")
    start = threading.Barrier(2)
    outcomes = []

    def pay(name):
        try:
            start.wait()
            disbursement_record(
                chapter=tree.naiman,
                user=None,
                date=datetime.date(2020, 6, 1),
                category=category,
                beneficiary_name=name,
                cash_amount=Decimal("800.00"),
                fund=fund,
            )
            outcomes.append("paid")
        except ValidationError as error:
            outcomes.append(error.message_dict["fund"][0])
        finally:
            connections.close_all()

    threads = [threading.Thread(target=pay, args=(name,)) for name in ("甲", "乙")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["paid", f"基金“{fund.name}”余额不足：可用 200.00 元，本次需 800.00 元"]
    assert Disbursement.objects.filter(fund=fund).count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only; CI runs it there")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_payments_of_the_same_day_saved_at_once_keep_the_day_sums_true(tree):
    """Each save rebuilds its day's ReliefDay row and the person's PersonYear rows; writers of the
    same rows wait for each other, so no payment is summed twice or lost."""
    from django.db.models import Sum

    from aid.models import PersonYear, ReliefDay

    category = AidCategory.objects.get(name="救灾救助")
    day = datetime.date(2020, 7, 1)

    def pay(name):
        disbursement_record(
            chapter=tree.naiman,
            user=None,
            date=day,
            category=category,
            beneficiary_name=name,
            cash_amount=Decimal("100.00"),
        )

    pay("甲")  # the day's row exists before the race
    writers = 6
    start = threading.Barrier(writers)
    errors = []

    def racing(name):
        try:
            start.wait()
            pay(name)
        except Exception as error:  # noqa: BLE001 — reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=racing, args=(name,)) for name in ("甲", "乙", "丙", "丁", "戊", "己")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    days = ReliefDay.objects.filter(chapter=tree.naiman, category=category, date=day)
    assert days.count() == 1
    assert days.aggregate(n=Sum("payments"), cash=Sum("cash_amount")) == {"n": 7, "cash": Decimal("700.00")}
    persons = PersonYear.objects.filter(chapter=tree.naiman, year=2020, category=category)
    assert sorted(persons.values_list("beneficiary__name", flat=True)) == ["丁", "丙", "乙", "己", "戊", "甲"]
    # And the list's kept daily totals (DisbursementDay), refreshed by the same saves.
    assert_kept_true(Disbursement)

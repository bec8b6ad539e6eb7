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

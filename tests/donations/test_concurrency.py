"""Two spendings of different kinds racing for the last money of a fund: exactly one succeeds."""

import datetime
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from donations.services import payout_record
from projects.models import Expenditure
from projects.services import expenditure_record

from ..factories import DonationFactory, FundFactory, ProjectFactory


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are PostgreSQL's; CI runs it there")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_expenditure_and_a_payout_racing_for_the_last_money(tree):
    fund = FundFactory(chapter=tree.naiman, name="博爱家园项目资金")
    DonationFactory(fund=fund, amount=Decimal("1000.00"))
    project = ProjectFactory(chapter=tree.naiman)
    start = threading.Barrier(2)
    outcomes = []

    def spend(write):
        try:
            start.wait()
            write()
            outcomes.append("paid")
        except ValidationError as error:
            outcomes.append(error.message_dict["fund"][0])
        finally:
            connections.close_all()

    writes = [
        lambda: expenditure_record(
            chapter=tree.naiman,
            user=None,
            date=datetime.date(2020, 6, 1),
            project=project,
            amount=Decimal("700.00"),
            fund=fund,
        ),
        lambda: payout_record(
            chapter=tree.naiman,
            user=None,
            date=datetime.date(2020, 6, 1),
            fund=fund,
            recipient="指挥部",
            purpose="防控",
            cash_amount=Decimal("700.00"),
        ),
    ]
    threads = [threading.Thread(target=spend, args=(write,)) for write in writes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["paid", "基金“博爱家园项目资金”余额不足：可用 300.00 元，本次需 700.00 元"]
    assert Expenditure.objects.filter(fund=fund).count() + fund.payouts.count() == 1

"""Two people issuing the last cartons of one lot at once: exactly one succeeds (PostgreSQL)."""

import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from goods.choices import IssueKind
from goods.models import Issue, Lot
from goods.selectors import lot_on_hand
from goods.services import issue_record

from .conftest import DAY


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are PostgreSQL's; CI runs it there")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("chosen", [True, False], ids=["lots-chosen", "earliest-expiring"])
def test_two_issues_racing_for_the_last_cartons_of_a_lot(gift, tree, staff, chosen):
    lot = Lot.objects.get(donation=gift(quantity="10", amount="300.00"))
    start = threading.Barrier(2)
    outcomes = []

    def issue(unit):
        try:
            start.wait()
            if chosen:
                taking = {"lines": [(lot, Decimal("7"))]}
            else:
                taking = {"item": lot.item, "quantity": Decimal("7")}
            issue_record(
                chapter=tree.naiman, user=staff, date=DAY, kind=IssueKind.UNIT, receiving_unit=unit, **taking
            )
            outcomes.append("issued")
        except ValidationError as error:
            outcomes.append(next(iter(error.message_dict.values()))[0])
        finally:
            connections.close_all()

    threads = [threading.Thread(target=issue, args=(unit,)) for unit in ("县医院", "疫情防控指挥部")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes)[0] == "issued" and outcomes.count("issued") == 1
    assert "只有 3" in sorted(outcomes)[1]
    assert Issue.objects.count() == 1
    assert lot_on_hand(lot) == Decimal("3")

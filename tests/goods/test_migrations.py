"""The data migration of issue 20 on a database holding the demo: the demo is built, the goods
tables are taken away (back to before issue 20), and the migrations run forward again."""

from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("goods", None)]  # aid's link to an issue (aid 0021) goes back with it
AFTER = [("goods", "0002_lots_from_in_kind_gifts")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    if any(name is None for _app, name in targets):
        return None
    return executor.loader.project_state(targets).apps


@pytest.fixture
def schema_restored(transactional_db):
    """Whatever the test does to the schema, the next test finds every migration applied."""
    yield
    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.usefixtures("schema_restored")
def test_the_demo_s_gifts_in_kind_become_lots_and_their_payouts_issues():
    call_command("load_demo", verbosity=0)
    migrate(BEFORE)

    new = migrate(AFTER)
    Donation = new.get_model("donations", "Donation")
    Lot = new.get_model("goods", "Lot")
    Issue = new.get_model("goods", "Issue")
    Payout = new.get_model("donations", "Payout")
    gifts = Donation.objects.filter(kind="in_kind", voided_at__isnull=True, reverses__isnull=True)

    # Every gift in kind is one lot: its goods, quantity (1 批 without one), value and fund.
    assert Lot.objects.count() == gifts.count() > 0
    for gift in gifts:
        lot = Lot.objects.select_related("item", "store").get(donation=gift)
        assert (lot.chapter_id, lot.fund_id, lot.date, lot.total_value) == (
            gift.chapter_id,
            gift.fund_id,
            gift.date,
            gift.amount,
        )
        assert lot.item.name == gift.goods
        assert lot.quantity == (gift.quantity or Decimal(1))
        assert lot.store.name == "本会库房" and lot.origin == "donation"
    # 奈曼旗's epidemic goods (83.85万元 in five gifts) went on to the epidemic command by two
    # payouts: each payout's goods are traced to the lots, whole lots oldest first.
    # (安康市's 博爱送万家 goods are an allocation from above in the demo, not gifts: no payout.)
    payouts = Payout.objects.filter(in_kind_amount__gt=0).order_by("date", "pk")
    assert {p.chapter.code for p in payouts} == {"150525"}
    traced = [
        (
            p.in_kind_amount,
            [
                (line.lot.item.name, line.quantity, line.value)
                for line in Issue.objects.get(payout=p).lines.order_by("lot__date", "pk")
            ],
        )
        for p in payouts
    ]
    assert traced == [
        (
            Decimal("590000.00"),
            [
                ("医用外科口罩", Decimal("50000"), Decimal("150000.00")),
                ("84消毒液", Decimal("6000"), Decimal("180000.00")),
                ("医用防护服", Decimal("2000"), Decimal("260000.00")),
            ],
        ),
        (
            Decimal("248500.00"),
            [
                ("红外测温仪", Decimal("300"), Decimal("66000.00")),
                ("蔬菜米面等生活物资", Decimal("73"), Decimal("182500.00")),
            ],
        ),
    ]
    assert {Issue.objects.get(payout=p).receiving_unit for p in payouts} == {"奈曼旗新冠肺炎疫情防控指挥部"}
    # An issue's lines are worth exactly the payout's goods; nothing taken beyond a lot.
    for issue in Issue.objects.all():
        assert sum(line.value for line in issue.lines.all()) == issue.total_value
    for lot in Lot.objects.all():
        assert sum(line.quantity for line in lot.lines.all()) <= lot.quantity

    # Run again, nothing is made twice.
    lots, issues = Lot.objects.count(), Issue.objects.count()
    from goods.migrating import lots_from_gifts

    lots_from_gifts(new, None)
    assert (Lot.objects.count(), Issue.objects.count()) == (lots, issues)

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
    # 安康市's 博爱送万家 goods (26.63万元: 1663 family packs and 1000 parcels at 100 元) went on to
    # three counties by payouts: each payout's goods are traced to the lots, whole lots first.
    ankang = Payout.objects.filter(chapter__code="610900", in_kind_amount__gt=0).order_by("pk")
    traced = {
        p.recipient: sorted(
            (line.lot.item.name, line.quantity, line.value)
            for line in Issue.objects.get(payout=p).lines.all()
        )
        for p in ankang
    }
    assert traced == {
        "宁陕县红十字会": [("博爱送万家救助家庭包", Decimal("1100"), Decimal("110000.00"))],
        "紫阳县红十字会": [
            ("博爱送万家救助家庭包", Decimal("563"), Decimal("56300.00")),
            ("棉被、米面油等救助物资", Decimal("237"), Decimal("23700.00")),
        ],
        "石泉县红十字会": [("棉被、米面油等救助物资", Decimal("763"), Decimal("76300.00"))],
    }
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

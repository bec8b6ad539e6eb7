"""The hand-written migration that turned each donation's donor name into a donor record, run
against a database that holds donations of the old shape."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("donations", "0003_fund_restricted_project_alter_donation_amount_and_more")]
AFTER = [("donations", "0005_donation_donor_required")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def schema_restored(transactional_db):
    """Whatever the test does to the schema, the next test finds every migration applied."""
    yield
    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.usefixtures("schema_restored")
def test_donor_names_become_one_donor_per_chapter_and_name():
    old = migrate(BEFORE)
    Chapter = old.get_model("redcross", "Chapter")
    Fund = old.get_model("donations", "Fund")
    Donation = old.get_model("donations", "Donation")
    naiman = Chapter.objects.create(code="150525", name="奈曼旗红十字会", level="county")
    horqin = Chapter.objects.create(code="150521", name="科尔沁左翼中旗红十字会", level="county")
    gifts = [
        (naiman, "奈曼旗爱心企业协会", "1000.00"),
        (naiman, "王某", "200.00"),
        (naiman, "奈曼旗爱心企业协会", "3000.00"),
        (horqin, "奈曼旗爱心企业协会", "50.00"),  # the same name in another chapter is another donor
    ]
    for chapter, name, amount in gifts:
        fund = Fund.objects.get_or_create(chapter=chapter, name="博爱一日捐")[0]
        Donation.objects.create(
            chapter=chapter,
            fund=fund,
            date=datetime.date(2020, 5, 8),
            donor_name=name,
            kind="cash",
            amount=Decimal(amount),
        )

    new = migrate(AFTER)
    Donor = new.get_model("donations", "Donor")
    Donation = new.get_model("donations", "Donation")
    donors = sorted(Donor.objects.values_list("chapter__code", "name", "kind"))
    assert donors == [
        ("150521", "奈曼旗爱心企业协会", "organisation"),
        ("150525", "奈曼旗爱心企业协会", "organisation"),
        ("150525", "王某", "person"),
    ]
    rows = Donation.objects.select_related("donor__chapter")
    given = sorted((d.donor.chapter.code, d.donor.name, d.amount) for d in rows)
    assert given == [
        ("150521", "奈曼旗爱心企业协会", Decimal("50.00")),
        ("150525", "奈曼旗爱心企业协会", Decimal("1000.00")),
        ("150525", "奈曼旗爱心企业协会", Decimal("3000.00")),
        ("150525", "王某", Decimal("200.00")),
    ]

    # And back: the names return to the donations.
    old = migrate(BEFORE)
    names = sorted(old.get_model("donations", "Donation").objects.values_list("donor_name", flat=True))
    assert names == ["奈曼旗爱心企业协会"] * 3 + ["王某"]

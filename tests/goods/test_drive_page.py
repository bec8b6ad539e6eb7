"""A drive's page shows its goods: received, issued and on hand in yuan, per item in quantities,
and its lots linked; the stock page filtered by the drive lists exactly them."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from donations.choices import DonationKind, ValuationBasis
from donations.services import donation_record
from goods.choices import IssueKind
from goods.models import Lot
from goods.services import issue_record

from ..factories import DonorFactory, DriveFactory

pytestmark = pytest.mark.django_db

D = datetime.date
GIVEN = D(2020, 2, 3)


@pytest.fixture
def drive(fund):
    return DriveFactory(
        fund=fund, name="疫情防控专项募捐", start_date=D(2020, 1, 27), end_date=D(2020, 3, 31)
    )


@pytest.fixture
def give(tree, fund, store, staff, drive):
    def make(goods, quantity, amount, unit="箱", day=GIVEN):
        gift = donation_record(
            chapter=tree.naiman, user=staff, date=day, drive=drive, fund=fund,
            donor=DonorFactory(chapter=tree.naiman), kind=DonationKind.IN_KIND, amount=Decimal(amount),
            goods=goods, quantity=Decimal(quantity), unit=unit, valuation_basis=ValuationBasis.INVOICE,
            goods_details={"store": store, "counted_by_1": "张三", "counted_by_2": "李四"},
        )  # fmt: skip
        return Lot.objects.get(donation=gift)

    return make


def test_a_drives_page_shows_its_goods_received_issued_and_on_hand_per_item(client, staff, tree, drive, give):
    masks = give("医用口罩", "1200", "36000.00")
    give("消毒液", "500", "99000.00", unit="桶")
    issue_record(chapter=tree.naiman, user=staff, date=D(2020, 2, 10), kind=IssueKind.UNIT,
                 receiving_unit="奈曼旗疫情防控指挥部", lines=[(masks, Decimal("1000"))])  # fmt: skip
    client.force_login(staff)

    response = client.get(reverse("donations:drive-detail", args=[drive.pk]))

    page = response.content.decode()
    panel = response.context["panels"][0]
    assert (panel["received"], panel["issued"], panel["on_hand"]) == (
        Decimal("135000.00"),
        Decimal("30000.00"),
        Decimal("105000.00"),
    )
    assert 'data-figure="goods_received">135,000.00' in page
    assert 'data-figure="goods_issued">30,000.00' in page
    assert 'data-figure="goods_on_hand">105,000.00' in page
    rows = [(r["item__name"], r["received"], r["issued_q"], r["held"]) for r in panel["items"]]
    assert rows == [("医用口罩", 1200, 1000, 200), ("消毒液", 500, 0, 500)]
    assert masks.get_absolute_url() in page
    stock = client.get(panel["stock_url"])
    assert stock.context["totals"].value == Decimal("105000.00")
    assert {lot.donation.drive_id for lot in stock.context["object_list"]} == {drive.pk}


def test_a_drive_without_goods_shows_no_goods_and_all_issued_says_so(client, staff, tree, drive, give):
    client.force_login(staff)
    assert (
        "drive-goods" not in client.get(reverse("donations:drive-detail", args=[drive.pk])).content.decode()
    )
    lot = give("医用口罩", "10", "300.00")
    issue_record(chapter=tree.naiman, user=staff, date=D(2020, 2, 10), kind=IssueKind.UNIT,
                 receiving_unit="奈曼旗医院", lines=[(lot, Decimal("10"))])  # fmt: skip
    page = client.get(reverse("donations:drive-detail", args=[drive.pk])).content.decode()
    assert 'data-figure="goods_on_hand">0.00</a> 元（已全部发放）' in page


def test_the_drives_page_costs_the_same_queries_however_many_lots(
    client, staff, drive, give, django_assert_num_queries
):
    give("医用口罩", "10", "300.00")
    client.force_login(staff)
    url = reverse("donations:drive-detail", args=[drive.pk])
    client.get(url)
    with django_assert_num_queries(12) as first:
        client.get(url)
    for n in range(6):
        give(f"物资{n}", "10", "100.00")
    with django_assert_num_queries(len(first.captured_queries)):
        client.get(url)

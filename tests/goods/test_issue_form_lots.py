"""The issue form's lot choice with hundreds of lots: the page lists the 60 that expire first and
a search (item, store, expiry, source, number) narrows them on the server, so any lot can be
chosen and issued; what is posted is checked again: a lot of the chapter, of the item, holding
the quantity. The page costs the same queries however many lots the chapter holds."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from goods.forms import LOTS_OFFERED
from goods.models import Issue, IssueLine, Lot
from goods.selectors import lot_on_hand
from goods.services import lot_receive, store_create
from redcross.choices import Role

from ..factories import DonationFactory, FundFactory
from .test_views import GOODS_ROWS, rows

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today()
URL = reverse("goods:issue-create")


@pytest.fixture
def logged_in(client, staff):
    client.force_login(staff)
    return client


@pytest.fixture
def many_lots(purchase):
    """200 lots of bottled water (10 boxes each, 100 元), the n-th expiring n days after the 60th day."""

    def make(count=200, start=0, goods="矿泉水"):
        return [
            purchase(
                goods=goods,
                quantity="10",
                total="100.00",
                date=TODAY - datetime.timedelta(days=400),
                expiry=TODAY + datetime.timedelta(days=60 + start + n),
            )
            for n in range(count)
        ]

    return make


def offered(response):
    return [lot.pk for lot in response.context["form"].lots]


def post(client, query, **fields):
    data = {"date": TODAY.isoformat(), "kind": "unit", "receiving_unit": "奈曼旗人民医院", **fields}
    return client.post(f"{URL}?{query}" if query else URL, data)


def test_the_page_lists_the_60_lots_expiring_first_and_says_there_are_more(logged_in, many_lots):
    lots = many_lots()

    response = logged_in.get(URL)

    assert offered(response) == [lot.pk for lot in lots[:LOTS_OFFERED]]
    page = response.content.decode()
    assert "符合条件的批次超过 60 批，只列出有效期最早的 60 批" in page
    assert f'name="lot_{lots[150].pk}"' not in page


def test_a_lot_beyond_the_first_60_is_found_by_its_number_and_issued(logged_in, many_lots):
    lots = many_lots()
    far = lots[150]

    found = logged_in.get(URL, {"number": str(far.pk)})

    assert offered(found) == [far.pk]
    assert f'name="lot_{far.pk}"' in found.content.decode()
    assert "符合条件的批次超过" not in found.content.decode()

    response = post(logged_in, f"number={far.pk}", **{f"lot_{far.pk}": "4"})

    assert response.status_code == 302, response.context["form"].errors
    issue = Issue.objects.get()
    assert [(line.lot_id, line.quantity) for line in issue.lines.all()] == [(far.pk, Decimal("4.00"))]
    assert (lot_on_hand(far), lot_on_hand(lots[0])) == (Decimal("6.00"), Decimal("10.00"))


def test_a_lot_posted_that_the_search_no_longer_lists_is_still_the_one_issued(logged_in, many_lots):
    far = many_lots()[199]

    response = post(logged_in, "", **{f"lot_{far.pk}": "10"})

    assert response.status_code == 302, response.context["form"].errors
    assert list(IssueLine.objects.values_list("lot_id", "quantity")) == [(far.pk, Decimal("10.00"))]


def test_the_search_narrows_by_item_store_expiry_and_source(
    logged_in, many_lots, purchase, gift, tree, staff
):
    water = many_lots(count=70)
    other_store = store_create(chapter=tree.naiman, user=staff, name="大沁他拉镇库房")
    rice = purchase(
        goods="大米", unit="袋", quantity="50", total="5000.00", expiry=TODAY + datetime.timedelta(days=20)
    )
    Lot.objects.filter(pk=rice.pk).update(store=other_store, supplier="通辽粮油公司")
    masks = Lot.objects.get(donation=gift(quantity="30", amount="900.00"))  # 奈曼旗爱心企业's

    def search(**params):
        return offered(logged_in.get(URL, params))

    assert search(item=rice.item_id) == [rice.pk]
    assert search(store=other_store.pk) == [rice.pk]
    assert search(expiry_by=(TODAY + datetime.timedelta(days=61)).isoformat()) == [
        rice.pk,
        water[0].pk,
        water[1].pk,
    ]
    assert search(source="爱心企业") == [masks.pk]
    assert search(source="通辽粮油") == [rice.pk]
    assert search(number=f"#{water[69].pk}") == [water[69].pk]
    assert search(source="没有这个捐赠人") == []
    assert "没有符合条件且有库存的批次" in logged_in.get(URL, {"source": "没有这个捐赠人"}).content.decode()


def test_a_forged_lot_of_another_chapter_is_refused_in_chinese_and_nothing_changes(
    logged_in, many_lots, member, tree
):
    many_lots(count=5)
    hanyin_staff = member(Role.STAFF, tree.hanyin, "hanyin")
    fund = FundFactory(chapter=tree.hanyin)
    DonationFactory(fund=fund, amount=Decimal("1000.00"), date=TODAY)
    theirs = lot_receive(
        chapter=tree.hanyin, user=hanyin_staff, date=TODAY, origin="purchase", fund=fund,
        item_name="矿泉水", unit="箱", quantity=Decimal("10"), total_value=Decimal("300.00"),
        valuation_basis="invoice", store=store_create(chapter=tree.hanyin, user=hanyin_staff, name="汉阴库"),
        counted_by_1="张三", counted_by_2="李四",
    )  # fmt: skip
    before = rows(*GOODS_ROWS)

    response = post(logged_in, f"number={theirs.pk}", **{f"lot_{theirs.pk}": "1"})

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        f"入库批次 #{theirs.pk} 不存在、已作废或不属于本会，请从列表中选择批次"
    ]
    assert f"入库批次 #{theirs.pk} 不存在、已作废或不属于本会" in response.content.decode()
    assert rows(*GOODS_ROWS) == before


def test_a_lot_of_another_item_or_beyond_its_stock_is_told_beside_it(logged_in, many_lots, purchase):
    water = many_lots(count=3)
    rice = purchase(goods="大米", unit="袋", quantity="50", total="5000.00")
    before = rows(*GOODS_ROWS)

    response = post(logged_in, "", item=rice.item_id, **{f"lot_{water[0].pk}": "2", f"lot_{rice.pk}": "51"})

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors[f"lot_{water[0].pk}"] == [f"批次“{water[0]}”不是所选物资“大米”的批次"]
    assert errors[f"lot_{rice.pk}"] == [f"“{rice}”库存只有 50，不能出库 51"]
    assert rows(*GOODS_ROWS) == before


@pytest.mark.parametrize(
    "params",
    [
        {"expiry_by": "2020-13-45"},
        {"item": "9" * 30},
        {"store": "abc"},
        {"number": "9" * 40},
        {"number": "9" * 60},
        {"source": "\x00"},
        {"quantity": "-1", "item": "1"},
    ],
)
def test_a_malformed_search_is_told_by_its_field_not_a_500(logged_in, many_lots, params):
    many_lots(count=3)
    response = logged_in.get(URL, params)
    assert response.status_code == 200
    assert response.context["lot_search"].errors or params.get("number")


def test_forged_lot_fields_in_bulk_or_absurd_are_refused_without_a_500(logged_in, many_lots):
    lots = many_lots(count=3)
    before = rows(*GOODS_ROWS)
    absurd = {f"lot_{9 * 10**15 + n}": "1" for n in range(130)}

    response = post(logged_in, "", **absurd, **{f"lot_{lots[0].pk}": "1", "lot_99999999999999999999": "1"})

    assert response.status_code == 200
    told = response.context["form"].non_field_errors()
    assert "一次出库最多从 120 个批次发放，请分开登记" in told
    assert "入库批次 #99999999999999999999 不存在、已作废或不属于本会，请从列表中选择批次" in told
    assert rows(*GOODS_ROWS) == before


def test_a_lot_number_no_lot_can_have_is_told_not_ignored(logged_in, many_lots):
    many_lots(count=3)
    before = rows(*GOODS_ROWS)

    response = post(logged_in, "", **{"lot_" + "9" * 30: "1"})

    assert response.context["form"].non_field_errors() == [
        "入库批次 #99999999999999999999… 不存在、已作废或不属于本会，请从列表中选择批次"
    ]
    assert rows(*GOODS_ROWS) == before


def test_the_issue_form_costs_the_same_queries_with_20_or_200_lots(
    logged_in, many_lots, django_assert_num_queries
):
    many_lots(count=20)
    logged_in.get(URL)
    # 11: the session, user, memberships, townships, lots, items, stores, item, chapters below, relief
    # categories, and the projects an issue may name (用于项目, for a fund restricted to a project).
    with django_assert_num_queries(11) as first:
        logged_in.get(URL)
    many_lots(count=180, start=20)
    with django_assert_num_queries(len(first.captured_queries)):
        response = logged_in.get(URL)
    assert len(offered(response)) == LOTS_OFFERED
    store = Lot.objects.first().store_id
    with django_assert_num_queries(len(first.captured_queries) + 1):  # the store asked for is read
        logged_in.get(URL, {"store": store, "source": "供应商"})

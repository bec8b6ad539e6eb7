"""The goods pages: stock as of a day with its totals and goods about to expire, a lot's trace,
recording lots, issues (the earliest-expiring lots offered first) and stock counts; a gift in
kind recorded on the donation form makes its lot; nothing malformed gives a 500 or changes rows."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from aid.models import Disbursement
from donations.models import Donation
from goods.choices import IssueKind
from goods.models import Adjustment, Issue, IssueLine, Lot, Store
from goods.selectors import lot_on_hand
from goods.services import issue_record
from redcross.choices import Role

from ..factories import FundFactory, valid_id_number
from .conftest import DAY

pytestmark = pytest.mark.django_db


def rows(*models):
    """Every row of ``models`` (voided ones too), to compare before and after a refusal."""
    return [sorted(getattr(m, "all_objects", m.objects).values_list()) for m in models]


GOODS_ROWS = (Lot, Issue, IssueLine, Adjustment, Disbursement, Donation)


@pytest.fixture
def logged_in(client, staff):
    client.force_login(staff)
    return client


@pytest.fixture
def stocked(gift, purchase, tree, staff, category):
    """Masks given (one lot expiring soon), water bought, some of each issued."""
    today = datetime.date.today()
    masks = Lot.objects.get(donation=gift(date=today - datetime.timedelta(days=30)))
    soon = Lot.objects.get(
        donation=gift(
            quantity="100",
            amount="1000.00",
            goods="方便面",
            date=today - datetime.timedelta(days=20),
            expiry=today + datetime.timedelta(days=30),
        )
    )
    water = purchase(date=today - datetime.timedelta(days=10))
    issue = issue_record(
        chapter=tree.naiman,
        user=staff,
        date=today - datetime.timedelta(days=5),
        kind=IssueKind.RELIEF_PERSON,
        category=category["困难群众慰问"],
        beneficiary_name="王桂兰",
        id_number=valid_id_number(serial=77),
        lines=[(masks, Decimal("2")), (water, Decimal("1"))],
    )
    return {"masks": masks, "soon": soon, "water": water, "issue": issue}


def test_the_stock_page_shows_each_lot_as_of_a_day_with_its_totals_and_marks_what_expires(logged_in, stocked):
    response = logged_in.get(reverse("goods:stock"))

    assert response.status_code == 200
    page = response.content.decode()
    totals = response.context["totals"]
    assert totals.lots == 3
    # 1,198 masks at 30 元, 100 noodles at 10 元, 99 boxes of water at 30 元.
    assert totals.value == Decimal("35940.00") + Decimal("1000.00") + Decimal("2970.00")
    assert 'data-figure="value">39,910.00' in page
    assert page.count('class="expiring"') == 1 and "即将过期" in page
    on_hand = {lot.pk: lot.on_hand for lot in response.context["object_list"]}
    assert on_hand[stocked["masks"].pk] == Decimal("1198")

    before = logged_in.get(
        reverse("goods:stock"), {"as_of": (datetime.date.today() - datetime.timedelta(days=15))}
    )
    assert {lot.pk for lot in before.context["object_list"]} == {stocked["masks"].pk, stocked["soon"].pk}
    expiring = logged_in.get(reverse("goods:stock"), {"stock": "expiring"})
    assert [lot.pk for lot in expiring.context["object_list"]] == [stocked["soon"].pk]


def test_the_stock_page_costs_the_same_queries_however_many_lots(
    logged_in, stocked, gift, django_assert_num_queries
):
    logged_in.get(reverse("goods:stock"))
    # 9: the eighth is the allocations in transit listed apart (one query, however many).
    with django_assert_num_queries(9) as first:
        logged_in.get(reverse("goods:stock"))
    for n in range(5):
        gift(quantity="10", amount="100.00", goods=f"物资{n}")
    with django_assert_num_queries(len(first.captured_queries)):
        logged_in.get(reverse("goods:stock"))


def test_the_issue_list_costs_the_same_queries_however_many_issues(
    logged_in, stocked, tree, staff, django_assert_num_queries
):
    logged_in.get(reverse("goods:issue-list"))
    with django_assert_num_queries(7) as first:
        logged_in.get(reverse("goods:issue-list"))
    for _ in range(4):
        issue_record(
            chapter=tree.naiman,
            user=staff,
            date=DAY.today(),
            kind=IssueKind.UNIT,
            receiving_unit="县医院",
            lines=[(stocked["masks"], Decimal("1"))],
        )
    with django_assert_num_queries(len(first.captured_queries)):
        logged_in.get(reverse("goods:issue-list"))


def test_a_lot_s_page_follows_its_goods_to_who_received_them_masked(client, stocked, member, tree):
    auditor = member(Role.AUDITOR, tree.naiman, "auditor")
    client.force_login(auditor)

    response = client.get(reverse("goods:lot-detail", args=[stocked["masks"].pk]))

    assert response.status_code == 200
    page = response.content.decode()
    [row] = response.context["trace"]
    assert (row.recipient, row.line.quantity) == ("王桂兰", Decimal("2"))
    number = valid_id_number(serial=77)
    assert number not in page and row.id_number == number[:6] + "********" + number[-4:]
    assert "奈曼旗爱心企业" in page  # the donor it came from


def test_an_in_kind_gift_on_the_donation_form_makes_its_lot(logged_in, tree, fund, store):
    response = logged_in.post(
        reverse("donations:donation-create"),
        {
            "date": "2020-02-01",
            "donor_name": "奈曼旗粮油公司",
            "donor_kind": "organisation",
            "fund": fund.pk,
            "kind": "in_kind",
            "amount": "36000",
            "goods": "大米",
            "quantity": "1200",
            "unit": "袋",
            "valuation_basis": "invoice",
            "store": store.pk,
            "specification": "25kg/袋",
            "expiry_date": "2021-01-31",
            "counted_by_1": "张三",
            "counted_by_2": "李四",
        },
    )

    assert response.status_code == 302
    lot = Lot.objects.get(donation__goods="大米")
    assert (lot.quantity, lot.item.unit, lot.item.specification, lot.store) == (
        Decimal("1200"),
        "袋",
        "25kg/袋",
        store,
    )
    assert (lot.expiry_date, lot.counters) == (datetime.date(2021, 1, 31), "张三、李四")


def test_an_in_kind_gift_needs_its_two_counters_and_quantity(logged_in, fund):
    before = rows(*GOODS_ROWS)
    response = logged_in.post(
        reverse("donations:donation-create"),
        {
            "date": "2020-02-01",
            "donor_name": "某公司",
            "donor_kind": "organisation",
            "fund": fund.pk,
            "kind": "in_kind",
            "amount": "36000",
            "goods": "大米",
            "unit": "袋",
            "valuation_basis": "invoice",
            "counted_by_1": "张三",
        },
    )

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["counted_by_2"] == ["请填写两名清点人"] and errors["quantity"] == ["物资捐赠须填写数量"]
    assert rows(*GOODS_ROWS) == before


def test_a_purchase_is_recorded_from_its_page(logged_in, fund, store):
    response = logged_in.post(
        reverse("goods:lot-create"),
        {
            "date": "2020-03-01",
            "origin": "purchase",
            "fund": fund.pk,
            "store": store.pk,
            "item_name": "帐篷",
            "unit": "顶",
            "quantity": "20",
            "total_value": "16000",
            "valuation_basis": "invoice",
            "counted_by_1": "张三",
            "counted_by_2": "李四",
            "supplier": "奈曼旗供销社",
        },
    )

    assert response.status_code == 302
    lot = Lot.objects.get(item__name="帐篷")
    assert (lot.quantity, lot.total_value, lot.unit_value) == (
        Decimal("20"),
        Decimal("16000.00"),
        Decimal("800.00"),
    )


def test_the_issue_form_offers_the_earliest_expiring_lots_filled_in(logged_in, stocked):
    response = logged_in.get(
        reverse("goods:issue-create"), {"item": stocked["masks"].item_id, "quantity": "5"}
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form.initial[f"lot_{stocked['masks'].pk}"] == Decimal("5")


def test_an_issue_from_the_form_takes_the_lots_filled_in(logged_in, stocked):
    masks = stocked["masks"]
    response = logged_in.post(
        reverse("goods:issue-create"),
        {
            "date": datetime.date.today().isoformat(),
            "kind": "unit",
            "receiving_unit": "奈曼旗疫情防控指挥部",
            f"lot_{masks.pk}": "198",
        },
    )

    assert response.status_code == 302, response.context["form"].errors
    assert lot_on_hand(masks) == Decimal("1000")


@pytest.mark.parametrize(
    "quantity,message",
    [
        ("abc", "请输入数量，例如 1200 或 2.5"),
        ("-5", "数量不能为负数"),
        ("1e12", "数量"),
        ("99999999999999999999999", "数量"),
        ("1199", "库存只有 1198"),
        ("1.234", "数量最多保留两位小数"),
    ],
)
def test_a_malformed_or_absurd_quantity_is_told_by_its_field_and_changes_nothing(
    logged_in, stocked, quantity, message
):
    masks = stocked["masks"]
    before = rows(*GOODS_ROWS)

    response = logged_in.post(
        reverse("goods:issue-create"),
        {
            "date": datetime.date.today().isoformat(),
            "kind": "unit",
            "receiving_unit": "指挥部",
            f"lot_{masks.pk}": quantity,
        },
    )

    assert response.status_code == 200
    assert message in response.content.decode()
    assert rows(*GOODS_ROWS) == before


def test_a_group_s_name_is_not_dropped_without_a_word(logged_in, stocked, category):
    """A group is counted, not named: a name typed for one is told where it belongs."""
    masks = stocked["masks"]
    before = rows(*GOODS_ROWS)

    response = logged_in.post(
        reverse("goods:issue-create"),
        {
            "date": datetime.date.today().isoformat(),
            "kind": "relief_group",
            "category": category["困难群众慰问"].pk,
            "head_count": "40",
            "beneficiary_name": "东明镇敬老院",
            f"lot_{masks.pk}": "10",
        },
    )

    assert response.status_code == 200
    assert response.context["form"].errors["beneficiary_name"] == [
        "群体发放不填受助人姓名；如需写明群体（如敬老院），请写在备注中"
    ]
    assert rows(*GOODS_ROWS) == before


def test_a_forged_lot_of_another_chapter_is_not_taken(client, stocked, member, tree):
    hanyin = member(Role.STAFF, tree.hanyin, "hanyin")
    client.force_login(hanyin)
    before = rows(*GOODS_ROWS)

    response = client.post(
        reverse("goods:issue-create"),
        {
            "date": datetime.date.today().isoformat(),
            "kind": "unit",
            "receiving_unit": "医院",
            f"lot_{stocked['masks'].pk}": "1",
            "item": stocked["masks"].item_id,
            "quantity": "1",
        },
    )

    assert response.status_code == 200
    assert response.context["form"].errors["item"] == ["物资：所选项不存在或不属于本会，请从列表中选择"]
    assert rows(*GOODS_ROWS) == before
    assert client.get(reverse("goods:lot-detail", args=[stocked["masks"].pk])).status_code == 403


def test_a_stock_count_from_the_lot_s_page(logged_in, stocked):
    masks = stocked["masks"]
    response = logged_in.post(
        reverse("goods:stock-count", args=[masks.pk]),
        {
            "date": datetime.date.today().isoformat(),
            "counted_quantity": "1190",
            "reason": "鼠咬损坏",
            "counted_by_1": "张三",
            "counted_by_2": "李四",
        },
    )
    assert response.status_code == 302
    assert lot_on_hand(masks) == Decimal("1190")
    bad = logged_in.post(
        reverse("goods:stock-count", args=[masks.pk]),
        {"date": "2020-13-40", "counted_quantity": "x", "reason": "", "counted_by_1": "", "counted_by_2": ""},
    )
    assert bad.status_code == 200 and set(bad.context["form"].errors) >= {
        "date",
        "counted_quantity",
        "reason",
    }


def test_a_write_off_waits_in_the_approvals_list(client, stocked, tree, staff, member):
    issue_record(
        chapter=tree.naiman,
        user=staff,
        date=datetime.date.today(),
        kind=IssueKind.WRITE_OFF,
        reason="过期",
        lines=[(stocked["soon"], Decimal("10"))],
    )
    client.force_login(member(Role.LEADER, tree.naiman, "leader"))
    response = client.get(reverse("approvals"))
    assert response.status_code == 200
    assert "物资出库" in response.content.decode()


def test_a_fund_s_page_shows_cash_and_goods_apart(logged_in, fund, gift):
    gift()
    response = logged_in.get(reverse("donations:fund-detail", args=[fund.pk]))
    page = response.content.decode()
    assert 'data-figure="cash">50,000.00' in page and 'data-figure="goods">36,000.00' in page
    listing = logged_in.get(reverse("donations:fund-list")).content.decode()
    assert '<td class="num" data-cash>50,000.00</td>' in listing


def test_the_stores_of_another_chapter_are_not_offered(logged_in, tree):
    FundFactory(chapter=tree.hanyin, name="汉阴基金")
    Store.objects.create(chapter=tree.hanyin, name="汉阴库")
    response = logged_in.get(reverse("goods:lot-create"))
    assert "汉阴库" not in response.content.decode()
    assert "汉阴基金" not in response.content.decode()


def test_from_a_recipient_back_to_the_gifts_and_donors_their_goods_came_from(logged_in, stocked):
    payment = Disbursement.objects.get(goods_issue=stocked["issue"])

    page = logged_in.get(reverse("aid:disbursement-detail", args=[payment.pk])).content.decode()
    assert reverse("goods:issue-detail", args=[stocked["issue"].pk]) in page

    issue_page = logged_in.get(reverse("goods:issue-detail", args=[stocked["issue"].pk])).content.decode()
    assert "奈曼旗爱心企业" in issue_page  # the masks' donor
    assert "奈曼旗供销社" not in issue_page or "资金采购" in issue_page  # the water was bought
    assert (
        stocked["masks"].get_absolute_url() in issue_page
        and stocked["water"].get_absolute_url() in issue_page
    )


@pytest.mark.parametrize(
    "field,value,message",
    [
        ("quantity", "-3", "数量不能为负数"),
        ("quantity", "0", "入库数量必须大于零"),
        ("quantity", "1e15", "数量"),
        ("total_value", "abc", "请输入金额"),
        ("total_value", "99999999999999", "金额"),
        ("fund", "999999", "所属基金：所选项不存在或不属于本会"),
        ("store", "-1", "库房：所选项不存在或不属于本会"),
        ("expiry_date", "2020-02-30", "请输入有效日期"),
        ("counted_by_2", "张三", "两名清点人不能是同一人"),
    ],
)
def test_a_malformed_lot_is_told_by_its_field_and_changes_nothing(
    logged_in, fund, store, field, value, message
):
    data = {
        "date": "2020-03-01",
        "origin": "purchase",
        "fund": fund.pk,
        "store": store.pk,
        "item_name": "帐篷",
        "unit": "顶",
        "quantity": "20",
        "total_value": "16000",
        "valuation_basis": "invoice",
        "counted_by_1": "张三",
        "counted_by_2": "李四",
    }
    before = rows(*GOODS_ROWS)

    response = logged_in.post(reverse("goods:lot-create"), {**data, field: value})

    assert response.status_code == 200
    assert message in " ".join(str(e) for e in response.context["form"].errors.get(field, []))
    assert rows(*GOODS_ROWS) == before


@pytest.mark.parametrize(
    "params",
    [{"as_of": "2020-13-45"}, {"as_of": "\x00"}, {"store": "abc"}, {"stock": "nonsense"}, {"fund": "9" * 30}],
)
def test_the_stock_page_answers_malformed_filters_without_a_500(logged_in, stocked, params):
    response = logged_in.get(reverse("goods:stock"), params)
    assert response.status_code in (200, 400)


def test_an_allocation_whose_goods_were_issued_below_is_not_voided(tree, member):
    from goods.choices import LotOrigin
    from goods.services import lot_receive
    from redcross.corrections import record_void

    city = member(Role.STAFF, tree.tongliao, "city")
    county = member(Role.STAFF, tree.naiman, "county")
    FundFactory(chapter=tree.naiman, name="救灾物资")
    lot = lot_receive(
        chapter=tree.tongliao,
        user=city,
        date=DAY,
        origin=LotOrigin.ALLOCATION,
        fund=FundFactory(chapter=tree.tongliao, name="市级"),
        item_name="棉被",
        unit="床",
        quantity=Decimal("10"),
        total_value=Decimal("1000"),
        valuation_basis="agreement",
        counted_by_1="甲",
        counted_by_2="乙",
        origin_chapter=tree.nm,
    )
    allocation = issue_record(
        chapter=tree.tongliao,
        user=city,
        date=DAY,
        kind=IssueKind.ALLOCATION,
        recipient_chapter=tree.naiman,
        lines=[(lot, Decimal("10"))],
    )
    below = Lot.objects.get(chapter=tree.naiman)
    from goods.services import allocation_confirm

    allocation_confirm(
        lot=below, user=county, date=DAY, counted_quantity=Decimal("10"), counted_by_1="丙", counted_by_2="丁"
    )
    issue_record(
        chapter=tree.naiman,
        user=county,
        date=DAY,
        kind=IssueKind.UNIT,
        receiving_unit="敬老院",
        lines=[(below, Decimal("3"))],
    )
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        record_void(allocation, user=city, reason="调错")
    assert "下级" in str(refused.value)
    assert lot_on_hand(lot) == 0 and lot_on_hand(below) == Decimal("7")


def test_a_city_s_stock_summary_names_each_row_s_chapter_and_a_lot_its_document(client, tree, member):
    """Every chapter's store is 本会库房 by default: reading its counties, a city tells the rows
    of one item apart by their chapter. A lot allocated from above shows its document number."""
    import re

    from goods.choices import LotOrigin
    from goods.services import lot_receive

    FundFactory(chapter=tree.naiman, name="救灾物资")
    lot = lot_receive(
        chapter=tree.tongliao, user=None, date=DAY, origin=LotOrigin.ALLOCATION,
        fund=FundFactory(chapter=tree.tongliao, name="市级"), item_name="棉被", unit="床",
        quantity=Decimal("10"), total_value=Decimal("1000"), valuation_basis="market",
        counted_by_1="甲", counted_by_2="乙", origin_chapter=tree.nm, document_number="内红调〔2020〕1号",
    )  # fmt: skip
    issue_record(
        chapter=tree.tongliao, user=None, date=DAY, kind=IssueKind.ALLOCATION, recipient_chapter=tree.naiman,
        lines=[(lot, Decimal("4"))], document_number="通红发〔2020〕2号",
    )  # fmt: skip
    client.force_login(member(Role.LEADER, tree.tongliao, "city-leader"))

    html = client.get(reverse("goods:stock")).content.decode()

    summary = re.search(r'id="by-item".*?<tbody>(.*?)</tbody>', html, re.S).group(1)
    cells = [
        [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        for row in re.findall(r"<tr>(.*?)</tr>", summary, re.S)
    ]
    assert sorted((c[0], c[2], c[4], c[7]) for c in cells) == [
        ("棉被", "本会库房", "4", "奈曼旗红十字会"),
        ("棉被", "本会库房", "6", "通辽市红十字会"),
    ]
    # Among the lot's particulars, not only in its history.
    below = Lot.objects.get(chapter=tree.naiman)
    for shown, document in [(below, "通红发〔2020〕2号"), (lot, "内红调〔2020〕1号")]:
        page = client.get(shown.get_absolute_url()).content.decode()
        assert f"<dt>单据号</dt><dd>{document}</dd>" in page


def test_the_history_says_计量单位_for_an_item_s_unit_never_单位(client, purchase, tree, member):
    """单位 alone reads as an organisation (English "Organisation"); an item's unit of measure is
    计量单位 in the history as on the forms."""
    purchase()
    client.force_login(member(Role.AUDITOR, tree.naiman, "history-auditor"))

    page = client.get(reverse("change-list"), {"table": "goods_item"})

    [change] = page.context["object_list"]
    labels = [field[0] for field in change.fields]
    assert "计量单位" in labels and "单位" not in labels
    assert ("计量单位", "", "箱") in change.fields

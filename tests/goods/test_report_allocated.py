"""The work report says what a chapter was allocated from above in the period and what became of
it: "接收中国红十字会总会、陕西省红十字会调拨物资折价26.63万元，已全部调拨…" only when none is left at the
period's end, naming the chapters below that received the goods; otherwise what was issued and
what remains. An allocation is not a gift (never in the donation totals), and an allocation
between two chapters of the report's scope is not received from above (seed 003, issue 20)."""

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from donations.choices import ValuationBasis
from goods.choices import IssueKind, LotOrigin
from goods.models import Lot
from goods.services import issue_record, lot_receive
from redcross.choices import ChapterLevel, Role
from redcross.models import Chapter
from reports.choices import ReportKind
from reports.drafts import donations_text
from reports.figures import report_data
from reports.periods import Period
from reports.text import render_plain

from ..factories import ChapterFactory, DonationFactory, FundFactory
from ..reports.test_reports import build

pytestmark = pytest.mark.django_db

D = datetime.date
ARRIVED, GIVEN_ON = D(2023, 1, 10), D(2023, 1, 14)
H1, YEAR = Period(2023, ReportKind.H1), Period(2023, ReportKind.YEAR)


@pytest.fixture
def ankang(tree):
    """总会 → 陕西 → 安康 → 宁陕、紫阳、石泉, each with a fund to hold goods."""
    national = ChapterFactory(code="100000", name="中国红十字会总会", level=ChapterLevel.NATIONAL)
    tree.shaanxi.parent = national
    tree.shaanxi.save()
    city = Chapter.objects.get(code="610900")
    counties = {
        code: ChapterFactory(code=code, name=name, parent=city)
        for code, name in [
            ("610923", "宁陕县红十字会"),
            ("610924", "紫阳县红十字会"),
            ("610922", "石泉县红十字会"),
        ]
    }
    funds = {c.code: FundFactory(chapter=c, name="博爱送万家物资") for c in [city, *counties.values()]}
    return {
        "national": national,
        "province": Chapter.objects.get(code="610000"),
        "city": city,
        **counties,
        "funds": funds,
    }


def receive(ankang, origin, item, quantity, value, *, chapter="city", day=ARRIVED):
    chapter = ankang[chapter]
    return lot_receive(
        chapter=chapter, user=None, date=day, origin=LotOrigin.ALLOCATION, origin_chapter=ankang[origin],
        fund=ankang["funds"][chapter.code], item_name=item, unit="个", quantity=Decimal(quantity),
        total_value=Decimal(value), valuation_basis=ValuationBasis.AGREEMENT,
        counted_by_1="陈红梅", counted_by_2="刘建军", document_number="红总赈调〔2023〕3号",
    )  # fmt: skip


def allocate(ankang, county, lines, *, day=GIVEN_ON, chapter="city"):
    return issue_record(
        chapter=ankang[chapter], user=None, date=day, kind=IssueKind.ALLOCATION,
        recipient_chapter=ankang[county], recipient_fund=ankang["funds"][county],
        lines=[(lot, Decimal(q)) for lot, q in lines],
    )  # fmt: skip


@pytest.fixture
def songwanjia(ankang):
    """The demo's goods: 1,663 packs from 总会 and 1,000 parcels from the province, 100 元 each."""
    return {
        "packs": receive(ankang, "national", "博爱送万家救助家庭包", "1663", "166300.00"),
        "parcels": receive(ankang, "province", "棉被、米面油等救助物资", "1000", "100000.00"),
    }


def donations_said(chapter, period=H1):
    data = report_data(chapter, period)
    return render_plain(donations_text(data), data.figures), data


def test_goods_all_allocated_on_name_the_chapters_below_that_received_them(ankang, songwanjia, tmp_path):
    packs, parcels = songwanjia["packs"], songwanjia["parcels"]
    allocate(ankang, "610923", [(packs, "1100")])
    allocate(ankang, "610924", [(packs, "563"), (parcels, "237")])
    allocate(ankang, "610922", [(parcels, "763")])

    text, data = donations_said(ankang["city"])

    sentence = (
        "接收中国红十字会总会、陕西省红十字会调拨物资折价26.63万元，"
        "已全部调拨宁陕县红十字会、紫阳县红十字会、石泉县红十字会。"
    )
    assert text.splitlines() == ["2023年上半年未接收社会捐赠。", sentence]
    # Not a gift: the donation totals hold none of it.
    assert data["donations.total.amount"].value == data["donations.total.in_kind"].value == "0.00"
    assert (data["goods.allocated.received"].value, data["goods.allocated.on_hand"].value) == (
        "266300.00",
        "0.00",
    )
    # The PDF says it as the draft does.
    assert sentence in build(ankang["city"], H1, tmp_path)


def test_goods_still_in_stock_at_the_periods_end_are_said_with_what_was_allocated(ankang, songwanjia):
    packs = songwanjia["packs"]
    allocate(ankang, "610923", [(packs, "1100")])
    allocate(ankang, "610924", [(packs, "563")], day=D(2023, 8, 1))

    text, data = donations_said(ankang["city"])

    assert text.splitlines()[1] == (
        "接收中国红十字会总会、陕西省红十字会调拨物资折价26.63万元，已调拨宁陕县红十字会11万元，库存15.63万元。"
    )
    assert data["goods.allocated.all_issued"].text == ""
    # By the year's end the packs are gone, the parcels not: still issued and remaining.
    text, _data = donations_said(ankang["city"], YEAR)
    assert text.splitlines()[1] == (
        "接收中国红十字会总会、陕西省红十字会调拨物资折价26.63万元，"
        "已调拨宁陕县红十字会、紫阳县红十字会16.63万元，库存10万元。"
    )


def test_goods_issued_otherwise_than_to_chapters_below_are_issued_not_allocated(ankang, songwanjia):
    parcels = songwanjia["parcels"]
    allocate(ankang, "610923", [(parcels, "300")])
    issue_record(
        chapter=ankang["city"], user=None, date=D(2023, 2, 1), kind=IssueKind.UNIT,
        receiving_unit="安康市民政局", lines=[(parcels, Decimal("200"))],
    )  # fmt: skip

    text, _data = donations_said(ankang["city"])

    assert text.splitlines()[1] == (
        "接收中国红十字会总会、陕西省红十字会调拨物资折价26.63万元，"
        "已发放5万元（其中调拨宁陕县红十字会3万元），库存21.63万元。"
    )


def test_an_allocation_inside_the_reports_scope_is_not_received_from_above(ankang, tmp_path):
    """The city passes the province's quilts on to 宁陕: its roll-up report received them from
    above once (the county's lot, from the city, is inside the scope); the county's own report
    received them from 安康市红十字会."""
    quilts = receive(ankang, "province", "棉被", "100", "11000.00", day=D(2023, 1, 5))
    allocate(ankang, "610923", [(quilts, "100")])
    received = Lot.objects.get(chapter=ankang["610923"])
    assert (received.origin, received.origin_chapter) == (LotOrigin.ALLOCATION, ankang["city"])

    text, data = donations_said(ankang["city"])
    assert data["goods.allocated.received"].value == "11000.00"  # not 22000.00
    assert text.splitlines()[1] == "接收陕西省红十字会调拨物资折价1.1万元，已全部调拨宁陕县红十字会。"

    county_text, county = donations_said(ankang["610923"])
    assert county_text.splitlines() == [
        "2023年上半年未接收社会捐赠。",
        "接收安康市红十字会调拨物资折价1.1万元，尚未发放。",
    ]
    assert county["donations.total.amount"].value == "0.00"
    assert "接收安康市红十字会调拨物资折价1.1万元，尚未发放。" in build(ankang["610923"], H1, tmp_path)


def test_a_city_allocating_only_goods_it_bought_says_nothing_of_goods_from_above(ankang):
    fund = ankang["funds"]["610900"]
    DonationFactory(fund=fund, amount=Decimal("50000.00"), date=D(2022, 12, 1))
    bought = lot_receive(
        chapter=ankang["city"], user=None, date=D(2023, 1, 5), origin=LotOrigin.PURCHASE, fund=fund,
        item_name="棉被", unit="床", quantity=Decimal("100"), total_value=Decimal("11000.00"),
        valuation_basis=ValuationBasis.INVOICE, counted_by_1="陈红梅", counted_by_2="刘建军",
    )  # fmt: skip
    allocate(ankang, "610923", [(bought, "100")])

    text, data = donations_said(ankang["city"])

    assert data.get("goods.allocated.received") is None
    assert text == "2023年上半年未接收社会捐赠。"


def test_the_received_figure_links_to_the_lots_from_above(ankang, songwanjia, member, client):
    packs = songwanjia["packs"]
    allocate(ankang, "610923", [(packs, "1100")])
    client.force_login(member(Role.LEADER, ankang["city"], "city-leader"))
    url = report_data(ankang["city"], H1)["goods.allocated.received"].url

    html = client.get(url).content.decode()

    # The city's two lots from above, not the county's lot from the city (which the panel of
    # allocations in transit, apart from the filtered list, names while the county confirms it).
    listed = re.sub(r'<section class="card in-transit".*?</section>', "", html, flags=re.S)
    assert "待下级确认" in html
    lots = re.findall(r'href="/goods/lots/(\d+)/"', listed)
    assert sorted(set(map(int, lots))) == sorted(lot.pk for lot in songwanjia.values())
    # A malformed filter is told, not a server error.
    response = client.get(reverse("goods:stock"), {"from_above": "x", "arrived_from": "2023-13-01"})
    assert response.status_code == 200
    assert "请输入有效日期，格式为 年-月-日" in response.content.decode()

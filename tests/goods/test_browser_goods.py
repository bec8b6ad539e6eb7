"""In a real browser (Debian's Chromium driven by Playwright), on the demo: staff of 通辽市 record
an in-kind gift of 1,200 boxes, issue 200 to a group and 1,000 to 奈曼旗 below, see the stock of
the lot at zero, and follow one box from the donor to its recipient through the trace pages."""

import os
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import sync_playwright

from redcross.choices import Role

from ..factories import FundFactory
from ..test_browser import CHROMIUM, CHROMIUM_ARGS, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

# Screenshots of the pages this journey passes, at a desktop's and a phone's width, when asked for.
SHOTS = os.environ.get("GOODS_SCREENSHOTS", "")


@pytest.fixture
def goods_site(live_server, city_staff):
    return live_server.url


@pytest.fixture
def city_staff(db):
    """The demo, and a staff member of 通辽市 (the city above 奈曼旗) with a fund to receive into.
    Made before the browser starts: the ORM is not used from Playwright's event loop."""
    from django.contrib.auth import get_user_model

    from redcross.models import Chapter, Membership

    call_command("load_demo", stdout=open(os.devnull, "w"))
    city = Chapter.objects.get(code="150500")
    FundFactory(chapter=city, name="通辽市综合基金")
    user = get_user_model().objects.create_user("city-staff", password="redcross-demo")
    Membership.objects.create(user=user, chapter=city, role=Role.STAFF)
    return city


@pytest.fixture
def page(goods_site):
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900})
        yield context.new_page()
        browser.close()


def shoot(page, name):
    if not SHOTS:
        return
    Path(SHOTS).mkdir(parents=True, exist_ok=True)
    for width in (1366, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=f"{SHOTS}/{name}-{width}.png", full_page=True)
    page.set_viewport_size({"width": 1366, "height": 900})


def test_a_gift_of_1200_boxes_goes_to_a_group_and_a_chapter_below_and_each_box_is_followed(goods_site, page):
    base = goods_site
    log_in(page, base, "city-staff")

    # The gift arrives: its lot of 1,200 boxes, counted by two.
    page.goto(f"{base}/donations/new/")
    page.fill("#id_date", "2026-11-02")
    page.fill("#id_donor_name", "通辽市爱心企业")
    page.check("input[name=donor_kind][value=organisation]")
    page.select_option(
        "#id_fund", label=page.locator("#id_fund option", has_text="通辽市综合基金").inner_text()
    )
    page.check("input[name=kind][value=in_kind]")
    page.fill("#id_amount", "36000")
    page.fill("#id_goods", "医用口罩")
    page.fill("#id_quantity", "1200")
    page.fill("#id_unit", "箱")
    page.select_option("#id_valuation_basis", label="发票")
    page.fill("#id_counted_by_1", "张三")
    page.fill("#id_counted_by_2", "李四")
    page.click("main form button[type=submit]")
    assert page.inner_text(".message") == "捐赠已登记"
    donation_url = page.url
    page.click("#lot-link")
    lot_url = page.url
    assert page.inner_text('[data-figure="on_hand"]') == "1,200"

    # 200 boxes to a group, picked from the lot without choosing it.
    page.click("text=出库")
    page.check("input[name=kind][value=relief_group]")
    page.fill("#id_date", "2026-11-05")
    page.fill("#id_quantity", "200")
    page.select_option("#id_category", label="困难群众慰问")
    page.fill("#id_head_count", "200")
    page.click("main form[method=post] button[type=submit]")
    assert page.inner_text(".message") == "物资已出库"

    # 1,000 boxes to 奈曼旗, the chapter below.
    page.goto(lot_url)
    page.click("text=出库")
    page.check("input[name=kind][value=allocation]")
    page.fill("#id_date", "2026-11-06")
    page.fill("#id_quantity", "1000")
    page.select_option("#id_recipient_chapter", label="奈曼旗红十字会")
    page.click("main form[method=post] button[type=submit]")
    assert page.inner_text(".message") == "物资已出库"

    # The lot holds nothing; its trace names the group and the chapter below.
    page.goto(lot_url)
    assert page.inner_text('[data-figure="on_hand"]') == "0"
    trace = page.inner_text("#trace")
    assert "群体发放（200人）" in trace and "奈曼旗红十字会" in trace
    shoot(page, "lot-trace")

    # One box from the donor to its recipient: the gift → its lot → the lot 奈曼旗 received.
    page.goto(donation_url)
    page.click("#lot-link")
    page.click("#trace >> text=奈曼旗红十字会")
    assert "奈曼旗红十字会" in page.inner_text("dl.details")
    assert "上级调拨" in page.inner_text("dl.details") and "通辽市红十字会" in page.inner_text("dl.details")
    assert page.inner_text('[data-figure="on_hand"]') == "1,000"
    # … and back up to the issue it came from, which names the lot and the gift's donor.
    page.click("text=上级出库单")
    assert "医用口罩" in page.inner_text("main")
    shoot(page, "issue")

    # 奈曼旗's 2020 epidemic drive: its goods (83.85万元) were all issued to the epidemic command.
    page.goto(f"{base}/donations/drives/?q=疫情防控专项募捐")
    page.click("table.records >> text=疫情防控专项募捐")
    assert page.inner_text('[data-figure="goods_received"]') == "838,500.00"
    assert page.inner_text('[data-figure="goods_on_hand"]') == "0.00"
    assert "已全部发放" in page.inner_text("#drive-goods")
    shoot(page, "drive")
    page.goto(f"{base}/exports/ledgers/")
    assert "物资收发存明细账" in page.inner_text("#id_ledger")
    shoot(page, "ledgers")

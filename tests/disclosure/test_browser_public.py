"""As an anonymous visitor on a phone (390 px, Debian's Chromium): open 奈曼旗's public page, find
the epidemic drive's disclosure, read it without scrolling sideways, and look up a gift by its
receipt number (the README's demo receipt); the drive's goods received and issued lists read on
the phone too, each table scrolling inside its own box."""

import pytest
from playwright.sync_api import sync_playwright

from tests import test_browser
from tests.test_browser import CHROMIUM, CHROMIUM_ARGS

demo_site = test_browser.demo_site

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_a_visitor_finds_a_drive_and_looks_up_a_gift_on_a_phone(demo_site):
    base = demo_site
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}).new_page()
        page.goto(f"{base}/public/150525/")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        assert "奈曼旗红十字会2020年全年工作报告" in page.inner_text("#reports")
        page.click("text=疫情防控专项募捐（2020）")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        summary = page.inner_text("#summary")
        assert "累计接收现金（元）" in summary and "1,116,100.00" in summary and "838,500.00" in summary
        assert "奈曼旗新冠肺炎疫情防控指挥部" in page.inner_text("#section-payouts")
        assert "累计使用物资折价（元）" in summary
        goods_lists_read_on_a_phone(page)
        page.click("text=捐赠查询")
        page.fill("#id_receipt", "NM2020-0019")
        page.fill("#id_name", "北京市通州区红十字会")
        page.click("#lookup-form button")
        gift = page.inner_text("#gift")
        assert "100,000.00 元" in gift and "助飞梦想助学资金" in gift
        assert "限定用途“助学”的支出" in page.inner_text("#use")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.fill("#id_receipt", "NM2020-0019")
        page.fill("#id_name", "北京市通州区")
        page.click("#lookup-form button")
        assert "未找到与该票据号和捐赠人名称相符的捐赠" in page.inner_text("main")
        browser.close()


def goods_lists_read_on_a_phone(page):
    """The epidemic drive's goods: five lots received (50,000 masks first, quantities with
    separators), issued in full to the epidemic command; each list's last column (折价) is reached
    by scrolling its own box, never the page."""
    for key, rows in (("goods_received", 5), ("goods_issued", 5)):
        section = page.locator(f"#section-{key}")
        section.scroll_into_view_if_needed()
        assert section.is_visible()
        assert section.locator("tbody tr").count() == rows
        assert "838,500.00" in section.locator("tfoot").inner_text()
        assert section.locator(".excel-link").is_visible()
        box = section.locator(".table-scroll")
        width = box.evaluate("b => b.clientWidth")
        assert width <= 390
        # The table is wider than the phone: its box scrolls, the page does not.
        assert box.evaluate("b => b.scrollWidth") > width
        box.evaluate("b => { b.scrollLeft = b.scrollWidth; }")
        last = section.locator("tfoot td").last.bounding_box()
        assert last["x"] >= 0 and last["x"] + last["width"] <= 390 + 1
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
    first = page.locator("#section-goods_received tbody tr").first.locator("td")
    assert first.nth(2).inner_text() == "医用外科口罩"
    assert first.nth(5).inner_text() == "50,000"  # 数量, with its separator
    issued = page.inner_text("#section-goods_issued")
    assert issued.count("奈曼旗新冠肺炎疫情防控指挥部") == 5 and "发往接收单位" in issued

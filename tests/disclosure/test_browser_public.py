"""As an anonymous visitor on a phone (390 px, Debian's Chromium): open 奈曼旗's public page, find
the epidemic drive's disclosure, read it without scrolling sideways, and look up a gift by its
receipt number (the README's demo receipt)."""

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

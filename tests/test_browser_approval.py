"""In Chromium (issue 17, "Deciding and approving"): staff record a payment above the approval
threshold and are told it went to the leaders; a leader finds it on the list of what waits with
its amount and the fund's balance, approves it with an opinion after a confirm step, and the
record's history keeps the opinion."""

import re

import pytest

from .test_browser import CHROMIUM, CHROMIUM_ARGS, demo_site, log_in, page  # noqa: F401 — fixtures

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_a_payment_above_the_threshold_is_approved_with_an_opinion_from_the_waiting_list(demo_site, page):  # noqa: F811
    base = demo_site
    log_in(page, base, "demo-admin")
    page.goto(f"{base}/periods/")
    page.fill("#approval #id_threshold", "5000")
    page.click("#approval button[type=submit]")
    page.context.clear_cookies()

    # Staff record 30,000 yuan from a fund: sent for approval, said in blue, not "登记" in green.
    log_in(page, base, "demo-staff")
    assert page.locator("#quick a", has_text="登记救助发放").count() == 1  # the staff start page
    page.goto(f"{base}/aid/new/")
    page.fill("#id_date", "2020-11-29")
    page.select_option("#id_category", label="重特大疾病救助")
    page.check("input[name=recipient][value=person]")
    page.fill("#id_beneficiary_name", "王秀兰")
    page.fill("#id_cash_amount", "30000")
    page.fill("#id_in_kind_amount", "0")
    # The fund by its name, whatever else its option says (its balance, its restriction).
    fund = page.locator("#id_fund option", has_text="博爱一日捐").first.get_attribute("value")
    page.select_option("#id_fund", value=fund)
    page.fill("#id_remarks", "县医院住院，自付部分")
    page.click("main form button[type=submit]")
    message = page.locator(".message")
    assert message.inner_text().startswith("已提交审批，等待奈曼旗红十字会领导审批（可审批人：")
    assert "info" in message.get_attribute("class")
    payment_url = page.url
    page.goto(f"{base}/")
    assert "30,000.00" in page.inner_text("#waiting-mine")
    page.goto(f"{base}/aid/?status=pending")
    assert page.inner_text("#pending-totals") == "待审批 1 笔 30,000.00 元，不计入合计"
    assert page.locator("#totals").count() == 0
    page.context.clear_cookies()

    # The leader: from the figures to the list of what waits, with the amount and the balance.
    log_in(page, base, "demo-leader")
    assert page.inner_text("#waiting-link") == "待审批 1 笔"
    page.click("#waiting-link")
    card = page.locator("section.waiting")
    assert card.count() == 1
    assert card.locator('[data-fact="amount"]').inner_text() == "30,000.00"
    now = card.locator('[data-fact="balance-now"]').inner_text()
    after = card.locator('[data-fact="balance-after"]').inner_text()
    assert float(now.replace(",", "")) - float(after.replace(",", "")) == 30000
    assert "县医院住院，自付部分" in card.inner_text()
    card.locator("textarea[name=opinion]").fill("情况属实，同意")
    card.locator("button[value=approve]").click()

    # The confirm step: the facts again, the opinion carried, nothing approved yet.
    assert "请核对以下内容" in page.inner_text("#confirming")
    assert page.input_value("#id_opinion") == "情况属实，同意"
    assert page.locator('[data-fact="amount"]').inner_text() == "30,000.00"
    page.click("#approve")
    assert page.url == f"{base}/approvals/"
    assert re.fullmatch(
        r"已同意：救助发放 #\d+，30,000.00 元，开始计入合计和基金余额", page.inner_text(".message")
    )
    assert "没有待审批的记录" in page.inner_text("main")

    # The record says who approved it and why, and its history keeps the opinion.
    page.goto(payment_url)
    assert page.inner_text("[data-status]") == "有效"
    assert page.inner_text("#approved [data-opinion]") == "情况属实，同意"
    assert "情况属实，同意" in page.inner_text("#history")

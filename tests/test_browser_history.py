"""In Chromium: a payment's history and /history/ read in words and Beijing time (issue 17)."""

import datetime
import re
from zoneinfo import ZoneInfo

import pytest

from .test_browser import demo_site, log_in, page  # noqa: F401 (the fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def beijing_minutes(start, end):
    """The minutes, as the pages write them in Beijing time, between two instants."""
    zone = ZoneInfo("Asia/Shanghai")
    moment, seen = start.replace(second=0, microsecond=0), set()
    while moment <= end:
        seen.add(moment.astimezone(zone).strftime("%Y-%m-%d %H:%M"))
        moment += datetime.timedelta(minutes=1)
    return seen


def test_a_payment_s_history_and_the_history_page_say_in_words_who_did_what_and_when(demo_site, page):  # noqa: F811
    base = demo_site
    start = datetime.datetime.now(datetime.UTC)
    log_in(page, base, "demo-staff")
    page.goto(f"{base}/aid/new/")
    page.fill("#id_date", "2020-11-20")
    page.select_option("#id_category", label="重特大疾病救助")
    page.check("input[name=recipient][value=person]")
    page.fill("#id_beneficiary_name", "历史浏览器")
    page.select_option("#id_township", "八仙筒镇")  # the chapter's list of townships
    page.fill("#id_cash_amount", "1234.5")
    page.fill("#id_in_kind_amount", "0")
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r".*/aid/\d+/$"))
    record = page.url
    page.goto(record + "edit/")
    page.fill("#id_cash_amount", "1500")
    page.click("main form button[type=submit]")
    page.wait_for_url(record)
    page.goto(record + "void/")
    page.fill("#id_reason", "重复登记")
    page.click("main form button[type=submit]")
    page.wait_for_url(record)
    minutes = beijing_minutes(start, datetime.datetime.now(datetime.UTC))

    # The record's page: each change says when (Beijing time), what, who and from where.
    heads = page.locator("#history tbody tr:has(td[rowspan])")
    assert heads.count() == 3
    rows = [heads.nth(i).locator("td").all_inner_texts()[:4] for i in range(3)]
    assert [row[1:] for row in rows] == [
        ["新增", "演示录入员（demo-staff）", "页面录入"],
        ["修改", "演示录入员（demo-staff）", "更正"],
        ["修改", "演示录入员（demo-staff）", "作废"],
    ]
    assert {row[0] for row in rows} <= minutes
    history = page.inner_text("#history")
    assert "救助类别\t\t重特大疾病救助" in history and "受助人\t\t历史浏览器" in history
    assert "现金金额\t1,234.50 元\t1,500.00 元" in history
    assert "作废人\t\t演示录入员（demo-staff）" in history
    voided_at = re.search(r"作废时间\t\t(\S+ \S+)", history).group(1)
    assert voided_at in minutes
    # Nothing the database holds in its own terms: no id, code, UTC instant or request line.
    assert not re.search(r"\dT\d|Z\b|POST|cash|in_kind", history)
    # The stored source stays at hand, in the cell's title.
    assert (
        heads.nth(1).locator("td.origin").get_attribute("title")
        == f"原始来源：POST {record[len(base) :]}edit/"
    )

    # /history/: the latest change first, the record by name with its link, the demo as 系统.
    page.goto(f"{base}/history/")
    first = page.locator("table.records tbody tr").first
    cells = first.locator("td").all_inner_texts()
    assert cells[0] in minutes and cells[3:6] == ["修改", "演示录入员（demo-staff）", "作废"]
    assert cells[2].startswith("救助发放 2020-11-20 重特大疾病救助 历史浏览器")
    assert "作废原因：— → 重复登记" in cells[6]
    first.locator("td.record a").click()
    assert page.url == record
    page.goto(f"{base}/history/?table=aid_beneficiary")
    assert "系统（演示数据）" in page.locator("table.records tbody").inner_text()

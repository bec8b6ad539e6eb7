"""In a real browser (Debian's Chromium driven by Playwright): a staff member records a payment."""

import re
from decimal import Decimal

import pytest
from django.core.management import call_command
from playwright.sync_api import sync_playwright

from .factories import valid_id_number

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def demo_site(live_server):
    """The demo, served. Loaded before the browser starts: while Playwright's sync API runs, the
    test thread has an event loop, and the ORM is not to be used from it."""
    call_command("load_demo", stdout=open("/dev/null", "w"))
    return live_server.url


@pytest.fixture
def page(demo_site):
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(locale="zh-CN")
        yield context.new_page()
        browser.close()


def log_in(page, base_url, username):
    page.goto(f"{base_url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "redcross-demo")
    page.click("button[type=submit]")
    page.wait_for_url(f"{base_url}/")


def amount_in_totals(page):
    return Decimal(page.inner_text('[data-figure="amount"]').replace(",", ""))


def test_staff_records_a_payment_and_sees_the_totals_line_change(demo_site, page):
    base = demo_site
    log_in(page, base, "demo-staff")

    # The year's major-illness relief, as the list shows it before.
    page.goto(f"{base}/aid/")
    page.select_option("#id_category", label="重特大疾病救助")
    page.fill("#id_date_0", "2020-01-01")
    page.fill("#id_date_1", "2020-12-31")
    page.click("form.filters button[type=submit]")
    filtered_url = page.url
    before = amount_in_totals(page)
    assert before == Decimal("262000.00")
    assert page.inner_text('[data-figure="persons"]') == "109"

    # Record a payment through the form.
    page.click("text=登记救助发放")
    page.fill("#id_date", "2020-11-20")
    page.select_option("#id_category", label="重特大疾病救助")
    page.check("input[name=recipient][value=person]")
    page.fill("#id_beneficiary_name", "浏览器测试")
    page.fill("#id_id_number", valid_id_number(serial=999))
    page.select_option("#id_township", "八仙筒镇")  # the chapter's list of townships
    page.fill("#id_cash_amount", "1234.56")
    page.fill("#id_in_kind_amount", "0")
    page.click("main form button[type=submit]")
    assert page.inner_text(".message") == "救助发放已登记"
    assert re.search(r"/aid/\d+/$", page.url)

    # Find it in the filtered list, and the totals line moved by its amount.
    page.goto(filtered_url)
    assert amount_in_totals(page) == before + Decimal("1234.56")
    assert page.inner_text('[data-figure="persons"]') == "110"
    page.fill("#id_q", "浏览器测试")
    page.click("form.filters button[type=submit]")
    rows = page.locator("table.records tbody tr")
    assert rows.count() == 1
    assert "1,234.56" in rows.first.inner_text()
    assert amount_in_totals(page) == Decimal("1234.56")

    # It was a mistake: voided from its page with the reason, it stays listed, marked, and the
    # totals line is back where it was.
    rows.first.locator("a").first.click()
    page.click('#status .actions a:text-is("作废")')
    page.click("main form button[type=submit]")  # no reason: the form does not go
    assert page.url.endswith("/void/") and page.locator("#id_reason:invalid").count() == 1
    page.fill("#id_reason", "重复登记")
    page.click("main form button[type=submit]")
    assert page.inner_text(".message") == "已作废"
    assert page.inner_text("[data-status]") == "已作废"
    page.goto(filtered_url)
    assert amount_in_totals(page) == before
    assert page.inner_text('[data-figure="persons"]') == "109"
    page.select_option("#id_status", label="已作废")
    page.click("form.filters button[type=submit]")
    page.wait_for_url("**status=voided**")
    rows = page.locator("table.records tbody tr")
    assert rows.count() == 1 and "已作废" in rows.first.inner_text()


def test_staff_records_an_in_kind_donation_and_sees_the_drive_total_change(demo_site, page):
    base = demo_site
    log_in(page, base, "demo-staff")

    # The 2020 epidemic drive, as its page shows it before.
    page.goto(f"{base}/donations/drives/")
    page.click("text=疫情防控专项募捐")
    drive_url = page.url
    assert page.inner_text('[data-figure="in_kind"]') == "838,500.00"
    before = Decimal(page.inner_text('[data-figure="amount"]').replace(",", ""))
    assert before == Decimal("1954600.00")

    # Record goods given to the drive, from the drive's own page.
    page.click("text=登记捐赠")
    page.fill("#id_date", "2020-03-02")
    page.fill("#id_donor_name", "奈曼旗爱心药店")
    page.check("input[name=donor_kind][value=organisation]")
    page.check("input[name=kind][value=in_kind]")
    page.fill("#id_amount", "12345.67")
    page.fill("#id_goods", "医用酒精")
    page.fill("#id_quantity", "300")
    page.fill("#id_unit", "箱")
    page.select_option("#id_valuation_basis", label="发票")
    # The goods go into the store as they arrive, counted by two (issue 20).
    page.fill("#id_counted_by_1", "张三")
    page.fill("#id_counted_by_2", "李四")
    page.fill("#id_receipt_number", "NM2020-0999")
    page.click("main form button[type=submit]")
    assert page.inner_text(".message") == "捐赠已登记"
    assert "NM2020-0999" in page.inner_text("#receipts")

    # The drive's in-kind and total figures moved by its value.
    page.goto(drive_url)
    assert page.inner_text('[data-figure="in_kind"]') == "850,845.67"
    assert Decimal(page.inner_text('[data-figure="amount"]').replace(",", "")) == before + Decimal("12345.67")


def test_a_leader_edits_a_paragraph_publishes_and_downloads_the_pdf(demo_site, page, tmp_path):
    import subprocess

    base = demo_site
    log_in(page, base, "demo-leader")
    page.click("nav >> text=工作报告")
    page.click("text=奈曼旗红十字会2020年全年工作报告")
    assert "重特大疾病救助26.2万元，惠及109人" in page.inner_text("#section-relief")

    # Edit the party-building paragraph; a figure typed as a token reads as its value.
    # (The editor shows figures as chips; a token typed in becomes one.)
    page.click("#section-party >> text=编辑")
    page.click(".chip-editor")
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.type("全年开展主题党日活动12次，慰问贫困老党员{{relief.困难群众慰问.amount}}。")
    page.click("button[value=preview]")
    page.locator("#preview-sheet", has_text="慰问贫困老党员6000元。").wait_for()
    assert "全年开展主题党日活动12次，慰问贫困老党员6000元。" in page.inner_text("#preview-sheet")
    page.click("button[value=save]")
    assert "已保存" in page.inner_text(".message")
    assert "慰问贫困老党员6000元" in page.inner_text("#section-party")

    # Publish through the confirmation page, then download the published PDF. The demo published
    # version 1 for the public pages (/public/150525/): this is version 2, listed first.
    page.click("#publish")
    assert "将发布为第2版，发布后不可更改。" in page.inner_text("#publish-version")
    assert "尚未结账" in page.inner_text("#check-closed")
    page.click("#confirm-publish-button")
    assert "已发布第2版" in page.inner_text(".message")
    with page.expect_download() as download:
        page.locator("#publications >> text=下载PDF").first.click()
    path = tmp_path / "published.pdf"
    download.value.save_as(path)
    assert download.value.suggested_filename == "150525-2020-v2.pdf"
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    text = re.sub(r"\s+", "", text)
    assert "全年开展主题党日活动12次，慰问贫困老党员6000元。" in text
    assert "重特大疾病救助26.2万元，惠及109人" in text


def test_an_auditor_exports_the_filtered_list_to_excel(demo_site, page, tmp_path):
    from openpyxl import load_workbook

    base = demo_site
    log_in(page, base, "demo-auditor")
    page.goto(f"{base}/aid/")
    page.select_option("#id_category", label="重特大疾病救助")
    page.fill("#id_date_0", "2020-01-01")
    page.fill("#id_date_1", "2020-12-31")
    page.click("form.filters button[type=submit]")
    listed = amount_in_totals(page)
    count = int(page.inner_text('[data-figure="count"]'))

    with page.expect_download() as download:
        page.click("text=导出Excel")
    # Named for the chapter, ledger, period and filter: another filter gives another name.
    assert download.value.suggested_filename == "150525-救助支出明细账-2020年-重特大疾病救助.xlsx"
    path = tmp_path / "ledger.xlsx"
    download.value.save_as(path)
    sheet = load_workbook(path).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "救助支出明细账"
    assert ("筛选条件", "救助类别：重特大疾病救助") in [r[:2] for r in rows]
    assert ("导出人", "演示审计") in [r[:2] for r in rows]  # the name, not the login
    totals = rows[-1]
    assert totals[0] == f"合计（{count}条）"
    assert Decimal(str(totals[10])).quantize(Decimal("0.01")) == listed == Decimal("262000.00")
    # ID numbers are masked for an auditor.
    numbers = [r[4] for r in rows[9:-1] if r[4]]
    assert numbers and all("********" in n for n in numbers)


def test_staff_upload_a_workbook_with_one_bad_row_and_nothing_is_saved(demo_site, page, tmp_path):
    import datetime

    from openpyxl import Workbook

    base = demo_site
    log_in(page, base, "demo-staff")
    page.goto(f"{base}/aid/")
    before = page.inner_text('[data-figure="count"]')

    book = Workbook()
    sheet = book.active
    sheet.title = "救助发放"
    sheet.append(["发放日期*", "救助类别*", "受助人姓名", "身份证号", "受助人数", "例数", "现金金额"])
    sheet.append(
        [
            datetime.date(2021, 3, 1),
            "重特大疾病救助",
            "浏览器导入甲",
            valid_id_number(serial=901),
            None,
            None,
            800,
        ]
    )
    sheet.append(
        [datetime.date(2021, 3, 2), "重特大疾病救助", "浏览器导入乙", "150525198001011233", None, None, 900]
    )
    path = tmp_path / "救助发放.xlsx"
    book.save(path)

    page.click("nav >> text=导入")
    page.click("text=导入工作簿")
    page.set_input_files("#id_file", str(path))
    page.click("main form button[type=submit]")
    assert "1 处错误：未导入任何记录" in page.inner_text("#problems")
    assert "救助发放 第3行 身份证号: 校验位错误" in page.inner_text("#problems")
    assert page.locator("#confirm").count() == 0
    with page.expect_download() as download:
        page.click("#marked")
    assert download.value.suggested_filename == "救助发放-错误标注.xlsx"

    # Nothing was saved: the list counts what it counted before.
    page.goto(f"{base}/aid/")
    assert page.inner_text('[data-figure="count"]') == before
    page.fill("#id_q", "浏览器导入")
    page.click("form.filters button[type=submit]")
    assert page.inner_text('[data-figure="count"]') == "0"


def test_pages_run_under_the_content_security_policy_without_a_violation(demo_site, page):
    """No inline script or style is refused on the daily pages, and the behaviours moved to
    static/js/app.js still work: the language switch applies itself, an undo asks first."""
    base = demo_site
    refused = []
    page.on(
        "console", lambda message: "Content Security Policy" in message.text and refused.append(message.text)
    )
    log_in(page, base, "demo-staff")
    for path in ["/", "/aid/", "/donations/funds/", "/training/", "/reports/", "/imports/", "/history/"]:
        response = page.goto(base + path)
        assert "script-src 'self'" in response.headers["content-security-policy"]
    page.goto(f"{base}/training/?year=2021")
    assert page.locator("progress.progress").count() > 0
    page.click("nav >> text=工作报告")
    page.click("text=奈曼旗红十字会2020年全年工作报告")
    assert refused == []

    with page.expect_navigation():
        page.select_option("select[name=language]", "en")
    assert page.locator("html").get_attribute("lang") == "en"
    with page.expect_navigation():
        page.select_option("select[name=language]", "zh-hans")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert refused == []


def test_a_leader_closes_a_year_only_after_confirming_it(demo_site, page):
    base = demo_site
    log_in(page, base, "demo-leader")
    page.goto(f"{base}/periods/")
    closed_before = page.inner_text("#periods")
    page.select_option("#close #id_chapter", label="奈曼旗红十字会")
    page.select_option("#close #id_kind", value="year")
    page.fill("#close #id_year", "2019")
    page.click("#close button[type=submit]")
    page.wait_for_selector("#confirm-close")
    assert page.inner_text("h1") == "确认结账：奈曼旗红十字会2019年"
    assert "不能再登记、修改或作废" in page.inner_text("#confirm-close")
    page.click("#confirm-close >> text=取消")
    assert page.inner_text("#periods") == closed_before  # the first step closed nothing
    page.select_option("#close #id_chapter", label="奈曼旗红十字会")
    page.select_option("#close #id_kind", value="year")
    page.fill("#close #id_year", "2019")
    page.click("#close button[type=submit]")
    page.click("#confirm-close-button")
    assert "2019年已结账" in page.inner_text(".message")
    assert "奈曼旗红十字会\t2019年（2019-01-01 — 2019-12-31）" in page.inner_text("#periods")

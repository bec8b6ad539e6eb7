"""In a real browser (Debian's Chromium): a leader writes a paragraph with a figure picked from the
section's own figures, sees it as the figure (not its code) and as the PDF prints it, saves, and
publishes through the confirmation page."""

import re
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from reports.models import Publication, Report

from ..test_browser import demo_site, log_in, page  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

CHIP = '#body-editor .chip[data-token="relief.重特大疾病救助.amount"]'


def in_thread(function):
    """Runs an ORM read outside the test thread, whose event loop (Playwright's) forbids it."""

    def run():
        try:
            return function()
        finally:
            connection.close()  # the thread's own connection, or the test database stays in use

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(run).result()


def test_a_leader_picks_a_figure_previews_it_saves_and_publishes(demo_site, page):  # noqa: F811
    base = demo_site
    log_in(page, base, "demo-leader")

    # The 2020 year report of 150525, opened through the report list's form.
    page.goto(f"{base}/reports/?chapter=150525")
    page.select_option("#period", "2020")
    page.click("#open-report button[type=submit]")
    page.wait_for_url(re.compile(r"/reports/\d+/$"))
    report_url = page.url
    page.click('#section-relief a:text-is("编辑")')
    page.wait_for_url("**/sections/relief/")

    # The text shows figures as figures: the generated text's chips, no codes.
    editor = page.locator("#body-editor")
    assert editor.is_visible() and not page.locator("#id_body").is_visible()
    assert "{{" not in editor.inner_text()
    assert page.locator(CHIP).first.inner_text() == "26.2万元"
    assert page.locator(CHIP).first.get_attribute("title") == "重特大疾病救助 金额"

    # A new first paragraph: the words, then the figure picked from the searched list.
    page.locator("#body-editor > div").first.click()
    page.keyboard.press("Home")
    page.keyboard.type("全年发放大病救助金")
    page.keyboard.press("Enter")
    page.keyboard.press("ArrowUp")
    page.keyboard.press("End")
    entries = page.locator("#figure-list li:not([hidden])")
    assert entries.count() > 5 and "募捐" not in " ".join(entries.all_inner_texts())  # relief's own
    page.fill("#figure-search", "重特大疾病")
    labels = entries.locator(".label").all_inner_texts()
    assert labels and all("重特大疾病" in label for label in labels)
    assert "27笔" not in entries.all_inner_texts()
    entries.filter(has_text="重特大疾病救助 金额").locator(".pick").click()
    page.keyboard.type("。")
    first = page.locator("#body-editor > div").first
    assert first.inner_text().replace("\u200b", "") == "全年发放大病救助金26.2万元。"
    assert first.locator(".chip").inner_text() == "26.2万元"

    # A chip picked by mistake is deleted like a character.
    page.fill("#figure-search", "受助人数")
    entries.filter(has_text="受助人数").locator(".pick").click()
    assert first.locator(".chip").count() == 2
    page.keyboard.press("Backspace")
    assert first.locator(".chip").count() == 1
    body = page.input_value("#id_body")
    assert body.startswith("全年发放大病救助金{{relief.重特大疾病救助.amount}}。\n")
    assert "relief.total.persons}}。\n" not in body.split("\n")[0]

    # 预览: the paragraph as the PDF prints it, numbered, without reloading the page.
    page.click("button[name=action][value=preview]")
    page.locator("#preview-sheet", has_text="全年发放大病救助金26.2万元。").wait_for()
    sheet = page.inner_text("#preview-sheet")
    assert sheet.startswith("（一）人道救助")
    assert "{{" not in sheet
    assert page.url.endswith("/sections/relief/")

    page.click("button[name=action][value=save]")
    page.wait_for_url(re.compile(r"/reports/\d+/(#section-relief)?$"))
    assert page.inner_text(".message") == "已保存“人道救助”"
    assert "全年发放大病救助金26.2万元。" in page.inner_text("#section-relief")
    pk = int(re.search(r"/reports/(\d+)/", report_url).group(1))
    saved = in_thread(lambda: Report.objects.get(pk=pk).sections.get(key="relief").body)
    assert saved.startswith("全年发放大病救助金{{relief.重特大疾病救助.amount}}。")

    # Published through the confirmation page (the demo published version 1 for /public/150525/).
    page.click("#publish")
    page.wait_for_url(f"{report_url}publish/")
    assert "将发布为第2版，发布后不可更改。" in page.inner_text("#publish-version")
    page.click("#confirm-publish-button")
    page.wait_for_url(report_url)
    assert page.inner_text(".message").startswith("已发布第2版")
    assert "第2版" in page.inner_text("#publications")
    published = in_thread(lambda: Publication.objects.get(report_id=pk, version=2).sections)
    relief = next(s for s in published if s["key"] == "relief")
    assert relief["body"] == saved
    assert relief["text"].startswith("全年发放大病救助金26.2万元。")

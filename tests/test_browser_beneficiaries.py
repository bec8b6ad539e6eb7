"""In a real browser: a staff member finds a person, is refused a correction that would make them
a second record of another person, follows the link to merge the two, and confirms."""

import re

import pytest

from .test_browser import demo_site, log_in, page  # noqa: F401 (the fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_staff_corrects_into_a_collision_and_merges_the_two_records(demo_site, page):  # noqa: F811
    base = demo_site
    log_in(page, base, "demo-staff")
    # Those the 2020 report counts for major illness: the list says as many as the report (109).
    page.goto(f"{base}/aid/beneficiaries/")
    page.select_option("#id_category", label="重特大疾病救助")
    page.select_option("#id_year", "2020")
    page.click("form.filters button[type=submit]")
    assert page.inner_text('[data-figure="count"]') == "109"
    rows = page.locator("table.records tbody tr")
    first_name = rows.nth(0).locator("td").nth(1).inner_text()
    other_pk = rows.nth(1).locator("td").nth(0).inner_text().lstrip("#")
    other_name = rows.nth(1).locator("td").nth(1).inner_text()
    other_id = rows.nth(1).locator("td").nth(2).inner_text()
    assert re.fullmatch(r"\d{17}[\dX]", other_id)  # staff of the chapter see it whole
    other_payments = int(rows.nth(1).locator("td").nth(4).inner_text())

    rows.nth(0).locator("a").click()
    first_payments = int(page.inner_text('[data-figure="count"]'))
    page.click("text=更正")
    page.fill("#id_id_number", other_id)
    page.click("main form button[type=submit]")
    assert f"该身份证号已登记在受助人“{other_name}”名下" in page.inner_text("#field-id_number")
    page.click("#collision >> text=合并两条记录")
    assert page.input_value("#id_other") == other_pk
    page.check("input[name=keep][value=this]")
    page.click("main form button[type=submit]")
    assert f"“{other_name}”的发放记录将移到“{first_name}”名下" in page.inner_text("main")
    page.click("#confirm-merge")
    assert f"已将受助人“{other_name}”" in page.inner_text("main")
    assert int(page.inner_text('[data-figure="count"]')) == first_payments + other_payments

    page.goto(f"{base}/aid/beneficiaries/{other_pk}/")
    assert "此记录已合并到" in page.inner_text("#merged-note")
    assert page.locator("text=更正").count() == 0

"""In Chromium: the home page's charts link to the records behind them, print, and fit a phone."""

from decimal import Decimal

import pytest

from .test_browser import amount_in_totals, demo_site, log_in, page  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_a_leader_clicks_a_bar_and_lands_on_the_list_of_that_amount(demo_site, page):  # noqa: F811
    base = demo_site
    refused = []
    page.on(
        "console", lambda message: "Content Security Policy" in message.text and refused.append(message.text)
    )
    page.set_viewport_size({"width": 1366, "height": 900})
    log_in(page, base, "demo-leader")
    page.goto(f"{base}/?year=2020")

    # September 2020's relief: the bar says the amount, its link opens the list of that month.
    bar = page.locator('#relief-chart a[data-series="2020年"][data-month="2020-09"]')
    value = Decimal(bar.get_attribute("data-value"))
    assert value > 0
    assert "2020年9月救助款物" in bar.locator("title").text_content()
    bar.click()
    page.wait_for_url("**/aid/?**")
    assert "date_after=2020-09-01" in page.url and "date_before=2020-09-30" in page.url
    assert amount_in_totals(page) == value

    # The model school went over its budget: marked so, and its bar opens what it spent by 2020's end.
    page.goto(f"{base}/?year=2020")
    bar = page.locator('#projects-chart a[data-name="第四中学红十字示范校项目"]')
    assert bar.get_attribute("data-over") == "true"
    assert "超预算" in page.inner_text("#projects-chart")
    value = Decimal(bar.get_attribute("data-value"))
    bar.click()
    page.wait_for_url("**/projects/expenditures/?**")
    assert amount_in_totals(page) == value
    assert refused == []

    # On paper the charts stay, two to a row.
    page.goto(f"{base}/?year=2020")
    page.emulate_media(media="print")
    box = page.locator("#relief-chart svg").bounding_box()
    assert box["width"] > 200 and box["height"] > 100
    page.emulate_media(media="screen")

    # On a phone the charts fit the screen: nothing wider than 390 px.
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{base}/?year=2020")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    for chart in ("relief", "donations", "training", "projects", "drives"):
        box = page.locator(f"#{chart}-chart svg").bounding_box()
        assert 300 <= box["x"] + box["width"] <= 390, chart

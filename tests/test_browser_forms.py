"""In Chromium: a fund's restriction and balance are seen in the select while choosing, and a
whole class is certified from a pasted list (a bad line saves nothing and is named)."""

import datetime

import pytest

from .factories import valid_id_number
from .test_browser import CHROMIUM_ARGS, demo_site, log_in, page  # noqa: F401 — the fixtures

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def expected(demo_site):  # noqa: F811
    """What the demo's 奈曼旗 funds select should say, and a class waiting for its certificates,
    read before the browser starts (the ORM is not used while Playwright runs)."""
    from django.utils import timezone

    from donations.forms import fund_label, funds_offered
    from redcross.models import Chapter
    from training.models import Session, TrainingKind

    naiman = Chapter.objects.get(code="150525")
    course = Session.objects.create(
        chapter=naiman,
        date=datetime.date(2020, 9, 8),
        kind=TrainingKind.objects.get(name="救护员培训"),
        title="救护员培训班（浏览器测试）",
        person_times=40,
    )
    return {
        "funds": [fund_label(f) for f in funds_offered([naiman])],
        "course": course.pk,
        "today": timezone.localdate().isoformat(),
    }


def test_the_fund_select_shows_balances_and_a_class_is_certified_at_once(demo_site, expected, page):  # noqa: F811
    base = demo_site
    log_in(page, base, "demo-staff")

    # The payment form: each fund with its restriction and balance, before anything is saved.
    page.goto(f"{base}/aid/new/")
    options = page.locator("#id_fund option").all_inner_texts()
    assert options[1:] == expected["funds"]
    assert "助飞梦想助学资金（限定：助学）余额 0.00 元" in options
    assert any(o.startswith("博爱一日捐（非限定）余额 ") and o.endswith(" 元") for o in options)
    assert page.input_value("#id_date") == expected["today"]

    # The class: a pasted list with a wrong ID number saves nothing and names the line.
    page.goto(f"{base}/training/sessions/{expected['course']}/")
    page.click("text=整班登记证书")
    good = valid_id_number(serial=501)
    wrong = good[:17] + ("0" if good[17] != "0" else "1")
    lines = [
        f"张三\t{valid_id_number(serial=500)}\tNM-B-001\t奈曼旗人民医院",
        f"李四\t{wrong}\tNM-B-002",
        "王五\t\tNM-B-003",
    ]
    page.fill("#id_trainees", "\n".join(lines))
    page.click("main form button[type=submit]")
    assert page.locator("#field-trainees .error").all_inner_texts() == ["第2行：身份证号校验位错误"]
    page.goto(f"{base}/training/sessions/{expected['course']}/")
    assert page.inner_text("#certificates tbody").strip() == "尚未登记证书"

    # Corrected, the whole class is certified in one go.
    page.click("text=整班登记证书")
    lines[1] = f"李四\t{good}\tNM-B-002"
    page.fill("#id_trainees", "\n".join(lines))
    page.click("main form button[type=submit]")
    assert page.inner_text(".message") == "已登记 3 张证书"
    rows = page.locator("#certificates tbody tr")
    assert rows.count() == 3
    assert {r.split("\t")[0] for r in rows.all_inner_texts()} == {"张三", "李四", "王五"}
    assert page.inner_text('[data-figure="certified"]') == "3"

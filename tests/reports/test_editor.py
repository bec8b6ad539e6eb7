"""The section editor: the picker offers the section's own figures, the preview prints the
section as the PDF does, and saving still refuses a figure the report does not have."""

import datetime
import json
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from redcross.choices import Role
from reports.choices import ReportKind
from reports.figures import report_data
from reports.periods import Period
from reports.picker import figure_prefixes, section_figures
from reports.services import report_open

from ..factories import DisbursementFactory

YEAR = Period(2020, ReportKind.YEAR)


def text_of(html):
    return re.sub(r"\s+", "", re.sub(r"<[^>]+>", "", html))


@pytest.fixture
def payment(tree, category):
    return DisbursementFactory(
        chapter=tree.naiman,
        category=category["重特大疾病救助"],
        cash_amount=Decimal("262000"),
        date=datetime.date(2020, 6, 1),
    )


@pytest.fixture
def figures(tree, payment):
    return report_data(tree.naiman, YEAR).figures


def heads(figure_list):
    return {figure.key.split(".")[0] for figure in figure_list}


def test_each_section_offers_its_own_figures(figures):
    relief = section_figures("relief", figures)
    assert "relief.重特大疾病救助.amount" in {f.key for f in relief}
    assert heads(relief) == {"relief"}
    assert heads(section_figures("donations", figures)) <= {"donations", "drive", "fund"}
    assert "donations.total.amount" in {f.key for f in section_figures("donations", figures)}
    assert heads(section_figures("training", figures)) == {"training"}
    assert heads(section_figures("projects", figures)) <= {"projects", "project"}
    # Names are words, not figures to pick.
    assert not [f for f in relief if f.key.endswith(".name")]


def test_the_review_and_written_sections_offer_the_periods_totals(figures):
    for key in ("review", "publicity", "party", "shortcomings"):
        offered = {f.key for f in section_figures(key, figures)}
        assert "relief.total.amount" in offered and "donations.total.amount" in offered
        assert "relief.重特大疾病救助.amount" not in offered
    assert figure_prefixes("counties") == ("county",)
    assert figure_prefixes("plan") == ("plan",)


def test_a_prefix_is_a_whole_part_of_the_key():
    from reports.picker import has_prefix

    assert has_prefix("relief.fund.3.amount", ("relief",))
    assert has_prefix("plan", ("plan",))
    assert not has_prefix("projects.total.spent", ("project",))


def picker_rows(html):
    """(token, label, value, hidden) of every entry of the page's picker."""
    rows = re.findall(
        r'<li data-own="(\d)"[^>]*?( hidden)?>\s*<button type="button" class="pick" data-token="([^"]+)">'
        r'<span class="label">([^<]*)</span><span class="value">([^<]*)</span>',
        html,
    )
    return [(token, label, value, bool(hidden)) for _own, hidden, token, label, value in rows]


def test_the_editor_shows_the_sections_figures_and_hides_the_rest_until_asked(client, member, tree, payment):
    report = report_open(chapter=tree.naiman, period=YEAR)
    client.force_login(member(Role.STAFF, tree.naiman))
    url = reverse("reports:section-update", args=[report.pk, "relief"])
    rows = picker_rows(client.get(url).content.decode())
    shown = {token: (label, value) for token, label, value, hidden in rows if not hidden}
    assert shown["relief.重特大疾病救助.amount"] == ("重特大疾病救助 金额", "26.2万元")
    assert {token.split(".")[0] for token in shown} == {"relief"}
    others = [token for token, _label, _value, hidden in rows if hidden]
    assert "donations.total.amount" in others  # there, for 全部数字 and the search
    # Without scripts, 全部数字 is a link that lists them all.
    rows = picker_rows(client.get(url + "?figures=all").content.decode())
    assert rows and not [row for row in rows if row[3]]


def test_the_editor_page_carries_the_chips_text_and_labels(client, member, tree, payment):
    report = report_open(chapter=tree.naiman, period=YEAR)
    client.force_login(member(Role.STAFF, tree.naiman))
    html = client.get(reverse("reports:section-update", args=[report.pk, "relief"])).content.decode()

    chips = json.loads(
        re.search(r'<script id="figure-chips" type="application/json">(.*?)</script>', html).group(1)
    )
    assert chips["relief.重特大疾病救助.amount"] == {"text": "26.2万元", "label": "重特大疾病救助 金额"}
    assert 'src="/static/js/report_editor.js"' in html
    assert '<textarea name="body"' in html  # the form still works without the script


def test_the_preview_prints_the_section_as_the_pdf_does_and_saves_nothing(client, member, tree, payment):
    report = report_open(chapter=tree.naiman, period=YEAR)
    saved = report.sections.get(key="relief").body
    client.force_login(member(Role.LEADER, tree.naiman))
    url = reverse("reports:section-preview", args=[report.pk, "relief"])
    body = "全年发放大病救助金{{relief.重特大疾病救助.amount}}。\n<b>第二段</b>"
    response = client.post(url, {"heading": "人道救助", "body": body})
    assert response.status_code == 200
    html = response.content.decode()
    assert html.startswith('<div class="report-print sheet" id="preview-sheet">')
    # Numbered as in the PDF: the second sub-section of 一、 is （一）.
    assert "<h3>（一）人道救助</h3>" in html
    assert "<p>全年发放大病救助金" in html and ">26.2万元</span>。</p>" in html
    assert "<p>&lt;b&gt;第二段&lt;/b&gt;</p>" in html  # typed words stay words
    assert "{{" not in html
    assert '<table class="summary">' in html  # the section's table, as printed under it
    assert report.sections.get(key="relief").body == saved


def test_the_preview_names_an_unknown_figure(client, member, tree):
    report = report_open(chapter=tree.naiman, period=YEAR)
    client.force_login(member(Role.STAFF, tree.naiman))
    url = reverse("reports:section-preview", args=[report.pk, "publicity"])
    html = client.post(url, {"heading": "", "body": "共{{relief.total.amout}}"}).content.decode()
    assert "【未知数字：relief.total.amout】" in html
    assert "宣传工作" in text_of(html)  # an empty heading previews the saved one


def test_the_preview_is_for_those_who_edit_the_report(client, member, tree):
    report = report_open(chapter=tree.naiman, period=YEAR)
    url = reverse("reports:section-preview", args=[report.pk, "relief"])
    client.force_login(member(Role.AUDITOR, tree.naiman))
    assert client.post(url, {"body": "x"}).status_code == 403
    client.force_login(member(Role.LEADER, tree.ankang))
    assert client.post(url, {"body": "x"}).status_code in (403, 404)
    client.force_login(member(Role.STAFF, tree.naiman))
    assert client.get(url).status_code == 405
    assert client.post(reverse("reports:section-preview", args=[report.pk, "nosuch"])).status_code == 404


def test_the_full_page_preview_without_scripts_prints_the_same(client, member, tree, payment):
    report = report_open(chapter=tree.naiman, period=YEAR)
    client.force_login(member(Role.STAFF, tree.naiman))
    url = reverse("reports:section-update", args=[report.pk, "relief"])
    body = "大病救助{{relief.重特大疾病救助.amount}}"
    html = client.post(url, {"heading": "人道救助", "body": body, "action": "preview"}).content.decode()
    preview = html[html.index('id="preview-sheet"') :]
    assert "大病救助26.2万元" in text_of(preview)
    assert "<h3>（一）人道救助</h3>" in preview


def test_saving_an_unknown_figure_is_still_refused_naming_the_field(client, member, tree):
    report = report_open(chapter=tree.naiman, period=YEAR)
    client.force_login(member(Role.STAFF, tree.naiman))
    url = reverse("reports:section-update", args=[report.pk, "relief"])
    html = client.post(url, {"heading": "人道救助", "body": "共{{relief.total.amout}}", "action": "save"})
    html = html.content.decode()
    error = re.search(r'<div class="field has-error" id="field-body">.*?</div>', html, re.S).group(0)
    assert "正文中的数字“relief.total.amout”不存在，请从可用数字中选择" in error

"""Publishing warns before it freezes: GET shows the confirmation page (version N, never to change,
the checklist); only a POST carrying ``confirm`` publishes."""

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from redcross.choices import ImportStatus, Role
from reports.choices import ReportKind
from reports.models import Publication
from reports.periods import Period
from reports.services import report_open, report_publish

from ..factories import ClosedPeriodFactory, DisbursementFactory, ImportBatchFactory

YEAR = Period(2020, ReportKind.YEAR)
D = datetime.date


def text_of(html):
    return re.sub(r"\s+", "", re.sub(r"<[^>]+>", "", html))


def checklist_item(html, item):
    """The text of one ``<li id="check-…">`` of the checklist (up to the next item)."""
    match = re.search(rf'<li id="check-{item}">(.*?)(?=<li id="check-|</ul>\s*<form)', html, re.S)
    assert match, item
    return text_of(match.group(1))


@pytest.fixture
def report(tree, category):
    DisbursementFactory(chapter=tree.naiman, cash_amount=Decimal("262000"), date=datetime.date(2020, 6, 1))
    return report_open(chapter=tree.naiman, period=YEAR)


@pytest.fixture
def leader(client, member, tree):
    user = member(Role.LEADER, tree.naiman)
    client.force_login(user)
    return user


def test_opening_the_publish_page_publishes_nothing(client, leader, report):
    before = list(Publication.objects.values())
    html = client.get(reverse("reports:report-publish", args=[report.pk])).content.decode()
    assert list(Publication.objects.values()) == before == []
    assert "将发布为第1版，发布后不可更改。" in text_of(html)
    assert 'name="confirm"' in html and "csrfmiddlewaretoken" in html


def test_a_post_without_confirm_publishes_nothing(client, leader, report):
    response = client.post(reverse("reports:report-publish", args=[report.pk]), follow=True)
    assert not Publication.objects.exists()
    assert "请先查看发布前检查，再确认发布" in response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("reports:report-publish", args=[report.pk])


def test_the_confirmed_post_publishes_the_version_the_page_announced(client, leader, report):
    report_publish(report=report, user=leader)
    url = reverse("reports:report-publish", args=[report.pk])
    assert "将发布为第2版，发布后不可更改。" in text_of(client.get(url).content.decode())
    response = client.post(url, {"confirm": "1"}, follow=True)
    assert list(Publication.objects.order_by("version").values_list("version", "published_by")) == [
        (1, leader.pk),
        (2, leader.pk),
    ]
    assert "已发布第2版" in response.content.decode()


def test_the_report_page_links_to_the_confirmation_instead_of_publishing(client, leader, report):
    html = client.get(reverse("reports:report-detail", args=[report.pk])).content.decode()
    url = reverse("reports:report-publish", args=[report.pk])
    assert re.search(rf'<a class="button" href="{url}" id="publish">发布</a>', html)


def test_the_checklist_lists_a_pending_payment_of_the_period_only(client, leader, tree, report):
    DisbursementFactory(chapter=tree.naiman, date=datetime.date(2020, 9, 1), pending=True)
    DisbursementFactory(chapter=tree.naiman, date=datetime.date(2020, 10, 1), pending=True)
    DisbursementFactory(chapter=tree.naiman, date=datetime.date(2021, 2, 1), pending=True)  # next year
    html = client.get(reverse("reports:report-publish", args=[report.pk])).content.decode()
    assert checklist_item(html, "pending") == "本期间有待审批的记录，未计入报告：救助发放2条待审批"
    link = re.search(r'<li id="check-pending">.*?<a href="([^"]+)"', html, re.S).group(1)
    listing = client.get(link.replace("&amp;", "&")).content.decode()
    assert "2020-09-01" in listing and "2020-10-01" in listing
    assert "2021-02-01" not in listing and "2020-06-01" not in listing  # next year's; approved


def test_the_checklist_lists_the_sections_not_yet_written(client, leader, report):
    html = client.get(reverse("reports:report-publish", args=[report.pk])).content.decode()
    item = checklist_item(html, "unwritten")
    assert item.startswith("以下段落尚未填写，PDF中不出现：")
    assert "党的建设" in item and "存在的不足" in item
    edit = reverse("reports:section-update", args=[report.pk, "party"])
    assert f'href="{edit}"' in html
    assert "人道救助" not in item  # written from the records


def test_the_checklist_lists_a_batch_left_in_preview(client, leader, tree, report):
    batch = ImportBatchFactory(chapter=tree.naiman, filename="2020年救助.xlsx")
    ImportBatchFactory(chapter=tree.naiman, filename="已导入.xlsx", status=ImportStatus.DONE)
    html = client.get(reverse("reports:report-publish", args=[report.pk])).content.decode()
    item = checklist_item(html, "imports")
    assert item.startswith("以下导入已检查但尚未确认导入，其中的记录未计入：2020年救助.xlsx")
    assert "已导入.xlsx" not in item
    assert f'href="{batch.get_absolute_url()}"' in html


def test_the_checklist_says_whether_the_period_is_closed(client, leader, tree, report):
    """Closed means every day closed: the first half and December leave July to November open."""
    url = reverse("reports:report-publish", args=[report.pk])

    def closed_item():
        return checklist_item(client.get(url).content.decode(), "closed")

    assert closed_item().startswith("本期间尚未结账")
    ClosedPeriodFactory(chapter=tree.naiman, kind="half", start=D(2020, 1, 1), end=D(2020, 6, 30))
    ClosedPeriodFactory(chapter=tree.naiman, kind="month", start=D(2020, 12, 1), end=D(2020, 12, 31))
    assert closed_item().startswith("本期间尚未结账")
    ClosedPeriodFactory(chapter=tree.naiman, kind="half", start=D(2020, 7, 1), end=D(2020, 12, 31))
    assert closed_item() == "本期间已结账，记录不会再变。"


def test_the_checklist_lists_figures_that_differ_from_the_last_version(client, leader, tree, report):
    report_publish(report=report, user=leader)
    DisbursementFactory(chapter=tree.naiman, cash_amount=Decimal("10000"), date=datetime.date(2020, 7, 1))
    html = client.get(reverse("reports:report-publish", args=[report.pk])).content.decode()
    item = checklist_item(html, "changes")
    assert item.startswith("与第1版不同的数字")
    assert "26.2万元→27.2万元" in item


def test_only_leaders_see_the_confirmation_page(client, member, tree, report):
    for role in (Role.STAFF, Role.AUDITOR, Role.ADMIN):
        client.force_login(member(role, tree.naiman))
        assert client.get(reverse("reports:report-publish", args=[report.pk])).status_code == 403

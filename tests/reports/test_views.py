"""The report pages: who opens, edits, publishes and downloads; editing keeps figures live; the
page shows what the records now say differently from the published version."""

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from aid.services import disbursement_correct
from redcross.choices import Role
from reports.choices import ReportKind
from reports.figures import report_data
from reports.models import Publication, Report
from reports.periods import Period
from reports.services import report_open, report_publish
from training.models import Target, TrainingKind

from ..factories import DisbursementFactory, ExpenditureFactory, ProjectFactory

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


@pytest.mark.parametrize(
    ("role", "chapter", "status"),
    [
        (Role.STAFF, "naiman", 302),
        (Role.LEADER, "naiman", 302),
        (Role.ADMIN, "naiman", 302),
        (Role.AUDITOR, "naiman", 403),
        (Role.LEADER, "tongliao", 403),  # the city reads the county's records but writes its own report
    ],
)
def test_who_opens_a_report(client, member, tree, role, chapter, status):
    client.force_login(member(role, getattr(tree, chapter)))
    response = client.post(reverse("reports:report-open"), {"chapter": "150525", "period": "2020H1"})
    assert response.status_code == status
    assert Report.objects.filter(chapter=tree.naiman, year=2020, kind=ReportKind.H1).exists() == (
        status == 302
    )


def test_another_branch_cannot_reach_a_report_by_its_id(client, member, tree, payment):
    report = report_open(chapter=tree.naiman, period=YEAR)
    client.force_login(member(Role.LEADER, tree.ankang))
    for url in [
        reverse("reports:report-detail", args=[report.pk]),
        reverse("reports:report-pdf", args=[report.pk]),
        reverse("reports:section-update", args=[report.pk, "relief"]),
    ]:
        assert client.get(url).status_code == 403
    sections = list(report.sections.order_by("pk").values())
    assert client.post(reverse("reports:report-publish", args=[report.pk])).status_code == 403
    assert not Publication.objects.exists()
    assert list(report.sections.order_by("pk").values()) == sections


def test_only_leaders_publish(client, member, tree, payment):
    report = report_open(chapter=tree.naiman, period=YEAR)
    url = reverse("reports:report-publish", args=[report.pk])
    for role in (Role.STAFF, Role.AUDITOR, Role.ADMIN):
        client.force_login(member(role, tree.naiman))
        assert client.post(url).status_code == 403
    assert not Publication.objects.exists()
    leader = member(Role.LEADER, tree.naiman)
    client.force_login(leader)
    response = client.post(url, {"confirm": "1"}, follow=True)
    publication = Publication.objects.get()
    assert (publication.version, publication.published_by) == (1, leader)
    assert f"已发布第1版，校验值 {publication.sha256[:16]}" in response.content.decode()


def test_the_report_page_shows_live_figures_and_links_them_to_their_records(
    client, member, tree, payment, category
):
    report = report_open(chapter=tree.naiman, period=YEAR)
    client.force_login(member(Role.STAFF, tree.naiman))
    html = client.get(reverse("reports:report-detail", args=[report.pk])).content.decode()
    assert "重特大疾病救助26.2万元，惠及1人" in text_of(html)
    link = re.search(r'<a class="figure" href="([^"]+)">26.2万元</a>', html).group(1)
    listed = client.get(link.replace("&amp;", "&")).content.decode()
    assert re.search(r'data-figure="amount"[^>]*>262,000.00<', listed)


def test_editing_keeps_a_figure_live(client, member, tree, payment):
    report = report_open(chapter=tree.naiman, period=YEAR)
    client.force_login(member(Role.LEADER, tree.naiman))
    url = reverse("reports:section-update", args=[report.pk, "relief"])
    body = "全年发放大病救助金{{relief.重特大疾病救助.amount}}，切实帮助了困难群众。"
    preview = client.post(url, {"heading": "人道救助", "body": body, "action": "preview"}).content.decode()
    assert 'data-token="relief.重特大疾病救助.amount">26.2万元</span>' in preview
    assert report.sections.get(key="relief").body != body  # a preview saves nothing
    response = client.post(url, {"heading": "人道救助", "body": body, "action": "save"})
    assert response.status_code == 302
    assert report.sections.get(key="relief").body == body
    # The record changes; the wording does not, the figure does.
    disbursement_correct(
        disbursement=payment,
        user=None,
        date=payment.date,
        category=payment.category,
        cash_amount=Decimal("300000"),
        beneficiary_name=payment.beneficiary.name,
        id_number=payment.beneficiary.id_number,
        township=payment.beneficiary.township,
    )
    html = client.get(reverse("reports:report-detail", args=[report.pk])).content.decode()
    assert "全年发放大病救助金30万元，切实帮助了困难群众。" in text_of(html)


def test_an_unknown_figure_is_refused_with_its_name(client, member, tree):
    report = report_open(chapter=tree.naiman, period=YEAR)
    client.force_login(member(Role.STAFF, tree.naiman))
    url = reverse("reports:section-update", args=[report.pk, "relief"])
    html = client.post(
        url, {"heading": "人道救助", "body": "共{{relief.total.amout}}", "action": "save"}
    ).content.decode()
    assert "正文中的数字“relief.total.amout”不存在，请从可用数字中选择" in html


def test_restoring_a_section_puts_back_the_generated_text(client, member, tree, payment):
    report = report_open(chapter=tree.naiman, period=YEAR)
    generated = report.sections.get(key="relief").body
    client.force_login(member(Role.STAFF, tree.naiman))
    url = reverse("reports:section-update", args=[report.pk, "relief"])
    client.post(url, {"heading": "人道救助", "body": "改写", "action": "save"})
    client.post(url, {"action": "restore"})
    assert report.sections.get(key="relief").body == generated


def test_the_plan_page_sets_the_next_years_targets(client, member, tree):
    report = report_open(chapter=tree.naiman, period=YEAR)
    popular = TrainingKind.objects.get(name="普及性培训")
    first_aider = TrainingKind.objects.get(name="救护员培训")
    client.force_login(member(Role.LEADER, tree.naiman))
    url = reverse("reports:section-update", args=[report.pk, "plan"])
    body = "年内完成普及性培训{{plan.普及性培训}}以上，救护员培训{{plan.救护员培训}}以上。"
    response = client.post(
        url,
        {
            "heading": "2021年重点工作安排",
            "body": body,
            f"target_{popular.pk}": "3000",
            f"target_{first_aider.pk}": "100",
            "action": "save",
        },
    )
    assert response.status_code == 302
    assert dict(
        Target.objects.filter(chapter=tree.naiman, year=2021).values_list("kind__name", "person_times")
    ) == {
        "普及性培训": 3000,
        "救护员培训": 100,
    }
    html = client.get(reverse("reports:report-detail", args=[report.pk])).content.decode()
    assert "年内完成普及性培训3000人次以上，救护员培训100人次以上。" in text_of(html)


def test_the_page_shows_figures_the_records_now_give_differently(client, member, tree, payment):
    leader = member(Role.LEADER, tree.naiman)
    report = report_open(chapter=tree.naiman, period=YEAR)
    report_publish(report=report, user=leader)
    client.force_login(leader)
    url = reverse("reports:report-detail", args=[report.pk])
    assert 'id="no-changes"' in client.get(url).content.decode()
    disbursement_correct(
        disbursement=payment,
        user=None,
        date=payment.date,
        category=payment.category,
        cash_amount=Decimal("263480"),
        beneficiary_name=payment.beneficiary.name,
        id_number=payment.beneficiary.id_number,
        township=payment.beneficiary.township,
    )
    html = client.get(url).content.decode()
    row = re.search(r'<tr data-key="relief.重特大疾病救助.amount">(.*?)</tr>', html, re.S).group(1)
    assert text_of(row) == "重特大疾病救助金额26.2万元26.35万元"


def test_every_published_version_downloads_as_published(client, member, tree, payment):
    leader = member(Role.LEADER, tree.naiman)
    report = report_open(chapter=tree.naiman, period=YEAR)
    first = report_publish(report=report, user=leader)
    second = report_publish(report=report, user=leader)
    client.force_login(member(Role.AUDITOR, tree.naiman))
    for publication in (first, second):
        response = client.get(reverse("reports:publication-pdf", args=[report.pk, publication.version]))
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response.content == bytes(publication.pdf)
        assert response["X-Checksum-SHA256"] == publication.sha256
        assert f'filename="150525-2020-v{publication.version}.pdf"' in response["Content-Disposition"]
    listing = client.get(reverse("reports:report-list") + "?chapter=150525").content.decode()
    assert "第1版" in listing and "第2版" in listing


def test_the_report_list_costs_the_same_queries_however_many_reports(client, member, tree):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    leader = member(Role.LEADER, tree.naiman)
    client.force_login(leader)
    url = reverse("reports:report-list")

    def publish_year(year):
        report = report_open(chapter=tree.naiman, period=Period(year, ReportKind.YEAR))
        report_publish(report=report, user=leader)

    publish_year(2019)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for year in range(2010, 2019):
        publish_year(year)
    with CaptureQueriesContext(connection) as many:
        html = client.get(url).content.decode()
    assert html.count("第1版") == 10
    # session, user, memberships, readable chapters, reports, their publications
    assert (len(few.captured_queries), len(many.captured_queries)) == (6, 6)


@pytest.mark.parametrize("category", ["人员 培训", ""])
def test_a_projects_category_figure_opens_the_list_of_its_own_expenditures(client, member, tree, category):
    """A category recorded with a space, or none at all (the report's 未分类): following the
    figure's link lists exactly the project's expenditures of that category in the period."""
    project = ProjectFactory(chapter=tree.naiman, budget=Decimal("500000"))
    wanted = [
        ExpenditureFactory(
            project=project, category=category, amount=Decimal("1200"), date=datetime.date(2020, 3, 1)
        ),
        ExpenditureFactory(
            project=project, category=category, amount=Decimal("800"), date=datetime.date(2020, 9, 1)
        ),
    ]
    ExpenditureFactory(project=project, category="工程建设", amount=Decimal("5000"))  # another category
    ExpenditureFactory(project=project, category=category, date=datetime.date(2019, 6, 1))  # another year
    name = "".join(category.split()) or "未分类"
    figure = report_data(tree.naiman, YEAR)[f"project.{project.pk}.category.{name}"]
    assert figure.text == "2000元"
    client.force_login(member(Role.AUDITOR, tree.naiman))
    response = client.get(figure.url)
    assert response.status_code == 200
    assert sorted(e.pk for e in response.context["object_list"]) == sorted(e.pk for e in wanted)
    assert response.context["totals"]["amount"] == Decimal("2000.00")

"""Living drafts: a section nobody edited is written again from the records whenever the report is
read, so a draft opened before the records came in never says that nothing happened; a section a
person edited keeps their words and says what the records now hold that the words do not."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from redcross.choices import Role
from reports.figures import report_data
from reports.models import Publication, Report
from reports.services import living_sections, report_open, report_pdf, report_publish, section_update

from ..factories import (
    DonationFactory,
    DriveFactory,
    ExpenditureFactory,
    FundFactory,
    ProjectFactory,
    SessionFactory,
)
from .test_reports import YEAR, D, pay, pdf_text

NOTHING_HAPPENED = ("未发放救助款物", "未接收社会捐赠", "未举办应急救护培训", "没有实施中的项目")


def built(tmp_path, name="report.pdf"):
    """The 2020 report of 150525 as the build_report command writes it, read back as text."""
    path = tmp_path / name
    call_command(
        "build_report", chapter="150525", period="2020", output=str(path), stdout=open("/dev/null", "w")
    )
    return pdf_text(path.read_bytes(), tmp_path)


def the_years_records(tree, category):
    fund = FundFactory(chapter=tree.naiman, name="博爱一日捐基金")
    drive = DriveFactory(fund=fund, name="博爱一日捐")
    DonationFactory(fund=fund, drive=drive, amount=Decimal("42000"), date=D(2020, 5, 8))
    pay(tree.naiman, category["重特大疾病救助"], "262000")
    SessionFactory(chapter=tree.naiman, person_times=120)
    project = ProjectFactory(chapter=tree.naiman, name="振兴社区博爱家园项目", status="in_progress")
    ExpenditureFactory(project=project, amount=Decimal("30000"), date=D(2020, 8, 1))


def test_a_draft_built_before_any_records_reads_the_records_that_came_later(tree, category, tmp_path):
    before = built(tmp_path)  # a monthly job, or a leader opening the year's draft in January
    assert "2020年未发放救助款物。" in before
    assert "2020年没有实施中的项目。" in before

    the_years_records(tree, category)
    after = built(tmp_path)
    assert "共发放救助款物26.2万元，惠及1人" in after
    assert "共接收社会捐赠4.2万元" in after
    assert "“博爱一日捐”募集善款4.2万元" in after
    assert "共举办应急救护培训1期，培训120人次" in after
    assert "1.振兴社区博爱家园项目" in after
    for phrase in NOTHING_HAPPENED:
        assert phrase not in after
    # The draft stored no generated text: nothing was frozen when it was opened.
    report = Report.objects.get(chapter=tree.naiman, year=2020)
    assert set(report.sections.values_list("body", "edited")) == {("", False)}


def test_a_draft_opened_in_june_names_a_drive_first_recorded_in_december(tree, tmp_path):
    june = DriveFactory(fund=FundFactory(chapter=tree.naiman), name="博爱一日捐")
    DonationFactory(fund=june.fund, drive=june, amount=Decimal("10000"), date=D(2020, 5, 8))
    report = report_open(chapter=tree.naiman, period=YEAR)
    december = DriveFactory(
        fund=FundFactory(chapter=tree.naiman),
        name="冬季送温暖",
        start_date=D(2020, 12, 1),
        end_date=D(2020, 12, 31),
    )
    DonationFactory(fund=december.fund, drive=december, amount=Decimal("25000"), date=D(2020, 12, 10))
    text = pdf_text(report_pdf(report), tmp_path)
    assert "“博爱一日捐”募集善款1万元" in text
    assert "“冬季送温暖”募集善款2.5万元" in text


@pytest.fixture
def leader(member, tree):
    return member(Role.LEADER, tree.naiman)


def test_an_edited_section_keeps_its_words_and_shows_what_it_no_longer_covers(tree, leader, client, tmp_path):
    june = DriveFactory(fund=FundFactory(chapter=tree.naiman), name="博爱一日捐")
    DonationFactory(fund=june.fund, drive=june, amount=Decimal("10000"), date=D(2020, 5, 8))
    report = report_open(chapter=tree.naiman, period=YEAR)
    section = report.sections.get(key="donations")
    data = report_data(tree.naiman, YEAR)
    body = f"全年“博爱一日捐”共募得{{{{drive.{june.pk}.amount}}}}，感谢社会各界。"
    section_update(section=section, user=leader, heading=section.heading, body=body, figures=data.figures)
    section.refresh_from_db()
    assert section.edited and section.body == body

    december = DriveFactory(
        fund=FundFactory(chapter=tree.naiman),
        name="冬季送温暖",
        start_date=D(2020, 12, 1),
        end_date=D(2020, 12, 31),
    )
    DonationFactory(fund=december.fund, drive=december, amount=Decimal("25000"), date=D(2020, 12, 10))

    text = pdf_text(report_pdf(report), tmp_path)
    assert "全年“博爱一日捐”共募得1万元，感谢社会各界。" in text  # the person's words, kept
    assert "“冬季送温暖”募集善款" not in text  # only its table row (the table is always live)
    (donations,) = [
        s for s in living_sections(report, report_data(tree.naiman, YEAR)) if s.key == "donations"
    ]
    assert donations.gaps == ["记录中有募捐活动“冬季送温暖”，正文未提及"]

    client.force_login(leader)
    page = client.get(reverse("reports:report-detail", args=[report.pk])).content.decode()
    assert "记录中有募捐活动“冬季送温暖”，正文未提及" in page
    assert "人工修改的文字" in page
    # One click takes the generated text again, which names the new drive.
    response = client.post(
        reverse("reports:section-update", args=[report.pk, "donations"]),
        {"action": "restore", "back": "report"},
    )
    assert response.status_code == 302 and response.url.endswith("#section-donations")
    section.refresh_from_db()
    assert (section.edited, section.body) == (False, "")
    text = pdf_text(report_pdf(report), tmp_path)
    assert "“冬季送温暖”募集善款2.5万元" in text
    assert "感谢社会各界" not in text


def test_saving_the_generated_text_unchanged_keeps_the_section_living(tree, leader, client, category):
    report = report_open(chapter=tree.naiman, period=YEAR)
    client.force_login(leader)
    url = reverse("reports:section-update", args=[report.pk, "relief"])
    form = client.get(url).context["form"]
    response = client.post(
        url, {"heading": form.initial["heading"], "body": form.initial["body"], "action": "save"}
    )
    assert response.status_code == 302
    assert report.sections.get(key="relief").edited is False
    pay(tree.naiman, category["重特大疾病救助"], "5000")
    assert "共发放救助款物{{relief.total.amount}}" in client.get(url).context["form"].initial["body"]


def test_a_sentence_that_nothing_happened_stands_only_while_the_records_say_so(
    tree, leader, category, client
):
    report = report_open(chapter=tree.naiman, period=YEAR)
    relief = report.sections.get(key="relief")
    words = "2020年未发放救助款物。全年走访困难家庭。"
    section_update(section=relief, user=leader, heading=relief.heading, body=words, figures={})
    pay(tree.naiman, category["重特大疾病救助"], "262000")

    (living,) = [s for s in living_sections(report, report_data(tree.naiman, YEAR)) if s.key == "relief"]
    assert living.gaps[0] == "正文说“未发放救助款物”，但记录中已有救助发放"
    # Publishing refuses a report that says two things at once, and freezes nothing.
    with pytest.raises(
        ValidationError, match="报告自相矛盾，不能发布：正文说“未发放救助款物”，但记录中已有救助发放"
    ):
        report_publish(report=report, user=leader)
    assert not Publication.objects.filter(report=report).exists()
    client.force_login(leader)
    confirm = client.get(reverse("reports:report-publish", args=[report.pk])).content.decode()
    assert "以下人工修改的段落未提及记录中的内容：" in confirm
    assert "正文说“未发放救助款物”，但记录中已有救助发放" in confirm
    response = client.post(reverse("reports:report-publish", args=[report.pk]), {"confirm": "1"}, follow=True)
    assert "报告自相矛盾，不能发布" in response.content.decode()
    assert not Publication.objects.filter(report=report).exists()
    # Nor can such a sentence be saved while the records say otherwise.
    response = client.post(
        reverse("reports:section-update", args=[report.pk, "relief"]),
        {"heading": relief.heading, "body": words, "action": "save"},
    )
    assert "正文说“未发放救助款物”，但记录中已有救助发放" in response.content.decode()
    relief.refresh_from_db()
    assert relief.body == words  # unchanged by the refused save


def test_regenerating_the_text_adds_no_query_per_section(tree, leader, client, category):
    the_years_records(tree, category)
    report = report_open(chapter=tree.naiman, period=YEAR)
    client.force_login(leader)
    url = reverse("reports:report-detail", args=[report.pk])

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    living = queries()
    data = report_data(tree.naiman, YEAR)
    for section in report.sections.all():
        section_update(
            section=section, user=leader, heading=section.heading, body="人工文字。", figures=data.figures
        )
    assert set(report.sections.values_list("edited", flat=True)) == {True}
    assert queries() == living

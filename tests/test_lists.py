"""Every record list, through the one generic list view: who sees what, what a filter keeps, the
totals over the filtered set, and a query count that does not grow with the rows."""

import datetime
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from donations.choices import DonationKind, DonorKind
from donations.models import Payout
from redcross.choices import Role
from training.models import Sector, TrainingKind

from .factories import (
    CertificateFactory,
    DonationFactory,
    DonorFactory,
    DriveFactory,
    ExpenditureFactory,
    FundFactory,
    InstructorFactory,
    ProjectFactory,
    SessionFactory,
)

D = datetime.date


def figure(html, name):
    return re.search(rf'data-figure="{name}">([^<]*)<', html).group(1)


def make_donation(chapter, i):
    if not hasattr(chapter, "_funds"):
        chapter._funds = [FundFactory(chapter=chapter, name=f"共用基金{chapter.code}-{n}") for n in range(3)]
    fund = chapter._funds[i % 3]
    DonationFactory(
        fund=fund,
        donor=DonorFactory(chapter=chapter, name=f"标记捐赠人{i}"),
        amount=Decimal("100.01"),
        date=D(2020, 5, 1) + datetime.timedelta(days=i),
    )


def make_donor(chapter, i):
    donor = DonorFactory(chapter=chapter, name=f"标记捐赠人{i}", phone="13800001234")
    DonationFactory(fund=FundFactory(chapter=chapter), donor=donor, amount=Decimal("100.01"))


def make_fund(chapter, i):
    fund = FundFactory(chapter=chapter, name=f"标记基金{i}")
    DonationFactory(fund=fund, amount=Decimal("100.01"))


def make_drive(chapter, i):
    drive = DriveFactory(fund=FundFactory(chapter=chapter), name=f"标记活动{i}")
    DonationFactory(fund=drive.fund, drive=drive, amount=Decimal("100.01"))


def make_session(chapter, i):
    SessionFactory(chapter=chapter, title=f"标记培训{i}", person_times=10)


def make_certificate(chapter, i):
    CertificateFactory(session__chapter=chapter, trainee_name=f"标记学员{i}")


def make_instructor(chapter, i):
    InstructorFactory(chapter=chapter, name=f"标记师资{i}", qualified_until=D(2030, 1, 1))


def make_project(chapter, i):
    project = ProjectFactory(chapter=chapter, name=f"标记项目{i}", budget=Decimal("100.01"))
    ExpenditureFactory(project=project, amount=Decimal("50.00"))


def make_expenditure(chapter, i):
    ExpenditureFactory(project__chapter=chapter, project__name=f"标记项目{i}", amount=Decimal("100.01"))


def make_payout(chapter, i):
    from donations.services import payout_record

    fund = FundFactory(chapter=chapter)
    DonationFactory(fund=fund, amount=Decimal("1000"))
    payout_record(
        chapter=chapter,
        user=None,
        date=D(2020, 3, 1),
        fund=fund,
        recipient=f"标记单位{i}",
        purpose="防控",
        cash_amount=Decimal("100.01"),
    )


# list route, maker, totals figure that sums 100.01 per record (or None), queries for a page
# (session, user, memberships, the filters' choices, rows, totals; and for spending that waits for
# approval, the line of what waits). Lists in an order the index can seek (redcross.keyset) count
# nothing; funds (by chapter path) and projects (by a start date that may be empty) are still
# paged by Django's Paginator, which counts.
LISTS = {
    "donations": ("donations:donation-list", make_donation, "amount", 9),  # kept sums + donor firsts
    "donors": ("donations:donor-list", make_donor, "given", 7),
    "funds": ("donations:fund-list", make_fund, "received", 7),
    "drives": ("donations:drive-list", make_drive, "amount", 8),
    "payouts": ("donations:payout-list", make_payout, "amount", 7),
    "sessions": ("training:session-list", make_session, None, 8),
    "certificates": ("training:certificate-list", make_certificate, None, 7),
    "instructors": ("training:instructor-list", make_instructor, None, 6),
    "projects": ("projects:project-list", make_project, "budget", 9),
    "expenditures": ("projects:expenditure-list", make_expenditure, "amount", 9),
}


def load(chapter, maker, rows):
    for i in range(rows):
        maker(chapter, i)


@pytest.mark.parametrize("name", LISTS)
def test_a_list_shows_the_chapter_tree_and_totals_over_the_filtered_set(client, member, tree, name):
    route, maker, total_figure, _queries = LISTS[name]
    load(tree.naiman, maker, 3)
    load(tree.hanyin, maker, 2)
    client.force_login(member(Role.LEADER, tree.tongliao))
    html = client.get(reverse(route)).content.decode()
    assert html.count("标记") >= 3
    assert figure(html, "count") == "3"
    if total_figure:
        assert figure(html, total_figure) == "300.03"
    # Another branch of the tree sees none of it.
    client.force_login(member(Role.LEADER, tree.ankang))
    html = client.get(reverse(route)).content.decode()
    assert figure(html, "count") == "2"


@pytest.mark.parametrize("name", LISTS)
def test_a_list_page_costs_the_same_queries_however_many_rows(client, staff, tree, name):
    route, maker, _figure, queries = LISTS[name]
    client.force_login(staff)
    load(tree.naiman, maker, 2)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse(route))
    chapter = tree.naiman
    for i in range(2, 40):
        maker(chapter, i)
    with CaptureQueriesContext(connection) as many:
        html = client.get(reverse(route)).content.decode()
    assert figure(html, "count") == "40"
    assert (name, len(few.captured_queries), len(many.captured_queries)) == (name, queries, queries)


def test_the_donation_filters(client, staff, tree):
    drive = DriveFactory(fund=FundFactory(chapter=tree.naiman))
    DonationFactory(fund=drive.fund, drive=drive, amount=Decimal("10.00"), date=D(2020, 5, 8))
    DonationFactory(
        fund=drive.fund,
        drive=drive,
        amount=Decimal("20.00"),
        date=D(2020, 5, 9),
        kind=DonationKind.IN_KIND,
        goods="医用外科口罩",
        valuation_basis="invoice",
    )
    DonationFactory(fund=drive.fund, amount=Decimal("40.00"), date=D(2021, 1, 1), anonymous=True)
    client.force_login(staff)
    url = reverse("donations:donation-list")

    def amount(**params):
        return figure(client.get(url, params).content.decode(), "amount")

    assert amount() == "70.00"
    assert amount(drive=drive.pk) == "30.00"
    assert amount(without_drive="true") == "40.00"
    assert amount(kind="in_kind") == "20.00"
    assert amount(q="口罩") == "20.00"
    assert amount(anonymous="true") == "40.00"
    assert amount(date_after="2020-01-01", date_before="2020-12-31") == "30.00"
    assert amount(fund=drive.fund.pk, date_after="2021-01-01") == "40.00"


def test_the_certificate_expiry_filter(client, staff, tree, settings):
    today = datetime.date.today()
    CertificateFactory(
        session__chapter=tree.naiman, trainee_name="即将到期", expires_on=today + datetime.timedelta(days=30)
    )
    CertificateFactory(
        session__chapter=tree.naiman, trainee_name="已经过期", expires_on=today - datetime.timedelta(days=1)
    )
    CertificateFactory(
        session__chapter=tree.naiman, trainee_name="长期有效", expires_on=today + datetime.timedelta(days=900)
    )
    client.force_login(staff)
    url = reverse("training:certificate-list")
    assert "即将到期" in client.get(url, {"expiry": "90"}).content.decode()
    html = client.get(url, {"expiry": "90"}).content.decode()
    assert "已经过期" not in html and "长期有效" not in html
    assert "已经过期" in client.get(url, {"expiry": "expired"}).content.decode()


def test_the_project_and_expenditure_filters(client, staff, tree):
    over = ProjectFactory(chapter=tree.naiman, name="超支项目", budget=Decimal("100"))
    ExpenditureFactory(project=over, amount=Decimal("150"), over_budget_reason="追加", category="工程建设")
    fine = ProjectFactory(chapter=tree.naiman, name="正常项目", budget=Decimal("1000"))
    ExpenditureFactory(project=fine, amount=Decimal("10"), category="宣传培训")
    client.force_login(staff)
    html = client.get(reverse("projects:project-list"), {"over_budget": "true"}).content.decode()
    assert "超支项目" in html and "正常项目" not in html
    expenditures = reverse("projects:expenditure-list")
    assert figure(client.get(expenditures, {"category": "宣传培训"}).content.decode(), "amount") == "10.00"
    assert figure(client.get(expenditures, {"over_budget": "true"}).content.decode(), "amount") == "150.00"
    assert figure(client.get(expenditures, {"project": over.pk}).content.decode(), "amount") == "150.00"


def count(client, route, **params):
    return figure(client.get(reverse(route), params).content.decode(), "count")


def test_the_session_filters(client, staff, tree):
    school = Sector.objects.get(name="学校")
    SessionFactory(
        chapter=tree.naiman, title="校园应急救护", venue="奈曼旗第四中学", sector=school, person_times=40
    )
    SessionFactory(
        chapter=tree.naiman,
        title="救护员取证班",
        venue="旗红十字会",
        kind=TrainingKind.objects.get(name="救护员培训"),
        person_times=30,
        date=D(2021, 3, 1),
    )
    client.force_login(staff)
    route = "training:session-list"
    assert count(client, route) == "2"
    assert count(client, route, kind=TrainingKind.objects.get(name="救护员培训").pk) == "1"
    assert count(client, route, sector=school.pk) == "1"
    assert count(client, route, q="第四中学") == "1"  # the venue
    assert count(client, route, q="取证") == "1"  # the title
    assert count(client, route, date_after="2021-01-01") == "1"
    assert figure(client.get(reverse(route), {"sector": school.pk}).content.decode(), "person_times") == "40"


def test_the_certificate_session_and_text_filters(client, staff, tree):
    course = SessionFactory(chapter=tree.naiman, kind=TrainingKind.objects.get(name="救护员培训"))
    CertificateFactory(session=course, trainee_name="张三", workplace="奈曼旗医院", number="HJ-001")
    CertificateFactory(
        session__chapter=tree.naiman, trainee_name="李四", workplace="第四中学", number="HJ-002"
    )
    client.force_login(staff)
    route = "training:certificate-list"
    assert count(client, route) == "2"
    assert count(client, route, session=course.pk) == "1"
    assert count(client, route, q="李四") == "1"
    assert count(client, route, q="HJ-00") == "2"  # the number
    assert count(client, route, q="医院") == "1"  # the workplace


def test_the_instructor_filters(client, staff, tree):
    today = datetime.date.today()
    InstructorFactory(
        chapter=tree.naiman,
        name="王师资",
        workplace="旗医院",
        qualified_until=today + datetime.timedelta(days=20),
    )
    InstructorFactory(
        chapter=tree.naiman,
        name="赵师资",
        workplace="第四中学",
        qualified_until=today - datetime.timedelta(days=2),
    )
    client.force_login(staff)
    route = "training:instructor-list"
    assert count(client, route, expiry="30") == "1"
    assert count(client, route, expiry="expired") == "1"
    assert count(client, route, expiry="valid") == "1"
    assert count(client, route, q="中学") == "1"
    assert count(client, route, q="赵") == "1"


def test_the_donor_filters(client, staff, tree):
    DonorFactory(
        chapter=tree.naiman, name="奈曼旗爱心企业", kind=DonorKind.ORGANISATION, named_in_public=True
    )
    DonorFactory(chapter=tree.naiman, name="王某某", kind=DonorKind.PERSON, named_in_public=False)
    client.force_login(staff)
    route = "donations:donor-list"
    assert count(client, route) == "2"
    assert count(client, route, kind="organisation") == "1"
    assert count(client, route, named_in_public="true") == "1"
    assert count(client, route, named_in_public="false") == "1"
    assert count(client, route, q="爱心") == "1"


def test_the_fund_filters(client, staff, tree, category):
    FundFactory(chapter=tree.naiman, name="博爱一日捐")
    FundFactory(chapter=tree.naiman, name="大病救助专项基金", restricted_category=category["重特大疾病救助"])
    client.force_login(staff)
    route = "donations:fund-list"
    assert count(client, route, restriction="restricted") == "1"
    assert count(client, route, restriction="unrestricted") == "1"
    assert count(client, route, q="一日捐") == "1"


def test_the_drive_filters(client, staff, tree):
    fund = FundFactory(chapter=tree.naiman, name="博爱一日捐基金")
    other = FundFactory(chapter=tree.naiman, name="疫情防控基金")
    DriveFactory(fund=fund, name="博爱一日捐", start_date=D(2019, 5, 1), end_date=D(2019, 5, 31))
    DriveFactory(fund=fund, name="博爱一日捐", start_date=D(2020, 5, 1), end_date=D(2020, 5, 31))
    DriveFactory(fund=other, name="抗击新冠肺炎疫情募捐", start_date=D(2020, 1, 27), end_date=D(2020, 3, 31))
    client.force_login(staff)
    route = "donations:drive-list"
    assert count(client, route) == "3"
    assert count(client, route, fund=other.pk) == "1"
    assert count(client, route, q="一日捐") == "2"
    assert count(client, route, date_after="2020-01-01", date_before="2020-12-31") == "2"  # by start date


def test_the_payout_filters(client, staff, tree):
    for i in range(2):
        make_payout(tree.naiman, i)
    client.force_login(staff)
    route = "donations:payout-list"
    fund = Payout.objects.order_by("pk").first().fund
    assert figure(client.get(reverse(route)).content.decode(), "amount") == "200.02"
    assert figure(client.get(reverse(route), {"fund": fund.pk}).content.decode(), "amount") == "100.01"
    assert count(client, route, q="标记单位1") == "1"
    assert count(client, route, q="防控") == "2"  # the purpose

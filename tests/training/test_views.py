"""The training pages: the year's progress against target and who to retrain, the lists' totals,
a session with its certificates, and the forms that write through the services."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from redcross.choices import Role
from training.models import Certificate, Instructor, Session, Target, TrainingKind

from ..factories import (
    CertificateFactory,
    InstructorFactory,
    SessionFactory,
    TargetFactory,
    valid_id_number,
)

D = datetime.date
DAY = datetime.timedelta(days=1)
OVERVIEW = reverse("training:overview")
SESSIONS = reverse("training:session-list")


def figure(html, name):
    return re.search(rf'data-figure="{name}"[^>]*>([^<]*)<', html).group(1).strip()


def field_errors(html, name):
    return re.search(rf'id="field-{name}">(.*?)</div>', html, re.S).group(1)


def progress_rows(html):
    """{kind: (sessions, person-times, certified, target)} as the overview's table writes them."""
    table = {}
    for name, cells in re.findall(r'<tr data-kind="([^"]+)">(.*?)</tr>', html, re.S):
        texts = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", cells, re.S)]
        table[name] = tuple(texts[1:5])
    return table


def rows(model):
    return list(model._base_manager.order_by("pk").values())


def kind(name):
    return TrainingKind.objects.get(name=name)


# --- Overview ---------------------------------------------------------------------------------


def test_the_overview_shows_the_years_progress_against_target(client, staff, tree):
    SessionFactory(chapter=tree.naiman, kind=kind("普及性培训"), person_times=1200, date=D(2021, 3, 1))
    SessionFactory(chapter=tree.naiman, kind=kind("普及性培训"), person_times=600, date=D(2021, 9, 1))
    SessionFactory(
        chapter=tree.naiman, kind=kind("救护员培训"), person_times=40, certified_count=38, date=D(2021, 5, 1)
    )
    SessionFactory(chapter=tree.naiman, kind=kind("普及性培训"), person_times=999, date=D(2020, 5, 1))
    SessionFactory(chapter=tree.horqin, kind=kind("普及性培训"), person_times=777, date=D(2021, 5, 1))
    TargetFactory(chapter=tree.naiman, year=2021, kind=kind("普及性培训"), person_times=3000)
    client.force_login(staff)

    html = client.get(OVERVIEW, {"year": 2021}).content.decode()

    assert progress_rows(html) == {
        "普及性培训": ("2", "1800", "0", "3000"),
        "救护员培训": ("1", "40", "38", "—"),
        "师资培训": ("0", "0", "0", "—"),
    }
    assert figure(html, "percent") == "60%"
    assert "设置年度目标" in html


def test_each_kinds_figures_link_to_the_sessions_behind_them(client, staff, tree):
    SessionFactory(chapter=tree.naiman, kind=kind("普及性培训"), person_times=120, date=D(2021, 3, 1))
    SessionFactory(chapter=tree.naiman, kind=kind("救护员培训"), person_times=30, date=D(2021, 4, 1))
    client.force_login(staff)
    html = client.get(OVERVIEW, {"year": 2021}).content.decode()
    row = re.search(r'<tr data-kind="普及性培训">(.*?)</tr>', html, re.S).group(1)
    link = re.search(r'href="([^"]+)"', row).group(1).replace("&amp;", "&")
    listed = client.get(link).content.decode()
    assert (figure(listed, "count"), figure(listed, "person_times")) == ("1", "120")


def test_the_overview_lists_the_certificates_to_retrain_within_90_days(client, staff, tree):
    today = timezone.localdate()
    CertificateFactory(
        session__chapter=tree.naiman,
        trainee_name="王秀英",
        expires_on=today + 90 * DAY,
        issued_on=today - 900 * DAY,
    )
    CertificateFactory(
        session__chapter=tree.naiman,
        trainee_name="李桂兰",
        expires_on=today + 91 * DAY,
        issued_on=today - 900 * DAY,
    )
    CertificateFactory(
        session__chapter=tree.naiman,
        trainee_name="张过期",
        expires_on=today - DAY,
        issued_on=today - 1200 * DAY,
    )
    InstructorFactory(chapter=tree.naiman, name="赵师资", qualified_until=today + 10 * DAY)
    InstructorFactory(chapter=tree.naiman, name="钱师资", qualified_until=today + 200 * DAY)
    client.force_login(staff)

    html = client.get(OVERVIEW).content.decode()

    expiring = re.search(r'<table class="records" id="expiring">(.*?)</table>', html, re.S).group(1)
    assert "王秀英" in expiring and "李桂兰" not in expiring and "张过期" not in expiring
    assert figure(html, "expiring") == "1"
    assert "赵师资" in html and "钱师资" not in html


def test_a_city_reads_a_countys_overview_by_its_code_and_not_another_branch(client, member, tree):
    SessionFactory(chapter=tree.naiman, person_times=55, date=D(2021, 3, 1))
    client.force_login(member(Role.LEADER, tree.tongliao))
    html = client.get(OVERVIEW, {"chapter": "150525", "year": 2021}).content.decode()
    assert progress_rows(html)["普及性培训"][:2] == ("1", "55")
    assert "设置年度目标" not in html  # leadership read; staff set targets
    client.force_login(member(Role.LEADER, tree.ankang))
    response = client.get(OVERVIEW, {"chapter": "150525", "year": 2021})
    assert response.status_code == 404  # a chapter outside the reader's tree is not found
    assert "奈曼旗" not in response.content.decode()


# --- Targets ----------------------------------------------------------------------------------


def test_setting_the_years_targets_through_the_form(client, staff, tree):
    popular, course = kind("普及性培训"), kind("救护员培训")
    TargetFactory(chapter=tree.naiman, year=2021, kind=course, person_times=80)
    client.force_login(staff)
    url = f"{reverse('training:targets')}?year=2021"
    assert 'value="80"' in client.get(url).content.decode()
    response = client.post(url, {f"kind_{popular.pk}": "3000", f"kind_{course.pk}": "100"}, follow=True)
    assert "培训目标已保存" in response.content.decode()
    assert sorted(Target.objects.filter(year=2021).values_list("kind__name", "person_times")) == [
        ("救护员培训", 100),
        ("普及性培训", 3000),
    ]


# --- Sessions ---------------------------------------------------------------------------------


def test_the_session_list_totals_cover_the_filtered_set(client, staff, tree):
    SessionFactory(chapter=tree.naiman, person_times=100, hours=4, date=D(2021, 3, 1))
    SessionFactory(
        chapter=tree.naiman, kind=kind("救护员培训"), person_times=30, certified_count=28, hours=16
    )
    SessionFactory(chapter=tree.hanyin, person_times=999)
    client.force_login(staff)
    html = client.get(SESSIONS).content.decode()
    assert [figure(html, f) for f in ("count", "person_times", "certified", "hours")] == [
        "2",
        "130",
        "28",
        "20",
    ]
    html = client.get(SESSIONS, {"date_after": "2021-01-01"}).content.decode()
    assert [figure(html, f) for f in ("count", "person_times", "certified")] == ["1", "100", "0"]


def test_the_session_page_shows_its_certificates_with_id_numbers_masked_for_leadership(client, member, tree):
    course = SessionFactory(
        chapter=tree.naiman, kind=kind("救护员培训"), title="救护员取证班", person_times=30, certified_count=2
    )
    full = valid_id_number(serial=731)
    CertificateFactory(session=course, trainee_name="王秀英", id_number=full, number="JHY-001")
    CertificateFactory(session=course, trainee_name="李桂兰", number="JHY-002")

    client.force_login(member(Role.STAFF, tree.naiman))
    html = client.get(course.get_absolute_url()).content.decode()
    assert (figure(html, "person_times"), figure(html, "certified")) == ("30", "2")
    assert "已登记证书 2 张" in html
    assert "JHY-001" in html and "JHY-002" in html and full in html

    client.force_login(member(Role.LEADER, tree.naiman))
    html = client.get(course.get_absolute_url()).content.decode()
    assert full not in html and f"{full[:6]}********{full[-4:]}" in html


def test_recording_a_session_through_the_form(client, staff, tree):
    teacher = InstructorFactory(chapter=tree.naiman, name="王师资")
    client.force_login(staff)
    data = {
        "date": "2021-03-01",
        "kind": kind("普及性培训").pk,
        "title": "校园应急救护普及培训",
        "venue": "第四中学",
        "sector": "",
        "hours": "4",
        "person_times": "120",
        "certified_count": "0",
        "instructors": [teacher.pk],
        "remarks": "",
    }
    response = client.post(reverse("training:session-create"), data, follow=True)
    session = Session.objects.get()
    assert response.redirect_chain[-1][0] == session.get_absolute_url()
    assert "培训已登记" in response.content.decode()
    assert (session.chapter, session.person_times, session.created_by) == (tree.naiman, 120, staff)
    assert list(session.instructors.all()) == [teacher]


def test_a_session_form_refuses_in_chinese_at_the_field_and_saves_nothing(client, staff, tree):
    client.force_login(staff)
    data = {
        "date": "2021-02-30",
        "kind": kind("普及性培训").pk,
        "title": "",
        "person_times": "0",
        "certified_count": "5",
    }
    html = client.post(reverse("training:session-create"), data).content.decode()
    assert "请输入有效日期" in field_errors(html, "date")
    assert "这个字段是必填项" in field_errors(html, "title")
    assert "参训人次至少为1" in field_errors(html, "person_times")
    assert not Session.objects.exists()


def test_a_mass_course_refuses_certified_trainees_at_the_field(client, staff, tree):
    client.force_login(staff)
    data = {"date": "2021-03-01", "kind": kind("普及性培训").pk, "title": "普及班", "person_times": "50"}
    html = client.post(reverse("training:session-create"), {**data, "certified_count": "5"}).content.decode()
    assert "“普及性培训”不颁发证书，取证人数应为0" in field_errors(html, "certified_count")
    assert not Session.objects.exists()


# --- Certificates and instructors -------------------------------------------------------------


def test_issuing_a_certificate_on_a_session(client, staff, tree):
    course = SessionFactory(
        chapter=tree.naiman, kind=kind("救护员培训"), date=D(2021, 6, 15), person_times=30
    )
    client.force_login(staff)
    url = reverse("training:certificate-create", args=[course.pk])
    client.post(url, {"trainee_name": "王秀英", "number": "JHY2021001"})
    certificate = Certificate.objects.get()
    assert (certificate.issued_on, certificate.expires_on) == (D(2021, 6, 15), D(2024, 6, 14))
    before = rows(Certificate)
    html = client.post(url, {"trainee_name": "李四", "number": "JHY2021001"}).content.decode()
    assert "证书编号“JHY2021001”已经登记过" in field_errors(html, "number")
    assert rows(Certificate) == before


def test_the_certificate_list_counts_the_valid_ones(client, staff, tree):
    today = timezone.localdate()
    CertificateFactory(session__chapter=tree.naiman, expires_on=today, issued_on=today - 1000 * DAY)
    CertificateFactory(session__chapter=tree.naiman, expires_on=today - DAY, issued_on=today - 1000 * DAY)
    CertificateFactory(session__chapter=tree.hanyin, expires_on=today + DAY, issued_on=today - 1000 * DAY)
    client.force_login(staff)
    html = client.get(reverse("training:certificate-list")).content.decode()
    assert (figure(html, "count"), figure(html, "valid")) == ("2", "1")


def test_the_instructor_list_and_form(client, staff, tree):
    today = timezone.localdate()
    InstructorFactory(chapter=tree.naiman, name="赵师资", qualified_until=today - DAY)
    client.force_login(staff)
    response = client.post(
        reverse("training:instructor-create"),
        {"name": "王师资", "workplace": "旗医院", "qualified_until": (today + 400 * DAY).isoformat()},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("training:instructor-list")
    assert Instructor.objects.get(name="王师资").created_by == staff
    html = response.content.decode()
    assert "王师资" in html and "赵师资" in html
    assert (figure(html, "count"), figure(html, "qualified")) == ("2", "1")


@pytest.mark.parametrize("role", [Role.LEADER, Role.AUDITOR])
def test_readers_see_the_training_but_not_the_writing_links(client, member, tree, role):
    session = SessionFactory(chapter=tree.naiman, title="救护普及班")
    client.force_login(member(role, tree.naiman))
    assert "救护普及班" in client.get(SESSIONS).content.decode()
    html = client.get(session.get_absolute_url()).content.decode()
    assert "救护普及班" in html
    assert reverse("training:session-update", args=[session.pk]) not in html
    assert reverse("training:session-create") not in client.get(OVERVIEW).content.decode()


def test_the_overview_costs_the_same_queries_however_many_rows_it_shows(client, staff, tree):
    today = timezone.localdate()
    client.force_login(staff)

    def add(n):
        for _ in range(n):
            session = SessionFactory(chapter=tree.naiman, kind=kind("救护员培训"), date=today)
            CertificateFactory(session=session, issued_on=today - 1000 * DAY, expires_on=today + 30 * DAY)
            InstructorFactory(chapter=tree.naiman, qualified_until=today + 30 * DAY)

    add(1)
    with CaptureQueriesContext(connection) as few:
        client.get(OVERVIEW)
    add(20)
    with CaptureQueriesContext(connection) as many:
        html = client.get(OVERVIEW).content.decode()
    assert len(many) == len(few), [q["sql"] for q in many]
    assert figure(html, "expiring") == "21"


def test_the_session_page_costs_the_same_queries_however_many_certificates(client, staff, tree):
    course = SessionFactory(chapter=tree.naiman, kind=kind("救护员培训"), person_times=100)
    client.force_login(staff)

    def add(n):
        for _ in range(n):
            CertificateFactory(session=course)
            course.instructors.add(InstructorFactory(chapter=tree.naiman))

    add(1)
    with CaptureQueriesContext(connection) as few:
        client.get(course.get_absolute_url())
    add(20)
    with CaptureQueriesContext(connection) as many:
        html = client.get(course.get_absolute_url()).content.decode()
    assert len(many) == len(few), [q["sql"] for q in many]
    assert "已登记证书 21 张" in html

"""One test per filter of the session, certificate and instructor lists: the rows each keeps."""

import datetime

import pytest
from django.test import RequestFactory
from django.utils import timezone

from redcross.choices import Role
from training.filtersets import CertificateFilterSet, InstructorFilterSet, SessionFilterSet
from training.models import Certificate, Instructor, Sector, Session, TrainingKind

from ..factories import CertificateFactory, InstructorFactory, SessionFactory

D = datetime.date
DAY = datetime.timedelta(days=1)


@pytest.fixture
def filtered(tree, member):
    """``filtered(FilterSet, params, role=..., chapter=...)``: the ids of the rows the filter keeps."""
    models = {SessionFilterSet: Session, CertificateFilterSet: Certificate, InstructorFilterSet: Instructor}

    def run(filterset_class, params, role=Role.STAFF, chapter=None):
        request = RequestFactory().get("/training/", params)
        request.user = member(role, chapter or tree.naiman)
        queryset = models[filterset_class].objects.all()
        filterset = filterset_class(request.GET, queryset=queryset, request=request)
        assert filterset.is_valid(), filterset.errors
        return set(filterset.qs.values_list("pk", flat=True))

    return run


def certifying():
    return TrainingKind.objects.get(name="救护员培训")


def certificate(tree, expires_on, **fields):
    """A certificate of 奈曼旗 expiring on ``expires_on``, issued three years before it."""
    issued = expires_on - datetime.timedelta(days=3 * 365)
    return CertificateFactory(session__chapter=tree.naiman, issued_on=issued, expires_on=expires_on, **fields)


# --- Sessions ---------------------------------------------------------------------------------


def test_session_period_keeps_both_ends(tree, filtered):
    days = [D(2020, 6, 30), D(2020, 7, 1), D(2020, 1, 1)]
    s = [SessionFactory(chapter=tree.naiman, date=day) for day in days]
    params = {"date_after": "2020-01-01", "date_before": "2020-06-30"}
    assert filtered(SessionFilterSet, params) == {s[0].pk, s[2].pk}
    assert filtered(SessionFilterSet, {"date_after": "2020-07-01"}) == {s[1].pk}


def test_session_kind(tree, filtered):
    course = SessionFactory(chapter=tree.naiman, kind=certifying())
    SessionFactory(chapter=tree.naiman)  # 普及性培训
    assert filtered(SessionFilterSet, {"kind": certifying().pk}) == {course.pk}


def test_session_sector(tree, filtered):
    school = Sector.objects.get(name="学校")
    at_school = SessionFactory(chapter=tree.naiman, sector=school)
    SessionFactory(chapter=tree.naiman, sector=Sector.objects.get(name="社区"))
    SessionFactory(chapter=tree.naiman, sector=None)
    assert filtered(SessionFilterSet, {"sector": school.pk}) == {at_school.pk}


def test_session_free_text_matches_title_and_venue(tree, filtered):
    by_title = SessionFactory(chapter=tree.naiman, title="第四中学应急救护培训", venue="")
    by_venue = SessionFactory(chapter=tree.naiman, title="校园培训", venue="奈曼旗第四中学")
    SessionFactory(chapter=tree.naiman, title="社区培训", venue="大沁他拉镇")
    assert filtered(SessionFilterSet, {"q": " 第四中学 "}) == {by_title.pk, by_venue.pk}


def test_session_chapter_keeps_the_chapter_and_those_below_it(tree, filtered):
    naiman = SessionFactory(chapter=tree.naiman)
    horqin = SessionFactory(chapter=tree.horqin)
    city = SessionFactory(chapter=tree.tongliao)
    SessionFactory(chapter=tree.hanyin)
    params = {"chapter": tree.tongliao.pk}
    assert filtered(SessionFilterSet, params, Role.LEADER, tree.tongliao) == {naiman.pk, horqin.pk, city.pk}
    params = {"chapter": tree.horqin.pk}
    assert filtered(SessionFilterSet, params, Role.LEADER, tree.tongliao) == {horqin.pk}


# --- Certificates -----------------------------------------------------------------------------


def test_certificate_period_is_the_issue_date(tree, filtered):
    june = CertificateFactory(session__chapter=tree.naiman, issued_on=D(2020, 6, 30))
    CertificateFactory(session__chapter=tree.naiman, issued_on=D(2020, 7, 1))
    params = {"date_after": "2020-06-01", "date_before": "2020-06-30"}
    assert filtered(CertificateFilterSet, params) == {june.pk}


def test_certificate_expiry(tree, filtered):
    today = timezone.localdate()
    expired = certificate(tree, today - DAY)
    last_day = certificate(tree, today)
    in_30 = certificate(tree, today + 30 * DAY)
    in_31 = certificate(tree, today + 31 * DAY)
    in_90 = certificate(tree, today + 90 * DAY)
    in_180 = certificate(tree, today + 180 * DAY)
    later = certificate(tree, today + 181 * DAY)
    assert filtered(CertificateFilterSet, {"expiry": "expired"}) == {expired.pk}
    assert filtered(CertificateFilterSet, {"expiry": "30"}) == {last_day.pk, in_30.pk}
    assert filtered(CertificateFilterSet, {"expiry": "90"}) == {last_day.pk, in_30.pk, in_31.pk, in_90.pk}
    assert filtered(CertificateFilterSet, {"expiry": "180"}) == {
        last_day.pk, in_30.pk, in_31.pk, in_90.pk, in_180.pk
    }  # fmt: skip
    assert filtered(CertificateFilterSet, {"expiry": "valid"}) == {
        last_day.pk, in_30.pk, in_31.pk, in_90.pk, in_180.pk, later.pk
    }  # fmt: skip


def test_certificate_session(tree, filtered):
    course = SessionFactory(chapter=tree.naiman, kind=certifying())
    mine = CertificateFactory(session=course)
    CertificateFactory(session__chapter=tree.naiman)
    assert filtered(CertificateFilterSet, {"session": course.pk}) == {mine.pk}


def test_certificate_session_offers_only_certifying_sessions_the_user_may_read(tree, member):
    popular = SessionFactory(chapter=tree.naiman)  # 普及性培训 certifies no one
    elsewhere = SessionFactory(chapter=tree.hanyin, kind=certifying())
    request = RequestFactory().get("/training/certificates/")
    request.user = member(Role.STAFF, tree.naiman)
    for session in (popular, elsewhere):
        filterset = CertificateFilterSet(
            {"session": session.pk}, queryset=Certificate.objects.all(), request=request
        )
        assert not filterset.is_valid()
        assert "session" in filterset.errors


def test_certificate_free_text_matches_name_number_and_workplace(tree, filtered):
    by_name = CertificateFactory(session__chapter=tree.naiman, trainee_name="李医生", number="A-1")
    by_number = CertificateFactory(session__chapter=tree.naiman, trainee_name="王五", number="医-2")
    by_work = CertificateFactory(session__chapter=tree.naiman, trainee_name="赵六", workplace="旗医院")
    CertificateFactory(session__chapter=tree.naiman, trainee_name="张三", number="B-3", workplace="第四中学")
    assert filtered(CertificateFilterSet, {"q": "医"}) == {by_name.pk, by_number.pk, by_work.pk}


def test_certificate_chapter_keeps_the_chapter_and_those_below_it(tree, filtered):
    naiman = CertificateFactory(session__chapter=tree.naiman)
    horqin = CertificateFactory(session__chapter=tree.horqin)
    CertificateFactory(session__chapter=tree.hanyin)
    params = {"chapter": tree.tongliao.pk}
    assert filtered(CertificateFilterSet, params, Role.LEADER, tree.tongliao) == {naiman.pk, horqin.pk}


# --- Instructors ------------------------------------------------------------------------------


def test_instructor_expiry(tree, filtered):
    today = timezone.localdate()
    lapsed = InstructorFactory(chapter=tree.naiman, qualified_until=today - DAY)
    soon = InstructorFactory(chapter=tree.naiman, qualified_until=today + 20 * DAY)
    later = InstructorFactory(chapter=tree.naiman, qualified_until=today + 100 * DAY)
    InstructorFactory(chapter=tree.naiman, qualified_until=None)  # no date: in neither
    assert filtered(InstructorFilterSet, {"expiry": "expired"}) == {lapsed.pk}
    assert filtered(InstructorFilterSet, {"expiry": "30"}) == {soon.pk}
    assert filtered(InstructorFilterSet, {"expiry": "180"}) == {soon.pk, later.pk}
    assert filtered(InstructorFilterSet, {"expiry": "valid"}) == {soon.pk, later.pk}


def test_instructor_free_text_matches_name_and_workplace(tree, filtered):
    by_name = InstructorFactory(chapter=tree.naiman, name="王中学", workplace="旗医院")
    by_work = InstructorFactory(chapter=tree.naiman, name="赵师资", workplace="第四中学")
    InstructorFactory(chapter=tree.naiman, name="李师资", workplace="旗医院")
    assert filtered(InstructorFilterSet, {"q": "中学"}) == {by_name.pk, by_work.pk}


def test_instructor_chapter_keeps_the_chapter_and_those_below_it(tree, filtered):
    naiman = InstructorFactory(chapter=tree.naiman)
    horqin = InstructorFactory(chapter=tree.horqin)
    InstructorFactory(chapter=tree.hanyin)
    params = {"chapter": tree.horqin.pk}
    assert filtered(InstructorFilterSet, params, Role.LEADER, tree.tongliao) == {horqin.pk}
    params = {"chapter": tree.tongliao.pk}
    assert filtered(InstructorFilterSet, params, Role.LEADER, tree.tongliao) == {naiman.pk, horqin.pk}

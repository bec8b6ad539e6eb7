"""Training: certificates valid three years, the retraining list, progress against the year's target."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from training.models import Certificate, Session, TrainingKind
from training.selectors import session_totals, training_progress
from training.services import certificate_issue, expiry_default, session_record, target_set

from ..factories import CertificateFactory, SessionFactory

D = datetime.date


@pytest.fixture
def kind(db):
    return {k.name: k for k in TrainingKind.objects.all()}


def test_a_certificate_is_valid_three_years_by_default(tree, kind):
    course = SessionFactory(
        chapter=tree.naiman, kind=kind["救护员培训"], date=D(2020, 6, 15), person_times=30
    )
    certificate = certificate_issue(session=course, user=None, trainee_name="王秀英", number="JHY2020001")
    assert (certificate.issued_on, certificate.expires_on) == (D(2020, 6, 15), D(2023, 6, 14))
    assert expiry_default(D(2020, 2, 29)) == D(2023, 2, 27)
    course.refresh_from_db()
    assert course.certified_count == 1
    with pytest.raises(ValidationError) as refused:
        certificate_issue(session=course, user=None, trainee_name="李四", number="JHY2020001")
    assert refused.value.message_dict["number"] == ["证书编号“JHY2020001”已经登记过"]


def test_a_mass_course_issues_no_certificates(tree, kind):
    course = SessionFactory(chapter=tree.naiman, kind=kind["普及性培训"])
    with pytest.raises(ValidationError) as refused:
        certificate_issue(session=course, user=None, trainee_name="王秀英", number="X1")
    assert refused.value.message_dict["number"] == ["“普及性培训”不颁发证书"]
    with pytest.raises(ValidationError) as refused:
        session_record(
            chapter=tree.naiman,
            user=None,
            date=D(2020, 6, 1),
            kind=kind["普及性培训"],
            title="班",
            person_times=100,
            certified_count=5,
        )
    assert refused.value.message_dict["certified_count"] == ["“普及性培训”不颁发证书，取证人数应为0"]


def test_the_retraining_list_holds_certificates_expiring_within_90_days(tree):
    today = D(2026, 11, 23)
    soon = CertificateFactory(session__chapter=tree.naiman, expires_on=D(2027, 2, 21))
    CertificateFactory(session__chapter=tree.naiman, expires_on=D(2027, 2, 22))  # 91 days
    CertificateFactory(session__chapter=tree.naiman, expires_on=D(2026, 11, 22))  # already expired
    assert list(Certificate.objects.expiring(today, 90)) == [soon]


def test_progress_against_the_years_target(tree, kind):
    SessionFactory(chapter=tree.naiman, kind=kind["普及性培训"], date=D(2021, 3, 1), person_times=1200)
    SessionFactory(chapter=tree.naiman, kind=kind["普及性培训"], date=D(2021, 9, 1), person_times=600)
    SessionFactory(
        chapter=tree.naiman, kind=kind["救护员培训"], date=D(2021, 5, 1), person_times=40, certified_count=38
    )
    SessionFactory(chapter=tree.horqin, kind=kind["普及性培训"], date=D(2021, 3, 1), person_times=999)
    target_set(chapter=tree.naiman, user=None, year=2021, kind=kind["普及性培训"], person_times=3000)
    target_set(chapter=tree.naiman, user=None, year=2021, kind=kind["救护员培训"], person_times=100)
    sessions = Session.objects.for_chapter(tree.naiman).in_period(D(2021, 1, 1), D(2021, 12, 31))
    rows = training_progress(chapter=tree.naiman, year=2021)
    assert [(r.kind_name, r.sessions, r.person_times, r.certified, r.target, r.percent) for r in rows] == [
        ("普及性培训", 2, 1800, 0, 3000, 60),
        ("救护员培训", 1, 40, 38, 100, 40),
        ("师资培训", 0, 0, 0, None, None),
    ]
    totals = session_totals(sessions)
    assert (totals.count, totals.person_times, totals.certified) == (3, 1840, 38)

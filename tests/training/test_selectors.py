"""Training figures: sessions, person-times and certified trainees, progress against the year's
target, and how many certificates and instructors are still valid — computed in the database."""

import datetime
from decimal import Decimal

from training.models import Certificate, Instructor, Session, TrainingKind
from training.selectors import certificate_totals, instructor_totals, session_totals, training_progress

from ..factories import (
    CertificateFactory,
    InstructorFactory,
    SessionFactory,
    TargetFactory,
    TrainingKindFactory,
)

D = datetime.date


def kind(name):
    return TrainingKind.objects.get(name=name)


def test_session_totals_add_sessions_person_times_certified_and_hours(tree):
    SessionFactory(chapter=tree.naiman, person_times=120, hours=Decimal("4.5"))
    SessionFactory(
        chapter=tree.naiman, kind=kind("救护员培训"), person_times=40, certified_count=38, hours=Decimal("16")
    )
    SessionFactory(chapter=tree.naiman, person_times=7, hours=None)
    totals = session_totals(Session.objects.all())
    assert (totals.count, totals.person_times, totals.certified, totals.hours) == (
        3,
        167,
        38,
        Decimal("20.5"),
    )


def test_session_totals_of_nothing_are_zero(tree):
    totals = session_totals(Session.objects.none())
    assert (totals.count, totals.person_times, totals.certified, totals.hours) == (0, 0, 0, 0)


def test_session_totals_follow_the_chapter_tree_and_the_period(tree):
    SessionFactory(chapter=tree.naiman, person_times=100, date=D(2020, 12, 31))
    SessionFactory(chapter=tree.horqin, person_times=200, date=D(2020, 1, 1))
    SessionFactory(chapter=tree.tongliao, person_times=400, date=D(2021, 1, 1))
    SessionFactory(chapter=tree.hanyin, person_times=800, date=D(2020, 6, 1))
    in_2020 = Session.objects.in_period(D(2020, 1, 1), D(2020, 12, 31))
    assert session_totals(in_2020.for_chapter(tree.tongliao)).person_times == 300
    assert session_totals(Session.objects.for_chapter(tree.tongliao)).person_times == 700
    assert session_totals(in_2020.for_chapter(tree.naiman)).person_times == 100


def test_progress_takes_the_targets_of_the_chapter_and_year_only(tree):
    popular = kind("普及性培训")
    SessionFactory(chapter=tree.naiman, kind=popular, person_times=1016, date=D(2021, 3, 1))
    TargetFactory(chapter=tree.naiman, year=2021, kind=popular, person_times=3000)
    TargetFactory(chapter=tree.naiman, year=2020, kind=kind("救护员培训"), person_times=50)
    TargetFactory(chapter=tree.horqin, year=2021, kind=kind("师资培训"), person_times=10)
    rows = training_progress(chapter=tree.naiman, year=2021)
    assert [(r.kind_name, r.sessions, r.person_times, r.target, r.percent) for r in rows] == [
        ("普及性培训", 1, 1016, 3000, 34),  # 33.87 %, rounded to whole percent
        ("救护员培训", 0, 0, None, None),
        ("师资培训", 0, 0, None, None),
    ]


def test_a_switched_off_kind_is_listed_only_while_it_has_sessions_or_a_target(tree):
    retired = TrainingKindFactory(name="旧培训类型", order=900, is_active=False)
    unused = TrainingKindFactory(name="停用未用类型", order=901, is_active=False)
    targeted = TrainingKindFactory(name="停用有目标类型", order=902, is_active=False)
    SessionFactory(chapter=tree.naiman, kind=retired, person_times=15, date=D(2021, 5, 1))
    TargetFactory(chapter=tree.naiman, year=2021, kind=targeted, person_times=20)
    rows = training_progress(chapter=tree.naiman, year=2021)
    names = [r.kind_name for r in rows]
    assert names == ["普及性培训", "救护员培训", "师资培训", "旧培训类型", "停用有目标类型"]
    assert unused.name not in names
    assert (rows[3].sessions, rows[3].person_times, rows[4].target) == (1, 15, 20)


def test_certificates_still_valid_on_the_day_include_its_last_day(tree):
    today = D(2026, 11, 23)
    CertificateFactory(session__chapter=tree.naiman, issued_on=D(2023, 11, 23), expires_on=today)
    CertificateFactory(session__chapter=tree.naiman, issued_on=D(2023, 11, 22), expires_on=D(2026, 11, 22))
    CertificateFactory(session__chapter=tree.naiman, issued_on=D(2025, 1, 1), expires_on=D(2028, 1, 1))
    CertificateFactory(session__chapter=tree.hanyin, expires_on=D(2028, 1, 1))
    totals = certificate_totals(Certificate.objects.for_chapter(tree.naiman), today=today)
    assert totals == {"count": 3, "valid": 2}


def test_instructors_qualified_on_the_day(tree):
    today = D(2026, 11, 23)
    InstructorFactory(chapter=tree.naiman, qualified_until=today)
    InstructorFactory(chapter=tree.naiman, qualified_until=D(2026, 11, 22))
    InstructorFactory(chapter=tree.naiman, qualified_until=None)  # no date known: not counted qualified
    InstructorFactory(chapter=tree.horqin, qualified_until=D(2030, 1, 1))
    assert instructor_totals(Instructor.objects.for_chapter(tree.naiman), today=today) == {
        "count": 3,
        "qualified": 1,
    }
    assert instructor_totals(Instructor.objects.for_chapter(tree.tongliao), today=today)["qualified"] == 2

"""The sessions' kept daily totals (``training.SessionDay``) equal the sessions' own sums after every
kind of write — form, service, correction that moves a session's day, kind or sector, a
certificate that raises the certified count, import and its undo — and the list's totals line and
count of rows read from them say what the sessions themselves say."""

import datetime
import importlib
from decimal import Decimal

import pytest
from django.db import connection
from django.urls import reverse

from redcross.access import Access
from redcross.choices import Role
from redcross.importing import import_records, import_undo
from training.filtersets import SessionFilterSet
from training.models import Sector, Session, SessionDay, TrainingKind
from training.selectors import session_totals
from training.services import certificate_issue, session_correct, session_record

from ..kept import assert_kept_true
from ..test_imports import workbook

D = datetime.date


def kind(name):
    return TrainingKind.objects.get(name=name)


def sector(name):
    return Sector.objects.get(name=name)


def train(chapter, day, people, kind_name="普及性培训", **more):
    return session_record(
        chapter=chapter,
        user=None,
        date=day,
        kind=kind(kind_name),
        title=f"培训班{people}",
        person_times=people,
        **more,
    )


def figures(client, user, **params):
    """The list's totals line and its count of rows, as the page shows them."""
    client.force_login(user)
    context = client.get(reverse("training:session-list"), params).context
    return context["totals"], context["paginator"].count


def test_every_write_keeps_the_daily_totals_true(client, tree, member):
    staff = member(Role.STAFF, tree.naiman, "k-staff")
    a = train(tree.naiman, D(2020, 3, 1), 40, hours=Decimal("4.5"), sector=sector("学校"))
    train(tree.naiman, D(2020, 3, 1), 60, "救护员培训", certified_count=10, hours=Decimal("16"))
    train(tree.horqin, D(2021, 5, 2), 25)
    assert_kept_true()
    client.force_login(staff)
    data = {"date": "2020-03-01", "kind": kind("普及性培训").pk, "title": "表单班", "person_times": "30"}
    response = client.post(reverse("training:session-create"), data)
    assert response.status_code == 302
    assert_kept_true()
    session_correct(
        session=a,
        user=None,
        date=D(2020, 4, 1),
        kind=kind("师资培训"),
        title=a.title,
        person_times=45,
        sector=sector("社区"),
    )  # moved to another day, kind and sector: both days kept
    assert_kept_true()
    course = train(tree.naiman, D(2020, 5, 1), 20, "救护员培训")
    certificate_issue(session=course, user=None, trainee_name="王秀英", number="JHY-K-1")
    assert Session.objects.get(pk=course.pk).certified_count == 1
    assert_kept_true()
    train(tree.naiman, D(2020, 5, 2), 15).delete()
    assert_kept_true()
    kept = {
        (r.date, r.kind.name): (r.rows, r.person_times, r.certified_count)
        for r in SessionDay.objects.filter(chapter=tree.naiman)
    }
    assert kept == {
        (D(2020, 3, 1), "救护员培训"): (1, 60, 10),
        (D(2020, 3, 1), "普及性培训"): (1, 30, 0),
        (D(2020, 4, 1), "师资培训"): (1, 45, 0),
        (D(2020, 5, 1), "救护员培训"): (1, 20, 1),
    }


def test_an_import_and_its_undo_keep_the_daily_totals_true(tree, member):
    staff = member(Role.STAFF, tree.naiman, "k-staff")
    train(tree.naiman, D(2021, 3, 1), 10)
    rows = [
        {
            "培训日期": D(2021, 3, day),
            "培训类型": "普及性培训",
            "培训名称": f"导入班{day}",
            "对象领域": "学校",
            "学时": 2,
            "参训人次": 10 * day,
        }
        for day in range(1, 6)
    ]
    batch = import_records(workbook({"培训": rows}), chapter=tree.naiman, user=staff, filename="t.xlsx").batch
    assert_kept_true()
    assert SessionDay.objects.filter(chapter=tree.naiman).count() == 6  # 3月1日: two sectors
    import_undo(batch, user=staff)  # sessions are deleted, not voided
    assert_kept_true()
    assert list(SessionDay.objects.values_list("date", "rows", "person_times")) == [(D(2021, 3, 1), 1, 10)]


def test_the_migrations_fill_gives_the_rows_the_sessions_give(tree):
    train(tree.naiman, D(2020, 3, 1), 40, sector=sector("学校"), hours=Decimal("4.5"))
    train(tree.naiman, D(2020, 3, 1), 60, "救护员培训", certified_count=10)
    train(tree.naiman, D(2020, 3, 1), 20, sector=sector("学校"), hours=Decimal("1"))
    train(tree.horqin, D(2021, 5, 2), 25)
    SessionDay.objects.all().delete()
    fill = importlib.import_module("training.migrations.0005_kept_day_totals").FILL
    with connection.cursor() as cursor:
        cursor.execute(fill)
    assert SessionDay.objects.count() == 3
    assert_kept_true()


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"chapter": "CITY"},
        {"chapter": "HORQIN"},
        {"date_after": "2020-01-01", "date_before": "2020-12-31"},
        {"date_after": "2020-02-15", "kind": "KIND"},
        {"date_before": "2020-06-30", "sector": "SECTOR"},
        {"kind": "KIND", "sector": "SECTOR"},
        {"q": "培训班4"},  # free text: summed from the sessions
    ],
)
def test_the_lists_figures_equal_the_sessions_own(client, tree, member, params):
    city = member(Role.LEADER, tree.tongliao, "k-city")
    train(tree.naiman, D(2020, 1, 5), 40, sector=sector("学校"), hours=Decimal("2.5"))
    train(tree.naiman, D(2020, 3, 1), 45, sector=sector("学校"))
    train(tree.naiman, D(2020, 3, 1), 60, "救护员培训", certified_count=50, hours=Decimal("16"))
    train(tree.horqin, D(2020, 7, 1), 30, sector=sector("社区"), hours=Decimal("3"))
    train(tree.naiman, D(2021, 2, 1), 20, sector=sector("学校"))
    train(tree.hanyin, D(2020, 3, 1), 999)  # not the city's
    values = {
        "CITY": tree.tongliao.pk,
        "HORQIN": tree.horqin.pk,
        "KIND": kind("普及性培训").pk,
        "SECTOR": sector("学校").pk,
    }
    params = {key: values.get(value, value) for key, value in params.items()}

    totals, count = figures(client, city, **params)

    class Request:
        user = city

    visible = Session.objects.visible_to(Access(city))
    filterset = SessionFilterSet(params, queryset=visible, request=Request())
    assert filterset.is_valid()
    records = filterset.qs
    assert totals == session_totals(records)
    assert totals.count == records.count() > 0
    # Counted only from the kept rows: a list filtered by free text says nothing of its whole.
    assert count == (None if "q" in params else records.count())

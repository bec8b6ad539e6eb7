"""When a disclosure is due (慈善法): a drive or project longer than six months at least every
three months, and every one in full within three months of its end; staff see it on their start
page, overdue first."""

import datetime

import pytest

from disclosure.selectors import add_months, disclosures_due
from disclosure.services import disclosure_prepare, disclosure_publish
from tests.factories import DriveFactory, FundFactory, ProjectFactory

D = datetime.date


@pytest.fixture
def long_drive(books):
    return DriveFactory(
        fund=FundFactory(chapter=books.chapter),
        name="博爱助学长期募捐",
        start_date=D(2026, 1, 1),
        end_date=D(2027, 12, 31),
    )


def dues(books, today):
    return [(d.subject, d.what, d.due, d.overdue) for d in disclosures_due([books.chapter], today=today)]


def test_month_arithmetic_keeps_the_end_of_month():
    assert add_months(D(2020, 11, 30), 3) == D(2021, 2, 28)
    assert add_months(D(2020, 1, 26), 3) == D(2020, 4, 26)


def test_a_long_drive_owes_a_disclosure_every_three_months(books, long_drive):
    found = dues(books, D(2026, 4, 2))
    assert ("博爱助学长期募捐（2026）", "定期公开（每三个月至少一次）", D(2026, 4, 1), True) in found
    assert all(d[0] != "博爱助学长期募捐（2026）" for d in dues(books, D(2026, 2, 1)))


def test_publishing_moves_the_next_date_three_months_on(books, long_drive, monkeypatch):
    from disclosure.choices import DisclosureKind

    disclosure = disclosure_prepare(
        chapter=books.chapter,
        user=books.staff,
        kind=DisclosureKind.DRIVE,
        drive=long_drive,
        as_of=D(2026, 3, 31),
    )
    version = disclosure_publish(disclosure=disclosure, user=books.leader)
    published_on = version.published_at.date()
    found = [d for d in dues(books, add_months(published_on, 3)) if d[0] == "博爱助学长期募捐（2026）"]
    assert found == [
        ("博爱助学长期募捐（2026）", "定期公开（每三个月至少一次）", add_months(published_on, 3), False)
    ]


def test_every_drive_is_disclosed_in_full_within_three_months_of_its_end(books):
    # The fixture's drive ran 2020-01-26 – 2020-04-30 (under six months): only the full one is owed.
    drive = [d for d in dues(books, D(2020, 7, 1)) if d[0] == "疫情防控专项募捐（2020）"]
    assert drive == [("疫情防控专项募捐（2020）", "结束后完整公开", D(2020, 7, 30), False)]
    assert ("疫情防控专项募捐（2020）", "结束后完整公开", D(2020, 7, 30), True) in dues(
        books, D(2020, 8, 1)
    )  # overdue
    # The fixture's project has no end: it owes a disclosure every three months from its start.
    assert ("富康社区博爱家园项目", "定期公开（每三个月至少一次）", D(2020, 7, 1), False) in dues(
        books, D(2020, 7, 1)
    )


def test_a_full_disclosure_after_the_end_settles_it(books, published):
    assert all(d[0] != "疫情防控专项募捐（2020）" for d in dues(books, D(2020, 8, 1)))


def test_a_long_project_is_held_to_the_same(books):
    ProjectFactory(chapter=books.chapter, name="长期项目", start_date=D(2026, 1, 1), end_date=D(2027, 6, 30))
    assert ("长期项目", "定期公开（每三个月至少一次）", D(2026, 4, 1), True) in dues(books, D(2026, 4, 2))


def test_staff_see_what_is_due_and_overdue_on_their_start_page(client, books, long_drive):
    client.force_login(books.staff)
    page = client.get("/").content.decode()
    assert 'id="due-disclosures"' in page and "博爱助学长期募捐（2026）" in page
    assert "疫情防控专项募捐（2020）" in page and "已逾期" in page
    client.force_login(books.leader)
    assert "疫情防控专项募捐（2020）" in client.get("/").content.decode()  # the leader's dashboard too
    client.force_login(books.auditor)
    assert 'id="due-disclosures"' not in client.get("/").content.decode()


# --- what the due panel reads ---------------------------------------------------------------------


@pytest.fixture
def old_drives(books):
    """Thirty drives of 2010–2019, each disclosed in full (cut at its end), and one of 2018 never
    disclosed at all."""
    from disclosure.choices import DisclosureKind

    fund = FundFactory(chapter=books.chapter, name="历年募捐")
    for n in range(30):
        year = 2010 + n % 10
        drive = DriveFactory(
            fund=fund, name=f"历年募捐{n}", start_date=D(year, 3, 1), end_date=D(year, 5, 31)
        )
        disclosure = disclosure_prepare(
            chapter=books.chapter,
            user=books.staff,
            kind=DisclosureKind.DRIVE,
            drive=drive,
            as_of=drive.end_date,
        )
        disclosure_publish(disclosure=disclosure, user=books.leader)
    return DriveFactory(fund=fund, name="未公开的募捐", start_date=D(2018, 3, 1), end_date=D(2018, 4, 30))


def test_the_due_panel_reads_only_what_can_be_due_in_two_queries(books, old_drives, long_drive, monkeypatch):
    """Of 33 drives and one project, only those that can owe a disclosure on 2026-04-02 are read:
    the long drive still running, the 2020 drive and the 2018 one never disclosed in full, and the
    project without an end; the thirty disclosed in full are not read at all."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from disclosure import selectors

    read = []
    real = selectors._due_of

    def counted(subject, *args):
        read.append(subject)
        return real(subject, *args)

    monkeypatch.setattr(selectors, "_due_of", counted)
    with CaptureQueriesContext(connection) as queries:
        found = disclosures_due([books.chapter], today=D(2026, 4, 2))
    assert len(queries) == 2
    assert sorted(read) == sorted(
        [
            "博爱助学长期募捐（2026）",
            "疫情防控专项募捐（2020）",
            "未公开的募捐（2018）",
            "富康社区博爱家园项目",
        ]
    )
    # An old drive never disclosed stays overdue: nothing is hidden for being old.
    assert ("未公开的募捐（2018）", "结束后完整公开", D(2018, 7, 30), True) in [
        (d.subject, d.what, d.due, d.overdue) for d in found
    ]


def test_a_short_drive_still_running_is_not_read(books, monkeypatch):
    from disclosure import selectors

    DriveFactory(fund=books.fund, name="短期募捐", start_date=D(2026, 3, 1), end_date=D(2026, 5, 31))
    DriveFactory(fund=books.fund, name="长期募捐", start_date=D(2026, 1, 1), end_date=D(2026, 7, 2))
    read = []
    real = selectors._due_of
    monkeypatch.setattr(selectors, "_due_of", lambda subject, *a: read.append(subject) or real(subject, *a))
    disclosures_due([books.chapter], today=D(2026, 4, 2))
    assert "短期募捐（2026）" not in read and "长期募捐（2026）" in read

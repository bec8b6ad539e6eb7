"""How the pages people open every day scale with the records behind them (issue 19). Run on
demand, never as a test:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/redcross \\
        .venv/bin/python bench/page_bench.py 10000 100000 1000000 [--chapters 20] [--keep]

PostgreSQL only. Works in scratch databases beside ``DATABASE_URL``'s, one per N and chapter count
(``test_<name>_<N>_<chapters>``), never in the real one. For each N it generates N records spread over
ten years (2015-2024: 70 % relief payments, 20 % gifts, 5 % training sessions, 5 % project
expenditures) in one county chapter, or across ``--chapters`` counties under one city, with
``INSERT … SELECT … FROM generate_series`` (the history trigger records each insert, as it would
for a person's); then fills the kept summaries (``keep_summaries``: the firsts of persons and donors by one
INSERT … SELECT … GROUP BY per grouping, every kept daily table by ``redcross.kept.rebuild_kept``)
and runs VACUUM ANALYZE, what autovacuum does on a running server.

It then requests each page of the issue's table through the test client, logged in as a staff
member of the first county and, with more than one chapter, as the city's leader (who reads every
county), at every N in turn, request by request (so the machine's other work falls on every N
alike): a warm-up round, then the median of three requests and the queries of the last. It prints
page | N | median ms | queries | ratio to the first N. ``--keep`` leaves each N's database for the
next ``--keep`` run, which then reuses its records (migrating the database to the code of the day and
filling the kept summaries again), so that 10M is generated once (about 35 minutes here) and every
later run measures it in minutes; ``--as-is`` skips filling them again (when no kept table changed
since, or a migration filled the new one). ``--repeat K`` takes the median of K requests (3).
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "redcross.settings.local")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

FIRST = "2015-01-01"
DAYS = 3653  # 2015-01-01 … 2024-12-31
YEAR = 2024
PROJECTS = 20  # per chapter


def option(name, default):
    if name in sys.argv:
        return int(sys.argv[sys.argv.index(name) + 1])
    return default


KEEP = "--keep" in sys.argv
# With --keep: measures a reused database as it is, without filling its kept summaries again (when
# the kept tables have not changed since the database was generated or last filled).
AS_IS = "--as-is" in sys.argv
# Generates (and keeps, with --keep) without measuring: to make the 10M database ahead of a run.
GENERATE_ONLY = "--generate-only" in sys.argv
CHAPTERS = option("--chapters", 1)
REPEAT = option("--repeat", 3)


ORIGINAL_NAME = connection.settings_dict["NAME"]


def scratch_database(n):
    """The scratch database of N records in CHAPTERS chapters, beside DATABASE_URL's, migrated
    (kept between runs)."""
    connection.close()
    connection.settings_dict["NAME"] = ORIGINAL_NAME
    connection.settings_dict["TEST"] = {
        **connection.settings_dict.get("TEST", {}),
        "NAME": f"test_{ORIGINAL_NAME}_{n}_{CHAPTERS}",
    }
    # Not serialized: that would read every row of a kept database into memory (as the test
    # runner does for its rollback emulation), minutes and gigabytes at 10M.
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=True, serialize=False)


def chapters_tree(count):
    """The city 990100 and its counties 990101… (kept between runs, like report_bench's)."""
    from redcross.models import Chapter

    city, _created = Chapter.objects.get_or_create(
        code="990100", defaults={"name": "基准测试市红十字会", "level": "city"}
    )
    counties = []
    for k in range(1, count + 1):
        county, _created = Chapter.objects.get_or_create(
            code=f"9901{k:02d}",
            defaults={"name": f"基准测试县{k}红十字会", "level": "county", "parent": city},
        )
        counties.append(county)
    return city, counties


def users(city, county):
    from redcross.models import Membership

    made = {}
    for username, chapter, role in (
        ("bench-county-staff", county, "staff"),
        ("bench-city-leader", city, "leader"),
    ):
        user, _created = get_user_model().objects.get_or_create(username=username)
        Membership.objects.get_or_create(user=user, chapter=chapter, role=role)
        made[role] = user
    return made


def execute(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def contiguous_ids(table, chapters):
    """The first id of ``table``'s rows of ``chapters``, checked to be one unbroken run (one
    INSERT … SELECT in an otherwise idle scratch database)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT min(id), max(id), count(*) FROM {table} WHERE chapter_id = ANY(%s)",  # noqa: S608
            [chapters],
        )
        low, high, count = cursor.fetchone()
    assert high - low + 1 == count, f"{table}: ids not contiguous"
    return low, count


def keep_summaries(ids):
    """Fills the kept summaries of the chapters ``ids`` from their records, as after a bulk write:
    the firsts (who first got relief or gave, ever and per year) by one INSERT … SELECT … GROUP BY
    per grouping — the same rows as ``person_years_refresh`` and ``donor_firsts_refresh`` write,
    by the database rather than through millions of model instances (everything generated stands:
    no void, no reversal) — then every kept daily table by its own rebuild (``rebuild_kept``)."""
    from aid.models import PersonFirst, PersonYear, ReliefDay
    from donations.models import DonorFirst
    from redcross.kept import rebuild_kept

    # ReliefDay (relief_days_rebuild's sums), by the database.
    ReliefDay.objects.filter(chapter__in=ids)._raw_delete(ReliefDay.objects.db)
    execute(
        "INSERT INTO aid_reliefday (chapter_id, category_id, fund_id, date, payments, cash_amount,"
        " in_kind_amount, cases, group_persons)"
        " SELECT chapter_id, category_id, fund_id, date, count(*) FILTER (WHERE reverses_id IS NULL),"
        " sum(cash_amount), sum(in_kind_amount), coalesce(sum(cases) FILTER (WHERE reverses_id IS NULL), 0),"
        " coalesce(sum(head_count) FILTER (WHERE reverses_id IS NULL AND beneficiary_id IS NULL), 0)"
        " FROM aid_disbursement WHERE chapter_id = ANY(%s) AND voided_at IS NULL AND NOT pending"
        " GROUP BY 1, 2, 3, 4",
        [ids],
    )
    for model in (PersonYear, PersonFirst, DonorFirst):
        model.objects.filter(chapter__in=ids)._raw_delete(model.objects.db)
    stands = "d.chapter_id = ANY(%s) AND d.reverses_id IS NULL AND d.voided_at IS NULL"
    for category in ("d.category_id", "NULL::bigint"):
        execute(
            "INSERT INTO aid_personyear (year, first_date, beneficiary_id, category_id, chapter_id)"
            f" SELECT extract(year FROM d.date)::int, min(d.date), d.beneficiary_id, {category}, b.chapter_id"
            " FROM aid_disbursement d JOIN aid_beneficiary b ON b.id = d.beneficiary_id"
            f" WHERE {stands} AND NOT d.pending GROUP BY 1, 3, 4, 5",
            [ids],
        )
        execute(
            "INSERT INTO aid_personfirst (first_date, beneficiary_id, category_id, chapter_id)"
            f" SELECT min(d.date), d.beneficiary_id, {category}, b.chapter_id"
            " FROM aid_disbursement d JOIN aid_beneficiary b ON b.id = d.beneficiary_id"
            f" WHERE {stands} AND NOT d.pending GROUP BY 2, 3, 4",
            [ids],
        )
    for ever, year in ((True, ""), (False, ", extract(year FROM d.date)")):
        for every_drive, drive in ((True, "NULL::bigint"), (False, "d.drive_id")):
            group = "d.chapter_id, d.donor_id" + ("" if every_drive else ", d.drive_id") + year
            execute(
                "INSERT INTO donations_donorfirst"
                " (chapter_id, donor_id, drive_id, every_drive, ever, first_date)"
                f" SELECT d.chapter_id, d.donor_id, {drive}, {every_drive}, {ever}, min(d.date)"
                f" FROM donations_donation d WHERE {stands} GROUP BY {group}",
                [ids],
            )
    rebuild_kept(chapters=ids)
    execute(
        "INSERT INTO aid_writtentownship (chapter_id, name)"
        " SELECT chapter_id, township FROM aid_beneficiary"
        " WHERE chapter_id = ANY(%s) AND township <> ''"
        " UNION SELECT chapter_id, township FROM aid_disbursement"
        " WHERE chapter_id = ANY(%s) AND township <> ''"
        " ON CONFLICT DO NOTHING",
        [ids, ids],
    )


def generate(counties, n):
    """N records over ten years across ``counties``; row i belongs to county i % C."""
    from aid.models import AidCategory, Beneficiary
    from donations.models import Drive, Fund
    from projects.models import Project, ProjectKind
    from training.models import TrainingKind

    ids = [c.pk for c in counties]
    c = len(ids)
    funds, drives, projects = [], [], []
    kind = ProjectKind.objects.first()
    for county in counties:
        fund = Fund.objects.create(chapter=county, name="基准测试基金")
        funds.append(fund.pk)
        drives.append(
            Drive.objects.create(
                chapter=county, fund=fund, name="博爱一日捐", start_date=FIRST, end_date=f"{YEAR}-12-31"
            ).pk
        )
        projects += [
            Project.objects.create(
                chapter=county, name=f"基准项目{i}", kind=kind, budget=1_000_000, status="in_progress"
            ).pk
            for i in range(PROJECTS)
        ]
    categories = list(AidCategory.objects.order_by("pk").values_list("pk", flat=True))
    kinds = list(TrainingKind.objects.order_by("pk").values_list("pk", flat=True))
    counts = {"disbursements": n * 70 // 100, "donations": n * 20 // 100, "sessions": n * 5 // 100}
    counts["expenditures"] = n - sum(counts.values())
    # Row i: chapter ids[i % C]; "day" spreads the rows evenly over the ten years.
    chapter = "(%(ids)s::bigint[])[1 + i %% %(c)s]"
    # A kind with fewer rows than days spreads them over the ten years too (i × days / count), or
    # its rows would all fall in the first years and the year pages of a small N read nothing.
    day = (
        f"DATE '{FIRST}' + CASE WHEN %(count)s < {DAYS} THEN (i::bigint * {DAYS} / %(count)s)::int"
        f" ELSE i %% {DAYS} END"
    )
    stamp = "now(), now()"
    p = {"ids": ids, "c": c, "funds": funds, "drives": drives, "projects": projects}

    donors = max(c, n // 50)
    execute(
        "INSERT INTO donations_donor (created_at, updated_at, name, kind, contact_person, phone, address,"
        " named_in_public, remarks, chapter_id, version)"
        f" SELECT {stamp}, '捐赠人' || i, 'person', '', '', '', false, '', {chapter}, 1"
        " FROM generate_series(0, %(count)s - 1) i",
        {**p, "count": donors},
    )
    people = max(c, n // 3)
    execute(
        "INSERT INTO aid_beneficiary (created_at, updated_at, name, id_number, township, chapter_id, version)"
        f" SELECT {stamp}, '受助人' || i || '号', '', '镇' || (i %% 20), {chapter}, 1"
        " FROM generate_series(0, %(count)s - 1) i",
        {**p, "count": people},
    )
    donor0, donors = contiguous_ids("donations_donor", ids)
    person0, people = contiguous_ids("aid_beneficiary", ids)
    # A row of county k takes a donor / person of county k: index (i % (m // C)) * C + i % C.
    same = "%(first)s + (i %% (%(many)s / %(c)s)) * %(c)s + i %% %(c)s"
    execute(
        "INSERT INTO donations_donation (created_at, updated_at, date, kind, amount, remarks, chapter_id,"
        " fund_id, anonymous, goods, unit, valuation_basis, donor_id, drive_id, version, void_reason)"
        f" SELECT {stamp}, {day}, 'cash', 100 + i %% 100, '', {chapter},"
        f" (%(funds)s::bigint[])[1 + i %% %(c)s], false, '', '', '', {same},"
        " CASE WHEN i %% 2 = 1 THEN (%(drives)s::bigint[])[1 + i %% %(c)s] END, 1, ''"
        " FROM generate_series(0, %(count)s - 1) i",
        {**p, "count": counts["donations"], "first": donor0, "many": donors},
    )
    execute(
        "INSERT INTO aid_disbursement (created_at, updated_at, date, head_count, cases, cash_amount,"
        " in_kind_amount, township, remarks, beneficiary_id, category_id, chapter_id, fund_id, version,"
        " pending, void_reason, approval_opinion)"
        f" SELECT {stamp}, {day}, 1, 1, 10 + i %% 50, 0, '', '', {same},"
        f" (%(categories)s::bigint[])[1 + i %% %(k)s], {chapter},"
        " CASE WHEN i %% 10 = 0 THEN (%(funds)s::bigint[])[1 + i %% %(c)s] END, 1, false, '', ''"
        " FROM generate_series(0, %(count)s - 1) i",
        {
            **p,
            "count": counts["disbursements"],
            "first": person0,
            "many": people,
            "categories": categories,
            "k": len(categories),
        },
    )
    execute(
        "INSERT INTO training_session (created_at, updated_at, date, title, venue, person_times,"
        " certified_count, remarks, chapter_id, kind_id, version)"
        f" SELECT {stamp}, {day}, '培训' || i, '', 20 + i %% 30, 0, '', {chapter},"
        " (%(kinds)s::bigint[])[1 + i %% %(k)s], 1"
        " FROM generate_series(0, %(count)s - 1) i",
        {**p, "count": counts["sessions"], "kinds": kinds, "k": len(kinds)},
    )
    execute(
        "INSERT INTO projects_expenditure (created_at, updated_at, date, category, amount, payee,"
        " invoice_number, description, over_budget_reason, chapter_id, project_id, version, pending,"
        " void_reason, approval_opinion)"
        f" SELECT {stamp}, {day}, '工程建设', 5, '', '', '', '', {chapter},"
        " (%(projects)s::bigint[])[1 + (i %% %(c)s) * %(per)s + (i / %(c)s) %% %(per)s], 1, false, '', ''"
        " FROM generate_series(0, %(count)s - 1) i",
        {**p, "count": counts["expenditures"], "per": PROJECTS},
    )
    keep_summaries(ids)
    assert Beneficiary.objects.filter(chapter__in=ids).count() == people
    counts["donors"], counts["beneficiaries"] = donors, people
    return counts


def pages(user_chapter, county, role):
    """The issue's pages, for a user reading ``user_chapter``: (label, url)."""
    from aid.models import Disbursement
    from donations.models import Drive, Fund
    from redcross.keyset import KeysetPaginator, seek_ordering
    from redcross.models import Chapter
    from reports.choices import ReportKind
    from reports.periods import Period
    from reports.services import report_open

    readable = Chapter.objects.filter(path__startswith=user_chapter.path)
    payments = Disbursement.all_objects.filter(chapter__in=readable)
    fund = Fund.objects.filter(chapter=county).order_by("pk").first()
    drive = Drive.objects.filter(chapter=county).order_by("pk").first()
    report = report_open(chapter=user_chapter, period=Period(YEAR, ReportKind.YEAR))
    # A page deep in the list: the one after the payment 100,000 rows down (or halfway), addressed
    # by its cursor as the page before's 下一页 link addresses it.
    deep = min(100_000, payments.count() // 2)
    row = payments.order_by("-date", "-pk")[deep]
    cursor = KeysetPaginator(payments, seek_ordering(payments), settings.LIST_PAGE_SIZE).cursor(row)
    # One of the first county's people: "…号" ends every name, so the search matches one person at
    # every N (a substring search of "受助人120" would match 1,111 times more people at 10M).
    name = f"受助人{CHAPTERS * 6}号"
    return [
        ("home /?year=2024", "/?year=2024"),
        ("dashboard /dashboard/?year=2024", "/dashboard/?year=2024"),
        ("/aid/ (list + totals line)", "/aid/"),
        (f"/aid/ a page after row {deep:,}", f"/aid/?after={cursor}"),
        ("/aid/?page=last", "/aid/?page=last"),
        ("/donations/", "/donations/"),
        ("/donations/funds/", "/donations/funds/"),
        ("a fund's page", f"/donations/funds/{fund.pk}/"),
        (f"/aid/?q={name}", f"/aid/?q={name}"),
        ("/training/?year=2024", f"/training/?year={YEAR}"),
        ("/training/sessions/", "/training/sessions/"),
        ("/projects/", "/projects/"),
        ("/projects/expenditures/", "/projects/expenditures/"),
        ("/history/", "/history/"),
        ("/donations/drives/", "/donations/drives/"),
        ("a drive's page", f"/donations/drives/{drive.pk}/"),
        ("the report page (year 2024)", f"/reports/{report.pk}/"),
    ]


def use(n):
    """Points the connection at N's scratch database, connected before any request is timed."""
    connection.close()
    connection.settings_dict["NAME"] = f"test_{ORIGINAL_NAME}_{n}_{CHAPTERS}"
    connection.ensure_connection()
    reset_queries()  # the log holds 9,000 queries: past that, a capture would count none


def measure(plans):
    """Every page at every N in turn, request by request (round robin), so that what else the
    machine does falls on every N alike and the ratios of one run hold: a warm-up round, then the
    median of ``REPEAT`` requests and the queries of the last. ``plans``: N → reader → (logged-in
    client, [(label, url)]). Returns N → reader → [(label, ms, queries)]."""
    sizes = list(plans)
    results = {n: {} for n in sizes}
    for who in plans[sizes[0]]:
        for index in range(len(plans[sizes[0]][who][1])):
            timings, last = {n: [] for n in sizes}, {}
            for round_ in range(REPEAT + 1):
                for n in sizes:
                    use(n)
                    client, targets = plans[n][who]
                    label, url = targets[index]
                    with CaptureQueriesContext(connection) as queries:
                        started = time.perf_counter()
                        response = client.get(url)
                        elapsed = time.perf_counter() - started
                    if round_:
                        timings[n].append(elapsed)
                    status = "" if response.status_code == 200 else f" [HTTP {response.status_code}]"
                    last[n] = (label + status, len(queries.captured_queries))
            for n in sizes:
                label, count = last[n]
                results[n].setdefault(who, []).append((label, statistics.median(timings[n]) * 1000, count))
    return results


def prepare(n):
    """N's scratch database, generated or reused, with its kept summaries; returns what to
    measure there (reader → (logged-in client, pages)), or None with ``--generate-only``."""
    from scratch import empty_books

    from aid.models import Disbursement

    scratch_database(n)
    city, counties = chapters_tree(CHAPTERS)
    people = users(city, counties[0])

    ids = [c.pk for c in counties]
    reuse = (
        KEEP
        and Disbursement.objects.count()
        == n * 70 // 100
        == Disbursement.objects.filter(chapter__in=ids).count()
    )
    started = time.perf_counter()
    if reuse and AS_IS:
        made = "reused from the last --keep run as it is (--as-is)"
    elif reuse:
        keep_summaries(ids)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        made = (
            f"reused from the last --keep run, summaries kept again in {time.perf_counter() - started:.1f} s"
        )
    else:
        empty_books()
        counts = generate(counties, n)
        made = f"generated in {time.perf_counter() - started:.1f} s"
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        made += f" + VACUUM ANALYZE {time.perf_counter() - started:.1f} s  {counts}"
    name = connection.settings_dict["NAME"]
    print(f"\nN={n:,} across {len(counties)} chapter(s) in {name}: {made}", flush=True)
    if GENERATE_ONLY:
        return None
    readers = [("county staff", counties[0], people["staff"])]
    if len(counties) > 1:
        readers.append((f"city leader ({len(counties)} counties)", city, people["leader"]))
    plan = {}
    for who, chapter, user in readers:
        client = Client()
        client.force_login(user)
        plan[who] = (client, pages(chapter, counties[0], who))
    return plan


def main(sizes):
    if connection.vendor != "postgresql":
        sys.exit("page_bench.py measures PostgreSQL only: set DATABASE_URL=postgres://…")
    setup_test_environment()  # the test client's host, as the test runner allows it
    plans = {n: prepare(n) for n in sizes}
    if GENERATE_ONLY:
        return
    results = measure(plans)
    first = sizes[0]
    for n in sizes:
        print(f"\nN={n:,} across {CHAPTERS} chapter(s): measured", flush=True)
        for who, rows in results[n].items():
            print(f"\n{who}\n\n| page | N | median ms | queries | ratio to N={first:,} |")
            print("| --- | ---: | ---: | ---: | ---: |")
            for (label, ms, count), (_label, base, _count) in zip(rows, results[first][who], strict=True):
                print(f"| {label} | {n:,} | {ms:,.0f} | {count} | {ms / base:.1f}× |", flush=True)
    if not KEEP:
        from scratch import empty_books

        for n in sizes:
            use(n)
            empty_books()


if __name__ == "__main__":
    options = {"--chapters", "--repeat"}
    numbers = [arg for i, arg in enumerate(sys.argv[1:]) if arg.isdigit() and sys.argv[i] not in options]
    main([int(arg) for arg in numbers] or [10_000, 100_000])

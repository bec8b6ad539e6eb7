"""How a year-end report scales with the records behind it. Run on demand, never as a test:

    .venv/bin/python bench/report_bench.py 10000 100000 1000000

Uses ``DATABASE_URL`` (PostgreSQL for the figures that matter:
``DATABASE_URL=postgres://postgres@127.0.0.1:5432/redcross``) and works in a scratch database
beside it (``test_<name>``, kept between runs), never in the real one. For each N it generates a
chapter-year of N records (70 % relief payments, 20 % donations, 5 % training sessions, 5 %
project expenditures) and prints, separately: the database part (all figures of the report) in
seconds and queries, the render part (HTML to PDF), and the download of a published version.
``--profile`` also prints the five slowest queries of the database part; ``--keep`` leaves the
generated records for the next ``--keep`` run of the same N, which then reuses them.

Goals (issue 4): the query count does not grow with N; the database part stays under 0.5 s at
1M records on PostgreSQL; a published report downloads without rendering again. Issue 16: writing
the living draft's text again on every read adds no query per section (the "text" column: one
query, the sections').
"""

import datetime
import os
import sys
import time
import tracemalloc
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "redcross.settings.local")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

BATCH = 10_000
YEAR = 2024


def scratch_database():
    """The scratch database beside DATABASE_URL's, migrated (kept between runs)."""
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=True, serialize=False)


def generate(chapter, n):
    from aid.models import AidCategory, Beneficiary, Disbursement
    from donations.models import Donation, Donor, Drive, Fund
    from projects.models import Expenditure, Project, ProjectKind
    from training.models import Session, TrainingKind

    categories = list(AidCategory.objects.all())
    kinds = list(TrainingKind.objects.all())
    fund = Fund.objects.create(chapter=chapter, name="基准测试基金")
    drive = Drive.objects.create(
        chapter=chapter,
        fund=fund,
        name="博爱一日捐",
        start_date=datetime.date(YEAR, 1, 1),
        end_date=datetime.date(YEAR, 12, 31),
    )
    donors = Donor.objects.bulk_create(
        Donor(chapter=chapter, name=f"捐赠人{i}", kind="person") for i in range(max(1, n // 50))
    )
    people = Beneficiary.objects.bulk_create(
        (
            Beneficiary(chapter=chapter, name=f"受助人{i}", township=f"镇{i % 20}")
            for i in range(max(1, n // 3))
        ),
        batch_size=BATCH,
    )
    projects = [
        Project.objects.create(
            chapter=chapter,
            name=f"基准项目{i}",
            kind=ProjectKind.objects.first(),
            budget=Decimal("1000000"),
            status="in_progress",
        )
        for i in range(20)
    ]

    def day(i):
        return datetime.date(YEAR, 1, 1) + datetime.timedelta(days=i % 365)

    def batches(make, count):
        for start in range(0, count, BATCH):
            yield [make(i) for i in range(start, min(count, start + BATCH))]

    counts = {"disbursements": n * 70 // 100, "donations": n * 20 // 100, "sessions": n * 5 // 100}
    counts["expenditures"] = n - sum(counts.values())
    for rows in batches(
        lambda i: Donation(
            chapter=chapter,
            fund=fund,
            drive=drive if i % 2 else None,
            donor=donors[i % len(donors)],
            date=day(i),
            kind="cash",
            amount=Decimal("100.00") + i % 100,
        ),
        counts["donations"],
    ):
        Donation.objects.bulk_create(rows)
    for rows in batches(
        lambda i: Disbursement(
            chapter=chapter,
            date=day(i),
            category=categories[i % len(categories)],
            beneficiary=people[i % len(people)],
            head_count=1,
            cases=1,
            cash_amount=Decimal("10.00") + i % 50,
            in_kind_amount=Decimal("0.00"),
            fund=fund if i % 10 == 0 else None,
        ),
        counts["disbursements"],
    ):
        Disbursement.objects.bulk_create(rows)
    # A bulk write keeps the summaries itself, as the import does.
    from aid.services import person_years_refresh, relief_days_rebuild

    person_years_refresh(beneficiaries=Beneficiary.objects.filter(chapter=chapter).values("pk"))
    relief_days_rebuild(chapters=[chapter.pk])
    for rows in batches(
        lambda i: Session(
            chapter=chapter,
            date=day(i),
            kind=kinds[i % len(kinds)],
            title=f"培训{i}",
            person_times=20 + i % 30,
        ),
        counts["sessions"],
    ):
        Session.objects.bulk_create(rows)
    for rows in batches(
        lambda i: Expenditure(
            chapter=chapter,
            project=projects[i % len(projects)],
            date=day(i),
            category="工程建设",
            amount=Decimal("5.00"),
        ),
        counts["expenditures"],
    ):
        Expenditure.objects.bulk_create(rows)
    return counts


def clear(chapter):
    """Empties the scratch books (accounting records are never deleted: they are truncated)."""
    from scratch import empty_books

    empty_books()


def run(n):
    from redcross.models import Chapter
    from reports.choices import ReportKind
    from reports.figures import report_data
    from reports.models import Publication
    from reports.pdf import render_pdf
    from reports.periods import Period
    from reports.services import live_context, report_language, report_open, report_publish

    chapter, _created = Chapter.objects.get_or_create(
        code="990001", defaults={"name": "基准测试红十字会", "level": "county"}
    )
    from aid.models import Disbursement

    reuse = KEEP and Disbursement.objects.filter(chapter=chapter).count() == n * 70 // 100
    started = time.perf_counter()
    if reuse:
        counts = "reused from the last --keep run"
    else:
        clear(chapter)
        counts = generate(chapter, n)
    generated = time.perf_counter() - started
    period = Period(YEAR, ReportKind.YEAR)
    report = report_open(chapter=chapter, period=period)
    if connection.vendor == "postgresql":
        # What autovacuum does on a running server: statistics and the visibility map.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")

    timings = []
    reset_queries()
    for _ in range(3):
        with CaptureQueriesContext(connection) as queries, report_language():
            started = time.perf_counter()
            data = report_data(chapter, period)
            timings.append(time.perf_counter() - started)
    database = min(timings)

    # The living draft: every section nobody edited is written again from the figures on each
    # read; that costs the one query of the sections, whatever N and however many sections.
    texts = []
    for _ in range(3):
        with CaptureQueriesContext(connection) as text_queries:
            started = time.perf_counter()
            context, _data = live_context(report, data=data)
            texts.append(time.perf_counter() - started)
    text = min(texts)
    renders = []
    for _ in range(2):
        started = time.perf_counter()
        with report_language():
            pdf = render_pdf(context)
        renders.append(time.perf_counter() - started)
    render = min(renders)
    tracemalloc.start()  # a pass of its own: tracing slows Python down several times
    with report_language():
        render_pdf(context)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()

    user, _created = get_user_model().objects.get_or_create(username="bench-leader")
    publication = report_publish(report=report, user=user)
    started = time.perf_counter()
    downloaded = bytes(Publication.objects.get(pk=publication.pk).pdf)
    download = time.perf_counter() - started
    assert downloaded == bytes(publication.pdf)

    made = "reused" if reuse else f"generated in {generated:6.1f}s ({n / generated:,.0f} rows/s)"
    print(
        f"N={n:>9,}  {made}  "
        f"| database: {database:6.3f}s, {len(queries.captured_queries)} queries "
        f"| text: {text * 1000:5.1f} ms, {len(text_queries.captured_queries)} queries "
        f"| render: {render:5.2f}s, {len(pdf) / 1024:,.0f} KB PDF, peak {peak / 2**20:,.0f} MiB "
        f"| published download: {download * 1000:5.1f} ms"
    )
    print(f"           records: {counts}")
    if PROFILE:
        slowest = sorted(queries.captured_queries, key=lambda q: -float(q["time"]))[:5]
        for query in slowest:
            print(f"           {float(query['time']):6.3f}s  {query['sql'][:300]}")
    if not KEEP:
        clear(chapter)


PROFILE = "--profile" in sys.argv
KEEP = "--keep" in sys.argv


def main(sizes):
    scratch_database()
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    for n in sizes:
        run(n)


if __name__ == "__main__":
    main([int(arg) for arg in sys.argv[1:] if arg.isdigit()] or [10_000, 100_000])

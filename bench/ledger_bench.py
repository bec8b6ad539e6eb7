"""How fast, and in how much memory, a ledger goes to Excel. Run on demand, never as a test:

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/redcross
    .venv/bin/python bench/ledger_bench.py 100000 1000000

Works in the scratch database beside ``DATABASE_URL``'s (``test_<name>``, kept between runs; the
generated payments are reused when a run finds exactly N of them). For each N it writes the
救助支出明细账 of a chapter-year of N relief payments twice, each in a fresh process so its peak
memory is its own:

- ``ledger``: the product's export (``export_write``: header block, yuan formats, masked ID
  numbers, totals row), rows streamed from the database in chunks;
- ``bare``: the same rows from the same query appended to a bare openpyxl write-only sheet.

and prints seconds, rows per second and peak memory (the process's maximum resident set) of
each, and the ratio of the two times. Goals (issue 5): the ledger within 1.3x of the bare loop's
time, and under 150 MB peak memory at 1M rows.
"""

import datetime
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "redcross.settings.local")

YEAR = 2024
CODE = "990002"
BATCH = 10_000


def setup_django(scratch):
    import django
    from django.conf import settings

    django.setup()
    if scratch:
        from django.db import connection

        connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=True, serialize=False)
    else:  # a child process: the scratch database the parent made
        from django.db import connection

        name = settings.DATABASES["default"]["NAME"]
        if not name.startswith("test_"):
            connection.close()
            settings.DATABASES["default"]["NAME"] = connection.settings_dict["NAME"] = f"test_{name}"


def chapter():
    from redcross.models import Chapter

    found, _created = Chapter.objects.get_or_create(
        code=CODE, defaults={"name": "账簿基准红十字会", "level": "county"}
    )
    return found


def ensure_payments(n):
    """Exactly ``n`` payments of the bench chapter in YEAR, generated when the count differs."""
    from aid.models import AidCategory, Beneficiary, Disbursement
    from aid.services import person_years_refresh, relief_days_rebuild

    home = chapter()
    if Disbursement.objects.filter(chapter=home).count() == n:
        return "reused"
    started = time.perf_counter()
    from scratch import empty_books

    empty_books()  # accounting records are never deleted: the scratch books are truncated
    categories = list(AidCategory.objects.all())
    people = Beneficiary.objects.bulk_create(
        (
            Beneficiary(
                chapter=home,
                name=f"受助人{i}",
                id_number=_id_number(f"150525{1950 + i % 50}0101{i % 1000:03d}") if i % 2 else "",
                township=f"镇{i % 20}",
            )
            for i in range(max(1, n // 3))
        ),
        batch_size=BATCH,
        ignore_conflicts=True,
    )
    people = list(Beneficiary.objects.filter(chapter=home))
    start = datetime.date(YEAR, 1, 1)
    for first in range(0, n, BATCH):
        Disbursement.objects.bulk_create(
            Disbursement(
                chapter=home,
                date=start + datetime.timedelta(days=i % 365),
                category=categories[i % len(categories)],
                beneficiary=people[i % len(people)],
                cash_amount=Decimal("10.00") + i % 50,
                in_kind_amount=Decimal("0.00") if i % 3 else Decimal("5.50"),
                township=f"镇{i % 20}",
                remarks="" if i % 7 else "入户走访",
            )
            for i in range(first, min(n, first + BATCH))
        )
    person_years_refresh(beneficiaries=Beneficiary.objects.filter(chapter=home).values("pk"))
    relief_days_rebuild(chapters=[home.pk])
    return f"generated in {time.perf_counter() - started:.0f}s"


def _id_number(first17):
    from redcross.idnumber import check_character

    return first17 + check_character(first17)


def params():
    return {"chapter": chapter().pk, "date_after": f"{YEAR}-01-01", "date_before": f"{YEAR}-12-31"}


def run_ledger(path):
    from aid.exports import DisbursementLedger
    from redcross.access import CommandAccess
    from redcross.services import export_write

    export = DisbursementLedger(CommandAccess(chapter()))
    return export_write(export, params(), path, made_by="bench").rows


def run_bare(path):
    """The same query's rows as the database gives them, appended to a bare write-only sheet."""
    from openpyxl import Workbook

    from aid.exports import DisbursementLedger
    from redcross.access import CommandAccess

    export = DisbursementLedger(CommandAccess(chapter()))
    _filterset, queryset = export.filtered(params())
    book = Workbook(write_only=True)
    sheet = book.create_sheet("bare")
    rows = 0
    for row in export.stream(queryset, *export.fields):
        sheet.append(row)
        rows += 1
    book.save(path)
    return rows


def child(variant):
    """One measured run, in a process of its own; prints its figures as JSON."""
    setup_django(scratch=False)
    with tempfile.NamedTemporaryFile(suffix=".xlsx") as handle:
        started = time.perf_counter()
        rows = {"ledger": run_ledger, "bare": run_bare}[variant](handle.name)
        seconds = time.perf_counter() - started
        size = os.path.getsize(handle.name)
    peak = _high_water_mark()
    print(json.dumps({"rows": rows, "seconds": seconds, "peak": peak, "bytes": size}))


def _high_water_mark():
    """The process's peak resident memory in bytes. VmHWM starts afresh at exec, where
    getrusage's ru_maxrss keeps the parent's peak from before the fork."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def measure(variant):
    result = subprocess.run(
        [sys.executable, __file__, "--child", variant], capture_output=True, text=True, check=True, cwd=ROOT
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def main(sizes):
    setup_django(scratch=True)
    from django.db import connection

    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    for n in sizes:
        made = ensure_payments(n)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE aid_disbursement")
        connection.close()
        figures = {variant: measure(variant) for variant in ("bare", "ledger")}
        bare, ledger = figures["bare"], figures["ledger"]
        for name, f in figures.items():
            print(
                f"N={n:>9,} ({made}) {name:>6}: {f['seconds']:7.1f}s  "
                f"{f['rows'] / f['seconds']:6,.0f} rows/s  "
                f"peak {f['peak'] / 2**20:5.0f} MiB  file {f['bytes'] / 2**20:5.1f} MiB"
            )
        print(f"           ledger / bare time: {ledger['seconds'] / bare['seconds']:.2f}x (goal 1.3x)")


if __name__ == "__main__":
    if "--child" in sys.argv:
        child(sys.argv[sys.argv.index("--child") + 1])
    else:
        main([int(arg) for arg in sys.argv[1:] if arg.isdigit()] or [100_000])

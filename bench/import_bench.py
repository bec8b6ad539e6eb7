"""How fast, and in how much memory, a workbook comes in through the task worker; how fast a
hostile one is refused. Run on demand, never as a test:

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/redcross
    .venv/bin/python bench/import_bench.py 10000 50000 100000

Works in the scratch database beside ``DATABASE_URL``'s (``test_<name>``). For each N it writes
a workbook of N rows (80 % relief payments to people with ID numbers, 20 % donations with receipt
numbers, into a drive and a fund the workbook defines), then, in a process of its own so that its
peak memory (VmHWM) is its own, runs what the task worker runs for a large upload
(``redcross.services.import_job_run``): the check (a dry run), then the import (checking again
and creating every record); it prints the seconds of each, rows per second, queries and peak
memory. Then it undoes the batch. Goal (issue 14): 100,000 rows through the worker with memory
flat in the number of rows (under 300 MB).

Then the hostile files of issue 14, each refused by ``import_records`` before any heavy work:
a 5 KB workbook declaring the whole sheet (A1:XFD1048576), a 1 MB zip that unpacks to 190 MB,
and a sheet just under the unpacked cap that declares no size at all (rows counted while
streaming). Goal: each refused in under a second.
"""

import datetime
import io
import json
import os
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "redcross.settings.local")

CODE = "990003"


def setup_django(scratch):
    import django
    from django.conf import settings

    django.setup()
    settings.DEBUG = False  # Django keeps every query's SQL under DEBUG: not what a worker holds
    from django.db import connection

    if scratch:
        connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=True, serialize=False)
    else:  # a child process: the scratch database the parent made
        name = settings.DATABASES["default"]["NAME"]
        if not str(name).startswith("test_"):
            connection.close()
            settings.DATABASES["default"]["NAME"] = connection.settings_dict["NAME"] = f"test_{name}"


def id_number(i):
    from redcross.idnumber import check_character

    # Unique for i below 20 million: the birth date cycles every 20,000, the serial counts the cycles.
    birth = datetime.date(1940, 1, 1) + datetime.timedelta(days=i % 20000)
    first17 = f"150525{birth:%Y%m%d}{i // 20000 % 1000:03d}"
    return first17 + check_character(first17)


def write_workbook(path, n):
    from openpyxl import Workbook

    from redcross.importing import sheet_classes

    heads = {c.name: [col.name + ("*" if col.required else "") for col in c.columns] for c in sheet_classes()}
    book = Workbook(write_only=True)
    funds = book.create_sheet("基金")
    funds.append(heads["基金"])
    funds.append(["基准导入基金", None, None])
    drives = book.create_sheet("募捐活动")
    drives.append(heads["募捐活动"])
    drives.append(["基准募捐", datetime.date(2024, 1, 1), datetime.date(2024, 12, 31), "基准导入基金", None])
    gifts = book.create_sheet("捐赠")
    gifts.append(heads["捐赠"])
    day = datetime.date(2024, 1, 1)
    for i in range(n // 5):
        gifts.append(
            [day + datetime.timedelta(days=i % 365), f"捐赠人{i % 500}", "个人", "基准募捐", None, "现金",
             1000 + i % 90, None, None, None, None, f"BENCH-{i:07d}", "否", None]
        )  # fmt: skip
    payments = book.create_sheet("救助发放")
    payments.append(heads["救助发放"])
    for i in range(n - n // 5):
        payments.append(
            [day + datetime.timedelta(days=i % 365), "重特大疾病救助", f"受助人{i}", id_number(i), None, None,
             200 + i % 50, None, "基准导入基金" if i % 10 == 0 else None, f"镇{i % 20}", None]
        )  # fmt: skip
    book.save(path)


def chapter_and_user():
    from django.contrib.auth import get_user_model

    from redcross.models import Chapter, Membership

    chapter, _ = Chapter.objects.get_or_create(
        code=CODE, defaults={"name": "导入基准红十字会", "level": "county"}
    )
    user, _ = get_user_model().objects.get_or_create(username="bench-importer")
    Membership.objects.get_or_create(user=user, chapter=chapter, defaults={"role": "admin"})
    return chapter, user


def _high_water_mark():
    """The process's peak resident memory in bytes (VmHWM starts afresh at exec)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return 0


def child(path):
    """The worker's check and import of ``path``, in a process of its own; prints JSON."""
    setup_django(scratch=False)
    from django.core.files import File
    from django.db import connection

    from redcross.choices import ImportJob
    from redcross.importing import checksum
    from redcross.models import ImportBatch
    from redcross.services import import_job_run

    chapter, user = chapter_and_user()
    with open(path, "rb") as handle:
        batch = ImportBatch(chapter=chapter, user=user, filename="bench.xlsx", checksum=checksum(handle))
        batch.file.save("bench.xlsx", File(handle), save=False)
    batch.save()
    queries = [0]

    def count(execute, sql, params, many, context):
        queries[0] += 1
        return execute(sql, params, many, context)

    figures = {}
    with connection.execute_wrapper(count):
        for job in (ImportJob.CHECK, ImportJob.IMPORT):
            queries[0] = 0
            started = time.perf_counter()
            batch = import_job_run(batch.pk, job=job, user_id=user.pk)
            figures[job] = {"seconds": time.perf_counter() - started, "queries": queries[0]}
            assert not batch.error and not batch.report.get("problems"), (
                batch.error,
                batch.report.get("problems", [])[:3],
            )
    assert batch.status == "done", batch.status
    figures.update(
        batch=batch.pk, rows=batch.rows_checked, created=batch.rows_created, peak=_high_water_mark()
    )
    batch.file.delete(save=False)
    print(json.dumps(figures))


def measure(path):
    result = subprocess.run(
        [sys.executable, __file__, "--child", str(path)], capture_output=True, text=True, cwd=ROOT
    )
    if result.returncode:
        sys.exit(result.stderr)
    return json.loads(result.stdout.strip().splitlines()[-1])


# --- hostile files ---------------------------------------------------------------------------------


def declared_everywhere():
    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "救助发放"
    book.active["A1"] = "发放日期"
    book.active["XFD1048576"] = "x"
    handle = io.BytesIO()
    book.save(handle)
    return handle


def unpacks_to(megabytes):
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (megabytes * 2**20))
    return bomb


def undeclared_rows(megabytes):
    """A real workbook whose 救助发放 sheet declares no size and holds rows up to ``megabytes``."""
    import re

    from openpyxl import Workbook

    from redcross.importing import sheet_classes

    book = Workbook()
    book.active.title = "救助发放"
    spec = next(c for c in sheet_classes() if c.name == "救助发放")
    book.active.append([c.name for c in spec.columns])
    handle = io.BytesIO()
    book.save(handle)
    row = b'<row r="%d"><c r="A%d" s="0"/><c r="B%d" s="0"/></row>'  # styled, empty: blank rows
    rows, size, r = [], 0, 2
    while size < megabytes * 2**20:
        rows.append(row % (r, r, r))
        size += len(rows[-1])
        r += 1
    source, target = zipfile.ZipFile(handle), io.BytesIO()
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(rb"<dimension[^>]*>", b"", data)
                data = data.replace(b"</sheetData>", b"".join(rows) + b"</sheetData>")
            archive.writestr(item, data)
    return target, r - 2


def hostile(chapter, user):
    from django.conf import settings

    from redcross.importing import RefusedFile, TooManyRows, import_records

    def refuse(name, handle, **options):
        started = time.perf_counter()
        try:
            import_records(handle, chapter=chapter, user=user, dry_run=True, **options)
            answer = "NOT REFUSED"
        except RefusedFile as refusal:
            answer = str(refusal)
        except TooManyRows:
            answer = "handed to the worker (TooManyRows)"
        seconds = time.perf_counter() - started
        print(f"  {name} ({len(handle.getvalue()) / 1024:,.0f} KiB): {seconds:.3f}s  {answer}")

    refuse("5 KB, declares A1:XFD1048576", declared_everywhere())
    refuse("1 MB zip, 190 MB unpacked", unpacks_to(190))
    under_cap, rows = undeclared_rows(45)
    name = f"45 MB unpacked, {rows:,} rows, no declared size"
    refuse(f"{name}, in the request", under_cap, row_budget=settings.IMPORT_IMMEDIATE_ROWS)
    refuse(f"{name}, in the worker", under_cap)


def main(sizes):
    setup_django(scratch=True)
    from django.db import connection
    from scratch import empty_books

    from redcross.importing import import_undo
    from redcross.models import ImportBatch

    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    chapter, user = chapter_and_user()
    for n in sizes:
        empty_books()  # a fresh start: an undone import leaves its voided records behind
        connection.close()
        with tempfile.NamedTemporaryFile(suffix=".xlsx") as handle:
            write_workbook(handle.name, n)
            size = os.path.getsize(handle.name)
            f = measure(handle.name)
        check, imported = f["check"], f["import"]
        print(
            f"N={n:>7,} ({size / 2**20:.1f} MiB)  check {check['seconds']:5.1f}s ({check['queries']} queries)"
            f"  | import {imported['seconds']:5.1f}s, {f['rows'] / imported['seconds']:,.0f} rows/s, "
            f"{imported['queries']} queries  | peak {f['peak'] / 2**20:4.0f} MiB"
        )
        started = time.perf_counter()
        import_undo(ImportBatch.objects.get(pk=f["batch"]), user=user)
        print(f"           undo {time.perf_counter() - started:5.1f}s")
    print("hostile files:")
    hostile(chapter, user)


if __name__ == "__main__":
    if "--child" in sys.argv:
        child(sys.argv[sys.argv.index("--child") + 1])
    else:
        main([int(arg) for arg in sys.argv[1:] if arg.isdigit()] or [10_000])

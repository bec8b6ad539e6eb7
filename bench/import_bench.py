"""How fast a workbook comes in. Run on demand, never as a test:

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/redcross
    .venv/bin/python bench/import_bench.py 10000 50000

Works in the scratch database beside ``DATABASE_URL``'s (``test_<name>``). For each N it writes
a workbook of N rows (80 % relief payments to people with ID numbers, 20 % donations with receipt
numbers, into a drive and a fund the workbook defines), then prints the seconds spent reading the
file, checking it (a dry run), and importing it (checking again and creating every record), the
rows per second and the number of queries of the import; then undoes the batch. Goal (issue 6):
a 10,000-row workbook imports in seconds.
"""

import datetime
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "redcross.settings.local")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from openpyxl import Workbook  # noqa: E402

from redcross.idnumber import check_character  # noqa: E402

CODE = "990003"


def id_number(i):
    first17 = f"150525{datetime.date(1940, 1, 1) + datetime.timedelta(days=i % 20000):%Y%m%d}{i % 1000:03d}"
    return first17 + check_character(first17)


def write_workbook(path, n):
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


def main(sizes):
    from scratch import empty_books

    from redcross.importing import import_records, import_undo, read_workbook
    from redcross.models import Chapter, Membership

    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=True)
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    chapter, _ = Chapter.objects.get_or_create(
        code=CODE, defaults={"name": "导入基准红十字会", "level": "county"}
    )
    user, _ = get_user_model().objects.get_or_create(username="bench-importer")
    Membership.objects.get_or_create(user=user, chapter=chapter, defaults={"role": "admin"})
    for n in sizes:
        empty_books()  # a fresh start: an undone import leaves its voided records behind
        with tempfile.NamedTemporaryFile(suffix=".xlsx") as handle:
            write_workbook(handle.name, n)
            size = os.path.getsize(handle.name)
            with open(handle.name, "rb") as source:
                started = time.perf_counter()
                read_workbook(source)
                read = time.perf_counter() - started
                started = time.perf_counter()
                checked = import_records(source, chapter=chapter, user=user, dry_run=True)
                check = time.perf_counter() - started
                assert checked.ok, [str(p) for p in checked.problems[:5]]
                started = time.perf_counter()
                with CaptureQueriesContext(connection) as queries:
                    result = import_records(source, chapter=chapter, user=user, filename="bench.xlsx")
                full = time.perf_counter() - started
            assert result.imported
            rows = sum(result.counts.values())
            print(
                f"N={n:>7,} ({size / 2**20:.1f} MiB)  read {read:5.1f}s  | check (dry run) {check:5.1f}s  "
                f"| import {full:5.1f}s, {rows / full:,.0f} rows/s, {len(queries.captured_queries)} queries"
            )
            started = time.perf_counter()
            import_undo(result.batch, user=user)
            print(f"           undo {time.perf_counter() - started:5.1f}s")


if __name__ == "__main__":
    main([int(arg) for arg in sys.argv[1:] if arg.isdigit()] or [10_000])

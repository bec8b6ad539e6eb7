"""make backup / make restore: a backup restored into a scratch database holds the same books."""

import os
import subprocess
from pathlib import Path

import psycopg2
import pytest
from django.conf import settings
from django.db import connection

from aid.models import Disbursement

from .test_exports import generate_books

LEDGERS = {
    "donations_donation": "amount",
    "aid_disbursement": "cash_amount + in_kind_amount",
    "projects_expenditure": "amount",
    "donations_payout": "cash_amount + in_kind_amount",
    "aid_reliefday": "cash_amount + in_kind_amount",
    "donations_receipt": "0",
    "donations_fund": "0",
    "aid_beneficiary": "0",
    "aid_personyear": "0",
}


def url_of(name):
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"


def books_of(name):
    """Each ledger table's row count and sum, read straight from database ``name``."""
    with psycopg2.connect(url_of(name)) as conn, conn.cursor() as cursor:
        figures = {}
        for table, expression in LEDGERS.items():
            cursor.execute(f"SELECT count(*), coalesce(sum({expression}), 0) FROM {table}")  # noqa: S608
            figures[table] = cursor.fetchone()
    conn.close()
    return figures


def admin_execute(sql):
    conn = psycopg2.connect(url_of("postgres"))
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute(sql)
    conn.close()


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="pg_dump and pg_restore: CI runs it on PostgreSQL"
)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_backup_restored_into_a_scratch_database_holds_the_same_books(tree, tmp_path):
    generate_books(tree)
    name = connection.settings_dict["NAME"]
    scratch = f"{name}_restore"
    dump = tmp_path / "books.dump"
    env = {**os.environ, "DATABASE_URL": url_of(name)}
    make = ["make", "-s", "-C", str(Path(settings.BASE_DIR))]
    backup = subprocess.run([*make, "backup", f"FILE={dump}"], env=env, capture_output=True, text=True)
    assert backup.returncode == 0, backup.stderr
    assert f"备份已写入 {dump}" in backup.stdout
    admin_execute(f'DROP DATABASE IF EXISTS "{scratch}"')
    admin_execute(f'CREATE DATABASE "{scratch}"')
    try:
        env["DATABASE_URL"] = url_of(scratch)
        restore = subprocess.run([*make, "restore", f"FILE={dump}"], env=env, capture_output=True, text=True)
        assert restore.returncode == 0, restore.stderr
        original, restored = books_of(name), books_of(scratch)
        assert restored == original
        # Every row, voided, pending and reversals (冲销) included: 120 generated, 2 reversals a chapter.
        assert original["aid_disbursement"][0] == Disbursement.all_objects.count() == 126
        assert original["donations_donation"][1] > 0
    finally:
        admin_execute(f'DROP DATABASE IF EXISTS "{scratch}"')


def test_restore_refuses_a_file_that_is_not_there(tmp_path):
    result = subprocess.run(
        ["scripts/backup.sh", "restore", str(tmp_path / "none.dump")],
        cwd=settings.BASE_DIR,
        env={**os.environ, "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/nothing"},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2
    assert "usage: scripts/backup.sh restore FILE" in result.stderr

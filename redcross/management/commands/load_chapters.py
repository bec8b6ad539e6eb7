"""python manage.py load_chapters FILE.csv [--admins ADMINS.csv]

Loads chapters from a CSV of administrative division codes: code, name, parent code (UTF-8, with
or without BOM; the header row is optional; rows in any order). See ``redcross.divisions``.

Idempotent: a chapter already held is renamed (or moved) to what the file says, never duplicated.
Each new chapter gets its first administrator, ``admin-CODE``, whose generated password is written
to --admins (required when a chapter is created; never an existing file; readable by its owner
only) and nowhere else. On any error every problem is printed with its line, nothing is saved,
and the exit status is 1.
"""

import csv
import os
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from redcross.divisions import DivisionErrors, divisions_check, divisions_read
from redcross.history import history_context
from redcross.models import Chapter
from redcross.services import chapters_load


class Command(BaseCommand):
    help = "Loads chapters from a CSV of division codes (code, name, parent code), with first administrators."

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV: code, name, parent code")
        parser.add_argument(
            "--admins",
            default="",
            help="where to write the new chapters' first administrators and their one-time passwords (CSV)",
        )

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"文件不存在：{path}")
        try:
            rows = divisions_read(path.read_bytes())
            # Checked here first so that a faulty file is reported before anything else is asked;
            # ``chapters_load`` checks again against the chapters it locks.
            divisions_check(
                rows,
                {
                    c.code: (c.parent.code if c.parent else "")
                    for c in Chapter.objects.select_related("parent")
                },
            )
        except DivisionErrors as errors:
            self.fail(errors)
        new = sorted(set(row.code for row in rows) - set(Chapter.objects.values_list("code", flat=True)))
        admins_path = Path(options["admins"]) if options["admins"] else None
        if new and admins_path is None:
            raise CommandError(
                f"将新建 {len(new)} 个红十字会及其首位管理员：请用 --admins 文件.csv 指定保存其初始密码的文件"
            )
        if admins_path is not None and not admins_path.parent.is_dir():
            raise CommandError(f"目录不存在：{admins_path.parent}")
        if admins_path is not None and admins_path.exists():
            raise CommandError(f"{admins_path} 已存在：初始密码不覆盖已有文件，请换一个文件名")
        try:
            with history_context(None, f"load_chapters {path.name}"), transaction.atomic():
                created, updated, admins = chapters_load(rows=rows)
                if admins:
                    # Written inside the transaction: if the file cannot be written, no
                    # administrator exists whose password nobody knows.
                    self.write_admins(admins_path, admins)
        except DivisionErrors as errors:
            self.fail(errors)
        self.stdout.write(
            f"新建 {len(created)} 个红十字会，更新 {len(updated)} 个，"
            f"其余 {len(rows) - len(created) - len(updated)} 个未变"
        )
        if admins:
            self.stdout.write(
                f"{len(admins)} 位首位管理员的用户名和初始密码已写入 {admins_path}（仅本人可读）"
            )

    def fail(self, errors):
        for problem in errors.problems:
            self.stdout.write(problem)
        raise CommandError(f"{len(errors.problems)} 处错误，未保存任何红十字会", returncode=1)

    def write_admins(self, path, admins):
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["代码", "红十字会", "用户名", "初始密码"])
            writer.writerows(admins)

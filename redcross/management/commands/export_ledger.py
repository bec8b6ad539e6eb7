"""python manage.py export_ledger --chapter CODE --ledger donations|disbursements|expenditures|funds|goods
--from DATE --to DATE --output FILE.xlsx [--user USERNAME]"""

import datetime
import os
import sys
import time
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from redcross.access import Access, CommandAccess
from redcross.excel import MONEY
from redcross.exports import LEDGERS, export_class, maker_name
from redcross.models import Chapter
from redcross.services import export_write


def _date(value):
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"日期“{value}”无效，应为 YYYY-MM-DD") from None


class Command(BaseCommand):
    help = "Writes a chapter's ledger for a period to an Excel file, as the ledgers page does."

    def add_arguments(self, parser):
        parser.add_argument(
            "--chapter", required=True, help="the chapter's 6-digit code (with those below it)"
        )
        parser.add_argument("--ledger", required=True, choices=LEDGERS)
        parser.add_argument("--from", dest="start", required=True, help="first day, YYYY-MM-DD")
        parser.add_argument("--to", dest="end", required=True, help="last day, YYYY-MM-DD")
        parser.add_argument("--output", required=True, help="the .xlsx file to write")
        parser.add_argument(
            "--user",
            default="",
            help="write it as this user may see it (their chapters; full ID numbers where their role "
            "allows). Without it: the chapter as an auditor reads it, personal data masked.",
        )

    def handle(self, *args, **options):
        try:
            chapter = Chapter.objects.get(code=options["chapter"])
        except Chapter.DoesNotExist:
            raise CommandError(f"没有行政区划代码为 {options['chapter']} 的红十字会") from None
        start, end = _date(options["start"]), _date(options["end"])
        if start > end:
            raise CommandError("--from 不能晚于 --to")
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"没有用户 {options['user']}")
            access = Access(user)
            if not access.can_read(chapter):
                raise CommandError(f"用户 {user.username} 无权查阅{chapter.name}")
            made_by = maker_name(user)
        else:
            access = CommandAccess(chapter)
            made_by = f"命令行（{_operator()}）"
        export = export_class(options["ledger"])(access)
        params = {"chapter": chapter.pk, "date_after": start.isoformat(), "date_before": end.isoformat()}
        output = Path(options["output"])
        partial = output.with_name(f".{output.name}.partial")
        started = time.monotonic()

        def progress(rows):
            self.stderr.write(f"已写入 {rows:,} 行（{time.monotonic() - started:.0f} 秒）")

        try:
            written = export_write(export, params, partial, made_by=made_by, progress=progress)
        except ValidationError as error:
            partial.unlink(missing_ok=True)
            raise CommandError("；".join(error.messages)) from None
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        os.replace(partial, output)  # never a half-written file under the name asked for
        sums = "，".join(
            f"{export.columns[i].header} {value:,.2f}" if export.columns[i].kind == MONEY else
            f"{export.columns[i].header} {value:,}"
            for i, value in written.totals.items()
        )  # fmt: skip
        self.stdout.write(
            f"{chapter.name} {export.title} {start} 至 {end}：{written.rows:,} 行；合计：{sums} → {output}"
        )


def _operator():
    try:
        return os.getlogin()
    except OSError:
        return os.environ.get("USER") or str(os.getuid()) if hasattr(os, "getuid") else sys.platform

"""python manage.py import_records FILE.xlsx --chapter CODE [--dry-run] [--user USERNAME]

Exit status 0 only when everything was imported (or, with --dry-run, would be); otherwise
nothing is saved and every error is printed as ``工作表 行号 列名: 原因``, one a line.
"""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from redcross.access import Access
from redcross.choices import Role
from redcross.importing import RefusedFile, import_records
from redcross.models import Chapter, Membership


class Command(BaseCommand):
    help = "Imports a workbook of records into a chapter, all or nothing."

    def add_arguments(self, parser):
        parser.add_argument("file", help="the .xlsx workbook (DESIGN.md, Import workbook)")
        parser.add_argument("--chapter", required=True, help="the chapter's 6-digit code")
        parser.add_argument("--dry-run", action="store_true", help="check everything, save nothing")
        parser.add_argument(
            "--user",
            default="",
            help="who the records are entered by (staff or administrator of the chapter); "
            "default: the chapter's first administrator",
        )

    def handle(self, *args, **options):
        chapter = Chapter.objects.filter(code=options["chapter"]).first()
        if chapter is None:
            raise CommandError(f"没有行政区划代码为 {options['chapter']} 的红十字会")
        user = self._user(options["user"], chapter)
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"文件不存在：{path}")
        with path.open("rb") as handle:
            try:
                result = import_records(
                    handle, chapter=chapter, user=user, filename=path.name, dry_run=options["dry_run"]
                )
            except RefusedFile as refusal:
                raise CommandError(f"{path.name}: {refusal}") from None
        if result.already is not None:
            batch = result.already
            when = timezone.localtime(batch.imported_at)
            self.stdout.write(
                f"该文件已于 {when:%Y-%m-%d %H:%M} 导入（第 {batch.pk} 批，{batch.user}），本次未创建任何记录"
            )
            return
        for notice in result.notices:
            self.stderr.write(notice)
        for warning in result.warnings:
            self.stderr.write(warning)
        if result.problems:
            for problem in result.problems:
                self.stdout.write(str(problem))
            raise CommandError(f"{len(result.problems)} 处错误，未导入任何记录", returncode=1)
        counts = "，".join(f"{sheet} {count} 条" for sheet, count in result.counts.items())
        if options["dry_run"]:
            self.stdout.write(f"检查通过（未保存）：{counts or '没有记录'}")
        else:
            self.stdout.write(f"已导入第 {result.batch.pk} 批：{counts or '没有记录'}")

    def _user(self, username, chapter):
        if username:
            user = get_user_model().objects.filter(username=username).first()
            if user is None:
                raise CommandError(f"没有用户 {username}")
        else:
            membership = (
                Membership.objects.filter(chapter=chapter, role=Role.ADMIN).select_related("user").first()
                or Membership.objects.filter(chapter=chapter, role=Role.STAFF).select_related("user").first()
            )
            if membership is None:
                raise CommandError(f"{chapter.name}没有系统管理员或工作人员，请用 --user 指定录入人")
            user = membership.user
        if not Access(user).can_write(chapter):
            raise CommandError(f"用户 {user.username} 不是{chapter.name}的工作人员或系统管理员")
        return user

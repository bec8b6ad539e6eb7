"""python manage.py import_template FILE.xlsx [--chapter CODE]"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from redcross.import_template import build_template
from redcross.models import Chapter


class Command(BaseCommand):
    help = "Writes the blank import workbook (the sheets and headers of DESIGN.md, with drop-downs)."

    def add_arguments(self, parser):
        parser.add_argument("output", help="the .xlsx file to write")
        parser.add_argument(
            "--chapter", default="", help="offer this chapter's funds, drives and projects in the drop-downs"
        )

    def handle(self, *args, **options):
        chapter = None
        if options["chapter"]:
            chapter = Chapter.objects.filter(code=options["chapter"]).first()
            if chapter is None:
                raise CommandError(f"没有行政区划代码为 {options['chapter']} 的红十字会")
        output = Path(options["output"])
        build_template(output, chapter=chapter)
        self.stdout.write(f"导入模板 → {output}")

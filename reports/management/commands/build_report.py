"""python manage.py build_report --chapter CODE --period 2024|2024H1 --output FILE.pdf [--published]"""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from redcross.models import Chapter
from reports.models import Report
from reports.periods import Period
from reports.services import report_open, report_pdf


class Command(BaseCommand):
    help = "Builds a chapter's work report for a period as PDF: the draft, or the latest published version."

    def add_arguments(self, parser):
        parser.add_argument("--chapter", required=True, help="the chapter's 6-digit code, e.g. 150525")
        parser.add_argument("--period", required=True, help="a year (2024) or its first half (2024H1)")
        parser.add_argument("--output", required=True, help="the PDF file to write")
        parser.add_argument(
            "--published", action="store_true", help="the latest published version instead of the draft"
        )
        parser.add_argument(
            "--site-url", default="", help="the address figures link to (default: the SITE_URL setting)"
        )

    def handle(self, *args, **options):
        try:
            chapter = Chapter.objects.get(code=options["chapter"])
        except Chapter.DoesNotExist:
            raise CommandError(f"没有代码为 {options['chapter']} 的红十字会") from None
        try:
            period = Period.parse(options["period"])
        except ValidationError as error:
            raise CommandError(error.messages[0]) from None
        if options["published"]:
            report = Report.objects.filter(chapter=chapter, year=period.year, kind=period.kind).first()
            publication = report and report.publications.order_by("-version").first()
            if publication is None:
                raise CommandError(f"{period.title(chapter)}尚未发布")
            pdf = bytes(publication.pdf)
            what = f"{publication.title}（第{publication.version}版，已发布）"
        else:
            report = report_open(chapter=chapter, period=period)
            pdf = report_pdf(report, link_base=options["site_url"].rstrip("/"))
            what = f"{period.title(chapter)}（草稿）"
        output = Path(options["output"])
        output.write_bytes(pdf)
        self.stdout.write(f"{what} → {output}（{len(pdf)} 字节）")

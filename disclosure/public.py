"""The public pages (no login): what a chapter published, each version as it was stored, its
lists as Excel, the work reports' PDFs as published, and the donor lookup.

A published page is served as stored, never computed again, and may be cached by anyone in
between (``Cache-Control: public``) for a few minutes: a spike of public interest reads a row or
two and cannot slow the staff's pages."""

import re

from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import cache_control, never_cache
from django.views.generic import TemplateView

from redcross.models import Chapter
from redcross.security import client_ip
from reports.models import Publication

from .exports import section_workbook, xlsx_response
from .forms import LookupForm
from .models import DisclosureVersion
from .selectors import (
    gift_answer,
    gift_by_receipt,
    lookup_failed,
    lookup_locked,
    published_list,
    published_reports,
)

CODE_RE = re.compile(r"[0-9]{6}")
CACHED = cache_control(public=True, max_age=300)


def chapter_or_404(code):
    if not CODE_RE.fullmatch(code):
        raise Http404
    chapter = Chapter.objects.filter(code=code).first()
    if chapter is None:
        raise Http404
    return chapter


@method_decorator([login_not_required, CACHED], name="dispatch")
class ChapterView(TemplateView):
    """What chapter CODE has published: its disclosures (each version, saying which were
    corrected) and its work reports."""

    template_name = "disclosure/public_chapter.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        chapter = chapter_or_404(kwargs["code"])
        versions = published_list(chapter)
        context.update(
            chapter=chapter,
            current=[v for v in versions if v.newest.pk == v.pk],
            earlier=[v for v in versions if v.newest.pk != v.pk],
            reports=published_reports(chapter),
        )
        return context


def version_or_404(code, pk):
    if not CODE_RE.fullmatch(code):
        raise Http404
    version = (
        DisclosureVersion.objects.filter(chapter__code=code, pk=pk)
        .select_related("chapter", "corrected_by")
        .defer("corrected_by__content", "corrected_by__html")
        .first()
    )
    if version is None:
        raise Http404
    return version


@method_decorator([login_not_required, CACHED], name="dispatch")
class VersionView(TemplateView):
    """One published version, its page as stored (two queries: the version, and the newest of
    its disclosure)."""

    template_name = "disclosure/public_version.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        version = version_or_404(kwargs["code"], kwargs["pk"])
        newest = (
            DisclosureVersion.objects.filter(disclosure=version.disclosure_id)
            .order_by("-version")
            .values("pk", "version")
            .first()
        )
        context.update(version=version, chapter=version.chapter, newest=newest)
        return context


@method_decorator([login_not_required, CACHED], name="dispatch")
class VersionExcelView(View):
    """A list of a published version as Excel, written from its stored lines."""

    def get(self, request, code, pk, key):
        version = version_or_404(code, pk)
        meta = [
            (_("版本"), _("第%(n)s版") % {"n": version.version}),
            (_("发布时间"), timezone.localtime(version.published_at).strftime("%Y-%m-%d %H:%M")),
            (_("校验值（SHA-256）"), version.sha256),
        ]
        data = section_workbook(version.content, key, meta=meta)
        if data is None:
            raise Http404
        return xlsx_response(data, f"{code}-{version.pk}-v{version.version}-{key}.xlsx")


@method_decorator([login_not_required, CACHED], name="dispatch")
class ReportPdfView(View):
    """A published work report's PDF exactly as it was published."""

    def get(self, request, code, pk):
        if not CODE_RE.fullmatch(code):
            raise Http404
        publication = (
            Publication.objects.filter(report__chapter__code=code, pk=pk)
            .select_related("report__chapter")
            .first()
        )
        if publication is None:
            raise Http404
        response = HttpResponse(bytes(publication.pdf), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{publication.filename}"'
        response["X-Checksum-SHA256"] = publication.sha256
        return response


@method_decorator([login_not_required, never_cache], name="dispatch")
class LookupView(TemplateView):
    """A donor's lookup: receipt number and name give that gift, its receipt and the published
    use of what it went into. A wrong pair, a receipt that does not exist and a malformed entry
    get one answer, by one path; ``AXES_FAILURE_LIMIT`` misses from an address lock it out for
    ``AXES_COOLOFF_TIME``, as the login does."""

    template_name = "disclosure/public_lookup.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["chapter"] = self.chapter
        context.setdefault("form", LookupForm())
        return context

    def dispatch(self, request, *args, **kwargs):
        self.chapter = chapter_or_404(kwargs["code"])
        return super().dispatch(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        address = client_ip(request)
        if lookup_locked(address):
            return self.render_to_response(self.get_context_data(locked=True), status=429)
        form = LookupForm(request.POST)
        number = (
            form.data.get("receipt", "")[:50].strip() if isinstance(form.data.get("receipt"), str) else ""
        )
        name = form.data.get("name", "")[:200] if isinstance(form.data.get("name"), str) else ""
        valid = form.is_valid()
        receipt = gift_by_receipt(self.chapter, number.replace("\x00", ""), name.replace("\x00", ""))
        if receipt is None or not valid:
            lookup_failed(address)
            return self.render_to_response(self.get_context_data(form=LookupForm(), missed=True))
        return self.render_to_response(self.get_context_data(form=LookupForm(), answer=gift_answer(receipt)))

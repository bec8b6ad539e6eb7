"""Staff pages of disclosures: the chapter's disclosures and what is due, preparing one, its
preview exactly as the public will read it, publishing (leaders), the restricted gifts to report
back to their donors, and a donor's statement as PDF."""

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Max
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from donations.models import Donation, Donor
from redcross.views.base import add_service_errors
from redcross.views.generic import AccessMixin, ChapterPageMixin

from .checks import publish_problems
from .choices import DisclosureKind
from .exports import section_workbook, xlsx_response
from .forms import DraftForm, FeedbackForm, PrepareForm, StatementForm
from .models import Disclosure
from .selectors import disclosures_due, donor_statement, due_context, restricted_gifts
from .services import (
    disclosure_prepare,
    disclosure_publish,
    disclosure_update,
    draft_content,
    feedback_record,
    public_language,
    render_content,
)


class DisclosureListView(ChapterPageMixin, TemplateView):
    """The chapter's disclosures with their last version, and what is due."""

    template_name = "disclosure/disclosure_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        chapter = self.get_chapter()
        context["chapter"] = chapter
        if chapter is None:
            return context
        disclosures = (
            Disclosure.objects.filter(chapter=chapter)
            .select_related("drive", "project")
            .annotate(versions_count=Count("versions"), last_published=Max("versions__published_at"))
            .order_by("-as_of", "pk")
        )
        context.update(
            chapters=self.access.readable_chapters(),
            disclosures=disclosures,
            due_context=due_context(disclosures_due([chapter])),
            can_edit=self.access.can_edit_reports(chapter),
        )
        return context


class DisclosurePrepareView(ChapterPageMixin, TemplateView):
    """Prepares the chapter's disclosure of a drive, a project or a period (or opens the one
    already prepared, its cut-off day moved)."""

    template_name = "disclosure/prepare.html"

    def dispatch(self, request, *args, **kwargs):
        self.chapter = self.get_chapter()
        if self.chapter is None or not self.access.can_edit_reports(self.chapter):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        if form is None:
            initial = {"kind": self.request.GET.get("kind", DisclosureKind.DRIVE)}
            for name in ("drive", "project"):
                if (value := self.request.GET.get(name, "")).isdigit() and len(value) < 18:
                    initial[name] = int(value)
            form = PrepareForm(initial=initial, chapter=self.chapter)
        context.update(form=form, chapter=self.chapter)
        return context

    def post(self, request, *args, **kwargs):
        form = PrepareForm(request.POST, chapter=self.chapter)
        if form.is_valid():
            try:
                disclosure = disclosure_prepare(chapter=self.chapter, user=request.user, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                return redirect(disclosure)
        return self.render_to_response(self.get_context_data(form=form), status=400)


class DisclosureMixin(AccessMixin):
    def dispatch(self, request, *args, **kwargs):
        self.disclosure = get_object_or_404(
            Disclosure.objects.select_related("chapter", "drive__fund", "project__kind"), pk=kwargs["pk"]
        )
        self.access.require_read(self.disclosure.chapter)
        return super().dispatch(request, *args, **kwargs)


class DisclosureDetailView(DisclosureMixin, TemplateView):
    """The draft as the public will read it (computed now), its settings, and its versions."""

    template_name = "disclosure/disclosure_detail.html"

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        disclosure = self.disclosure
        content = draft_content(disclosure)
        versions = list(disclosure.versions.defer("content", "html").order_by("-version"))
        previous = disclosure.versions.order_by("-version").values_list("content", flat=True).first()
        chapter = disclosure.chapter
        context.update(
            disclosure=disclosure,
            preview=render_content(content),
            problems=publish_problems(content, previous, disclosure.correction_note),
            versions=versions,
            form=form
            or DraftForm(
                initial={
                    "as_of": disclosure.as_of,
                    "township_shown": disclosure.township_shown,
                    "correction_note": disclosure.correction_note,
                }
            ),
            can_edit=self.access.can_edit_reports(chapter),
            can_publish=self.access.can_publish_reports(chapter),
        )
        return context

    def post(self, request, *args, **kwargs):
        if not self.access.can_edit_reports(self.disclosure.chapter):
            raise PermissionDenied
        form = DraftForm(request.POST)
        if form.is_valid():
            try:
                disclosure_update(disclosure=self.disclosure, user=request.user, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("已保存"))
                return redirect(self.disclosure)
        return self.render_to_response(self.get_context_data(form=form), status=400)


class DisclosurePublishView(DisclosureMixin, View):
    """A leader of the chapter publishes the draft as its next version (POST only)."""

    def post(self, request, *args, **kwargs):
        if not self.access.can_publish_reports(self.disclosure.chapter):
            raise PermissionDenied
        if not request.POST.get("confirm"):
            messages.error(request, _("请勾选确认后再发布"))
            return redirect(self.disclosure)
        try:
            version = disclosure_publish(disclosure=self.disclosure, user=request.user)
        except ValidationError as error:
            messages.error(request, error.messages[0])
            return redirect(self.disclosure)
        messages.success(
            request,
            _("已发布第%(version)s版，校验值 %(sha)s")
            % {"version": version.version, "sha": version.sha256[:16]},
        )
        return redirect(self.disclosure)


class DraftExcelView(DisclosureMixin, View):
    """A list of the draft as Excel, computed now."""

    def get(self, request, *args, **kwargs):
        data = section_workbook(
            draft_content(self.disclosure), kwargs["key"], meta=[(_("状态"), _("草稿，未发布"))]
        )
        if data is None:
            raise Http404
        return xlsx_response(data, f"{self.disclosure.chapter.code}-draft-{kwargs['key']}.xlsx")


class FeedbackListView(ChapterPageMixin, TemplateView):
    """Restricted gifts whose use was not yet reported back to their donor (反馈), or, with
    ``?reported=1``, those reported, with the day."""

    template_name = "disclosure/feedback_list.html"
    LIMIT = 200

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        chapter = self.get_chapter()
        reported = self.request.GET.get("reported") == "1"
        gifts = restricted_gifts([chapter], reported=reported) if chapter else []
        context.update(
            chapter=chapter,
            chapters=self.access.readable_chapters(),
            reported=reported,
            gifts=list(gifts[: self.LIMIT]) if chapter else [],
            limit=self.LIMIT,
            can_write=chapter is not None and self.access.can_write(chapter),
            today=datetime.date.today(),
        )
        return context


class FeedbackRecordView(AccessMixin, View):
    """Records that a restricted gift's use was reported back to its donor (POST)."""

    def post(self, request, pk):
        donation = get_object_or_404(Donation.objects.select_related("chapter", "fund"), pk=pk)
        self.access.require_read(donation.chapter)
        self.access.require_write(donation.chapter)
        form = FeedbackForm(request.POST)
        back = f"{reverse('disclosure:feedback-list')}?chapter={donation.chapter.code}"
        if not form.is_valid():
            messages.error(
                request,
                "；".join(
                    f"{form.fields[name].label}：{e}" for name, errors in form.errors.items() for e in errors
                ),
            )
            return redirect(back)
        try:
            feedback_record(donation=donation, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, error.messages[0])
            return redirect(back)
        messages.success(request, _("已登记反馈"))
        return redirect(back)


class DonorStatementView(AccessMixin, TemplateView):
    """A donor's statement over a period: the form, and with ``start`` and ``end`` the PDF."""

    template_name = "disclosure/statement_form.html"

    def dispatch(self, request, *args, **kwargs):
        self.donor = get_object_or_404(Donor.objects.select_related("chapter"), pk=kwargs["pk"])
        self.access.require_read(self.donor.chapter)
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        if "start" not in request.GET:
            year = datetime.date.today().year
            form = StatementForm(initial={"start": datetime.date(year, 1, 1), "end": datetime.date.today()})
            return self.render_to_response(self.get_context_data(form=form, donor=self.donor))
        form = StatementForm(request.GET)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form, donor=self.donor), status=400)
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
        pdf = statement_pdf(self.donor, start, end)
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = (
            f'attachment; filename="statement-{self.donor.pk}-{start}-{end}.pdf"'
        )
        return response


def statement_pdf(donor, start, end):
    from django.template.loader import render_to_string

    from reports.pdf import html_to_pdf

    with public_language():
        data = donor_statement(donor, start, end)
        html = render_to_string(
            "disclosure/statement_pdf.html",
            {
                "donor": donor,
                "chapter": donor.chapter,
                "start": start,
                "end": end,
                "issued": datetime.date.today(),
                **data,
            },
        )
    return html_to_pdf(html)

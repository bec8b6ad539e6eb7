"""Work report pages: the reports of a chapter, a report with its live figures, editing a section,
publishing, and the PDFs of the draft and of every published version."""

import datetime

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from redcross.params import chapter_code_param
from redcross.views.generic import AccessMixin, ChapterPageMixin
from training.forms import target_field
from training.models import Target, TrainingKind

from .checklist import publish_checklist
from .choices import ReportKind
from .drafts import section_draft, section_gaps
from .figures import report_data
from .models import Publication, Report
from .periods import Period
from .picker import picker_entries
from .rendering import figures_from_json, render_section_preview
from .services import (
    live_context,
    living_sections,
    plan_targets_set,
    report_language,
    report_open,
    report_pdf,
    report_publish,
    section_for_edit,
    section_restore,
    section_update,
)
from .text import tokens_in


def site_root(request):
    """The absolute address figures in a PDF link to."""
    return request.build_absolute_uri("/").rstrip("/")


def pdf_response(pdf, filename):
    response = HttpResponse(bytes(pdf), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class ReportListView(ChapterPageMixin, TemplateView):
    """The chapter's reports, drafts and published versions, and a form to open one for a period."""

    template_name = "reports/report_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        chapter = self.get_chapter()
        context["chapter"] = chapter
        if chapter is None:
            return context
        this_year = timezone.localdate().year
        periods = []
        for year in range(this_year, this_year - 11, -1):
            periods += [Period(year, ReportKind.YEAR), Period(year, ReportKind.H1)]
        context.update(
            chapters=self.access.readable_chapters(),
            reports=Report.objects.filter(chapter=chapter)
            .select_related("chapter")
            .prefetch_related("publications"),
            periods=periods,
            can_edit=self.access.can_edit_reports(chapter),
        )
        return context


class ReportOpenView(AccessMixin, View):
    """Opens the chapter's report for a period, filling in a new draft from the records."""

    def post(self, request):
        code = chapter_code_param(request.POST.get("chapter"))
        chapter = self.access.readable_chapters().filter(code=code).first() if code else None
        if chapter is None:
            raise Http404
        if not self.access.can_edit_reports(chapter):
            raise PermissionDenied
        try:
            period = Period.parse(request.POST.get("period"))
        except ValidationError as error:
            messages.error(request, error.messages[0])
            return redirect(f"{reverse('reports:report-list')}?chapter={chapter.code}")
        report = report_open(chapter=chapter, period=period, user=request.user)
        return redirect("reports:report-detail", report.pk)


class ReportMixin(AccessMixin):
    """A view of one report the user may read; ``self.report``."""

    def dispatch(self, request, *args, **kwargs):
        self.report = get_object_or_404(Report.objects.select_related("chapter"), pk=kwargs["pk"])
        self.access.require_read(self.report.chapter)
        return super().dispatch(request, *args, **kwargs)

    def require_edit(self):
        if not self.access.can_edit_reports(self.report.chapter):
            raise PermissionDenied


class ReportDetailView(ReportMixin, TemplateView):
    template_name = "reports/report_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        report = self.report
        rendered, data = live_context(report, editor=True)
        publications = list(report.publications.select_related("published_by").order_by("-version"))
        context.update(
            rendered,
            report=report,
            publications=publications,
            changes=figure_changes(publications[0], data) if publications else [],
            can_edit=self.access.can_edit_reports(report.chapter),
            can_publish=self.access.can_publish_reports(report.chapter),
        )
        return context


def figure_changes(publication, data):
    """The figures the records now give differently from what ``publication`` said."""
    frozen = figures_from_json(publication.figures)
    changes = []
    for key in list(frozen) + [k for k in data.figures if k not in frozen]:
        then, now = frozen.get(key), data.figures.get(key)
        if then is not None and now is not None and then.text == now.text:
            continue
        if key.endswith(".name") and then is not None and now is not None:
            continue
        figure = now or then
        changes.append(
            {
                "label": figure.label,
                "key": key,
                "then": then.text if then else _("（无）"),
                "now": now.text if now else _("（无）"),
                "url": figure.url,
            }
        )
    return changes


class SectionForm(forms.Form):
    heading = forms.CharField(label=gettext_lazy("标题"), max_length=200)
    body = forms.CharField(
        label=gettext_lazy("正文"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text=gettext_lazy(
            "每段一行。数字从“可用数字”中点选插入，显示时按记录填入当前数值，发布时冻结。"
        ),
    )

    def __init__(self, *args, plan_kinds=None, plan_targets=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.plan_kinds = plan_kinds or []
        for kind in self.plan_kinds:
            self.fields[f"target_{kind.pk}"] = target_field(
                _("%(kind)s目标（人次）") % {"kind": kind.name}, (plan_targets or {}).get(kind.pk)
            )

    def targets(self):
        return {kind: self.cleaned_data.get(f"target_{kind.pk}") or 0 for kind in self.plan_kinds}

    def target_fields(self):
        return [self[f"target_{kind.pk}"] for kind in self.plan_kinds]


class SectionUpdateView(ReportMixin, TemplateView):
    """Edits one section: its heading and its text, whose figures the editor (report_editor.js)
    shows as what they read now; a picker offers the section's own figures, and the preview shows
    the section as the PDF prints it. Without scripts the text is the token form in a textarea."""

    template_name = "reports/section_form.html"

    def get_section(self):
        section = section_for_edit(self.report, self.kwargs["key"], self.data())
        if section is None:
            raise Http404
        # The section as it reads now: a generated one has the text written from the records.
        with report_language():
            living = {s.key: s for s in living_sections(self.report, self.data(), [section])}
        self.living = living.get(section.key, section)
        self.draft = getattr(self.living, "draft", None)
        return section

    def make_form(self, data=None):
        self.section = self.get_section()
        kwargs = {"initial": {"heading": self.section.heading, "body": self.living.body}}
        if self.section.key == "plan":
            kwargs["plan_kinds"] = list(TrainingKind.objects.filter(is_active=True))
            kwargs["plan_targets"] = dict(
                Target.objects.filter(
                    chapter=self.report.chapter, year=self.report.period.plan_year
                ).values_list("kind", "person_times")
            )
        return SectionForm(data, **kwargs)

    def get(self, request, *args, **kwargs):
        self.require_edit()
        return self.render_to_response(self.get_context_data(form=self.make_form()))

    def post(self, request, *args, **kwargs):
        self.require_edit()
        form = self.make_form(request.POST)
        action = request.POST.get("action", "save")
        if action == "restore":
            try:
                section_restore(section=self.section, user=request.user)
            except ValidationError as error:
                messages.error(request, error.messages[0])
            else:
                messages.success(request, _("已恢复为按记录生成的文字"))
            if request.POST.get("back") == "report":
                return redirect(
                    f"{reverse('reports:report-detail', args=[self.report.pk])}#section-{self.section.key}"
                )
            return redirect(f"{reverse('reports:section-update', args=[self.report.pk, self.section.key])}")
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        data = self.data()
        if action == "preview":
            return self.render_to_response(self.get_context_data(form=form))
        try:
            # The targets and the text are saved together or not at all.
            with transaction.atomic():
                if form.plan_kinds:
                    plan_targets_set(report=self.report, user=request.user, targets=form.targets())
                    data = self.data(fresh=True)
                with report_language():
                    draft = section_draft(data, self.section.key)
                section_update(
                    section=self.section,
                    user=request.user,
                    heading=form.cleaned_data["heading"],
                    body=form.cleaned_data["body"],
                    figures=data.figures,
                    draft=draft,
                )
        except ValidationError as error:
            self.data(fresh=True)  # the figures as the records stand, the targets rolled back
            for field, errors in error.message_dict.items():
                for message in errors:
                    form.add_error(field if field in form.fields else None, message)
            return self.render_to_response(self.get_context_data(form=form))
        messages.success(request, _("已保存“%(heading)s”") % {"heading": self.section.heading})
        return redirect(
            f"{reverse('reports:report-detail', args=[self.report.pk])}#section-{self.section.key}"
        )

    def data(self, fresh=False):
        if fresh or not hasattr(self, "_data"):
            with report_language():
                self._data = report_data(self.report.chapter, self.report.period)
        return self._data

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        data = self.data()
        form = kwargs["form"]
        heading, body = self.section.heading, self.living.body
        if form.is_bound:
            heading = form.data.get("heading", "").strip() or heading
            body = form.data.get("body", "")
        used = set(tokens_in(body))
        show_all = self.request.GET.get("figures") == "all"
        context.update(
            report=self.report,
            section=self.section,
            preview=section_preview(self.report, self.section, heading, body, data),
            entries=[
                {"figure": figure, "own": own, "used": figure.key in used}
                for figure, own in picker_entries(self.section.key, data.figures)
            ],
            show_all=show_all,
            chips={key: {"text": f.text, "label": f.label} for key, f in data.figures.items()},
            can_restore=self.section.edited and bool(self.draft and (self.draft.body or self.draft.subjects)),
            gaps=section_gaps(body, self.draft) if self.section.edited or form.is_bound else [],
        )
        return context


def section_preview(report, section, heading, body, data):
    """The section as the PDF prints it, with ``heading`` and ``body`` as typed."""
    with report_language():
        return render_section_preview(
            living_sections(report, data),
            section.key,
            heading=heading,
            body=body,
            figures=data.figures,
            tables=data.tables(),
        )


class SectionPreviewView(ReportMixin, View):
    """The section as the PDF will print it, for the editor to show without reloading: an HTML
    fragment of the wording posted (nothing is saved)."""

    def post(self, request, *args, **kwargs):
        if not self.access.can_edit_reports(self.report.chapter):
            raise PermissionDenied
        section = get_object_or_404(self.report.sections, key=kwargs["key"])
        with report_language():
            data = report_data(self.report.chapter, self.report.period)
        heading = request.POST.get("heading", "").strip()[:200] or section.heading
        preview = section_preview(self.report, section, heading, request.POST.get("body", ""), data)
        return render(request, "reports/section_preview.html", {"preview": preview})


class ReportPublishView(ReportMixin, TemplateView):
    """Publishing freezes a version for good, so it goes through a confirmation page (GET) that
    says which version it will be and lists what should be looked at first; only a POST carrying
    ``confirm`` publishes."""

    template_name = "reports/publish_confirm.html"

    def require_publish(self):
        if not self.access.can_publish_reports(self.report.chapter):
            raise PermissionDenied

    def get(self, request, *args, **kwargs):
        self.require_publish()
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        report = self.report
        rendered, data = live_context(report, editor=True)
        publications = list(report.publications.order_by("-version"))
        context.update(
            report=report,
            title=rendered["title"],
            version=publications[0].version + 1 if publications else 1,
            last=publications[0] if publications else None,
            checklist=publish_checklist(
                report,
                sections=rendered["sections"],
                changes=figure_changes(publications[0], data) if publications else [],
            ),
        )
        return context

    def post(self, request, *args, **kwargs):
        self.require_publish()
        if not request.POST.get("confirm"):
            messages.error(request, _("请先查看发布前检查，再确认发布"))
            return redirect("reports:report-publish", self.report.pk)
        try:
            publication = report_publish(report=self.report, user=request.user, link_base=site_root(request))
        except ValidationError as error:
            messages.error(request, error.messages[0])
            return redirect("reports:report-publish", self.report.pk)
        messages.success(
            request,
            _("已发布第%(version)s版，校验值 %(sha)s")
            % {"version": publication.version, "sha": publication.sha256[:16]},
        )
        return redirect("reports:report-detail", self.report.pk)


class ReportPdfView(ReportMixin, View):
    """The current draft as PDF, rendered now."""

    def get(self, request, *args, **kwargs):
        pdf = report_pdf(self.report, link_base=site_root(request))
        today = datetime.date.today().isoformat()
        return pdf_response(pdf, f"{self.report.chapter.code}-{self.report.period.code}-draft-{today}.pdf")


class PublicationPdfView(ReportMixin, View):
    """A published version's PDF, exactly as it was published (never rendered again)."""

    def get(self, request, *args, **kwargs):
        publication = get_object_or_404(
            Publication.objects.select_related("report__chapter"),
            report=self.report,
            version=kwargs["version"],
        )
        response = pdf_response(publication.pdf, publication.filename)
        response["X-Checksum-SHA256"] = publication.sha256
        return response

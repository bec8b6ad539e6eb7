import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.generic import TemplateView

from redcross.params import year_param
from redcross.periods import date_filter, year_bounds
from redcross.urls_util import records_url
from redcross.views.generic import (
    ChapterPageMixin,
    RecordDetailView,
    RecordFormView,
    RecordListView,
    add_service_errors,
)

from . import selectors, services
from .choices import EXPIRING_WITHIN_DAYS
from .filtersets import CertificateFilterSet, InstructorFilterSet, SessionFilterSet
from .forms import CertificateClassForm, CertificateForm, InstructorForm, SessionForm, TargetsForm
from .models import Certificate, Instructor, Session, Target


def year_from(request):
    return year_param(request.GET.get("year"), default=timezone.localdate().year)


class TrainingOverviewView(ChapterPageMixin, TemplateView):
    """The training page: the year's sessions and person-times per kind against target, and who to
    invite to retrain (certificates expiring in the next 90 days)."""

    template_name = "training/overview.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        chapter = self.get_chapter()
        if chapter is None:
            return context
        year = year_from(self.request)
        start, end = year_bounds(year)
        period = {"chapter": chapter.pk, **date_filter(start, end)}
        progress = selectors.training_progress(chapter=chapter, year=year, start=start, end=end)
        for row in progress:
            row.url = records_url("training:session-list", kind=row.kind_id, **period)
        today = timezone.localdate()
        expiring = Certificate.objects.for_chapter(chapter).expiring(today, EXPIRING_WITHIN_DAYS)
        context.update(
            chapter=chapter,
            chapters=self.access.readable_chapters(),
            year=year,
            years=range(today.year + 1, today.year - 8, -1),
            progress=progress,
            totals=selectors.progress_totals(progress),
            sessions_url=records_url("training:session-list", **period),
            expiring=expiring.with_related()[:100],
            expiring_count=expiring.count(),
            expiring_url=records_url(
                "training:certificate-list", chapter=chapter.pk, expiry=str(EXPIRING_WITHIN_DAYS)
            ),
            instructors_expiring=Instructor.objects.for_chapter(chapter).filter(
                qualified_until__gte=today,
                qualified_until__lte=today + datetime.timedelta(days=EXPIRING_WITHIN_DAYS),
            ),
            can_set_targets=self.access.can_write(chapter),
            within_days=EXPIRING_WITHIN_DAYS,
        )
        return context


class SessionListView(RecordListView):
    model = Session
    export_key = "sessions"
    filterset_class = SessionFilterSet
    template_name = "training/session_list.html"

    def get_base_queryset(self):
        return super().get_base_queryset().with_related()

    def get_totals(self, queryset):
        """From the kept daily sums when the filters allow (``session_list_totals``), else summed
        from the sessions."""
        figures = self.kept_figures()
        if figures is not None:
            return selectors.session_list_totals(figures)
        return selectors.session_totals(queryset)


class SessionDetailView(RecordDetailView):
    model = Session
    template_name = "training/session_detail.html"

    def get_queryset(self):
        return Session.objects.with_related().select_related("created_by", "updated_by")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["certificates"] = self.object.certificates.all()
        context["instructors"] = self.object.instructors.all()
        context["certificates_url"] = records_url("training:certificate-list", session=self.object.pk)
        return context


class SessionCreateView(RecordFormView):
    form_class = SessionForm
    title = _("登记培训")
    success_message = _("培训已登记")
    continue_keeps = ("date", "kind", "sector")

    def perform(self, form):
        return services.session_record(
            chapter=form.chapter, user=self.request.user, **form.service_arguments()
        )


class SessionUpdateView(RecordFormView):
    model = Session
    form_class = SessionForm
    title = _("更正培训")
    success_message = _("培训已更正")

    def perform(self, form):
        return services.session_correct(
            session=self.object, user=self.request.user, **form.service_arguments()
        )


class CertificateCreateView(RecordFormView):
    parent_model = Session
    form_class = CertificateForm
    title = _("登记救护证书")
    success_message = _("证书已登记")
    continue_keeps = ("issued_on", "expires_on", "workplace")

    def perform(self, form):
        self.saved = services.certificate_issue(
            session=self.parent, user=self.request.user, **form.service_arguments()
        )
        return self.parent


class CertificateClassView(RecordFormView):
    """A whole class certified in one form: the list of trainees pasted, all certificates made
    or none."""

    parent_model = Session
    form_class = CertificateClassForm
    template_name = "training/certificate_class_form.html"

    def get_title(self):
        return _("整班登记证书：%(session)s") % {"session": self.parent.title}

    def perform(self, form):
        issued = services.certificates_issue(
            session=self.parent,
            user=self.request.user,
            trainees=form.cleaned_data["trainees"],
            issued_on=form.cleaned_data["issued_on"],
            expires_on=form.cleaned_data["expires_on"],
        )
        self.success_message = ngettext("已登记 %(count)s 张证书", "已登记 %(count)s 张证书", len(issued)) % {
            "count": len(issued)
        }
        return self.parent


class CertificateListView(RecordListView):
    model = Certificate
    export_key = "certificates"
    filterset_class = CertificateFilterSet
    template_name = "training/certificate_list.html"

    def get_base_queryset(self):
        return super().get_base_queryset().with_related()

    def get_totals(self, queryset):
        return selectors.certificate_totals(queryset, today=timezone.localdate())


class InstructorListView(RecordListView):
    model = Instructor
    export_key = "instructors"
    filterset_class = InstructorFilterSet
    template_name = "training/instructor_list.html"

    def get_base_queryset(self):
        return super().get_base_queryset().select_related("chapter")

    def get_totals(self, queryset):
        return selectors.instructor_totals(queryset, today=timezone.localdate())


class InstructorCreateView(RecordFormView):
    form_class = InstructorForm
    title = _("登记救护师资")
    success_message = _("救护师资已登记")
    continue_keeps = ("qualified_until",)

    def get_success_url(self):
        return reverse("training:instructor-list")

    def perform(self, form):
        return services.instructor_create(
            chapter=form.chapter, user=self.request.user, **form.service_arguments()
        )


class InstructorUpdateView(RecordFormView):
    model = Instructor
    form_class = InstructorForm
    title = _("修改救护师资")

    def get_success_url(self):
        return reverse("training:instructor-list")

    def perform(self, form):
        return services.instructor_update(
            instructor=self.object, user=self.request.user, **form.service_arguments()
        )


class TargetsView(RecordFormView):
    """The year's targets per kind of training, for the user's own chapter."""

    form_class = TargetsForm
    title = _("年度培训目标")

    def get_title(self):
        return _("%(year)s年培训目标") % {"year": self.year}

    def dispatch(self, request, *args, **kwargs):
        self.year = year_from(request)
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        chapters = self.form_chapters()
        kwargs["targets"] = dict(
            Target.objects.filter(chapter=chapters[0], year=self.year).values_list("kind", "person_times")
        )
        kwargs["year"] = self.year
        return kwargs

    def get_cancel_url(self):
        return f"{reverse('training:overview')}?year={self.year}"

    def form_valid(self, form):
        try:
            services.targets_set(
                chapter=form.chapter, user=self.request.user, year=self.year, targets=form.targets()
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("培训目标已保存"))
        return redirect(self.get_cancel_url())

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _

from redcross.urls_util import records_url
from redcross.views.generic import RecordDetailView, RecordFormView, RecordListView

from . import selectors, services
from .choices import EXPENDITURE_CATEGORIES, NEXT_STATUS, ProjectStatus
from .filtersets import ExpenditureFilterSet, ProjectFilterSet
from .forms import AuditForm, BudgetLineFormSet, ExpenditureForm, OutputForm, ProjectAdvanceForm, ProjectForm
from .models import EXPENDITURE_DAYS, Expenditure, Project


class ProjectListView(RecordListView):
    model = Project
    export_key = "projects"
    filterset_class = ProjectFilterSet
    template_name = "projects/project_list.html"

    def get_base_queryset(self):
        return selectors.projects_with_spending(super().get_base_queryset().select_related("chapter", "kind"))

    def get_totals(self, queryset):
        return selectors.project_totals(Project.objects.filter(pk__in=queryset.values("pk")))


class ProjectDetailView(RecordDetailView):
    """Budget against actual spending by category, the outputs, funding, status steps and audits."""

    model = Project
    template_name = "projects/project_detail.html"

    def get_queryset(self):
        return selectors.projects_with_spending(Project.objects.select_related("chapter", "kind"))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        project = self.object
        by_category = selectors.project_spending_by_category(project)
        for row in by_category:
            row.url = records_url("projects:expenditure-list", project=project.pk, category=row.category)
        step = NEXT_STATUS.get(ProjectStatus(project.status))
        context.update(
            by_category=by_category,
            outputs=project.outputs.all(),
            funding_sources=project.funding_sources.select_related("fund"),
            audits=project.audits.all(),
            expenditures_url=records_url("projects:expenditure-list", project=project.pk),
            over_budget_url=records_url("projects:expenditure-list", project=project.pk, over_budget="true"),
            next_status=step[0].label if step and step[0] != ProjectStatus.AUDITED else None,
            remaining=project.budget - project.spent_total,
        )
        return context


class ProjectCreateView(RecordFormView):
    form_class = ProjectForm
    title = _("新建项目")
    success_message = _("项目已建立")
    continue_keeps = ("kind",)

    def perform(self, form):
        return services.project_create(
            chapter=form.chapter, user=self.request.user, **form.service_arguments()
        )


class ProjectUpdateView(RecordFormView):
    model = Project
    form_class = ProjectForm
    title = _("修改项目")

    def perform(self, form):
        return services.project_update(
            project=self.object, user=self.request.user, **form.service_arguments()
        )


class ProjectAdvanceView(RecordFormView):
    parent_model = Project
    form_class = ProjectAdvanceForm
    success_message = _("项目状态已更新")

    def get_title(self):
        step = NEXT_STATUS.get(ProjectStatus(self.parent.status))
        return _("项目状态变更为“%(status)s”") % {"status": step[0].label} if step else _("项目状态")

    def perform(self, form):
        return services.project_advance(
            project=self.parent, user=self.request.user, **form.service_arguments()
        )


class OutputCreateView(RecordFormView):
    parent_model = Project
    form_class = OutputForm
    title = _("登记项目产出")
    success_message = _("项目产出已登记")
    continue_keeps = ("unit",)

    def perform(self, form):
        self.saved = services.output_record(project=self.parent, **form.service_arguments())
        return self.parent


class AuditCreateView(RecordFormView):
    parent_model = Project
    form_class = AuditForm
    title = _("登记项目审计")
    success_message = _("审计结果已登记")
    continue_keeps = ("date", "auditor")

    def perform(self, form):
        self.saved = services.audit_record(
            project=self.parent, user=self.request.user, **form.service_arguments()
        )
        return self.parent


class BudgetLinesView(RecordFormView):
    """The budget by spending category, as a small formset that must sum to the project's budget."""

    parent_model = Project
    template_name = "projects/budget_form.html"
    title = _("分类预算")
    success_message = _("分类预算已保存")

    def get_form(self, form_class=None):
        initial = [
            {"category": line.category, "amount": line.amount} for line in self.parent.budget_lines.all()
        ]
        data = self.request.POST if self.request.method == "POST" else None
        return BudgetLineFormSet(data, initial=initial, prefix="lines")

    def post(self, request, *args, **kwargs):
        formset = self.get_form()
        if formset.is_valid():
            lines = [
                (f.cleaned_data.get("category") or "", f.cleaned_data.get("amount") or 0) for f in formset
            ]
            try:
                services.project_budget_set(project=self.parent, lines=lines)
            except ValidationError as error:
                formset._non_form_errors = formset.error_class(error.messages)
            else:
                messages.success(request, self.success_message)
                return redirect(self.parent.get_absolute_url())
        return self.render_to_response(self.get_context_data(form=formset))


class ExpenditureListView(RecordListView):
    model = Expenditure
    export_key = "expenditures"
    filterset_class = ExpenditureFilterSet
    template_name = "projects/expenditure_list.html"

    def get_base_queryset(self):
        return super().get_base_queryset().with_related()

    def get_totals(self, queryset):
        """From the kept daily sums when the filters allow (``expenditure_list_totals``), else
        summed from the expenditures."""
        figures = self.kept_figures()
        if figures is None:
            return selectors.expenditure_totals(queryset)
        return selectors.expenditure_list_totals(figures, EXPENDITURE_DAYS.rows_for(self.filterset))


class ExpenditureDetailView(RecordDetailView):
    model = Expenditure
    template_name = "projects/expenditure_detail.html"

    def get_queryset(self):
        return Expenditure.all_objects.with_related().select_related("created_by", "updated_by")


class ExpenditureFormMixin:
    form_class = ExpenditureForm
    template_name = "projects/expenditure_form.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["categories"] = EXPENDITURE_CATEGORIES
        return context


class ExpenditureCreateView(ExpenditureFormMixin, RecordFormView):
    title = _("登记项目支出")
    success_message = _("项目支出已登记")
    continue_keeps = ("date", "project", "category", "fund")

    def get_initial(self):
        return {"project": self.request.GET.get("project")}

    def perform(self, form):
        return services.expenditure_record(
            chapter=form.chapter, user=self.request.user, **form.service_arguments()
        )


class ExpenditureUpdateView(ExpenditureFormMixin, RecordFormView):
    model = Expenditure
    title = _("更正项目支出")
    success_message = _("项目支出已更正")

    def perform(self, form):
        return services.expenditure_correct(
            expenditure=self.object, user=self.request.user, **form.service_arguments()
        )

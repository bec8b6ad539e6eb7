import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from donations.models import Fund
from redcross.filters import ChapterRecordFilterSet, CorrectableFilterSet

from .choices import ProjectStatus
from .models import Expenditure, Project, ProjectKind


class ProjectFilterSet(ChapterRecordFilterSet):
    kind = django_filters.ModelChoiceFilter(label=_("项目类型"), queryset=ProjectKind.objects.all())
    status = django_filters.ChoiceFilter(label=_("项目状态"), choices=ProjectStatus.choices)
    over_budget = django_filters.BooleanFilter(label=_("超预算"))
    q = django_filters.CharFilter(label=_("项目名称或地点"), method="filter_text")

    class Meta:
        model = Project
        fields = ["date", "chapter", "kind", "status", "over_budget", "q"]

    def filter_text(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(name__icontains=value) | Q(place__icontains=value))


class ExpenditureFilterSet(CorrectableFilterSet):
    project = django_filters.ModelChoiceFilter(label=_("项目"), queryset=None)
    category = django_filters.CharFilter(label=_("支出类别"))
    # The expenditures without a category (a report's 未分类 row links here).
    without_category = django_filters.BooleanFilter(
        label=_("未分类"), method="filter_without_category", widget=forms.HiddenInput
    )
    fund = django_filters.ModelChoiceFilter(label=_("资金来源"), queryset=None)
    over_budget = django_filters.BooleanFilter(label=_("注明超预算原因"), method="filter_over_budget")
    q = django_filters.CharFilter(label=_("收款单位、发票号或说明"), method="filter_text")

    class Meta:
        model = Expenditure
        fields = [
            "date",
            "chapter",
            "project",
            "category",
            "without_category",
            "fund",
            "over_budget",
            "q",
            "status",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["project"].queryset = Project.objects.visible_to(self.access)
        self.filters["fund"].queryset = Fund.objects.visible_to(self.access)

    def filter_over_budget(self, queryset, name, value):
        return queryset.exclude(over_budget_reason="") if value else queryset.filter(over_budget_reason="")

    def filter_without_category(self, queryset, name, value):
        return queryset.filter(category="") if value else queryset.exclude(category="")

    def filter_text(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(
            Q(payee__icontains=value) | Q(invoice_number__icontains=value) | Q(description__icontains=value)
        )

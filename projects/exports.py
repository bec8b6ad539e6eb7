"""Projects and their expenditures in Excel: 项目支出明细账 and the project list."""

from django.utils.translation import gettext_lazy

from redcross.excel import DATE, INTEGER, MONEY, Column
from redcross.exports import NO, STATUS, YES, RecordExport

from . import selectors
from .choices import ProjectStatus
from .filtersets import ExpenditureFilterSet, ProjectFilterSet
from .models import Expenditure, Project


class ExpenditureLedger(RecordExport):
    key = "expenditures"
    title = gettext_lazy("项目支出明细账")
    model = Expenditure
    filterset_class = ExpenditureFilterSet
    columns = [
        Column(gettext_lazy("支出日期"), DATE),
        Column(gettext_lazy("红十字会")),
        Column(gettext_lazy("项目")),
        Column(gettext_lazy("支出类别")),
        Column(gettext_lazy("金额"), MONEY, total=True),
        Column(gettext_lazy("资金来源")),
        Column(gettext_lazy("收款单位")),
        Column(gettext_lazy("发票号")),
        Column(gettext_lazy("说明")),
        Column(gettext_lazy("超预算原因")),
        Column(gettext_lazy("记录编号"), INTEGER),
        STATUS,
    ]

    def rows(self, queryset):
        for row in self.stream(
            queryset,
            "date",
            "chapter__name",
            "project__name",
            "category",
            "amount",
            "fund__name",
            "payee",
            "invoice_number",
            "description",
            "over_budget_reason",
            "pk",
        ):
            if row[5] is None:  # no fund
                row = (*row[:5], "", *row[6:])
            yield row


class ProjectExport(RecordExport):
    key = "projects"
    title = gettext_lazy("项目一览")
    model = Project
    filterset_class = ProjectFilterSet
    ordering = ("-start_date", "name", "pk")
    columns = [
        Column(gettext_lazy("项目名称")),
        Column(gettext_lazy("项目类型")),
        Column(gettext_lazy("项目地点")),
        Column(gettext_lazy("红十字会")),
        Column(gettext_lazy("状态")),
        Column(gettext_lazy("开始日期"), DATE),
        Column(gettext_lazy("结束日期"), DATE),
        Column(gettext_lazy("预算"), MONEY, total=True),
        Column(gettext_lazy("累计支出"), MONEY, total=True),
        Column(gettext_lazy("超预算")),
    ]

    def base_queryset(self):
        return selectors.projects_with_spending(super().base_queryset())

    def rows(self, queryset):
        statuses = dict(ProjectStatus.choices)
        yes, no = str(YES), str(NO)
        for name, kind, place, chapter, status, start, end, budget, spent, over in self.stream(
            queryset,
            "name",
            "kind__name",
            "place",
            "chapter__name",
            "status",
            "start_date",
            "end_date",
            "budget",
            "spent_total",
            "over_budget",
        ):
            yield (name, kind, place, chapter, str(statuses.get(status, status)), start, end, budget, spent,
                   yes if over else no)  # fmt: skip

    def period_text(self, filterset):
        from django.utils.translation import gettext as _

        return super().period_text(filterset) + _("（按开始日期）")

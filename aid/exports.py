"""Relief disbursements in Excel: 救助支出明细账, the disbursement list's export."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from redcross.excel import DATE, INTEGER, MONEY, Column
from redcross.exports import STATUS, RecordExport

from .filtersets import DisbursementFilterSet
from .models import Disbursement


class DisbursementLedger(RecordExport):
    key = "disbursements"
    title = gettext_lazy("救助支出明细账")
    model = Disbursement
    filterset_class = DisbursementFilterSet
    columns = [
        Column(gettext_lazy("发放日期"), DATE),
        Column(gettext_lazy("红十字会")),
        Column(gettext_lazy("救助类别")),
        Column(gettext_lazy("受助人")),
        Column(gettext_lazy("身份证号")),
        Column(gettext_lazy("乡镇")),
        Column(gettext_lazy("受助人数"), INTEGER, total=True),
        Column(gettext_lazy("例数"), INTEGER, total=True),
        Column(gettext_lazy("现金金额"), MONEY, total=True),
        Column(gettext_lazy("物资折价"), MONEY, total=True),
        Column(gettext_lazy("合计金额"), MONEY, total=True),
        Column(gettext_lazy("资金来源")),
        Column(gettext_lazy("备注")),
        Column(gettext_lazy("记录编号"), INTEGER),
        STATUS,
    ]

    fields = (
        "date",
        "chapter__name",
        "category__name",
        "beneficiary__name",
        "beneficiary__id_number",
        "township",
        "head_count",
        "cases",
        "cash_amount",
        "in_kind_amount",
        "fund__name",
        "remarks",
        "pk",
        "chapter",
    )

    def rows(self, queryset):
        id_number = self.personal("id_number")
        group = _("群体发放")
        for row in self.stream(queryset, *self.fields):
            (
                day,
                chapter,
                category,
                name,
                number,
                township,
                heads,
                cases,
                cash,
                in_kind,
                fund,
                remarks,
                pk,
                chapter_id,
            ) = row
            yield (
                day,
                chapter,
                category,
                name or group,
                id_number(chapter_id, number),
                township,
                heads,
                cases,
                cash,
                in_kind,
                cash + in_kind,
                fund or "",
                remarks,
                pk,
            )

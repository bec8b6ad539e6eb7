import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from donations.models import Drive
from redcross.filters import ChapterFilterSet, CorrectableFilterSet, DateInput, PeriodWidget

from .choices import IssueKind, LotOrigin, StockFilter
from .models import Issue, Lot, Store
from .selectors import expiring_q


class StockFilterSet(ChapterFilterSet):
    """The stock page: lots with what they hold as of a day (``as_of``, read by the view)."""

    as_of = django_filters.DateFilter(
        label=_("截至日期"), method="filter_nothing", widget=DateInput(), help_text=_("不填为今天")
    )
    store = django_filters.ModelChoiceFilter(label=_("库房"), queryset=None)
    fund = django_filters.ModelChoiceFilter(label=_("所属基金"), queryset=None, widget=forms.HiddenInput)
    drive = django_filters.ModelChoiceFilter(
        label=_("募捐活动"), queryset=None, field_name="donation__drive", widget=forms.HiddenInput
    )
    origin = django_filters.ChoiceFilter(label=_("来源"), choices=LotOrigin.choices)
    # The records behind a report's goods allocated from above (``?from_above=CHAPTER``): lots of
    # that chapter and those below it allocated by a chapter outside it, arrived from a day on.
    from_above = django_filters.ModelChoiceFilter(
        label=_("上级调入"), queryset=None, method="filter_from_above", widget=forms.HiddenInput
    )
    arrived_from = django_filters.DateFilter(
        label=_("入库日期起"), field_name="date", lookup_expr="gte", widget=forms.HiddenInput
    )
    stock = django_filters.ChoiceFilter(label=_("库存"), choices=StockFilter.choices, method="filter_stock")
    q = django_filters.CharFilter(label=_("物资名称"), method="filter_text")

    class Meta:
        model = Lot
        fields = [
            "as_of",
            "chapter",
            "store",
            "fund",
            "drive",
            "origin",
            "from_above",
            "arrived_from",
            "stock",
            "q",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["store"].queryset = Store.objects.visible_to(self.access)
        self.filters["fund"].queryset = Lot._meta.get_field("fund").related_model.objects.visible_to(
            self.access
        )
        self.filters["drive"].queryset = Drive.objects.visible_to(self.access)
        self.filters["from_above"].queryset = self.access.readable_chapters()
        self.filters["arrived_from"].field.error_messages["invalid"] = _("请输入有效日期，格式为 年-月-日")
        self.filters["as_of"].field.error_messages["invalid"] = _("请输入有效日期，格式为 年-月-日")

    def filter_nothing(self, queryset, name, value):
        return queryset  # the view reads the day: the stock is computed as of it

    def filter_from_above(self, queryset, name, value):
        return (
            queryset.for_chapter(value)
            .filter(origin=LotOrigin.ALLOCATION)
            .exclude(origin_chapter__path__startswith=value.path)
        )

    def filter_stock(self, queryset, name, value):
        if value == StockFilter.ON_HAND:
            return queryset.filter(on_hand__gt=0)
        if value == StockFilter.EXPIRING:
            return queryset.filter(expiring_q(), on_hand__gt=0)
        return queryset.filter(on_hand__lte=0)

    def filter_text(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(item__name__icontains=value) | Q(item__specification__icontains=value))


class IssueFilterSet(CorrectableFilterSet):
    kind = django_filters.ChoiceFilter(label=_("出库类型"), choices=IssueKind.choices)
    q = django_filters.CharFilter(label=_("接收单位或事由"), method="filter_text")
    lot = django_filters.ModelChoiceFilter(
        label=_("入库批次"), queryset=None, method="filter_lot", widget=forms.HiddenInput
    )

    class Meta:
        model = Issue
        fields = ["date", "chapter", "kind", "q", "lot", "status"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["lot"].queryset = Lot.all_objects.visible_to(self.access)

    def filter_text(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(
            Q(receiving_unit__icontains=value)
            | Q(reason__icontains=value)
            | Q(recipient_chapter__name__icontains=value)
        )

    def filter_lot(self, queryset, name, value):
        return queryset.filter(lines__lot=value).distinct()


class GoodsLedgerFilterSet(ChapterFilterSet):
    """The goods ledger's chapter and period (物资收发存明细账). The period does not narrow the lots
    here: the ledger takes each lot that held goods or moved in it (``selectors.ledger_lots``)."""

    date = django_filters.DateFromToRangeFilter(label=_("期间"), widget=PeriodWidget(), method="keep_all")
    q = django_filters.CharFilter(label=_("物资名称"), method="filter_text")

    class Meta:
        model = Lot
        fields = ["date", "chapter", "q"]

    def keep_all(self, queryset, name, value):
        return queryset

    def filter_text(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(item__name__icontains=value) | Q(item__specification__icontains=value))

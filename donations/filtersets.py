import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from redcross.filters import ChapterFilterSet, ChapterRecordFilterSet, CorrectableFilterSet, PeriodWidget

from .choices import DonationKind, DonorKind
from .models import Donation, Donor, Drive, Fund, Payout

RESTRICTION_CHOICES = [("restricted", _("限定用途")), ("unrestricted", _("非限定用途"))]


class FundChoiceMixin:
    """Offers only the funds (and drives) of chapters the user may read."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "fund" in self.filters:
            self.filters["fund"].queryset = Fund.objects.visible_to(self.access).select_related("chapter")
        if "drive" in self.filters:
            self.filters["drive"].queryset = Drive.objects.visible_to(self.access)


class DonationFilterSet(FundChoiceMixin, CorrectableFilterSet):
    drive = django_filters.ModelChoiceFilter(label=_("募捐活动"), queryset=None)
    without_drive = django_filters.BooleanFilter(
        label=_("不属于募捐活动"), field_name="drive", lookup_expr="isnull", widget=forms.HiddenInput
    )
    fund = django_filters.ModelChoiceFilter(label=_("入账基金"), queryset=None)
    kind = django_filters.ChoiceFilter(label=_("捐赠方式"), choices=DonationKind.choices)
    donor = django_filters.ModelChoiceFilter(label=_("捐赠人"), queryset=None, widget=forms.HiddenInput)
    anonymous = django_filters.BooleanFilter(label=_("匿名捐赠"))
    q = django_filters.CharFilter(label=_("捐赠人或物资"), method="filter_text")

    class Meta:
        model = Donation
        fields = [
            "date",
            "chapter",
            "drive",
            "without_drive",
            "fund",
            "kind",
            "donor",
            "anonymous",
            "q",
            "status",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["donor"].queryset = Donor.objects.visible_to(self.access)

    def filter_text(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(donor__name__icontains=value) | Q(goods__icontains=value))


class DonorFilterSet(ChapterFilterSet):
    kind = django_filters.ChoiceFilter(label=_("捐赠人类型"), choices=DonorKind.choices)
    named_in_public = django_filters.BooleanFilter(label=_("同意公开署名"))
    q = django_filters.CharFilter(label=_("名称"), field_name="name", lookup_expr="icontains")

    class Meta:
        model = Donor
        fields = ["chapter", "kind", "named_in_public", "q"]


class FundFilterSet(ChapterFilterSet):
    restriction = django_filters.ChoiceFilter(
        label=_("用途"), choices=RESTRICTION_CHOICES, method="filter_restriction"
    )
    q = django_filters.CharFilter(label=_("基金名称"), field_name="name", lookup_expr="icontains")

    class Meta:
        model = Fund
        fields = ["chapter", "restriction", "q"]

    def filter_restriction(self, queryset, name, value):
        restricted = Q(restricted_category__isnull=False) | Q(restricted_project__isnull=False)
        return queryset.filter(restricted if value == "restricted" else ~restricted)


class DriveFilterSet(FundChoiceMixin, ChapterRecordFilterSet):
    fund = django_filters.ModelChoiceFilter(label=_("入账基金"), queryset=None)
    q = django_filters.CharFilter(label=_("活动名称"), field_name="name", lookup_expr="icontains")

    class Meta:
        model = Drive
        fields = ["date", "chapter", "fund", "q"]


class PayoutFilterSet(FundChoiceMixin, CorrectableFilterSet):
    fund = django_filters.ModelChoiceFilter(label=_("资金来源"), queryset=None)
    q = django_filters.CharFilter(label=_("接收单位或用途"), method="filter_text")

    class Meta:
        model = Payout
        fields = ["date", "chapter", "fund", "q", "status"]

    def filter_text(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(recipient__icontains=value) | Q(purpose__icontains=value))


class FundLedgerFilterSet(FundFilterSet):
    """The funds list's filters, and the period of the ledger an export of them writes (基金收支明细账).

    The period does not narrow the funds: every fund listed is in the ledger, with its opening
    balance, its flows in the period and its closing balance. ``fund`` picks one (its page's export).
    """

    date = django_filters.DateFromToRangeFilter(label=_("期间"), widget=PeriodWidget(), method="keep_all")
    # The fund's page exports its own ledger: chosen among the funds the user reads, so that the
    # workbook's header names it (基金：博爱一日捐), not its number.
    fund = django_filters.ModelChoiceFilter(
        label=_("基金"), queryset=None, method="filter_fund", widget=forms.HiddenInput
    )

    class Meta(FundFilterSet.Meta):
        fields = ["date", "chapter", "restriction", "q", "fund"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["fund"].queryset = Fund.objects.visible_to(self.access)

    def keep_all(self, queryset, name, value):
        return queryset

    def filter_fund(self, queryset, name, value):
        return queryset.filter(pk=value.pk)

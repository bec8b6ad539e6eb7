import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from donations.models import Fund
from redcross.filters import CorrectableFilterSet
from redcross.models import Township

from .choices import RecipientKind
from .models import AidCategory, Disbursement


class DisbursementFilterSet(CorrectableFilterSet):
    category = django_filters.ModelChoiceFilter(label=_("救助类别"), queryset=AidCategory.objects.all())
    township = django_filters.ChoiceFilter(label=_("乡镇"), choices=[])
    fund = django_filters.ModelChoiceFilter(label=_("资金来源"), queryset=None)
    recipient = django_filters.ChoiceFilter(
        label=_("发放对象"), choices=RecipientKind.choices, method="filter_recipient"
    )
    q = django_filters.CharFilter(label=_("姓名或身份证号"), method="filter_text")

    class Meta:
        model = Disbursement
        fields = ["date", "chapter", "category", "township", "fund", "recipient", "q", "status"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["fund"].queryset = Fund.objects.visible_to(self.access).select_related("chapter")
        # The chapters' lists of townships, and any other name the records hold (written before
        # the list was kept, or imported): one query.
        kept = Township.objects.filter(self.access.readable_q("chapter__path")).order_by().values_list("name")
        written = self.queryset.exclude(township="").order_by().values_list("township")
        townships = kept.union(written).order_by("name")
        self.filters["township"].extra["choices"] = [(t, t) for (t,) in townships]

    def filter_recipient(self, queryset, name, value):
        return queryset.filter(beneficiary__isnull=(value == RecipientKind.GROUP))

    def filter_text(self, queryset, name, value):
        """Name contains the text; ID numbers are searched only by those allowed to see them."""
        value = value.strip()
        condition = Q(beneficiary__name__icontains=value)
        searchable = [c for c in self.access.chapters if self.access.can_see_personal_data(c.pk)]
        for chapter in searchable:
            condition |= Q(beneficiary__id_number__icontains=value, chapter=chapter)
        return queryset.filter(condition)

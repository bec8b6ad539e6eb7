import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from donations.models import Fund
from redcross.filters import ChapterFilterSet, CorrectableFilterSet
from redcross.models import Township

from .choices import RecipientKind
from .models import AidCategory, Beneficiary, Disbursement, PersonYear, WrittenTownship
from .selectors import relief_years


class PersonFilter(django_filters.NumberFilter):
    """A person's number: a whole number, or the field is named with what is wrong."""

    field_class = forms.IntegerField


class DisbursementFilterSet(CorrectableFilterSet):
    category = django_filters.ModelChoiceFilter(label=_("救助类别"), queryset=AidCategory.objects.all())
    township = django_filters.ChoiceFilter(label=_("乡镇"), choices=[])
    fund = django_filters.ModelChoiceFilter(label=_("资金来源"), queryset=None)
    recipient = django_filters.ChoiceFilter(
        label=_("发放对象"), choices=RecipientKind.choices, method="filter_recipient"
    )
    q = django_filters.CharFilter(label=_("姓名或身份证号"), method="filter_text")
    # From a person's page: that person's payments.
    beneficiary = PersonFilter(label=_("受助人"), widget=forms.HiddenInput)

    class Meta:
        model = Disbursement
        fields = [
            "date",
            "chapter",
            "category",
            "township",
            "fund",
            "recipient",
            "q",
            "status",
            "beneficiary",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["fund"].queryset = Fund.objects.visible_to(self.access).select_related("chapter")
        # The chapters' lists of townships, and any other name the records hold (written before
        # the list was kept, or imported): one query.
        townships = offered_townships(self.access)
        self.filters["township"].extra["choices"] = [(t, t) for (t,) in townships]

    def filter_recipient(self, queryset, name, value):
        return queryset.filter(beneficiary__isnull=(value == RecipientKind.GROUP))

    def filter_text(self, queryset, name, value):
        """Name contains the text; ID numbers are searched only by those allowed to see them.

        The people the text finds are looked up once (one scan of the trigram indexes) and the
        payments are then theirs, rather than the scan repeated in each of the list's queries
        (its rows, its totals line, its line of what waits for approval); a text found in more
        than ``PEOPLE_AT_ONCE`` names stays a condition on the payments' people."""
        condition = id_or_name_q(self.access, value.strip())
        people = Beneficiary._base_manager.filter(condition, self.access.readable_q("chapter__path"))
        found = list(people.order_by().values_list("pk", flat=True)[: PEOPLE_AT_ONCE + 1])
        if len(found) <= PEOPLE_AT_ONCE:
            return queryset.filter(beneficiary__in=found)
        return queryset.filter(
            id_or_name_q(self.access, value.strip(), prefix="beneficiary__"),
            self.access.readable_q("beneficiary__chapter__path"),
        )


# How many people a name search hands to the payments' query by their ids (issue 19).
PEOPLE_AT_ONCE = 500


def offered_townships(access):
    """The townships of the chapters ``access`` reads: their lists, and any other name their
    payments and persons hold (written before the list was kept, or imported; ``WrittenTownship``),
    one query."""
    readable = access.readable_q("chapter__path")
    kept = Township.objects.filter(readable).order_by().values_list("name")
    written = WrittenTownship.objects.filter(readable).order_by().values_list("name")
    return kept.union(written).order_by("name")


def id_or_name_q(access, value, prefix=""):
    """Name contains ``value``; ID numbers are searched only in the chapters whose personal data
    the user may see."""
    condition = Q(**{f"{prefix}name__icontains": value})
    for chapter in access.chapters:
        if access.can_see_personal_data(chapter.pk):
            condition |= Q(**{f"{prefix}id_number__icontains": value, f"{prefix}chapter": chapter})
    return condition


class BeneficiaryFilterSet(ChapterFilterSet):
    """The persons helped: by township, and by the category and year the reports counted them in
    (``PersonYear``: a person with a payment that stands in that category, that year)."""

    township = django_filters.ChoiceFilter(label=_("乡镇"), choices=[])
    category = django_filters.ModelChoiceFilter(
        label=_("救助类别"), queryset=AidCategory.objects.all(), method="filter_counted"
    )
    year = django_filters.ChoiceFilter(label=_("年度"), choices=[], method="filter_counted")
    q = django_filters.CharFilter(label=_("姓名或身份证号"), method="filter_text")

    class Meta:
        model = Beneficiary
        fields = ["chapter", "township", "category", "year", "q"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["township"].extra["choices"] = [(t, t) for (t,) in offered_townships(self.access)]
        # From the first to the last year of relief (the kept daily sums), not a pass over every
        # person's years.
        years = relief_years(self.access.readable_chapters())
        self.filters["year"].extra["choices"] = [(str(y), str(y)) for y in years]

    def counted_in(self):
        """(category, year) chosen, either None."""
        data = self.form.cleaned_data if self.is_bound and self.form.is_valid() else {}
        year = data.get("year")
        return data.get("category"), int(year) if year else None

    def payment_q(self, prefix="disbursements__"):
        """The payments the chosen category and year select (all when none is chosen)."""
        category, year = self.counted_in()
        condition = Q()
        if category is not None:
            condition &= Q(**{f"{prefix}category": category})
        if year is not None:
            condition &= Q(**{f"{prefix}date__year": year})
        return condition

    def filter_counted(self, queryset, name, value):
        return queryset  # both at once, in filter_queryset

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        category, year = self.counted_in()
        if category is None and year is None:
            return queryset
        counted = PersonYear.objects.filter(beneficiary=OuterRef("pk"), category=category)
        if year is not None:
            counted = counted.filter(year=year)
        return queryset.filter(Exists(counted))

    def filter_text(self, queryset, name, value):
        return queryset.filter(id_or_name_q(self.access, value.strip()))

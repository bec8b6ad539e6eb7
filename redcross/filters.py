"""Filters every record list shares."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _
from django_filters.widgets import DateRangeWidget

from .access import access_for


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class PeriodWidget(DateRangeWidget):
    """Two date pickers: ``<name>_after`` and ``<name>_before``."""

    def __init__(self, attrs=None):
        forms.MultiWidget.__init__(self, (DateInput(attrs), DateInput(attrs)), attrs)


class ChapterRecordFilterSet(django_filters.FilterSet):
    """Base of every record list's FilterSet: the period and the chapter (with those below it).

    Built with the request, so choices only offer what the user may read.
    """

    date = django_filters.DateFromToRangeFilter(label=_("期间"), widget=PeriodWidget())
    chapter = django_filters.ModelChoiceFilter(
        label=_("红十字会（含下级）"), queryset=None, method="filter_chapter"
    )

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        self.access = access_for(request)
        self.filters["chapter"].queryset = self.access.readable_chapters()

    def filter_chapter(self, queryset, name, value):
        return queryset.for_chapter(value)

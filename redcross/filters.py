"""Filters every record list shares."""

import django_filters
from django import forms
from django.db.models import Q
from django.forms.renderers import get_default_renderer
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django_filters.widgets import DateRangeWidget

from .access import access_for
from .choices import ChangeAction, RecordStatus
from .history import tracked_models
from .models import Change, ImportBatch


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class PeriodWidget(DateRangeWidget):
    """Two date pickers on one line, from and to: ``<name>_after`` and ``<name>_before``."""

    def __init__(self, attrs=None):
        start = DateInput({**(attrs or {}), "aria-label": _("起始日期")})
        end = DateInput({**(attrs or {}), "aria-label": _("截止日期")})
        forms.MultiWidget.__init__(self, (start, end), attrs)

    def render(self, name, value, attrs=None, renderer=None):
        renderer = renderer or get_default_renderer()
        context = self.get_context(name, value, attrs)
        start, end = (
            mark_safe(renderer.render(sub["template_name"], {"widget": sub}))
            for sub in context["widget"]["subwidgets"]
        )
        return format_html('<span class="period">{}<span class="to">{}</span>{}</span>', start, _("至"), end)


class YesNoAllSelect(forms.NullBooleanSelect):
    """A yes/no filter that, until chosen, reads 全部 (every record), not 未知 (which reads as if it
    picked the records whose answer is unknown)."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = [("unknown", _("全部")), ("true", _("是")), ("false", _("否"))]


class BatchFilter(django_filters.Filter):
    """An import batch's number: a whole number, never a fraction taken for its integer part."""

    field_class = forms.IntegerField


class ChapterFilterSet(django_filters.FilterSet):
    """Base of every list's FilterSet: the chapter (with those below it).

    Built with the request, so choices only offer what the user may read.
    """

    chapter = django_filters.ModelChoiceFilter(
        label=_("红十字会（含下级）"), queryset=None, method="filter_chapter"
    )
    # The records an import batch made (``?batch=12``, linked from the batch's page); the list
    # shows it as an active filter (导入第12批), not as a field.
    batch = BatchFilter(
        label=_("导入批次"),
        method="filter_batch",
        widget=forms.HiddenInput,
        min_value=1,
        max_value=2**53,
    )

    def __init__(self, *args, request=None, access=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        # An export run by the worker or the command line has the user's Access but no request.
        self.access = access if access is not None else access_for(request)
        self.filters["chapter"].queryset = self.access.readable_chapters()
        self.import_batch = None  # the batch filtered by, once the list is filtered
        self.batch_missing = None  # a batch number asked for that the user cannot read
        for one in self.filters.values():
            hidden = getattr(one.extra.get("widget"), "input_type", None) == "hidden"
            if isinstance(one, django_filters.BooleanFilter) and not hidden:
                one.extra["widget"] = YesNoAllSelect

    def filter_chapter(self, queryset, name, value):
        return queryset.for_chapter(value)

    def filter_batch(self, queryset, name, value):
        self.import_batch = (
            ImportBatch.objects.filter(self.access.readable_q("chapter__path"), pk=value)
            .only("pk", "created")
            .first()
        )
        if self.import_batch is None:
            self.batch_missing = value
            return queryset.none()
        label = queryset.model._meta.label
        ids = sorted(pk for model, pks in self.import_batch.created for pk in pks if model == label)
        return queryset.filter(ids_q(ids))


def ids_q(ids):
    """A condition matching the sorted ``ids``: runs of consecutive ids (what a bulk insert makes)
    as ranges, so a batch of 100,000 records is a few conditions, not 100,000 parameters."""
    if not ids:
        return Q(pk__in=[])
    runs, singles, start, last = [], [], ids[0], ids[0]
    for pk in [*ids[1:], None]:
        if pk is not None and pk == last + 1:
            last = pk
            continue
        if last > start:
            runs.append((start, last))
        else:
            singles.append(start)
        if pk is not None:
            start = last = pk
    condition = Q(pk__in=singles) if singles else Q(pk__in=[])
    for first, end in runs:
        condition |= Q(pk__range=(first, end))
    return condition


class ChapterRecordFilterSet(ChapterFilterSet):
    """Base of a dated record list's FilterSet: the period (``date_after``/``date_before``) and chapter.

    The period filters on the date the model declares (``TrackedModel.date_field``).
    """

    date = django_filters.DateFromToRangeFilter(label=_("期间"), widget=PeriodWidget())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["date"].field_name = self._meta.model.date_field


class CorrectableFilterSet(ChapterRecordFilterSet):
    """A list of accounting records: also by status. The list shows voided and pending records
    among the others, marked; this narrows it to one kind."""

    status = django_filters.ChoiceFilter(
        label=_("状态"), choices=RecordStatus.choices, method="filter_status"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not any(f.name == "pending" for f in self.queryset.model._meta.fields):
            self.filters["status"].extra["choices"] = [
                c for c in RecordStatus.choices if c[0] != RecordStatus.PENDING
            ]

    def filter_status(self, queryset, name, value):
        model = queryset.model
        if value == RecordStatus.STANDING:
            return queryset.filter(model.standing_q())
        if value == RecordStatus.VOIDED:
            return queryset.filter(voided_at__isnull=False)
        if value == RecordStatus.PENDING:
            return queryset.filter(pending=True, voided_at__isnull=True)
        return queryset.filter(model.standing_q(), reverses__isnull=False)


def _table_choices():
    return sorted(((m._meta.db_table, m._meta.verbose_name) for m in tracked_models()), key=lambda c: c[0])


class ChangeFilterSet(django_filters.FilterSet):
    """The changes to the books an auditor reads: by period, chapter (with those below), kind of
    record, action and record number."""

    date = django_filters.DateFromToRangeFilter(label=_("期间"), field_name="at", widget=PeriodWidget())
    chapter = django_filters.ModelChoiceFilter(
        label=_("红十字会（含下级）"), queryset=None, method="filter_chapter"
    )
    # The records an import batch made (``?batch=12``, linked from the batch's page); the list
    # shows it as an active filter (导入第12批), not as a field.
    batch = BatchFilter(
        label=_("导入批次"),
        method="filter_batch",
        widget=forms.HiddenInput,
        min_value=1,
        max_value=2**53,
    )
    table = django_filters.ChoiceFilter(label=_("记录类型"), choices=_table_choices)
    action = django_filters.ChoiceFilter(label=_("操作"), choices=ChangeAction.choices)
    record_id = django_filters.NumberFilter(label=_("记录编号"))

    class Meta:
        model = Change
        fields = ["date", "chapter", "table", "action", "record_id"]

    def __init__(self, *args, request=None, access=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        self.access = access if access is not None else access_for(request)
        self.filters["chapter"].queryset = self.access.readable_chapters()

    def filter_chapter(self, queryset, name, value):
        return queryset.filter(chapter_id__in=value.subtree().values("pk"))

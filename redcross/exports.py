"""What every record list exports to Excel, the same way from the page, the worker and the command.

An export is named by a key (``disbursements``, ``donations`` …). It filters with the list's own
FilterSet and the page's own query parameters, so the workbook holds exactly the rows the page
lists (all pages of them), and its totals row equals the page's totals line. Rows come from the
database in chunks (``values_list(...).iterator()``) and go straight into the one Excel writer
(``redcross.excel``), so memory stays flat however many rows there are.

Each app declares its exports in its own ``exports.py`` and registers them by key in its
``AppConfig.ready()``; ``EXPORTS`` below is that register.
"""

import datetime
import hashlib
import re

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .choices import ChangeAction, PeriodKind
from .excel import INTEGER, Column, LedgerWorkbook
from .filters import ChangeFilterSet
from .history import described
from .models import Change, Chapter, CorrectableModel, every
from .periods import period_bounds, period_label
from .personal import MASKS
from .registry import registry

CHUNK_ROWS = 2000
RECORD_NUMBER = gettext_lazy("记录编号")
# The last column of an accounting record's export (``RecordExport.marked``).
STATUS = Column(gettext_lazy("状态"), width=30)

# key → the export class, as the apps register them (``redcross.registry``). The four ledgers'
# keys are a contract of ``export_ledger``.
EXPORTS = registry["exports"]
LEDGERS = ("donations", "disbursements", "expenditures", "funds", "goods")


def export_class(key):
    """The export named ``key``; ``KeyError`` for a name that is none."""
    return EXPORTS[key]


class RecordExport:
    """One list's export: its title, columns, and the rows of a filtered queryset.

    ``access`` is the Access of the person the workbook is made for: it decides which records are
    in it (those they may read) and whether ID and phone numbers are shown in full.
    """

    key = ""
    title = ""
    model = None
    filterset_class = None
    columns = []
    ordering = ("date", "pk")

    def __init__(self, access):
        self.access = access

    # --- what is exported ----------------------------------------------------------------------

    def base_queryset(self):
        return every(self.model).visible_to(self.access)

    def filterset(self, params):
        params = params if isinstance(params, QueryDict) else _query_dict(params)
        return self.filterset_class(params or None, queryset=self.base_queryset(), access=self.access)

    def filtered(self, params):
        """The filterset and the queryset it gives; a filter that does not validate is refused."""
        filterset = self.filterset(params)
        if filterset.is_bound and not filterset.is_valid():
            errors = [
                f"{filterset.filters[name].label if name in filterset.filters else name}: {message}"
                for name, messages in filterset.errors.items()
                for message in messages
            ]
            raise ValidationError(errors)
        return filterset, filterset.qs.order_by(*self.ordering)

    def count(self, queryset):
        return queryset.order_by().count()

    def rows(self, queryset):
        """The rows of ``queryset`` as tuples in the order of ``columns``."""
        raise NotImplementedError

    # --- what the workbook says about itself ---------------------------------------------------

    def meta(self, filterset, *, made_by, made_at):
        chapter = filterset.form.cleaned_data.get("chapter") if filterset.is_bound else None
        if chapter is not None:
            chapters = _("%(chapter)s（含下级）") % {"chapter": chapter.name}
        else:
            chapters = "、".join(c.name for c in self.access.chapters) + _("（含下级）")
        return [
            (_("红十字会"), chapters),
            (_("账簿"), str(self.title)),
            (_("期间"), self.period_text(filterset)),
            (_("筛选条件"), describe_filters(filterset, skip=("chapter", "date")) or _("无")),
            (_("导出时间"), timezone.localtime(made_at).strftime("%Y-%m-%d %H:%M:%S")),
            (_("导出人"), made_by),
        ]

    def period_text(self, filterset):
        value = filterset.form.cleaned_data.get("date") if filterset.is_bound else None
        return period_text(value)

    # --- writing -------------------------------------------------------------------------------

    def write(self, params, target, *, made_by, progress=None):
        """Writes the workbook of ``params`` (the page's query) to ``target``; returns ``Written``."""
        filterset, queryset = self.filtered(params)
        columns, rows = self.columns, self.rows(queryset)
        if self.correctable:
            rows = self.marked(queryset, rows)
        workbook = LedgerWorkbook(
            title=self.title,
            meta=self.meta(filterset, made_by=made_by, made_at=timezone.now()),
            columns=columns,
            progress=progress,
        )
        workbook.write(rows)
        return workbook.save(target)

    @property
    def correctable(self):
        return self.model is not None and issubclass(self.model, CorrectableModel)

    def marked(self, queryset, rows):
        """``rows`` with their last column, 状态 (``STATUS``), filled: a voided or pending record
        stays in the ledger, its figures left blank, so that the totals row sums what stands, as
        every other total does; a reversal (冲销) keeps its negative amounts but no count, and
        names the record it reverses."""
        model = self.model
        pk_at = next(i for i, c in enumerate(self.columns) if str(c.header) == str(RECORD_NUMBER))
        figures = [i for i, c in enumerate(self.columns[:-1]) if c.total]
        counts = [i for i in figures if self.columns[i].kind == INTEGER]
        marks = {}
        unusual = queryset.order_by().filter(~model.standing_q() | Q(reverses__isnull=False))
        fields = ["pk", "voided_at", "void_reason", "reverses"]
        if any(f.name == "pending" for f in model._meta.fields):
            fields.append("pending")
        for pk, voided_at, reason, reverses, *waiting in unusual.values_list(*fields).iterator(
            chunk_size=CHUNK_ROWS
        ):
            if voided_at is not None:
                marks[pk] = (figures, _("已作废：%(reason)s") % {"reason": reason})
            elif any(waiting):
                marks[pk] = (figures, _("待审批"))
            else:
                marks[pk] = (counts, _("冲销 #%(pk)s") % {"pk": reverses})
        reversed_by = dict(
            model.objects.filter(reverses__in=queryset.order_by().values("pk")).values_list("reverses", "pk")
        )
        valid = _("有效")
        for row in rows:
            pk = row[pk_at]
            blank, status = marks.get(pk, ((), valid))
            if pk in reversed_by:
                status = _("已冲销（冲销记录 #%(pk)s）") % {"pk": reversed_by[pk]}
            if blank:
                row = tuple(None if i in blank else value for i, value in enumerate(row))
            yield (*row, status)

    def filename(self, params=None):
        """The workbook's file name: chapter, ledger, period and the other filters, so that two
        exports of different filters never share a name: ``150525-救助支出明细账-2020年.xlsx``."""
        filterset, _queryset = self.filtered(params)
        cleaned = filterset.form.cleaned_data if filterset.is_bound else {}
        chapter = cleaned.get("chapter") or self.access.home_chapter
        period = period_words(*period_dates(cleaned.get("date")))
        parts = [chapter.code if chapter else "", str(self.title), period]
        chosen = "、".join(shown for _label, shown in filter_parts(filterset, skip=("chapter", "date")))
        if chosen:
            if len(chosen) > FILTERS_IN_NAME:
                digest = hashlib.sha1(chosen.encode()).hexdigest()[:6]
                chosen = f"{chosen[: FILTERS_IN_NAME - 8]}…{digest}"
            parts.append(chosen)
        name = "-".join(part for part in parts if part)
        return UNSAFE_IN_NAME.sub("_", name) + ".xlsx"

    # --- helpers for rows ----------------------------------------------------------------------

    def stream(self, queryset, *fields):
        """``values_list(*fields)`` of ``queryset``, read from the database in chunks."""
        return queryset.values_list(*fields).iterator(chunk_size=CHUNK_ROWS)

    def personal(self, kind):
        """A function showing a record's ``kind`` of personal data (``id_number``, ``phone``) as
        the user may see it: in full for the chapters whose personal data they see, else masked."""
        full = {c.pk for c in self.access.chapters if self.access.can_see_personal_data(c.pk)}
        mask = MASKS[kind]

        def shown(chapter_id, value):
            if not value:
                return ""
            return value if chapter_id in full else mask(value)

        return shown


def maker_name(user):
    """How a workbook names the person it was made for: their full name, else their login."""
    return user.get_full_name() or user.get_username()


def _query_dict(params):
    query = QueryDict(mutable=True)
    for key, value in (params or {}).items():
        if isinstance(value, list | tuple):
            query.setlist(key, [str(v) for v in value])
        elif value not in (None, ""):
            query[key] = str(value)
    return query


def period_dates(value):
    """A date range filter's value (a slice of datetimes) as (first day, last day); None for open ends."""

    def day(moment):
        if moment is None:
            return None
        if isinstance(moment, datetime.datetime):
            return timezone.localtime(moment).date() if timezone.is_aware(moment) else moment.date()
        return moment

    return day(getattr(value, "start", None)), day(getattr(value, "stop", None))


def period_text(value):
    """A date range filter's value as a line: ``2020-01-01 至 2020-12-31`` (open ends said so)."""
    start, stop = period_dates(value)
    if not start and not stop:
        return _("全部日期")
    start = start.strftime("%Y-%m-%d") if start else _("最早")
    stop = stop.strftime("%Y-%m-%d") if stop else _("最近")
    return _("%(start)s 至 %(stop)s") % {"start": start, "stop": stop}


def period_words(start, stop):
    """A period as a file name says it: ``2020年``, ``2020年上半年``, ``2020年3月``, else
    ``20200101-20200415``, ``20200302起``, ``截至20201231``, ``全部日期``."""
    if start and stop and start.year == stop.year:
        kinds = ((PeriodKind.YEAR, (1,)), (PeriodKind.HALF, (1, 2)), (PeriodKind.MONTH, range(1, 13)))
        for kind, parts in kinds:
            if any(period_bounds(kind, start.year, part) == (start, stop) for part in parts):
                return period_label(kind, start)
    if not start and not stop:
        return _("全部日期")
    if not stop:
        return _("%(start)s起") % {"start": f"{start:%Y%m%d}"}
    if not start:
        return _("截至%(stop)s") % {"stop": f"{stop:%Y%m%d}"}
    return f"{start:%Y%m%d}-{stop:%Y%m%d}"


# Characters no file name may hold on Windows, macOS or Linux, and how much of the filters it says.
UNSAFE_IN_NAME = re.compile(r'[\\/:*?"<>|\s]+')
FILTERS_IN_NAME = 24


def describe_filters(filterset, *, skip=()):
    """The filters in effect, in words: ``救助类别：重特大疾病救助；乡镇：大沁他拉镇``."""
    return "；".join(f"{label}：{shown}" for label, shown in filter_parts(filterset, skip=skip))


def filter_parts(filterset, *, skip=()):
    """The filters in effect as (label, value in words) pairs."""
    if not filterset.is_bound or not filterset.is_valid():
        return []
    parts = []
    for name, value in filterset.form.cleaned_data.items():
        if name in skip or value in (None, "", [], ()):
            continue
        field = filterset.form.fields[name]
        if isinstance(value, slice):
            shown = period_text(value)
        elif isinstance(value, bool):
            shown = _("是") if value else _("否")
        elif hasattr(field, "choices") and not hasattr(value, "pk"):
            shown = str(dict(field.choices).get(value, value))
        elif isinstance(value, datetime.date):
            shown = value.strftime("%Y-%m-%d")
        else:
            shown = str(value)
        parts.append((field.label, shown))
    return parts


YES = gettext_lazy("是")
NO = gettext_lazy("否")


class ChangeExport(RecordExport):
    """修改记录: every change to the books in the filtered set, field by field."""

    key = "changes"
    title = gettext_lazy("修改记录")
    ordering = ("at", "id")

    filterset_class = ChangeFilterSet
    columns = [
        Column(gettext_lazy("时间")),
        Column(gettext_lazy("红十字会")),
        Column(gettext_lazy("记录类型")),
        Column(gettext_lazy("记录编号"), INTEGER),
        Column(gettext_lazy("记录"), width=30),
        Column(gettext_lazy("操作")),
        Column(gettext_lazy("操作人")),
        Column(gettext_lazy("来源")),
        Column(gettext_lazy("修改内容"), width=80),
        # What the database holds, for an auditor checking the words against it.
        Column(gettext_lazy("原始来源"), width=30),
        Column(gettext_lazy("原始值"), width=60),
    ]

    def base_queryset(self):
        return Change.objects.filter(chapter_id__in=self.access.readable_chapters().values("pk"))

    def rows(self, queryset):
        chapters = dict(Chapter.objects.values_list("pk", "name"))
        actions = dict(ChangeAction.choices)
        chunk = []
        for change in queryset.iterator(chunk_size=CHUNK_ROWS):
            chunk.append(change)
            if len(chunk) == CHUNK_ROWS:
                yield from self._rows(chunk, chapters, actions)
                chunk = []
        yield from self._rows(chunk, chapters, actions)

    def _rows(self, chunk, chapters, actions):
        # The names the changes refer to, read once a chunk (one query per kind of record).
        for change in described(chunk, self.access):
            yield (
                timezone.localtime(change.at).strftime("%Y-%m-%d %H:%M:%S"),
                chapters.get(change.chapter_id, ""),
                change.kind,
                change.record_id,
                change.record_name,
                str(actions.get(change.action, change.action)),
                str(change.who),
                change.origin.text,
                "；".join(f"{f.label}：{f.before} → {f.after}" for f in change.fields),
                change.source,
                "；".join(f"{f.label}：{f.raw}" for f in change.fields if f.raw),
            )

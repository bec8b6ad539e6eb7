"""What every kept summary (totals kept as the records change, never entered) shares.

A summary row is rebuilt from its records whenever one of them is written; two writers of the
same rows at once must not both rebuild from what they each see.

``DayTotals`` keeps one kind of record's totals per chapter, day, status and the dimensions its
list filters by: a list's totals line, its line of what waits for approval and its count of rows
are then sums over a few kept rows per day instead of over every record (issue 19). Each kept
table registers itself (``keep``); the records' saves and deletes refresh the days they touch,
and a bulk write (an import, its undo, the benchmark's generator) calls ``refresh_records`` or
``rebuild``.
"""

import datetime
import functools
import hashlib
import operator
from dataclasses import dataclass, field

from django.db import connection, migrations, models, transaction
from django.db.models import Case, Count, DateField, Q, Sum, Value, When
from django.db.models.functions import Coalesce, TruncMonth, TruncYear
from django.db.models.signals import post_delete, post_save, pre_save

from .choices import RecordStatus


def kept_lock(*names):
    """Serializes the writers of the same summary rows until their transaction ends.

    Two payments of the same day saved at once on PostgreSQL would each delete the day's row and
    sum the payments they see, and both sums would stand. SQLite writes one transaction at a time.
    ``names`` are tuples naming the rows (the summary's name first); the locks are taken in one
    order, so two writers never wait on each other.
    """
    if connection.vendor != "postgresql":
        return
    keys = sorted(
        {
            int.from_bytes(hashlib.blake2b(repr(name).encode(), digest_size=8).digest(), "big", signed=True)
            for name in names
        }
    )
    with connection.cursor() as cursor:
        for key in keys:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


class KeptDay(models.Model):
    """The columns every table of ``DayTotals`` has: a chapter's day, the records' status
    (``RecordStatus``: standing here means standing and no reversal) and how many records."""

    chapter = models.ForeignKey("redcross.Chapter", on_delete=models.CASCADE, related_name="+")
    date = models.DateField()
    status = models.CharField(max_length=10, choices=RecordStatus.choices)
    # Sums of many records: wider than any one record's figure.
    rows = models.PositiveBigIntegerField()

    class Meta:
        abstract = True


def month_table(day_model, name):
    """A table beside ``day_model`` (a ``KeptDay``) holding the same sums per month (``date``: the
    month's first day): a list over ten years sums 120 rows per chapter and dimension rather than
    3,650. Declared in the app's models module (``XMonth = month_table(XDay, "XMonth")``)."""
    return _rollup_table(day_model, name, "month", "%Y-%m")


def year_table(day_model, name):
    """A table beside ``day_model`` holding the same sums per year (``date``: the 1st of January),
    for sums read over many years at once (every project's spending to date): ten rows per
    dimension for a decade rather than 120 months."""
    return _rollup_table(day_model, name, "year", "%Y")


def _rollup_table(day_model, name, unit, label):
    kept = {"id", "chapter", "date", "status", "rows"}
    attributes = {"__module__": day_model.__module__, "__qualname__": name}
    for day_field in day_model._meta.local_fields:
        if day_field.name in kept:
            continue
        if day_field.is_relation:  # cloned by hand: the models are still loading
            attributes[day_field.name] = models.ForeignKey(
                day_field.remote_field.model, null=day_field.null, on_delete=models.CASCADE, related_name="+"
            )
        else:
            attributes[day_field.name] = day_field.clone()
    index = models.Index(fields=["chapter", "date"], name=f"{name.lower()[:17]}_chapter_date")
    attributes["Meta"] = type("Meta", (), {"indexes": [index]})
    attributes["__doc__"] = f"Derived, never entered: the sums of ``{day_model.__name__}`` per {unit}."
    attributes["__str__"] = lambda self: f"{self.chapter_id} {self.date:{label}} {self.status}"
    return type(name, (KeptDay,), attributes)


def month_start(day):
    return day.replace(day=1)


def next_month(day):
    return (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def as_date(day):
    """``day`` as a date (a date filter may hand a datetime), None as None."""
    return day.date() if isinstance(day, datetime.datetime) else day


def year_start(day):
    return day.replace(month=1, day=1)


def year_after(day):
    return datetime.date(day.year + 1, 1, 1)


def status_of(model):
    """The status (``RecordStatus``) of each record of ``model`` as a database expression."""
    names = {f.name for f in model._meta.get_fields()}
    whens = []
    if "voided_at" in names:
        whens.append(When(voided_at__isnull=False, then=Value(RecordStatus.VOIDED.value)))
    if "pending" in names:
        whens.append(When(pending=True, then=Value(RecordStatus.PENDING.value)))
    if "reverses" in names:
        whens.append(When(reverses__isnull=False, then=Value(RecordStatus.REVERSAL.value)))
    if not whens:
        return Value(RecordStatus.STANDING.value)
    return Case(*whens, default=Value(RecordStatus.STANDING.value))


# What a list's status filter selects, in kept statuses.
STATUS_SELECTS = {
    RecordStatus.STANDING: [RecordStatus.STANDING, RecordStatus.REVERSAL],
    RecordStatus.VOIDED: [RecordStatus.VOIDED],
    RecordStatus.PENDING: [RecordStatus.PENDING],
    RecordStatus.REVERSAL: [RecordStatus.REVERSAL],
}
COUNTED = [RecordStatus.STANDING, RecordStatus.REVERSAL]  # what counts in a total


@dataclass
class DayTotals:
    """The totals of ``records`` (a model with ``chapter`` and its ``date_field``) kept in
    ``table`` (a ``KeptDay``) per chapter, day, status and ``dimensions`` (fields of both, e.g.
    category and fund). ``sums``: the table's figure → its aggregate over the records.
    ``filters``: a list filter's name → the table's field it selects by (the dimensions by their
    own names); a list filtered by anything else is summed from its records."""

    table: type
    records: type
    dimensions: tuple = ()
    sums: dict = field(default_factory=dict)
    filters: dict = field(default_factory=dict)
    # The same sums per month (``month_table``), kept with the days: read for the whole months of
    # a period (``span``).
    months: type = None
    # And per year (``year_table``), where sums over many years are read (needs ``months``).
    years: type = None

    @property
    def date_field(self):
        return self.records.date_field

    def every_record(self):
        manager = getattr(self.records, "all_objects", self.records._default_manager)
        return manager.all()

    def _grouped(self, records):
        """``records`` grouped as the table keeps them, and the table's columns, each with the
        name of the grouped query's column that fills it."""
        sums = {
            name: Coalesce(expression, Value(0), output_field=self.table._meta.get_field(name).clone())
            for name, expression in self.sums.items()
        }
        grouped = (
            records.order_by()
            .annotate(kept_status=status_of(self.records))
            .values("chapter", self.date_field, "kept_status", *self.dimensions)
            .annotate(kept_rows=Count("pk"), **sums)
        )
        columns = {
            "chapter_id": "chapter",
            "date": self.date_field,
            "status": "kept_status",
            "rows": "kept_rows",
        }
        for name in (*self.dimensions, *self.sums):
            columns[self.table._meta.get_field(name).column] = name
        return grouped, columns

    def rows_from(self, records):
        """The table's rows summing ``records`` (unsaved)."""
        grouped, columns = self._grouped(records)
        attributes = {field.column: field.attname for field in self.table._meta.concrete_fields}
        return [self.table(**{attributes[c]: row[n] for c, n in columns.items()}) for row in grouped]

    def _insert_from(self, records):
        """Writes the rows summing ``records`` in one INSERT … SELECT: the database sums, nothing
        travels."""
        grouped, columns = self._grouped(records)
        sql, params = grouped.query.sql_with_params()
        quote = connection.ops.quote_name
        into = ", ".join(quote(column) for column in columns)
        selected = ", ".join(quote(name) for name in columns.values())
        table = quote(self.table._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {table} ({into}) SELECT {selected} FROM ({sql}) kept", params)

    def _insert_months(self, days):
        """Writes the month rows summing the day rows ``days`` (INSERT … SELECT)."""
        self._insert_rollup(self.months, "month", days)

    def _insert_rollup(self, table, unit, rows):
        """Writes ``table``'s rows (``unit``: month or year) summing the kept rows ``rows`` (of
        the days or the months table) in one INSERT … SELECT."""
        trunc = {"month": TruncMonth, "year": TruncYear}[unit]
        sums = {f"kept_{name}": Sum(name) for name in self.sums}
        grouped = (
            rows.order_by()
            .annotate(kept_period=trunc("date", output_field=DateField()))
            .values("chapter", "kept_period", "status", *self.dimensions)
            .annotate(kept_rows=Sum("rows"), **sums)
        )
        columns = {"chapter_id": "chapter", "date": "kept_period", "status": "status", "rows": "kept_rows"}
        for name in self.dimensions:
            columns[table._meta.get_field(name).column] = name
        for name in self.sums:
            columns[table._meta.get_field(name).column] = f"kept_{name}"
        sql, params = grouped.query.sql_with_params()
        quote = connection.ops.quote_name
        into = ", ".join(quote(column) for column in columns)
        selected = ", ".join(quote(name) for name in columns.values())
        with connection.cursor() as cursor:
            table_name = quote(table._meta.db_table)
            cursor.execute(f"INSERT INTO {table_name} ({into}) SELECT {selected} FROM ({sql}) kept", params)

    def span(self, start=None, end=None):
        """Querysets of kept rows that together cover ``start``..``end`` (either open) once: the
        years wholly inside from the years table (if kept), the months wholly inside the rest from
        the months table, the days around them from the days table; at most one query of each."""
        start, end = as_date(start), as_date(end)
        days = self.table.objects.all()
        if self.months is None:
            if start is not None:
                days = days.filter(date__gte=start)
            if end is not None:
                days = days.filter(date__lte=end)
            return [days]
        years, ranges = None, [(start, end)]
        if self.years is not None:
            first = None if start is None else (start if start == year_start(start) else year_after(start))
            after = None if end is None else year_start(end + datetime.timedelta(days=1))
            if first is None or after is None or first < after:
                years, ranges = Q(), []
                if first is not None:
                    years &= Q(date__gte=first)
                    if start != first:
                        ranges.append((start, first - datetime.timedelta(days=1)))
                if after is not None:
                    years &= Q(date__lt=after)
                    if after <= end:
                        ranges.append((after, end))
        months, edges = [], []
        for low, high in ranges:
            month, day = self._month_cover(low, high)
            months += month
            edges += day
        parts = []
        if years is not None:
            parts.append(self.years.objects.filter(years))
        if months:
            parts.append(self.months.objects.filter(functools.reduce(operator.or_, months)))
        if edges:
            parts.append(days.filter(functools.reduce(operator.or_, edges)))
        return parts

    @staticmethod
    def _month_cover(start, end):
        """([condition on the months table], [conditions on the days table]) covering
        ``start``..``end`` (either open): the whole months inside, and the days around them."""
        first = None if start is None else (start if start.day == 1 else next_month(start))
        after = None if end is None else month_start(end + datetime.timedelta(days=1))
        if first is not None and after is not None and first >= after:
            return [], [Q(date__gte=start, date__lte=end)]
        months = Q()
        if first is not None:
            months &= Q(date__gte=first)
        if after is not None:
            months &= Q(date__lt=after)
        edges = []
        if start is not None and start != first:
            edges.append(Q(date__gte=start, date__lt=first))
        if end is not None and after <= end:
            edges.append(Q(date__gte=after, date__lte=end))
        return [months], edges

    @transaction.atomic
    def refresh(self, days):
        """Rebuilds the rows of ``days`` ((chapter id, date) pairs) from their records."""
        days = {day for day in days if day[0] is not None and day[1] is not None}
        if not days:
            return
        kept_lock(*((self.table._meta.label, chapter, date) for chapter, date in days))
        for chapter, date in sorted(days):
            self.table.objects.filter(chapter=chapter, date=date).delete()
            self._insert_from(self.every_record().filter(chapter=chapter, **{self.date_field: date}))
        if self.months is not None:
            months = {(chapter, month_start(date)) for chapter, date in days}
            kept_lock(*((self.months._meta.label, chapter, month) for chapter, month in months))
            for chapter, month in sorted(months):
                self.months.objects.filter(chapter=chapter, date=month).delete()
                self._insert_months(
                    self.table.objects.filter(chapter=chapter, date__gte=month, date__lt=next_month(month))
                )
        if self.years is not None:
            years = {(chapter, year_start(date)) for chapter, date in days}
            kept_lock(*((self.years._meta.label, chapter, year) for chapter, year in years))
            for chapter, year in sorted(years):
                self.years.objects.filter(chapter=chapter, date=year).delete()
                self._insert_rollup(
                    self.years,
                    "year",
                    self.months.objects.filter(chapter=chapter, date__gte=year, date__lt=year_after(year)),
                )

    @transaction.atomic
    def rebuild(self, *, chapters=None):
        """Rebuilds the table for ``chapters`` (ids or a queryset; every chapter when None)."""
        records, stale = self.every_record(), self.table.objects.all()
        if chapters is not None:
            records, stale = records.filter(chapter__in=chapters), stale.filter(chapter__in=chapters)
        stale._raw_delete(stale.db)
        self._insert_from(records)
        if self.months is not None:
            days, stale = self.table.objects.all(), self.months.objects.all()
            if chapters is not None:
                days, stale = days.filter(chapter__in=chapters), stale.filter(chapter__in=chapters)
            stale._raw_delete(stale.db)
            self._insert_months(days)
        if self.years is not None:
            months, stale = self.months.objects.all(), self.years.objects.all()
            if chapters is not None:
                months, stale = months.filter(chapter__in=chapters), stale.filter(chapter__in=chapters)
            stale._raw_delete(stale.db)
            self._insert_rollup(self.years, "year", months)

    @transaction.atomic
    def replace(self, stale, fill):
        """For a table of firsts (its records: who first appeared on which day, rewritten in bulk
        rather than saved one by one): deletes ``stale`` (a queryset of them), calls ``fill()``,
        which inserts their successors and returns them as a queryset, and refreshes the day
        counts of both."""
        days = set(stale.order_by().values_list("chapter", self.date_field).distinct())
        stale._raw_delete(stale.db)  # in one statement: the day counts are refreshed below
        days |= set(fill().order_by().values_list("chapter", self.date_field).distinct())
        self.refresh(days)

    def refresh_records(self, ids):
        """Refreshes the days of the records ``ids`` (after a bulk insert or update)."""
        from .filters import ids_q

        days = set(
            self.every_record()
            .filter(ids_q(sorted(ids)))
            .order_by()
            .values_list("chapter", self.date_field)
            .distinct()
        )
        self.refresh(days)

    # --- keeping ------------------------------------------------------------------------------

    def _day(self, record):
        return (record.chapter_id, getattr(record, self.date_field))

    def _before_save(self, sender, instance, raw=False, **kwargs):
        instance._kept_days_before = set()
        if instance.pk is not None and not raw:
            row = sender._base_manager.filter(pk=instance.pk).values_list("chapter", self.date_field).first()
            if row is not None:
                instance._kept_days_before = {row}

    def _after_save(self, sender, instance, raw=False, **kwargs):
        if not raw:
            self.refresh({self._day(instance), *getattr(instance, "_kept_days_before", ())})

    def _after_delete(self, sender, instance, **kwargs):
        self.refresh({self._day(instance)})

    # --- reading -------------------------------------------------------------------------------

    def rows_for(self, filterset):
        """The kept rows answering ``filterset`` (a bound, valid list FilterSet) as a list of
        querysets (``span``: months and days), or None when it filters by something the table
        does not keep (free text, a person, a batch …)."""
        from .models import Chapter

        condition = filterset.access.readable_q("chapter__path")
        data = filterset.form.cleaned_data if filterset.is_bound else {}
        start = end = None
        for name, value in data.items():
            if value in (None, "", [], ()) or (isinstance(value, slice) and value == slice(None, None)):
                continue
            if name == "chapter":
                condition &= Q(chapter__in=Chapter.objects.filter(path__startswith=value.path).values("pk"))
            elif name == "date":
                start, end = value.start, value.stop
            elif name == "status":
                condition &= Q(status__in=STATUS_SELECTS[RecordStatus(value)])
            elif name in self.dimensions:
                condition &= Q(**{name: value})
            elif name in self.filters:
                condition &= Q(**{self.filters[name]: value})
            else:
                return None
        return [part.filter(condition) for part in self.span(start, end)]

    def figures(self, rows):
        """``rows`` (``rows_for``) summed, a query per part: how many records they hold (``rows``),
        and the count and every sum of what counts (``counted``: standing records and reversals)
        and of what waits for approval (``pending``)."""
        counted, pending = Q(status__in=COUNTED), Q(status=RecordStatus.PENDING)
        aggregates = {"all_rows": Sum("rows")}
        for prefix, condition in (("counted", counted), ("pending", pending)):
            aggregates[f"{prefix}__count"] = Sum("rows", filter=condition)
            for name in self.sums:
                aggregates[f"{prefix}__{name}"] = Sum(name, filter=condition)
        figures = {"rows": 0, "counted": {}, "pending": {}}
        for part in rows:
            row = part.order_by().aggregate(**aggregates)
            figures["rows"] += row["all_rows"] or 0
            for key, value in row.items():
                if "__" in key:
                    prefix, name = key.split("__", 1)
                    figures[prefix][name] = figures[prefix].get(name, 0) + (value or 0)
        return figures


KEPT = {}  # record model → its DayTotals
FOLLOWERS = {}  # record model → what else a bulk write of its records refreshes (ids → None)


def keep(totals, *, follow=None, signals=True):
    """Registers ``totals`` (a ``DayTotals``): every save and delete of its records refreshes the
    days they were and are on. ``follow(ids)``: what else a bulk write of records ``ids`` must
    refresh (the firsts of the people they name). ``signals=False`` for records only ever
    rewritten in bulk (firsts: ``DayTotals.replace`` refreshes their days), which are then only
    rebuilt with the rest. Called in the app's ``ready()``."""
    KEPT[totals.records] = totals
    if follow is not None:
        FOLLOWERS[totals.records] = follow
    if not signals:
        return totals
    uid = f"kept:{totals.table._meta.label}"
    pre_save.connect(totals._before_save, sender=totals.records, weak=False, dispatch_uid=uid)
    post_save.connect(totals._after_save, sender=totals.records, weak=False, dispatch_uid=uid)
    post_delete.connect(totals._after_delete, sender=totals.records, weak=False, dispatch_uid=uid)
    return totals


def refresh_kept(model, ids):
    """After a bulk write of ``model``'s records ``ids``: their days' kept totals (if kept)."""
    totals = KEPT.get(model)
    if totals is not None and ids:
        totals.refresh_records(ids)
        if model in FOLLOWERS:
            FOLLOWERS[model](ids)


def rebuild_kept(*, chapters=None):
    """Every kept table rebuilt for ``chapters`` (the benchmark's generator, a repair)."""
    for totals in KEPT.values():
        totals.rebuild(chapters=chapters)


def fill_months(app_label, day_name, month_name, unit="month"):
    """A migration operation writing the month rows of a ``month_table`` from its day table's rows
    (the sums: its numbers; the dimensions: the other columns); with ``unit="year"``, the rows of
    a ``year_table`` (from the day or the month table)."""

    def fill(apps, schema_editor):
        days, months = apps.get_model(app_label, day_name), apps.get_model(app_label, month_name)
        quote = schema_editor.connection.ops.quote_name
        dimensions, sums = ["chapter_id", "status"], ["rows"]
        for day_field in days._meta.local_fields:
            if day_field.name in {"id", "date", "chapter", "status", "rows"}:
                continue
            numeric = isinstance(day_field, (models.DecimalField, models.PositiveBigIntegerField))
            (sums if numeric else dimensions).append(day_field.column)
        if schema_editor.connection.vendor == "postgresql":
            month = f"CAST(date_trunc('{unit}', date) AS date)"
        else:
            month = f"date(date, 'start of {unit}')"
        grouped = ", ".join(quote(c) for c in dimensions)
        summed = ", ".join(f"SUM({quote(c)})" for c in sums)
        into = ", ".join(quote(c) for c in [*dimensions, "date", *sums])
        source = quote(days._meta.db_table)
        schema_editor.execute(
            f"INSERT INTO {quote(months._meta.db_table)} ({into})"
            f" SELECT {grouped}, {month}, {summed} FROM {source} GROUP BY {grouped}, {month}"
        )

    def empty(apps, schema_editor):
        apps.get_model(app_label, month_name).objects.all().delete()

    return migrations.RunPython(fill, empty)

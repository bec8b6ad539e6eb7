"""Checks every kept summary of ``redcross.kept`` against the records themselves: the rows the
table holds are exactly those its records would give if it were built again now."""

from redcross.kept import KEPT


def kept_rows(totals, rows):
    """Kept rows as a comparable set: (chapter, date, status, dimensions…, count, sums…)."""
    fields = ["chapter_id", "date", "status"]
    fields += [
        f"{name}_id" if totals.table._meta.get_field(name).is_relation else name for name in totals.dimensions
    ]
    fields += ["rows", *totals.sums]
    found = [tuple(getattr(row, name) for name in fields) for row in rows]
    # None (a null fund) sorts last; an empty text (no category) stays text.
    return sorted(found, key=lambda values: tuple((v is None, 0 if v is None else v) for v in values))


def month_rows(totals, days, year=False):
    """The month rows ``days`` (comparable kept rows) sum to, comparable the same way; with
    ``year``, the year rows."""
    months = {}
    for chapter, date, status, *rest in days:
        width = len(totals.dimensions)
        period = date.replace(month=1, day=1) if year else date.replace(day=1)
        key = (chapter, period, status, *rest[:width])
        figures = rest[width:]
        months[key] = [a + b for a, b in zip(months.get(key, [0] * len(figures)), figures, strict=True)]
    found = [(*key, *figures) for key, figures in months.items()]
    return sorted(found, key=lambda values: tuple((v is None, 0 if v is None else v) for v in values))


def assert_kept_true(model=None):
    """Every kept table (or ``model``'s) equals its records' own sums, per day, month and year."""
    for records, totals in KEPT.items():
        if model is not None and records is not model:
            continue
        expected = kept_rows(totals, totals.rows_from(totals.every_record()))
        assert kept_rows(totals, totals.table.objects.all()) == expected, totals.table.__name__
        if totals.months is not None:
            found = kept_rows(totals, totals.months.objects.all())
            assert found == month_rows(totals, expected), totals.months.__name__
        if totals.years is not None:
            found = kept_rows(totals, totals.years.objects.all())
            assert found == month_rows(totals, expected, year=True), totals.years.__name__

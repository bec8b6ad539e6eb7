"""Keyset ("seek") pagination: a page is the rows after (or before) the last row of the page before,
found through the index that orders the list, never by counting the rows or skipping the ones
before it. A list of ten million rows costs the same on its first page, its 2,000th and its last.

A page is addressed by a cursor holding the ordering values of the row it continues from
(``?after=…`` for the next page, ``?before=…`` for the previous one, ``?page=last`` for the last);
a cursor is read back field by field, so a forged one is a Chinese 400, never a database error.

A list ordered by something else than the model's own non-null columns (a related field, a
nullable date) cannot be sought: it is paged by Django's Paginator, as before (such lists are the
short ones: funds, drives, members).
"""

import base64
import binascii
import json

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.utils.translation import gettext as _

from .params import BadParameter

LAST = "last"


def seek_ordering(queryset):
    """The list's ordering as (field, descending) pairs ending in the primary key, or None when
    it cannot be sought (an ordering over a relation, an expression, or a nullable column)."""
    model = queryset.model
    ordering = queryset.query.order_by or model._meta.ordering
    pairs = []
    for item in ordering:
        if not isinstance(item, str) or "__" in item or item == "?":
            return None
        descending = item.startswith("-")
        name = item.lstrip("-")
        try:
            field = model._meta.pk if name == "pk" else model._meta.get_field(name)
        except FieldDoesNotExist:
            return None
        if getattr(field, "null", True) or not getattr(field, "concrete", False) or field.is_relation:
            return None
        pairs.append((field, descending))
        if field.primary_key:
            return pairs
    if not pairs:
        return None
    return [*pairs, (model._meta.pk, pairs[-1][1])]


class KeysetPage:
    """One page of a sought list, shaped as a template reads Django's pages."""

    def __init__(self, rows, *, has_next, has_previous, paginator):
        self.object_list = rows
        self.has_next = has_next
        self.has_previous = has_previous
        self.paginator = paginator
        self.is_first = not has_previous

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self):
        return len(self.object_list)

    @property
    def next_cursor(self):
        return self.paginator.cursor(self.object_list[-1]) if self.has_next and self.object_list else None

    @property
    def previous_cursor(self):
        return self.paginator.cursor(self.object_list[0]) if self.has_previous and self.object_list else None


class KeysetPaginator:
    """Pages ``queryset`` in the order ``pairs`` (from ``seek_ordering``), ``per_page`` at a time.

    ``count`` is what the caller knows of the rows (from kept totals), or None: nothing is
    counted here.
    """

    keyset = True

    def __init__(self, queryset, pairs, per_page, *, count=None):
        self.pairs = pairs
        self.per_page = per_page
        self.count = count
        self.queryset = queryset.order_by(*self._order(reverse=False))

    def _order(self, *, reverse):
        return [("-" if descending != reverse else "") + field.attname for field, descending in self.pairs]

    # --- cursors ---------------------------------------------------------------------------

    def cursor(self, row):
        values = [field.value_to_string(row) for field, _descending in self.pairs]
        return base64.urlsafe_b64encode(json.dumps(values, ensure_ascii=False).encode()).decode().rstrip("=")

    def read_cursor(self, token):
        """The ordering values a cursor holds, each read as its column's type."""
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
            values = json.loads(raw.decode())
            if not isinstance(values, list) or len(values) != len(self.pairs):
                raise ValueError
            read = []
            for (field, _descending), value in zip(self.pairs, values, strict=True):
                if not isinstance(value, str) or "\x00" in value:
                    raise ValueError
                value = field.to_python(value)
                field.run_validators(value)  # an integer beyond the database's bigint, a date out of range
                read.append(value)
            return read
        except (ValueError, TypeError, UnicodeError, binascii.Error, ValidationError, OverflowError) as error:
            raise BadParameter(_("分页参数无效：请从列表的第一页重新翻页")) from error

    def _beyond(self, values, *, reverse):
        """Rows after ``values`` in the list's order (before them when ``reverse``).

        The first column is also bounded on its own (``date <= d``), so that the index ordering
        the list is entered at the cursor rather than scanned from its start.
        """
        condition = Q()
        equal = {}
        for (field, descending), value in zip(self.pairs, values, strict=True):
            towards = "lt" if descending != reverse else "gt"
            condition |= Q(**equal, **{f"{field.attname}__{towards}": value})
            equal[field.attname] = value
        first_field, first_descending = self.pairs[0]
        bound = "lte" if first_descending != reverse else "gte"
        return Q(**{f"{first_field.attname}__{bound}": values[0]}) & condition

    # --- pages -----------------------------------------------------------------------------

    def page(self, *, after=None, before=None, last=False):
        if before is not None:
            values = self.read_cursor(before)
            rows = list(
                self.queryset.filter(self._beyond(values, reverse=True)).order_by(*self._order(reverse=True))[
                    : self.per_page + 1
                ]
            )
            more = len(rows) > self.per_page
            rows = rows[: self.per_page][::-1]
            return KeysetPage(rows, has_next=True, has_previous=more, paginator=self)
        if last:
            rows = list(self.queryset.order_by(*self._order(reverse=True))[: self.per_page + 1])
            more = len(rows) > self.per_page
            rows = rows[: self.per_page][::-1]
            return KeysetPage(rows, has_next=False, has_previous=more, paginator=self)
        queryset = self.queryset
        if after is not None:
            queryset = queryset.filter(self._beyond(self.read_cursor(after), reverse=False))
        rows = list(queryset[: self.per_page + 1])
        more = len(rows) > self.per_page
        return KeysetPage(
            rows[: self.per_page], has_next=more, has_previous=after is not None, paginator=self
        )


def paginate(queryset, per_page, params, *, count=None):
    """(paginator, page) of ``queryset`` for a request's GET ``params``: sought where the list's
    order allows, else Django's Paginator (``?page=N``)."""
    pairs = seek_ordering(queryset)
    if pairs is None:
        paginator = Paginator(queryset, per_page)
        return paginator, paginator.get_page(params.get("page"))
    paginator = KeysetPaginator(queryset, pairs, per_page, count=count)
    after, before = params.get("after") or None, params.get("before") or None
    page = paginator.page(
        after=after, before=before, last=params.get("page") == LAST and not (after or before)
    )
    return paginator, page

"""A disclosure's list as Excel, through the one Excel writer, from the lines as stored (a
published version's) or as computed (a draft's)."""

import datetime
import io
from decimal import Decimal

from django.http import HttpResponse
from django.utils.translation import gettext as _

from redcross.excel import DATE, INTEGER, MONEY, NUMBER, TEXT, Column, LedgerWorkbook

KINDS = {"date": DATE, "money": MONEY, "count": INTEGER, "quantity": NUMBER, "text": TEXT}


def _value(value, kind):
    if value in ("", None):
        return None if kind != "text" else ""
    if kind == "date":
        return datetime.date.fromisoformat(value)
    if kind in ("money", "quantity"):
        return Decimal(value)
    if kind == "count":
        return int(value)
    return str(value)


def section_workbook(content, key, *, meta=()):
    """The workbook of the section ``key`` of ``content``, or None when it has no such section."""
    section = next((s for s in content["sections"] if s["key"] == key), None)
    if section is None:
        return None
    columns = [Column(c["label"], KINDS.get(c["kind"], TEXT), total=c["total"]) for c in section["columns"]]
    book = LedgerWorkbook(
        title=section["title"],
        meta=[(_("标题"), content["title"]), (_("截止日期"), content["as_of"]), *meta],
        columns=columns,
    )
    kinds = [c["kind"] for c in section["columns"]]
    book.write([_value(v, k) for v, k in zip(row, kinds, strict=True)] for row in section["rows"])
    target = io.BytesIO()
    book.save(target)
    return target.getvalue()


def xlsx_response(data, filename):
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response

"""Goods in Excel: 物资收发存明细账, the fifth ledger of ``export_ledger`` (``--ledger goods``).

Per lot (入库批次), in the order the lots arrived: its opening balance (期初结存) when it arrived
before the period, its receipt (入库) when it arrived in it, every issue (出库: to whom, a
person's ID number masked as in the relief ledger) and stock count adjustment (盘点调整) of the
period with the balance after it, and its closing balance (期末结存). Each lot closes at its
opening plus receipts less issues, and the closing balances together are the stock page's on
hand at the period's end. Lots and movements are streamed from three ordered queries and merged
here, so memory stays flat however many lots there are.
"""

import datetime
import heapq
from decimal import Decimal
from types import SimpleNamespace

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from redcross.excel import DATE, INTEGER, MONEY, NUMBER, Column
from redcross.exports import CHUNK_ROWS, RecordExport, period_dates

from .choices import RELIEF_KINDS, IssueKind, LotOrigin
from .filtersets import GoodsLedgerFilterSet
from .models import Lot
from .selectors import RELIEF_RECIPIENTS, ledger_lots, ledger_movements

ZERO = Decimal("0.00")
# The first and last day a ledger without a period runs over.
EARLIEST, LATEST = datetime.date(1900, 1, 1), datetime.date(9999, 12, 31)


class GoodsLedger(RecordExport):
    """物资收发存明细账: every lot's opening balance, receipts, issues, adjustments and closing
    balance in the period, quantities and values."""

    key = "goods"
    title = gettext_lazy("物资收发存明细账")
    model = Lot
    filterset_class = GoodsLedgerFilterSet
    ordering = ("date", "pk")
    columns = [
        Column(gettext_lazy("物资名称")),
        Column(gettext_lazy("规格型号")),
        Column(gettext_lazy("计量单位")),
        Column(gettext_lazy("红十字会")),
        Column(gettext_lazy("库房")),
        Column(gettext_lazy("所属基金")),
        Column(gettext_lazy("入库批次"), INTEGER),
        Column(gettext_lazy("日期"), DATE),
        Column(gettext_lazy("摘要")),
        Column(gettext_lazy("来源/去向"), width=30),
        Column(gettext_lazy("身份证号")),
        Column(gettext_lazy("收入数量"), NUMBER),
        Column(gettext_lazy("收入金额"), MONEY, total=True),
        Column(gettext_lazy("发出数量"), NUMBER),
        Column(gettext_lazy("发出金额"), MONEY, total=True),
        Column(gettext_lazy("结存数量"), NUMBER),
        Column(gettext_lazy("结存金额"), MONEY),
        Column(gettext_lazy("记录编号"), INTEGER),
    ]

    @property
    def correctable(self):
        return False  # only what stands is in the ledger: voided lots, issues and counts move nothing

    def base_queryset(self):
        return Lot.objects.visible_to(self.access)

    def filtered(self, params):
        filterset, queryset = super().filtered(params)
        start, end = period_dates(filterset.form.cleaned_data.get("date") if filterset.is_bound else None)
        self._start, self._end = start or EARLIEST, end or LATEST
        return filterset, ledger_lots(queryset, start=self._start, end=self._end).order_by("date", "pk")

    def count(self, queryset):
        lines, adjustments = ledger_movements(queryset, start=self._start, end=self._end)
        return 2 * queryset.order_by().count() + lines.order_by().count() + adjustments.order_by().count()

    def rows(self, queryset):
        start, end = self._start, self._end
        lines, adjustments = ledger_movements(queryset, start=start, end=end)
        moves = heapq.merge(
            (("line", row) for row in self._lines_with_recipients(lines)),
            (("adjustment", row) for row in adjustments.iterator(chunk_size=CHUNK_ROWS)),
            key=lambda move: (move[1][0], move[1][1], move[1][2], move[0] == "adjustment", move[1][3]),
        )
        pending = next(moves, None)
        labels = {
            "opening": _("期初结存"),
            "closing": _("期末结存"),
            "adjustment": _("盘点调整"),
            "reversal": _("冲销出库"),
            "anonymous": _("（匿名）"),
        }
        origins = dict(LotOrigin.choices)
        kinds = dict(IssueKind.choices)
        fields = (
            "pk", "date", "quantity", "total_value", "origin", "opening", "opening_value", "item__name",
            "item__specification", "item__unit", "chapter__name", "store__name", "fund__name",
            "donation__donor__name", "donation__anonymous", "origin_chapter__name", "supplier",
        )  # fmt: skip
        for row in queryset.values_list(*fields).iterator(chunk_size=CHUNK_ROWS):
            (pk, arrived, quantity, value, origin, opening, opening_value, item, spec, unit, chapter, store,
             fund, donor, anonymous, origin_chapter, supplier) = row  # fmt: skip
            head = (item, spec, unit, chapter, store, fund, pk)
            balance, balance_value = Decimal(opening), Decimal(opening_value)
            if arrived < start:
                yield (
                    *head,
                    start,
                    labels["opening"],
                    "",
                    "",
                    None,
                    None,
                    None,
                    None,
                    balance,
                    balance_value,
                    None,
                )
            else:
                party = donor or origin_chapter or supplier or ""
                if donor and anonymous:
                    party += labels["anonymous"]
                balance, balance_value = quantity, value
                yield (
                    *head,
                    arrived,
                    str(origins.get(origin, origin)),
                    party,
                    "",
                    quantity,
                    value,
                    None,
                    None,
                    balance,
                    balance_value,
                    pk,
                )
            while pending is not None and pending[1][1] == pk:
                kind, move = pending
                if kind == "adjustment":
                    _lot_day, _lot, day, move_pk, moved, moved_value, reason = move
                    party, number, record = reason, "", move_pk
                    summary = labels["adjustment"]
                else:
                    (
                        _lot_day,
                        _lot,
                        day,
                        move_pk,
                        moved,
                        moved_value,
                        issue_pk,
                        issue_kind,
                        reverses,
                        party,
                        number,
                    ) = move
                    summary = labels["reversal"] if reverses else str(kinds.get(issue_kind, issue_kind))
                    record = issue_pk
                if kind == "line":
                    balance -= moved
                    balance_value -= moved_value
                    cells = (None, None, moved, moved_value)  # a reversal's line: negative, red ink
                elif moved > 0:
                    balance += moved
                    balance_value += moved_value
                    cells = (moved, moved_value, None, None)
                else:
                    balance += moved
                    balance_value += moved_value
                    cells = (None, None, -moved, -moved_value)
                yield (*head, day, summary, party, number, *cells, balance, balance_value, record)
                pending = next(moves, None)
            yield (
                *head,
                end,
                labels["closing"],
                "",
                "",
                None,
                None,
                None,
                None,
                balance,
                balance_value,
                None,
            )

    def _lines_with_recipients(self, lines):
        """The lines as (lot's day, lot, day, pk, quantity, value, issue, kind, reverses, to whom,
        ID number as the user may see it), the people of relief issues read once a chunk."""
        group = _("群体发放（%(n)s人）")
        chunk = []

        def flush():
            relief = {row[6] for row in chunk if row[7] in RELIEF_KINDS}
            people = {}
            for describe in RELIEF_RECIPIENTS:
                people.update(describe([SimpleNamespace(pk=pk) for pk in relief], self.access))
            for (lot_day, lot, day, pk, quantity, value, issue, kind, chapter, unit, reason, heads, reverses,
                 _chapter_id) in chunk:  # fmt: skip
                if kind in RELIEF_KINDS:
                    name, number, _url = people.get(issue, (group % {"n": heads}, "", ""))
                elif kind == IssueKind.ALLOCATION:
                    name, number = chapter or "", ""
                elif kind == IssueKind.UNIT:
                    name, number = unit, ""
                else:
                    name, number = reason, ""
                yield (lot_day, lot, day, pk, quantity, value, issue, kind, reverses, name, number)

        for row in lines.iterator(chunk_size=CHUNK_ROWS):
            chunk.append(row)
            if len(chunk) == CHUNK_ROWS:
                yield from flush()
                chunk = []
        yield from flush()

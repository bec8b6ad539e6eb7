"""Reads of goods: stock on hand per lot, item and store as of any day, goods about to expire,
and the trace of a lot's goods to whoever received them. Computed in the database: a lot's
stock is its quantity less the standing lines issued from it plus its standing adjustments,
each summed in its own subquery so that no join inflates another."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, DecimalField, F, Min, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from redcross.money import money_output_field, to_money

from .choices import IssueKind, LotOrigin
from .models import QUANTITY_DIGITS, QUANTITY_PLACES, Adjustment, IssueLine, Lot

EXPIRING_DAYS = 90
MONEY = money_output_field()
QUANTITY = DecimalField(max_digits=QUANTITY_DIGITS + 4, decimal_places=QUANTITY_PLACES)
ZERO_Q = Value(Decimal("0.00"), output_field=QUANTITY)
ZERO_M = Value(Decimal("0.00"), output_field=MONEY)

# Filled by ``aid`` (which imports goods, never the other way): ``(issues, access)`` → issue pk →
# (name, ID number as the user may see it, the relief payment's URL) for the relief issues among
# ``issues``. The trace names the recipients of goods through it.
RELIEF_RECIPIENTS = []


def register_relief_recipients(describe):
    if describe not in RELIEF_RECIPIENTS:
        RELIEF_RECIPIENTS.append(describe)


def _summed(queryset, field, output):
    summed = queryset.order_by().values("lot").annotate(total=Sum(field, output_field=output)).values("total")
    return Coalesce(Subquery(summed), Value(Decimal("0.00"), output_field=output), output_field=output)


def with_stock(lots, as_of=None):
    """``lots`` annotated with ``issued``, ``adjusted`` and ``on_hand`` (quantities) and
    ``value_on_hand`` (yuan) as of the end of ``as_of`` (now when None): one query for any
    number of lots."""
    lines = IssueLine.objects.filter(lot=OuterRef("pk"))
    adjustments = Adjustment.objects.filter(lot=OuterRef("pk"))
    if as_of is not None:
        lines, adjustments = lines.filter(date__lte=as_of), adjustments.filter(date__lte=as_of)
    return lots.annotate(
        issued=_summed(lines, "quantity", QUANTITY),
        issued_value=_summed(lines, "value", MONEY),
        adjusted=_summed(adjustments, "quantity", QUANTITY),
        adjusted_value=_summed(adjustments, "value", MONEY),
    ).annotate(
        on_hand=F("quantity") - F("issued") + F("adjusted"),
        value_on_hand=F("total_value") - F("issued_value") + F("adjusted_value"),
    )


def lot_on_hand(lot, *, as_of=None):
    """The quantity ``lot`` holds (as of ``as_of``)."""
    row = with_stock(Lot.all_objects.filter(pk=lot.pk), as_of).values("on_hand").first()
    return Decimal(row["on_hand"]).quantize(Decimal("0.01")) if row else Decimal("0.00")


def stock_lots(lots, *, as_of=None):
    """The standing lots of ``lots`` that had arrived by ``as_of``, with their stock."""
    lots = lots.filter(Lot.standing_q())
    if as_of is not None:
        lots = lots.filter(date__lte=as_of)
    return with_stock(lots, as_of)


def lots_to_choose(lots, *, item=None, store=None, expiry_by=None, source="", number=""):
    """The lots of ``lots`` holding stock that an issue may take from by hand, in the order they
    would be taken (``fifo_order``), narrowed by item, store, expiry (by ``expiry_by``), source
    (a named donor's name, the supplier or the chapter that allocated them) and number (the
    lot's own, or its document's). The caller slices it: a chapter may hold hundreds of lots."""
    lots = with_stock(lots).filter(on_hand__gt=0)
    if item is not None:
        lots = lots.filter(item=item)
    if store is not None:
        lots = lots.filter(store=store)
    if expiry_by is not None:
        lots = lots.filter(expiry_date__lte=expiry_by)
    source = (source or "").strip()
    if source:
        lots = lots.filter(
            # An anonymous donor is not found by name: the pages call the gift 匿名捐赠.
            Q(donation__donor__name__icontains=source, donation__anonymous=False)
            | Q(supplier__icontains=source)
            | Q(origin_chapter__name__icontains=source)
        )
    number = (number or "").strip().lstrip("#")
    if number:
        found = Q(document_number__icontains=number)
        if number.isdigit() and int(number) <= 2**53:
            found |= Q(pk=int(number))
        lots = lots.filter(found)
    return fifo_order(lots)


def expiring_q(today=None, days=EXPIRING_DAYS):
    """Lots expiring from ``today`` to ``days`` days on (or already expired)."""
    today = today or datetime.date.today()
    return Q(expiry_date__isnull=False, expiry_date__lte=today + datetime.timedelta(days=days))


def expiring_lots(lots, *, today=None, days=EXPIRING_DAYS):
    """The standing lots of ``lots`` holding goods that expire within ``days`` days, soonest first."""
    return (
        stock_lots(lots).filter(expiring_q(today, days), on_hand__gt=0).order_by("expiry_date", "date", "pk")
    )


IN_TRANSIT_SHOWN = 50


def lots_in_transit(lots):
    """The standing lots of ``lots`` still in transit (allocations from above not yet confirmed),
    the oldest first, with what a list of them names."""
    return (
        lots.in_transit()
        .select_related("chapter", "item", "origin_chapter", "store", "source_line__issue")
        .order_by("date", "pk")
    )


def fifo_order(lots):
    """The order lots are taken in when none is chosen: the earliest-expiring first, goods that
    do not expire last, then the oldest arrival."""
    return lots.order_by(F("expiry_date").asc(nulls_last=True), "date", "pk")


@dataclass(frozen=True)
class StockTotals:
    lots: int
    quantity: Decimal
    value: Decimal
    # Of which allocations in transit: in the books, not yet in the store (not to be issued).
    transit_lots: int = 0
    transit_value: Decimal = Decimal("0.00")


def stock_totals(lots):
    """Lots, quantity and value on hand over ``lots`` (annotated by ``with_stock``), and of them
    the allocations still in transit: one query. The quantity adds different units and is shown
    only for one item."""
    transit = Q(in_transit=True)
    row = lots.order_by().aggregate(
        n=Count("pk"),
        quantity=Sum("on_hand"),
        value=Sum("value_on_hand"),
        transit_n=Count("pk", filter=transit),
        transit_value=Sum("value_on_hand", filter=transit),
    )
    return StockTotals(
        lots=row["n"] or 0,
        quantity=Decimal(row["quantity"] or 0).quantize(Decimal("0.01")),
        value=to_money(row["value"]),
        transit_lots=row["transit_n"] or 0,
        transit_value=to_money(row["transit_value"]),
    )


def stock_by_item(lots):
    """Stock per item and store (one query): the rows of the stock page's summary."""
    return (
        lots.order_by()
        .values(
            "item", "item__name", "item__specification", "item__unit", "store", "store__name", "chapter__name"
        )
        .annotate(quantity=Sum("on_hand"), value=Sum("value_on_hand"), lots=Count("pk"))
        .order_by("item__name", "item__specification", "chapter__name", "store__name")
    )


@dataclass
class TraceRow:
    """One issue line of a lot's goods, and who received them."""

    line: object
    issue: object
    recipient: str
    id_number: str
    url: str


def lot_trace(lot, access):
    """Every issue line of ``lot`` (voided and waiting ones too, marked by their issue's status),
    oldest first, with the recipient: the person or group (ID number masked as everywhere), the
    chapter below, the receiving unit, or the write-off's reason. A few queries."""
    lines = list(
        IssueLine.all_objects.filter(lot=lot)
        .select_related("issue__recipient_chapter", "issue__category", "received_lot")
        .order_by("date", "pk")
    )
    issues = [line.issue for line in lines]
    people = {}
    for describe in RELIEF_RECIPIENTS:
        people.update(describe([i for i in issues if i.is_relief], access))
    rows = []
    for line in lines:
        issue = line.issue
        name, id_number, url = people.get(issue.pk, (issue.recipient_label, "", ""))
        if not issue.is_relief:
            name = issue.recipient_label
            received = getattr(line, "received_lot", None)
            url = received.get_absolute_url() if received is not None else ""
        rows.append(TraceRow(line=line, issue=issue, recipient=name, id_number=id_number, url=url))
    return rows


def issue_value_for(quantity, *, on_hand, value_on_hand):
    """What ``quantity`` taken from a lot holding ``on_hand`` worth ``value_on_hand`` is worth: its
    share of what is left, and for the line that empties the lot all of it, so that a lot issued
    in full has issued exactly its value."""
    if quantity == on_hand:
        return to_money(value_on_hand)
    return to_money(value_on_hand * quantity / on_hand)


def ledger_lots(lots, *, start, end):
    """The standing lots of ``lots`` in the goods ledger of ``start``–``end``: those that arrived by
    ``end`` and held goods at ``start`` or arrived or moved in the period, oldest arrival first,
    annotated with ``opening`` and ``opening_value`` (what they held at the start: zero for a lot
    that arrived in the period). One query, read in chunks."""
    lots = lots.filter(Lot.standing_q(), date__lte=end)
    before = start - datetime.timedelta(days=1)
    lines = IssueLine.objects.filter(lot=OuterRef("pk"), date__lte=before)
    adjustments = Adjustment.objects.filter(lot=OuterRef("pk"), date__lte=before)
    moved = (
        Q(date__gte=start)
        | Q(pk__in=IssueLine.objects.filter(date__gte=start, date__lte=end).values("lot"))
        | Q(pk__in=Adjustment.objects.filter(date__gte=start, date__lte=end).values("lot"))
    )
    annotated = lots.annotate(
        before_issued=_summed(lines, "quantity", QUANTITY),
        before_issued_value=_summed(lines, "value", MONEY),
        before_adjusted=_summed(adjustments, "quantity", QUANTITY),
        before_adjusted_value=_summed(adjustments, "value", MONEY),
    ).annotate(
        opening=F("quantity") - F("before_issued") + F("before_adjusted"),
        opening_value=F("total_value") - F("before_issued_value") + F("before_adjusted_value"),
    )
    return annotated.filter(moved | Q(date__lt=start, opening__gt=0) | Q(date__lt=start, opening_value__gt=0))


def ledger_movements(lots, *, start, end):
    """The standing issue lines and stock count adjustments of ``lots`` dated in the period, in
    the order of the ledger (the lot's arrival, then the day, issues before adjustments): two
    queries read in chunks, to be merged with the lots."""
    lines = (
        IssueLine.objects.filter(lot__in=lots.values("pk"), date__gte=start, date__lte=end)
        .order_by("lot__date", "lot_id", "date", "pk")
        .values_list(
            "lot__date",
            "lot_id",
            "date",
            "pk",
            "quantity",
            "value",
            "issue_id",
            "issue__kind",
            "issue__recipient_chapter__name",
            "issue__receiving_unit",
            "issue__reason",
            "issue__head_count",
            "issue__reverses",
            "chapter_id",
        )  # fmt: skip
    )
    adjustments = (
        Adjustment.objects.filter(lot__in=lots.values("pk"), date__gte=start, date__lte=end)
        .order_by("lot__date", "lot_id", "date", "pk")
        .values_list("lot__date", "lot_id", "date", "pk", "quantity", "value", "reason")
    )
    return lines, adjustments


@dataclass(frozen=True)
class DriveGoods:
    """What became of the goods a drive received in a period, by the period's end (yuan)."""

    received: Decimal
    issued: Decimal
    adjusted: Decimal
    on_hand: Decimal


def drive_goods(drive_ids, *, start, end):
    """drive id → ``DriveGoods`` of the standing lots of the drives' gifts in kind dated from
    ``start`` to ``end``: their value, what was issued of them and what a stock count changed by
    ``end``, and what they hold at ``end``. One query, however many drives and lots."""
    lots = stock_lots(Lot.objects.filter(donation__drive__in=list(drive_ids), date__gte=start), as_of=end)
    rows = (
        lots.order_by()
        .values("donation__drive")
        .annotate(
            received=Sum("total_value"),
            issued_sum=Sum("issued_value"),
            adjusted_sum=Sum("adjusted_value"),
            held=Sum("value_on_hand"),
        )
    )
    return {
        row["donation__drive"]: DriveGoods(
            received=to_money(row["received"]),
            issued=to_money(row["issued_sum"]),
            adjusted=to_money(row["adjusted_sum"]),
            on_hand=to_money(row["held"]),
        )
        for row in rows
    }


@dataclass(frozen=True)
class AllocatedGoods:
    """What a chapter (with those below it) was allocated from above it in a period, and what
    became of those goods by the period's end (yuan): issued, changed by stock counts, on hand;
    who allocated them (``origins``, the highest first) and the chapters below that they were
    allocated on to (``recipients``, in the order they first received them, with the value)."""

    received: Decimal
    issued: Decimal
    adjusted: Decimal
    on_hand: Decimal
    origins: list
    recipients: list  # [(chapter name, value)]
    allocated: Decimal  # of ``issued``, what went to chapters below


def allocated_from_above(chapter, *, start, end):
    """``AllocatedGoods`` of the standing lots that arrived at ``chapter`` or a chapter below it
    from ``start`` to ``end`` as an allocation from a chapter outside it (an allocation between
    two chapters inside it is not received from above), or None when there were none. Three
    queries, however many lots."""
    lots = stock_lots(
        Lot.objects.for_chapter(chapter)
        .filter(origin=LotOrigin.ALLOCATION, date__gte=start)
        .exclude(origin_chapter__path__startswith=chapter.path),
        as_of=end,
    )
    row = lots.order_by().aggregate(
        n=Count("pk"),
        received=Sum("total_value"),
        issued=Sum("issued_value"),
        adjusted=Sum("adjusted_value"),
        held=Sum("value_on_hand"),
    )
    if not row["n"]:
        return None
    origins = list(
        lots.order_by("origin_chapter__path").values_list("origin_chapter__name", flat=True).distinct()
    )
    below = (
        IssueLine.objects.filter(lot__in=lots.values("pk"), date__lte=end, issue__kind=IssueKind.ALLOCATION)
        .order_by()
        .values("issue__recipient_chapter__name")
        .annotate(value=Sum("value"), first_day=Min("date"), first=Min("pk"))
        .order_by("first_day", "first")
    )
    recipients = [
        (r["issue__recipient_chapter__name"], to_money(r["value"])) for r in below if to_money(r["value"]) > 0
    ]
    return AllocatedGoods(
        received=to_money(row["received"]),
        issued=to_money(row["issued"]),
        adjusted=to_money(row["adjusted"]),
        on_hand=to_money(row["held"]),
        origins=origins,
        recipients=recipients,
        allocated=sum((value for _name, value in recipients), Decimal("0.00")),
    )


DRIVE_LOTS_SHOWN = 50


def drive_goods_now(drive):
    """What the drive's page says of its goods: per item, the quantities and values received,
    issued (and changed by stock counts) and on hand now, their totals, and its lots (the first
    ``DRIVE_LOTS_SHOWN``) with what each holds. Three queries; None for a drive without goods."""
    lots = stock_lots(Lot.objects.filter(donation__drive=drive))
    items = list(
        lots.order_by()
        .values("item", "item__name", "item__specification", "item__unit")
        .annotate(
            received=Sum("quantity"),
            received_value=Sum("total_value"),
            issued_q=Sum("issued"),
            issued_v=Sum("issued_value"),
            adjusted_q=Sum("adjusted"),
            held=Sum("on_hand"),
            held_value=Sum("value_on_hand"),
            lot_count=Count("pk"),
        )
        .order_by("item__name", "item__specification", "item__unit")
    )
    if not items:
        return None

    def total(field):
        return to_money(sum((Decimal(row[field] or 0) for row in items), Decimal("0.00")))

    return {
        "items": items,
        "received": total("received_value"),
        "issued": total("issued_v"),
        "on_hand": total("held_value"),
        "adjusted": total("received_value") - total("issued_v") - total("held_value"),
        "lots": list(lots.select_related("item", "store").order_by("date", "pk")[:DRIVE_LOTS_SHOWN]),
        "more_lots": sum(row["lot_count"] for row in items) > DRIVE_LOTS_SHOWN,
    }

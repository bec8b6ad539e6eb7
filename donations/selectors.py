"""Reads of donations, drives and funds: totals and balances computed in the database.

A fund's inflows are its donations; its outflows are relief disbursements, project expenditures
and payouts. Each is summed in its own subquery, so no join inflates another.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    Case,
    CharField,
    Count,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncMonth
from django.utils.translation import gettext as _

from redcross.kept import COUNTED, KEPT, DayTotals
from redcross.money import money_output_field, to_money
from redcross.params import BadParameter

from .choices import DonationKind, LedgerEntryKind
from .models import DONOR_FIRST_DAYS, Donation, Drive, Fund, Payout

MONEY = money_output_field()
ZERO = Value(Decimal("0.00"), output_field=MONEY)


@dataclass(frozen=True)
class FundOutflow:
    """A kind of record, of another app, that spends from a fund: its model, the amount it
    spends, and how the fund's ledger names its party and purpose (expressions on its rows).

    A fund holds cash and goods apart (DESIGN.md, "In-kind goods"): ``cash`` is the part of
    ``amount`` paid in cash (what the cash balance counts); the rest is goods. A kind that
    brings goods in (a purchase: cash out, goods in; goods allocated from above) has a negative
    goods part; ``inflow`` then says what its ledger row shows as received (its row shows
    ``inflow`` in and ``inflow + amount`` out)."""

    kind: str  # LedgerEntryKind
    model: type
    amount: object
    party: object
    purpose: object
    # The amount over the rows of the model's kept daily totals (``redcross.kept``), which hold a
    # ``fund`` dimension: a fund's balance sums those rather than every record.
    kept_amount: object = None
    cash: object = None  # None: all of ``amount`` is cash
    kept_cash: object = None
    inflow: object = None
    route: str = ""  # the URL name of a record's page (its pk the argument)

    @property
    def cash_amount(self):
        return self.amount if self.cash is None else self.cash

    @property
    def kept_cash_amount(self):
        if self.kept_cash is not None:
            return self.kept_cash
        return self.kept_amount if self.cash is None else None


# Filled by the spending apps (aid, projects, goods) in their AppConfig.ready(): donations, which
# they depend on, knows none of them.
OUTFLOWS = []


# Filled by ``goods`` (which imports donations, never the other way): callables ``(drive)`` → a
# panel for the drive's page, ``{"template": ..., **context}``, or None when it has nothing to say.
DRIVE_PANELS = []


def register_drive_panel(panel):
    """Adds a panel to every drive's page (once)."""
    if panel not in DRIVE_PANELS:
        DRIVE_PANELS.append(panel)


def drive_panels(drive):
    """The panels the other apps show on ``drive``'s page."""
    return [shown for shown in (panel(drive) for panel in DRIVE_PANELS) if shown]


def register_fund_outflow(outflow):
    """Adds a kind of record that spends from a fund (once)."""
    if all(existing.model is not outflow.model for existing in OUTFLOWS):
        OUTFLOWS.append(outflow)
        LEDGER_RANK.setdefault(outflow.kind, max(LEDGER_RANK.values()) + 1)


def fund_outflows(part="total"):
    """Every kind of record that spends from a fund, with the amount it spends (``part``
    "cash": the cash it pays)."""
    if part == "cash":
        return [(o.model, o.cash_amount) for o in OUTFLOWS] + [(Payout, F("cash_amount"))]
    return [(outflow.model, outflow.amount) for outflow in OUTFLOWS] + [
        (Payout, F("cash_amount") + F("in_kind_amount"))
    ]


def _sum_subquery(queryset, expression):
    """A correlated subquery summing ``expression`` over ``queryset`` per fund (zero when empty)."""
    summed = (
        queryset.order_by().values("fund").annotate(total=Sum(expression, output_field=MONEY)).values("total")
    )
    return Coalesce(Subquery(summed), ZERO)


def fund_balance(fund, *, excluding=None, part="total"):
    """What ``fund`` holds now: everything received minus everything paid out (``part`` "cash":
    its cash only, which is all that pays cash; "goods": the value of its goods).

    ``excluding`` leaves one record (a donation, payment, expenditure or payout) out, for
    re-checking a record being corrected.
    """
    if part == "goods":
        return fund_balance(fund, excluding=excluding) - fund_balance(fund, excluding=excluding, part="cash")

    def without(queryset):
        if excluding is not None and excluding.pk and queryset.model is type(excluding):
            return queryset.exclude(pk=excluding.pk)
        return queryset

    gifts = Donation.objects.filter(fund=fund)
    if part == "cash":
        gifts = gifts.filter(kind=DonationKind.CASH)
    received = without(gifts).aggregate(total=Sum("amount"))["total"]
    paid = Decimal("0.00")
    for model, expression in fund_outflows(part):
        paid += to_money(
            without(model.objects.filter(fund=fund)).aggregate(total=Sum(expression, output_field=MONEY))[
                "total"
            ]
        )
    return to_money(received) - paid


def _kept_flows(part="total"):
    """Each kind of record flowing through a fund as (its kept totals, or its model when it keeps
    none; the amount over their rows; +1 in / -1 out). ``part`` "cash": the cash they move."""
    cash = part == "cash"
    flows = [(KEPT[Donation], F("cash") if cash else F("cash") + F("in_kind"), 1)]
    for outflow in OUTFLOWS:
        totals = KEPT.get(outflow.model)
        kept = outflow.kept_cash_amount if cash else outflow.kept_amount
        if totals is not None and kept is not None:
            flows.append((totals, kept, -1))
        else:
            flows.append((outflow.model, outflow.cash_amount if cash else outflow.amount, -1))
    flows.append((KEPT[Payout], F("cash_amount") if cash else F("cash_amount") + F("in_kind_amount"), -1))
    return flows


def _counted(source, start=None, end=None):
    """What counts in a fund from ``start`` to ``end`` as a list of querysets: kept rows (months
    and days, ``DayTotals.span``) of what counts, or the records that stand."""
    if isinstance(source, DayTotals):
        return [part.filter(status__in=COUNTED) for part in source.span(start, end)]
    return [source.objects.in_period(start, end)]


def _flow_sums(start=None, end=None, part="total"):
    """(received, paid): per fund (``OuterRef("pk")``), what came in and went out, from the kept
    totals (from ``start`` to ``end`` when given): subqueries over a few rows per month."""
    received, paid = ZERO, ZERO
    for source, amount, sign in _kept_flows(part):
        for rows in _counted(source, start, end):
            part = _sum_subquery(rows.filter(fund=OuterRef("pk")), amount)
            if sign > 0:
                received = part if received is ZERO else received + part
            else:
                paid = part if paid is ZERO else paid + part
    return received, paid


def funds_with_balance(queryset):
    """Funds annotated with ``received``, ``paid`` and ``balance``, and apart from them
    ``cash_balance`` (what pays cash) and ``goods_balance`` (the value of goods held), one query
    for any number of funds, from the kept daily totals of what flows through them."""
    received, paid = _flow_sums()
    cash_received, cash_paid = _flow_sums(part="cash")
    return queryset.annotate(
        received=received, paid=paid, cash_received=cash_received, cash_paid=cash_paid
    ).annotate(
        balance=F("received") - F("paid"),
        cash_balance=F("cash_received") - F("cash_paid"),
        goods_balance=F("received") - F("paid") - F("cash_received") + F("cash_paid"),
    )


@dataclass(frozen=True)
class SpendingBalance:
    """A fund's balance beside a pending spending from it: ``now`` (a pending record holds no
    money) and ``after`` it is approved."""

    fund: object
    now: Decimal
    after: Decimal


def spending_balances(records):
    """``record.pk`` → SpendingBalance for each of ``records`` (pending spendings: relief payments,
    expenditures) drawn from a fund; the funds' balances in one query."""
    fund_ids = {record.fund_id for record in records if record.fund_id is not None}
    if not fund_ids:
        return {}
    funds = {fund.pk: fund for fund in funds_with_balance(Fund.objects.filter(pk__in=fund_ids))}
    balances = {}
    for record in records:
        fund = funds.get(record.fund_id)
        if fund is not None:
            now = to_money(fund.balance)  # cash and goods: the approval rechecks each apart
            balances[record.pk] = SpendingBalance(fund, now, now - to_money(record.correction_total()))
    return balances


def funds_with_flows(queryset, *, start, end):
    """Funds annotated with ``received`` and ``paid`` between ``start`` and ``end`` (one query)."""
    received, paid = _flow_sums(start, end)
    return queryset.annotate(received=received, paid=paid)


@dataclass(frozen=True)
class FundTotals:
    count: int
    received: Decimal
    paid: Decimal
    cash: Decimal = Decimal("0.00")
    goods: Decimal = Decimal("0.00")

    @property
    def balance(self):
        return self.received - self.paid


def fund_totals(queryset):
    """Received, paid and balance over the funds of ``queryset`` (one query)."""
    row = funds_with_balance(queryset.order_by()).aggregate(
        n=Count("pk"),
        received_total=Sum("received"),
        paid_total=Sum("paid"),
        cash_total=Sum("cash_balance"),
        goods_total=Sum("goods_balance"),
    )
    return FundTotals(
        count=row["n"] or 0,
        received=to_money(row["received_total"]),
        paid=to_money(row["paid_total"]),
        cash=to_money(row["cash_total"]),
        goods=to_money(row["goods_total"]),
    )


# --- The fund ledger --------------------------------------------------------------------------

LEDGER_RANK = {
    LedgerEntryKind.DONATION: 0,
    LedgerEntryKind.DISBURSEMENT: 1,
    LedgerEntryKind.EXPENDITURE: 2,
    LedgerEntryKind.PAYOUT: 3,
    LedgerEntryKind.GOODS_RECEIPT: 4,
    LedgerEntryKind.GOODS_ISSUE: 5,
    LedgerEntryKind.GOODS_ADJUSTMENT: 6,
}


def _ledger_sources(fund, start=None, end=None):
    """Per kind of entry: the fund's rows (from ``start`` to ``end`` when given) as
    (date, rank, pk, party, purpose, inflow, outflow)."""

    def rows(queryset, kind, party, purpose, inflow, outflow, cash_inflow=ZERO, cash_outflow=ZERO):
        return (
            queryset.filter(fund=fund)
            .in_period(start, end)
            .order_by()
            .annotate(
                entry_rank=Value(LEDGER_RANK[kind], output_field=IntegerField()),
                party_name=Coalesce(party, Value(""), output_field=CharField()),
                purpose_name=Coalesce(purpose, Value(""), output_field=CharField()),
                inflow=Coalesce(inflow, ZERO, output_field=MONEY),
                outflow=Coalesce(outflow, ZERO, output_field=MONEY),
                cash_inflow=Coalesce(cash_inflow, ZERO, output_field=MONEY),
                cash_outflow=Coalesce(cash_outflow, ZERO, output_field=MONEY),
            )
            .values_list(*LEDGER_COLUMNS)
        )

    return [
        (
            LedgerEntryKind.DONATION,
            Donation,
            lambda qs: rows(
                qs, LedgerEntryKind.DONATION, F("donor__name"), F("drive__name"), F("amount"), ZERO,
                cash_inflow=_CASH_GIFT,
            ),
        ),
        *(
            (
                outflow.kind,
                outflow.model,
                lambda qs, outflow=outflow: rows(
                    qs,
                    outflow.kind,
                    outflow.party,
                    outflow.purpose,
                    ZERO if outflow.inflow is None else outflow.inflow,
                    outflow.amount if outflow.inflow is None else outflow.inflow + outflow.amount,
                    cash_outflow=outflow.cash_amount,
                ),
            )
            for outflow in OUTFLOWS
        ),
        (
            LedgerEntryKind.PAYOUT,
            Payout,
            lambda qs: rows(
                qs,
                LedgerEntryKind.PAYOUT,
                F("recipient"),
                F("purpose"),
                ZERO,
                F("cash_amount") + F("in_kind_amount"),
                cash_outflow=F("cash_amount"),
            ),
        ),
    ]


# A ledger row: its place (date, kind's rank, id), who and what for, the money in and out, and of
# it the cash (the rest is the value of goods: DESIGN.md, "In-kind goods").
LEDGER_COLUMNS = (
    "date", "entry_rank", "id", "party_name", "purpose_name",
    "inflow", "outflow", "cash_inflow", "cash_outflow",
)  # fmt: skip
# What a gift brings in cash: its amount when it is money.
_CASH_GIFT = Case(When(kind=DonationKind.CASH, then=F("amount")), default=ZERO, output_field=MONEY)


@dataclass
class LedgerEntry:
    date: object
    kind: str
    pk: int
    party: str
    purpose: str
    inflow: Decimal
    outflow: Decimal
    balance: Decimal = Decimal("0.00")
    # Of the flows and the balance, the cash; the rest is the value of goods.
    cash_inflow: Decimal = Decimal("0.00")
    cash_outflow: Decimal = Decimal("0.00")
    cash_balance: Decimal = Decimal("0.00")

    @property
    def goods_inflow(self):
        return self.inflow - self.cash_inflow

    @property
    def goods_outflow(self):
        return self.outflow - self.cash_outflow

    @property
    def goods_balance(self):
        return self.balance - self.cash_balance

    @property
    def kind_label(self):
        return LedgerEntryKind(self.kind).label

    @property
    def url(self):
        from django.urls import reverse

        routes = {
            LedgerEntryKind.DONATION: "donations:donation-detail",
            LedgerEntryKind.DISBURSEMENT: "aid:disbursement-detail",
            LedgerEntryKind.EXPENDITURE: "projects:expenditure-detail",
            LedgerEntryKind.PAYOUT: "donations:payout-detail",
        }
        routes.update({outflow.kind: outflow.route for outflow in OUTFLOWS if outflow.route})
        return reverse(routes[self.kind], args=[self.pk])


class FundLedger:
    """Every inflow and outflow of a fund in order (date, the kind's rank, record id), with the
    running balance.

    Paged from a cursor (the entry a page continues from, ``page``): each kind's entries beyond it
    are sought through its (fund, date, id) index, and the balance before the page is the kept
    daily totals before its first day plus that day's entries before it. A page costs the same at
    the start of a ledger of a million entries as at its end; nothing is counted or skipped.
    """

    def __init__(self, fund, *, start=None, end=None):
        self.fund, self.start, self.end = fund, start, end
        self._sources = _ledger_sources(fund, start, end)
        first, *rest = [build(model.objects.all()) for _, model, build in self._sources]
        self.queryset = first.union(*rest, all=True).order_by("date", "entry_rank", "id") if rest else first

    def _flows(self):
        """Each source beside its kept flow (the same kinds in the same order)."""
        return zip(self._sources, _kept_flows(), strict=True)

    def count(self):
        """How many entries, from the kept daily totals (a query per kind)."""
        total = 0
        for _source, (source, _amount, _sign) in self._flows():
            for rows in _counted(source, self.start, self.end):
                if isinstance(source, DayTotals):
                    total += rows.filter(fund=self.fund).aggregate(n=Sum("rows"))["n"] or 0
                else:
                    total += rows.filter(fund=self.fund).count()
        return total

    def __len__(self):
        return self.count()

    def opening_balance(self, date, rank=-1, pk=0):
        """The balance just before the entry at (date, rank, pk); before ``date`` without them:
        the kept daily totals of the days before, and the records of that day before the entry
        (one query)."""
        return self.opening_balances(date, rank, pk)[0]

    def opening_balances(self, date, rank=-1, pk=0):
        """(balance, of it the cash) just before the entry at (date, rank, pk), in one query."""
        parts = {}
        for part in ("total", "cash"):
            flows = zip(self._sources, _kept_flows(part), strict=True)
            outflows = dict(fund_outflows(part))
            for i, ((kind, model, _build), (source, amount, sign)) in enumerate(flows):
                for j, rows in enumerate(_counted(source, None, date - datetime.timedelta(days=1))):
                    subquery = _sum_subquery(rows.filter(fund=OuterRef("pk")), amount)
                    parts[f"{part}_days_{i}_{j}"] = (part, sign, subquery)
                own = LEDGER_RANK[kind]
                if own <= rank:
                    same_day = Q(date=date) if own < rank else Q(date=date, pk__lt=pk)
                    if kind == LedgerEntryKind.DONATION:
                        expression = _CASH_GIFT if part == "cash" else F("amount")
                    else:
                        expression = outflows[model]
                    records = model.objects.filter(same_day, fund=OuterRef("pk"))
                    parts[f"{part}_same_{i}"] = (part, sign, _sum_subquery(records, expression))
        row = Fund.objects.filter(pk=self.fund.pk).values(
            **{name: expression for name, (_part, _sign, expression) in parts.items()}
        )[0]
        balances = {"total": Decimal("0.00"), "cash": Decimal("0.00")}
        for name, (part, sign, _expression) in parts.items():
            balances[part] += sign * to_money(row[name])
        return balances["total"], balances["cash"]

    def _entries(self, rows):
        entries = []
        if rows:
            date, rank, pk = rows[0][:3]
            balance, cash = self.opening_balances(date, rank, pk)
            ranks = {rank_: kind for kind, rank_ in LEDGER_RANK.items()}
            for date, rank, pk, party, purpose, inflow, outflow, cash_in, cash_out in rows:
                inflow, outflow = to_money(inflow), to_money(outflow)
                cash_in, cash_out = to_money(cash_in), to_money(cash_out)
                balance += inflow - outflow
                cash += cash_in - cash_out
                flows = (inflow, outflow, balance, cash_in, cash_out, cash)
                entries.append(LedgerEntry(date, ranks[rank], pk, party, purpose, *flows))
        return entries

    def __getitem__(self, index):
        rows = list(self.queryset[index]) if isinstance(index, slice) else [self.queryset[index]]
        entries = self._entries(rows)
        return entries if isinstance(index, slice) else entries[0]

    # --- pages from a cursor -----------------------------------------------------------------

    @staticmethod
    def cursor(entry):
        return f"{entry.date.isoformat()}.{LEDGER_RANK[entry.kind]}.{entry.pk}"

    @staticmethod
    def read_cursor(token):
        try:
            day, rank, pk = token.split(".")
            day, rank, pk = datetime.date.fromisoformat(day), int(rank), int(pk)
            if rank not in LEDGER_RANK.values() or not 0 < pk < 2**63:
                raise ValueError
            return day, rank, pk
        except (ValueError, TypeError) as error:
            raise BadParameter(_("分页参数无效：请从账页的第一页重新翻页")) from error

    def _beyond(self, kind, at, *, backwards):
        """The entries of ``kind`` after the entry ``at`` (before it when ``backwards``)."""
        date, rank, pk = at
        own = LEDGER_RANK[kind]
        later, beyond = ("lt", "lte") if backwards else ("gt", "gte")
        if own == rank:
            return Q(**{f"date__{beyond}": date}) & (
                Q(**{f"date__{later}": date}) | Q(date=date, **{f"pk__{later}": pk})
            )
        if (own > rank) != backwards:
            return Q(**{f"date__{beyond}": date})
        return Q(**{f"date__{later}": date})

    def page(self, per_page, *, after=None, before=None, last=False):
        """The entries after the cursor ``after``, before ``before``, the last ones, or the first."""
        at = self.read_cursor(after or before) if (after or before) else None
        backwards = bool(before) or (last and at is None)
        rows = []
        for kind, model, build in self._sources:
            records = model.objects.all()
            if at is not None:
                records = records.filter(self._beyond(kind, at, backwards=backwards))
            order = ("-date", "-id") if backwards else ("date", "id")
            rows += list(build(records).order_by(*order)[: per_page + 1])
        rows.sort(key=lambda row: row[:3], reverse=backwards)
        more = len(rows) > per_page
        rows = rows[:per_page]
        if backwards:
            rows.reverse()
            has_previous, has_next = more, at is not None
        else:
            has_previous, has_next = at is not None, more
        return LedgerPage(self._entries(rows), has_previous=has_previous, has_next=has_next)


@dataclass
class LedgerPage:
    """A page of a fund's ledger, with the cursors of the pages beside it."""

    entries: list
    has_previous: bool
    has_next: bool

    def __iter__(self):
        return iter(self.entries)

    def __len__(self):
        return len(self.entries)

    @property
    def has_other_pages(self):
        return self.has_previous or self.has_next

    @property
    def previous_cursor(self):
        return FundLedger.cursor(self.entries[0]) if self.has_previous and self.entries else None

    @property
    def next_cursor(self):
        return FundLedger.cursor(self.entries[-1]) if self.has_next and self.entries else None


# --- Donations and drives ---------------------------------------------------------------------


@dataclass(frozen=True)
class DonationTotals:
    count: int
    cash: Decimal
    in_kind: Decimal
    donors: int

    @property
    def amount(self):
        return self.cash + self.in_kind


def _donation_aggregates(prefix=""):
    # A reversal (冲销) takes its amount back; it is no gift of its own, nor a donor's.
    gift = Q(**{f"{prefix}reverses__isnull": True})
    return {
        "n": Count(f"{prefix}pk", filter=gift),
        "cash": Sum(f"{prefix}amount", filter=Q(**{f"{prefix}kind": DonationKind.CASH})),
        "in_kind": Sum(f"{prefix}amount", filter=Q(**{f"{prefix}kind": DonationKind.IN_KIND})),
        "donor_count": Count(f"{prefix}donor", distinct=True, filter=gift),
    }


def _donation_totals(row):
    return DonationTotals(
        count=row["n"] or 0,
        cash=to_money(row["cash"]),
        in_kind=to_money(row["in_kind"]),
        donors=row["donor_count"] or 0,
    )


def donation_totals(queryset):
    """Cash, in-kind value, number of gifts and of donors in ``queryset``, in one query."""
    return _donation_totals(queryset.order_by().aggregate(**_donation_aggregates()))


@dataclass(frozen=True)
class DriveDonationTotals(DonationTotals):
    drive_id: int | None
    drive_name: str
    drive_goal: Decimal | None = None  # the drive's 目标金额, when it set one


def _kept_gifts(chapter, start, end):
    """The kept sums of the gifts that count, of ``chapter`` and below, ``start``..``end``: a
    list of querysets (months and days, ``DayTotals.span``)."""
    below = Q(chapter__in=chapter.subtree().values("pk"), status__in=COUNTED)
    return [part.filter(below) for part in KEPT[Donation].span(start, end)]


def _year_firsts(chapter, start, end):
    """The kept counts of donors giving for the first time in the year, ``start`` (1 January)
    ..``end`` (months and days): summed, the year's distinct donors up to ``end``."""
    assert (start.month, start.day) == (1, 1) and end.year == start.year
    below = Q(chapter__in=chapter.subtree().values("pk"), ever=False)
    return [part.filter(below) for part in DONOR_FIRST_DAYS.span(start, end)]


def _grouped(parts, names, **sums):
    """``parts`` (kept querysets) grouped by ``names`` with ``sums`` summed across the parts."""
    merged = {}
    for part in parts:
        for row in part.order_by().values(*names).annotate(**sums):
            key = tuple(row[name] for name in names)
            if key in merged:
                for name in sums:
                    merged[key][name] = (merged[key][name] or 0) + (row[name] or 0)
            else:
                merged[key] = row
    return list(merged.values())


def _kept_totals(row, donors):
    return {
        "count": row["n"] or 0,
        "cash": to_money(row["cash_sum"]),
        "in_kind": to_money(row["in_kind_sum"]),
        "donors": donors or 0,
    }


_KEPT_SUMS = {"n": Sum("gifts"), "cash_sum": Sum("cash"), "in_kind_sum": Sum("in_kind")}


def year_donation_totals(chapter, start, end):
    """The gifts of ``chapter`` and below in a year up to ``end`` (the home page): the totals and
    the same per drive (gifts outside any drive last) with the drive's goal, from the kept daily
    sums and donor firsts (two queries, however many gifts)."""
    firsts = _grouped(_year_firsts(chapter, start, end), ["every_drive", "drive"], n=Sum("rows"))
    donors = {(row["every_drive"], row["drive"]): row["n"] for row in firsts}
    names = ["drive", "drive__name", "drive__start_date", "drive__goal"]
    rows = sorted(
        _grouped(_kept_gifts(chapter, start, end), names, **_KEPT_SUMS),
        key=lambda row: (
            row["drive__start_date"] is None,
            row["drive__start_date"] or start,
            row["drive__name"] or "",
        ),
    )
    by_drive = [
        DriveDonationTotals(
            drive_id=row["drive"],
            drive_name=row["drive__name"] or "",
            drive_goal=None if row["drive__goal"] is None else to_money(row["drive__goal"]),
            **_kept_totals(row, donors.get((False, row["drive"]))),
        )
        for row in rows
    ]
    whole = {name: sum((row[name] or 0 for row in rows), 0) for name in _KEPT_SUMS}
    total = DonationTotals(**_kept_totals(whole, donors.get((True, None))))
    return total, by_drive


def donation_list_totals(figures, filterset):
    """The donations' list's totals line from its kept daily figures (``redcross.kept``) and the
    donors' firsts; None when the donors its filters select cannot be counted from those (a
    fund, a kind, a period not starting on a year's first day)."""
    donors = _donors_kept(filterset)
    if donors is None:
        return None
    counted = figures["counted"]
    return DonationTotals(
        count=counted["gifts"],
        cash=to_money(counted["cash"]),
        in_kind=to_money(counted["in_kind"]),
        donors=donors,
    )


def _donors_kept(filterset):
    """Distinct donors of the list's gifts that count, summed from the kept firsts, or None."""
    data = filterset.form.cleaned_data if filterset.is_bound else {}
    status = data.get("status")
    if status and status != "standing":
        return 0  # voided gifts and reversals are nobody's gift
    if any(data.get(name) not in (None, "") for name in ("fund", "kind", "donor", "anonymous", "q")):
        return None
    period = data.get("date") or slice(None, None)
    start, end = period.start, period.stop
    if start is None:
        condition = Q(ever=True)
    elif (start.month, start.day) == (1, 1) and end is not None and end.year == start.year:
        condition = Q(ever=False)
    else:
        return None
    if data.get("drive") is not None:
        condition &= Q(every_drive=False, drive=data["drive"])
    elif data.get("without_drive") is True:
        condition &= Q(every_drive=False, drive=None)
    elif data.get("without_drive") is False:
        return None
    else:
        condition &= Q(every_drive=True)
    condition &= filterset.access.readable_q("chapter__path")
    if data.get("chapter") is not None:
        condition &= Q(chapter__in=data["chapter"].subtree().values("pk"))
    parts = DONOR_FIRST_DAYS.span(start, end)
    return sum(part.filter(condition).aggregate(n=Sum("rows"))["n"] or 0 for part in parts)


def donations_by_month(chapter, start, end):
    """What the gifts of ``chapter`` and below brought in (cash and in-kind value) per month from
    ``start`` to ``end``: {first day of the month: amount}, months without gifts left out (one
    query over the kept daily sums). A reversal takes its amount back in its own month, as the
    list's totals line counts it."""
    months = {}
    for part in _kept_gifts(chapter, start, end):
        rows = (
            part.order_by()
            .annotate(month=TruncMonth("date"))
            .values("month")
            .annotate(total=Sum(F("cash") + F("in_kind"), output_field=MONEY))
        )
        for row in rows:
            months[row["month"]] = months.get(row["month"], Decimal("0.00")) + to_money(row["total"])
    return months


def _drive_sum(expression, until):
    total = None
    for part in KEPT[Donation].span(None, until):
        rows = part.filter(drive=OuterRef("pk"), status__in=COUNTED).order_by().values("drive")
        one = Coalesce(
            Subquery(rows.annotate(total=Sum(expression)).values("total")),
            Value(0) if expression == "gifts" else ZERO,
        )
        total = one if total is None else total + one
    return total


def drives_with_totals(queryset, *, until=None):
    """Drives annotated with ``cash``, ``in_kind``, ``raised`` and ``donation_count``, from the
    kept daily sums of their gifts that count (a subquery each: nothing inflates another).

    With ``until`` (a report's period end), only the gifts dated up to that day: a 2020 report
    comparing with the 2019 drive must not count a gift to it recorded in 2026.
    """
    return queryset.annotate(
        cash=_drive_sum("cash", until),
        in_kind=_drive_sum("in_kind", until),
        donation_count=_drive_sum("gifts", until),
    ).annotate(raised=F("cash") + F("in_kind"))


def drive_totals(drive):
    """What ``drive`` raised, its gifts and its donors, from the kept sums and firsts."""
    row = dict.fromkeys(_KEPT_SUMS, 0)
    for part in KEPT[Donation].span():
        summed = part.filter(drive=drive, status__in=COUNTED).aggregate(**_KEPT_SUMS)
        row = {name: row[name] + (summed[name] or 0) for name in row}
    donors = sum(
        part.filter(drive=drive, every_drive=False, ever=True).aggregate(n=Sum("rows"))["n"] or 0
        for part in DONOR_FIRST_DAYS.span()
    )
    return DonationTotals(**_kept_totals(row, donors))


def drive_history(drive):
    """The chapter's drives of the same name, year by year, with what each raised (one query)."""
    return list(
        drives_with_totals(Drive.objects.filter(chapter=drive.chapter_id, name=drive.name)).order_by(
            "start_date"
        )
    )


def drive_is_record_high(drive, history, *, raised=None):
    """Whether ``drive`` raised more than every earlier drive of its name (创同期最高水平).

    ``history`` holds the drives of its name with what each raised (``drive_history``); the
    drive's own sum is taken from there unless ``raised`` says it (a report counts only what came
    in during its period). The drive page and the report both ask here, so they cannot disagree.
    """
    if raised is None:
        raised = next(d.raised for d in history if d.pk == drive.pk)
    earlier = [d.raised for d in history if d.start_date < drive.start_date]
    return bool(earlier) and to_money(raised) > max(to_money(r) for r in earlier)


def donors_with_given(queryset):
    """Donors annotated with ``given`` (what they gave in all) and ``gift_count``."""
    gifts = Donation.objects.filter(donor=OuterRef("pk")).order_by().values("donor")
    return queryset.annotate(
        given=Coalesce(
            Subquery(gifts.annotate(total=Sum("amount", output_field=MONEY)).values("total")), ZERO
        ),
        gift_count=Coalesce(
            Subquery(gifts.annotate(n=Count("pk", filter=Q(reverses__isnull=True))).values("n")), 0
        ),
    )


def donor_totals(queryset):
    """Number of donors in ``queryset`` and what they gave (two queries: no join inflates either)."""
    donors = queryset.order_by()
    given = Donation.objects.filter(donor__in=donors.values("pk")).aggregate(total=Sum("amount"))["total"]
    return {"count": donors.count(), "given": to_money(given)}


def payout_list_totals(figures):
    """The payouts' list's totals line from its kept daily figures."""
    counted = figures["counted"]
    cash, in_kind = to_money(counted["cash_amount"]), to_money(counted["in_kind_amount"])
    return {"count": counted["payouts"], "cash": cash, "in_kind": in_kind, "amount": cash + in_kind}


def payout_totals(queryset):
    row = queryset.order_by().aggregate(
        n=Count("pk", filter=Q(reverses__isnull=True)), cash=Sum("cash_amount"), in_kind=Sum("in_kind_amount")
    )
    cash, in_kind = to_money(row["cash"]), to_money(row["in_kind"])
    return {"count": row["n"] or 0, "cash": cash, "in_kind": in_kind, "amount": cash + in_kind}


def drive_totals_for_list(queryset):
    """Goal and raised over the drives of ``queryset``: the goals summed over the drives (never
    repeated per gift), what they raised from the kept sums of their gifts (never reading a
    gift). The donors of several drives are not summed (one person may give to two): ``donors``
    is None."""
    row = queryset.order_by().aggregate(n=Count("pk"), goal=Sum("goal"))
    drives = queryset.order_by().values("pk")
    sums = dict.fromkeys(_KEPT_SUMS, 0)
    for part in KEPT[Donation].span():
        summed = part.filter(drive__in=drives, status__in=COUNTED).aggregate(**_KEPT_SUMS)
        sums = {name: sums[name] + (summed[name] or 0) for name in sums}
    donations = DonationTotals(**{**_kept_totals(sums, None), "donors": None})
    return {"count": row["n"] or 0, "goal": to_money(row["goal"]), "donations": donations}

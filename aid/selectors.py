"""Reads of relief disbursements: totals computed in the database.

A person is counted once however many payments they got (a beneficiary is one person, found by
ID number, else by name and township); a group distribution adds its head count; a case is
counted per payment or operation (``cases``).
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, F, Max, Min, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce, TruncMonth

from redcross.kept import COUNTED
from redcross.money import money_output_field, to_money

from .models import (
    DISBURSEMENT_DAYS,
    PERSON_FIRST_DAYS,
    PERSON_YEAR_DAYS,
    Disbursement,
    PersonYear,
    ReliefDay,
)


@dataclass(frozen=True)
class ReliefTotals:
    count: int
    cash: Decimal
    in_kind: Decimal
    persons: int
    cases: int

    @property
    def amount(self):
        return self.cash + self.in_kind


@dataclass(frozen=True)
class CategoryReliefTotals(ReliefTotals):
    category_id: int
    category_name: str


def _aggregates():
    # A reversal (冲销) takes its money back; it reaches nobody and is no payment of its own.
    paid = Q(reverses__isnull=True)
    return {
        "n": Count("pk", filter=paid),
        "cash": Sum("cash_amount"),
        "in_kind": Sum("in_kind_amount"),
        "named_persons": Count("beneficiary", distinct=True, filter=paid),
        "group_persons": Sum("head_count", filter=paid & Q(beneficiary__isnull=True)),
        "case_count": Sum("cases", filter=paid),
    }


def _totals_kwargs(row):
    return {
        "count": row["n"] or 0,
        "cash": to_money(row["cash"]),
        "in_kind": to_money(row["in_kind"]),
        "persons": (row["named_persons"] or 0) + (row["group_persons"] or 0),
        "cases": row["case_count"] or 0,
    }


def disbursement_totals(queryset):
    """Amount, persons and cases of every disbursement in ``queryset``, in one query."""
    row = queryset.order_by().aggregate(**_aggregates())
    return ReliefTotals(**_totals_kwargs(row))


def disbursement_list_totals(figures, filterset):
    """The payments' list's totals line from its kept daily figures (``redcross.kept``) and the
    persons first helped (``PersonFirst``, ``PersonYear``); None when the persons its filters
    select cannot be counted from those (a fund, a period not starting on a year's first day)."""
    persons = _persons_kept(filterset)
    if persons is None:
        return None
    counted = figures["counted"]
    return ReliefTotals(
        count=counted["payments"],
        cash=to_money(counted["cash_amount"]),
        in_kind=to_money(counted["in_kind_amount"]),
        persons=persons + counted["group_persons"],
        cases=counted["cases"],
    )


def _persons_kept(filterset):
    """Distinct named persons the list's standing payments reach, counted from the kept first
    days, or None when they cannot be."""
    data = filterset.form.cleaned_data if filterset.is_bound else {}
    status = data.get("status")
    if status and status != "standing":
        return 0  # voided, pending or reversals: none counts as reaching anybody
    if data.get("fund") is not None:
        return None
    period = data.get("date") or slice(None, None)
    start, end = period.start, period.stop
    if start is None:
        parts = PERSON_FIRST_DAYS.span(None, end)
    elif (start.month, start.day) == (1, 1) and end is not None and end.year == start.year:
        parts = PERSON_YEAR_DAYS.span(start, end)
    else:
        return None
    condition = filterset.access.readable_q("chapter__path") & Q(category=data.get("category"))
    if data.get("chapter") is not None:
        condition &= Q(chapter__in=data["chapter"].subtree().values("pk"))
    return sum(part.filter(condition).aggregate(n=Sum("rows"))["n"] or 0 for part in parts)


def disbursement_totals_by_category(queryset):
    """The same totals per relief category, in the categories' order, in one query."""
    rows = (
        queryset.order_by()
        .values("category", "category__name", "category__order")
        .annotate(**_aggregates())
        .order_by("category__order", "category__name")
    )
    return [
        CategoryReliefTotals(
            category_id=row["category"], category_name=row["category__name"], **_totals_kwargs(row)
        )
        for row in rows
    ]


def relief_years(chapters):
    """The years from the first to the last relief of ``chapters`` (a queryset of chapters: one
    chapter's subtree, or those a user reads), latest first (the choice of year of the home page
    and of the persons' list).

    Read from the daily sums, the first and last day of each chapter through the (chapter, date)
    index: a few index probes per chapter, however many payments the years hold.
    """
    days = ReliefDay.objects.filter(chapter=OuterRef("pk")).order_by()
    row = (
        chapters.order_by()
        .annotate(
            first=Subquery(days.order_by("date").values("date")[:1]),
            last=Subquery(days.order_by("-date").values("date")[:1]),
        )
        .aggregate(earliest=Min("first"), latest=Max("last"))
    )
    if row["earliest"] is None:
        return []
    return list(range(row["latest"].year, row["earliest"].year - 1, -1))


def persons_by_category(chapter, *, start, end):
    """Distinct named beneficiaries of ``chapter`` and the chapters below it helped from ``start``
    (1 January) to ``end`` in the same year, per category (key None: in any category).

    Summed from the day counts of PersonYear (each person's first day of relief in a year), so
    distinct persons cost a few rows per day rather than a pass over every payment or person.
    """
    assert (start.month, start.day) == (1, 1) and end.year == start.year, (
        "PersonYear counts a year from 1 January"
    )
    persons = {}
    for part in PERSON_YEAR_DAYS.span(start, end):
        rows = part.filter(chapter__in=chapter.subtree()).order_by().values("category")
        rows = rows.annotate(n=Sum("rows"))
        for row in rows:
            persons[row["category"]] = persons.get(row["category"], 0) + row["n"]
    return persons


@dataclass(frozen=True)
class ReliefSummary:
    """The relief of a chapter and period: in all, per category (in the categories' order) and per
    fund drawn on (fund id → totals; no person is counted per fund, only groups' head counts)."""

    total: ReliefTotals
    categories: list
    funds: dict


def relief_kept(chapter, start, end):
    """The kept totals of the payments that count (standing, reversals taking theirs back) of
    ``chapter`` and below from ``start`` to ``end``: querysets of ``DisbursementDay`` and its
    months (``DayTotals.span``), with the same sums as the payments' list."""
    below = Q(chapter__in=chapter.subtree().values("pk"), status__in=COUNTED)
    return [part.filter(below) for part in DISBURSEMENT_DAYS.span(start, end)]


def relief_by_category(chapter, *, start, end):
    """The relief of ``chapter`` and the chapters below it from ``start`` (1 January) to ``end``.

    The one reading of the relief figures: the home page and the work reports both show these.
    Money, payments, cases and groups are summed from the kept totals of the payments that count
    (``relief_kept``: the whole months, the days around them), named persons from the day counts
    of PersonYear: a fixed number of queries however many payments the year holds.
    """
    rows = []
    for part in relief_kept(chapter, start, end):
        rows += (
            part.order_by()
            .values("category", "category__name", "category__order", "fund")
            .annotate(
                n=Sum("payments"),
                cash=Sum("cash_amount"),
                in_kind=Sum("in_kind_amount"),
                case_count=Sum("cases"),
                group_persons=Sum("group_persons"),
            )
        )
    persons = persons_by_category(chapter, start=start, end=end)
    total = _Sums()
    categories = {}
    funds = {}
    for row in sorted(rows, key=lambda row: (row["category__order"], row["category__name"])):
        total.add(row)
        categories.setdefault(row["category"], _Sums(row["category__name"])).add(row)
        if row["fund"] is not None:
            funds.setdefault(row["fund"], _Sums()).add(row)
    return ReliefSummary(
        total=total.totals(persons.get(None, 0)),
        categories=[
            CategoryReliefTotals(
                category_id=category_id, category_name=sums.name, **sums.kwargs(persons.get(category_id, 0))
            )
            for category_id, sums in categories.items()
        ],
        funds={fund_id: sums.totals(0) for fund_id, sums in funds.items()},
    )


@dataclass
class _Sums:
    """Daily sums added up, as they are read."""

    name: str = ""
    count: int = 0
    cash: Decimal = Decimal("0.00")
    in_kind: Decimal = Decimal("0.00")
    cases: int = 0
    group_persons: int = 0

    def add(self, row):
        self.count += row["n"] or 0
        self.cash += to_money(row["cash"])
        self.in_kind += to_money(row["in_kind"])
        self.cases += row["case_count"] or 0
        self.group_persons += row["group_persons"] or 0

    def kwargs(self, named_persons):
        return {
            "count": self.count,
            "cash": self.cash,
            "in_kind": self.in_kind,
            "persons": named_persons + self.group_persons,
            "cases": self.cases,
        }

    def totals(self, named_persons):
        return ReliefTotals(**self.kwargs(named_persons))


def relief_by_month(chapter, *, start, end):
    """Relief money (cash and in-kind value) of ``chapter`` and the chapters below it per month
    from ``start`` to ``end``: {first day of the month: amount}, months without relief left out.

    Summed in the database from the same daily sums as ``relief_by_category`` (one query), so a
    year's months add up to the year's total the home page's table shows.
    """
    months = {}
    for part in relief_kept(chapter, start, end):
        rows = (
            part.order_by()
            .annotate(month=TruncMonth("date"))
            .values("month")
            .annotate(cash=Sum("cash_amount"), in_kind=Sum("in_kind_amount"))
        )
        for row in rows:
            amount = to_money(row["cash"]) + to_money(row["in_kind"])
            months[row["month"]] = months.get(row["month"], Decimal("0.00")) + amount
    return months


# --- persons ---------------------------------------------------------------------------------


def beneficiaries_with_payments(queryset, payment_q=None):
    """Persons with the payments that stand (of ``payment_q``, over the payments' own fields):
    ``payment_count`` (no reversal), ``received`` (cash and in-kind value, reversals taking
    theirs back; read it through ``to_money``: SQLite sums in floating point) and ``last_date``.

    Each figure is a subquery of the person's own payments (through the payments' beneficiary
    index), so a page of 50 persons costs 50 small lookups, not a grouping of every payment of
    the chapter before the page is cut.
    """
    own = Q(beneficiary=OuterRef("pk")) & Disbursement.standing_q() & (payment_q or Q())
    payments = Disbursement.all_objects.filter(own).order_by()

    def per_person(rows, **aggregate):
        ((name, expression),) = aggregate.items()
        return Subquery(rows.values("beneficiary").annotate(**{name: expression}).values(name)[:1])

    return queryset.annotate(
        payment_count=Coalesce(per_person(payments.filter(reverses__isnull=True), n=Count("pk")), 0),
        received=per_person(
            payments, total=Sum(F("cash_amount") + F("in_kind_amount"), output_field=money_output_field())
        ),
        last_date=Subquery(payments.order_by("-date").values("date")[:1]),
    )


@dataclass(frozen=True)
class BeneficiaryTotals:
    persons: int
    count: int
    amount: Decimal


def beneficiary_totals(queryset, payment_q=None):
    """The persons of ``queryset``, and the count and amount of their payments that stand (of
    ``payment_q``, over ``disbursements__``), in one query."""
    paid = Disbursement.standing_q("disbursements__") & (payment_q or Q())
    row = queryset.order_by().aggregate(
        persons=Count("pk", distinct=True),
        n=Count("disbursements", filter=paid & Q(disbursements__reverses__isnull=True)),
        cash=Sum("disbursements__cash_amount", filter=paid),
        in_kind=Sum("disbursements__in_kind_amount", filter=paid),
    )
    return BeneficiaryTotals(
        persons=row["persons"] or 0,
        count=row["n"] or 0,
        amount=to_money(row["cash"]) + to_money(row["in_kind"]),
    )


def person_counted(beneficiary):
    """What the reports counted ``beneficiary`` as: per year, the first day of relief in any
    category and per category (``PersonYear``), latest year first: [(year, first day in any
    category, [(category name, first day)])]."""
    rows = (
        PersonYear.objects.filter(beneficiary=beneficiary)
        .select_related("category")
        .order_by("-year", "category__order", "category__name")
    )
    years = {}
    for row in rows:
        entry = years.setdefault(row.year, {"any": None, "categories": []})
        if row.category_id is None:
            entry["any"] = row.first_date
        else:
            entry["categories"].append((row.category, row.first_date))
    return [(year, entry["any"], entry["categories"]) for year, entry in years.items()]

"""Reads of relief disbursements: totals computed in the database.

A person is counted once however many payments they got (a beneficiary is one person, found by
ID number, else by name and township); a group distribution adds its head count; a case is
counted per payment or operation (``cases``).
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, Sum

from redcross.money import to_money


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


def disbursement_years(queryset):
    """The years that have disbursements in ``queryset``, latest first."""
    return [d.year for d in queryset.order_by().dates("date", "year", order="DESC")]

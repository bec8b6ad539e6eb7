"""Reads of funds: balances computed in the database."""

from django.db.models import DecimalField, F, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from redcross.money import to_money

from .models import Donation

ZERO = Value(0, output_field=DecimalField(max_digits=14, decimal_places=2))


def _sum_subquery(queryset, expression):
    """A correlated subquery summing ``expression`` over ``queryset`` (zero when empty)."""
    summed = (
        queryset.order_by()
        .values("fund")
        .annotate(total=Sum(expression, output_field=DecimalField(max_digits=14, decimal_places=2)))
        .values("total")
    )
    return Coalesce(Subquery(summed), ZERO)


def fund_balance(fund, *, excluding_disbursement=None):
    """What ``fund`` holds now: everything received minus everything paid out.

    ``excluding_disbursement`` leaves one payment out, for re-checking a payment being corrected.
    Inflows and outflows are summed in separate subqueries so neither inflates the other.
    """
    from aid.models import Disbursement

    received = Donation.objects.filter(fund=fund).aggregate(total=Sum("amount"))["total"]
    paid = Disbursement.objects.filter(fund=fund)
    if excluding_disbursement is not None and excluding_disbursement.pk:
        paid = paid.exclude(pk=excluding_disbursement.pk)
    paid_total = paid.aggregate(total=Sum(F("cash_amount") + F("in_kind_amount")))["total"]
    return to_money(received) - to_money(paid_total)


def funds_with_balance(queryset):
    """Funds annotated with ``received``, ``paid`` and ``balance``, one query for any number."""
    from aid.models import Disbursement

    received = _sum_subquery(Donation.objects.filter(fund=OuterRef("pk")), F("amount"))
    paid = _sum_subquery(
        Disbursement.objects.filter(fund=OuterRef("pk")), F("cash_amount") + F("in_kind_amount")
    )
    return queryset.annotate(received=received, paid=paid).annotate(balance=F("received") - F("paid"))

"""Funds and the donations that fill them.

This is the ground the relief service needs (a payment is drawn from a fund, and a fund never
goes below zero); donors, drives and receipts build on it.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from redcross.models import TrackedModel, money_field

from .choices import DonationKind


class Fund(TrackedModel):
    """A fund (基金/专项资金) money is received into and paid out of.

    A restricted fund (限定用途) is spent only on the purpose its donors named.
    """

    name = models.CharField(_("基金名称"), max_length=100)
    restricted_category = models.ForeignKey(
        "aid.AidCategory",
        verbose_name=_("限定用途（救助类别）"),
        null=True,
        blank=True,
        # Donor intent is part of the books: the category it names cannot vanish.
        on_delete=models.PROTECT,
        related_name="restricted_funds",
        help_text=_("为空表示非限定用途"),
    )
    remarks = models.TextField(_("备注"), blank=True)

    class Meta:
        verbose_name = _("基金")
        verbose_name_plural = _("基金")
        ordering = ["chapter__path", "name"]
        constraints = [
            models.UniqueConstraint(fields=["chapter", "name"], name="fund_name_unique_in_chapter"),
        ]

    def __str__(self):
        return self.name

    @property
    def is_restricted(self):
        return self.restricted_category_id is not None


class Donation(TrackedModel):
    """Money or goods received into a fund; goods are recorded at their valued amount."""

    date = models.DateField(_("捐赠日期"))
    donor_name = models.CharField(_("捐赠人"), max_length=200)
    fund = models.ForeignKey(
        Fund,
        verbose_name=_("入账基金"),
        # A fund with money in it keeps its ledger: it cannot be deleted from under it.
        on_delete=models.PROTECT,
        related_name="donations",
    )
    kind = models.CharField(
        _("捐赠方式"), max_length=16, choices=DonationKind.choices, default=DonationKind.CASH
    )
    amount = money_field(_("金额"))
    remarks = models.TextField(_("备注"), blank=True)

    class Meta:
        verbose_name = _("捐赠")
        verbose_name_plural = _("捐赠")
        ordering = ["-date", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="donation_amount_positive"),
        ]

    def __str__(self):
        return f"{self.date} {self.donor_name} {self.amount}"

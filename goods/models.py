"""In-kind goods (物资): stores, items, lots (入库批次), issues (出库) with their lines, and stock
count adjustments (盘点调整).

Goods are not money. Each arrival is a lot naming where it came from (an in-kind gift, a
purchase with a fund's cash, an allocation from the chapter above); each issue line takes a
quantity from one named lot, so every unit is followed from its donor to its recipient. Stock
on hand per lot is received − issued ± adjustments, computed from the rows, never stored.
"""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from donations.choices import ValuationBasis
from redcross import bounds
from redcross.models import (
    ApprovedModel,
    BoundedDecimalField,
    ChapterScopedQuerySet,
    CorrectableModel,
    StandingManager,
    TrackedModel,
    correction_constraints,
    money_field,
)
from redcross.money import MONEY_DECIMAL_PLACES, MONEY_MAX_DIGITS

from .choices import RELIEF_KINDS, IssueKind, LotOrigin

QUANTITY_DIGITS, QUANTITY_PLACES = 14, 2


def quantity_field(verbose_name, *, signed=False, **kwargs):
    """A quantity of goods: two places, below ``bounds.MAX_QUANTITY`` (never negative unless
    ``signed``: an adjustment or a reversal's line)."""
    validators = [bounds.validate_quantity]
    if not signed:
        validators.insert(0, MinValueValidator(0, _("数量不能为负数")))
    return BoundedDecimalField(
        verbose_name,
        max_digits=QUANTITY_DIGITS,
        decimal_places=QUANTITY_PLACES,
        validators=validators,
        **kwargs,
    )


class Store(TrackedModel):
    """A store (库房) of a chapter where its goods are kept."""

    name = models.CharField(_("库房名称"), max_length=100)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    keeper = models.CharField(_("保管人"), max_length=50, blank=True)
    is_active = models.BooleanField(_("在用"), default=True)

    class Meta:
        verbose_name = _("库房")
        verbose_name_plural = _("库房")
        ordering = ["chapter__path", "name"]
        constraints = [
            models.UniqueConstraint(fields=["chapter", "name"], name="store_name_unique_in_chapter"),
        ]

    def __str__(self):
        return self.name


class Item(TrackedModel):
    """A kind of goods a chapter keeps: name, specification (规格型号) and unit. Lots of the same
    item are counted together in the stock."""

    name = models.CharField(_("物资名称"), max_length=200)
    specification = models.CharField(_("规格型号"), max_length=100, blank=True)
    unit = models.CharField(_("计量单位"), max_length=20)

    class Meta:
        verbose_name = _("物资品目")
        verbose_name_plural = _("物资品目")
        ordering = ["name", "specification", "unit"]
        constraints = [
            models.UniqueConstraint(
                fields=["chapter", "name", "specification", "unit"], name="item_unique_in_chapter"
            ),
        ]

    def __str__(self):
        spec = f"（{self.specification}）" if self.specification else ""
        return f"{self.name}{spec}"


class LotQuerySet(ChapterScopedQuerySet):
    def with_related(self):
        return self.select_related("chapter", "store", "item", "fund", "donation__donor", "origin_chapter")

    def available(self):
        """Lots whose goods are in the store: all but an allocation still in transit."""
        return self.filter(in_transit=False)

    def in_transit(self):
        """Allocations from the chapter above not yet confirmed by the chapter receiving them."""
        return self.filter(in_transit=True)


class Lot(CorrectableModel):
    """An arrival of goods (入库批次): what, how many, what they are worth and on what basis, when
    they expire, who counted them, where they are kept, where they came from and whose they are
    (the fund). Voided while its period is open and nothing was issued from it; a lot of a closed
    period is corrected by a stock count adjustment, never reversed."""

    closed_by_periods = True

    date = models.DateField(_("入库日期"), validators=[bounds.validate_record_date])
    store = models.ForeignKey(
        Store,
        verbose_name=_("库房"),
        # The store's lots are its books: a store holding lots stays.
        on_delete=models.PROTECT,
        related_name="lots",
    )
    item = models.ForeignKey(
        Item,
        verbose_name=_("物资"),
        # Stock is counted per item: an item with lots stays.
        on_delete=models.PROTECT,
        related_name="lots",
    )
    quantity = quantity_field(_("入库数量"))
    unit_value = money_field(_("单价（元）"))
    total_value = money_field(_("折价金额（元）"))
    valuation_basis = models.CharField(_("折价依据"), max_length=16, choices=ValuationBasis.choices)
    expiry_date = models.DateField(
        _("有效期至"),
        null=True,
        blank=True,
        validators=[bounds.validate_plan_date],
        help_text=_("食品、药品等有有效期的物资填写"),
    )
    counted_by_1 = models.CharField(_("清点人一"), max_length=50, blank=True)
    counted_by_2 = models.CharField(_("清点人二"), max_length=50, blank=True)
    origin = models.CharField(_("来源"), max_length=16, choices=LotOrigin.choices)
    donation = models.OneToOneField(
        "donations.Donation",
        verbose_name=_("捐赠"),
        null=True,
        blank=True,
        # A gift in kind is the arrival of its goods: the gift stays with its lot.
        on_delete=models.PROTECT,
        related_name="lot",
    )
    origin_chapter = models.ForeignKey(
        "redcross.Chapter",
        verbose_name=_("调出单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    source_line = models.OneToOneField(
        "IssueLine",
        verbose_name=_("调拨出库明细"),
        null=True,
        blank=True,
        # The allocation it came from stays while the lot it made does.
        on_delete=models.PROTECT,
        related_name="received_lot",
    )
    supplier = models.CharField(_("供应商"), max_length=200, blank=True)
    document_number = models.CharField(_("单据号"), max_length=50, blank=True)
    fund = models.ForeignKey(
        "donations.Fund",
        verbose_name=_("所属基金"),
        # Whose goods they are: the fund's books name them.
        on_delete=models.PROTECT,
        related_name="lots",
    )
    remarks = models.TextField(_("备注"), blank=True)
    # An allocation issued inside the product leaves the chapter above in transit (在途): it is
    # in the books of the chapter below from its date (the goods ledger, the fund's goods), but
    # not in its store until a person of that chapter confirms its arrival (the day, the two
    # counters, the quantity counted; a shortfall is a stock count adjustment). Until then it
    # cannot be issued or counted.
    in_transit = models.BooleanField(_("在途待接收"), default=False)
    received_on = models.DateField(_("接收日期"), null=True, blank=True)
    received_quantity = quantity_field(_("实收数量"), null=True, blank=True)
    received_at = models.DateTimeField(_("接收确认时间"), null=True, blank=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("接收确认人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = StandingManager.from_queryset(LotQuerySet)()
    all_objects = LotQuerySet.as_manager()
    correction_amounts = ("total_value",)

    class Meta:
        verbose_name = _("入库批次")
        verbose_name_plural = _("入库批次")
        ordering = ["-date", "-pk"]
        indexes = [
            models.Index(fields=["chapter", "date"], name="lot_chapter_date"),
            models.Index(fields=["chapter", "item", "expiry_date", "date"], name="lot_fifo"),
            models.Index(fields=["fund", "date", "id"], name="lot_fund_date"),
            # What waits to be received (the start pages' panel): few rows of many.
            models.Index(fields=["chapter", "date"], condition=Q(in_transit=True), name="lot_in_transit"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gt=0, total_value__gte=0) | Q(reverses__isnull=False),
                name="lot_quantity_positive",
            ),
            *correction_constraints("lot"),
            models.CheckConstraint(
                condition=~Q(origin=LotOrigin.DONATION) | Q(donation__isnull=False),
                name="lot_donation_names_its_gift",
            ),
            models.CheckConstraint(
                condition=~Q(origin=LotOrigin.ALLOCATION) | Q(origin_chapter__isnull=False),
                name="lot_allocation_names_its_origin",
            ),
            models.CheckConstraint(
                condition=Q(in_transit=False) | Q(source_line__isnull=False),
                name="lot_in_transit_is_an_allocation",
            ),
        ]

    def __str__(self):
        return _("%(item)s %(quantity)s%(unit)s（%(date)s入库）") % {
            "item": self.item,
            "quantity": _quantity_text(self.quantity),
            "unit": self.item.unit,
            "date": self.date,
        }

    def get_absolute_url(self):
        return reverse("goods:lot-detail", args=[self.pk])

    @property
    def awaits_receipt(self):
        """In transit and standing: what the chapter below still has to confirm."""
        return self.in_transit and self.voided_at is None

    @property
    def counters(self):
        return "、".join(name for name in (self.counted_by_1, self.counted_by_2) if name)


def _quantity_text(value):
    """1200 rather than 1200.00; 2.5 stays 2.5."""
    if value is None:
        return ""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


class IssueQuerySet(ChapterScopedQuerySet):
    def with_related(self):
        return self.select_related("chapter", "recipient_chapter", "category")


class Issue(ApprovedModel):
    """Goods leaving the store (出库): as relief to a named person or a group (its relief payment,
    in ``aid``, names this issue and is worth what its lines took), to a chapter below (which
    receives a lot), to a receiving unit, or written off with a reason. A write-off waits for a
    leader's approval; until then, like a voided issue, it takes nothing from the stock."""

    closed_by_periods = True

    date = models.DateField(_("出库日期"), validators=[bounds.validate_record_date])
    kind = models.CharField(_("出库类型"), max_length=16, choices=IssueKind.choices)
    recipient_chapter = models.ForeignKey(
        "redcross.Chapter",
        verbose_name=_("调入红十字会"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    receiving_unit = models.CharField(_("接收单位"), max_length=200, blank=True)
    # For relief: who received the goods, as the relief payment names them (masked where shown).
    category = models.ForeignKey(
        "aid.AidCategory",
        verbose_name=_("救助类别"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # For goods of a fund restricted to a project, sent to a receiving unit: the project they
    # serve (a relief category serves as the purpose of a fund restricted to one: ``category``).
    project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("用于项目"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    beneficiary_name = models.CharField(_("受助人姓名"), max_length=50, blank=True)
    head_count = models.PositiveIntegerField(
        _("受助人数"),
        default=1,
        validators=[MinValueValidator(1, _("受助人数至少为1")), bounds.validate_head_count],
    )
    reason = models.CharField(_("出库事由"), max_length=200, blank=True)
    document_number = models.CharField(_("出库单号"), max_length=50, blank=True)
    # A payout (款物拨付) that gave these goods on before they were kept in a store (the data
    # migration of issue 20): the payout's in-kind value counts in its fund's books, the lines
    # trace the goods.
    payout = models.OneToOneField(
        "donations.Payout",
        verbose_name=_("款物拨付"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="goods_issue",
    )
    total_value = money_field(_("折价金额（元）"))
    remarks = models.TextField(_("备注"), blank=True)

    objects = StandingManager.from_queryset(IssueQuerySet)()
    all_objects = IssueQuerySet.as_manager()
    correction_amounts = ("total_value",)

    class Meta:
        verbose_name = _("物资出库")
        verbose_name_plural = _("物资出库")
        ordering = ["-date", "-pk"]
        indexes = [models.Index(fields=["chapter", "date"], name="issue_chapter_date")]
        constraints = [
            models.CheckConstraint(
                condition=Q(total_value__gte=0) | Q(reverses__isnull=False), name="issue_value_not_negative"
            ),
            *correction_constraints("issue"),
            models.CheckConstraint(
                condition=~Q(kind=IssueKind.ALLOCATION) | Q(recipient_chapter__isnull=False),
                name="issue_allocation_names_its_chapter",
            ),
            models.CheckConstraint(
                condition=~Q(kind=IssueKind.WRITE_OFF) | ~Q(reason=""),
                name="issue_write_off_has_reason",
            ),
        ]

    def __str__(self):
        return f"{self.date} {self.get_kind_display()} {self.recipient_label}"

    def get_absolute_url(self):
        return reverse("goods:issue-detail", args=[self.pk])

    @property
    def is_relief(self):
        return self.kind in RELIEF_KINDS

    @property
    def recipient_label(self):
        """To whom the goods went, as said in lists (a person's name is masked by the page)."""
        if self.kind == IssueKind.ALLOCATION:
            return str(self.recipient_chapter) if self.recipient_chapter_id else ""
        if self.kind == IssueKind.UNIT:
            return self.receiving_unit
        if self.kind == IssueKind.RELIEF_GROUP:
            return _("群体发放（%(n)s人）") % {"n": self.head_count}
        if self.kind == IssueKind.WRITE_OFF:
            return self.reason
        return self.beneficiary_name

    def correction_total(self):
        return self.total_value


class StandingLineManager(models.Manager):
    """The lines of issues that stand (neither voided nor waiting for approval): what takes goods
    from the stock and what a fund's books count."""

    def get_queryset(self):
        return super().get_queryset().filter(Issue.standing_q("issue__"))


class IssueLine(TrackedModel):
    """One line of an issue: a quantity taken from one named lot, worth its share of the lot's
    value. Carries the issue's date and the lot's fund, so stock as of a day and a fund's books
    read the lines alone. A reversal's lines hold the quantities negated: they put the goods back."""

    closed_by_periods = True
    never_deleted = True

    issue = models.ForeignKey(
        Issue,
        verbose_name=_("出库单"),
        # Lines are the issue's own rows: kept with it.
        on_delete=models.PROTECT,
        related_name="lines",
    )
    lot = models.ForeignKey(
        Lot,
        verbose_name=_("入库批次"),
        # Every unit is followed back to its lot.
        on_delete=models.PROTECT,
        related_name="lines",
    )
    date = models.DateField(_("出库日期"))
    fund = models.ForeignKey(
        "donations.Fund", verbose_name=_("所属基金"), on_delete=models.PROTECT, related_name="goods_lines"
    )
    quantity = quantity_field(_("数量"), signed=True)
    value = models.DecimalField(
        _("折价金额（元）"), max_digits=MONEY_MAX_DIGITS, decimal_places=MONEY_DECIMAL_PLACES
    )

    objects = StandingLineManager.from_queryset(ChapterScopedQuerySet)()
    all_objects = ChapterScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("出库明细")
        verbose_name_plural = _("出库明细")
        ordering = ["issue", "pk"]
        indexes = [
            models.Index(fields=["lot", "date"], name="issue_line_lot_date"),
            models.Index(fields=["fund", "date", "id"], name="issue_line_fund_date"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(quantity=0), name="issue_line_quantity_not_zero"),
        ]

    def __str__(self):
        return f"{self.lot_id} × {self.quantity}"


class Adjustment(CorrectableModel):
    """A difference found by a stock count (盘点) recorded against a lot, with its reason: a
    quantity more (positive) or less (negative) than the books held. Nothing is overwritten."""

    closed_by_periods = True

    date = models.DateField(_("盘点日期"), validators=[bounds.validate_record_date])
    lot = models.ForeignKey(
        Lot, verbose_name=_("入库批次"), on_delete=models.PROTECT, related_name="adjustments"
    )
    fund = models.ForeignKey(
        "donations.Fund",
        verbose_name=_("所属基金"),
        on_delete=models.PROTECT,
        related_name="goods_adjustments",
    )
    counted_quantity = quantity_field(_("实盘数量"))
    quantity = quantity_field(_("盘盈（+）盘亏（−）数量"), signed=True)
    value = models.DecimalField(
        _("折价金额（元）"), max_digits=MONEY_MAX_DIGITS, decimal_places=MONEY_DECIMAL_PLACES
    )
    reason = models.CharField(_("差异原因"), max_length=200)
    counted_by_1 = models.CharField(_("盘点人一"), max_length=50)
    counted_by_2 = models.CharField(_("盘点人二"), max_length=50)

    objects = StandingManager.from_queryset(ChapterScopedQuerySet)()
    all_objects = ChapterScopedQuerySet.as_manager()
    correction_amounts = ("value",)

    class Meta:
        verbose_name = _("盘点调整")
        verbose_name_plural = _("盘点调整")
        ordering = ["-date", "-pk"]
        indexes = [
            models.Index(fields=["lot", "date"], name="adjustment_lot_date"),
            models.Index(fields=["fund", "date", "id"], name="adjustment_fund_date"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(quantity=0), name="adjustment_quantity_not_zero"),
            models.CheckConstraint(condition=~Q(reason=""), name="adjustment_has_reason"),
            *correction_constraints("adjustment"),
        ]

    def __str__(self):
        return f"{self.date} {self.lot_id} {self.quantity}"

    def get_absolute_url(self):
        return self.lot.get_absolute_url()


# --- What a fund's books count (``donations.selectors.FundOutflow``) ---------------------------
# An in-kind gift's lot is counted by its gift, and a relief issue by its relief payment: the
# fund's books take the other lots (purchases: the fund's cash becomes goods; allocations from
# above: goods come in) and the other issues (to a chapter below, a unit, written off).


class _LotsInFundManager(StandingManager.from_queryset(LotQuerySet)):
    def get_queryset(self):
        return super().get_queryset().exclude(origin=LotOrigin.DONATION)


class LotInFund(Lot):
    """The lots a fund's books count as their own entries: purchases and allocations received."""

    objects = _LotsInFundManager()

    class Meta:
        proxy = True
        verbose_name = _("物资入库")
        verbose_name_plural = _("物资入库")


class _LinesInFundManager(StandingLineManager.from_queryset(ChapterScopedQuerySet)):
    def get_queryset(self):
        lines = super().get_queryset()
        return lines.exclude(issue__kind__in=RELIEF_KINDS).exclude(issue__payout__isnull=False)


class LineInFund(IssueLine):
    """The issue lines a fund's books count as their own entries: all but relief (whose payment
    counts) and the goods of a payout (whose in-kind value counts)."""

    objects = _LinesInFundManager()

    class Meta:
        proxy = True
        verbose_name = _("物资出库")
        verbose_name_plural = _("物资出库")

"""Donors, donation drives, donations with their receipts, and the funds money flows through."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models, transaction
from django.db.models import Count, Min, Q, Sum
from django.db.models.functions import ExtractYear
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from redcross import bounds
from redcross.kept import DayTotals, KeptDay, kept_lock, month_table
from redcross.models import (
    BoundedDecimalField,
    ChapterScopedQuerySet,
    CorrectableModel,
    StandingManager,
    TrackedModel,
    correction_constraints,
    money_field,
)
from redcross.money import MONEY_DECIMAL_PLACES, MONEY_MAX_DIGITS

from .choices import DonationKind, DonorKind, ValuationBasis


class Donor(TrackedModel):
    """A person or organisation that gave; contact details are personal data, shown masked."""

    name = models.CharField(_("捐赠人名称"), max_length=200)
    kind = models.CharField(_("捐赠人类型"), max_length=16, choices=DonorKind.choices)
    contact_person = models.CharField(_("联系人"), max_length=50, blank=True)
    phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    named_in_public = models.BooleanField(
        _("同意公开署名"), default=False, help_text=_("不同意时，公开的名单和报告中不出现其名称")
    )
    remarks = models.TextField(_("备注"), blank=True)

    class Meta:
        verbose_name = _("捐赠人")
        verbose_name_plural = _("捐赠人")
        ordering = ["name", "pk"]
        indexes = [models.Index(fields=["chapter", "name"], name="donor_chapter_name")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("donations:donor-detail", args=[self.pk])


class Fund(TrackedModel):
    """A fund (基金/专项资金) money is received into and paid out of.

    A restricted fund (限定用途) is spent only on the purpose its donors named: one relief
    category, or one project.
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
    restricted_project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("限定用途（项目）"),
        null=True,
        blank=True,
        # Donor intent is part of the books: the project it names cannot vanish.
        on_delete=models.PROTECT,
        related_name="restricted_funds",
    )
    remarks = models.TextField(_("备注"), blank=True)

    class Meta:
        verbose_name = _("基金")
        verbose_name_plural = _("基金")
        ordering = ["chapter__path", "name"]
        constraints = [
            models.UniqueConstraint(fields=["chapter", "name"], name="fund_name_unique_in_chapter"),
            models.CheckConstraint(
                condition=Q(restricted_category__isnull=True) | Q(restricted_project__isnull=True),
                name="fund_restricted_to_one_purpose",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("donations:fund-detail", args=[self.pk])

    @property
    def is_restricted(self):
        return self.restricted_category_id is not None or self.restricted_project_id is not None

    @property
    def purpose(self):
        """What a restricted fund may be spent on, or None."""
        return self.restricted_category or self.restricted_project

    @classmethod
    def category_model(cls):
        """aid's relief category model, reached through the fund's own field: the apps that
        spend from funds depend on donations, never the other way round."""
        return cls._meta.get_field("restricted_category").related_model

    @classmethod
    def project_model(cls):
        """The projects' model, reached through the fund's own field (see ``category_model``)."""
        return cls._meta.get_field("restricted_project").related_model


class Drive(TrackedModel):
    """A donation drive (募捐活动) such as 博爱一日捐; drives of the same name are compared year on year."""

    date_field = "start_date"

    name = models.CharField(_("活动名称"), max_length=100)
    start_date = models.DateField(_("开始日期"), validators=[bounds.validate_plan_date])
    end_date = models.DateField(_("结束日期"), validators=[bounds.validate_plan_date])
    fund = models.ForeignKey(
        Fund,
        verbose_name=_("入账基金"),
        # What a drive raised sits in its fund's ledger: the fund stays.
        on_delete=models.PROTECT,
        related_name="drives",
    )
    goal = money_field(_("目标金额"), null=True, blank=True, default=None)
    remarks = models.TextField(_("备注"), blank=True)

    objects = ChapterScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("募捐活动")
        verbose_name_plural = _("募捐活动")
        ordering = ["-start_date", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["chapter", "name", "start_date"], name="drive_name_start_unique_in_chapter"
            ),
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")), name="drive_ends_after_start"
            ),
        ]

    def __str__(self):
        return f"{self.name}（{self.start_date.year}）"

    def get_absolute_url(self):
        return reverse("donations:drive-detail", args=[self.pk])


class DonationQuerySet(ChapterScopedQuerySet):
    def with_related(self):
        return self.select_related("chapter", "donor", "drive", "fund")

    def with_receipt_number(self):
        """Annotates ``receipt_number``: the donation's valid receipt, in the same query."""
        valid = Receipt.objects.filter(donation=models.OuterRef("pk"), voided_at__isnull=True)
        return self.annotate(receipt_number=models.Subquery(valid.values("number")[:1]))


class Donation(CorrectableModel):
    """Money or goods received; goods are recorded at their valued amount with the basis of that value."""

    # An accounting record: closed periods judge it by its date.
    closed_by_periods = True

    date = models.DateField(_("捐赠日期"), validators=[bounds.validate_record_date])
    donor = models.ForeignKey(
        Donor,
        verbose_name=_("捐赠人"),
        # A donor's gifts are ledger rows: the donor stays while any gift names them.
        on_delete=models.PROTECT,
        related_name="donations",
    )
    drive = models.ForeignKey(
        Drive,
        verbose_name=_("募捐活动"),
        null=True,
        blank=True,
        # What a drive raised is counted from its donations: the drive stays.
        on_delete=models.PROTECT,
        related_name="donations",
    )
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
    amount = money_field(_("金额"), help_text=_("物资捐赠填写折价金额"))
    goods = models.CharField(_("物资名称"), max_length=200, blank=True)
    quantity = BoundedDecimalField(
        _("数量"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0, _("数量不能为负数")), bounds.validate_quantity],
    )
    unit = models.CharField(_("单位"), max_length=20, blank=True)
    valuation_basis = models.CharField(
        _("折价依据"), max_length=16, choices=ValuationBasis.choices, blank=True
    )
    anonymous = models.BooleanField(_("匿名捐赠"), default=False, help_text=_("公开时不显示捐赠人"))
    remarks = models.TextField(_("备注"), blank=True)

    objects = StandingManager.from_queryset(DonationQuerySet)()
    all_objects = DonationQuerySet.as_manager()
    correction_amounts = ("amount",)

    class Meta:
        verbose_name = _("捐赠")
        verbose_name_plural = _("捐赠")
        ordering = ["-date", "-pk"]
        indexes = [
            models.Index(fields=["chapter", "date"], name="donation_chapter_date"),
            # The list of a city (many chapters), sought in its order (redcross.keyset).
            models.Index(fields=["date", "id"], name="donation_date_id"),
            # A fund's ledger, paged by (date, id) from a cursor.
            models.Index(fields=["fund", "date", "id"], name="donation_fund_date"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0) | Q(reverses__isnull=False, amount__lt=0),
                name="donation_amount_positive",
            ),
            *correction_constraints("donation"),
            models.CheckConstraint(
                condition=Q(kind=DonationKind.CASH) | (~Q(goods="") & ~Q(valuation_basis="")),
                name="donation_in_kind_has_goods_and_basis",
            ),
        ]

    def __str__(self):
        return f"{self.date} {self.donor} {self.amount}"

    def get_absolute_url(self):
        return reverse("donations:donation-detail", args=[self.pk])

    @property
    def is_in_kind(self):
        return self.kind == DonationKind.IN_KIND


class Receipt(TrackedModel):
    """A donation receipt (捐赠票据). Never edited: a wrong one is voided with a reason and replaced."""

    date_field = "issued_on"
    closed_by_periods = True
    never_deleted = True

    donation = models.ForeignKey(
        Donation,
        verbose_name=_("捐赠"),
        # Receipts are accounting documents: they stay with their donation.
        on_delete=models.PROTECT,
        related_name="receipts",
    )
    number = models.CharField(_("票据号"), max_length=50)
    issued_on = models.DateField(_("开具日期"), validators=[bounds.validate_record_date])
    voided_at = models.DateTimeField(_("作废时间"), null=True, blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("作废人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    void_reason = models.CharField(_("作废原因"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("捐赠票据")
        verbose_name_plural = _("捐赠票据")
        ordering = ["issued_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["chapter", "number"], name="receipt_number_unique_in_chapter"),
            models.UniqueConstraint(
                fields=["donation"],
                condition=Q(voided_at__isnull=True),
                name="receipt_one_valid_per_donation",
            ),
            models.CheckConstraint(
                condition=Q(voided_at__isnull=True) | ~Q(void_reason=""), name="receipt_void_has_reason"
            ),
        ]

    def __str__(self):
        return self.number

    @property
    def is_void(self):
        return self.voided_at is not None


class Payout(CorrectableModel):
    """Money or goods a fund passes on to another body (款物拨付), e.g. to an epidemic command."""

    # An accounting record: closed periods judge it by its date.
    closed_by_periods = True

    date = models.DateField(_("拨付日期"), validators=[bounds.validate_record_date])
    fund = models.ForeignKey(
        Fund,
        verbose_name=_("资金来源"),
        # A payout is a row of its fund's ledger.
        on_delete=models.PROTECT,
        related_name="payouts",
    )
    recipient = models.CharField(_("接收单位"), max_length=200)
    cash_amount = money_field(_("现金金额"))
    in_kind_amount = money_field(_("物资折价"))
    purpose = models.CharField(_("用途"), max_length=200)
    document_number = models.CharField(_("拨付文号"), max_length=50, blank=True)
    remarks = models.TextField(_("备注"), blank=True)

    objects = StandingManager.from_queryset(ChapterScopedQuerySet)()
    all_objects = ChapterScopedQuerySet.as_manager()
    correction_amounts = ("cash_amount", "in_kind_amount")

    class Meta:
        verbose_name = _("款物拨付")
        verbose_name_plural = _("款物拨付")
        ordering = ["-date", "-pk"]
        indexes = [
            models.Index(fields=["chapter", "date"], name="payout_chapter_date"),
            models.Index(fields=["fund", "date", "id"], name="payout_fund_date"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(reverses__isnull=False)
                | (
                    Q(cash_amount__gte=0)
                    & Q(in_kind_amount__gte=0)
                    & (Q(cash_amount__gt=0) | Q(in_kind_amount__gt=0))
                ),
                name="payout_amounts_positive",
            ),
            *correction_constraints("payout"),
        ]

    def __str__(self):
        return f"{self.date} {self.recipient}"

    def get_absolute_url(self):
        return reverse("donations:payout-detail", args=[self.pk])

    @property
    def total_amount(self):
        return self.cash_amount + self.in_kind_amount


# --- Kept summaries (issue 19) ------------------------------------------------------------------
# Derived from the gifts, never entered: the donations' list's totals line, the home page's and a
# drive's figures are sums over a few rows per day instead of over every gift (``redcross.kept``).


class DonationDay(KeptDay):
    """Every gift (voided and reversals too, by ``status``) summed per chapter, day, drive, fund
    and kind."""

    drive = models.ForeignKey(Drive, null=True, on_delete=models.CASCADE, related_name="+")
    fund = models.ForeignKey(Fund, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16, choices=DonationKind.choices)
    gifts = models.PositiveBigIntegerField()  # not counting reversals, which are nobody's gift
    cash = models.DecimalField(max_digits=MONEY_MAX_DIGITS + 2, decimal_places=MONEY_DECIMAL_PLACES)
    in_kind = models.DecimalField(max_digits=MONEY_MAX_DIGITS + 2, decimal_places=MONEY_DECIMAL_PLACES)

    class Meta:
        indexes = [models.Index(fields=["chapter", "date"], name="donation_day_chapter_date")]

    def __str__(self):
        return f"{self.chapter_id} {self.date} {self.drive_id} {self.fund_id} {self.kind}"


class DonorFirst(models.Model):
    """A donor's first standing gift: ever (``ever``) or in each year, to each drive (gifts outside
    drives: ``drive`` empty) and to any (``every_drive``). Rewritten by ``donor_firsts_refresh``
    for the donors a write touches; its day counts (``DonorFirstDay``) make the donors of a
    history, or of a year up to a day, a sum."""

    date_field = "first_date"

    chapter = models.ForeignKey("redcross.Chapter", on_delete=models.CASCADE, related_name="+")
    donor = models.ForeignKey(Donor, on_delete=models.CASCADE, related_name="+")
    drive = models.ForeignKey(Drive, null=True, on_delete=models.CASCADE, related_name="+")
    every_drive = models.BooleanField()
    ever = models.BooleanField()
    first_date = models.DateField()

    class Meta:
        indexes = [models.Index(fields=["donor"], name="donor_first_donor")]

    def __str__(self):
        return f"{self.donor_id} {self.first_date}"


class DonorFirstDay(KeptDay):
    """How many donors gave for the first time (ever, or in the year) on each day."""

    drive = models.ForeignKey(Drive, null=True, on_delete=models.CASCADE, related_name="+")
    every_drive = models.BooleanField()
    ever = models.BooleanField()

    class Meta:
        indexes = [models.Index(fields=["chapter", "date"], name="donor_first_day_chapter_date")]

    def __str__(self):
        return f"{self.chapter_id} {self.date} {self.rows}"


class PayoutDay(KeptDay):
    """Every payout (voided and reversals too, by ``status``) summed per chapter, day and fund."""

    fund = models.ForeignKey(Fund, on_delete=models.CASCADE, related_name="+")
    payouts = models.PositiveBigIntegerField()  # not counting reversals
    cash_amount = models.DecimalField(max_digits=MONEY_MAX_DIGITS + 2, decimal_places=MONEY_DECIMAL_PLACES)
    in_kind_amount = models.DecimalField(max_digits=MONEY_MAX_DIGITS + 2, decimal_places=MONEY_DECIMAL_PLACES)

    class Meta:
        indexes = [models.Index(fields=["chapter", "date"], name="payout_day_chapter_date")]

    def __str__(self):
        return f"{self.chapter_id} {self.date} {self.fund_id}"


_GIFT = Q(reverses__isnull=True)  # a reversal (冲销) takes its amount back: nobody's gift
# The same sums per month (``redcross.kept.month_table``): what a long period reads.
DonationMonth = month_table(DonationDay, "DonationMonth")
PayoutMonth = month_table(PayoutDay, "PayoutMonth")
DonorFirstMonth = month_table(DonorFirstDay, "DonorFirstMonth")
DONATION_DAYS = DayTotals(
    months=DonationMonth,
    table=DonationDay,
    records=Donation,
    dimensions=("drive", "fund", "kind"),
    sums={
        "gifts": Count("pk", filter=_GIFT),
        "cash": Sum("amount", filter=Q(kind=DonationKind.CASH)),
        "in_kind": Sum("amount", filter=Q(kind=DonationKind.IN_KIND)),
    },
    filters={"without_drive": "drive__isnull"},
)
PAYOUT_DAYS = DayTotals(
    months=PayoutMonth,
    table=PayoutDay,
    records=Payout,
    dimensions=("fund",),
    sums={
        "payouts": Count("pk", filter=_GIFT),
        "cash_amount": Sum("cash_amount"),
        "in_kind_amount": Sum("in_kind_amount"),
    },
)
DONOR_FIRST_DAYS = DayTotals(
    months=DonorFirstMonth,
    table=DonorFirstDay,
    records=DonorFirst,
    dimensions=("drive", "every_drive", "ever"),
)


def donor_firsts_refresh(donors):
    """Rewrites the firsts of ``donors`` (ids, or a query of them) from their gifts that stand,
    and the day counts they change."""
    from redcross.models import Chapter

    chapters = Chapter.objects.filter(pk__in=Donor.objects.filter(pk__in=donors).values("chapter"))
    gifts = Donation.objects.filter(_GIFT, donor__in=donors).order_by()

    def fill():
        rows = []
        for ever in (True, False):
            for by_drive in (True, False):
                group = ["chapter", "donor", *(["drive"] if by_drive else [])]
                grouped = gifts.values(*group) if ever else gifts.values(*group, year=ExtractYear("date"))
                rows += [
                    DonorFirst(
                        chapter_id=row["chapter"],
                        donor_id=row["donor"],
                        drive_id=row.get("drive"),
                        every_drive=not by_drive,
                        ever=ever,
                        first_date=row["first"],
                    )
                    for row in grouped.annotate(first=Min("date")).iterator(chunk_size=5000)
                ]
        DonorFirst.objects.bulk_create(rows, batch_size=5000)
        return DonorFirst.objects.filter(donor__in=donors)

    with transaction.atomic():
        kept_lock(*(("DonorFirst", pk) for pk in chapters.values_list("pk", flat=True)))
        DONOR_FIRST_DAYS.replace(DonorFirst.objects.filter(donor__in=donors), fill)


def _donor_before_save(sender, instance, raw=False, **kwargs):
    instance._donor_before = None
    if instance.pk is not None and not raw:
        before = sender._base_manager.filter(pk=instance.pk).values_list("donor", flat=True)
        instance._donor_before = before.first()


def _donor_after_write(sender, instance, raw=False, **kwargs):
    if not raw:
        donors = {instance.donor_id, getattr(instance, "_donor_before", None)} - {None}
        donor_firsts_refresh(sorted(donors))


def donor_firsts_follow(ids):
    """After a bulk write of the gifts ``ids`` (an import, its undo): their donors' firsts."""
    from redcross.filters import ids_q

    donor_firsts_refresh(Donation.all_objects.filter(ids_q(sorted(ids))).values("donor"))


def keep_donor_firsts():
    """Every save and delete of a gift rewrites the firsts of its donor (and of the donor it named
    before). Called in the app's ``ready()``."""
    models.signals.pre_save.connect(_donor_before_save, sender=Donation, dispatch_uid="donor-firsts")
    models.signals.post_save.connect(_donor_after_write, sender=Donation, dispatch_uid="donor-firsts")
    models.signals.post_delete.connect(_donor_after_write, sender=Donation, dispatch_uid="donor-firsts")

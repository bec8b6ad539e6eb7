"""Relief disbursements (救助发放) and the people they reach."""

from django.core.validators import MinValueValidator
from django.db import models, transaction
from django.db.models import Count, Min, Q, Sum
from django.db.models.functions import ExtractYear
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from redcross import bounds
from redcross.idnumber import validate_id_number
from redcross.kept import DayTotals, KeptDay, kept_lock, month_table
from redcross.models import (
    ApprovedModel,
    CategoryModel,
    Chapter,
    ChapterScopedQuerySet,
    StandingManager,
    TrackedModel,
    correction_constraints,
    money_field,
)
from redcross.money import MONEY_DECIMAL_PLACES, MONEY_MAX_DIGITS, to_money


class AidCategory(CategoryModel):
    """A relief category (救助类别); the defaults come from a data migration."""

    class Meta(CategoryModel.Meta):
        verbose_name = _("救助类别")
        verbose_name_plural = _("救助类别")


class Beneficiary(TrackedModel):
    """A person who received relief, identified by ID number, otherwise by name and township."""

    name = models.CharField(_("受助人姓名"), max_length=50)
    id_number = models.CharField(_("身份证号"), max_length=18, blank=True, validators=[validate_id_number])
    township = models.CharField(_("乡镇"), max_length=50, blank=True)
    # Two records found to be one person are merged: the other's payments move to the one kept,
    # and the merged record stays (with its name and ID number, in history), pointing to it. A
    # merged record holds no ID number any more: only the records that stand are unique.
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("已合并到"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_records",
    )

    class Meta:
        verbose_name = _("受助人")
        verbose_name_plural = _("受助人")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["chapter", "id_number"],
                condition=~Q(id_number="") & Q(merged_into__isnull=True),
                name="beneficiary_id_number_unique_in_chapter",
            ),
            models.UniqueConstraint(
                fields=["chapter", "name", "township"],
                condition=Q(id_number="") & Q(merged_into__isnull=True),
                name="beneficiary_name_township_unique_without_id",
            ),
        ]
        indexes = [
            # The persons' list, by name (keyset pages through it; merged records are left out).
            models.Index(
                fields=["name", "id"],
                condition=Q(merged_into__isnull=True),
                name="beneficiary_listed_by_name",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("aid:beneficiary-detail", args=[self.pk])

    @property
    def is_merged(self):
        return self.merged_into_id is not None

    @property
    def received_amount(self):
        """The ``received`` a list annotated (``aid.selectors.beneficiaries_with_payments``),
        exact to the fen."""
        return to_money(getattr(self, "received", None))


class DisbursementQuerySet(ChapterScopedQuerySet):
    def with_related(self):
        return self.select_related("chapter", "category", "beneficiary", "fund")


class Disbursement(ApprovedModel):
    """A relief payment: cash and/or goods to a named person, or to a group with a head count."""

    # An accounting record: closed periods judge it by its date.
    closed_by_periods = True

    date = models.DateField(_("发放日期"), validators=[bounds.validate_record_date])
    category = models.ForeignKey(
        AidCategory,
        verbose_name=_("救助类别"),
        # Reports are grouped by category: a category in use is never deleted.
        on_delete=models.PROTECT,
        related_name="disbursements",
    )
    beneficiary = models.ForeignKey(
        Beneficiary,
        verbose_name=_("受助人"),
        null=True,
        blank=True,
        # A person's payments are ledger rows: the person stays while any payment names them.
        on_delete=models.PROTECT,
        related_name="disbursements",
        help_text=_("为空表示群体发放"),
    )
    head_count = models.PositiveIntegerField(
        _("受助人数"),
        default=1,
        validators=[MinValueValidator(1, _("受助人数至少为1")), bounds.validate_head_count],
    )
    cases = models.PositiveIntegerField(
        _("例数"), default=1, validators=[MinValueValidator(1, _("例数至少为1")), bounds.validate_cases]
    )
    cash_amount = money_field(_("现金金额"))
    in_kind_amount = money_field(_("物资折价"))
    fund = models.ForeignKey(
        "donations.Fund",
        verbose_name=_("资金来源"),
        null=True,
        blank=True,
        # The fund's ledger needs every payment it made: a fund with payments stays.
        on_delete=models.PROTECT,
        related_name="disbursements",
    )
    township = models.CharField(_("乡镇"), max_length=50, blank=True)
    remarks = models.TextField(_("备注"), blank=True)
    # Relief in kind given out of the store: the issue whose lots it took, whose value is its
    # ``in_kind_amount`` (aid imports goods, never the other way).
    goods_issue = models.OneToOneField(
        "goods.Issue",
        verbose_name=_("物资出库单"),
        null=True,
        blank=True,
        # The issue and its payment are one act: neither is removed from under the other.
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = StandingManager.from_queryset(DisbursementQuerySet)()
    all_objects = DisbursementQuerySet.as_manager()

    correction_amounts = ("cash_amount", "in_kind_amount")
    SUMMARY_FIELDS = ("beneficiary", "date", "chapter", "category", "fund")

    def _summary_key(self):
        return (self.beneficiary_id, self.date, self.chapter_id, self.category_id, self.fund_id)

    @transaction.atomic
    def save(self, *args, **kwargs):
        """Saves, and keeps the summaries (PersonYear, ReliefDay) true before and after."""
        before = None
        if self.pk:
            before = Disbursement.all_objects.filter(pk=self.pk).values_list(*self.SUMMARY_FIELDS).first()
        super().save(*args, **kwargs)
        summaries_refresh([self._summary_key()] + ([before] if before else []))

    @transaction.atomic
    def delete(self, *args, **kwargs):
        key = self._summary_key()
        result = super().delete(*args, **kwargs)
        summaries_refresh([key])
        return result

    class Meta:
        verbose_name = _("救助发放")
        verbose_name_plural = _("救助发放")
        ordering = ["-date", "-pk"]
        indexes = [
            models.Index(fields=["chapter", "date"], name="disbursement_chapter_date"),
            # The list of a city (many chapters), sought in its order (redcross.keyset).
            models.Index(fields=["date", "id"], name="disbursement_date_id"),
            # A fund's ledger, paged by (date, id) from a cursor.
            models.Index(fields=["fund", "date", "id"], name="disbursement_fund_date"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(reverses__isnull=False) | (Q(cash_amount__gte=0) & Q(in_kind_amount__gte=0)),
                name="disbursement_amounts_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(reverses__isnull=False) | Q(cash_amount__gt=0) | Q(in_kind_amount__gt=0),
                name="disbursement_amounts_not_both_zero",
            ),
            *correction_constraints("disbursement"),
            models.CheckConstraint(condition=Q(head_count__gte=1), name="disbursement_head_count_min_1"),
            models.CheckConstraint(condition=Q(cases__gte=1), name="disbursement_cases_min_1"),
            models.CheckConstraint(
                condition=Q(beneficiary__isnull=True) | Q(head_count=1),
                name="disbursement_named_person_counts_one",
            ),
        ]

    def __str__(self):
        return f"{self.date} {self.category} {self.recipient_label}"

    def get_absolute_url(self):
        return reverse("aid:disbursement-detail", args=[self.pk])

    @property
    def total_amount(self):
        return self.cash_amount + self.in_kind_amount

    @property
    def is_group(self):
        return self.beneficiary_id is None

    @property
    def recipient_label(self):
        if self.beneficiary_id:
            return self.beneficiary.name
        return _("群体发放")


class PersonYear(models.Model):
    """Derived from disbursements, never entered: the first day of a year on which a named
    beneficiary got relief, per category and in any category (``category`` empty).

    A report's period starts on 1 January, so the people helped in it are the rows of its year
    whose first day falls in it: counted from here, distinct persons cost an index scan instead of
    a scan of every payment. ``person_years_refresh`` (below) keeps it; every write of a
    disbursement goes through it.
    """

    date_field = "first_date"  # its day counts: PersonYearDay

    chapter = models.ForeignKey(Chapter, on_delete=models.CASCADE, related_name="+")
    beneficiary = models.ForeignKey("Beneficiary", on_delete=models.CASCADE, related_name="+")
    category = models.ForeignKey("AidCategory", null=True, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    first_date = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["beneficiary", "category", "year"],
                condition=models.Q(category__isnull=False),
                name="person_year_per_category",
            ),
            models.UniqueConstraint(
                fields=["beneficiary", "year"],
                condition=models.Q(category__isnull=True),
                name="person_year_any_category",
            ),
        ]
        indexes = [
            models.Index(fields=["chapter", "year", "category", "first_date"], name="person_year_count")
        ]

    def __str__(self):
        return f"{self.beneficiary_id} {self.category_id or '*'} {self.year}: {self.first_date}"


class ReliefDay(models.Model):
    """Derived from disbursements, never entered: the day's payments summed per chapter,
    category and fund. A report sums a year from at most a few thousand of these rows instead of
    every payment. ``summaries_refresh`` (below) keeps it; every save and delete of a
    disbursement calls it, a bulk write calls ``relief_days_rebuild``."""

    chapter = models.ForeignKey(Chapter, on_delete=models.CASCADE, related_name="+")
    category = models.ForeignKey("AidCategory", on_delete=models.CASCADE, related_name="+")
    fund = models.ForeignKey("donations.Fund", null=True, on_delete=models.CASCADE, related_name="+")
    date = models.DateField()
    # Sums of many payments: wider than any one payment's figure, so a busy day never overflows.
    payments = models.PositiveBigIntegerField()
    cash_amount = models.DecimalField(max_digits=MONEY_MAX_DIGITS + 2, decimal_places=MONEY_DECIMAL_PLACES)
    in_kind_amount = models.DecimalField(max_digits=MONEY_MAX_DIGITS + 2, decimal_places=MONEY_DECIMAL_PLACES)
    cases = models.PositiveBigIntegerField()
    group_persons = models.PositiveBigIntegerField()

    class Meta:
        indexes = [models.Index(fields=["chapter", "date"], name="relief_day_chapter_date")]

    def __str__(self):
        return f"{self.chapter_id} {self.category_id} {self.fund_id} {self.date}"


class PersonFirst(models.Model):
    """Derived from disbursements, never entered: the first day on which a named beneficiary got
    relief, per category and in any category (``category`` empty). The payments' list counts the
    persons of its whole history (or of a period up to a day) from here, as it counts a year's
    from ``PersonYear``; kept with it by ``person_years_refresh``."""

    date_field = "first_date"  # its day counts: PersonFirstDay

    chapter = models.ForeignKey(Chapter, on_delete=models.CASCADE, related_name="+")
    beneficiary = models.ForeignKey("Beneficiary", on_delete=models.CASCADE, related_name="+")
    category = models.ForeignKey("AidCategory", null=True, on_delete=models.CASCADE, related_name="+")
    first_date = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["beneficiary", "category"],
                condition=models.Q(category__isnull=False),
                name="person_first_per_category",
            ),
            models.UniqueConstraint(
                fields=["beneficiary"], condition=models.Q(category__isnull=True), name="person_first_any"
            ),
        ]
        indexes = [models.Index(fields=["chapter", "category", "first_date"], name="person_first_count")]

    def __str__(self):
        return f"{self.beneficiary_id} {self.category_id} {self.first_date}"


class PersonYearDay(KeptDay):
    """How many named beneficiaries got their first relief of the year (``PersonYear``) on each
    day, per category and in any (``category`` empty): the persons of a year up to a day are a
    sum of a few rows per day, however many persons (``persons_by_category``)."""

    category = models.ForeignKey("AidCategory", null=True, on_delete=models.CASCADE, related_name="+")

    class Meta:
        indexes = [models.Index(fields=["chapter", "date"], name="person_year_day_chapter_date")]

    def __str__(self):
        return f"{self.chapter_id} {self.date} {self.category_id} {self.rows}"


class PersonFirstDay(KeptDay):
    """How many named beneficiaries got their first relief ever (``PersonFirst``) on each day."""

    category = models.ForeignKey("AidCategory", null=True, on_delete=models.CASCADE, related_name="+")

    class Meta:
        indexes = [models.Index(fields=["chapter", "date"], name="person_first_day_chapter_date")]

    def __str__(self):
        return f"{self.chapter_id} {self.date} {self.category_id} {self.rows}"


class DisbursementDay(KeptDay):
    """Derived from disbursements, never entered: every payment (voided, pending and reversals
    too, by ``status``) summed per chapter, day, category and fund: the payments' list's totals
    line, its line of what waits for approval and its count of rows (``redcross.kept``)."""

    category = models.ForeignKey("AidCategory", on_delete=models.CASCADE, related_name="+")
    fund = models.ForeignKey("donations.Fund", null=True, on_delete=models.CASCADE, related_name="+")
    payments = models.PositiveBigIntegerField()  # not counting reversals, which pay nobody
    cash_amount = models.DecimalField(max_digits=MONEY_MAX_DIGITS + 2, decimal_places=MONEY_DECIMAL_PLACES)
    in_kind_amount = models.DecimalField(max_digits=MONEY_MAX_DIGITS + 2, decimal_places=MONEY_DECIMAL_PLACES)
    cases = models.PositiveBigIntegerField()
    group_persons = models.PositiveBigIntegerField()

    class Meta:
        indexes = [models.Index(fields=["chapter", "date"], name="disbursement_day_chapter_date")]


# --- keeping the summaries ----------------------------------------------------------------------
# Here, beside the tables they keep, so that a payment's save keeps them without the models
# importing the services (which import the models); ``aid.services`` offers them to bulk writes.


def person_years_refresh(*, beneficiaries=None, years=None):
    """Rebuilds the PersonYear rows of ``beneficiaries`` (ids) in ``years`` from their payments
    (all of them when None), and their day counts. Disbursement.save and delete call it; a bulk
    write calls it after."""
    # What stands (the default manager), and no reversal: a reversal reaches nobody.
    payments = Disbursement.objects.filter(beneficiary__isnull=False, reverses__isnull=True).order_by()
    stale = PersonYear.objects.all()
    if beneficiaries is not None:
        payments = payments.filter(beneficiary__in=beneficiaries)
        stale = stale.filter(beneficiary__in=beneficiaries)
    if years is not None:
        payments = payments.filter(date__year__in=years)
        stale = stale.filter(year__in=years)

    def fill():
        for group in (("beneficiary", "category"), ("beneficiary",)):
            firsts = payments.values(*group, "beneficiary__chapter", year=ExtractYear("date")).annotate(
                first=Min("date")
            )
            PersonYear.objects.bulk_create(
                (
                    PersonYear(
                        chapter_id=row["beneficiary__chapter"],
                        beneficiary_id=row["beneficiary"],
                        category_id=row.get("category"),
                        year=row["year"],
                        first_date=row["first"],
                    )
                    for row in firsts.iterator(chunk_size=10000)
                ),
                batch_size=10000,
            )
        return stale.all()

    PERSON_YEAR_DAYS.replace(stale, fill)
    person_firsts_refresh(beneficiaries=beneficiaries)


def person_firsts_refresh(*, beneficiaries=None):
    """Rebuilds the PersonFirst rows of ``beneficiaries`` (ids; all when None), and their day
    counts."""
    payments = Disbursement.objects.filter(beneficiary__isnull=False, reverses__isnull=True).order_by()
    stale = PersonFirst.objects.all()
    if beneficiaries is not None:
        payments = payments.filter(beneficiary__in=beneficiaries)
        stale = stale.filter(beneficiary__in=beneficiaries)

    def fill():
        for group in (("beneficiary", "category"), ("beneficiary",)):
            firsts = payments.values(*group, "beneficiary__chapter").annotate(first=Min("date"))
            PersonFirst.objects.bulk_create(
                (
                    PersonFirst(
                        chapter_id=row["beneficiary__chapter"],
                        beneficiary_id=row["beneficiary"],
                        category_id=row.get("category"),
                        first_date=row["first"],
                    )
                    for row in firsts.iterator(chunk_size=10000)
                ),
                batch_size=10000,
            )
        return stale.all()

    PERSON_FIRST_DAYS.replace(stale, fill)


# Over the payments that stand (the default manager); a reversal (冲销) counts in the money only.
RELIEF_DAY_SUMS = {
    "payments": Count("pk", filter=Q(reverses__isnull=True)),
    "cash": Sum("cash_amount"),
    "in_kind": Sum("in_kind_amount"),
    "case_count": Sum("cases", filter=Q(reverses__isnull=True)),
    "groups": Sum("head_count", filter=Q(beneficiary__isnull=True, reverses__isnull=True)),
}


def _relief_days_from(payments):
    return [
        ReliefDay(
            chapter_id=row["chapter"],
            category_id=row["category"],
            fund_id=row["fund"],
            date=row["date"],
            payments=row["payments"],
            cash_amount=row["cash"] or 0,
            in_kind_amount=row["in_kind"] or 0,
            cases=row["case_count"] or 0,
            group_persons=row["groups"] or 0,
        )
        for row in payments.order_by()
        .values("chapter", "category", "fund", "date")
        .annotate(**RELIEF_DAY_SUMS)
    ]


def relief_days_rebuild(*, chapters=None):
    """Rebuilds ReliefDay for ``chapters`` (ids or a queryset; every chapter when None)."""
    payments = Disbursement.objects.all()
    stale = ReliefDay.objects.all()
    if chapters is not None:
        payments = payments.filter(chapter__in=chapters)
        stale = stale.filter(chapter__in=chapters)
    stale.delete()
    ReliefDay.objects.bulk_create(_relief_days_from(payments), batch_size=10000)


@transaction.atomic
def summaries_refresh(keys):
    """Rebuilds the summaries a payment touched; ``keys`` are (beneficiary, date, chapter,
    category, fund) of the payment before and after the change."""
    days = {(key[2], key[3], key[4], key[1]) for key in keys}
    persons = {(key[0], key[1].year) for key in keys if key[0] is not None}
    kept_lock(*(("relief_day", *day) for day in days), *(("person_year", *p) for p in persons))
    for chapter, category, fund, date in days:
        ReliefDay.objects.filter(chapter=chapter, category=category, fund=fund, date=date).delete()
        payments = Disbursement.objects.filter(chapter=chapter, category=category, fund=fund, date=date)
        ReliefDay.objects.bulk_create(_relief_days_from(payments))
    for beneficiary, year in persons:
        person_years_refresh(beneficiaries=[beneficiary], years=[year])


# A reversal (冲销) takes its money back; it reaches nobody and is no payment of its own.
_PAID = Q(reverses__isnull=True)
# The same sums per month (``redcross.kept.month_table``): what a long period reads.
PersonYearMonth = month_table(PersonYearDay, "PersonYearMonth")
PersonFirstMonth = month_table(PersonFirstDay, "PersonFirstMonth")
DisbursementMonth = month_table(DisbursementDay, "DisbursementMonth")
PERSON_YEAR_DAYS = DayTotals(
    table=PersonYearDay, records=PersonYear, dimensions=("category",), months=PersonYearMonth
)
PERSON_FIRST_DAYS = DayTotals(
    table=PersonFirstDay, records=PersonFirst, dimensions=("category",), months=PersonFirstMonth
)
DISBURSEMENT_DAYS = DayTotals(
    months=DisbursementMonth,
    table=DisbursementDay,
    records=Disbursement,
    dimensions=("category", "fund"),
    sums={
        "payments": Count("pk", filter=_PAID),
        "cash_amount": Sum("cash_amount"),
        "in_kind_amount": Sum("in_kind_amount"),
        "cases": Sum("cases", filter=_PAID),
        "group_persons": Sum("head_count", filter=_PAID & Q(beneficiary__isnull=True)),
    },
)


class WrittenTownship(models.Model):
    """Derived, never entered: every township a payment or a person names, per chapter, beside the
    list its administrator keeps (``redcross.Township``). The lists' township filter offers both
    without reading every payment for the names they hold (issue 19). Only added to: a name no
    record holds any longer is a choice that finds nothing."""

    chapter = models.ForeignKey(Chapter, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=50)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["chapter", "name"], name="written_township_unique")]

    def __str__(self):
        return self.name


def townships_written(pairs):
    """Adds the (chapter id, township) ``pairs`` not yet known."""
    rows = [WrittenTownship(chapter_id=chapter, name=name) for chapter, name in set(pairs) if name]
    WrittenTownship.objects.bulk_create(rows, ignore_conflicts=True, batch_size=5000)


def townships_follow(ids):
    """After a bulk write of the payments ``ids``: the townships they and their persons name."""
    from redcross.filters import ids_q

    payments = Disbursement.all_objects.filter(ids_q(sorted(ids))).order_by()
    townships_written(payments.exclude(township="").values_list("chapter", "township").distinct())
    persons = Beneficiary.objects.filter(pk__in=payments.values("beneficiary")).exclude(township="")
    townships_written(persons.order_by().values_list("chapter", "township").distinct())


def _township_after_save(sender, instance, raw=False, **kwargs):
    if instance.township:
        townships_written([(instance.chapter_id, instance.township)])


def keep_written_townships():
    """Every save of a payment or a person adds the township it names. Called in ``ready()``."""
    for model in (Disbursement, Beneficiary):
        models.signals.post_save.connect(_township_after_save, sender=model, dispatch_uid=f"township-{model}")

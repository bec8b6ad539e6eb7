"""Community projects (博爱家园, 示范校, 救护站点 …): budget, funding, spending, outputs and audits."""

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Count, Q, Sum
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from redcross import bounds
from redcross.kept import DayTotals, KeptDay, month_table, year_table
from redcross.models import (
    ApprovedModel,
    BoundedDecimalField,
    CategoryModel,
    ChapterScopedQuerySet,
    StandingManager,
    TrackedModel,
    correction_constraints,
    money_field,
)
from redcross.money import MONEY_DECIMAL_PLACES, MONEY_MAX_DIGITS

from .choices import ProjectStatus


class ProjectKind(CategoryModel):
    """A kind of project (项目类型); the defaults come from a data migration."""

    class Meta(CategoryModel.Meta):
        verbose_name = _("项目类型")
        verbose_name_plural = _("项目类型")


class Project(TrackedModel):
    """A project with its budget; spending, outputs and audits hang off it."""

    date_field = "start_date"

    name = models.CharField(_("项目名称"), max_length=200)
    kind = models.ForeignKey(
        ProjectKind,
        verbose_name=_("项目类型"),
        # Reports group projects by kind: a kind in use is never deleted.
        on_delete=models.PROTECT,
        related_name="projects",
    )
    place = models.CharField(_("项目地点"), max_length=200, blank=True)
    budget = money_field(_("预算金额"))
    status = models.CharField(
        _("项目状态"), max_length=16, choices=ProjectStatus.choices, default=ProjectStatus.PLANNED
    )
    start_date = models.DateField(
        _("开始日期"), null=True, blank=True, validators=[bounds.validate_plan_date]
    )
    end_date = models.DateField(_("结束日期"), null=True, blank=True, validators=[bounds.validate_plan_date])
    # The status steps are what happened: dated no later than today.
    started_on = models.DateField(
        _("开工日期"), null=True, blank=True, validators=[bounds.validate_record_date]
    )
    completed_on = models.DateField(
        _("完工日期"), null=True, blank=True, validators=[bounds.validate_record_date]
    )
    audited_on = models.DateField(
        _("审计日期"), null=True, blank=True, validators=[bounds.validate_record_date]
    )
    description = models.TextField(_("项目内容"), blank=True)

    objects = ChapterScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("项目")
        verbose_name_plural = _("项目")
        ordering = ["-start_date", "name"]
        constraints = [
            models.UniqueConstraint(fields=["chapter", "name"], name="project_name_unique_in_chapter"),
            models.CheckConstraint(condition=Q(budget__gte=0), name="project_budget_not_negative"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("projects:project-detail", args=[self.pk])


class FundingSource(models.Model):
    """Where a project's money comes from (资金来源): a fund of the chapter, or a named grant."""

    project = models.ForeignKey(
        Project, verbose_name=_("项目"), on_delete=models.CASCADE, related_name="funding_sources"
    )
    source = models.CharField(_("来源"), max_length=200)
    fund = models.ForeignKey(
        "donations.Fund",
        verbose_name=_("基金"),
        null=True,
        blank=True,
        # A project's financing plan names the fund: it stays.
        on_delete=models.PROTECT,
        related_name="+",
    )
    amount = money_field(_("金额"))

    class Meta:
        verbose_name = _("资金来源")
        verbose_name_plural = _("资金来源")
        ordering = ["pk"]

    def __str__(self):
        return self.source


class BudgetLine(models.Model):
    """The budget of one spending category of a project."""

    project = models.ForeignKey(
        Project, verbose_name=_("项目"), on_delete=models.CASCADE, related_name="budget_lines"
    )
    category = models.CharField(_("支出类别"), max_length=50)
    amount = money_field(_("预算金额"))

    class Meta:
        verbose_name = _("分类预算")
        verbose_name_plural = _("分类预算")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["project", "category"], name="budget_line_one_per_category"),
        ]

    def __str__(self):
        return self.category


class Output(models.Model):
    """What a project delivered, as a quantity: 2 条巷道, 5 眼污水井, 1 台 AED."""

    project = models.ForeignKey(
        Project, verbose_name=_("项目"), on_delete=models.CASCADE, related_name="outputs"
    )
    # When it was delivered: a report counts the outputs delivered by its period's end.
    date = models.DateField(_("完成日期"), validators=[bounds.validate_record_date])
    name = models.CharField(_("产出内容"), max_length=100)
    quantity = BoundedDecimalField(
        _("数量"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(0, _("数量不能为负数")), bounds.validate_quantity],
    )
    unit = models.CharField(_("单位"), max_length=20)

    class Meta:
        verbose_name = _("项目产出")
        verbose_name_plural = _("项目产出")
        ordering = ["date", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=0), name="output_quantity_not_negative")
        ]

    def __str__(self):
        return f"{self.name} {self.quantity.normalize():f}{self.unit}"


class Audit(TrackedModel):
    """An audit of a project: when, by whom, and what it found."""

    project = models.ForeignKey(
        Project,
        verbose_name=_("项目"),
        # An audit is part of the project's record.
        on_delete=models.PROTECT,
        related_name="audits",
    )
    date = models.DateField(_("审计日期"), validators=[bounds.validate_record_date])
    auditor = models.CharField(_("审计单位"), max_length=200)
    findings = models.TextField(_("审计意见"), blank=True)

    class Meta:
        verbose_name = _("项目审计")
        verbose_name_plural = _("项目审计")
        ordering = ["date", "pk"]

    def __str__(self):
        return f"{self.date} {self.auditor}"


class ExpenditureQuerySet(ChapterScopedQuerySet):
    def with_related(self):
        return self.select_related("chapter", "project", "fund")


class Expenditure(ApprovedModel):
    """One line of a project's spending, with its invoice. Beyond budget it carries a stated reason."""

    # An accounting record: closed periods judge it by its date.
    closed_by_periods = True

    date = models.DateField(_("支出日期"), validators=[bounds.validate_record_date])
    project = models.ForeignKey(
        Project,
        verbose_name=_("项目"),
        # Spending is ledger rows: a project that spent money stays.
        on_delete=models.PROTECT,
        related_name="expenditures",
    )
    category = models.CharField(_("支出类别"), max_length=50, blank=True)
    amount = money_field(_("金额"))
    fund = models.ForeignKey(
        "donations.Fund",
        verbose_name=_("资金来源"),
        null=True,
        blank=True,
        # The fund's ledger needs every payment it made.
        on_delete=models.PROTECT,
        related_name="expenditures",
    )
    payee = models.CharField(_("收款单位"), max_length=200, blank=True)
    invoice_number = models.CharField(_("发票号"), max_length=50, blank=True)
    description = models.TextField(_("说明"), blank=True)
    over_budget_reason = models.TextField(_("超预算原因"), blank=True)

    objects = StandingManager.from_queryset(ExpenditureQuerySet)()
    all_objects = ExpenditureQuerySet.as_manager()
    correction_amounts = ("amount",)

    class Meta:
        verbose_name = _("项目支出")
        verbose_name_plural = _("项目支出")
        ordering = ["-date", "-pk"]
        indexes = [
            models.Index(fields=["chapter", "date"], name="expenditure_chapter_date"),
            # The list of a city (many chapters), sought in its order (redcross.keyset).
            models.Index(fields=["date", "id"], name="expenditure_date_id"),
            # A fund's ledger, paged by (date, id) from a cursor.
            models.Index(fields=["fund", "date", "id"], name="expenditure_fund_date"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0) | Q(reverses__isnull=False, amount__lt=0),
                name="expenditure_amount_positive",
            ),
            *correction_constraints("expenditure"),
        ]

    def __str__(self):
        return f"{self.date} {self.project} {self.amount}"

    def get_absolute_url(self):
        return reverse("projects:expenditure-detail", args=[self.pk])


class ExpenditureDay(KeptDay):
    """Derived from expenditures, never entered: every expenditure (voided, pending and reversals
    too, by ``status``) summed per chapter, day, project, fund and category: the expenditures'
    list's totals line, its line of what waits for approval and its count of rows, and what each
    project spent (``redcross.kept``)."""

    # The projects' spending is summed per project and period (``in_period``).
    date_field = "date"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    fund = models.ForeignKey("donations.Fund", null=True, on_delete=models.CASCADE, related_name="+")
    category = models.CharField(max_length=50)
    expenditures = models.PositiveBigIntegerField()  # not counting reversals, which spend nothing
    amount = models.DecimalField(max_digits=MONEY_MAX_DIGITS + 2, decimal_places=MONEY_DECIMAL_PLACES)

    objects = ChapterScopedQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["chapter", "date"], name="expenditure_day_chapter_date"),
            models.Index(fields=["project", "date"], name="expenditure_day_project_date"),
        ]


# A reversal (冲销) takes its money back; it is no expenditure of its own.
# The same sums per month (``redcross.kept.month_table``): what a long period reads.
ExpenditureMonth = month_table(ExpenditureDay, "ExpenditureMonth")
# And per year: every project's spending to date reads ten rows for a decade (issue 19).
ExpenditureYear = year_table(ExpenditureDay, "ExpenditureYear")
EXPENDITURE_DAYS = DayTotals(
    months=ExpenditureMonth,
    years=ExpenditureYear,
    table=ExpenditureDay,
    records=Expenditure,
    dimensions=("project", "fund", "category"),
    sums={
        "expenditures": Count("pk", filter=Q(reverses__isnull=True)),
        "amount": Sum("amount"),
    },
)

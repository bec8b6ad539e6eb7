"""What every app shares: chapters, people's roles in them, and the base of every record."""

import json
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import DecimalValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property, classproperty
from django.utils.translation import gettext_lazy as _

from . import bounds
from .choices import (
    ChangeAction,
    ChapterLevel,
    ExportStatus,
    ImportJob,
    ImportStatus,
    PeriodKind,
    RecordStatus,
    Role,
)
from .money import MONEY_DECIMAL_PLACES, MONEY_MAX_DIGITS
from .periods import period_label
from .recording import actor, before_save, recorded_by_app, row_of


class BoundedDecimalField(models.DecimalField):
    """A DecimalField whose upper bound is a validator of ``redcross.bounds``: the column's digit
    count is not checked on its own, so a figure too large gets the bound's one message (naming
    the limit) rather than two. The bound lies well within the column's digits; two decimal
    places at most are still checked. Stored and migrated as a plain DecimalField."""

    @cached_property
    def validators(self):
        return [*self.default_validators, *self._validators, DecimalValidator(None, self.decimal_places)]

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.DecimalField", args, kwargs

    def formfield(self, **kwargs):
        return super().formfield(**{"max_digits": None, **kwargs})


def money_field(verbose_name, **kwargs):
    """A yuan amount: Decimal with two places, one precision for the whole project, never negative,
    below the bound of one record's amount (``redcross.bounds.MAX_AMOUNT``)."""
    kwargs.setdefault("default", Decimal("0.00"))
    kwargs.setdefault(
        "validators", [MinValueValidator(Decimal("0.00"), _("金额不能为负数")), bounds.validate_amount]
    )
    field = BoundedDecimalField(
        verbose_name,
        max_digits=MONEY_MAX_DIGITS,
        decimal_places=MONEY_DECIMAL_PLACES,
        **kwargs,
    )
    field.is_money = True  # history writes it as money (1,200.00 元), not as a quantity
    return field


class CategoryModel(models.Model):
    """A named category an administrator keeps (救助类别, 培训类型, 项目类型, 对象领域).

    The defaults come from data migrations; a category in use is never deleted, only switched off.
    """

    name = models.CharField(_("名称"), max_length=50, unique=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=100)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        abstract = True
        ordering = ["order", "name"]

    def __str__(self):
        return self.name


def default_categories_migration(app_label, model_name, names, **extra_fields_by_name):
    """A RunPython operation creating ``names`` in order (and removing the unused ones on reversal)."""

    def create(apps, schema_editor):
        model = apps.get_model(app_label, model_name)
        for order, name in enumerate(names, start=1):
            defaults = {"order": order * 10, **extra_fields_by_name.get(name, {})}
            model.objects.get_or_create(name=name, defaults=defaults)

    def remove(apps, schema_editor):
        model = apps.get_model(app_label, model_name)
        for name in names:
            try:
                model.objects.filter(name=name).delete()
            except models.ProtectedError:
                pass

    from django.db import migrations

    return migrations.RunPython(create, remove)


class Chapter(models.Model):
    """A Red Cross chapter (红十字会), identified by its 6-digit administrative division code.

    ``path`` lists the codes from the top of the tree down to this chapter
    (``150000/150500/150525/``), so a chapter's whole subtree is one indexed prefix match.
    """

    code = models.CharField(
        _("行政区划代码"),
        max_length=6,
        unique=True,
        validators=[RegexValidator(r"^\d{6}$", _("行政区划代码应为6位数字"))],
    )
    name = models.CharField(_("名称"), max_length=100)
    level = models.CharField(_("级别"), max_length=16, choices=ChapterLevel.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级红十字会"),
        null=True,
        blank=True,
        # A chapter with chapters below it is not removed from under them.
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(_("路径"), max_length=255, editable=False, db_index=True)
    approval_threshold = money_field(
        _("审批金额"), null=True, blank=True, default=None,
        help_text=_("救助发放或项目支出超过此金额时，须由录入人以外的领导审批后才计入合计；为空表示不需审批"),
    )  # fmt: skip

    class Meta:
        verbose_name = _("红十字会")
        verbose_name_plural = _("红十字会")
        ordering = ["path"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        old_path = self.path
        self.path = f"{self.parent.path if self.parent else ''}{self.code}/"
        if kwargs.get("update_fields") is not None and self.path != old_path:
            # A save of some fields (``update_or_create`` saves only its defaults) that moves the
            # chapter saves its path too: else the chapters below move and it stays.
            kwargs["update_fields"] = {*kwargs["update_fields"], "path"}
        super().save(*args, **kwargs)
        if old_path and old_path != self.path:
            # Moved in the tree: the chapters below move with it.
            for child in Chapter.objects.filter(path__startswith=old_path).exclude(pk=self.pk):
                child.path = self.path + child.path[len(old_path) :]
                Chapter.objects.filter(pk=child.pk).update(path=child.path)

    def subtree(self):
        """This chapter and every chapter below it."""
        return Chapter.objects.filter(path__startswith=self.path)

    def is_within(self, other):
        """Whether this chapter is ``other`` or below it."""
        return self.path.startswith(other.path)


class Membership(models.Model):
    """A user's role in a chapter. A user usually has one; an auditor may be assigned several."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    chapter = models.ForeignKey(
        Chapter, verbose_name=_("红十字会"), on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(_("角色"), max_length=16, choices=Role.choices)

    class Meta:
        verbose_name = _("成员角色")
        verbose_name_plural = _("成员角色")
        ordering = ["chapter__path", "user__username"]
        constraints = [
            models.UniqueConstraint(fields=["user", "chapter"], name="membership_one_role_per_chapter"),
        ]

    def __str__(self):
        return f"{self.user} · {self.chapter} · {self.get_role_display()}"

    @property
    def post(self):
        """The post as said beside a name: 奈曼旗红十字会工作人员 (in English with its space)."""
        return _("%(chapter)s%(role)s") % {"chapter": self.chapter.name, "role": self.get_role_display()}


class ChapterScopedQuerySet(models.QuerySet):
    """Reusable steps for any record that belongs to a chapter and has a ``date``."""

    def for_chapter(self, chapter):
        """Records of ``chapter`` and of every chapter below it.

        The chapters are a subquery rather than a join, so the database narrows the records by
        their (chapter, date) index instead of joining every record to its chapter.
        """
        return self.filter(chapter__in=Chapter.objects.filter(path__startswith=chapter.path).values("pk"))

    def visible_to(self, access):
        """Records the user behind ``access`` may read."""
        return self.filter(access.readable_q("chapter__path"))

    def delete(self):
        """Accounting records are never deleted, in bulk no more than one by one."""
        if getattr(self.model, "never_deleted", False):
            raise ValidationError(
                _("%(kind)s是会计记录，不能删除；请作废（未结账期间）或冲销（已结账期间）")
                % {"kind": self.model._meta.verbose_name}
            )
        return super().delete()

    def in_period(self, start=None, end=None):
        """Records dated from ``start`` to ``end``, both included; either may be open."""
        qs, field = self, self.model.date_field
        if start:
            qs = qs.filter(**{f"{field}__gte": start})
        if end:
            qs = qs.filter(**{f"{field}__lte": end})
        return qs


class TrackedModel(models.Model):
    """Base of every record: the chapter it belongs to, and when and by whom it was made and changed."""

    chapter = models.ForeignKey(
        Chapter,
        verbose_name=_("红十字会"),
        # Records are the chapter's books: a chapter holding records cannot be deleted.
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("修改人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    # Counts the saves of the row: a form carries the version it showed, and a correction made
    # from an older version than the row now holds is refused rather than overwriting.
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)

    objects = ChapterScopedQuerySet.as_manager()

    class Meta:
        abstract = True

    # The record's date, declared once: what ``in_period`` and the lists' period filter select
    # by and, for an accounting record, what a closed period judges it by.
    date_field = "date"
    # Whether closed periods govern the record (the books: donations, payments, receipts …).
    closed_by_periods = False
    # Accounting records are corrected, never deleted (``CorrectableModel``, receipts).
    never_deleted = False

    def save(self, *args, **kwargs):
        adding = self._state.adding
        self._refuse_closed(adding)
        before = before_save(self)
        if not adding:
            self.version += 1
        super().save(*args, **kwargs)
        record_change(self, ChangeAction.INSERT if adding else ChangeAction.UPDATE, before)

    def _refuse_closed(self, adding):
        """Nothing dated inside a closed period is created, changed or removed (nor moved out of it)."""
        if self.closing_date_field is None:
            return
        days = {getattr(self, self.closing_date_field)}
        if not adding and self.pk is not None:
            days |= set(
                type(self)._base_manager.filter(pk=self.pk).values_list(self.closing_date_field, flat=True)
            )
        for day in days:
            period = ClosedPeriod.covering(self.chapter_id, day)
            if period is not None:
                field = self._meta.get_field(self.closing_date_field)
                raise ValidationError({self.closing_date_field: period.refusal(field.verbose_name)})

    def delete(self, *args, **kwargs):
        if self.never_deleted:
            raise ValidationError(
                _("%(kind)s是会计记录，不能删除；请作废（未结账期间）或冲销（已结账期间）")
                % {"kind": self._meta.verbose_name}
            )
        self._refuse_closed(adding=False)
        before, pk = (row_of(self) if recorded_by_app() else None), self.pk
        result = super().delete(*args, **kwargs)
        self.pk = pk
        record_change(self, ChangeAction.DELETE, before)
        return result

    @classproperty
    def closing_date_field(cls):
        """The date a closed period judges the record by (None: no period governs it)."""
        return cls.date_field if cls.closed_by_periods else None


class StandingManager(models.Manager):
    """What stands: a record neither voided nor waiting for approval. The default manager of
    every accounting record, so a total, a balance, a report figure or a summary counts only
    what stands unless it asks for ``all_objects``."""

    def get_queryset(self):
        return super().get_queryset().filter(self.model.standing_q())


def every(model):
    """All rows of ``model``: for an accounting record also the voided and the pending ones."""
    return getattr(model, "all_objects", model._default_manager)


def standing(queryset):
    """The rows of ``queryset`` that stand (all of them for a model that is never voided)."""
    standing_q = getattr(queryset.model, "standing_q", None)
    return queryset.filter(standing_q()) if standing_q else queryset


def correction_constraints(name):
    """What every accounting record's table keeps: a void says why, and one standing reversal
    at most refers to a record (``name`` prefixes the constraints' names)."""
    return [
        models.CheckConstraint(
            condition=models.Q(voided_at__isnull=True) | ~models.Q(void_reason=""),
            name=f"{name}_void_has_reason",
        ),
        models.UniqueConstraint(
            fields=["reverses"], condition=models.Q(voided_at__isnull=True), name=f"{name}_reversed_once"
        ),
    ]


class CorrectableModel(TrackedModel):
    """An accounting record (donation, relief payment, expenditure, payout): never deleted, but
    voided with a reason while its period is open, or reversed (冲销) by an entry in an open
    period that refers to it once its period is closed. A reversal holds the original's amounts
    negated; it corrects money only, so it counts in no number of payments, persons or cases.

    ``objects`` holds what stands; ``all_objects`` also the voided and the pending.
    """

    never_deleted = True
    # The money fields a reversal negates; their sum is what the record moves (``correction_total``).
    correction_amounts = ()

    voided_at = models.DateTimeField(_("作废时间"), null=True, blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("作废人"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )  # fmt: skip
    void_reason = models.CharField(_("作废原因"), max_length=200, blank=True)
    reverses = models.ForeignKey(
        "self", verbose_name=_("冲销的原记录"), null=True, blank=True,
        # The original stays as long as the entry reversing it.
        on_delete=models.PROTECT, related_name="reversals",
    )  # fmt: skip

    class Meta:
        abstract = True

    @classmethod
    def standing_q(cls, prefix=""):
        """Rows that stand (``prefix`` reaches them through a relation: ``donations__``)."""
        return models.Q(**{f"{prefix}voided_at__isnull": True})

    @classmethod
    def counted_q(cls, prefix=""):
        """Rows that count in numbers of payments, persons and cases: standing, not reversals."""
        return cls.standing_q(prefix) & models.Q(**{f"{prefix}reverses__isnull": True})

    @property
    def is_void(self):
        return self.voided_at is not None

    @property
    def is_reversal(self):
        return self.reverses_id is not None

    @property
    def is_pending(self):
        return False

    @property
    def stands(self):
        return not self.is_void and not self.is_pending

    def correction_total(self):
        """The money the record moves: the sum of its ``correction_amounts``."""
        return sum((getattr(self, name) for name in self.correction_amounts), Decimal("0.00"))

    @property
    def status(self):
        """The record's status, as the lists filter on it (``RecordStatus``)."""
        if self.is_void:
            return RecordStatus.VOIDED
        if self.is_pending:
            return RecordStatus.PENDING
        if self.is_reversal:
            return RecordStatus.REVERSAL
        return RecordStatus.STANDING

    @property
    def status_label(self):
        return self.status.label


class ApprovedModel(CorrectableModel):
    """A spending (relief payment, project expenditure) that needs a leader's approval when its
    amount is above the threshold its chapter set (``Chapter.approval_threshold``). Until then it
    is pending and, like a voided one, counts in no total."""

    pending = models.BooleanField(_("待审批"), default=False)
    approved_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("审批人"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )  # fmt: skip
    # What the approver wrote: with an approval, or the reason it was turned down (驳回).
    approval_opinion = models.CharField(_("审批意见"), max_length=200, blank=True)

    class Meta:
        abstract = True

    @classmethod
    def standing_q(cls, prefix=""):
        return models.Q(**{f"{prefix}voided_at__isnull": True, f"{prefix}pending": False})

    @property
    def is_pending(self):
        return self.pending and not self.is_void

    @property
    def is_turned_down(self):
        """Turned down (驳回) by an approver: voided while it waited, the approver named as such
        (``redcross.corrections.record_turn_down``); it counts in nothing, like any voided record."""
        return self.is_void and self.pending and self.approved_by_id is not None

    @property
    def status_label(self):
        if self.is_turned_down:
            return _("已驳回")
        return super().status_label


class Export(models.Model):
    """An Excel export too large to download at once, written by the task worker.

    Holds what was asked (the export's key and the list's query), how far the worker got, and
    the finished file, kept in the default storage for its owner to download.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("导出人"), on_delete=models.CASCADE, related_name="exports"
    )
    key = models.CharField(_("导出内容"), max_length=32)
    title = models.CharField(_("名称"), max_length=100)
    query = models.TextField(_("筛选条件"), blank=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=ExportStatus.choices, default=ExportStatus.QUEUED
    )
    rows_total = models.PositiveIntegerField(_("总行数"), default=0)
    rows_done = models.PositiveIntegerField(_("已写入行数"), default=0)
    file = models.FileField(_("文件"), upload_to="exports/%Y/%m/", blank=True)
    filename = models.CharField(_("文件名"), max_length=200, blank=True)
    error = models.TextField(_("错误"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("Excel导出")
        verbose_name_plural = _("Excel导出")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.title} {self.created_at:%Y-%m-%d %H:%M}"

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("export-detail", args=[self.pk])

    @property
    def percent(self):
        if self.status == ExportStatus.DONE:
            return 100
        if not self.rows_total:
            return 0
        return min(99, self.rows_done * 100 // self.rows_total)

    @property
    def is_finished(self):
        return self.status in (ExportStatus.DONE, ExportStatus.FAILED)


class ImportBatch(models.Model):
    """One workbook brought in (or previewed): who, when, which file (and its SHA-256), how many
    records of each kind, and the ids of what it created, so the whole can be undone."""

    chapter = models.ForeignKey(
        Chapter, verbose_name=_("红十字会"), on_delete=models.PROTECT, related_name="import_batches"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("导入人"), on_delete=models.PROTECT, related_name="+"
    )
    filename = models.CharField(_("文件名"), max_length=200)
    checksum = models.CharField(_("文件校验和"), max_length=64, db_index=True)
    file = models.FileField(_("文件"), upload_to="imports/%Y/%m/", blank=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=ImportStatus.choices, default=ImportStatus.PREVIEW
    )
    counts = models.JSONField(_("各类记录数"), default=dict)
    created = models.JSONField(_("创建的记录"), default=list)  # [model label, ids] in the order made
    # The last check: problems (sheet, row, column, message), likely duplicates, notices.
    report = models.JSONField(_("检查结果"), default=dict)
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    imported_at = models.DateTimeField(_("导入时间"), null=True, blank=True)
    undone_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("撤销人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # A workbook above IMPORT_IMMEDIATE_ROWS is checked and imported by the task worker; its
    # page shows how far it got (rows read from the file, rows checked, records created).
    job = models.CharField(_("后台任务"), max_length=16, choices=ImportJob.choices, blank=True, default="")
    rows_total = models.PositiveIntegerField(_("声明行数"), default=0)  # the sheets' declared rows (estimate)
    rows_read = models.PositiveIntegerField(_("已读取行数"), default=0)
    rows_checked = models.PositiveIntegerField(_("已检查行数"), default=0)
    rows_created = models.PositiveIntegerField(_("已创建记录数"), default=0)
    error = models.TextField(_("错误"), blank=True)

    class Meta:
        verbose_name = _("导入批次")
        verbose_name_plural = _("导入批次")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"#{self.pk} {self.filename}"

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("import-detail", args=[self.pk])

    @property
    def total_count(self):
        return sum((self.counts or {}).values())

    @property
    def running(self):
        """The task worker is checking or importing it (its page reloads itself meanwhile)."""
        return self.job in (ImportJob.CHECK, ImportJob.IMPORT, ImportJob.UNDO)

    @property
    def percent(self):
        """How much of the declared rows was read (0 when the sheets declared nothing)."""
        if not self.rows_total:
            return 0
        return min(100, self.rows_read * 100 // (self.rows_total + 1))


class HistoryDecoder(json.JSONDecoder):
    """Reads amounts back as exact Decimals, never as floating point."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("parse_float", Decimal)
        super().__init__(*args, **kwargs)


class Change(models.Model):
    """One change to a record of the books: the row before and after, who, when, from where.

    Written by a database trigger on PostgreSQL (``redcross.history``), by the app on SQLite.
    Never changed or deleted: the app offers no way to, and PostgreSQL refuses UPDATE and DELETE
    of the table.
    """

    at = models.DateTimeField(_("时间"), default=timezone.now)
    table = models.CharField(_("表"), max_length=100)
    record_id = models.BigIntegerField(_("记录编号"))
    chapter_id = models.BigIntegerField(_("红十字会"), null=True, blank=True)
    action = models.CharField(_("操作"), max_length=8, choices=ChangeAction.choices)
    user_id = models.BigIntegerField(_("操作人"), null=True, blank=True)
    source = models.CharField(_("来源"), max_length=200, blank=True)
    before = models.JSONField(_("修改前"), null=True, blank=True, decoder=HistoryDecoder)
    after = models.JSONField(_("修改后"), null=True, blank=True, decoder=HistoryDecoder)

    class Meta:
        verbose_name = _("修改记录")
        verbose_name_plural = _("修改记录")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["table", "record_id"], name="change_record"),
            # The history page in its order (-at, -id), sought from a cursor: a chapter's, and a
            # city's (many chapters) through the time alone. Changes written by one statement
            # share their time: the id orders them within it without a sort (issue 19).
            models.Index(fields=["chapter_id", "at", "id"], name="change_chapter_at_id"),
            models.Index(fields=["at", "id"], name="change_at_id"),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.table} #{self.record_id} {self.action}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("history is never changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("history is never deleted")


def record_change(record, action, before=None):
    """Writes a Change for ``record`` (SQLite only: on PostgreSQL the trigger has written it)."""
    if not recorded_by_app():
        return
    user_id, source = actor()
    after = None if action == "delete" else row_of(record)
    row = after or before or {}
    Change.objects.create(
        table=record._meta.db_table,
        record_id=record.pk if record.pk is not None else row.get("id"),
        chapter_id=row.get("chapter_id"),
        action=action,
        user_id=user_id,
        source=source,
        before=before,
        after=after,
    )


class ClosedPeriod(TrackedModel):
    """A month, half-year or year a chapter's leadership closed: nothing dated inside it is
    created, changed or voided any more (forms, import, admin, and raw SQL on PostgreSQL).
    Reopening is an administrator's act, with its reason, kept in the row and its history."""

    kind = models.CharField(_("结账期间"), max_length=8, choices=PeriodKind.choices)
    start = models.DateField(_("起始日期"))
    end = models.DateField(_("截止日期"))
    reopened_at = models.DateTimeField(_("重新开放时间"), null=True, blank=True)
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("重新开放人"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )  # fmt: skip
    reopen_reason = models.CharField(_("重新开放原因"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("结账期间")
        verbose_name_plural = _("结账期间")
        ordering = ["-start", "chapter__path"]
        indexes = [models.Index(fields=["chapter", "start", "end"], name="closed_period_lookup")]

    def __str__(self):
        return self.label

    @property
    def label(self):
        return period_label(self.kind, self.start)

    @classmethod
    def covering(cls, chapter_id, day):
        """The closed period of ``chapter_id`` holding ``day``, if any is closed."""
        if day is None:
            return None
        return (
            cls.objects.filter(chapter_id=chapter_id, start__lte=day, end__gte=day, reopened_at__isnull=True)
            .select_related("created_by")
            .first()
        )

    def refusal(self, what):
        return _(
            "%(period)s已结账（%(who)s，%(when)s），不能登记、修改或作废%(what)s在此期间内的记录；"
            "更正请在未结账期间登记调整，并注明原记录"
        ) % {
            "period": self.label,
            "who": self.created_by or _("领导"),
            "when": timezone.localtime(self.created_at).strftime("%Y-%m-%d"),
            "what": what,
        }


class Township(TrackedModel):
    """One of a chapter's townships (乡镇、苏木、街道): the list its administrator keeps, offered
    wherever a record names a township, so that one place is always written one way and a
    person is not split in two by a typo (a person without ID number is known by name and
    township). A township no longer used is made inactive rather than deleted: old records
    still name it, and the filters still find them."""

    name = models.CharField(_("乡镇名称"), max_length=50)
    is_active = models.BooleanField(_("在用"), default=True)

    class Meta:
        verbose_name = _("乡镇")
        verbose_name_plural = _("乡镇")
        ordering = ["chapter__path", "name"]
        constraints = [
            models.UniqueConstraint(fields=["chapter", "name"], name="township_name_unique_in_chapter"),
        ]

    def __str__(self):
        return self.name

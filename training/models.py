"""First-aid training: sessions, instructors, certificates and the year's targets."""

import datetime

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q, Sum
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from redcross import bounds
from redcross.idnumber import validate_id_number
from redcross.kept import DayTotals, KeptDay, month_table
from redcross.models import BoundedDecimalField, CategoryModel, ChapterScopedQuerySet, TrackedModel


class TrainingKind(CategoryModel):
    """A kind of training (培训类型). A certifying kind issues first-aid certificates."""

    certifies = models.BooleanField(_("颁发证书"), default=False)

    class Meta(CategoryModel.Meta):
        verbose_name = _("培训类型")
        verbose_name_plural = _("培训类型")


class Sector(CategoryModel):
    """The sector a session reaches (对象领域): 机关, 学校, 企业, 社区, 农村牧区."""

    class Meta(CategoryModel.Meta):
        verbose_name = _("对象领域")
        verbose_name_plural = _("对象领域")


class Instructor(TrackedModel):
    """A first-aid instructor (救护师资) with the expiry of their own qualification."""

    name = models.CharField(_("姓名"), max_length=50)
    phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    workplace = models.CharField(_("工作单位"), max_length=200, blank=True)
    qualification_number = models.CharField(_("师资证号"), max_length=50, blank=True)
    qualified_until = models.DateField(
        _("资质有效期至"), null=True, blank=True, validators=[bounds.validate_plan_date]
    )

    class Meta:
        verbose_name = _("救护师资")
        verbose_name_plural = _("救护师资")
        ordering = ["name", "pk"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("training:instructor-update", args=[self.pk])


class SessionQuerySet(ChapterScopedQuerySet):
    def with_related(self):
        return self.select_related("chapter", "kind", "sector")


class Session(TrackedModel):
    """A training session (培训班): counted in person-times; a certified course also in certificates."""

    date = models.DateField(_("培训日期"), validators=[bounds.validate_record_date])
    kind = models.ForeignKey(
        TrainingKind,
        verbose_name=_("培训类型"),
        # Reports count sessions per kind: a kind in use is never deleted.
        on_delete=models.PROTECT,
        related_name="sessions",
    )
    title = models.CharField(_("培训名称"), max_length=200)
    venue = models.CharField(_("培训地点"), max_length=200, blank=True)
    sector = models.ForeignKey(
        Sector,
        verbose_name=_("对象领域"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sessions",
    )
    hours = BoundedDecimalField(
        _("学时"),
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0, _("学时不能为负数")), bounds.validate_hours],
    )
    instructors = models.ManyToManyField(
        Instructor, verbose_name=_("授课师资"), blank=True, related_name="sessions"
    )
    person_times = models.PositiveIntegerField(
        _("参训人次"),
        validators=[MinValueValidator(1, _("参训人次至少为1")), bounds.validate_person_times],
    )
    certified_count = models.PositiveIntegerField(
        _("取证人数"), default=0, validators=[bounds.validate_certified]
    )
    remarks = models.TextField(_("备注"), blank=True)

    objects = SessionQuerySet.as_manager()

    class Meta:
        verbose_name = _("培训")
        verbose_name_plural = _("培训")
        ordering = ["-date", "-pk"]
        indexes = [
            models.Index(fields=["chapter", "date"], name="session_chapter_date"),
            # The list of a city (many chapters), sought in its order (redcross.keyset).
            models.Index(fields=["date", "id"], name="session_date_id"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(person_times__gte=1), name="session_person_times_min_1"),
            models.CheckConstraint(
                condition=Q(certified_count__lte=F("person_times")), name="session_certified_within_trained"
            ),
        ]

    def __str__(self):
        return f"{self.date} {self.title}"

    def get_absolute_url(self):
        return reverse("training:session-detail", args=[self.pk])


class CertificateQuerySet(ChapterScopedQuerySet):
    def with_related(self):
        return self.select_related("chapter", "session", "session__kind")

    def expiring(self, today, days):
        """Certificates still valid on ``today`` that expire within ``days`` days."""
        return self.filter(expires_on__gte=today, expires_on__lte=today + datetime.timedelta(days=days))


class Certificate(TrackedModel):
    """A first-aid certificate earned on a certified course; valid three years by default."""

    date_field = "issued_on"

    session = models.ForeignKey(
        Session,
        verbose_name=_("培训"),
        # A certificate names the course it was earned on.
        on_delete=models.PROTECT,
        related_name="certificates",
    )
    trainee_name = models.CharField(_("学员姓名"), max_length=50)
    id_number = models.CharField(_("身份证号"), max_length=18, blank=True, validators=[validate_id_number])
    phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    workplace = models.CharField(_("工作单位"), max_length=200, blank=True)
    number = models.CharField(_("证书编号"), max_length=50)
    issued_on = models.DateField(_("发证日期"), validators=[bounds.validate_record_date])
    expires_on = models.DateField(_("有效期至"), validators=[bounds.validate_plan_date])

    objects = CertificateQuerySet.as_manager()

    class Meta:
        verbose_name = _("救护证书")
        verbose_name_plural = _("救护证书")
        ordering = ["expires_on", "pk"]
        indexes = [models.Index(fields=["chapter", "expires_on"], name="certificate_chapter_expiry")]
        constraints = [
            models.UniqueConstraint(
                fields=["chapter", "number"], name="certificate_number_unique_in_chapter"
            ),
            models.CheckConstraint(
                condition=Q(expires_on__gt=F("issued_on")), name="certificate_expires_after_issue"
            ),
        ]

    def __str__(self):
        return f"{self.number} {self.trainee_name}"

    def get_absolute_url(self):
        return self.session.get_absolute_url()


class Target(TrackedModel):
    """The year's target for one kind of training (e.g. 普及性培训 3000人次)."""

    year = models.PositiveSmallIntegerField(_("年度"), validators=[bounds.validate_target_year])
    kind = models.ForeignKey(
        TrainingKind, verbose_name=_("培训类型"), on_delete=models.PROTECT, related_name="+"
    )
    person_times = models.PositiveIntegerField(
        _("目标人次"), validators=[MinValueValidator(1, _("目标人次至少为1")), bounds.validate_target]
    )

    class Meta:
        verbose_name = _("年度培训目标")
        verbose_name_plural = _("年度培训目标")
        ordering = ["year", "kind__order"]
        constraints = [
            models.UniqueConstraint(fields=["chapter", "year", "kind"], name="target_one_per_kind_and_year"),
        ]

    def __str__(self):
        return f"{self.year} {self.kind} {self.person_times}"


class SessionDay(KeptDay):
    """Derived from sessions, never entered: every session summed per chapter, day, kind and
    sector: the sessions' list's totals line and its count of rows (``redcross.kept``)."""

    kind = models.ForeignKey(TrainingKind, on_delete=models.CASCADE, related_name="+")
    sector = models.ForeignKey(Sector, null=True, on_delete=models.CASCADE, related_name="+")
    person_times = models.PositiveBigIntegerField()
    certified_count = models.PositiveBigIntegerField()
    hours = models.DecimalField(max_digits=12, decimal_places=1)

    class Meta:
        indexes = [models.Index(fields=["chapter", "date"], name="session_day_chapter_date")]


# The sessions' count is the kept rows' own (a session is never voided nor reversed).
# The same sums per month (``redcross.kept.month_table``): what a long period reads.
SessionMonth = month_table(SessionDay, "SessionMonth")
SESSION_DAYS = DayTotals(
    months=SessionMonth,
    table=SessionDay,
    records=Session,
    dimensions=("kind", "sector"),
    sums={
        "person_times": Sum("person_times"),
        "certified_count": Sum("certified_count"),
        "hours": Sum("hours"),
    },
)

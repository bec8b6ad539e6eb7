"""Public disclosures (信息公开): what a chapter prepares, and the versions it published, frozen.

A ``Disclosure`` is the subject staff prepare — a drive, a project or a period (a year or its
first half) of a chapter — with the day its figures are cut at (``as_of``). Its lines are computed
from the records while it is a draft, so the preview is what the public would see now. A leader
publishes it as a ``DisclosureVersion``: the lines as JSON, the rendered HTML, who, when and a
SHA-256 checksum of both. A version is never changed or deleted; a correction is a newer version
with its 更正说明, and the older one stays readable, pointing at it.
"""

import hashlib
import json

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from redcross.models import Chapter

from .choices import DisclosureKind


class Disclosure(models.Model):
    chapter = models.ForeignKey(
        Chapter, verbose_name=_("红十字会"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("公开类型"), max_length=8, choices=DisclosureKind.choices)
    drive = models.ForeignKey(
        "donations.Drive",
        verbose_name=_("募捐活动"),
        null=True,
        blank=True,
        # What was published of a drive stays with it.
        on_delete=models.PROTECT,
        related_name="+",
    )
    project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("项目"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    period = models.CharField(_("期间"), max_length=8, blank=True, help_text=_("如 2020 或 2020H1"))
    as_of = models.DateField(_("截止日期"))
    township_shown = models.BooleanField(
        _("公开到乡镇"), default=False, help_text=_("不勾选时，救助只公开到救助类别，不出现乡镇")
    )
    correction_note = models.TextField(
        _("更正说明"), blank=True, help_text=_("更正已发布的数字时必须填写，随新版本一起公开")
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

    class Meta:
        verbose_name = _("信息公开")
        verbose_name_plural = _("信息公开")
        ordering = ["chapter", "-as_of", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind=DisclosureKind.DRIVE) & Q(drive__isnull=False) & Q(project__isnull=True))
                | (Q(kind=DisclosureKind.PROJECT) & Q(project__isnull=False) & Q(drive__isnull=True))
                | (
                    Q(kind=DisclosureKind.PERIOD)
                    & Q(drive__isnull=True)
                    & Q(project__isnull=True)
                    & ~Q(period="")
                ),
                name="disclosure_names_its_subject",
            ),
            models.UniqueConstraint(fields=["drive"], name="disclosure_one_per_drive"),
            models.UniqueConstraint(fields=["project"], name="disclosure_one_per_project"),
            models.UniqueConstraint(
                fields=["chapter", "period"],
                condition=Q(kind=DisclosureKind.PERIOD),
                name="disclosure_one_per_chapter_period",
            ),
        ]

    def __str__(self):
        return self.subject

    def get_absolute_url(self):
        return reverse("disclosure:detail", args=[self.pk])

    @property
    def subject(self):
        if self.kind == DisclosureKind.DRIVE:
            return _("募捐活动“%(name)s”") % {"name": self.drive}
        if self.kind == DisclosureKind.PROJECT:
            return _("项目“%(name)s”") % {"name": self.project.name}
        from reports.periods import Period

        return Period.parse(self.period).label


class DisclosureVersion(models.Model):
    """A published version: its lines and its page, frozen, with a checksum of both."""

    disclosure = models.ForeignKey(Disclosure, on_delete=models.PROTECT, related_name="versions")
    # Copied from the disclosure: the public page reads the version alone (one query).
    chapter = models.ForeignKey(Chapter, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(_("版本"))
    title = models.CharField(_("标题"), max_length=300)
    as_of = models.DateField(_("截止日期"))
    content = models.JSONField(_("明细"))
    html = models.TextField(_("页面"))
    correction_note = models.TextField(_("更正说明"), blank=True)
    corrects = models.OneToOneField(
        "self",
        verbose_name=_("更正的版本"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="corrected_by",
    )
    published_at = models.DateTimeField(_("发布时间"))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("发布人"), on_delete=models.PROTECT, related_name="+"
    )
    publisher_name = models.CharField(_("发布人"), max_length=150)
    sha256 = models.CharField(_("校验值（SHA-256）"), max_length=64)

    class Meta:
        verbose_name = _("已发布的信息公开")
        verbose_name_plural = _("已发布的信息公开")
        ordering = ["chapter", "-published_at", "-pk"]
        indexes = [models.Index(fields=["chapter", "published_at"], name="disclosure_version_chapter")]
        constraints = [
            models.UniqueConstraint(fields=["disclosure", "version"], name="disclosure_version_unique"),
        ]

    def __str__(self):
        return _("%(title)s（第%(version)s版）") % {"title": self.title, "version": self.version}

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValidationError(_("已发布的信息公开不能修改"))
        self.sha256 = checksum(self.content, self.html)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("public:version", args=[self.chapter.code, self.pk])

    def delete(self, *args, **kwargs):
        raise ValidationError(_("已发布的信息公开不能删除"))

    @property
    def intact(self):
        """Whether what is stored still has the checksum it was published with."""
        return checksum(self.content, self.html) == self.sha256


def checksum(content, html):
    """SHA-256 of the lines (canonical JSON) and the page, as published."""
    digest = hashlib.sha256()
    digest.update(json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode())
    digest.update(b"\n")
    digest.update(html.encode())
    return digest.hexdigest()


class GiftFeedback(models.Model):
    """That the use of a restricted gift was reported back to its donor (反馈): when, and by whom."""

    donation = models.OneToOneField(
        "donations.Donation", verbose_name=_("捐赠"), on_delete=models.PROTECT, related_name="+"
    )
    reported_on = models.DateField(_("反馈日期"))
    how = models.CharField(_("反馈方式"), max_length=100, blank=True)
    recorded_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("登记人"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("捐赠反馈")
        verbose_name_plural = _("捐赠反馈")
        ordering = ["-reported_on", "-pk"]

    def __str__(self):
        return f"{self.donation_id} {self.reported_on}"


class LookupFailure(models.Model):
    """A donor lookup that matched nothing, by the client's address: the lookup is rate-limited
    as the login is (``AXES_FAILURE_LIMIT`` failures in ``AXES_COOLOFF_TIME``), without keeping
    what was typed."""

    address = models.CharField(max_length=45)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["address", "at"], name="lookup_failure_address_at")]

    def __str__(self):
        return f"{self.address} {self.at}"

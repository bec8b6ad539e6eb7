"""Work reports: a draft per chapter and period, its sections, and the versions published of it.

A section's text holds figures as tokens (``{{relief.重特大疾病救助.amount}}``) that are filled in
from the records whenever the draft is shown, so editing the wording never freezes a number.
Publishing freezes everything: the figures, the text and the PDF, with a checksum.
"""

import hashlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from redcross.models import Chapter

from .choices import ReportKind, SectionKind
from .periods import Period


class Report(models.Model):
    chapter = models.ForeignKey(
        Chapter, verbose_name=_("红十字会"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveIntegerField(_("年度"))
    kind = models.CharField(_("报告类型"), max_length=8, choices=ReportKind.choices)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("修改人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("工作报告")
        verbose_name_plural = _("工作报告")
        ordering = ["chapter__path", "-year", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["chapter", "year", "kind"], name="report_one_per_chapter_period"),
        ]

    def __str__(self):
        return self.period.title(self.chapter)

    @property
    def period(self):
        return Period(self.year, self.kind)


class Section(models.Model):
    """One numbered part of a report: level 1 is 一、, level 2 is （一）."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="sections")
    order = models.PositiveSmallIntegerField(_("顺序"))
    level = models.PositiveSmallIntegerField(_("层级"), default=2)
    key = models.SlugField(_("标识"), max_length=32)
    kind = models.CharField(_("内容"), max_length=16, choices=SectionKind.choices)
    heading = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("正文"), blank=True)
    # A section nobody edited is written again from the records whenever it is read (its stored
    # body stays empty); once a person saves their own words, the body is theirs.
    edited = models.BooleanField(_("已人工修改"), default=False)

    class Meta:
        verbose_name = _("报告段落")
        verbose_name_plural = _("报告段落")
        ordering = ["report", "order"]
        constraints = [
            models.UniqueConstraint(fields=["report", "key"], name="section_key_unique_in_report"),
        ]

    def __str__(self):
        return self.heading


class Publication(models.Model):
    """A published version: what it said, the figures it said, and its PDF, never changed."""

    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="publications")
    version = models.PositiveIntegerField(_("版本"))
    title = models.CharField(_("标题"), max_length=200)
    published_at = models.DateTimeField(_("发布时间"))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("发布人"), on_delete=models.PROTECT, related_name="+"
    )
    sections = models.JSONField(_("正文"))
    figures = models.JSONField(_("数字"))
    pdf = models.BinaryField(_("PDF"))
    sha256 = models.CharField(_("校验值（SHA-256）"), max_length=64)

    class Meta:
        verbose_name = _("已发布版本")
        verbose_name_plural = _("已发布版本")
        ordering = ["report", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["report", "version"], name="publication_version_unique"),
        ]

    def __str__(self):
        return _("%(title)s（第%(version)s版）") % {"title": self.title, "version": self.version}

    def save(self, *args, **kwargs):
        if self.pk is not None or self._state.adding is False:
            raise ValidationError(_("已发布的报告不能修改"))
        self.sha256 = hashlib.sha256(bytes(self.pdf)).hexdigest()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("已发布的报告不能删除"))

    @property
    def filename(self):
        return f"{self.report.chapter.code}-{self.report.period.code}-v{self.version}.pdf"

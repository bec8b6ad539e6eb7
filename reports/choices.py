from django.db import models
from django.utils.translation import gettext_lazy as _


class ReportKind(models.TextChoices):
    YEAR = "year", _("全年工作报告")
    H1 = "h1", _("上半年工作小结")


class SectionKind(models.TextChoices):
    DATA = "data", _("由记录生成")
    NARRATIVE = "narrative", _("文字")

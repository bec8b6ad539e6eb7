from django.db import models
from django.utils.translation import gettext_lazy as _


class DisclosureKind(models.TextChoices):
    DRIVE = "drive", _("募捐活动")
    PROJECT = "project", _("项目")
    PERIOD = "period", _("期间")

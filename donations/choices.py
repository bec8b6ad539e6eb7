from django.db import models
from django.utils.translation import gettext_lazy as _


class DonationKind(models.TextChoices):
    CASH = "cash", _("现金")
    IN_KIND = "in_kind", _("物资")

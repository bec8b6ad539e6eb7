from django.db import models
from django.utils.translation import gettext_lazy as _


class RecipientKind(models.TextChoices):
    PERSON = "person", _("个人")
    GROUP = "group", _("群体")


# The relief categories a new installation starts with (DESIGN.md), in report order.
DEFAULT_CATEGORIES = [
    "重特大疾病救助",
    "救灾救助",
    "光明行白内障手术",
    "白血病儿童救助",
    "助学",
    "困难群众慰问",
    "博爱送万家",
    "其他救助",
]

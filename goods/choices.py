from django.db import models
from django.utils.translation import gettext_lazy as _


class LotOrigin(models.TextChoices):
    """Where the goods of a lot (入库批次) came from."""

    DONATION = "donation", _("捐赠物资")
    PURCHASE = "purchase", _("资金采购")
    ALLOCATION = "allocation", _("上级调拨")


class IssueKind(models.TextChoices):
    """Where goods go when they leave the store (出库)."""

    RELIEF_PERSON = "relief_person", _("救助发放（个人）")
    RELIEF_GROUP = "relief_group", _("救助发放（群体）")
    ALLOCATION = "allocation", _("调拨下级红十字会")
    UNIT = "unit", _("发往接收单位")
    WRITE_OFF = "write_off", _("报损核销")


RELIEF_KINDS = (IssueKind.RELIEF_PERSON, IssueKind.RELIEF_GROUP)


class StockFilter(models.TextChoices):
    """What the stock page lists."""

    ON_HAND = "on_hand", _("有库存")
    EXPIRING = "expiring", _("即将过期（90天内）")
    EMPTY = "empty", _("已发完")

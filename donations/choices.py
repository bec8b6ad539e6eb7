from django.db import models
from django.utils.translation import gettext_lazy as _


class DonorKind(models.TextChoices):
    PERSON = "person", _("个人")
    ORGANISATION = "organisation", _("单位")


class DonationKind(models.TextChoices):
    CASH = "cash", _("现金")
    IN_KIND = "in_kind", _("物资")


class ValuationBasis(models.TextChoices):
    """What an in-kind donation's money value rests on (物资折价依据)."""

    INVOICE = "invoice", _("发票")
    AGREEMENT = "agreement", _("捐赠协议")
    MARKET = "market", _("市场价格")
    APPRAISAL = "appraisal", _("第三方评估")


class LedgerEntryKind(models.TextChoices):
    """The rows of a fund's ledger, in the order they are listed within a day."""

    DONATION = "donation", _("捐赠收入")
    DISBURSEMENT = "disbursement", _("救助发放")
    EXPENDITURE = "expenditure", _("项目支出")
    PAYOUT = "payout", _("款物拨付")
    GOODS_RECEIPT = "goods_receipt", _("物资入库")
    GOODS_ISSUE = "goods_issue", _("物资出库")
    GOODS_ADJUSTMENT = "goods_adjustment", _("物资盘点调整")

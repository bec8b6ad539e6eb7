from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def register_goods_relief():
    """Relief in kind out of the store: goods' relief issues record their payment here, and the
    trace of goods names their recipients through aid (aid imports goods, never the other way)."""
    from goods.selectors import register_relief_recipients
    from goods.services import register_relief

    from . import services

    register_relief(
        record=services.relief_for_issue,
        void=services.relief_issue_voided,
        reverse=services.relief_issue_reversed,
    )
    register_relief_recipients(services.relief_recipients)


class AidConfig(AppConfig):
    name = "aid"
    verbose_name = _("救助发放")

    def ready(self):
        """Tells the kernel (``redcross.registry``) what this app brings: its import sheet and
        drop-down, its ledger, and its part of the demo."""
        from django.db.models import F

        from donations.choices import LedgerEntryKind
        from donations.selectors import FundOutflow, register_fund_outflow
        from redcross.kept import keep
        from redcross.registry import (
            register,
            register_correction_hooks,
            register_demo_loader,
            register_export,
            register_import_option,
            register_import_sheet,
        )

        from . import demo, exports, imports, models, services

        keep(models.DISBURSEMENT_DAYS, follow=models.townships_follow)
        models.keep_written_townships()
        keep(models.PERSON_YEAR_DAYS, signals=False)
        keep(models.PERSON_FIRST_DAYS, signals=False)
        register_import_sheet(imports.DisbursementSheet, order=50)
        register_import_option("救助类别", imports.categories_offered, order=10)
        register("import_undone", imports.undo_refresh_summaries)
        register_correction_hooks(models.Disbursement, services.DisbursementCorrections())
        register_export("disbursements", exports.DisbursementLedger)
        register_fund_outflow(
            FundOutflow(
                kind=LedgerEntryKind.DISBURSEMENT,
                model=models.Disbursement,
                amount=F("cash_amount") + F("in_kind_amount"),
                party=F("beneficiary__name"),
                purpose=F("category__name"),
                kept_amount=F("cash_amount") + F("in_kind_amount"),
                cash=F("cash_amount"),
                kept_cash=F("cash_amount"),
            )
        )
        register_goods_relief()
        register_demo_loader(demo.demo_naiman, order=10)
        register_demo_loader(demo.demo_ankang, order=40)

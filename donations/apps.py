from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DonationsConfig(AppConfig):
    name = "donations"
    verbose_name = _("捐赠与基金")

    def ready(self):
        """Tells the kernel (``redcross.registry``) what this app brings: its import sheets and
        drop-downs, its exports and ledgers, and its part of the demo."""
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

        keep(models.DONATION_DAYS, follow=models.donor_firsts_follow)
        keep(models.DONOR_FIRST_DAYS, signals=False)
        keep(models.PAYOUT_DAYS)
        models.keep_donor_firsts()

        register_import_sheet(imports.FundSheet, order=10)
        register_import_sheet(imports.DriveSheet, order=20)
        register_import_sheet(imports.DonationSheet, order=40)
        register_import_option("捐赠人类型", imports.donor_kinds_offered, order=60)
        register_import_option("捐赠方式", imports.donation_kinds_offered, order=70)
        register_import_option("折价依据", imports.valuation_bases_offered, order=80)
        register_import_option("基金", imports.funds_offered, order=100, of_chapter=True)
        register_import_option("募捐活动", imports.drives_offered, order=110, of_chapter=True)
        register("import_context", imports.context_load)
        register("import_rechecks", imports.funds_recheck)
        register("import_undo_checks", imports.undo_refuse_spent_funds)
        register_correction_hooks(models.Donation, services.DonationCorrections())
        register_export("donations", exports.DonationLedger)
        register_export("funds", exports.FundLedger)
        register_export("donors", exports.DonorExport)
        register_export("drives", exports.DriveExport)
        register_export("payouts", exports.PayoutExport)
        register_demo_loader(demo.demo_ankang, order=50)

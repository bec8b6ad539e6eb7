from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = _("项目")

    def ready(self):
        """Tells the kernel (``redcross.registry``) what this app brings: its import sheets and
        drop-downs, its exports, its kept daily totals, and its part of the demo."""
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

        keep(models.EXPENDITURE_DAYS)
        register_import_sheet(imports.ProjectSheet, order=30)
        register_import_sheet(imports.ExpenditureSheet, order=70)
        register_import_option("项目类型", imports.kinds_offered, order=30)
        register_import_option("项目状态", imports.statuses_offered, order=50)
        register_import_option("项目", imports.projects_offered, order=120, of_chapter=True)
        register("import_context", imports.context_load)
        register_correction_hooks(models.Expenditure, services.ExpenditureCorrections())
        register_export("expenditures", exports.ExpenditureLedger)
        register_fund_outflow(
            FundOutflow(
                kind=LedgerEntryKind.EXPENDITURE,
                model=models.Expenditure,
                amount=F("amount"),
                party=F("payee"),
                purpose=F("project__name"),
                kept_amount=F("amount"),
            )
        )
        register_export("projects", exports.ProjectExport)
        register_demo_loader(demo.demo_naiman, order=20)
        register_demo_loader(demo.demo_ankang, order=60)

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingConfig(AppConfig):
    name = "training"
    verbose_name = _("救护培训")

    def ready(self):
        """Tells the kernel (``redcross.registry``) what this app brings: its import sheet and
        drop-downs, its exports, its kept daily totals, and its part of the demo."""
        from redcross.kept import keep
        from redcross.registry import (
            register_demo_loader,
            register_export,
            register_import_option,
            register_import_sheet,
        )

        from . import demo, exports, imports, models

        keep(models.SESSION_DAYS)
        register_import_sheet(imports.SessionSheet, order=60)
        register_import_option("培训类型", imports.kinds_offered, order=20)
        register_import_option("对象领域", imports.sectors_offered, order=40)
        register_export("sessions", exports.SessionExport)
        register_export("certificates", exports.CertificateExport)
        register_export("instructors", exports.InstructorExport)
        register_demo_loader(demo.demo_naiman, order=30)
        register_demo_loader(demo.demo_ankang, order=70)

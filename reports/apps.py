from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("工作报告")

    def ready(self):
        """Tells the kernel (``redcross.registry``) this app's part of the demo: the reports,
        built once every other app's records are in."""
        from redcross.registry import register_demo_loader

        from . import demo

        register_demo_loader(demo.demo_load, order=80)

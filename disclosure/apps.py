from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DisclosureConfig(AppConfig):
    name = "disclosure"
    verbose_name = _("信息公开")

    def ready(self):
        """Tells the kernel this app's part of the demo (after the reports: it publishes them
        beside its disclosures) and its panel on the start pages (what disclosure is due)."""
        from redcross.registry import register, register_demo_loader

        from . import demo, selectors

        register_demo_loader(demo.demo_load, order=90)
        register("home_panels", selectors.due_panel)

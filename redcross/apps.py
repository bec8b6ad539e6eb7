from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RedcrossConfig(AppConfig):
    name = "redcross"
    verbose_name = _("红十字会与人员")

    def ready(self):
        from django.db.backends.signals import connection_created
        from django.db.models.signals import post_migrate

        from . import (
            checks,  # noqa: F401 — registers the start-up checks
            exports,
            history,
            import_template,
        )
        from .registry import register_export, register_import_option

        register_export("changes", exports.ChangeExport)
        register_import_option("是否", import_template.yes_no, order=90)

        post_migrate.connect(history.install_triggers, sender=self)
        connection_created.connect(history.connection_created)

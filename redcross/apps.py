from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RedcrossConfig(AppConfig):
    name = "redcross"
    verbose_name = _("红十字会与人员")

    def ready(self):
        from . import checks  # noqa: F401 — registers the start-up checks

"""Start-up checks (``manage.py check``, and every server and command start)."""

from django.core.checks import Error, register


@register()
def defusedxml_installed(app_configs, **kwargs):
    """Workbooks are XML inside a zip: without defusedxml, openpyxl would expand the entities an
    uploaded file defines (billion laughs). Refuse to start rather than read one unsafely."""
    from openpyxl.xml import DEFUSEDXML

    if DEFUSEDXML:
        return []
    return [
        Error(
            "defusedxml is not installed: imported workbooks could expand XML entities.",
            hint="pip install -r requirements.txt",
            id="redcross.E001",
        )
    ]

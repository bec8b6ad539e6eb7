"""A report as PDF, by WeasyPrint, in the long-lived app process.

WeasyPrint fetches only through ``StaticFilesOnly``: the app's own static files. Nothing a
report's text could name — ``file:///etc/passwd``, an outside address — is ever opened.
"""

import logging
import posixpath
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.exceptions import ImproperlyConfigured, SuspiciousFileOperation
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)

# Relative URLs in a report's HTML resolve against this address, which no network serves:
# the fetcher answers it from the static files and refuses every other address.
BASE_URL = "http://report.invalid/"


class RefusedFetch(ValueError):
    pass


def static_path(url):
    """The file behind a static URL of the report's base address, or None."""
    parts = urlsplit(url)
    prefix = "/" + settings.STATIC_URL.strip("/") + "/"
    if f"{parts.scheme}://{parts.netloc}/" != BASE_URL or not parts.path.startswith(prefix):
        return None
    name = posixpath.normpath(unquote(parts.path[len(prefix) :]))
    if name.startswith(("..", "/")) or "\\" in name:
        return None
    return finders.find(name) or _collected_path(name)


def _collected_path(name):
    """The collected file behind ``name`` as the configured static storage names it: in
    production ``CompressedManifestStaticFilesStorage`` writes hashed names
    (``reports/report.114a3c068b08.css``) that no finder knows."""
    try:
        if staticfiles_storage.exists(name):
            return staticfiles_storage.path(name)
    except (NotImplementedError, SuspiciousFileOperation):
        return None
    return None


def _fetcher_class():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticFilesOnly(URLFetcher):
        """Serves the app's static files; refuses everything else."""

        def fetch(self, url, headers=None):
            path = static_path(url)
            if path is None:
                logger.warning("Report rendering refused to fetch %s", url[:200])
                raise RefusedFetch(f"refused: {url[:200]}")
            with open(path, "rb") as file:
                body = file.read()
            content_type = "text/css" if path.endswith(".css") else "application/octet-stream"
            return URLFetcherResponse(url, body, {"Content-Type": content_type})

    return StaticFilesOnly


def require_harfbuzz_subset():
    """Without libharfbuzz-subset WeasyPrint subsets CJK fonts in Python, 14 times slower, silently."""
    from weasyprint.text import ffi

    if getattr(ffi, "harfbuzz_subset", None) is None:
        raise ImproperlyConfigured(
            "libharfbuzz-subset0 is missing: Chinese PDFs would take 14 times longer. "
            "Install it (scripts/system-packages.sh does)."
        )


def html_to_pdf(html):
    from weasyprint import HTML

    require_harfbuzz_subset()
    fetcher = _fetcher_class()()
    return HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher).write_pdf()


def render_pdf(context):
    """The PDF of a report from its context (see reports.rendering.report_context)."""
    return html_to_pdf(render_to_string("reports/report_pdf.html", context))

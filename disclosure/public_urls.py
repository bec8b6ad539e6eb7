"""The public addresses (DESIGN.md, "Contracts"): /public/CODE/ and /public/CODE/lookup/ keep
their names; no login."""

from django.urls import path

from . import public

app_name = "public"

urlpatterns = [
    path("<str:code>/", public.ChapterView.as_view(), name="chapter"),
    path("<str:code>/lookup/", public.LookupView.as_view(), name="lookup"),
    path("<str:code>/<int:pk>/", public.VersionView.as_view(), name="version"),
    path(
        "<str:code>/<int:pk>/excel/<slug:key>.xlsx", public.VersionExcelView.as_view(), name="version-excel"
    ),
    path("<str:code>/reports/<int:pk>.pdf", public.ReportPdfView.as_view(), name="report-pdf"),
]

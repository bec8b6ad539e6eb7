from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.ReportListView.as_view(), name="report-list"),
    path("open/", views.ReportOpenView.as_view(), name="report-open"),
    path("<int:pk>/", views.ReportDetailView.as_view(), name="report-detail"),
    path("<int:pk>/sections/<slug:key>/", views.SectionUpdateView.as_view(), name="section-update"),
    path("<int:pk>/sections/<slug:key>/preview/", views.SectionPreviewView.as_view(), name="section-preview"),
    path("<int:pk>/publish/", views.ReportPublishView.as_view(), name="report-publish"),
    path("<int:pk>/pdf/", views.ReportPdfView.as_view(), name="report-pdf"),
    path("<int:pk>/versions/<int:version>/pdf/", views.PublicationPdfView.as_view(), name="publication-pdf"),
]

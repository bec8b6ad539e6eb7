from django.urls import path

from redcross.views.corrections import correction_urls

from . import views
from .models import Adjustment, Issue, Lot

app_name = "goods"

urlpatterns = [
    path("", views.StockListView.as_view(), name="stock"),
    path("lots/new/", views.LotCreateView.as_view(), name="lot-create"),
    path("lots/<int:pk>/", views.LotDetailView.as_view(), name="lot-detail"),
    path("lots/<int:parent_pk>/count/", views.StockCountView.as_view(), name="stock-count"),
    path("lots/<int:parent_pk>/receive/", views.ArrivalConfirmView.as_view(), name="lot-receive"),
    *correction_urls(Lot, "lot", "lots/"),
    path("issues/", views.IssueListView.as_view(), name="issue-list"),
    path("issues/new/", views.IssueCreateView.as_view(), name="issue-create"),
    path("issues/<int:pk>/", views.IssueDetailView.as_view(), name="issue-detail"),
    *correction_urls(Issue, "issue", "issues/"),
    path("lines/<int:pk>/", views.LineView.as_view(), name="line-detail"),
    path("adjustments/<int:pk>/", views.AdjustmentView.as_view(), name="adjustment-detail"),
    *correction_urls(Adjustment, "adjustment", "adjustments/"),
    path("stores/new/", views.StoreCreateView.as_view(), name="store-create"),
]

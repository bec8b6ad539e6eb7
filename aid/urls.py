from django.urls import path

from redcross.views.corrections import correction_urls

from . import views
from .models import Disbursement

app_name = "aid"

urlpatterns = [
    path("", views.DisbursementListView.as_view(), name="disbursement-list"),
    path("new/", views.DisbursementCreateView.as_view(), name="disbursement-create"),
    path("<int:pk>/", views.DisbursementDetailView.as_view(), name="disbursement-detail"),
    path("<int:pk>/edit/", views.DisbursementUpdateView.as_view(), name="disbursement-update"),
    *correction_urls(Disbursement, "disbursement"),
]

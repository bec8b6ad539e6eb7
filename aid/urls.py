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
    path("beneficiaries/", views.BeneficiaryListView.as_view(), name="beneficiary-list"),
    path("beneficiaries/<int:pk>/", views.BeneficiaryDetailView.as_view(), name="beneficiary-detail"),
    path("beneficiaries/<int:pk>/edit/", views.BeneficiaryUpdateView.as_view(), name="beneficiary-update"),
    path("beneficiaries/<int:pk>/merge/", views.BeneficiaryMergeView.as_view(), name="beneficiary-merge"),
]

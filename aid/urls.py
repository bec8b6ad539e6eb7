from django.urls import path

from . import views

app_name = "aid"

urlpatterns = [
    path("", views.DisbursementListView.as_view(), name="disbursement-list"),
    path("new/", views.DisbursementCreateView.as_view(), name="disbursement-create"),
    path("<int:pk>/", views.DisbursementDetailView.as_view(), name="disbursement-detail"),
    path("<int:pk>/edit/", views.DisbursementUpdateView.as_view(), name="disbursement-update"),
]

from django.urls import path

from redcross.views.corrections import correction_urls

from . import views
from .models import Donation, Payout

app_name = "donations"

urlpatterns = [
    path("", views.DonationListView.as_view(), name="donation-list"),
    path("new/", views.DonationCreateView.as_view(), name="donation-create"),
    path("<int:pk>/", views.DonationDetailView.as_view(), name="donation-detail"),
    path("<int:pk>/edit/", views.DonationUpdateView.as_view(), name="donation-update"),
    *correction_urls(Donation, "donation"),
    path("<int:parent_pk>/receipt/", views.ReceiptIssueView.as_view(), name="receipt-issue"),
    path("receipts/<int:parent_pk>/void/", views.ReceiptVoidView.as_view(), name="receipt-void"),
    path("donors/", views.DonorListView.as_view(), name="donor-list"),
    path("donors/new/", views.DonorCreateView.as_view(), name="donor-create"),
    path("donors/<int:pk>/", views.DonorDetailView.as_view(), name="donor-detail"),
    path("donors/<int:pk>/edit/", views.DonorUpdateView.as_view(), name="donor-update"),
    path("funds/", views.FundListView.as_view(), name="fund-list"),
    path("funds/new/", views.FundCreateView.as_view(), name="fund-create"),
    path("funds/<int:pk>/", views.FundDetailView.as_view(), name="fund-detail"),
    path("funds/<int:pk>/edit/", views.FundUpdateView.as_view(), name="fund-update"),
    path("drives/", views.DriveListView.as_view(), name="drive-list"),
    path("drives/new/", views.DriveCreateView.as_view(), name="drive-create"),
    path("drives/<int:pk>/", views.DriveDetailView.as_view(), name="drive-detail"),
    path("drives/<int:pk>/edit/", views.DriveUpdateView.as_view(), name="drive-update"),
    path("payouts/", views.PayoutListView.as_view(), name="payout-list"),
    path("payouts/new/", views.PayoutCreateView.as_view(), name="payout-create"),
    path("payouts/<int:pk>/", views.PayoutDetailView.as_view(), name="payout-detail"),
    path("payouts/<int:pk>/edit/", views.PayoutUpdateView.as_view(), name="payout-update"),
    *correction_urls(Payout, "payout", "payouts/"),
]

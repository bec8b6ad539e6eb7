from django.urls import path

from . import views

app_name = "disclosure"

urlpatterns = [
    path("", views.DisclosureListView.as_view(), name="list"),
    path("new/", views.DisclosurePrepareView.as_view(), name="create"),
    path("<int:pk>/", views.DisclosureDetailView.as_view(), name="detail"),
    path("<int:pk>/publish/", views.DisclosurePublishView.as_view(), name="publish"),
    path("<int:pk>/excel/<slug:key>.xlsx", views.DraftExcelView.as_view(), name="draft-excel"),
    path("feedback/", views.FeedbackListView.as_view(), name="feedback-list"),
    path("feedback/<int:pk>/", views.FeedbackRecordView.as_view(), name="feedback-record"),
    path("donors/<int:pk>/statement/", views.DonorStatementView.as_view(), name="statement"),
]

from django.urls import path

from . import views

app_name = "training"

urlpatterns = [
    path("", views.TrainingOverviewView.as_view(), name="overview"),
    path("targets/", views.TargetsView.as_view(), name="targets"),
    path("sessions/", views.SessionListView.as_view(), name="session-list"),
    path("sessions/new/", views.SessionCreateView.as_view(), name="session-create"),
    path("sessions/<int:pk>/", views.SessionDetailView.as_view(), name="session-detail"),
    path("sessions/<int:pk>/edit/", views.SessionUpdateView.as_view(), name="session-update"),
    path(
        "sessions/<int:parent_pk>/certificates/new/",
        views.CertificateCreateView.as_view(),
        name="certificate-create",
    ),
    path(
        "sessions/<int:parent_pk>/certificates/class/",
        views.CertificateClassView.as_view(),
        name="certificate-class",
    ),
    path("certificates/", views.CertificateListView.as_view(), name="certificate-list"),
    path("instructors/", views.InstructorListView.as_view(), name="instructor-list"),
    path("instructors/new/", views.InstructorCreateView.as_view(), name="instructor-create"),
    path("instructors/<int:pk>/edit/", views.InstructorUpdateView.as_view(), name="instructor-update"),
]

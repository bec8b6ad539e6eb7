"""The home page's route: "/" named "home" (no namespace), included by the project's URLconf:
staff start from their own page (``reports.start``), everyone else from the figures; the figures
are also at "/dashboard/" for anyone."""

from django.urls import path

from .dashboard import HomeView
from .start import home

urlpatterns = [
    path("", home, name="home"),
    path("dashboard/", HomeView.as_view(), name="dashboard"),
]

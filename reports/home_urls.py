"""The home page's route: "/" named "home" (no namespace), included by the project's URLconf."""

from django.urls import path

from .dashboard import HomeView

urlpatterns = [
    path("", HomeView.as_view(), name="home"),
]

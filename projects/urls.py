from django.urls import path

from redcross.views.corrections import correction_urls

from . import views
from .models import Expenditure

app_name = "projects"

urlpatterns = [
    path("", views.ProjectListView.as_view(), name="project-list"),
    path("new/", views.ProjectCreateView.as_view(), name="project-create"),
    path("<int:pk>/", views.ProjectDetailView.as_view(), name="project-detail"),
    path("<int:pk>/edit/", views.ProjectUpdateView.as_view(), name="project-update"),
    path("<int:parent_pk>/advance/", views.ProjectAdvanceView.as_view(), name="project-advance"),
    path("<int:parent_pk>/outputs/new/", views.OutputCreateView.as_view(), name="output-create"),
    path("<int:parent_pk>/audits/new/", views.AuditCreateView.as_view(), name="audit-create"),
    path("<int:parent_pk>/budget/", views.BudgetLinesView.as_view(), name="budget-lines"),
    path("expenditures/", views.ExpenditureListView.as_view(), name="expenditure-list"),
    path("expenditures/new/", views.ExpenditureCreateView.as_view(), name="expenditure-create"),
    path("expenditures/<int:pk>/", views.ExpenditureDetailView.as_view(), name="expenditure-detail"),
    path("expenditures/<int:pk>/edit/", views.ExpenditureUpdateView.as_view(), name="expenditure-update"),
    *correction_urls(Expenditure, "expenditure", "expenditures/"),
]

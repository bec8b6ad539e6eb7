from django.contrib import admin

from .models import ProjectKind


@admin.register(ProjectKind)
class ProjectKindAdmin(admin.ModelAdmin):
    list_display = ["name", "order", "is_active"]
    list_editable = ["order", "is_active"]

from django.contrib import admin

from .models import Sector, TrainingKind


@admin.register(TrainingKind)
class TrainingKindAdmin(admin.ModelAdmin):
    list_display = ["name", "certifies", "order", "is_active"]
    list_editable = ["order", "is_active"]


@admin.register(Sector)
class SectorAdmin(admin.ModelAdmin):
    list_display = ["name", "order", "is_active"]
    list_editable = ["order", "is_active"]

from django.contrib import admin

from .models import AidCategory


@admin.register(AidCategory)
class AidCategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "order", "is_active"]
    list_editable = ["order", "is_active"]

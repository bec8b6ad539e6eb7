from django.contrib import admin

from .models import Donation, Donor, Drive, Fund


@admin.register(Fund)
class FundAdmin(admin.ModelAdmin):
    list_display = ["name", "chapter", "restricted_category", "restricted_project"]
    list_filter = ["chapter"]
    search_fields = ["name"]
    exclude = ["created_by", "updated_by"]


@admin.register(Drive)
class DriveAdmin(admin.ModelAdmin):
    list_display = ["name", "start_date", "end_date", "fund", "chapter"]
    list_filter = ["chapter"]
    exclude = ["created_by", "updated_by"]


@admin.register(Donor)
class DonorAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "chapter"]
    list_filter = ["chapter", "kind"]
    search_fields = ["name"]
    exclude = ["created_by", "updated_by"]


@admin.register(Donation)
class DonationAdmin(admin.ModelAdmin):
    """Read-only here: donations are recorded and corrected through the app, which keeps the rules."""

    list_display = ["date", "donor", "fund", "kind", "amount", "chapter"]
    list_filter = ["chapter", "kind"]
    date_hierarchy = "date"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

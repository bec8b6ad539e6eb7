from django.contrib import admin

from .models import Donation, Fund


@admin.register(Fund)
class FundAdmin(admin.ModelAdmin):
    list_display = ["name", "chapter", "restricted_category"]
    list_filter = ["chapter"]
    search_fields = ["name"]
    exclude = ["created_by", "updated_by"]


@admin.register(Donation)
class DonationAdmin(admin.ModelAdmin):
    list_display = ["date", "donor_name", "fund", "kind", "amount", "chapter"]
    list_filter = ["chapter", "kind"]
    date_hierarchy = "date"
    exclude = ["created_by", "updated_by"]

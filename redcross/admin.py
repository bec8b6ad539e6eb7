from django.contrib import admin

from .models import Chapter, Membership


@admin.register(Chapter)
class ChapterAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "chapter", "role"]
    list_filter = ["role", "chapter"]
    search_fields = ["user__username", "chapter__name", "chapter__code"]
    autocomplete_fields = ["chapter"]

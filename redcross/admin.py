from django.contrib import admin

from .models import Chapter, Membership


def operator_only(request):
    """Django's /admin/ is the operator's (a superuser made with ``createsuperuser``), never a
    chapter's: every ModelAdmin there reaches every chapter's rows and every user's password.
    A chapter's administrator manages their chapter from the app's pages (``/chapter/``), so a
    staff user who is not a superuser gets no access at all, whatever permissions they hold."""
    return request.user.is_active and request.user.is_superuser


admin.site.has_permission = operator_only


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

"""Reads of what every app shares: a chapter's users and townships, and the categories the whole
system uses."""

from django.apps import apps
from django.db.models import Count

from .choices import Role
from .models import CategoryModel, Membership, Township


def chapter_members(chapter):
    """The memberships of ``chapter`` with their users, administrators first; each carries
    ``elsewhere``, how many roles its user holds in other chapters."""
    order = {role: index for index, role in enumerate([Role.ADMIN, Role.LEADER, Role.STAFF, Role.AUDITOR])}
    members = list(Membership.objects.filter(chapter=chapter).select_related("user"))
    elsewhere = dict(
        Membership.objects.filter(user__in=[m.user_id for m in members])
        .exclude(chapter=chapter)
        .values("user")
        .annotate(count=Count("pk"))
        .values_list("user", "count")
    )
    for member in members:
        member.elsewhere = elsewhere.get(member.user_id, 0)
    return sorted(members, key=lambda m: (not m.user.is_active, order[m.role], m.user.username))


def chapters_overview(chapters):
    """``chapters`` (a list), each given ``member_count`` (active users), ``fund_count`` and
    ``township_count`` (in use), in
    three queries. Funds are asked of their app by its model's label: the kernel imports no app."""
    from django.apps import apps

    members = dict(
        Membership.objects.filter(chapter__in=chapters, user__is_active=True)
        .values("chapter")
        .annotate(count=Count("pk"))
        .values_list("chapter", "count")
    )
    townships = dict(
        Township.objects.filter(chapter__in=chapters, is_active=True)
        .values("chapter")
        .annotate(count=Count("pk"))
        .values_list("chapter", "count")
    )
    funds = {}
    if apps.is_installed("donations"):
        fund = apps.get_model("donations", "Fund")
        funds = dict(
            fund.objects.filter(chapter__in=chapters)
            .values("chapter")
            .annotate(count=Count("pk"))
            .values_list("chapter", "count")
        )
    for chapter in chapters:
        chapter.member_count = members.get(chapter.pk, 0)
        chapter.fund_count = funds.get(chapter.pk, 0)
        chapter.township_count = townships.get(chapter.pk, 0)
    return chapters


def township_names(chapters, *, active_only=True):
    """The names of the townships ``chapters`` keep (in use only, unless ``active_only`` is
    False), in order, each once: what a form offers for 乡镇."""
    townships = Township.objects.filter(chapter__in=chapters)
    if active_only:
        townships = townships.filter(is_active=True)
    return list(townships.order_by("name").values_list("name", flat=True).distinct())


def categories():
    """Every kind of category (救助类别, 培训类型, 项目类型, 对象领域 …) with its rows, as
    (verbose name, rows): the apps' CategoryModel subclasses, asked through the registry."""
    kinds = [m for m in apps.get_models() if issubclass(m, CategoryModel)]
    return [(m._meta.verbose_name_plural, list(m.objects.all())) for m in kinds]

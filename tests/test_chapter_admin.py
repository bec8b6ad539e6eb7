"""本会管理: a chapter's administrator manages their own chapter's users from the app's pages, and
nothing of another chapter; Django's /admin/ is the operator's (a superuser) only."""

import re

import pytest
from django.contrib import admin
from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth.models import Permission
from django.test import Client, RequestFactory
from django.urls import reverse

from donations.models import Fund
from redcross.choices import Role
from redcross.models import Change, Membership

from .factories import FundFactory

User = get_user_model()


def login_request():
    return RequestFactory().post("/accounts/login/")


def accounts():
    """What a refused attempt must leave as it was: every user and every role."""
    return list(User.objects.order_by("pk").values()), list(Membership.objects.order_by("pk").values())


@pytest.fixture
def people(tree, member):
    return {
        "admin": member(Role.ADMIN, tree.naiman, "naiman-admin"),
        "staff": member(Role.STAFF, tree.naiman, "naiman-staff"),
        "leader": member(Role.LEADER, tree.naiman, "naiman-leader"),
        "auditor": member(Role.AUDITOR, tree.naiman, "naiman-auditor"),
        "city": member(Role.LEADER, tree.tongliao, "tongliao-leader"),
        "ankang_admin": member(Role.ADMIN, tree.ankang, "ankang-admin"),
        "ankang_staff": member(Role.STAFF, tree.ankang, "ankang-staff"),
    }


def member_url(chapter, user):
    return reverse("chapter-member", kwargs={"code": chapter.code, "user_id": user.pk})


def shown_password(response):
    return re.search(r'id="password">([^<]+)<', response.content.decode()).group(1)


# --- /admin/ is the operator's ---------------------------------------------------------------


def test_a_staff_user_with_every_permission_but_no_superuser_reaches_no_admin_page(client, tree, people):
    """demo-admin used to be a superuser: through /admin/ it read and changed every chapter."""
    admin_user = people["admin"]
    admin_user.is_staff = True
    admin_user.save()
    admin_user.user_permissions.set(Permission.objects.all())
    fund = FundFactory(chapter=tree.ankang, name="安康基金")
    client.force_login(admin_user)

    assert client.get("/admin/").status_code == 302
    for model in admin.site._registry:
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        response = client.get(url)
        assert response.status_code == 302 and "/admin/login/" in response["Location"], url
    before = list(Fund.objects.values()), accounts()
    response = client.post(
        reverse("admin:donations_fund_change", args=[fund.pk]), {"name": "改名", "chapter": tree.ankang.pk}
    )
    response = client.post(
        reverse("admin:auth_user_password_change", args=[people["ankang_admin"].pk]),
        {"password1": "Taken-over-2026", "password2": "Taken-over-2026"},
    )
    assert (list(Fund.objects.values()), accounts()) == before


def test_the_operator_superuser_still_has_the_admin(client, db):
    operator = User.objects.create_superuser("operator", password="operator-pass-2026")
    client.force_login(operator)
    assert client.get("/admin/").status_code == 200
    assert client.get(reverse("admin:donations_fund_changelist")).status_code == 200
    assert "系统管理" in client.get(reverse("home")).content.decode()


def test_demo_admin_once_a_superuser_is_a_plain_chapter_administrator_after_load_demo(db):
    from django.core.management import call_command

    User.objects.create_superuser("demo-admin", password="x")
    call_command("load_demo", stdout=open("/dev/null", "w"))
    demo_admin = User.objects.get(username="demo-admin")
    assert (demo_admin.is_superuser, demo_admin.is_staff) == (False, False)
    assert list(demo_admin.memberships.values_list("chapter__code", "role")) == [("150525", Role.ADMIN)]
    assert (
        not User.objects.filter(is_staff=True).exists()
        and not User.objects.filter(is_superuser=True).exists()
    )


def test_the_navigation_offers_the_chapter_pages_to_administrators_only(client, people):
    client.force_login(people["admin"])
    page = client.get(reverse("home")).content.decode()
    assert 'href="/chapter/"' in page and "本会管理" in page and "/admin/" not in page
    client.force_login(people["staff"])
    page = client.get(reverse("home")).content.decode()
    assert "本会管理" not in page and 'href="/chapter/"' not in page


# --- another chapter's users are out of reach --------------------------------------------------


def test_the_admin_of_150525_cannot_see_or_change_610900_users_by_guessing_urls_or_post_bodies(
    client, tree, people
):
    client.force_login(people["admin"])
    victim = people["ankang_staff"]
    before = accounts()

    # Pages of 610900, and of a chapter that does not exist: 403 alike.
    for url in (
        reverse("chapter-members", kwargs={"code": "610900"}),
        reverse("chapter-member-create", kwargs={"code": "610900"}),
        member_url(tree.ankang, victim),
        reverse("chapter-members", kwargs={"code": "999999"}),
        # The city above 150525 and a county below nobody: not administered either.
        reverse("chapter-members", kwargs={"code": "150500"}),
    ):
        assert client.get(url).status_code == 403, url
    for action in ("role", "reset", "deactivate"):
        response = client.post(
            member_url(tree.ankang, victim),
            {"action": action, "role": Role.ADMIN, "password": "Taken-over-2026"},
        )
        assert response.status_code == 403
    response = client.post(
        reverse("chapter-member-create", kwargs={"code": "610900"}),
        {"username": "intruder", "full_name": "入侵者", "role": Role.ADMIN},
    )
    assert response.status_code == 403

    # 610900's user through 150525's own pages: not a member there, so not found.
    for action in ("role", "reset", "deactivate"):
        response = client.post(
            member_url(tree.naiman, victim),
            {"action": action, "role": Role.ADMIN, "password": "Taken-over-2026"},
        )
        assert response.status_code == 404
    assert client.get(member_url(tree.naiman, victim)).status_code == 404
    assert accounts() == before

    # A chapter slipped into the create form's body is ignored: the new user is 150525's.
    client.post(
        reverse("chapter-member-create", kwargs={"code": "150525"}),
        {"username": "new-one", "full_name": "新人", "role": Role.STAFF, "chapter": tree.ankang.pk},
    )
    assert list(Membership.objects.filter(user__username="new-one").values_list("chapter__code", "role")) == [
        ("150525", Role.STAFF)
    ]

    # Neither list nor home names anyone of 610900.
    page = client.get(reverse("chapter-members", kwargs={"code": "150525"})).content.decode()
    assert "ankang-staff" not in page and "ankang-admin" not in page and "naiman-staff" in page
    page = client.get(reverse("chapter-admin")).content.decode()
    assert "安康市红十字会" not in page and "奈曼旗红十字会（150525）" in page


@pytest.mark.parametrize("role", ["staff", "leader", "auditor", "city", "ankang_admin"])
def test_anyone_not_an_administrator_of_150525_is_refused_its_pages(client, tree, people, role):
    client.force_login(people[role])
    before = accounts()
    urls = [
        reverse("chapter-members", kwargs={"code": "150525"}),
        reverse("chapter-member-create", kwargs={"code": "150525"}),
        member_url(tree.naiman, people["staff"]),
    ]
    for url in urls:
        assert client.get(url).status_code == 403, url
    response = client.post(member_url(tree.naiman, people["admin"]), {"action": "reset"})
    assert response.status_code == 403
    response = client.post(member_url(tree.naiman, people["staff"]), {"action": "role", "role": Role.ADMIN})
    assert response.status_code == 403
    if role != "ankang_admin":
        assert client.get(reverse("chapter-admin")).status_code == 403
        assert client.get(reverse("chapter-categories")).status_code == 403
    assert accounts() == before


def test_a_post_without_the_csrf_token_changes_nothing(tree, people):
    client = Client(enforce_csrf_checks=True)
    client.force_login(people["admin"])
    before = accounts()
    response = client.post(member_url(tree.naiman, people["staff"]), {"action": "role", "role": Role.ADMIN})
    assert response.status_code == 403
    assert accounts() == before


# --- the chapter's own users ---------------------------------------------------------------------


def test_an_admin_creates_a_user_whose_generated_password_is_shown_once_and_works(client, tree, people):
    client.force_login(people["admin"])
    response = client.post(
        reverse("chapter-member-create", kwargs={"code": "150525"}),
        {"username": "wang.li", "full_name": "王丽", "role": Role.AUDITOR, "password": ""},
    )
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    password = shown_password(response)
    assert len(password) == 14
    user = authenticate(login_request(), username="wang.li", password=password)
    assert user is not None and user.first_name == "王丽" and not user.is_staff and not user.is_superuser
    assert list(user.memberships.values_list("chapter__code", "role")) == [("150525", Role.AUDITOR)]
    # Not shown again, and history keeps the account and role, never the password.
    assert password not in client.get(member_url(tree.naiman, user)).content.decode()
    changes = list(Change.objects.filter(chapter_id=tree.naiman.pk).values_list("table", "action", "after"))
    assert (
        "auth_user",
        "insert",
        {"username": "wang.li", "first_name": "王丽", "is_active": True},
    ) in changes
    assert (
        "redcross_membership",
        "insert",
        {"user_id": user.pk, "chapter_id": tree.naiman.pk, "role": "auditor"},
    ) in changes
    assert not any(password in str(after) or user.password in str(after) for _t, _a, after in changes)


def test_a_taken_username_a_bad_username_or_a_weak_password_is_refused_in_chinese_saving_nothing(
    client, tree, people
):
    client.force_login(people["admin"])
    url = reverse("chapter-member-create", kwargs={"code": "150525"})
    before = accounts()
    cases = [
        (
            {"username": "ANKANG-STAFF", "full_name": "重名", "role": Role.STAFF},
            "用户名 ANKANG-STAFF 已被使用",
        ),
        (
            {"username": "王 丽", "full_name": "王丽", "role": Role.STAFF},
            "用户名只能包含字母、数字和 @ . + - _",
        ),
        ({"username": "zhang", "full_name": "张三", "role": Role.STAFF, "password": "12345678901"}, "密码"),
        (
            {"username": "zhang", "full_name": "张三", "role": Role.STAFF, "password": "short1"},
            "密码太短：至少需要 10 个字符。",
        ),
        ({"username": "zhang", "full_name": "张三", "role": "superuser"}, "选择一个有效的选项"),
        ({"username": "zhang", "full_name": "", "role": Role.STAFF}, "这个字段是必填项。"),
    ]
    for data, error in cases:
        response = client.post(url, data)
        assert response.status_code == 200
        page = response.content.decode()
        assert error in page, (
            data,
            page[page.find('class="error"') - 200 : page.find('class="error"') + 200],
        )
        assert 'id="password"' not in page
    assert accounts() == before


def test_an_admin_changes_a_role_and_history_keeps_it(client, tree, people):
    client.force_login(people["admin"])
    response = client.post(
        member_url(tree.naiman, people["staff"]), {"action": "role", "role": Role.LEADER}, follow=True
    )
    assert "naiman-staff 的角色已改为领导" in response.content.decode()
    assert Membership.objects.get(user=people["staff"]).role == Role.LEADER
    change = Change.objects.get(table="redcross_membership", action="update")
    assert (change.before, change.after, change.user_id, change.chapter_id) == (
        {"role": "staff"},
        {"role": "leader"},
        people["admin"].pk,
        tree.naiman.pk,
    )
    # The history page names the record, the field and both roles as the page calls them.
    page = client.get(reverse("change-list")).content.decode()
    assert "成员角色" in page and "角色：工作人员 → 领导" in page


def test_the_last_administrator_of_a_chapter_can_be_neither_demoted_nor_deactivated(client, tree, people):
    client.force_login(people["admin"])
    before = accounts()
    response = client.post(member_url(tree.naiman, people["admin"]), {"action": "role", "role": Role.STAFF})
    assert "naiman-admin 是本会唯一的系统管理员，不能取消其管理员角色" in response.content.decode()
    assert accounts() == before

    # With a second administrator, the first may step down; the second then cannot.
    second = people["leader"]
    client.post(member_url(tree.naiman, second), {"action": "role", "role": Role.ADMIN})
    response = client.post(member_url(tree.naiman, people["admin"]), {"action": "role", "role": Role.STAFF})
    assert response["Location"] == reverse("home")  # the page is no longer theirs
    assert Membership.objects.get(user=people["admin"]).role == Role.STAFF
    client.force_login(second)
    before = accounts()
    response = client.post(member_url(tree.naiman, second), {"action": "role", "role": Role.AUDITOR})
    assert "naiman-leader 是本会唯一的系统管理员" in response.content.decode()
    assert accounts() == before


def test_a_deactivated_admin_does_not_count_and_one_cannot_deactivate_oneself(client, tree, people, member):
    from redcross.services import member_active_set

    other = member(Role.ADMIN, tree.naiman, "naiman-admin-2")
    client.force_login(people["admin"])
    before = accounts()
    response = client.post(member_url(tree.naiman, people["admin"]), {"action": "deactivate"}, follow=True)
    assert "不能停用自己的账号" in response.content.decode()
    assert accounts() == before
    client.post(member_url(tree.naiman, other), {"action": "deactivate"})
    other.refresh_from_db()
    assert not other.is_active
    # The only active administrator left cannot be demoted.
    response = client.post(member_url(tree.naiman, people["admin"]), {"action": "role", "role": Role.STAFF})
    assert "唯一的系统管理员" in response.content.decode()
    # Nor deactivated by the service, whoever calls it.
    with pytest.raises(Exception, match="唯一的系统管理员"):
        member_active_set(chapter=tree.naiman, by=other, user=people["admin"], active=False)


def test_a_deactivated_user_cannot_log_in_until_reactivated(client, tree, people):
    client.force_login(people["admin"])
    response = client.post(member_url(tree.naiman, people["staff"]), {"action": "deactivate"}, follow=True)
    assert "naiman-staff 的账号已停用" in response.content.decode()
    assert authenticate(login_request(), username="naiman-staff", password="secret-pass-123") is None
    client.post(member_url(tree.naiman, people["staff"]), {"action": "activate"})
    assert authenticate(login_request(), username="naiman-staff", password="secret-pass-123") is not None
    changes = list(
        Change.objects.filter(table="auth_user", record_id=people["staff"].pk)
        .order_by("pk")
        .values_list("before", "after")
    )
    assert changes == [
        ({"is_active": True}, {"is_active": False}),
        ({"is_active": False}, {"is_active": True}),
    ]


def test_an_admin_resets_a_password_shown_once_and_history_says_only_that_it_was_reset(client, tree, people):
    client.force_login(people["admin"])
    response = client.post(member_url(tree.naiman, people["staff"]), {"action": "reset", "password": ""})
    password = shown_password(response)
    assert authenticate(login_request(), username="naiman-staff", password=password) is not None
    assert authenticate(login_request(), username="naiman-staff", password="secret-pass-123") is None
    change = Change.objects.get(table="auth_user", record_id=people["staff"].pk)
    assert (change.before, change.after) == ({"password": ""}, {"password": "已重置"})
    # A password typed by the administrator is checked like any other.
    response = client.post(
        member_url(tree.naiman, people["staff"]), {"action": "reset", "password": "password123"}
    )
    assert "这个密码太常见了" in response.content.decode()


def test_no_password_reset_or_deactivation_of_someone_who_also_serves_elsewhere_or_of_a_superuser(
    client, tree, people
):
    # An auditor assigned to 150525 and to 610900: the admin of 150525 may change their role
    # here, but not their account, which 610900 relies on too.
    shared = people["ankang_staff"]
    Membership.objects.create(user=shared, chapter=tree.naiman, role=Role.AUDITOR)
    operator = User.objects.create_superuser("operator", password="operator-pass-2026")
    Membership.objects.create(user=operator, chapter=tree.naiman, role=Role.STAFF)
    client.force_login(people["admin"])
    before = accounts()
    for user, error in (
        (shared, "ankang-staff 还在安康市红十字会任职"),
        (operator, "operator 是系统运营方账号，不能在本会管理中修改"),
    ):
        page = client.get(member_url(tree.naiman, user)).content.decode()
        assert error in page and 'value="reset"' not in page
        for action in ("reset", "deactivate"):
            response = client.post(
                member_url(tree.naiman, user), {"action": action, "password": ""}, follow=True
            )
            assert error in response.content.decode()
            assert 'id="password"' not in response.content.decode()
    assert accounts() == before
    client.post(member_url(tree.naiman, shared), {"action": "role", "role": Role.LEADER})
    assert Membership.objects.get(user=shared, chapter=tree.naiman).role == Role.LEADER
    assert Membership.objects.get(user=shared, chapter=tree.ankang).role == Role.STAFF


def test_a_role_outside_the_four_is_refused(client, tree, people):
    client.force_login(people["admin"])
    before = accounts()
    response = client.post(member_url(tree.naiman, people["staff"]), {"action": "role", "role": "superuser"})
    assert "选择一个有效的选项" in response.content.decode()
    assert accounts() == before


# --- the overview, funds, threshold and categories -----------------------------------------------


def test_the_overview_counts_users_and_funds_and_links_where_each_is_managed(client, tree, people):
    FundFactory(chapter=tree.naiman)
    FundFactory(chapter=tree.ankang)
    client.force_login(people["admin"])
    page = client.get(reverse("chapter-admin")).content.decode()
    card = page[page.find('data-chapter="150525"') :]
    assert re.search(r'data-figure="members">4<', card)
    assert re.search(r'data-figure="funds">1<', card)
    assert f'href="/donations/funds/?chapter={tree.naiman.pk}"' in card
    assert 'href="/donations/funds/new/"' in card and 'href="/periods/#approval"' in card
    assert "不需审批" in card


def test_categories_are_read_only_for_a_chapter_administrator(client, people):
    from aid.models import AidCategory

    client.force_login(people["admin"])
    page = client.get(reverse("chapter-categories")).content.decode()
    for name in ("救助类别", "培训类型", "项目类型", "对象领域", "重特大疾病救助"):
        assert name in page
    assert '<form method="post"' not in page.split("<main>")[1]
    before = list(AidCategory.objects.values())
    assert client.post(reverse("chapter-categories"), {"name": "新类别"}).status_code == 405
    assert list(AidCategory.objects.values()) == before

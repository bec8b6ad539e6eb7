"""本会管理: a chapter's administrator manages their own chapter from the app's pages — its users
and their roles, its funds, its townships, its approval threshold — and reads the categories the whole system
shares. Django's /admin/ is the operator's only (``redcross.admin``).

A chapter is named by its code in the URL; anyone who does not administer it gets 403, whether
the chapter exists or not, and a user is only ever looked up among the chapter's members.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView, TemplateView

from redcross.choices import Role
from redcross.forms import MemberCreateForm, MemberRoleForm, PasswordResetForm, TownshipsAddForm
from redcross.models import Chapter, Membership, Township
from redcross.params import id_param
from redcross.selectors import categories, chapter_members, chapters_overview
from redcross.services import (
    member_account_problem,
    member_active_set,
    member_create,
    member_password_reset,
    member_role_set,
    township_active_set,
    townships_add,
)

from .generic import AccessMixin, add_service_errors


def password_shown(view, *, user, password, chapter, created):
    """The page that shows a new password, once: never stored, never cached."""
    response = view.response_class(
        request=view.request,
        template=["chapter/password.html"],
        context={"member": user, "password": password, "chapter": chapter, "created": created},
        using=view.template_engine,
    )
    response["Cache-Control"] = "no-store"
    return response


class AdministratorMixin(AccessMixin):
    """Only for administrators of some chapter."""

    def dispatch(self, request, *args, **kwargs):
        if not self.access.can_administer():
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class ChapterAdminMixin(AccessMixin):
    """A page of one chapter (``code`` in the URL) for its administrators only."""

    def dispatch(self, request, *args, **kwargs):
        self.chapter = Chapter.objects.filter(code=kwargs["code"]).first()
        if self.chapter is None or not self.access.can_administer(self.chapter):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["chapter"] = self.chapter
        return context


class ChapterAdminHomeView(AdministratorMixin, TemplateView):
    """Each chapter the user administers: its users, funds, approval threshold, and the
    categories, with the pages where each is managed."""

    template_name = "chapter/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["chapters"] = chapters_overview(self.access.administered_chapters())
        return context


class MemberListView(ChapterAdminMixin, TemplateView):
    template_name = "chapter/members.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["members"] = chapter_members(self.chapter)
        return context


class MemberCreateView(ChapterAdminMixin, FormView):
    template_name = "chapter/member_form.html"
    form_class = MemberCreateForm

    def form_valid(self, form):
        try:
            user, password = member_create(chapter=self.chapter, by=self.request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        return password_shown(self, user=user, password=password, chapter=self.chapter, created=True)


class MemberDetailView(ChapterAdminMixin, TemplateView):
    """One user of the chapter: change their role, reset their password, (de)activate them."""

    template_name = "chapter/member_detail.html"

    def get_membership(self):
        return get_object_or_404(
            Membership.objects.select_related("user"), chapter=self.chapter, user_id=self.kwargs["user_id"]
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        membership = kwargs.get("membership") or self.get_membership()
        member = membership.user
        context.update(
            membership=membership,
            member=member,
            role_form=kwargs.get("role_form") or MemberRoleForm(initial={"role": membership.role}),
            reset_form=kwargs.get("reset_form") or PasswordResetForm(),
            account_problem=member_account_problem(chapter=self.chapter, user=member, by=self.request.user),
            other_roles=Membership.objects.filter(user=member)
            .exclude(chapter=self.chapter)
            .select_related("chapter"),
            is_self=member.pk == self.request.user.pk,
        )
        return context

    def post(self, request, *args, **kwargs):
        membership = self.get_membership()
        handler = {
            "role": self.set_role,
            "reset": self.reset_password,
            "deactivate": self.set_active,
            "activate": self.set_active,
        }.get(request.POST.get("action"))
        if handler is None:
            messages.error(request, _("未知的操作"))
        else:
            try:
                response = handler(membership)
            except ValidationError as error:
                for message in error.messages:
                    messages.error(request, message)
            else:
                if response is not None:
                    return response
        return redirect("chapter-member", code=self.chapter.code, user_id=membership.user_id)

    def again(self, membership, **forms):
        """The page again, with the form that failed and its errors."""
        return self.render_to_response(self.get_context_data(membership=membership, **forms))

    def set_role(self, membership):
        form = MemberRoleForm(self.request.POST)
        if not form.is_valid():
            return self.again(membership, role_form=form)
        role = form.cleaned_data["role"]
        try:
            member_role_set(chapter=self.chapter, by=self.request.user, user=membership.user, role=role)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.again(membership, role_form=form)
        messages.success(
            self.request,
            _("%(username)s 的角色已改为%(role)s")
            % {"username": membership.user.username, "role": Role(role).label},
        )
        if membership.user_id == self.request.user.pk and role != Role.ADMIN:
            return redirect("home")  # stepped down: this page is no longer theirs
        return None

    def reset_password(self, membership):
        form = PasswordResetForm(self.request.POST)
        form.is_valid()
        try:
            password = member_password_reset(
                chapter=self.chapter,
                by=self.request.user,
                user=membership.user,
                password=form.cleaned_data.get("password", ""),
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.again(membership, reset_form=form)
        return password_shown(
            self, user=membership.user, password=password, chapter=self.chapter, created=False
        )

    def set_active(self, membership):
        active = self.request.POST["action"] == "activate"
        member_active_set(chapter=self.chapter, by=self.request.user, user=membership.user, active=active)
        done = _("%(username)s 的账号已恢复") if active else _("%(username)s 的账号已停用")
        messages.success(self.request, done % {"username": membership.user.username})
        return None


class CategoryListView(AdministratorMixin, TemplateView):
    """The categories, read-only: they are shared by every chapter (a city's report adds its
    counties up by category), so only the operator edits them, in /admin/."""

    template_name = "chapter/categories.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["kinds"] = categories()
        return context


class TownshipListView(ChapterAdminMixin, FormView):
    """The chapter's townships: the list every form's 乡镇 offers. Added (several at once, one
    per line), taken out of use and back; never deleted, since records name them."""

    template_name = "chapter/townships.html"
    form_class = TownshipsAddForm

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["townships"] = Township.objects.filter(chapter=self.chapter).order_by("-is_active", "name")
        return context

    def post(self, request, *args, **kwargs):
        if "township" in request.POST:
            return self.set_active(request)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        try:
            added = townships_add(
                chapter=self.chapter, by=self.request.user, names=form.cleaned_data["names"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        if added:
            messages.success(
                self.request,
                _("已添加乡镇：%(names)s") % {"names": "、".join(t.name for t in added)},
            )
        else:
            messages.info(self.request, _("这些乡镇都已在名单中"))
        return redirect("chapter-townships", code=self.chapter.code)

    def set_active(self, request):
        pk = id_param(request.POST.get("township"), label=_("乡镇"))
        township = Township.objects.filter(chapter=self.chapter, pk=pk).first()
        if township is None:
            messages.error(request, _("乡镇不在本会名单中"))
        else:
            active = request.POST.get("action") == "activate"
            township_active_set(chapter=self.chapter, by=request.user, township=township, active=active)
            done = _("“%(name)s”已恢复使用") if active else _("“%(name)s”已停用，表单中不再列出")
            messages.success(request, done % {"name": township.name})
        return redirect("chapter-townships", code=self.chapter.code)

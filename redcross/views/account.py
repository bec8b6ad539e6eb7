"""One's own account: changing one's password inside the app, and leaving it.

Django's views, with the app's pages and words: the password form is the app's own (not the
operator's /admin/ page), and logging out says so on the login page it lands on.
"""

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _


class PasswordChangeView(auth_views.PasswordChangeView):
    """The user changes their own password: the old one, then the new one twice (the validators
    speak Chinese). The session stays logged in."""

    template_name = "registration/password_change_form.html"
    success_url = reverse_lazy("home")

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        # The page says the rules in one sentence; Django's list of them would repeat it.
        form.fields["new_password1"].help_text = ""
        return form

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, _("密码已修改，下次登录请使用新密码"))
        return response


class LogoutView(auth_views.LogoutView):
    """Logging out (a POST, as Django 5 requires) ends on the login page saying it is done."""

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        messages.info(request, _("您已退出登录"))
        return response

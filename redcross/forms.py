"""Form pieces every app's record forms share."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from . import bounds
from .choices import Role
from .filters import DateInput
from .models import Chapter
from .money import CENT, MONEY_DECIMAL_PLACES


class MoneyField(forms.DecimalField):
    """A yuan amount: two places, never negative, below the bound of one record's amount (its
    message, from ``redcross.bounds``, is the one the model and the import give)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("decimal_places", MONEY_DECIMAL_PLACES)
        kwargs.setdefault("min_value", Decimal("0"))
        kwargs.setdefault("validators", [bounds.validate_amount])
        kwargs.setdefault("widget", forms.NumberInput(attrs={"step": str(CENT), "min": "0"}))
        super().__init__(**kwargs)
        self.error_messages["min_value"] = _("金额不能为负数")
        self.error_messages["invalid"] = _("请输入金额，例如 1200.50")
        self.error_messages["max_decimal_places"] = _("金额最多保留两位小数")


class DateField(forms.DateField):
    def __init__(self, **kwargs):
        kwargs.setdefault("widget", DateInput())
        super().__init__(**kwargs)
        self.error_messages["invalid"] = _("请输入有效日期，格式为 年-月-日，例如 2020-06-30")


class RecordForm(forms.Form):
    """A form for one chapter's record. Offers a choice of chapter only to those who write for several."""

    def __init__(self, *args, access, instance=None, chapters=None, **kwargs):
        self.access = access
        self.instance = instance
        self.chapters = access.writable_chapters() if chapters is None else chapters
        super().__init__(*args, **kwargs)
        if instance is None and len(self.chapters) > 1:
            self.fields["chapter"] = forms.ModelChoiceField(
                label=_("红十字会"),
                queryset=Chapter.objects.filter(pk__in=[c.pk for c in self.chapters]),
            )
            self.order_fields(["chapter"])
        if self.instance is not None and hasattr(self.instance, "version"):
            # The version of the record the form shows, sent back with the correction.
            self.fields["version"] = forms.IntegerField(widget=forms.HiddenInput, required=False)
        if self.instance is not None and not self.is_bound:
            self.initial.update(self.initial_from(self.instance))
            if "version" in self.fields:
                self.initial["version"] = self.instance.version

    def initial_from(self, instance):
        """The form's values for correcting ``instance``: its fields of the same names."""
        return {
            name: getattr(instance, f"{name}_id", getattr(instance, name, None))
            for name in self.fields
            if hasattr(instance, name)
        }

    @property
    def chapter(self):
        """The chapter the record belongs to."""
        if self.instance is not None:
            return self.instance.chapter
        if "chapter" in self.fields:
            return self.cleaned_data["chapter"]
        return self.chapters[0]

    @property
    def record_chapters(self):
        """The chapters whose funds, projects and other records the form may offer."""
        return [self.instance.chapter] if self.instance is not None else self.chapters

    def service_arguments(self):
        """The cleaned data as the app's services take it (the chapter and version left out)."""
        return {
            name: value for name, value in self.cleaned_data.items() if name not in ("chapter", "version")
        }


# --- A chapter's users (本会管理) ---------------------------------------------------------------


class MemberCreateForm(forms.Form):
    """A new user of the administrator's chapter; the rules are the service's (``member_create``)."""

    username = forms.CharField(
        label=_("用户名"), max_length=150, help_text=_("登录用，字母、数字和 @ . + - _")
    )
    full_name = forms.CharField(label=_("姓名"), max_length=150)
    role = forms.ChoiceField(label=_("角色"), choices=Role.choices)
    password = forms.CharField(
        label=_("初始密码"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("留空则自动生成；密码只在保存后显示一次，请交给本人并提醒其登录后修改"),
    )


class MemberRoleForm(forms.Form):
    role = forms.ChoiceField(label=_("角色"), choices=Role.choices)


class PasswordResetForm(forms.Form):
    password = forms.CharField(
        label=_("新密码"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("留空则自动生成，只显示一次"),
    )

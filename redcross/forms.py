"""Form pieces every app's record forms share."""

from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from . import bounds
from .choices import Role
from .filters import DateInput
from .models import Chapter, Township
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


class DatalistInput(forms.TextInput):
    """A text input suggesting ``options`` (an HTML datalist): what is usually written, while
    anything else may still be typed."""

    def __init__(self, attrs=None, options=()):
        super().__init__(attrs)
        self.options = list(options)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"]["list"] = f"{context['widget']['attrs'].get('id', name)}-options"
        return context

    def render(self, name, value, attrs=None, renderer=None):
        html = super().render(name, value, attrs, renderer)
        list_id = f"{(attrs or {}).get('id', name)}-options"
        options = format_html_join("", '<option value="{}"></option>', ((o,) for o in self.options))
        return format_html('{}<datalist id="{}">{}</datalist>', html, list_id, options)


class RecordForm(forms.Form):
    """A form for one chapter's record. Offers a choice of chapter only to those who write for several.

    A new record's ``date`` is today until the person says otherwise.
    """

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
        if self.instance is None and "date" in self.fields:
            self.fields["date"].initial = timezone.localdate()
        for field in self.fields.values():
            # A choice not made yet reads 请选择, not Django's "---------".
            if isinstance(field, forms.ModelChoiceField) and field.empty_label == "---------":
                field.empty_label = _("请选择")

    def offer_townships(self, name="township"):
        """Makes the field ``name`` a choice among the chapter's townships (``Township``), when
        its administrator keeps a list; without a list it stays free text. A record naming a
        township no longer in the list keeps it on correction."""
        by_chapter = {}
        for chapter_id, township in Township.objects.filter(
            chapter__in=self.record_chapters, is_active=True
        ).values_list("chapter_id", "name"):
            by_chapter.setdefault(chapter_id, []).append(township)
        self.townships = by_chapter
        if not by_chapter:
            return
        names = sorted({n for names in by_chapter.values() for n in names})
        current = self.initial.get(name) or ""
        choices = [("", "—")] + [(n, n) for n in names]
        if current and current not in names:
            choices.append((current, _("%(name)s（不在本会乡镇名单中）") % {"name": current}))
        field = self.fields[name]
        field.widget = forms.Select(choices=choices)
        field.township_choices = {value for value, _label in choices}
        field.help_text = field.help_text or _("从本会乡镇名单中选择；名单由本会系统管理员维护")

    def clean_township(self):
        value = (self.cleaned_data.get("township") or "").strip()
        allowed = getattr(self.fields["township"], "township_choices", None)
        if value and allowed is not None and value not in allowed:
            raise forms.ValidationError(
                _("乡镇“%(name)s”不在本会乡镇名单中，请从列表中选择") % {"name": value}
            )
        return value

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


class TownshipsAddForm(forms.Form):
    names = forms.CharField(
        label=_("乡镇名称"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("每行一个，例如：八仙筒镇；已有的名称不会重复添加"),
    )

    def clean_names(self):
        return self.cleaned_data["names"].splitlines()

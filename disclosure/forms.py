from django import forms
from django.utils.translation import gettext_lazy as _

from redcross import bounds

from .choices import DisclosureKind


class PrepareForm(forms.Form):
    kind = forms.ChoiceField(label=_("公开类型"), choices=DisclosureKind.choices)
    drive = forms.ModelChoiceField(label=_("募捐活动"), queryset=None, required=False)
    project = forms.ModelChoiceField(label=_("项目"), queryset=None, required=False)
    period = forms.CharField(label=_("期间"), max_length=8, required=False, help_text=_("如 2020 或 2020H1"))
    as_of = forms.DateField(label=_("截止日期"), required=False, validators=[bounds.validate_record_date])

    def __init__(self, *args, chapter, **kwargs):
        super().__init__(*args, **kwargs)
        from donations.models import Drive
        from projects.models import Project

        self.fields["drive"].queryset = Drive.objects.filter(chapter=chapter)
        self.fields["project"].queryset = Project.objects.filter(chapter=chapter)


class DraftForm(forms.Form):
    as_of = forms.DateField(label=_("截止日期"), validators=[bounds.validate_record_date])
    township_shown = forms.BooleanField(label=_("公开到乡镇"), required=False)
    correction_note = forms.CharField(
        label=_("更正说明"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("更正已发布的数字时必须填写，随新版本一起公开"),
    )


class FeedbackForm(forms.Form):
    reported_on = forms.DateField(label=_("反馈日期"), validators=[bounds.validate_record_date])
    how = forms.CharField(label=_("反馈方式"), max_length=100, required=False)


class LookupForm(forms.Form):
    receipt = forms.CharField(label=_("票据号"), max_length=50)
    name = forms.CharField(label=_("捐赠人名称"), max_length=200)


class StatementForm(forms.Form):
    start = forms.DateField(label=_("开始日期"), validators=[bounds.validate_record_date])
    end = forms.DateField(label=_("结束日期"), validators=[bounds.validate_record_date])

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            self.add_error("end", _("结束日期不能早于开始日期"))
        return data

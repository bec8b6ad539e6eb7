from django import forms
from django.utils.translation import gettext_lazy as _

from donations.forms import FundChoiceField, funds_offered
from redcross import bounds
from redcross.forms import DateField, MoneyField, RecordForm
from redcross.money import format_money
from redcross.rules import add_to_form

from .choices import EXPENDITURE_CATEGORIES
from .models import Project, ProjectKind
from .rules import expenditure_problems, project_problems
from .selectors import projects_with_spending


class ProjectChoiceField(forms.ModelChoiceField):
    """A project select whose every option says the budget left (or how far it is over), read
    with the projects in one query (``projects_with_spending``)."""

    def label_from_instance(self, project):
        left = project.budget - project.spent_total
        if left < 0:
            return _("%(name)s（已超预算 %(over)s 元）") % {"name": project.name, "over": format_money(-left)}
        return _("%(name)s（预算余额 %(left)s 元）") % {"name": project.name, "left": format_money(left)}


class ProjectForm(RecordForm):
    name = forms.CharField(label=_("项目名称"), max_length=200)
    kind = forms.ModelChoiceField(label=_("项目类型"), queryset=ProjectKind.objects.filter(is_active=True))
    place = forms.CharField(label=_("项目地点"), max_length=200, required=False)
    budget = MoneyField(label=_("预算金额（元）"))
    start_date = DateField(label=_("开始日期"), required=False)
    end_date = DateField(label=_("结束日期"), required=False)
    description = forms.CharField(
        label=_("项目内容"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )

    def clean(self):
        data = super().clean()
        add_to_form(self, project_problems(start_date=data.get("start_date"), end_date=data.get("end_date")))
        return data


class ProjectAdvanceForm(RecordForm):
    date = DateField(label=_("日期"))


class OutputForm(RecordForm):
    date = DateField(label=_("完成日期"), help_text=_("产出交付或完成的日期；报告只计入期末以前完成的产出"))
    name = forms.CharField(
        label=_("产出内容"), max_length=100, help_text=_("例如：硬化整修巷道、维修污水井、自动体外除颤仪")
    )
    quantity = forms.DecimalField(
        label=_("数量"), decimal_places=2, min_value=0, validators=[bounds.validate_quantity]
    )
    unit = forms.CharField(label=_("单位"), max_length=20, help_text=_("例如：条、眼、台"))


class AuditForm(RecordForm):
    date = DateField(label=_("审计日期"))
    auditor = forms.CharField(label=_("审计单位"), max_length=200)
    findings = forms.CharField(label=_("审计意见"), widget=forms.Textarea(attrs={"rows": 4}), required=False)


class BudgetLineForm(forms.Form):
    category = forms.CharField(label=_("支出类别"), max_length=50, required=False)
    amount = MoneyField(label=_("预算金额（元）"), required=False)


BudgetLineFormSet = forms.formset_factory(BudgetLineForm, extra=3)


class ExpenditureForm(RecordForm):
    date = DateField(label=_("支出日期"))
    project = ProjectChoiceField(label=_("项目"), queryset=Project.objects.none())
    category = forms.CharField(
        label=_("支出类别"),
        max_length=50,
        required=False,
        widget=forms.TextInput(attrs={"list": "expenditure-categories"}),
        help_text=" / ".join(EXPENDITURE_CATEGORIES),
    )
    amount = MoneyField(label=_("金额（元）"))
    fund = FundChoiceField(label=_("资金来源"), required=False)
    payee = forms.CharField(label=_("收款单位"), max_length=200, required=False)
    invoice_number = forms.CharField(label=_("发票号"), max_length=50, required=False)
    description = forms.CharField(label=_("说明"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    over_budget_reason = forms.CharField(
        label=_("超预算原因"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text=_("累计支出超过项目预算时必须填写"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = projects_with_spending(
            Project.objects.filter(chapter__in=self.record_chapters)
        )
        self.fields["fund"].queryset = funds_offered(self.record_chapters)
        self.fields["amount"].error_messages["min_value"] = _("金额必须大于零")

    def clean(self):
        data = super().clean()
        # The budget is checked by the service, under the project's lock: what the project has
        # already spent is read there.
        add_to_form(self, expenditure_problems(project=data.get("project"), amount=data.get("amount")))
        return data

from django import forms
from django.utils.translation import gettext_lazy as _

from donations.forms import FundChoiceField, funds_offered
from redcross import bounds
from redcross.forms import DateField, MoneyField, RecordForm
from redcross.idnumber import normalize_id_number, validate_id_number
from redcross.rules import add_to_form

from .choices import RecipientKind
from .models import AidCategory
from .rules import disbursement_problems


class DisbursementForm(RecordForm):
    date = DateField(label=_("发放日期"))
    category = forms.ModelChoiceField(
        label=_("救助类别"), queryset=AidCategory.objects.filter(is_active=True)
    )
    recipient = forms.ChoiceField(
        label=_("发放对象"),
        choices=RecipientKind.choices,
        initial=RecipientKind.PERSON,
        widget=forms.RadioSelect,
    )
    beneficiary_name = forms.CharField(label=_("受助人姓名"), max_length=50, required=False)
    id_number = forms.CharField(
        label=_("身份证号"), max_length=18, required=False, validators=[validate_id_number]
    )
    township = forms.CharField(label=_("乡镇"), max_length=50, required=False)
    head_count = forms.IntegerField(
        label=_("受助人数"),
        min_value=1,
        initial=1,
        help_text=_("群体发放时填写受助总人数"),
        error_messages={"min_value": _("受助人数至少为1")},
        validators=[bounds.validate_head_count],
    )
    cases = forms.IntegerField(
        label=_("例数"),
        min_value=1,
        required=False,
        help_text=_("手术等按例计，同一人两次手术为2例；留空时个人为1例，群体按受助人数计"),
        error_messages={"min_value": _("例数至少为1")},
        validators=[bounds.validate_cases],
    )
    cash_amount = MoneyField(label=_("现金金额（元）"), initial=0)
    in_kind_amount = MoneyField(label=_("物资折价（元）"), initial=0)
    fund = FundChoiceField(label=_("资金来源"), required=False)
    remarks = forms.CharField(label=_("备注"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fund"].queryset = funds_offered(self.record_chapters)
        self.offer_townships()

    @staticmethod
    def initial_from(disbursement):
        beneficiary = disbursement.beneficiary
        return {
            "date": disbursement.date,
            "category": disbursement.category_id,
            "recipient": RecipientKind.GROUP if beneficiary is None else RecipientKind.PERSON,
            "beneficiary_name": beneficiary.name if beneficiary else "",
            "id_number": beneficiary.id_number if beneficiary else "",
            "township": disbursement.township,
            "head_count": disbursement.head_count,
            "cases": disbursement.cases,
            "cash_amount": disbursement.cash_amount,
            "in_kind_amount": disbursement.in_kind_amount,
            "fund": disbursement.fund_id,
            "remarks": disbursement.remarks,
        }

    def clean_id_number(self):
        return normalize_id_number(self.cleaned_data["id_number"])

    def clean(self):
        data = super().clean()
        if data.get("recipient") == RecipientKind.PERSON:
            if not data.get("beneficiary_name", "").strip():
                self.add_error("beneficiary_name", _("个人发放必须填写受助人姓名"))
            data["head_count"] = 1
        elif data.get("recipient") == RecipientKind.GROUP:
            data["beneficiary_name"] = ""
        add_to_form(
            self,
            disbursement_problems(
                beneficiary_name=data.get("beneficiary_name"),
                id_number=data.get("id_number"),
                cash_amount=data.get("cash_amount"),
                in_kind_amount=data.get("in_kind_amount"),
            ),
        )
        return data

    def service_arguments(self):
        """The cleaned data as the aid services take it."""
        data = self.cleaned_data
        return {
            name: data[name]
            for name in (
                "date",
                "category",
                "beneficiary_name",
                "id_number",
                "township",
                "head_count",
                "cases",
                "cash_amount",
                "in_kind_amount",
                "fund",
                "remarks",
            )
        }


class BeneficiaryForm(RecordForm):
    """Correcting a person: name, ID number, township (the service refuses a collision)."""

    name = forms.CharField(label=_("受助人姓名"), max_length=50)
    id_number = forms.CharField(
        label=_("身份证号"),
        max_length=18,
        required=False,
        validators=[validate_id_number],
        help_text=_("留空表示无身份证号：按姓名和乡镇识别"),
    )
    township = forms.CharField(label=_("乡镇"), max_length=50, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.offer_townships()

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError(_("请填写受助人姓名"))
        return name

    def clean_id_number(self):
        return normalize_id_number(self.cleaned_data["id_number"])


class KeepChoice:
    THIS, OTHER = "this", "other"


class BeneficiaryMergeForm(forms.Form):
    """Two records of one person: the other one's number, and which one is kept."""

    other = forms.IntegerField(
        label=_("另一条记录的编号"),
        min_value=1,
        help_text=_("受助人页面标题旁的编号，例如 #128"),
        error_messages={"invalid": _("请输入受助人编号（数字）"), "min_value": _("请输入受助人编号（数字）")},
    )
    keep = forms.ChoiceField(
        label=_("保留哪一条"),
        choices=[
            (KeepChoice.THIS, _("保留本条，另一条并入本条")),
            (KeepChoice.OTHER, _("保留另一条，本条并入另一条")),
        ],
        initial=KeepChoice.THIS,
        widget=forms.RadioSelect,
    )
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, beneficiary, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.beneficiary = beneficiary
        self.candidates = candidates  # the chapter's standing persons (a queryset)

    def clean_other(self):
        other = self.candidates.filter(pk=self.cleaned_data["other"]).first()
        if other is None:
            raise forms.ValidationError(
                _("本会没有编号为 %(pk)s 的受助人（或已合并）") % {"pk": self.cleaned_data["other"]}
            )
        if other.pk == self.beneficiary.pk:
            raise forms.ValidationError(_("不能把受助人与自己合并"))
        return other

    def pair(self):
        """(kept, merged) as chosen."""
        other = self.cleaned_data["other"]
        if self.cleaned_data["keep"] == KeepChoice.OTHER:
            return other, self.beneficiary
        return self.beneficiary, other

from django import forms
from django.utils.translation import gettext_lazy as _
from django_filters.fields import DateRangeField

from redcross import bounds
from redcross.exports import period_dates
from redcross.filters import PeriodWidget
from redcross.forms import DateField, MoneyField, RecordForm
from redcross.money import format_money
from redcross.rules import add_to_form

from .choices import DonationKind, DonorKind, ValuationBasis
from .models import Drive, Fund
from .rules import donation_problems, drive_problems, fund_purpose_problems, payout_problems
from .selectors import funds_with_balance
from .services import GOODS_INTAKE


def funds_offered(chapters):
    """The funds of ``chapters`` with their restriction and balance, read in one query for any
    number of funds (the select's options)."""
    return funds_with_balance(
        Fund.objects.filter(chapter__in=chapters).select_related("restricted_category", "restricted_project")
    )


def fund_label(fund):
    """慈善救助基金（限定：重特大疾病救助）余额 12,300.00 元: what the fund may be spent on and what
    it holds, so that a restricted or empty fund is seen at the moment of choice."""
    if fund.restricted_category is not None or fund.restricted_project is not None:
        restriction = _("限定：%(purpose)s") % {"purpose": fund.purpose}
    else:
        restriction = _("非限定")
    if getattr(fund, "goods_balance", 0):
        return _("%(name)s（%(restriction)s）余额 %(balance)s 元，另有物资折价 %(goods)s 元") % {
            "name": fund.name,
            "restriction": restriction,
            "balance": format_money(fund.cash_balance),
            "goods": format_money(fund.goods_balance),
        }
    return _("%(name)s（%(restriction)s）余额 %(balance)s 元") % {
        "name": fund.name,
        "restriction": restriction,
        "balance": format_money(fund.cash_balance),
    }


class FundChoiceField(forms.ModelChoiceField):
    """A fund select whose every option says the fund's restriction and balance. Its queryset
    is ``funds_offered(...)``: one query for all the options."""

    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", Fund.objects.none())
        kwargs.setdefault("empty_label", "—")
        super().__init__(**kwargs)

    def label_from_instance(self, fund):
        return fund_label(fund)


def remarks_field():
    return forms.CharField(label=_("备注"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


class FundForm(RecordForm):
    name = forms.CharField(label=_("基金名称"), max_length=100)
    restricted_category = forms.ModelChoiceField(
        label=_("限定用途（救助类别）"), queryset=Fund.objects.none(), required=False
    )
    restricted_project = forms.ModelChoiceField(
        label=_("限定用途（项目）"),
        queryset=Fund.objects.none(),
        required=False,
        help_text=_("两项都不选表示非限定用途；只能选其中一项"),
    )
    remarks = remarks_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["restricted_category"].queryset = Fund.category_model().objects.filter(is_active=True)
        self.fields["restricted_project"].queryset = Fund.project_model().objects.filter(
            chapter__in=self.record_chapters
        )

    def clean(self):
        data = super().clean()
        add_to_form(
            self,
            fund_purpose_problems(
                restricted_category=data.get("restricted_category"),
                restricted_project=data.get("restricted_project"),
            ),
        )
        return data


class DonorForm(RecordForm):
    name = forms.CharField(label=_("捐赠人名称"), max_length=200)
    kind = forms.ChoiceField(label=_("捐赠人类型"), choices=DonorKind.choices, widget=forms.RadioSelect)
    contact_person = forms.CharField(label=_("联系人"), max_length=50, required=False)
    phone = forms.CharField(label=_("联系电话"), max_length=30, required=False)
    address = forms.CharField(label=_("地址"), max_length=200, required=False)
    named_in_public = forms.BooleanField(label=_("同意公开署名"), required=False)
    remarks = remarks_field()


class DriveForm(RecordForm):
    name = forms.CharField(
        label=_("活动名称"), max_length=100, help_text=_("每年同名的活动会逐年对比，例如“博爱一日捐”")
    )
    start_date = DateField(label=_("开始日期"))
    end_date = DateField(label=_("结束日期"))
    fund = FundChoiceField(label=_("入账基金"))
    goal = MoneyField(label=_("目标金额（元）"), required=False)
    remarks = remarks_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fund"].queryset = funds_offered(self.record_chapters)

    def clean(self):
        data = super().clean()
        add_to_form(self, drive_problems(start_date=data.get("start_date"), end_date=data.get("end_date")))
        return data


class DonationForm(RecordForm):
    date = DateField(label=_("捐赠日期"))
    donor_name = forms.CharField(
        label=_("捐赠人"), max_length=200, help_text=_("已登记的捐赠人按名称和类型找到；新的捐赠人会自动登记")
    )
    donor_kind = forms.ChoiceField(
        label=_("捐赠人类型"), choices=DonorKind.choices, initial=DonorKind.PERSON, widget=forms.RadioSelect
    )
    drive = forms.ModelChoiceField(label=_("募捐活动"), queryset=Drive.objects.none(), required=False)
    fund = FundChoiceField(
        label=_("入账基金"),
        required=False,
        help_text=_("选择募捐活动时可不填，按活动的入账基金"),
    )
    kind = forms.ChoiceField(
        label=_("捐赠方式"), choices=DonationKind.choices, initial=DonationKind.CASH, widget=forms.RadioSelect
    )
    amount = MoneyField(label=_("金额（元）"), help_text=_("物资捐赠填写折价金额"))
    goods = forms.CharField(label=_("物资名称"), max_length=200, required=False)
    quantity = forms.DecimalField(
        label=_("数量"), decimal_places=2, min_value=0, required=False, validators=[bounds.validate_quantity]
    )
    unit = forms.CharField(label=_("计量单位"), max_length=20, required=False)
    valuation_basis = forms.ChoiceField(
        label=_("折价依据"), choices=[("", "—")] + ValuationBasis.choices, required=False
    )
    receipt_number = forms.CharField(label=_("票据号"), max_length=50, required=False)
    # The goods fields of an app keeping goods (``GoodsIntake.form_fields``) come here.
    anonymous = forms.BooleanField(label=_("匿名捐赠"), required=False, help_text=_("公开时不显示捐赠人"))
    remarks = remarks_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["drive"].queryset = Drive.objects.filter(chapter__in=self.record_chapters)
        self.fields["fund"].queryset = funds_offered(self.record_chapters)
        self.fields["amount"].error_messages["min_value"] = _("金额必须大于零")
        if self.instance is not None:
            # A receipt is never edited: it is voided and reissued from the donation's page.
            del self.fields["receipt_number"]
        self.goods_fields = []
        for intake in GOODS_INTAKE:
            for name, field in intake.form_fields(self.record_chapters).items():
                field.widget.attrs.setdefault("data-in-kind", "")
                self.fields[name] = field
                self.goods_fields.append(name)
        if self.goods_fields:
            order = list(self.fields)
            for name in self.goods_fields:
                order.remove(name)
            at = order.index("valuation_basis") + 1
            self.order_fields(order[:at] + self.goods_fields + order[at:])

    def clean(self):
        data = super().clean()
        add_to_form(
            self,
            donation_problems(
                kind=data.get("kind"),
                amount=data.get("amount"),
                drive=data.get("drive"),
                fund=data.get("fund"),
                goods=data.get("goods"),
                valuation_basis=data.get("valuation_basis"),
            ),
        )
        if data.get("kind") == DonationKind.IN_KIND and self.instance is None:
            for intake in GOODS_INTAKE:
                add_to_form(self, intake.problems(data))
        return data

    def initial_from(self, donation):
        initial = super().initial_from(donation)
        initial.update(donor_name=donation.donor.name, donor_kind=donation.donor.kind)
        return initial

    def service_arguments(self):
        data = dict(self.cleaned_data)
        data.pop("chapter", None)
        data.pop("version", None)
        data.pop("donor_name")
        data.pop("donor_kind")
        details = {name: data.pop(name, None) for name in self.goods_fields}
        if self.goods_fields:
            data["goods_details"] = details
        return data


class ReceiptForm(RecordForm):
    number = forms.CharField(label=_("票据号"), max_length=50)
    issued_on = DateField(label=_("开具日期"))


class ReceiptVoidForm(RecordForm):
    reason = forms.CharField(label=_("作废原因"), max_length=200)
    new_number = forms.CharField(
        label=_("新票据号"), max_length=50, required=False, help_text=_("填写时同时开具新票据")
    )
    new_issued_on = DateField(label=_("新票据开具日期"), required=False)


class PayoutForm(RecordForm):
    date = DateField(label=_("拨付日期"))
    fund = FundChoiceField(label=_("资金来源"))
    recipient = forms.CharField(label=_("接收单位"), max_length=200)
    purpose = forms.CharField(label=_("用途"), max_length=200)
    cash_amount = MoneyField(label=_("现金金额（元）"), initial=0)
    in_kind_amount = MoneyField(label=_("物资折价（元）"), initial=0)
    document_number = forms.CharField(label=_("拨付文号"), max_length=50, required=False)
    remarks = remarks_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fund"].queryset = funds_offered(self.record_chapters)

    def clean(self):
        data = super().clean()
        add_to_form(
            self,
            payout_problems(cash_amount=data.get("cash_amount"), in_kind_amount=data.get("in_kind_amount")),
        )
        return data


class LedgerPeriodForm(forms.Form):
    """The period a fund's ledger page shows: ``date_after``/``date_before``, the names its export
    reads, so that the page's 导出Excel writes the period on screen."""

    date = DateRangeField(label=_("期间"), required=False, widget=PeriodWidget())

    def clean_date(self):
        value = self.cleaned_data.get("date")
        start, end = period_dates(value)
        if start and end and start > end:
            raise forms.ValidationError(_("截止日期不能早于起始日期"))
        return value

    def period(self):
        """(first day, last day) of a valid period, None for an open end; (None, None) else."""
        if not self.is_valid():
            return None, None
        return period_dates(self.cleaned_data["date"])

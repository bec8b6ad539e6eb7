"""Form pieces every app's record forms share."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from .filters import DateInput


class MoneyField(forms.DecimalField):
    """A yuan amount: two places, never negative."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 14)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("min_value", Decimal("0"))
        kwargs.setdefault("widget", forms.NumberInput(attrs={"step": "0.01", "min": "0"}))
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

    def __init__(self, *args, access, instance=None, **kwargs):
        self.access = access
        self.instance = instance
        super().__init__(*args, **kwargs)
        writable = access.writable_chapters()
        if instance is None and len(writable) > 1:
            self.fields["chapter"] = forms.ModelChoiceField(
                label=_("红十字会"),
                queryset=type(writable[0]).objects.filter(pk__in=[c.pk for c in writable]),
            )
            self.order_fields(["chapter"])

    @property
    def chapter(self):
        """The chapter the record belongs to."""
        if self.instance is not None:
            return self.instance.chapter
        if "chapter" in self.fields:
            return self.cleaned_data["chapter"]
        return self.access.writable_chapters()[0]

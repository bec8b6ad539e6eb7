import re
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from donations.choices import ValuationBasis
from donations.forms import FundChoiceField, funds_offered, remarks_field
from redcross import bounds
from redcross.forms import DateField, MoneyField, RecordForm
from redcross.models import Chapter
from redcross.rules import add_to_form

from .choices import IssueKind, LotOrigin
from .models import Item, Lot, Store
from .rules import arrival_problems, chosen_lot_problems, issue_problems, lot_problems, plain
from .selectors import lots_to_choose, with_stock

# The lots an issue form offers to choose from by hand (the earliest-expiring first, as the lot
# search narrows them: ``LotSearchForm``).
LOTS_OFFERED = 60
# A lot chosen by hand is posted as ``lot_<its number>``.
LOT_FIELD = re.compile(r"lot_(\d+)")


class QuantityField(forms.DecimalField):
    """A quantity of goods: two places at most, not negative, below the quantity bound."""

    def __init__(self, **kwargs):
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("min_value", Decimal("0"))
        kwargs.setdefault("validators", [bounds.validate_quantity])
        kwargs.setdefault("widget", forms.NumberInput(attrs={"step": "0.01", "min": "0"}))
        super().__init__(**kwargs)
        self.error_messages["min_value"] = _("数量不能为负数")
        self.error_messages["invalid"] = _("请输入数量，例如 1200 或 2.5")
        self.error_messages["max_decimal_places"] = _("数量最多保留两位小数")
        self.error_messages["max_digits"] = _("数量过大")
        self.error_messages["max_whole_digits"] = _("数量过大")


def name_choices(form):
    """A forged or stale choice (another chapter's lot, item, fund or store) is told by its field's
    name, in Chinese."""
    for field in form.fields.values():
        if isinstance(field, forms.ModelChoiceField):
            field.error_messages["invalid_choice"] = _(
                "%(field)s：所选项不存在或不属于本会，请从列表中选择"
            ) % {"field": field.label}


def counter_field(label, required=True):
    return forms.CharField(label=label, max_length=50, required=required)


class StoreForm(RecordForm):
    name = forms.CharField(label=_("库房名称"), max_length=100)
    address = forms.CharField(label=_("地址"), max_length=200, required=False)
    keeper = forms.CharField(label=_("保管人"), max_length=50, required=False)


class LotForm(RecordForm):
    """Goods arriving other than as a gift (a gift in kind is recorded on the donation form):
    bought with a fund's cash, or allocated by the chapter above."""

    date = DateField(label=_("入库日期"))
    origin = forms.ChoiceField(
        label=_("来源"),
        choices=[
            (LotOrigin.PURCHASE, LotOrigin.PURCHASE.label),
            (LotOrigin.ALLOCATION, LotOrigin.ALLOCATION.label),
        ],
        widget=forms.RadioSelect,
        initial=LotOrigin.PURCHASE,
    )
    fund = FundChoiceField(label=_("所属基金"), help_text=_("采购物资从该基金的现金支付；调拨物资计入该基金"))
    origin_chapter = forms.ModelChoiceField(
        label=_("调出单位（上级红十字会）"), queryset=Chapter.objects.none(), required=False
    )
    store = forms.ModelChoiceField(
        label=_("库房"), queryset=Store.objects.none(), required=False, empty_label=_("本会库房（默认）")
    )
    item_name = forms.CharField(label=_("物资名称"), max_length=200)
    specification = forms.CharField(label=_("规格型号"), max_length=100, required=False)
    unit = forms.CharField(label=_("计量单位"), max_length=20)
    quantity = QuantityField(label=_("数量"))
    total_value = MoneyField(label=_("金额（元）"), help_text=_("采购金额或调拨折价金额"))
    valuation_basis = forms.ChoiceField(label=_("折价依据"), choices=ValuationBasis.choices)
    expiry_date = DateField(label=_("有效期至"), required=False, help_text=_("食品、药品等填写"))
    supplier = forms.CharField(label=_("供应商"), max_length=200, required=False)
    document_number = forms.CharField(label=_("单据号"), max_length=50, required=False)
    counted_by_1 = counter_field(_("清点人一"))
    counted_by_2 = counter_field(_("清点人二"))
    remarks = remarks_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fund"].queryset = funds_offered(self.record_chapters)
        self.fields["store"].queryset = Store.objects.filter(chapter__in=self.record_chapters, is_active=True)
        above = set()
        for chapter in self.record_chapters:
            above.update(code for code in chapter.path.strip("/").split("/")[:-1])
        self.fields["origin_chapter"].queryset = Chapter.objects.filter(code__in=above)
        name_choices(self)

    def clean(self):
        data = super().clean()
        add_to_form(
            self,
            lot_problems(
                date=data.get("date"),
                quantity=data.get("quantity"),
                total_value=data.get("total_value"),
                expiry_date=data.get("expiry_date"),
                counted_by_1=data.get("counted_by_1"),
                counted_by_2=data.get("counted_by_2"),
                origin=data.get("origin"),
            ),
        )
        if data.get("origin") == LotOrigin.ALLOCATION and data.get("origin_chapter") is None:
            self.add_error("origin_chapter", _("请选择调出物资的上级红十字会"))
        return data


class LotSearchForm(forms.Form):
    """The issue form's lot search (a GET form above it): the chapter's lots holding stock,
    narrowed by item, store, expiry, source or number, so that any of hundreds of lots can be
    chosen while the page lists ``LOTS_OFFERED`` at most. With an item and a quantity, the lots
    the earliest-expiring-first rule would take are filled in (``IssueCreateView.fifo_preview``)."""

    item = forms.ModelChoiceField(label=_("物资"), queryset=Item.objects.none(), required=False)
    quantity = QuantityField(label=_("数量"), required=False)
    store = forms.ModelChoiceField(label=_("库房"), queryset=Store.objects.none(), required=False)
    expiry_by = DateField(label=_("有效期至（不晚于）"), required=False)
    source = forms.CharField(label=_("捐赠人或来源"), max_length=100, required=False)
    number = forms.CharField(label=_("批次编号或单据号"), max_length=50, required=False)

    def __init__(self, *args, chapters, **kwargs):
        kwargs.setdefault("auto_id", "search-%s")  # beside the issue form's own item and quantity
        super().__init__(*args, **kwargs)
        items = Item.objects.filter(chapter__in=chapters)
        self.fields["item"].queryset = items.order_by("name", "specification")
        self.fields["store"].queryset = Store.objects.filter(chapter__in=chapters).order_by("name")
        self.fields["item"].empty_label = self.fields["store"].empty_label = _("全部")
        name_choices(self)

    def filters(self):
        """The search as ``selectors.lots_to_choose`` takes it: what is valid of it (a filter
        the form refuses is left out, and told beside its field)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        data = self.cleaned_data
        return {
            "item": data.get("item"),
            "store": data.get("store"),
            "expiry_by": data.get("expiry_by"),
            "source": data.get("source") or "",
            "number": data.get("number") or "",
        }


class IssueForm(RecordForm):
    """An issue: what, how many and to whom. Without a quantity chosen per lot, the earliest-
    expiring lots are taken; the lots offered below may be filled in by hand instead."""

    date = DateField(label=_("出库日期"))
    kind = forms.ChoiceField(label=_("出库类型"), choices=IssueKind.choices, widget=forms.RadioSelect)
    item = forms.ModelChoiceField(label=_("物资"), queryset=Item.objects.none(), required=False)
    quantity = QuantityField(
        label=_("出库数量"), required=False, help_text=_("按有效期先到先出自动选批次；也可在下方逐批填写")
    )
    recipient_chapter = forms.ModelChoiceField(
        label=_("调入红十字会（下级）"), queryset=Chapter.objects.none(), required=False
    )
    receiving_unit = forms.CharField(label=_("接收单位"), max_length=200, required=False)
    category = forms.ModelChoiceField(
        label=_("救助类别"),
        queryset=Item.objects.none(),
        required=False,
        help_text=_(
            "救助发放必填；限定用途基金的物资发往接收单位或调拨下级时，作为用途须与基金限定的类别一致"
        ),
    )
    project = forms.ModelChoiceField(
        label=_("用于项目"),
        queryset=Item.objects.none(),
        required=False,
        help_text=_("限定用于某项目的基金的物资发往接收单位时填写"),
    )
    beneficiary_name = forms.CharField(label=_("受助人姓名"), max_length=50, required=False)
    id_number = forms.CharField(label=_("身份证号"), max_length=18, required=False)
    township = forms.CharField(label=_("乡镇"), max_length=50, required=False)
    head_count = forms.IntegerField(
        label=_("受助人数"), min_value=1, initial=1, required=False, validators=[bounds.validate_head_count]
    )
    reason = forms.CharField(label=_("事由（报损核销须填写原因）"), max_length=200, required=False)
    document_number = forms.CharField(label=_("出库单号"), max_length=50, required=False)
    remarks = remarks_field()

    def __init__(self, *args, lots_picked=None, lot_search=None, **kwargs):
        super().__init__(*args, **kwargs)
        chapters = self.record_chapters
        self.fields["item"].queryset = Item.objects.filter(chapter__in=chapters).order_by(
            "name", "specification"
        )
        self.fields["category"].queryset = (
            Lot._meta.get_field("fund").related_model.category_model().objects.filter(is_active=True)
        )
        self.fields["project"].queryset = (
            Lot._meta.get_field("fund").related_model.project_model().objects.filter(chapter__in=chapters)
        )
        self.fields["recipient_chapter"].queryset = Chapter.objects.filter(
            parent__in=[c.pk for c in chapters]
        ).order_by("code")
        self.fields["head_count"].error_messages["min_value"] = _("受助人数至少为1")
        self.offer_townships()
        held = (
            Lot.objects.available()
            .filter(chapter__in=chapters)
            .select_related("item", "store", "donation__donor", "origin_chapter")
        )
        offered = list(lots_to_choose(held, **(lot_search or {}))[: LOTS_OFFERED + 1])
        self.more_lots = len(offered) > LOTS_OFFERED
        self.lots = offered[:LOTS_OFFERED]
        # Lots chosen in what was posted but not offered (the search changed, the stock too, or a
        # number typed in by hand): the chapter's are added, any other is refused in ``clean``.
        self.lots_too_many, self.lots_unknown = False, []
        chosen = self._chosen_numbers() - {lot.pk for lot in self.lots}
        if chosen:
            found = list(with_stock(held.filter(pk__in=chosen)).order_by("pk"))
            self.lots += found
            self.lots_unknown += sorted(chosen - {lot.pk for lot in found})
        name_choices(self)
        picked = lots_picked or {}
        for lot in self.lots:
            field = QuantityField(label=str(lot), required=False)
            field.widget.attrs.update(max=str(lot.on_hand), **{"aria-label": str(lot)})
            field.lot = lot
            self.fields[f"lot_{lot.pk}"] = field
            if lot.pk in picked:
                self.initial[f"lot_{lot.pk}"] = picked[lot.pk]

    def _chosen_numbers(self):
        """The numbers of the lots a quantity was posted for: at most twice ``LOTS_OFFERED`` are
        looked up (``clean`` refuses more); a number no lot can have is refused unread."""
        if not self.is_bound:
            return set()
        numbers = set()
        for key, value in self.data.items():
            match = LOT_FIELD.fullmatch(key)
            if match and str(value).strip():
                digits = match.group(1)
                if len(digits) <= 16 and int(digits) <= 2**53:
                    numbers.add(int(digits))
                else:
                    self.lots_unknown.append(digits if len(digits) <= 20 else digits[:20] + "…")
        self.lots_too_many = len(numbers) > 2 * LOTS_OFFERED
        return set(sorted(numbers)[: 2 * LOTS_OFFERED])

    def lot_fields(self):
        return [self[f"lot_{lot.pk}"] for lot in self.lots]

    def main_fields(self):
        return [self[name] for name in self.fields if not name.startswith("lot_")]

    def clean(self):
        data = super().clean()
        add_to_form(
            self,
            issue_problems(
                kind=data.get("kind"),
                recipient_chapter=data.get("recipient_chapter"),
                receiving_unit=data.get("receiving_unit"),
                reason=data.get("reason"),
                category=data.get("category"),
                beneficiary_name=data.get("beneficiary_name"),
                head_count=data.get("head_count"),
            ),
        )
        for number in self.lots_unknown:
            self.add_error(
                None,
                _("入库批次 #%(number)s 不存在、已作废或不属于本会，请从列表中选择批次") % {"number": number},
            )
        if self.lots_too_many:
            limit = {"count": 2 * LOTS_OFFERED}
            self.add_error(None, _("一次出库最多从 %(count)s 个批次发放，请分开登记") % limit)
        lines = [(lot, data[f"lot_{lot.pk}"]) for lot in self.lots if data.get(f"lot_{lot.pk}")]
        for lot, quantity in lines:
            for message in chosen_lot_problems(lot=lot, item=data.get("item"), quantity=quantity).values():
                self.add_error(f"lot_{lot.pk}", message)
        if not lines and (data.get("item") is None or not data.get("quantity")):
            self.add_error("quantity", _("请选择物资并填写出库数量，或在下方逐批填写数量"))
        data["lines"] = lines
        return data

    def service_arguments(self):
        data = {name: value for name, value in self.cleaned_data.items() if not name.startswith("lot_")}
        data.pop("chapter", None)
        data.pop("version", None)
        if data.get("lines"):
            data.pop("item", None)
            data.pop("quantity", None)
        if data.get("head_count") is None:
            data["head_count"] = 1
        return data


class StockCountForm(RecordForm):
    date = DateField(label=_("盘点日期"))
    counted_quantity = QuantityField(label=_("实盘数量"))
    reason = forms.CharField(label=_("差异原因"), max_length=200)
    counted_by_1 = counter_field(_("盘点人一"))
    counted_by_2 = counter_field(_("盘点人二"))


class ArrivalForm(RecordForm):
    """The receiving chapter confirms that an allocation from above arrived: the day, the two
    people who counted it, and what they counted (a shortfall with its reason)."""

    date = DateField(label=_("接收日期"))
    counted_quantity = QuantityField(label=_("实收数量"))
    counted_by_1 = counter_field(_("清点人一"))
    counted_by_2 = counter_field(_("清点人二"))
    reason = forms.CharField(
        label=_("短少原因"), max_length=150, required=False, help_text=_("实收少于调出数量时填写")
    )

    def __init__(self, *args, lot, **kwargs):
        self.lot = lot
        super().__init__(*args, **kwargs)
        self.fields["counted_quantity"].help_text = _("调出数量 %(quantity)s%(unit)s") % {
            "quantity": plain(lot.quantity),
            "unit": lot.item.unit,
        }
        if not self.is_bound:
            self.initial.setdefault("counted_quantity", plain(lot.quantity))

    def clean(self):
        data = super().clean()
        problems = arrival_problems(
            sent=self.lot.quantity,
            sent_on=self.lot.date,
            date=data.get("date"),
            counted_quantity=data.get("counted_quantity"),
            counted_by_1=data.get("counted_by_1"),
            counted_by_2=data.get("counted_by_2"),
            reason=data.get("reason"),
        )
        # A field already told (a malformed quantity) is not told twice.
        add_to_form(self, {name: text for name, text in problems.items() if name not in self.errors})
        return data

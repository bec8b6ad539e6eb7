"""A gift in kind is the arrival of its goods: recording one makes its lot (DESIGN.md). Plugged
into ``donations`` (``donations.services.GoodsIntake``), which knows nothing of goods."""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from donations.services import GoodsIntake
from redcross.forms import DateField
from redcross.money import to_money

from .choices import LotOrigin
from .models import Adjustment, IssueLine, Lot, Store
from .rules import lot_problems
from .selectors import with_stock
from .services import _adjustment_save, _lot_void, _refuse_touched, item_resolve, lot_receive

UNIT_WHEN_UNKNOWN = "批"
DETAILS = ("store", "specification", "expiry_date", "counted_by_1", "counted_by_2")


class LotIntake(GoodsIntake):
    def form_fields(self, chapters):
        return {
            "store": forms.ModelChoiceField(
                label=gettext_lazy("入库库房"),
                queryset=Store.objects.filter(chapter__in=chapters, is_active=True),
                required=False,
                empty_label=gettext_lazy("本会库房（默认）"),
            ),
            "specification": forms.CharField(label=gettext_lazy("规格型号"), max_length=100, required=False),
            "expiry_date": DateField(
                label=gettext_lazy("有效期至"), required=False, help_text=gettext_lazy("食品、药品等填写")
            ),
            "counted_by_1": forms.CharField(label=gettext_lazy("清点人一"), max_length=50, required=False),
            "counted_by_2": forms.CharField(
                label=gettext_lazy("清点人二"),
                max_length=50,
                required=False,
                help_text=gettext_lazy("物资入库须由两人清点"),
            ),
        }

    def problems(self, details):
        problems = lot_problems(
            date=details.get("date"),
            quantity=details.get("quantity"),
            total_value=None,
            expiry_date=details.get("expiry_date"),
            counted_by_1=details.get("counted_by_1"),
            counted_by_2=details.get("counted_by_2"),
        )
        if details.get("quantity") is None:
            problems["quantity"] = _("物资捐赠须填写数量")
        if not (details.get("unit") or "").strip():
            problems["unit"] = _("物资捐赠须填写计量单位")
        return problems

    def received(self, donation, *, user, details):
        store = details.get("store")
        if store is not None and store.chapter_id != donation.chapter_id:
            raise ValidationError({"store": _("只能选择本会的库房")})
        lot_receive(
            chapter=donation.chapter,
            user=user,
            date=donation.date,
            origin=LotOrigin.DONATION,
            fund=donation.fund,
            item_name=donation.goods,
            specification=details.get("specification") or "",
            unit=donation.unit or UNIT_WHEN_UNKNOWN,
            quantity=donation.quantity if donation.quantity else Decimal(1),
            store=store,
            total_value=donation.amount,
            valuation_basis=donation.valuation_basis,
            expiry_date=details.get("expiry_date"),
            counted_by_1=details.get("counted_by_1") or "",
            counted_by_2=details.get("counted_by_2") or "",
            donation=donation,
            # A gift recorded without the goods' details (a service call, the demo) is counted
            # at intake outside the product; the form asks for the two counters.
            counted=bool(details),
        )

    def corrected(self, donation, *, user, details):
        """A corrected gift's lot follows it while nothing was issued from it; once goods left,
        what they were, how many and their value no longer change."""
        lot = Lot.objects.filter(donation=donation).first()
        if not donation.is_in_kind:
            if lot is not None:
                _refuse_touched(lot)
                _lot_void(lot, user=user, reason=_("捐赠更正为现金"))
            return
        if lot is None:
            self.received(donation, user=user, details=details or {})
            return
        details = details or {}
        item = item_resolve(
            chapter=donation.chapter,
            user=user,
            name=donation.goods,
            specification=details.get("specification") or lot.item.specification,
            unit=donation.unit or lot.item.unit,
        )
        quantity = donation.quantity if donation.quantity else lot.quantity
        changed = (item.pk, quantity, to_money(donation.amount), donation.fund_id) != (
            lot.item_id,
            lot.quantity,
            lot.total_value,
            lot.fund_id,
        )
        if changed:
            _refuse_touched(lot)
        lot.item, lot.quantity, lot.total_value, lot.fund = (
            item,
            quantity,
            to_money(donation.amount),
            donation.fund,
        )
        lot.unit_value = to_money(lot.total_value / quantity)
        lot.date, lot.valuation_basis = donation.date, donation.valuation_basis
        for name in ("store", "expiry_date", "counted_by_1", "counted_by_2"):
            if details.get(name) not in (None, ""):
                setattr(lot, name, details[name])
        lot.updated_by = user
        lot.full_clean(validate_constraints=False)
        lot.save()

    def refuse_taking_back(self, donation):
        lot = Lot.objects.filter(donation=donation).first()
        if lot is not None and (
            IssueLine.all_objects.filter(lot=lot, issue__voided_at__isnull=True).exists()
            or Adjustment.objects.filter(lot=lot).exists()
        ):
            raise ValidationError(_("该捐赠的物资已经出库或盘点调整，请先作废或冲销物资出库"))

    def after_void(self, donation, *, user, reason):
        lot = Lot.objects.filter(donation=donation).first()
        if lot is not None:
            _lot_void(lot, user=user, reason=_("捐赠作废：%(reason)s") % {"reason": reason})

    def after_reverse(self, donation, reversal, *, user, reason):
        """The reversed gift's goods leave the books as a stock adjustment dated the reversal's day."""
        lot = Lot.objects.filter(donation=donation).first()
        if lot is None:
            return
        held = with_stock(Lot.objects.filter(pk=lot.pk)).get()
        if held.on_hand:
            _adjustment_save(
                lot=lot,
                user=user,
                date=reversal.date,
                quantity=-held.on_hand,
                value=-to_money(held.value_on_hand),
                counted_quantity=Decimal("0"),
                reason=_("捐赠冲销：%(reason)s") % {"reason": reason},
                counted_by_1=_("系统"),
                counted_by_2=_("冲销"),
            )

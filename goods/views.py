import datetime

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from redcross.models import every
from redcross.urls_util import records_url
from redcross.views.generic import RecordDetailView, RecordFormView, RecordListView

from . import selectors, services
from .choices import StockFilter
from .filtersets import IssueFilterSet, StockFilterSet
from .forms import LOTS_OFFERED, ArrivalForm, IssueForm, LotForm, LotSearchForm, StockCountForm, StoreForm
from .models import Adjustment, Issue, IssueLine, Item, Lot


class _AsOf(forms.Form):
    as_of = forms.DateField(required=False)


def as_of_param(params):
    """The day the stock page shows (None: today); a malformed one is told by the filter form."""
    form = _AsOf(params)
    return form.cleaned_data.get("as_of") if form.is_valid() else None


class StockListView(RecordListView):
    """Stock on hand per lot, item and store as of a day, goods expiring within 90 days marked,
    and a totals line over every lot the filters select."""

    model = Lot
    filterset_class = StockFilterSet
    template_name = "goods/stock_list.html"

    def get_base_queryset(self):
        self.as_of = as_of_param(self.request.GET)
        # Allocations still in transit are in the books (the ledger closes with them) but not in
        # the store: marked in the list and the totals, and listed apart (``in_transit``).
        lots = Lot.objects.visible_to(self.access).with_related()
        return selectors.stock_lots(lots, as_of=self.as_of)

    def get_totals(self, queryset):
        return selectors.stock_totals(queryset)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        lots = self.object_list
        today = timezone.localdate()
        soon = today + datetime.timedelta(days=selectors.EXPIRING_DAYS)
        for lot in context["object_list"]:
            lot.expiring = lot.expiry_date is not None and lot.expiry_date <= soon and lot.on_hand > 0
            lot.expired = lot.expiry_date is not None and lot.expiry_date < today
        context.update(
            as_of=self.as_of,
            by_item=list(selectors.stock_by_item(lots)[:100]),
            expiring_url=records_url("goods:stock", stock=StockFilter.EXPIRING),
            can_write=self.access.can_write(),
            in_transit=transit_rows(
                selectors.lots_in_transit(Lot.objects.visible_to(self.access)), self.access
            ),
        )
        return context


def transit_rows(lots, access, shown=selectors.IN_TRANSIT_SHOWN):
    """The first ``shown`` allocations in transit, each marked with whether the user confirms
    it, and whether more wait: one query."""
    rows = list(lots[: shown + 1])
    for lot in rows:
        lot.may_confirm = services.may_confirm_arrival(access.memberships, lot.chapter)
    return {"lots": rows[:shown], "more": len(rows) > shown}


def transit_panel(request, access):
    """The start pages' panel (``redcross.registry`` "home_panels"): for the staff and leaders
    of a chapter, the allocations from above waiting for them to confirm their arrival. One
    query; no panel when nothing waits."""
    chapters = [m.chapter_id for m in access.memberships if m.role in services.RECEIVING_ROLES]
    if not chapters:
        return None
    found = transit_rows(selectors.lots_in_transit(Lot.objects.filter(chapter__in=chapters)), access, 5)
    if not found["lots"]:
        return None
    return {"template": "goods/transit_panel.html", **found}


class LotDetailView(RecordDetailView):
    """A lot: what arrived, from where, what it holds now, and every issue of its goods with who
    received them (the trace)."""

    model = Lot
    template_name = "goods/lot_detail.html"

    def get_queryset(self):
        return Lot.all_objects.with_related().select_related(
            "created_by", "received_by", "source_line__issue__chapter"
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        lot = self.object
        held = selectors.with_stock(Lot.all_objects.filter(pk=lot.pk)).get()
        context.update(
            held=held,
            trace=selectors.lot_trace(lot, self.access),
            adjustments=list(Adjustment.all_objects.filter(lot=lot).select_related("created_by")),
            can_issue=lot.stands
            and not lot.in_transit
            and held.on_hand > 0
            and self.access.can_write(lot.chapter),
            may_confirm=lot.awaits_receipt
            and services.may_confirm_arrival(self.access.memberships, lot.chapter),
        )
        if lot.donation_id is not None or lot.source_line_id is not None:
            # A gift's lot goes with its gift, an allocation's with the issue above: not alone.
            context["may_void"] = context["may_reverse"] = False
        else:
            context["may_reverse"] = False  # a lot of a closed period is corrected by a stock count
        return context


class LotCreateView(RecordFormView):
    form_class = LotForm
    title = _("物资入库（采购、上级调拨）")
    success_message = _("物资已入库")
    continue_keeps = ("date", "origin", "fund", "store", "counted_by_1", "counted_by_2")

    def perform(self, form):
        return services.lot_receive(chapter=form.chapter, user=self.request.user, **form.service_arguments())


class IssueListView(RecordListView):
    model = Issue
    filterset_class = IssueFilterSet
    template_name = "goods/issue_list.html"

    def get_base_queryset(self):
        return super().get_base_queryset().with_related()

    def get_totals(self, queryset):
        from django.db.models import Count, Sum

        from redcross.money import to_money

        row = queryset.order_by().aggregate(n=Count("pk"), value=Sum("total_value"))
        return {"count": row["n"] or 0, "value": to_money(row["value"])}


class IssueDetailView(RecordDetailView):
    model = Issue
    template_name = "goods/issue_detail.html"

    def get_queryset(self):
        return Issue.all_objects.with_related().select_related("created_by", "approved_by", "project")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["lines"] = list(
            IssueLine.all_objects.filter(issue=self.object)
            .select_related(
                "lot__item", "lot__store", "lot__donation__donor", "received_lot", "received_lot__received_by"
            )
            .order_by("pk")
        )
        received = [line.received_lot for line in context["lines"] if getattr(line, "received_lot", None)]
        context["arrivals"] = {
            "waiting": sum(1 for lot in received if lot.awaits_receipt),
            "confirmed": sum(1 for lot in received if lot.received_at is not None),
        }
        recipients = {}
        for describe in selectors.RELIEF_RECIPIENTS:
            recipients.update(describe([self.object], self.access) if self.object.is_relief else {})
        context["relief"] = recipients.get(self.object.pk)
        return context


class IssueCreateView(RecordFormView):
    """An issue: the lots are picked earliest-expiring first (shown filled in on the form once an
    item and a quantity are given, ``?item=&quantity=``), and may be changed lot by lot."""

    form_class = IssueForm
    template_name = "goods/issue_form.html"
    title = _("物资出库")
    success_message = _("物资已出库")
    continue_keeps = ("date", "kind", "category")

    def get_initial(self):
        initial = {}
        for name in ("kind", "item", "quantity"):
            if self.request.GET.get(name):
                initial[name] = self.request.GET[name]
        return initial

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["lots_picked"] = self.fifo_preview()
        kwargs["lot_search"] = self.lot_search().filters()
        return kwargs

    def lot_search(self):
        """The lot search above the form (``?item=&store=&expiry_by=&source=&number=``): the
        same on the POST, whose URL keeps it, so the lots posted are the lots shown."""
        if not hasattr(self, "_lot_search"):
            asked = any(self.request.GET.get(name) for name in LotSearchForm.base_fields)
            data = self.request.GET if asked else None
            self._lot_search = LotSearchForm(data, chapters=self.access.writable_chapters())
        return self._lot_search

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["lot_search"] = self.lot_search()
        context["lots_offered"] = LOTS_OFFERED
        return context

    def fifo_preview(self):
        """lot pk → quantity the earliest-expiring lots would give for ``?item=&quantity=``."""
        if self.request.method != "GET":
            return {}
        form = forms.Form(self.request.GET)
        form.fields["item"] = forms.IntegerField(min_value=1, max_value=2**53)
        form.fields["quantity"] = forms.DecimalField(min_value=0, max_digits=14, decimal_places=2)
        if not form.is_valid():
            return {}
        chapters = self.access.writable_chapters()
        item = Item.objects.filter(pk=form.cleaned_data["item"], chapter__in=chapters).first()
        if item is None:
            return {}
        left, picked = form.cleaned_data["quantity"], {}
        for lot in services.issue_line_choices(chapter=item.chapter, item=item, date=timezone.localdate()):
            if left <= 0:
                break
            take = min(lot.on_hand, left)
            picked[lot.pk] = take
            left -= take
        return picked

    def perform(self, form):
        with transaction.atomic():
            return services.issue_record(
                chapter=form.chapter, user=self.request.user, **form.service_arguments()
            )


class StockCountView(RecordFormView):
    """A stock count of one lot: the difference found, with its reason."""

    parent_model = Lot
    form_class = StockCountForm
    title = _("盘点")
    success_message = _("盘点差异已记录")

    def get_title(self):
        return _("盘点：%(lot)s") % {"lot": self.parent}

    def perform(self, form):
        services.stock_count_record(
            chapter=self.parent.chapter, user=self.request.user, lot=self.parent, **form.service_arguments()
        )
        return self.parent


class ArrivalConfirmView(RecordFormView):
    """The receiving chapter confirms that an allocation from above arrived (确认接收): only its
    staff and leaders (``services.RECEIVING_ROLES``), once."""

    parent_model = Lot
    form_class = ArrivalForm
    title = _("确认接收调拨物资")
    success_message = _("已确认接收")

    def require(self, chapter):
        self.access.require_read(chapter)
        if not services.may_confirm_arrival(self.access.memberships, chapter):
            raise PermissionDenied(
                _("只有调入单位%(chapter)s的工作人员或领导才能确认接收这批物资") % {"chapter": chapter}
            )

    def get(self, request, *args, **kwargs):
        if not self.parent.in_transit:
            messages.info(request, arrival_done_message(self.parent))
            return redirect(self.parent.get_absolute_url())
        return super().get(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["lot"] = self.parent
        return kwargs

    def get_title(self):
        return _("确认接收%(origin)s调拨的物资") % {"origin": self.parent.origin_chapter}

    def perform(self, form):
        return services.allocation_confirm(
            lot=self.parent, user=self.request.user, **form.service_arguments()
        )


def arrival_done_message(lot):
    if lot.received_at is None:
        return _("这批物资不在途，无需确认接收")
    return _("这批物资已于%(day)s由%(user)s确认接收") % {"day": lot.received_on, "user": lot.received_by}


class StoreCreateView(RecordFormView):
    form_class = StoreForm
    title = _("新建库房")
    success_message = _("库房已建立")

    def perform(self, form):
        return services.store_create(chapter=form.chapter, user=self.request.user, **form.service_arguments())

    def get_success_url(self):
        return records_url("goods:stock", store=self.object.pk)


class LineView(IssueDetailView):
    """An issue line (a row of a fund's ledger): its issue's page."""

    def get_object(self, queryset=None):
        line = get_object_or_404(IssueLine.all_objects.only("issue_id"), pk=self.kwargs["pk"])
        self.kwargs["pk"] = line.issue_id
        return super().get_object(queryset)


class AdjustmentView(LotDetailView):
    """A stock count adjustment (a row of a fund's ledger): its lot's page."""

    def get_object(self, queryset=None):
        adjustment = get_object_or_404(every(Adjustment).only("lot_id"), pk=self.kwargs["pk"])
        self.kwargs["pk"] = adjustment.lot_id
        return super().get_object(queryset)


def drive_panel(drive):
    """The drive page's panel of its goods (registered with ``donations``): received, issued and
    on hand, per item, and its lots; None for a drive without goods."""
    goods = selectors.drive_goods_now(drive)
    if goods is None:
        return None
    return {
        "template": "goods/drive_goods.html",
        "stock_url": records_url("goods:stock", drive=drive.pk),
        **goods,
    }

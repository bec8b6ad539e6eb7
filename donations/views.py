import datetime
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from redcross.models import standing
from redcross.urls_util import records_url
from redcross.views.generic import RecordDetailView, RecordFormView, RecordListView

from . import selectors, services
from .filtersets import DonationFilterSet, DonorFilterSet, DriveFilterSet, FundFilterSet, PayoutFilterSet
from .forms import (
    DonationForm,
    DonorForm,
    DriveForm,
    FundForm,
    LedgerPeriodForm,
    PayoutForm,
    ReceiptForm,
    ReceiptVoidForm,
)
from .models import Donation, Donor, Drive, Fund, Payout, Receipt

# Entries of a fund's ledger on one page.
LEDGER_PAGE_SIZE = 50

# --- Donations --------------------------------------------------------------------------------


class DonationListView(RecordListView):
    model = Donation
    export_key = "donations"
    filterset_class = DonationFilterSet
    template_name = "donations/donation_list.html"

    def get_base_queryset(self):
        return super().get_base_queryset().with_related().with_receipt_number()

    def get_totals(self, queryset):
        """From the kept daily sums when the filters allow (``donation_list_totals``), else
        summed from the gifts."""
        figures = self.kept_figures()
        totals = None if figures is None else selectors.donation_list_totals(figures, self.filterset)
        return totals if totals is not None else selectors.donation_totals(queryset)


class DonationDetailView(RecordDetailView):
    model = Donation
    template_name = "donations/donation_detail.html"

    def get_queryset(self):
        return Donation.all_objects.with_related().select_related("created_by", "updated_by")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["receipts"] = self.object.receipts.select_related("voided_by", "created_by")
        context["has_valid_receipt"] = any(not r.is_void for r in context["receipts"])
        return context


class DonationFormMixin:
    form_class = DonationForm
    template_name = "donations/donation_form.html"

    def donor(self, form):
        return services.donor_resolve(
            chapter=form.chapter,
            user=self.request.user,
            name=form.cleaned_data["donor_name"],
            kind=form.cleaned_data["donor_kind"],
        )


class DonationCreateView(DonationFormMixin, RecordFormView):
    title = _("登记捐赠")
    success_message = _("捐赠已登记")
    continue_keeps = ("date", "drive", "fund", "kind")

    def get_initial(self):
        return {"drive": self.request.GET.get("drive")}

    def perform(self, form):
        return services.donation_record(
            chapter=form.chapter, user=self.request.user, donor=self.donor(form), **form.service_arguments()
        )


class DonationUpdateView(DonationFormMixin, RecordFormView):
    model = Donation
    title = _("更正捐赠")
    success_message = _("捐赠已更正")

    def perform(self, form):
        return services.donation_correct(
            donation=self.object, user=self.request.user, donor=self.donor(form), **form.service_arguments()
        )


class ReceiptIssueView(RecordFormView):
    parent_model = Donation
    form_class = ReceiptForm
    title = _("开具捐赠票据")
    success_message = _("票据已开具")

    def get_initial(self):
        return {"issued_on": self.parent.date}

    def perform(self, form):
        services.receipt_issue(donation=self.parent, user=self.request.user, **form.service_arguments())
        return self.parent


class ReceiptVoidView(RecordFormView):
    parent_model = Receipt
    form_class = ReceiptVoidForm
    title = _("作废票据")
    success_message = _("票据已作废")

    def get_cancel_url(self):
        return self.parent.donation.get_absolute_url()

    def get_title(self):
        return _("作废票据 %(number)s") % {"number": self.parent.number}

    def perform(self, form):
        services.receipt_void(receipt=self.parent, user=self.request.user, **form.service_arguments())
        return self.parent.donation


# --- Donors -----------------------------------------------------------------------------------


class DonorListView(RecordListView):
    model = Donor
    export_key = "donors"
    filterset_class = DonorFilterSet
    template_name = "donations/donor_list.html"

    def get_base_queryset(self):
        return selectors.donors_with_given(super().get_base_queryset().select_related("chapter"))

    def get_totals(self, queryset):
        return selectors.donor_totals(queryset)


class DonorDetailView(RecordDetailView):
    model = Donor
    template_name = "donations/donor_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        donations = Donation.all_objects.filter(donor=self.object)
        context["totals"] = selectors.donation_totals(standing(donations))
        # Voided gifts are listed too, marked; the totals count what stands.
        context["donations"] = donations.with_related().with_receipt_number()[:50]
        context["donations_url"] = records_url("donations:donation-list", donor=self.object.pk)
        return context


class DonorCreateView(RecordFormView):
    form_class = DonorForm
    title = _("登记捐赠人")
    success_message = _("捐赠人已登记")
    continue_keeps = ("kind",)

    def perform(self, form):
        return services.donor_create(chapter=form.chapter, user=self.request.user, **form.service_arguments())


class DonorUpdateView(RecordFormView):
    model = Donor
    form_class = DonorForm
    title = _("修改捐赠人")

    def perform(self, form):
        return services.donor_update(donor=self.object, user=self.request.user, **form.service_arguments())


# --- Funds ------------------------------------------------------------------------------------


class FundListView(RecordListView):
    model = Fund
    export_key = "funds"
    filterset_class = FundFilterSet
    template_name = "donations/fund_list.html"

    def get_base_queryset(self):
        queryset = (
            super().get_base_queryset().select_related("chapter", "restricted_category", "restricted_project")
        )
        return selectors.funds_with_balance(queryset)

    def get_totals(self, queryset):
        return selectors.fund_totals(queryset)


class FundDetailView(RecordDetailView):
    """A fund and its ledger: every inflow and outflow in date order with the running balance."""

    model = Fund
    template_name = "donations/fund_detail.html"

    def get_queryset(self):
        return selectors.funds_with_balance(
            Fund.objects.select_related("chapter", "restricted_category", "restricted_project")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        period_form = LedgerPeriodForm(self.request.GET)
        start, end = period_form.period()
        ledger = selectors.FundLedger(self.object, start=start, end=end)
        params = self.request.GET
        after, before = params.get("after") or None, params.get("before") or None
        last = params.get("page") == "last" and not after and not before
        page = ledger.page(LEDGER_PAGE_SIZE, after=after, before=before, last=last)
        if start or end:
            context.update(
                opening_balance=ledger.opening_balance(start) if start else Decimal("0.00"),
                closing_balance=ledger.opening_balance(end + datetime.timedelta(days=1)) if end else None,
            )
        context.update(
            period_form=period_form,
            ledger=page,
            ledger_count=ledger.count(),
            drives=self.object.drives.order_by("-start_date"),
            donations_url=records_url("donations:donation-list", fund=self.object.pk),
            disbursements_url=records_url("aid:disbursement-list", fund=self.object.pk),
            expenditures_url=records_url("projects:expenditure-list", fund=self.object.pk),
            payouts_url=records_url("donations:payout-list", fund=self.object.pk),
            export_extra={"fund": self.object.pk},
            # The goods the fund holds, lot by lot (the page of the app keeping goods, by its name).
            goods_url=records_url("goods:stock", fund=self.object.pk),
        )
        return context


class FundCreateView(RecordFormView):
    form_class = FundForm
    administered = True
    title = _("新建基金")
    success_message = _("基金已建立")
    continue_keeps = ()

    def perform(self, form):
        return services.fund_create(chapter=form.chapter, user=self.request.user, **form.service_arguments())


class FundUpdateView(RecordFormView):
    model = Fund
    form_class = FundForm
    administered = True
    title = _("修改基金")

    def perform(self, form):
        return services.fund_update(fund=self.object, user=self.request.user, **form.service_arguments())


# --- Drives -----------------------------------------------------------------------------------


class DriveListView(RecordListView):
    model = Drive
    export_key = "drives"
    filterset_class = DriveFilterSet
    template_name = "donations/drive_list.html"

    def get_base_queryset(self):
        return selectors.drives_with_totals(super().get_base_queryset().select_related("chapter", "fund"))

    def get_queryset(self):
        return super().get_queryset().order_by("-start_date", "name")

    def get_totals(self, queryset):
        return selectors.drive_totals_for_list(Drive.objects.filter(pk__in=queryset.values("pk")))


class DriveDetailView(RecordDetailView):
    """What a drive raised in cash and in kind, against its goal and the same drive in earlier years."""

    model = Drive
    template_name = "donations/drive_detail.html"

    def get_queryset(self):
        return Drive.objects.select_related("chapter", "fund")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        drive = self.object
        totals = selectors.drive_totals(drive)
        history = selectors.drive_history(drive)
        for past in history:
            past.url = records_url("donations:donation-list", drive=past.pk)
        earlier = [d for d in history if d.start_date < drive.start_date]
        context.update(
            totals=totals,
            history=history,
            previous=earlier[-1] if earlier else None,
            record_high=selectors.drive_is_record_high(drive, history),
            percent_of_goal=round(totals.amount * 100 / drive.goal) if drive.goal else None,
            donations_url=records_url("donations:donation-list", drive=drive.pk),
            cash_url=records_url("donations:donation-list", drive=drive.pk, kind="cash"),
            in_kind_url=records_url("donations:donation-list", drive=drive.pk, kind="in_kind"),
            panels=selectors.drive_panels(drive),
        )
        return context


class DriveCreateView(RecordFormView):
    form_class = DriveForm
    title = _("新建募捐活动")
    success_message = _("募捐活动已建立")
    continue_keeps = ("fund",)

    def perform(self, form):
        return services.drive_create(chapter=form.chapter, user=self.request.user, **form.service_arguments())


class DriveUpdateView(RecordFormView):
    model = Drive
    form_class = DriveForm
    title = _("修改募捐活动")

    def perform(self, form):
        return services.drive_update(drive=self.object, user=self.request.user, **form.service_arguments())


# --- Payouts ----------------------------------------------------------------------------------


class PayoutListView(RecordListView):
    model = Payout
    export_key = "payouts"
    filterset_class = PayoutFilterSet
    template_name = "donations/payout_list.html"

    def get_base_queryset(self):
        return super().get_base_queryset().select_related("chapter", "fund")

    def get_totals(self, queryset):
        figures = self.kept_figures()
        return selectors.payout_totals(queryset) if figures is None else selectors.payout_list_totals(figures)


class PayoutDetailView(RecordDetailView):
    model = Payout
    template_name = "donations/payout_detail.html"

    def get_queryset(self):
        return Payout.all_objects.select_related("chapter", "fund", "created_by", "updated_by")


class PayoutCreateView(RecordFormView):
    form_class = PayoutForm
    title = _("登记款物拨付")
    success_message = _("款物拨付已登记")
    continue_keeps = ("date", "fund", "purpose")

    def perform(self, form):
        return services.payout_record(
            chapter=form.chapter, user=self.request.user, **form.service_arguments()
        )


class PayoutUpdateView(RecordFormView):
    model = Payout
    form_class = PayoutForm
    title = _("更正款物拨付")

    def perform(self, form):
        return services.payout_correct(payout=self.object, user=self.request.user, **form.service_arguments())

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView

from redcross.models import standing
from redcross.urls_util import records_url
from redcross.views.generic import (
    AccessMixin,
    RecordDetailView,
    RecordFormView,
    RecordListView,
    add_service_errors,
)

from .filtersets import BeneficiaryFilterSet, DisbursementFilterSet
from .forms import BeneficiaryForm, BeneficiaryMergeForm, DisbursementForm
from .models import Beneficiary, Disbursement
from .selectors import (
    beneficiaries_with_payments,
    beneficiary_totals,
    disbursement_list_totals,
    disbursement_totals,
    person_counted,
)
from .services import (
    beneficiary_collisions,
    beneficiary_correct,
    beneficiary_merge,
    disbursement_correct,
    disbursement_record,
    standing_beneficiaries,
)


class DisbursementListView(RecordListView):
    model = Disbursement
    export_key = "disbursements"
    filterset_class = DisbursementFilterSet
    template_name = "aid/disbursement_list.html"

    def get_base_queryset(self):
        return super().get_base_queryset().with_related()

    def get_totals(self, queryset):
        """From the kept daily sums when the filters allow (``disbursement_list_totals``), else
        summed from the payments."""
        figures = self.kept_figures()
        totals = None if figures is None else disbursement_list_totals(figures, self.filterset)
        return totals if totals is not None else disbursement_totals(queryset)


class DisbursementDetailView(RecordDetailView):
    model = Disbursement
    template_name = "aid/disbursement_detail.html"

    def get_queryset(self):
        return Disbursement.all_objects.with_related().select_related("created_by", "updated_by")


class DisbursementCreateView(RecordFormView):
    form_class = DisbursementForm
    template_name = "aid/disbursement_form.html"
    success_message = _("救助发放已登记")
    continue_keeps = ("date", "category", "fund")

    def perform(self, form):
        return disbursement_record(chapter=form.chapter, user=self.request.user, **form.service_arguments())


class DisbursementUpdateView(RecordFormView):
    model = Disbursement
    form_class = DisbursementForm
    template_name = "aid/disbursement_form.html"
    success_message = _("救助发放已更正")

    def perform(self, form):
        return disbursement_correct(
            disbursement=self.object, user=self.request.user, **form.service_arguments()
        )


# --- Persons (受助人) ----------------------------------------------------------------------------


class BeneficiaryListView(RecordListView):
    """The persons helped (merged records left out), each with the payments the chosen category
    and year select; ID numbers masked for those who may not see them."""

    model = Beneficiary
    filterset_class = BeneficiaryFilterSet
    template_name = "aid/beneficiary_list.html"

    def get_base_queryset(self):
        return super().get_base_queryset().filter(merged_into__isnull=True).select_related("chapter")

    def get_queryset(self):
        self.filtered = super().get_queryset()
        payments = self.filterset.payment_q(prefix="")
        return beneficiaries_with_payments(self.filtered, payments).order_by("name", "pk")

    def get_totals(self, queryset):
        return beneficiary_totals(self.filtered, self.filterset.payment_q())


class BeneficiaryDetailView(RecordDetailView):
    """A person: every payment they received (voided ones marked) with totals, and what the
    reports counted them as (``PersonYear``)."""

    model = Beneficiary
    template_name = "aid/beneficiary_detail.html"

    def get_queryset(self):
        return Beneficiary.objects.select_related("chapter", "merged_into", "created_by", "updated_by")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        person = self.object
        payments = Disbursement.all_objects.filter(beneficiary=person).with_related().order_by("-date", "-pk")
        context["payments"] = payments
        context["totals"] = disbursement_totals(standing(payments))
        context["counted"] = person_counted(person)
        context["payments_url"] = records_url("aid:disbursement-list", beneficiary=person.pk)
        context["merged_records"] = list(person.merged_records.all())
        if person.is_merged:
            context["can_correct"] = False
        return context


class BeneficiaryUpdateView(RecordFormView):
    model = Beneficiary
    form_class = BeneficiaryForm
    template_name = "aid/beneficiary_form.html"
    title = _("更正受助人信息")
    success_message = _("受助人信息已更正")

    def perform(self, form):
        data = form.service_arguments()
        # The person the new values would collide with, linked beside the refusal.
        _problems, self.collision = beneficiary_collisions(beneficiary=self.object, **data)
        return beneficiary_correct(beneficiary=self.object, user=self.request.user, **data)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["collision"] = getattr(self, "collision", None)
        return context


class BeneficiaryMergeView(AccessMixin, FormView):
    """Two records that are one person: choose the other one and the one kept, see what moves,
    confirm."""

    form_class = BeneficiaryMergeForm
    template_name = "aid/beneficiary_merge.html"

    def dispatch(self, request, *args, **kwargs):
        self.object = get_object_or_404(Beneficiary.objects.select_related("chapter"), pk=kwargs["pk"])
        self.access.require_read(self.object.chapter)
        self.access.require_write(self.object.chapter)
        if self.object.is_merged:
            raise PermissionDenied(gettext("该受助人记录已合并到另一条记录，不能再合并"))
        return super().dispatch(request, *args, **kwargs)

    def candidates(self):
        return standing_beneficiaries().filter(chapter=self.object.chapter)

    def get_initial(self):
        other = self.request.GET.get("other", "")
        return {"other": other} if other.isdigit() else {}

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs.update(beneficiary=self.object, candidates=self.candidates())
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["object"] = self.object
        # The same name in the chapter: the likeliest other record of the person.
        context["namesakes"] = beneficiaries_with_payments(
            self.candidates().filter(name=self.object.name).exclude(pk=self.object.pk)
        ).order_by("pk")[:20]
        return context

    def form_valid(self, form):
        kept, merged = form.pair()
        if not form.cleaned_data.get("confirmed"):
            pair = {
                b.pk: b
                for b in beneficiaries_with_payments(Beneficiary.objects.filter(pk__in=[kept.pk, merged.pk]))
            }
            form.data = form.data.copy()
            form.data["confirmed"] = "True"
            return self.render_to_response(
                self.get_context_data(form=form, confirming=True, kept=pair[kept.pk], merged=pair[merged.pk])
            )
        try:
            beneficiary_merge(keep=kept, merged=merged, user=self.request.user)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            gettext("已将受助人“%(merged)s”（#%(merged_pk)s）合并到“%(kept)s”（#%(kept_pk)s）")
            % {"merged": merged.name, "merged_pk": merged.pk, "kept": kept.name, "kept_pk": kept.pk},
        )
        return redirect(kept.get_absolute_url())

from django.utils.translation import gettext_lazy as _

from redcross.views.generic import RecordDetailView, RecordFormView, RecordListView

from .filtersets import DisbursementFilterSet
from .forms import DisbursementForm
from .models import Disbursement
from .selectors import disbursement_totals
from .services import disbursement_correct, disbursement_record


class DisbursementListView(RecordListView):
    model = Disbursement
    export_key = "disbursements"
    filterset_class = DisbursementFilterSet
    template_name = "aid/disbursement_list.html"

    def get_base_queryset(self):
        return super().get_base_queryset().with_related()

    def get_totals(self, queryset):
        return disbursement_totals(queryset)


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

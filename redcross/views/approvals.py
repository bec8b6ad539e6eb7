"""The list of what waits for approval (待审批): every pending relief payment and expenditure the
user reads, with the facts the approver decides on, and the decision itself (同意 / 驳回, with an
opinion) sent to the record's approval page, which asks to confirm it with every fact in view."""

from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from redcross.corrections import total_of, waiting_records

from .base import AccessMixin
from .corrections import ApproveForm, facts_template


class WaitingListView(AccessMixin, TemplateView):
    template_name = "approvals/list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        records = waiting_records(self.access)
        for record in records:
            record.kind = record._meta.verbose_name
            record.key = f"{record._meta.model_name}-{record.pk}"
            record.facts_template = facts_template(type(record))
            record.approve_url = _approve_url(record)
        context.update(
            title=_("待审批"),
            records=records,
            total=sum((total_of(r) for r in records), 0),
            decidable=sum(1 for r in records if r.decidable),
            form=ApproveForm(),
        )
        return context


def _approve_url(record):
    from django.urls import reverse

    return reverse(f"{record._meta.app_label}:{record._meta.model_name}-approve", args=[record.pk])

"""Voiding, reversing (冲销) and approving an accounting record, from its page.

Each app routes its records' actions to these views with ``correction_urls`` (approving only
where a record can wait for approval).
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView

from redcross import corrections
from redcross.forms import DateField
from redcross.models import ApprovedModel, ClosedPeriod, CorrectableModel, every

from .base import AccessMixin, add_service_errors


class VoidForm(forms.Form):
    reason = forms.CharField(label=_("作废原因"), max_length=200)


class ReverseForm(forms.Form):
    date = DateField(label=_("冲销日期"), help_text=_("须在未结账的期间内"))
    reason = forms.CharField(label=_("冲销原因"), max_length=200)


class ApproveForm(forms.Form):
    pass


class CorrectionView(AccessMixin, FormView):
    """One action on one record of ``model``: the record's chapter and the user's role decide."""

    model = None
    template_name = "corrections/form.html"

    def dispatch(self, request, *args, **kwargs):
        self.object = get_object_or_404(every(self.model).select_related("chapter"), pk=kwargs["pk"])
        self.access.require_read(self.object.chapter)
        if not self.allowed():
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            object=self.object,
            kind=self.model._meta.verbose_name,
            title=self.title,
            explanation=self.explanation,
        )
        return context

    def form_valid(self, form):
        try:
            target = self.perform(form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, self.done)
        return redirect(target.get_absolute_url())


class VoidView(CorrectionView):
    form_class = VoidForm
    title = _("作废记录")
    done = _("已作废")
    explanation = _(
        "作废后记录仍保留在列表、明细账和修改记录中，标为“已作废”，不再计入任何合计、报告和基金余额。"
        "已结账期间内的记录不能作废，只能冲销。"
    )

    def allowed(self):
        return corrections.can_void(self.access, self.object)

    def perform(self, data):
        return corrections.record_void(self.object, user=self.request.user, reason=data["reason"])


class ReverseView(CorrectionView):
    form_class = ReverseForm
    title = _("冲销记录")
    done = _("已登记冲销；如需更正，请重新登记正确的记录")
    explanation = _(
        "原记录所在期间已结账，不能修改或作废。冲销在未结账期间登记一笔金额相反、注明原记录的调整，"
        "只冲减金额，不计笔数、人数和例数。"
    )

    def get_initial(self):
        return {"date": timezone.localdate()}

    def allowed(self):
        return self.access.can_write(self.object.chapter)

    def perform(self, data):
        return corrections.record_reverse(
            self.object, user=self.request.user, date=data["date"], reason=data["reason"]
        )


class ApproveView(CorrectionView):
    form_class = ApproveForm
    title = _("审批")
    done = _("已审批，记录开始计入合计")
    explanation = _("审批后该笔记录计入报告、明细账合计和基金余额。不同意请作废并写明原因。")

    def allowed(self):
        if not self.access.can_approve(self.object.chapter):
            return False
        if not corrections.can_approve(self.access, self.object):
            # Not even the page: the one who entered or last corrected a record does not approve
            # it (four eyes), and is told so rather than shown a button that would be refused.
            raise PermissionDenied(_("录入或更正该记录的人不能审批它，请由其他领导审批"))
        return True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["approving"] = True
        context["repeats"] = approval_context(self.object)["repeats"]
        return context

    def perform(self, data):
        return corrections.record_approve(self.object, user=self.request.user)


def approval_context(record):
    """What a record's page shows of its approval: repeat payments to the same person."""
    repeats = []
    if record.is_pending:
        repeats = corrections.hooks_for(record).approval_repeats(record)
    return {"repeats": repeats}


def correction_context(record, access):
    """The record's status and the corrections the user may make of it, for its page."""
    if not isinstance(record, CorrectableModel):
        return {}
    closed = ClosedPeriod.covering(record.chapter_id, getattr(record, record.closing_date_field))
    reversals = list(every(type(record)).filter(reverses=record.pk).order_by("pk"))
    standing_reversal = any(not r.is_void for r in reversals)
    writer = access.can_write(record.chapter)
    route = f"{record._meta.app_label}:{record._meta.model_name}"
    return {
        "correctable": True,
        "closed_period": closed,
        "reversals": reversals,
        "may_void": not record.is_void and closed is None and not standing_reversal
        and corrections.can_void(access, record),
        "may_reverse": writer and closed is not None and record.stands and not record.is_reversal
        and not standing_reversal,
        "may_approve": record.is_pending and corrections.can_approve(access, record),
        **{
            f"{action}_url": reverse(f"{route}-{action}", args=[record.pk])
            for action in _actions(type(record))
        },
        **approval_context(record),
    }  # fmt: skip


def _actions(model):
    """The corrections ``model``'s records have: void and reverse, and approve for spending that
    waits for approval (``ApprovedModel``); a donation or payout never waits, so has no such route."""
    views = {"void": VoidView, "reverse": ReverseView}
    if issubclass(model, ApprovedModel):
        views["approve"] = ApproveView
    return views


def correction_urls(model, name, under=""):
    """The correction routes of ``model``'s records (``under`` their path), named
    ``<name>-void``, ``<name>-reverse`` and, for spending that is approved, ``<name>-approve``."""
    return [
        path(f"{under}<int:pk>/{action}/", view.as_view(model=model), name=f"{name}-{action}")
        for action, view in _actions(model).items()
    ]

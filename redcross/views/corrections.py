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
from redcross.money import format_money
from redcross.params import safe_next

from .base import AccessMixin, add_service_errors


class VoidForm(forms.Form):
    reason = forms.CharField(label=_("作废原因"), max_length=200)


class ReverseForm(forms.Form):
    date = DateField(label=_("冲销日期"), help_text=_("须在未结账的期间内"))
    reason = forms.CharField(label=_("冲销原因"), max_length=200)


class ApproveForm(forms.Form):
    opinion = forms.CharField(
        label=_("审批意见"),
        required=False,
        max_length=200,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("同意时可不填；驳回须写明理由，录入人会在其首页看到"),
    )


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
    """The approver's page: the record's facts, the fund's balance now and after it, repeat
    payments to the same person, and an opinion kept with the decision: 同意 (approve) or 驳回
    (turn down, the opinion saying why). A decision posted from the list of what waits
    (``/approvals/``) comes back here first to be confirmed with the facts in view; from this
    page the post carries ``confirmed``."""

    form_class = ApproveForm
    template_name = "corrections/approve.html"
    title = _("审批")
    explanation = _(
        "同意后该笔记录计入报告、明细账合计和基金余额；驳回后记录作废，保留在列表和修改记录中，不计入任何合计。"
    )
    DECISIONS = ("approve", "turn_down")

    def allowed(self):
        if not self.access.can_approve(self.object.chapter):
            return False
        if not corrections.can_approve(self.access, self.object):
            # Not even the page: the one who entered or last corrected a record does not approve
            # it (four eyes), and is told so rather than shown a button that would be refused.
            raise PermissionDenied(_("录入或更正该记录的人不能审批它，请由其他领导审批"))
        return True

    def back_url(self):
        source = self.request.POST if self.request.method == "POST" else self.request.GET
        return safe_next(self.request, source.get("next"), default=self.object.get_absolute_url())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(approval_context(self.object, with_balance=True))
        context.update(
            next=self.back_url(),
            confirming=getattr(self, "confirming", None),
            facts_template=facts_template(self.model),
        )
        return context

    def form_valid(self, form):
        decision = self.request.POST.get("decision")
        if decision not in self.DECISIONS:
            form.add_error(None, _("请选择“同意”或“驳回”"))
            return self.form_invalid(form)
        opinion = form.cleaned_data["opinion"]
        if decision == "turn_down" and not opinion.strip():
            form.add_error("opinion", _("驳回须填写审批意见，说明理由"))
            return self.form_invalid(form)
        if not self.request.POST.get("confirmed"):
            # From the list: the same decision, confirmed here with every fact in view.
            self.confirming = decision
            return self.render_to_response(self.get_context_data(form=form))
        user = self.request.user
        try:
            if decision == "approve":
                record = corrections.record_approve(self.object, user=user, opinion=opinion)
                done = _("已同意：%(kind)s #%(pk)s，%(amount)s 元，开始计入合计和基金余额")
            else:
                record = corrections.record_turn_down(self.object, user=user, opinion=opinion)
                done = _("已驳回：%(kind)s #%(pk)s，%(amount)s 元；录入人会在其首页看到驳回理由")
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        what = {
            "kind": self.model._meta.verbose_name,
            "pk": record.pk,
            "amount": format_money(corrections.total_of(record)),
        }
        messages.success(self.request, done % what)
        return redirect(self.back_url())


def facts_template(model):
    """The template of a waiting record's facts: its app's ``<model>_facts.html``, else the
    kernel's (amount, date, fund, who entered it)."""
    return [f"{model._meta.app_label}/{model._meta.model_name}_facts.html", "corrections/facts.html"]


def approval_context(record, *, with_balance=False):
    """What a record's page shows of its approval: repeat payments to the same person, and
    (on the approver's page) the fund's balance now and after it."""
    context = {"repeats": [], "balance": None}
    if record.is_pending:
        hooks = corrections.hooks_for(record)
        context["repeats"] = hooks.approval_repeats(record)
        if with_balance:
            context["balance"] = hooks.fund_balances([record]).get(record.pk)
    return context


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
        # Staff void; an approver turns a waiting record down from the approval page instead.
        "may_void": not record.is_void and closed is None and not standing_reversal and writer,
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

"""Closing periods: leadership close a month, half-year or year; administrators reopen one, saying
why. Administrators also set here the amount above which spending waits for a leader's approval."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.generic import ListView

from redcross.choices import PeriodKind
from redcross.corrections import pending_in_period
from redcross.forms import MoneyField
from redcross.models import Chapter, ClosedPeriod
from redcross.money import format_money
from redcross.params import id_param
from redcross.periods import period_bounds, period_label
from redcross.services import approval_threshold_set, period_close, period_reopen

from .generic import AccessMixin


class CloseForm(forms.Form):
    chapter = forms.ModelChoiceField(label=_("红十字会"), queryset=Chapter.objects.none())
    kind = forms.ChoiceField(label=_("结账期间"), choices=PeriodKind.choices)
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    part = forms.IntegerField(label=_("月份或半年（1/2）"), min_value=1, max_value=12, initial=1)


class ThresholdForm(forms.Form):
    chapter = forms.ModelChoiceField(label=_("红十字会"), queryset=Chapter.objects.none())
    threshold = MoneyField(label=_("审批金额（元）"), required=False, help_text=_("为空表示不需审批"))


class PeriodListView(AccessMixin, ListView):
    template_name = "periods/list.html"

    def get_queryset(self):
        return ClosedPeriod.objects.filter(self.access.readable_q("chapter__path")).select_related(
            "chapter", "created_by", "reopened_by"
        )

    def leading(self):
        """The chapters whose periods the user closes."""
        return Chapter.objects.filter(
            pk__in=[m.chapter_id for m in self.access.memberships if self.access.can_close_periods(m.chapter)]
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = kwargs.get("form") or CloseForm(initial={"year": timezone.localdate().year})
        form.fields["chapter"].queryset = self.leading()
        administered = self.access.administered_chapters()
        first = administered[0] if administered else None
        threshold_form = kwargs.get("threshold_form") or ThresholdForm(
            initial={"chapter": first, "threshold": first.approval_threshold if first else None}
        )
        threshold_form.fields["chapter"].queryset = Chapter.objects.filter(
            pk__in=[c.pk for c in administered]
        )
        context.update(
            form=form,
            can_close=self.leading().exists(),
            administered={c.pk for c in administered},
            threshold_form=threshold_form,
            thresholds=self.access.chapters,
        )
        return context

    def post(self, request):
        if "reopen" in request.POST:
            period = get_object_or_404(
                self.get_queryset(), pk=id_param(request.POST["reopen"], label=_("重新开放的期间"))
            )
            try:
                period_reopen(period=period, user=request.user, reason=request.POST.get("reason", ""))
            except ValidationError as error:
                for message in error.messages:
                    messages.error(request, message)
            else:
                messages.success(request, _("%(period)s已重新开放") % {"period": period.label})
            return redirect("periods")
        if "threshold" in request.POST:
            return self.set_threshold(request)
        form = CloseForm(request.POST)
        form.fields["chapter"].queryset = self.leading()
        if not form.is_valid():
            self.object_list = self.get_queryset()
            return self.render_to_response(self.get_context_data(form=form))
        if not request.POST.get("confirm"):
            return self.confirm_close(request, form)
        try:
            period = period_close(user=request.user, **form.cleaned_data)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("%(period)s已结账") % {"period": period.label})
        return redirect("periods")

    def confirm_close(self, request, form):
        """Closing cannot be taken back by its leader, so the first POST shows what closing means
        and the period's records still waiting for approval; a second POST with ``confirm`` closes."""
        data = form.cleaned_data
        try:
            start, end = period_bounds(data["kind"], data["year"], data["part"])
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            return redirect("periods")
        return render(
            request,
            "periods/confirm_close.html",
            {
                "form": form,
                "chapter": data["chapter"],
                "label": period_label(data["kind"], start),
                "start": start,
                "end": end,
                "pending": pending_in_period(data["chapter"], start, end),
            },
        )

    def set_threshold(self, request):
        form = ThresholdForm(request.POST)
        form.fields["chapter"].queryset = Chapter.objects.filter(
            pk__in=[c.pk for c in self.access.administered_chapters()]
        )
        if not form.is_valid():
            self.object_list = self.get_queryset()
            return self.render_to_response(self.get_context_data(threshold_form=form))
        chapter = approval_threshold_set(
            chapter=form.cleaned_data["chapter"], user=request.user, amount=form.cleaned_data["threshold"]
        )
        if chapter.approval_threshold is None:
            messages.success(request, _("%(chapter)s的支出不再需要审批") % {"chapter": chapter.name})
        else:
            messages.success(
                request,
                _("%(chapter)s超过 %(amount)s 元的救助发放和项目支出须经领导审批")
                % {"chapter": chapter.name, "amount": format_money(chapter.approval_threshold)},
            )
        return redirect("periods")

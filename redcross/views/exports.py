"""Excel exports from the browser: every list's "导出Excel" button, the ledgers page, and the
progress and download of exports too large to download at once."""

import tempfile

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import DetailView, FormView, ListView

from redcross.exports import EXPORTS, LEDGERS, export_class, maker_name
from redcross.filters import DateInput
from redcross.models import Export
from redcross.params import safe_next
from redcross.services import export_queue, export_write

from .generic import AccessMixin

# Parameters of a list page that are not filters.
NOT_FILTERS = {"page", "csrfmiddlewaretoken"}


def export_response(request, export, params, *, back):
    """The workbook of ``params`` at once when small, else a job for the worker and its page."""
    try:
        _filterset, queryset = export.filtered(params)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return HttpResponseRedirect(back)
    rows = export.count(queryset)
    if rows > settings.EXPORT_IMMEDIATE_ROWS:
        job = export_queue(user=request.user, export=export, params=params, rows_total=rows)
        messages.info(request, _("数据较多，正在后台导出，完成后可在此下载"))
        return redirect(job)
    handle = tempfile.TemporaryFile()
    export_write(export, params, handle, made_by=maker_name(request.user))
    handle.seek(0)
    with translation.override("zh-hans"):  # named in the workbook's language (export_write)
        filename = export.filename(params)
    return FileResponse(handle, as_attachment=True, filename=filename)


class ExportCreateView(AccessMixin, View):
    """POST the list's filters: a small export comes back at once, a large one goes to the worker."""

    http_method_names = ["post"]

    def post(self, request, key):
        if key not in EXPORTS:
            raise Http404
        params = request.POST.copy()
        back = safe_next(request, params.pop("next", [""])[0])
        for name in NOT_FILTERS:
            params.pop(name, None)
        return export_response(request, export_class(key)(self.access), params, back=back)


class ExportListView(AccessMixin, ListView):
    """The exports the user asked the worker for, newest first."""

    template_name = "exports/export_list.html"
    paginate_by = settings.LIST_PAGE_SIZE

    def get_queryset(self):
        return Export.objects.filter(user=self.request.user)


class OwnExportMixin:
    def get_queryset(self):
        return Export.objects.filter(user=self.request.user)


class ExportDetailView(OwnExportMixin, AccessMixin, DetailView):
    """How far an export got (the page reloads itself until it is done), then its download."""

    template_name = "exports/export_detail.html"
    context_object_name = "export"


class ExportDownloadView(OwnExportMixin, AccessMixin, View):
    def get(self, request, pk):
        job = get_object_or_404(self.get_queryset(), pk=pk)
        if not job.file:
            raise Http404
        return FileResponse(job.file.open("rb"), as_attachment=True, filename=job.filename)


class LedgerForm(forms.Form):
    """The ledgers page: which ledger, of which chapter, for which period (as ``export_ledger``)."""

    ledger = forms.ChoiceField(label=_("账簿"))
    chapter = forms.ModelChoiceField(label=_("红十字会（含下级）"), queryset=None, to_field_name="pk")
    date_after = forms.DateField(label=_("起始日期"), widget=DateInput())
    date_before = forms.DateField(label=_("截止日期"), widget=DateInput())

    def __init__(self, *args, access, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["chapter"].queryset = access.readable_chapters()
        self.fields["ledger"].choices = [(key, export_class(key).title) for key in LEDGERS]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_after"), cleaned.get("date_before")
        if start and end and start > end:
            raise ValidationError({"date_before": _("截止日期不能早于起始日期")})
        return cleaned


class LedgerView(AccessMixin, FormView):
    """Auditors pick a ledger, a chapter and a period; the form posts to the export itself."""

    template_name = "exports/ledgers.html"
    form_class = LedgerForm

    def dispatch(self, request, *args, **kwargs):
        if not self.access.chapters:
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "access": self.access}

    def get_initial(self):
        return {"chapter": self.access.home_chapter}

    def form_valid(self, form):
        data = form.cleaned_data
        params = {
            "chapter": data["chapter"].pk,
            "date_after": data["date_after"].isoformat(),
            "date_before": data["date_before"].isoformat(),
        }
        export = export_class(data["ledger"])(self.access)
        return export_response(self.request, export, params, back=self.request.path)

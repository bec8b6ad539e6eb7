"""Import from the browser: upload a workbook, read the preview (what would be created, every
error, likely duplicates), confirm, and undo a whole batch; the blank template and the workbook
back with its bad cells marked."""

import tempfile
from collections import defaultdict

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import DetailView, FormView, ListView

from redcross.choices import ImportJob, ImportStatus
from redcross.idnumber import mask_id_number
from redcross.import_template import build_template
from redcross.importing import (
    PREVIEW_ROWS,
    RefusedFile,
    TooManyRows,
    checksum,
    import_records,
    import_undo,
    marked_workbook,
    sheet_classes,
)
from redcross.models import Chapter, ImportBatch
from redcross.services import import_queue

from .generic import AccessMixin


class UploadForm(forms.Form):
    chapter = forms.ModelChoiceField(label=_("导入到"), queryset=None)
    file = forms.FileField(
        label=_("工作簿（.xlsx）"), widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"})
    )

    def __init__(self, *args, chapters, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["chapter"].queryset = chapters
        self.fields["chapter"].empty_label = None

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.IMPORT_MAX_BYTES:
            raise ValidationError(
                _("文件过大（%(size)s MB），上限为 %(limit)s MB")
                % {"size": round(upload.size / 2**20, 1), "limit": settings.IMPORT_MAX_BYTES // 2**20}
            )
        return upload


def _writable_chapters(access):
    return Chapter.objects.filter(pk__in=[c.pk for c in access.writable_chapters()])


class ImportUploadView(AccessMixin, FormView):
    """Staff and administrators upload a workbook; it is checked at once and nothing is saved."""

    template_name = "imports/upload.html"
    form_class = UploadForm

    def dispatch(self, request, *args, **kwargs):
        self.access.require_write()
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "chapters": _writable_chapters(self.access)}

    def form_valid(self, form):
        upload, chapter = form.cleaned_data["file"], form.cleaned_data["chapter"]
        try:
            result = import_records(
                upload,
                chapter=chapter,
                user=self.request.user,
                dry_run=True,
                row_budget=settings.IMPORT_IMMEDIATE_ROWS,
            )
        except RefusedFile as refusal:
            form.add_error("file", str(refusal))
            return self.form_invalid(form)
        except TooManyRows as large:
            return self._check_in_background(upload, chapter, large.declared)
        if result.already is not None:
            return self._already(result.already)
        batch = self._batch(upload, chapter, report=result.as_report(), counts=result.counts)
        return redirect(batch)

    def _batch(self, upload, chapter, **fields):
        upload.seek(0)
        batch = ImportBatch(
            chapter=chapter,
            user=self.request.user,
            filename=upload.name[:200],
            checksum=checksum(upload),
            **fields,
        )
        batch.file.save(upload.name, upload, save=False)
        batch.save()
        return batch

    def _already(self, earlier):
        messages.warning(
            self.request,
            _("该文件已于 %(when)s 导入（第 %(batch)s 批），不会重复导入，本次未创建任何记录")
            % {
                "when": timezone.localtime(earlier.imported_at).strftime("%Y-%m-%d %H:%M"),
                "batch": earlier.pk,
            },
        )
        return redirect(earlier)

    def _check_in_background(self, upload, chapter, declared):
        """A workbook of more than IMPORT_IMMEDIATE_ROWS rows is checked by the task worker."""
        batch = self._batch(upload, chapter, rows_total=declared)
        import_queue(batch=batch, job=ImportJob.CHECK, user=self.request.user)
        messages.info(self.request, _("工作簿较大，正在后台检查；本页显示进度，检查完成后可确认导入"))
        return redirect(batch)


class BatchMixin(AccessMixin):
    """A batch of a chapter the user reads; acting on it takes writing that chapter."""

    def get_batch(self, pk):
        batch = get_object_or_404(ImportBatch.objects.select_related("chapter", "user", "undone_by"), pk=pk)
        self.access.require_read(batch.chapter)
        return batch


class ImportListView(AccessMixin, ListView):
    template_name = "imports/list.html"
    paginate_by = settings.LIST_PAGE_SIZE

    def get_queryset(self):
        return (
            ImportBatch.objects.filter(self.access.readable_q("chapter__path"))
            # Previews checked in the request are not listed; those the worker checks are, to come back to.
            .exclude(status=ImportStatus.PREVIEW, rows_read=0, job=ImportJob.NONE)
            .select_related("chapter", "user")
        )


class ImportDetailView(BatchMixin, DetailView):
    template_name = "imports/detail.html"
    context_object_name = "batch"

    def get_object(self, queryset=None):
        return self.get_batch(self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        batch = self.object
        report = batch.report or {}
        problems = report.get("problems", [])
        sheets = preview_sheets(batch, report, problems, access=self.access)
        context.update(
            can_act=self.access.can_write(batch.chapter),
            problems=problems,
            sheets=sheets,
            preview_rows=PREVIEW_ROWS,
            record_links=record_links(batch) if batch.status == ImportStatus.DONE else [],
            warnings=report.get("warnings", []),
            notices=report.get("notices", []),
            can_mark=batch.rows_read <= settings.IMPORT_IMMEDIATE_ROWS,
            counts=report.get("counts", batch.counts),
            total=sum((report.get("counts") or batch.counts or {}).values()),
        )
        return context


def preview_sheets(batch, report, problems, *, access):
    """Per sheet of the preview: its columns, the count of records to create, and the rows the
    check kept (the first ones to create, those with problems) with their problems beside them.
    Every problem is also in the page's list of problems (a problem of the file as a whole, a
    missing column). ID numbers are masked for whoever may not see them."""
    columns, rows = report.get("columns", {}), report.get("rows", {})
    counts = report.get("counts", {})
    by_row = defaultdict(list)
    for problem in problems:
        by_row[(problem["sheet"], problem["row"])].append(problem)
    in_full = access.can_see_personal_data(batch.chapter_id)
    sheets = []
    for name in [cls.name for cls in sheet_classes() if cls.name in columns]:
        names = columns[name]
        masked = set() if in_full else {i for i, column in enumerate(names) if column == "身份证号"}
        lines = []
        for kept in sorted(rows.get(name, []), key=lambda r: r["row"]):
            cells = [
                {
                    "value": mask_id_number(value) if i in masked and value else value,
                    "bad": names[i] in kept["bad"],
                }
                for i, value in enumerate(kept["cells"])
            ]
            lines.append(
                {
                    "row": kept["row"],
                    "cells": cells,
                    "problems": by_row.get((name, kept["row"]), []),
                    "note": kept.get("note", ""),
                }
            )
        bad = len({p["row"] for p in problems if p["sheet"] == name and p["row"]})
        sheets.append(
            {
                "name": name,
                "columns": names,
                "count": counts.get(name, 0),
                "rows": lines,
                "bad_rows": bad,
                "shown_ok": sum(1 for line in lines if not line["problems"]),
            }
        )
    return sheets


def record_links(batch):
    """For an imported batch: each sheet's records, as the list of that kind filtered by the batch."""
    links = []
    for cls in sheet_classes():
        count = (batch.counts or {}).get(cls.name)
        if count and cls.list_url:
            links.append(
                {"name": cls.name, "count": count, "url": f"{reverse(cls.list_url)}?batch={batch.pk}"}
            )
    return links


class ImportConfirmView(BatchMixin, View):
    """Imports a previewed batch: everything is checked again, in the transaction that saves it."""

    def post(self, request, pk):
        batch = self.get_batch(pk)
        self.access.require_write(batch.chapter)
        if batch.status != ImportStatus.PREVIEW or not batch.file:
            raise Http404
        if batch.running:
            messages.warning(request, _("该批次正在后台处理，请等待完成"))
            return redirect(batch)
        if batch.total_count > settings.IMPORT_IMMEDIATE_ROWS:
            return self._in_background(batch)
        try:
            with batch.file.open("rb") as handle:
                result = import_records(
                    handle,
                    chapter=batch.chapter,
                    user=request.user,
                    filename=batch.filename,
                    batch=batch,
                    row_budget=settings.IMPORT_IMMEDIATE_ROWS,
                )
        except TooManyRows:
            return self._in_background(batch)
        except RefusedFile as refusal:
            messages.error(request, str(refusal))
            return redirect(batch)
        if result.already is not None:
            messages.warning(
                request, _("该文件已导入过（第 %(batch)s 批），未重复导入") % {"batch": result.already.pk}
            )
            return redirect(result.already)
        if not result.imported:
            batch.report = result.as_report()
            batch.save(update_fields=["report"])
            messages.error(request, _("数据已有变化，重新检查发现错误，未导入任何记录"))
            return redirect(batch)
        messages.success(
            request,
            _("已导入 %(count)s 条记录（第 %(batch)s 批）")
            % {"count": sum(result.counts.values()), "batch": batch.pk},
        )
        return redirect(batch)

    def _in_background(self, batch):
        """More than IMPORT_IMMEDIATE_ROWS rows: the task worker imports, the page follows it."""
        if import_queue(batch=batch, job=ImportJob.IMPORT, user=self.request.user):
            messages.info(self.request, _("记录较多，正在后台导入；本页显示进度，完成后显示结果"))
        return redirect(batch)


class ImportUndoView(BatchMixin, View):
    """Undoing a whole batch voids or deletes every record it made, so it goes through a
    confirmation page (GET) saying what will go; only a POST carrying ``confirm`` undoes."""

    def get(self, request, pk):
        batch = self.get_batch(pk)
        self.access.require_write(batch.chapter)
        if batch.status != ImportStatus.DONE or batch.running:
            return redirect(batch)
        counts = batch.counts or {}
        return render(
            request,
            "imports/undo_confirm.html",
            {"batch": batch, "counts": counts, "total": sum(counts.values())},
        )

    def post(self, request, pk):
        batch = self.get_batch(pk)
        self.access.require_write(batch.chapter)
        if not request.POST.get("confirm"):
            messages.error(request, _("请先查看将撤销的记录，再确认撤销"))
            return redirect("import-undo", batch.pk)
        if batch.running:
            messages.warning(request, _("该批次正在后台处理，请等待完成"))
            return redirect(batch)
        if batch.total_count > settings.IMPORT_IMMEDIATE_ROWS and batch.status == ImportStatus.DONE:
            # Voiding and deleting that many records is the worker's (about 23 s for 100,000).
            if import_queue(batch=batch, job=ImportJob.UNDO, user=request.user):
                messages.info(request, _("记录较多，正在后台撤销；本页显示结果"))
            return redirect(batch)
        try:
            import_undo(batch, user=request.user)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("第 %(batch)s 批已整批撤销") % {"batch": batch.pk})
        return redirect(batch)


class ImportMarkedView(BatchMixin, View):
    """The uploaded workbook back, each bad cell filled red with a note saying what is wrong."""

    def get(self, request, pk):
        batch = self.get_batch(pk)
        if request.user != batch.user and not self.access.can_write(batch.chapter):
            raise PermissionDenied
        if not batch.file:
            raise Http404
        if batch.rows_read > settings.IMPORT_IMMEDIATE_ROWS:
            # Marking loads the whole workbook (to keep its drop-downs and formats): not in a request.
            messages.error(
                request, _("工作簿较大，不提供标注错误的工作簿；请按本页列出的错误（工作表、行号、列名）改正")
            )
            return redirect(batch)
        handle = tempfile.TemporaryFile()
        with batch.file.open("rb") as source:
            marked_workbook(source, (batch.report or {}).get("problems", []), handle)
        handle.seek(0)
        name = batch.filename.removesuffix(".xlsx") + "-错误标注.xlsx"
        return FileResponse(handle, as_attachment=True, filename=name)


class ImportTemplateView(AccessMixin, View):
    """The blank template, its drop-downs offering the user's chapter's funds, drives and projects."""

    def get(self, request):
        writable = self.access.writable_chapters()
        chapter = writable[0] if writable else self.access.home_chapter
        handle = tempfile.TemporaryFile()
        build_template(handle, chapter=chapter)
        handle.seek(0)
        return FileResponse(handle, as_attachment=True, filename="红十字会记录导入模板.xlsx")

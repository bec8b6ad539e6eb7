"""Writes of what every app shares: Excel exports run in the background."""

import logging
import os
import tempfile

from django.core.files import File
from django.db import transaction
from django.utils import timezone, translation
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from .access import Access
from .choices import ExportStatus
from .exports import export_class
from .models import Export

logger = logging.getLogger(__name__)

# How often the worker says how far it got (rows).
PROGRESS_EVERY = 5000


def export_write(export, params, target, *, made_by, progress=None):
    """Writes ``export`` (a RecordExport) of ``params`` to ``target``. Ledgers are Chinese
    documents, as the reports are: they read the same whatever language the person reads."""
    with translation.override("zh-hans"):
        return export.write(params, target, made_by=made_by, progress=progress)


def export_queue(*, user, export, params, rows_total):
    """Records an export for the worker and hands it over; returns the Export to follow."""
    from .tasks import export_run_task

    job = Export.objects.create(
        user=user,
        key=export.key,
        title=str(export.title),
        query=urlencode(params, doseq=True),
        rows_total=rows_total,
    )
    transaction.on_commit(lambda: export_run_task.enqueue(job.pk))
    return job


def export_run(job):
    """Writes the workbook of ``job`` as its owner may see it, saying how far it got as it goes."""
    from django.http import QueryDict

    Export.objects.filter(pk=job.pk).update(status=ExportStatus.RUNNING)
    export = export_class(job.key)(Access(job.user))

    def progress(rows):
        Export.objects.filter(pk=job.pk).update(rows_done=rows)

    descriptor, path = tempfile.mkstemp(suffix=".xlsx")
    os.close(descriptor)
    try:
        written = export_write(
            export, QueryDict(job.query), path, made_by=job.user.get_username(), progress=progress
        )
        with translation.override("zh-hans"):
            job.filename = export.filename()
        with open(path, "rb") as handle:
            job.file.save(job.filename, File(handle), save=False)
        job.rows_done = written.rows
        job.status = ExportStatus.DONE
    except Exception as error:  # the job says it failed; the worker's log has the trace
        logger.exception("Export %s failed", job.pk)
        job.status = ExportStatus.FAILED
        job.error = _("导出失败：%(error)s") % {"error": type(error).__name__}
    finally:
        os.unlink(path)
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "file", "filename", "rows_done", "error", "finished_at"])
    return job

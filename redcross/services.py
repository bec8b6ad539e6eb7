"""Writes of what every app shares: Excel exports run in the background."""

import logging
import os
import tempfile

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone, translation
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from .access import Access
from .choices import ExportStatus
from .exports import export_class
from .models import Export
from .money import to_money

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


# --- Imports too large for a request ------------------------------------------------------------


def import_queue(*, batch, job, user):
    """Hands ``batch`` to the worker to check (``ImportJob.CHECK``), import (``ImportJob.IMPORT``,
    its records entered by ``user``) or undo (``ImportJob.UNDO``, by ``user``). Returns False
    when the worker already has it (a second click on 确认导入 starts nothing)."""
    from .choices import ImportJob
    from .models import ImportBatch
    from .tasks import import_job_task

    queued = ImportBatch.objects.filter(pk=batch.pk, job__in=[ImportJob.NONE, ImportJob.FAILED]).update(
        job=job, rows_read=0, rows_checked=0, rows_created=0, error=""
    )
    if queued:
        transaction.on_commit(lambda: import_job_task.enqueue(batch.pk, job, user.pk))
    return bool(queued)


class _ImportProgress:
    """Writes how far an import got where its page reads it while the work goes on.

    Outside a transaction (the check) a plain UPDATE does. The import runs in one transaction,
    whose writes nobody sees before it commits: on PostgreSQL the figures go through a second
    connection of their own (autocommit, a short lock timeout, failures only logged); SQLite has
    one writer at a time, so there the page shows the figures when the import ends.
    """

    def __init__(self, batch_pk):
        self.batch_pk = batch_pk
        self.last = None
        self.side = None

    def __call__(self, figures):
        from django.db import DatabaseError, connection

        from .models import ImportBatch

        self.last = (figures.read, figures.checked, figures.created)
        values = dict(zip(("rows_read", "rows_checked", "rows_created"), self.last, strict=True))
        if not connection.in_atomic_block:
            ImportBatch.objects.filter(pk=self.batch_pk).update(**values)
            return
        if connection.vendor != "postgresql":
            return
        try:
            if self.side is None:
                from django.db import DEFAULT_DB_ALIAS, connections

                self.side = connections.create_connection(DEFAULT_DB_ALIAS)
                with self.side.cursor() as cursor:
                    cursor.execute("SET lock_timeout = '500ms'")
            table = self.side.ops.quote_name(ImportBatch._meta.db_table)
            with self.side.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {table} SET rows_read = %s, rows_checked = %s, rows_created = %s WHERE id = %s",
                    [*self.last, self.batch_pk],
                )
        except DatabaseError:
            logger.warning("Import %s: progress not written", self.batch_pk, exc_info=True)

    def close(self):
        if self.side is not None:
            self.side.close()


def import_job_run(batch_id, *, job, user_id):
    """Checks, imports or undoes the batch ``batch_id`` in the worker (as the request does for a
    small one), saying how far it got as it goes; whatever stops it is kept on the batch, in Chinese."""
    from django.contrib.auth import get_user_model

    from .choices import ImportJob
    from .importing import RefusedFile, import_records, import_undo
    from .models import ImportBatch

    batch = ImportBatch.objects.select_related("chapter", "user").get(pk=batch_id)
    user = get_user_model().objects.get(pk=user_id)
    if job == ImportJob.UNDO:
        return _import_undo_run(batch, user, import_undo)
    progress = _ImportProgress(batch.pk)
    batch.job, batch.error = ImportJob.NONE, ""
    try:
        with batch.file.open("rb") as handle:
            result = import_records(
                handle,
                chapter=batch.chapter,
                user=user,
                filename=batch.filename,
                dry_run=job == ImportJob.CHECK,
                batch=batch if job == ImportJob.IMPORT else None,
                progress=progress,
            )
    except RefusedFile as refusal:
        batch.job, batch.error = ImportJob.FAILED, str(refusal)
    except Exception as error:  # the batch says it failed; the worker's log has the trace
        logger.exception("Import %s failed", batch.pk)
        batch.job = ImportJob.FAILED
        batch.error = _("导入失败：%(error)s") % {"error": type(error).__name__}
    else:
        if result.already is not None:
            batch.job = ImportJob.FAILED
            batch.error = _("该文件已导入过（第 %(batch)s 批），未重复导入") % {"batch": result.already.pk}
        elif not result.imported:
            batch.report = result.as_report()
            if job == ImportJob.CHECK:
                batch.counts = result.counts
    finally:
        progress.close()
    if progress.last is not None:
        batch.rows_read, batch.rows_checked, batch.rows_created = progress.last
    fields = ["job", "error", "report", "counts", "rows_read", "rows_checked", "rows_created"]
    batch.save(update_fields=fields)
    return batch


def _import_undo_run(batch, user, import_undo):
    """Undoes a large batch in the worker; a refusal (something recorded since depends on it)
    is kept on the batch."""
    from .choices import ImportJob

    try:
        batch = import_undo(batch, user=user)
        batch.job, batch.error = ImportJob.NONE, ""
    except ValidationError as error:
        batch.job, batch.error = ImportJob.FAILED, "；".join(error.messages)
    except Exception as error:  # the batch says it failed; the worker's log has the trace
        logger.exception("Undo of import %s failed", batch.pk)
        batch.job = ImportJob.FAILED
        batch.error = _("撤销失败：%(error)s") % {"error": type(error).__name__}
    batch.save(update_fields=["job", "error"])
    return batch


# --- Closed periods -----------------------------------------------------------------------------


def _period_bounds(kind, year, part):
    import calendar
    import datetime

    from .choices import PeriodKind

    if kind == PeriodKind.MONTH:
        if not 1 <= part <= 12:
            raise ValidationError({"part": _("月份应为1到12")})
        return datetime.date(year, part, 1), datetime.date(year, part, calendar.monthrange(year, part)[1])
    if kind == PeriodKind.HALF:
        if part not in (1, 2):
            raise ValidationError({"part": _("半年应为1（上半年）或2（下半年）")})
        return (
            (datetime.date(year, 1, 1), datetime.date(year, 6, 30))
            if part == 1
            else (datetime.date(year, 7, 1), datetime.date(year, 12, 31))
        )
    return datetime.date(year, 1, 1), datetime.date(year, 12, 31)


@transaction.atomic
def approval_threshold_set(*, chapter, user, amount):
    """Sets the amount above which ``chapter``'s relief payments and project expenditures wait
    for a leader's approval (None: none wait). Administrators only; kept in history."""
    from .history import history_entry
    from .models import Chapter

    if not Access(user).can_administer(chapter):
        raise ValidationError(_("只有本会系统管理员可以设置审批金额"))
    chapter = Chapter.objects.select_for_update().get(pk=chapter.pk)
    before = chapter.approval_threshold
    chapter.approval_threshold = amount = None if amount is None else to_money(amount)
    chapter.save(update_fields=["approval_threshold"])
    history_entry(
        chapter, {"approval_threshold": before}, {"approval_threshold": amount}, chapter_id=chapter.pk
    )
    return chapter


@transaction.atomic
def period_close(*, chapter, user, kind, year, part=1):
    """Closes a month, half-year or year of ``chapter``: its leadership's act."""
    from .models import ClosedPeriod

    if not Access(user).can_publish_reports(chapter):
        raise ValidationError(_("只有本会领导可以结账"))
    start, end = _period_bounds(kind, year, part)
    overlapping = ClosedPeriod.objects.filter(
        chapter=chapter, start__lte=end, end__gte=start, reopened_at__isnull=True
    ).first()
    if overlapping is not None and overlapping.start <= start and overlapping.end >= end:
        raise ValidationError(_("%(period)s已结账") % {"period": overlapping.label})
    period = ClosedPeriod(chapter=chapter, kind=kind, start=start, end=end, created_by=user, updated_by=user)
    period.full_clean()
    period.save()
    return period


@transaction.atomic
def period_reopen(*, period, user, reason):
    """Reopens a closed period: an administrator's explicit act, with its reason, kept."""
    from .models import ClosedPeriod

    if not Access(user).can_administer(period.chapter):
        raise ValidationError(_("只有本会系统管理员可以重新开放已结账期间"))
    if not (reason or "").strip():
        raise ValidationError({"reopen_reason": _("请填写重新开放的原因")})
    period = ClosedPeriod.objects.select_for_update().get(pk=period.pk)
    if period.reopened_at is not None:
        raise ValidationError(_("该期间已重新开放"))
    period.reopened_at = timezone.now()
    period.reopened_by = user
    period.reopen_reason = reason.strip()
    period.updated_by = user
    period.save()
    return period

"""Writes of what every app shares: Excel exports and imports run in the background, and the
worker's tasks that run them."""

import logging
import os
import tempfile

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone, translation
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django_tasks import task

from . import bounds
from .access import Access
from .choices import ChangeAction, ExportStatus, ImportJob, Role
from .divisions import DivisionErrors, divisions_check, level_of
from .exports import export_class, maker_name
from .history import history_entry
from .importing import RefusedFile, import_records, import_undo
from .models import Chapter, ClosedPeriod, Export, ImportBatch, Membership, Township
from .money import to_money
from .passwords import password_generate
from .periods import period_bounds

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
            export, QueryDict(job.query), path, made_by=maker_name(job.user), progress=progress
        )
        with translation.override("zh-hans"):
            job.filename = export.filename(QueryDict(job.query))
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


@transaction.atomic
def approval_threshold_set(*, chapter, user, amount):
    """Sets the amount above which ``chapter``'s relief payments and project expenditures wait
    for a leader's approval (None: none wait). Administrators only; kept in history."""
    if not Access(user).can_administer(chapter):
        raise ValidationError(_("只有本会系统管理员可以设置审批金额"))
    if amount is not None:
        bounds.check("amount", to_money(amount), *Chapter._meta.get_field("approval_threshold").validators)
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
    if not Access(user).can_close_periods(chapter):
        raise ValidationError(_("只有本会领导可以结账"))
    start, end = period_bounds(kind, year, part)
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


# --- A chapter's users (本会管理) ---------------------------------------------------------------
#
# A chapter's administrator manages the users of that chapter only. Every change is kept in
# history (``history_entry``: no trigger watches the user and membership tables); a password
# never is, only the fact that it was reset.

USERNAME_PATTERN = r"^[A-Za-z0-9@.+_-]{1,150}$"


def _require_administrator(chapter, by):
    if not Access(by).can_administer(chapter):
        raise ValidationError(_("只有本会系统管理员可以管理本会用户"))


# --- A chapter's townships (本会管理) -------------------------------------------------------------

TOWNSHIP_NAME_MAX = 50


def _require_township_administrator(chapter, by):
    if not Access(by).can_administer(chapter):
        raise ValidationError(_("只有本会系统管理员可以维护本会乡镇名单"))


@transaction.atomic
def townships_add(*, chapter, by, names):
    """Adds townships to ``chapter``'s list (one name each, blanks and repeats of the list
    skipped; a name held but inactive is used again). All or none: a name too long refuses
    the whole list, naming it. Returns the townships added or made active again."""
    _require_township_administrator(chapter, by)
    wanted = []
    for name in names:
        name = (name or "").strip()
        if not name or name in wanted:
            continue
        if len(name) > TOWNSHIP_NAME_MAX:
            raise ValidationError(
                {"names": _("乡镇名称“%(name)s”超过%(max)s个字") % {"name": name, "max": TOWNSHIP_NAME_MAX}}
            )
        wanted.append(name)
    if not wanted:
        raise ValidationError({"names": _("请填写乡镇名称，每行一个")})
    held = {t.name: t for t in Township.objects.select_for_update().filter(chapter=chapter, name__in=wanted)}
    changed = []
    for name in wanted:
        township = held.get(name)
        if township is None:
            township = Township(chapter=chapter, name=name, created_by=by, updated_by=by)
        elif township.is_active:
            continue
        township.is_active = True
        township.updated_by = by
        township.full_clean(validate_constraints=False)
        township.save()
        changed.append(township)
    return changed


@transaction.atomic
def township_active_set(*, chapter, by, township, active):
    """Takes a township out of the forms' lists (or back): its records keep its name and the
    filters still offer it."""
    _require_township_administrator(chapter, by)
    township = Township.objects.select_for_update().get(pk=township.pk, chapter=chapter)
    if township.is_active != active:
        township.is_active = active
        township.updated_by = by
        township.save()
    return township


def _active_admins(chapter):
    return Membership.objects.filter(chapter=chapter, role=Role.ADMIN, user__is_active=True)


def member_account_problem(*, chapter, user, by):
    """Why ``by`` may not reset the password of, or deactivate, ``user`` from ``chapter``'s page
    (None when they may): only the account of someone who holds roles in no chapter but those
    ``by`` administers, never the operator's. One rule for the page and the services."""
    if user.is_superuser:
        return _("%(username)s 是系统运营方账号，不能在本会管理中修改") % {"username": user.username}
    administered = {c.pk for c in Access(by).administered_chapters()}
    memberships = list(Membership.objects.filter(user=user).select_related("chapter"))
    if chapter.pk not in {m.chapter_id for m in memberships}:
        return _("%(username)s 不是本会用户") % {"username": user.username}
    elsewhere = [m.chapter.name for m in memberships if m.chapter_id not in administered]
    if elsewhere:
        return _("%(username)s 还在%(chapters)s任职，其密码和账号状态只能由该会管理员或系统运营方修改") % {
            "username": user.username,
            "chapters": "、".join(elsewhere),
        }
    return None


def _require_account(chapter, user, by):
    problem = member_account_problem(chapter=chapter, user=user, by=by)
    if problem:
        raise ValidationError(problem)


@transaction.atomic
def member_create(*, chapter, by, username, full_name, role, password=""):
    """Creates a user holding ``role`` in ``chapter``; returns (user, password). Without a
    password one is generated: the page shows it once, nothing keeps it."""
    import re

    from django.contrib.auth import get_user_model

    _require_administrator(chapter, by)
    User = get_user_model()
    username = (username or "").strip()
    errors = {}
    if not re.match(USERNAME_PATTERN, username):
        errors["username"] = _("用户名只能包含字母、数字和 @ . + - _，不超过150个字符")
    elif User.objects.filter(username__iexact=username).exists():
        errors["username"] = _("用户名 %(username)s 已被使用") % {"username": username}
    if role not in Role.values:
        errors["role"] = _("请选择角色")
    full_name = (full_name or "").strip()
    if not full_name:
        errors["full_name"] = _("请填写姓名")
    elif len(full_name) > 150:
        errors["full_name"] = _("姓名不超过150个字符")
    if errors:
        raise ValidationError(errors)
    user = User(username=username, first_name=full_name, is_active=True)
    password = _password_set(user, password)
    user.full_clean()
    user.save()
    membership = Membership(user=user, chapter=chapter, role=role)
    membership.full_clean()
    membership.save()
    history_entry(user, None, {"username": username, "first_name": full_name, "is_active": True},
                  chapter_id=chapter.pk, action=ChangeAction.INSERT)  # fmt: skip
    history_entry(membership, None, {"user_id": user.pk, "chapter_id": chapter.pk, "role": role},
                  chapter_id=chapter.pk, action=ChangeAction.INSERT)  # fmt: skip
    return user, password


@transaction.atomic
def member_role_set(*, chapter, by, user, role):
    """Gives ``user`` another role in ``chapter``. The chapter keeps at least one active
    administrator, so that someone can still manage it."""
    _require_administrator(chapter, by)
    if role not in Role.values:
        raise ValidationError({"role": _("请选择角色")})
    membership = Membership.objects.select_for_update().filter(chapter=chapter, user=user).first()
    if membership is None:
        raise ValidationError(_("%(username)s 不是本会用户") % {"username": user.username})
    # Locks the chapter's administrators, so that two demotions at once cannot leave none.
    admins = list(_active_admins(chapter).select_for_update().values_list("user_id", flat=True))
    if membership.role == Role.ADMIN and role != Role.ADMIN and admins == [user.pk]:
        raise ValidationError({"role": _("%(username)s 是本会唯一的系统管理员，不能取消其管理员角色") % {
            "username": user.username}})  # fmt: skip
    before = membership.role
    if before == role:
        return membership
    membership.role = role
    membership.full_clean()
    membership.save(update_fields=["role"])
    history_entry(membership, {"role": before}, {"role": role}, chapter_id=chapter.pk)
    return membership


@transaction.atomic
def member_active_set(*, chapter, by, user, active):
    """Deactivates (or reactivates) the account of a user of ``chapter``: a deactivated user
    cannot log in, and their records keep their name. Not one's own account, not the chapter's
    last active administrator, not an account that also serves elsewhere."""
    from django.contrib.auth import get_user_model

    _require_administrator(chapter, by)
    user = get_user_model().objects.select_for_update().get(pk=user.pk)
    _require_account(chapter, user, by)
    if not active and user.pk == by.pk:
        raise ValidationError(_("不能停用自己的账号"))
    admins = list(_active_admins(chapter).select_for_update().values_list("user_id", flat=True))
    if not active and admins == [user.pk]:
        raise ValidationError(
            _("%(username)s 是本会唯一的系统管理员，不能停用") % {"username": user.username}
        )
    if user.is_active == active:
        return user
    user.is_active = active
    user.save(update_fields=["is_active"])
    history_entry(user, {"is_active": not active}, {"is_active": active}, chapter_id=chapter.pk)
    return user


@transaction.atomic
def member_password_reset(*, chapter, by, user, password=""):
    """Sets a new password for a user of ``chapter`` (generated when none is given); returns it
    to be shown once. History keeps that it was reset, never the password."""
    from django.contrib.auth import get_user_model

    _require_administrator(chapter, by)
    user = get_user_model().objects.select_for_update().get(pk=user.pk)
    _require_account(chapter, user, by)
    password = _password_set(user, password)
    user.save(update_fields=["password"])
    history_entry(user, {"password": ""}, {"password": str(_("已重置"))}, chapter_id=chapter.pk)
    return password


# --- Onboarding chapters (load_chapters) ---------------------------------------------------------

FIRST_ADMIN_PREFIX = "admin-"


@transaction.atomic
def chapters_load(*, rows):
    """Creates or renames the chapters of ``rows`` (``redcross.divisions.Division``, checked by
    ``divisions_check``), parents first, and gives each new chapter its first administrator,
    ``admin-CODE`` with a generated password. Returns (created, updated, admins): admins as
    (code, chapter name, username, password) rows, the only place the passwords appear. All or
    nothing: a problem found while writing raises DivisionErrors and saves nothing."""
    from django.contrib.auth import get_user_model

    User = get_user_model()
    held = {c.code: c for c in Chapter.objects.select_related("parent").select_for_update(of=("self",))}
    existing = {code: (c.parent.code if c.parent else "") for code, c in held.items()}
    rows = divisions_check(rows, existing)
    new_codes = [row.code for row in rows if row.code not in held]
    taken = set(
        User.objects.filter(username__in=[FIRST_ADMIN_PREFIX + code for code in new_codes]).values_list(
            "username", flat=True
        )
    )
    if taken:
        raise DivisionErrors(
            [
                _("第%(line)s行：用户名%(username)s已被使用，无法建立该会的首位管理员")
                % {"line": row.line, "username": FIRST_ADMIN_PREFIX + row.code}
                for row in rows
                if FIRST_ADMIN_PREFIX + row.code in taken
            ]
        )
    created, updated, admins = [], [], []
    for row in rows:
        parent = held.get(row.parent_code) if row.parent_code else None
        chapter = held.get(row.code)
        if chapter is None:
            chapter = Chapter(code=row.code, name=row.name, level=level_of(row.code), parent=parent)
            chapter.full_clean(exclude=["path", "parent"])
            chapter.save()
            held[row.code] = chapter
            created.append(chapter)
            inserted = {"code": row.code, "name": row.name, "parent_id": getattr(parent, "pk", None)}
            history_entry(chapter, None, inserted, chapter_id=chapter.pk, action=ChangeAction.INSERT)
            password = password_generate()
            user = User(username=FIRST_ADMIN_PREFIX + row.code, first_name=_("%(chapter)s系统管理员") % {
                "chapter": row.name})  # fmt: skip
            user.set_password(password)
            user.full_clean()
            user.save()
            Membership.objects.create(user=user, chapter=chapter, role=Role.ADMIN)
            inserted = {"username": user.username, "first_name": user.first_name, "is_active": True}
            history_entry(user, None, inserted, chapter_id=chapter.pk, action=ChangeAction.INSERT)
            admins.append((row.code, row.name, user.username, password))
            continue
        before = {"name": chapter.name, "parent_id": chapter.parent_id, "level": chapter.level}
        chapter.name, chapter.parent, chapter.level = row.name, parent, level_of(row.code)
        after = {"name": chapter.name, "parent_id": chapter.parent_id, "level": chapter.level}
        if after != before:
            chapter.full_clean(exclude=["path", "parent"])
            chapter.save()
            updated.append(chapter)
            changed = [key for key in after if after[key] != before[key]]
            history_entry(chapter, {k: before[k] for k in changed}, {k: after[k] for k in changed},
                          chapter_id=chapter.pk)  # fmt: skip
    return created, updated, admins


def _password_set(user, password):
    """Sets ``password`` (a generated one when empty) on ``user`` unsaved, once the validators
    accept it; returns it, to be shown once."""
    from django.contrib.auth.password_validation import validate_password

    password = password or password_generate()
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise ValidationError({"password": error.messages}) from error
    user.set_password(password)
    return password


# --- the worker's tasks (``manage.py db_worker``; at once in tests) ------------------------------
# Beside the services they run and enqueued by them, so that neither imports the other;
# ``redcross.tasks`` names them too, for tasks queued under that path.


@task()
def export_run_task(export_id):
    """Writes the Excel export ``export_id``."""
    export_run(Export.objects.select_related("user").get(pk=export_id))


@task()
def import_job_task(batch_id, job, user_id):
    """Checks (``job`` "check") or imports (``job`` "import") the import batch ``batch_id``."""
    import_job_run(batch_id, job=job, user_id=user_id)

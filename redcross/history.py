"""The history of the books: every insert, update and delete of a financial or personal record,
with who, when, from which page or command, and the values before and after.

On PostgreSQL a trigger on each table writes it (``install_triggers``, run after every
``migrate``), so a bulk update or raw SQL is recorded as well, and the history table refuses
UPDATE and DELETE. The app says who and where by two settings of its database session
(``redcross.user_id``, ``redcross.source``), set for each request and command. On SQLite (the
demo) the app records its own saves and deletes instead; bulk writes and raw SQL go unrecorded
there.
"""

import datetime
import json
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.apps import apps
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.urls import NoReverseMatch, Resolver404, resolve, reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from .choices import ChangeAction
from .models import Change, Chapter, Membership, TrackedModel, record_change
from .money import format_money
from .personal import MASKS
from .recording import (
    APPROVE,
    DEMO,
    IMPORT,
    IMPORT_UNDO,
    REVERSE,
    STEP_SEPARATOR,
    SYSTEM,
    VOID,
    actor,
    before_save,
    history_context,
    recorded_by_app,
    row_of,
)

# Where the rest of the app has always found them.
__all__ = ["before_save", "history_context", "record_change", "recorded_by_app", "row_of"]


def tracked_models():
    """The models whose rows are the books: every TrackedModel."""
    return [m for m in apps.get_models() if issubclass(m, TrackedModel) and not m._meta.proxy]


class HistoryMiddleware:
    """Every request's changes are recorded with its user and page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user if request.user.is_authenticated else None
        with history_context(user, f"{request.method} {request.path}"):
            return self.get_response(request)


def _literal(value):
    return "'" + str(value).replace("'", "''") + "'"


def say_who(execute, sql, params, many, context):
    """A database execute wrapper (PostgreSQL): a write carries who and where in the same
    statement, as transaction-local settings the history trigger reads. Being part of the write
    itself, it adds no query and cannot be lost to a rollback or another request's settings."""
    head = sql.lstrip()[:6].upper()
    if head not in ("INSERT", "UPDATE", "DELETE"):
        return execute(sql, params, many, context)
    user_id, source = actor()
    prefix = (
        f"SELECT set_config('redcross.user_id', {_literal(user_id or '')}, true), "
        f"set_config('redcross.source', {_literal(source)}, true); "
    )
    if many:
        context["cursor"].cursor.execute(prefix)
        return execute(sql, params, many, context)
    if params is not None:
        prefix = prefix.replace("%", "%%")
    return execute(prefix + sql, params, many, context)


def connection_created(sender, connection, **kwargs):
    """Adds ``say_who`` to every new PostgreSQL connection."""
    if connection.vendor == "postgresql" and say_who not in connection.execute_wrappers:
        connection.execute_wrappers.append(say_who)


# --- the app's own record (SQLite) -----------------------------------------------------------


def history_entry(record, before, after, *, chapter_id, action=ChangeAction.UPDATE):
    """Records a change of a setting kept outside the books' tables (a chapter's approval
    threshold, its users and their roles), on every database: no trigger watches those tables."""
    user_id, source = actor()
    encode = lambda row: None if row is None else json.loads(json.dumps(row, cls=DjangoJSONEncoder))  # noqa: E731
    return Change.objects.create(
        table=record._meta.db_table, record_id=record.pk, chapter_id=chapter_id, action=action,
        user_id=user_id, source=source, before=encode(before), after=encode(after),
    )  # fmt: skip


def recorded_update(queryset, **values):
    """``queryset.update(**values)``, its changes recorded: by the trigger on PostgreSQL, here
    row by row (before and after) on SQLite."""
    if not recorded_by_app():
        return queryset.update(**values)
    model = queryset.model
    pks = list(queryset.values_list("pk", flat=True))
    before = {r.pk: row_of(r) for r in model._base_manager.filter(pk__in=pks)}
    count = model._base_manager.filter(pk__in=pks).update(**values)
    user_id, source = actor()
    Change.objects.bulk_create(
        Change(
            table=model._meta.db_table, record_id=r.pk, chapter_id=r.chapter_id, action=ChangeAction.UPDATE,
            user_id=user_id, source=source, before=before[r.pk], after=row_of(r),
        )
        for r in model._base_manager.filter(pk__in=pks)
    )  # fmt: skip
    return count


def recorded_inserts(model, ids):
    """Records the rows ``ids`` of ``model`` a bulk insert made (an import): by the trigger on
    PostgreSQL, here row by row on SQLite, with who and where (``actor``)."""
    if not recorded_by_app() or not ids or not issubclass(model, TrackedModel):
        return
    user_id, source = actor()
    Change.objects.bulk_create(
        Change(
            table=model._meta.db_table, record_id=r.pk, chapter_id=r.chapter_id, action=ChangeAction.INSERT,
            user_id=user_id, source=source, after=row_of(r),
        )
        for r in model._base_manager.filter(pk__in=ids)
    )  # fmt: skip


# --- the triggers (PostgreSQL) ----------------------------------------------------------------

FUNCTION = """
CREATE OR REPLACE FUNCTION redcross_record_change() RETURNS trigger AS $$
DECLARE
    old_row jsonb := CASE WHEN TG_OP IN ('UPDATE', 'DELETE') THEN to_jsonb(OLD) END;
    new_row jsonb := CASE WHEN TG_OP IN ('INSERT', 'UPDATE') THEN to_jsonb(NEW) END;
    row jsonb := coalesce(new_row, old_row);
BEGIN
    IF TG_OP = 'UPDATE' AND old_row = new_row THEN
        RETURN NULL;
    END IF;
    INSERT INTO redcross_change (at, "table", record_id, chapter_id, action, user_id, source, before, after)
    VALUES (
        now(), TG_TABLE_NAME, (row->>'id')::bigint, (row->>'chapter_id')::bigint, lower(TG_OP),
        nullif(current_setting('redcross.user_id', true), '')::bigint,
        coalesce(current_setting('redcross.source', true), ''),
        old_row, new_row
    );
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION redcross_refuse_history_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'history is never changed or deleted (%)', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS redcross_change_refuse ON redcross_change;
CREATE TRIGGER redcross_change_refuse BEFORE UPDATE OR DELETE ON redcross_change
    FOR EACH ROW EXECUTE FUNCTION redcross_refuse_history_change();
"""

CLOSED_FUNCTION = """
CREATE OR REPLACE FUNCTION redcross_refuse_closed() RETURNS trigger AS $$
DECLARE
    day date;
    chapter bigint;
BEGIN
    FOR i IN 0..1 LOOP
        IF (i = 0 AND TG_OP IN ('UPDATE', 'DELETE')) OR (i = 1 AND TG_OP IN ('INSERT', 'UPDATE')) THEN
            IF i = 0 THEN
                EXECUTE format('SELECT ($1).%I, ($1).chapter_id', TG_ARGV[0]) INTO day, chapter USING OLD;
            ELSE
                EXECUTE format('SELECT ($1).%I, ($1).chapter_id', TG_ARGV[0]) INTO day, chapter USING NEW;
            END IF;
            IF EXISTS (SELECT 1 FROM redcross_closedperiod p WHERE p.chapter_id = chapter
                       AND day BETWEEN p.start AND p."end" AND p.reopened_at IS NULL) THEN
                RAISE EXCEPTION 'period closed: % of chapter % is in a closed period', day, chapter
                    USING ERRCODE = 'check_violation';
            END IF;
        END IF;
    END LOOP;
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
"""

NO_DELETE = """
CREATE OR REPLACE FUNCTION redcross_refuse_delete() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'accounting records are never deleted: void or reverse % #%', TG_TABLE_NAME, OLD.id
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""

NO_DELETE_TRIGGER = """
DROP TRIGGER IF EXISTS redcross_no_delete ON {table};
CREATE TRIGGER redcross_no_delete BEFORE DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION redcross_refuse_delete();
"""

CLOSED_TRIGGER = """
DROP TRIGGER IF EXISTS redcross_closed ON {table};
CREATE TRIGGER redcross_closed BEFORE INSERT OR UPDATE OR DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION redcross_refuse_closed('{column}');
"""

TABLE_TRIGGER = """
DROP TRIGGER IF EXISTS redcross_history ON {table};
CREATE TRIGGER redcross_history AFTER INSERT OR UPDATE OR DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION redcross_record_change();
"""


def install_triggers(using="default", **kwargs):
    """Installs (again) the history triggers on PostgreSQL; a post_migrate handler."""
    from django.db import connections

    database = connections[using]
    if database.vendor != "postgresql":
        return
    tables = set(database.introspection.table_names())
    if "redcross_change" not in tables:
        return
    with database.cursor() as cursor:
        cursor.execute(FUNCTION)
        cursor.execute(NO_DELETE)
        closing = "redcross_closedperiod" in tables
        if closing:
            cursor.execute(CLOSED_FUNCTION)
        for model in tracked_models():
            if model._meta.db_table not in tables:
                continue
            table = database.ops.quote_name(model._meta.db_table)
            cursor.execute(TABLE_TRIGGER.format(table=table))
            if model.never_deleted:
                cursor.execute(NO_DELETE_TRIGGER.format(table=table))
            if closing and model.closing_date_field:
                column = model._meta.get_field(model.closing_date_field).column
                cursor.execute(CLOSED_TRIGGER.format(table=table, column=column))


# --- reading it ---------------------------------------------------------------------------------
#
# History keeps rows as the database holds them: ids, codes, UTC instants. An auditor reads names,
# labels and local time, and where each change came from in words; the stored values stay beside
# them (``FieldChange.raw_before`` …, ``Change.source``) for whoever needs them. Nothing here
# names an app: a field's meaning comes from the model's ``_meta`` (its choices, the model a key
# refers to, its type), and the names a page of changes refers to are read in one query per kind.

HIDDEN = {"id", "created_at", "updated_at", "created_by_id", "updated_by_id", "version", "chapter_id"}
PERSONAL = {"id_number": "id_number", "phone": "phone"}


def history_models():
    from django.contrib.auth import get_user_model

    return [*tracked_models(), Chapter, Membership, get_user_model()]


def model_of(table):
    """The model whose rows ``table`` holds (None for a table no longer known)."""
    return next((m for m in history_models() if m._meta.db_table == table), None)


def field_labels(table):
    model = model_of(table)
    if model is None:
        return None, {}
    return model, {f.attname: str(f.verbose_name) for f in model._meta.concrete_fields}


def user_label(user):
    """A person as history names them: 王芳（demo-staff）, or the login alone."""
    full = user.get_full_name() if hasattr(user, "get_full_name") else ""
    return f"{full}（{user.get_username()}）" if full else user.get_username()


class FieldChange(tuple):
    """(label, before, after) as a person reads them, with the stored values kept beside them
    (``raw_before``, ``raw_after``: an id, a code, a UTC instant) for auditors."""

    def __new__(cls, label, before, after, raw_before="", raw_after=""):
        change = super().__new__(cls, (label, before, after))
        change.raw_before, change.raw_after = raw_before, raw_after
        return change

    label = property(lambda self: self[0])
    before = property(lambda self: self[1])
    after = property(lambda self: self[2])

    @property
    def raw(self):
        """The stored values when they read otherwise than shown ("" when the same)."""
        if (self.raw_before, self.raw_after) == (self.before, self.after):
            return ""
        return f"{self.raw_before or '—'} → {self.raw_after or '—'}"


class Names:
    """What the changes of a page refer to by id — a category, a person, a fund, a user, the
    records themselves — read in one query per kind of record, however many changes."""

    def __init__(self):
        self.wanted = defaultdict(set)
        self.found = {}

    def want(self, model, pk):
        key = _key(pk)
        if model is not None and key is not None:
            self.wanted[model._meta.concrete_model].add(key)

    def load(self):
        from django.contrib.auth import get_user_model

        for model, pks in self.wanted.items():
            # The names of some records are made of others (a payment: its date, category and
            # person): those come in the same query.
            joined = [
                f.name for f in model._meta.concrete_fields
                if f.many_to_one and f.name not in ("created_by", "updated_by")
            ]  # fmt: skip
            if model is get_user_model():
                joined = []
            found = model._base_manager.filter(pk__in=pks).select_related(*joined)
            self.found.update(((model, r.pk), r) for r in found)
        self.wanted.clear()

    def record(self, model, pk):
        return self.found.get((model._meta.concrete_model, _key(pk)))

    def name(self, model, pk):
        """The record's name (its ``str``; a person's full name and login), or 已删除（编号N）."""
        from django.contrib.auth import get_user_model

        record = self.record(model, pk)
        if record is None:
            return _("已删除（编号%(pk)s）") % {"pk": pk}
        if isinstance(record, get_user_model()):
            return user_label(record)
        return str(record)


def _key(pk):
    try:
        return int(pk)
    except (TypeError, ValueError):
        return None


def _want_names(change, model, names):
    if model is None:
        return
    names.want(model, change.record_id)
    for row in (change.before or {}, change.after or {}):
        for field in model._meta.concrete_fields:
            if field.many_to_one and field.attname not in HIDDEN and row.get(field.attname) is not None:
                names.want(field.related_model, row[field.attname])


def differences(change, *, access=None, names=None):
    """The fields a change touched, as ``FieldChange`` (label, before, after): names for ids,
    labels for codes, 是/否, money as 1,200.00 元, instants in local time; personal data masked
    for ``access`` when it may not see it. ``names`` holds what the ids refer to (read here,
    one query per kind, when not given)."""
    model = model_of(change.table)
    if model is None:
        return []
    if names is None:
        names = Names()
        _want_names(change, model, names)
        names.load()
    before, after = change.before or {}, change.after or {}
    full = access is None or access.can_see_personal_data(change.chapter_id)
    rows = []
    for field in model._meta.concrete_fields:
        name = field.attname
        if name in HIDDEN:
            continue
        old, new = before.get(name), after.get(name)
        if change.action == ChangeAction.UPDATE and _same(old, new):
            continue
        if change.action == ChangeAction.INSERT and new in (None, ""):
            continue
        if change.action == ChangeAction.DELETE and old in (None, ""):
            continue
        if name in PERSONAL and not full:
            old = MASKS[PERSONAL[name]](old) if old else old
            new = MASKS[PERSONAL[name]](new) if new else new
        shown = (_shown(field, old, names), _shown(field, new, names))
        rows.append(FieldChange(str(field.verbose_name), *shown, _text(old), _text(new)))
    return rows


def _shown(field, value, names):
    """A stored value as a person reads it."""
    if value is None or value == "":
        return ""
    if field.many_to_one:
        return names.name(field.related_model, value)
    if field.choices:
        # A role or a kind reads as its label (领导), not its stored value (leader).
        return str(dict((str(v), label) for v, label in field.flatchoices).get(str(value), value))
    if isinstance(value, bool) or isinstance(field, models.BooleanField):
        return _text(value in (True, "true", "True", 1))
    if getattr(field, "is_money", False):
        try:
            return _("%(amount)s 元") % {"amount": format_money(value)}
        except (ArithmeticError, ValueError):
            return _text(value)
    if isinstance(field, models.DateTimeField):
        return local_time(value)
    return _text(value)


def local_time(value):
    """An instant as people here read it, in the site's time zone: 2026-12-01 08:20."""
    if isinstance(value, str):
        try:
            value = parse_datetime(value)
        except ValueError:
            value = None
        if value is None:
            return _text(value)
    if timezone.is_naive(value):
        value = timezone.make_aware(value, datetime.UTC)
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


def _same(old, new):
    if old == new:
        return True
    try:
        return Decimal(str(old)) == Decimal(str(new))
    except (ArithmeticError, ValueError):
        return str(old) == str(new)


def _text(value):
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return str(_("是") if value else _("否"))
    return str(value)


# --- where a change came from --------------------------------------------------------------------

# A page's route, by the end of its name, says what it does (aid:disbursement-update …).
ROUTE_STEPS = (
    ("-create", "entry"), ("-new", "entry"), ("-issue", "entry"),
    ("-update", "correction"), ("-edit", "correction"),
    ("-void", VOID), ("-reverse", REVERSE), ("-approve", APPROVE), ("-merge", "merge"),
)  # fmt: skip


@dataclass
class Origin:
    """Where a change came from, in words (页面录入、更正、作废、导入第3批 …), with the page to
    open (an import batch) and the stored source (POST /aid/5/edit/) for auditors."""

    text: str
    url: str = ""
    raw: str = ""

    def __str__(self):
        return self.text


def origin(change):
    """Where ``change`` came from, in words (``Origin``)."""
    source = change.source or ""
    step, _sep, page = source.partition(STEP_SEPARATOR)
    word, _space, batch = step.partition(" ")
    if word in (IMPORT, IMPORT_UNDO) and batch.isdigit():
        text = (_("导入第%(batch)s批") if word == IMPORT else _("撤销导入第%(batch)s批")) % {"batch": batch}
        return Origin(str(text), reverse("import-detail", args=[int(batch)]), source)
    if step in STEP_WORDS:
        return Origin(str(STEP_WORDS[step]()), "", source)
    if step == SYSTEM:
        return Origin(str(pgettext("修改来源", "系统")), "", source)
    if step == DEMO:
        return Origin(str(_("系统（演示数据）")), "", source)
    if not source:
        if change.user_id is None:
            return Origin(str(_("系统外直接修改数据库（无操作人）")), "", source)
        return Origin(str(_("未注明来源")), "", source)
    method, _space, path = source.partition(" ")
    if method.isupper() and path.startswith("/"):
        return Origin(str(_page_step(change, path)), "", source)
    return Origin(str(_("系统（%(command)s）") % {"command": source}), "", source)


# Nouns of a ledger's notes ("a correction"), not the buttons' verbs: their own context.
STEP_WORDS = {
    "entry": lambda: pgettext("修改来源", "页面录入"),
    "correction": lambda: pgettext("修改来源", "更正"),
    VOID: lambda: pgettext("修改来源", "作废"),
    REVERSE: lambda: pgettext("修改来源", "冲销"),
    APPROVE: lambda: pgettext("修改来源", "审批"),
    "merge": lambda: pgettext("修改来源", "合并"),
}


def _page_step(change, path):
    """What a change made through the page at ``path`` was: the route's name says it; otherwise
    a record made is 页面录入 and a record changed 页面修改."""
    try:
        route = resolve(path).url_name or ""
    except Resolver404:
        route = ""
    for ending, step in ROUTE_STEPS:
        if route.endswith(ending):
            return STEP_WORDS[step]()
    if route.startswith("import-undo"):
        return _("撤销导入")
    if change.action == ChangeAction.INSERT:
        return STEP_WORDS["entry"]()
    return _("页面修改")


def described(changes, access):
    """Changes with ``who`` (a person's name and login, or 无操作人), ``origin``
    (where it came from, in words), ``kind`` and ``record`` (what was changed, by name, with its
    page when it has one) and ``fields`` (``FieldChange``), in one query per kind of record
    named, however many changes."""
    from django.contrib.auth import get_user_model

    changes = list(changes)
    user = get_user_model()
    names = Names()
    for change in changes:
        change.model = model_of(change.table)
        _want_names(change, change.model, names)
        names.want(user, change.user_id)
    names.load()
    for change in changes:
        change.origin = origin(change)
        # No person: the origin says whether the app (系统) or something beside it made it.
        change.who = names.name(user, change.user_id) if change.user_id is not None else _("无操作人")
        change.fields = differences(change, access=access, names=names)
        model = change.model
        change.kind = str(model._meta.verbose_name) if model else change.table
        record = names.record(model, change.record_id) if model else None
        change.record_name = names.name(model, change.record_id) if model else f"#{change.record_id}"
        change.record_url, change.record_found = "", record is not None
        if record is not None and hasattr(record, "get_absolute_url"):
            try:
                change.record_url = record.get_absolute_url()
            except NoReverseMatch:
                pass
    return changes


def record_history(record, access):
    """The history of ``record``, oldest first, as ``access`` may read it."""
    changes = Change.objects.filter(table=record._meta.db_table, record_id=record.pk).order_by("at", "id")
    return described(changes, access)

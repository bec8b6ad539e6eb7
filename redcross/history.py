"""The history of the books: every insert, update and delete of a financial or personal record,
with who, when, from which page or command, and the values before and after.

On PostgreSQL a trigger on each table writes it (``install_triggers``, run after every
``migrate``), so a bulk update or raw SQL is recorded as well, and the history table refuses
UPDATE and DELETE. The app says who and where by two settings of its database session
(``redcross.user_id``, ``redcross.source``), set for each request and command. On SQLite (the
demo) the app records its own saves and deletes instead; bulk writes and raw SQL go unrecorded
there.
"""

import json

from django.apps import apps
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.translation import gettext as _

from .choices import ChangeAction
from .models import Change, Chapter, Membership, TrackedModel, record_change
from .personal import MASKS
from .recording import actor, before_save, history_context, recorded_by_app, row_of

# Where the rest of the app has always found them.
__all__ = ["before_save", "history_context", "record_change", "recorded_by_app", "row_of"]


def tracked_models():
    """The models whose rows are the books: every TrackedModel."""
    return [m for m in apps.get_models() if issubclass(m, TrackedModel)]


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

HIDDEN = {"id", "created_at", "updated_at", "created_by_id", "updated_by_id", "version", "chapter_id"}
PERSONAL = {"id_number": "id_number", "phone": "phone"}


def field_labels(table):
    from django.contrib.auth import get_user_model

    for model in [*tracked_models(), Chapter, Membership, get_user_model()]:
        if model._meta.db_table == table:
            return model, {f.attname: str(f.verbose_name) for f in model._meta.concrete_fields}
    return None, {}


def differences(change, *, access=None):
    """(label, before, after) of the fields a change touched; personal data masked for ``access``
    when it may not see it."""

    model, labels = field_labels(change.table)
    choices = {
        f.attname: {str(value): label for value, label in f.flatchoices}
        for f in (model._meta.concrete_fields if model else [])
        if f.choices
    }
    before, after = change.before or {}, change.after or {}
    full = access is None or access.can_see_personal_data(change.chapter_id)
    rows = []
    for name in labels:
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
        if name in choices:
            # A role or a kind reads as its label (领导), not its stored value (leader).
            old, new = (choices[name].get(str(v), v) if v not in (None, "") else v for v in (old, new))
        rows.append((labels[name], _text(old), _text(new)))
    return rows


def _same(old, new):
    if old == new:
        return True
    try:
        from decimal import Decimal

        return Decimal(str(old)) == Decimal(str(new))
    except (ArithmeticError, ValueError):
        return str(old) == str(new)


def _text(value):
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return str(_("是") if value else _("否"))
    return str(value)


def user_names(user_ids):
    from django.contrib.auth import get_user_model

    return dict(get_user_model().objects.filter(pk__in=set(user_ids) - {None}).values_list("pk", "username"))


def described(changes, access):
    """Changes with ``who`` (a username, or 数据库直接修改 when no app user wrote it) and ``fields``
    (label, before, after), in two queries however many changes."""
    changes = list(changes)
    names = user_names(c.user_id for c in changes)
    for change in changes:
        change.who = names.get(change.user_id) or (_("系统") if change.source else _("数据库直接修改"))
        change.fields = differences(change, access=access)
        model = field_labels(change.table)[0]
        change.kind = str(model._meta.verbose_name) if model else change.table
    return changes


def record_history(record, access):
    """The history of ``record``, oldest first, as ``access`` may read it."""
    changes = Change.objects.filter(table=record._meta.db_table, record_id=record.pk).order_by("at", "id")
    return described(changes, access)

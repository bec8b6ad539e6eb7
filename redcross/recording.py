"""Who changes the books and from where, and a record's row as the history keeps it.

The part of the history (``redcross.history``) that saving a record needs: the base models
(``redcross.models``) use it, and it uses no model, so the two never import each other.
"""

import contextvars
import functools
import json
from contextlib import contextmanager

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection

# The source of a change the app makes outside any request or command (a shell, a migration, the
# task worker): the app's own, read as 系统. A change with no source at all was made beside the app
# (raw SQL in a database console, on PostgreSQL), which history reads as such.
SYSTEM = "system"
DEMO = "load_demo"  # the demo's records, made by ``manage.py load_demo``
# What a service records of its step before the page it runs from (``history_step``); history
# reads each in words (``redcross.history.origin``).
APPROVE, VOID, REVERSE = "approve", "void", "reverse"
IMPORT, IMPORT_UNDO = "import", "import-undo"  # followed by the batch: "import 12"
STEP_SEPARATOR = " · "

_context = contextvars.ContextVar("history_context", default=(None, SYSTEM))


def actor():
    """(user id, source) of the changes being made now: set by ``history_context``."""
    return _context.get()


# --- who and where ----------------------------------------------------------------------------


@contextmanager
def history_context(user, source):
    """Changes made inside are recorded as ``user``'s, from ``source`` (a page or a command)."""
    token = _context.set((getattr(user, "pk", None), source[:200]))
    try:
        yield
    finally:
        _context.reset(token)


@contextmanager
def history_step(step, user=None):
    """Changes made inside are recorded as ``step`` (approve, void, "import 12" …) before the
    page or command they come from ("approve · POST /aid/5/approve/"), as ``user``'s when no
    request names one (the task worker, a command)."""
    outer_user, outer_source = actor()
    source = step if outer_source in ("", SYSTEM) else f"{step}{STEP_SEPARATOR}{outer_source}"
    token = _context.set((outer_user or getattr(user, "pk", None), source[:200]))
    try:
        yield
    finally:
        _context.reset(token)


def recorded_as(step):
    """A service whose changes are recorded as ``step`` of its ``user`` keyword argument."""

    def decorate(service):
        @functools.wraps(service)
        def recorded(*args, **kwargs):
            with history_step(step, kwargs.get("user")):
                return service(*args, **kwargs)

        return recorded

    return decorate


def row_of(record):
    """A record's row as JSON holds it (dates and amounts as text)."""
    return json.loads(
        json.dumps(
            {f.attname: getattr(record, f.attname) for f in record._meta.concrete_fields},
            cls=DjangoJSONEncoder,
        )
    )


def recorded_by_app():
    return connection.vendor != "postgresql"


def before_save(record):
    """The row as the database holds it, read before a save overwrites it (SQLite only)."""
    if not recorded_by_app() or record._state.adding or record.pk is None:
        return None
    old = type(record)._base_manager.filter(pk=record.pk).first()
    return row_of(old) if old is not None else None

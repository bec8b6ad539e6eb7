"""Who changes the books and from where, and a record's row as the history keeps it.

The part of the history (``redcross.history``) that saving a record needs: the base models
(``redcross.models``) use it, and it uses no model, so the two never import each other.
"""

import contextvars
import json
from contextlib import contextmanager

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection

_context = contextvars.ContextVar("history_context", default=(None, ""))


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

"""The benchmarks' scratch database: emptied of generated books between runs.

Accounting records are never deleted by the app (and on PostgreSQL a trigger refuses DELETE of
them); a scratch database of generated rows is emptied with TRUNCATE instead, which is the
database owner's act, not the app's.
"""

from django.apps import apps
from django.core.management.color import no_style
from django.db import connection

# Kept: the chapters, users, memberships and default categories every run uses.
KEPT = {"redcross_chapter", "redcross_membership", "auth_user"}


def empty_books():
    """Empties every table of records, summaries, reports, imports and history."""
    from redcross.history import tracked_models
    from redcross.models import CategoryModel

    models = [*tracked_models(), *(apps.get_model(label) for label in EXTRA)]
    tables = sorted({m._meta.db_table for m in models if not issubclass(m, CategoryModel)} - KEPT)
    # What ``manage.py flush`` does (TRUNCATE … CASCADE on PostgreSQL), for these tables only.
    connection.ops.execute_sql_flush(connection.ops.sql_flush(no_style(), tables, allow_cascade=True))


EXTRA = (
    "aid.PersonYear",
    "aid.ReliefDay",
    "redcross.ImportBatch",
    "redcross.Change",
    "redcross.Export",
    "reports.Report",
    "reports.Section",
    "reports.Publication",
    "projects.FundingSource",
    "projects.BudgetLine",
    "projects.Output",
)

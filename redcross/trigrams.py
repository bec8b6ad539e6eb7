"""Indexes for text searched anywhere in it (``icontains``: a name, an ID number, goods).

A list filtered by "name contains 受助人123" cannot use a B-tree index; on PostgreSQL a GIN index
of the text's trigrams (``pg_trgm``) finds the matching rows without reading every one (issue 19).
Django writes ``icontains`` as ``UPPER(column::text) LIKE UPPER(%s)``, so the index is on the
same expression. SQLite (the demo) has no such index and reads its few rows.
"""

from django.db import migrations


def trigram_indexes(*specs):
    """A migration operation creating, on PostgreSQL only, a trigram index per ``specs`` item
    (table, column, index name), and the ``pg_trgm`` extension they need."""

    def create(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for table, column, name in specs:
            expression = f'UPPER("{column}"::text) gin_trgm_ops'
            index = f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}"'
            schema_editor.execute(f"{index} USING gin ({expression})")

    def drop(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for _table, _column, name in specs:
            schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')

    return migrations.RunPython(create, drop, elidable=False)

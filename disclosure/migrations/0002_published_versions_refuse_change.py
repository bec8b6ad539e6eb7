"""On PostgreSQL the database itself refuses to change or delete a published version, as it
refuses to for history: nothing published is ever edited, even by SQL behind the app's back."""

from django.db import migrations

REFUSE = """
CREATE OR REPLACE FUNCTION disclosure_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'a published disclosure is never changed or deleted: publish a correction (version #%)', OLD.id;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS disclosure_version_frozen ON disclosure_disclosureversion;
CREATE TRIGGER disclosure_version_frozen BEFORE UPDATE OR DELETE ON disclosure_disclosureversion
    FOR EACH ROW EXECUTE FUNCTION disclosure_refuse_change();
"""
ALLOW = """
DROP TRIGGER IF EXISTS disclosure_version_frozen ON disclosure_disclosureversion;
DROP FUNCTION IF EXISTS disclosure_refuse_change();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(REFUSE, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(ALLOW, params=None)


class Migration(migrations.Migration):
    dependencies = [("disclosure", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]

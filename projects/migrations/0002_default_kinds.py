"""The project kinds a new installation starts with (DESIGN.md); administrators edit them."""

from django.db import migrations

from projects.choices import DEFAULT_PROJECT_KINDS
from redcross.models import default_categories_migration


class Migration(migrations.Migration):
    dependencies = [("projects", "0001_initial")]

    operations = [default_categories_migration("projects", "ProjectKind", DEFAULT_PROJECT_KINDS)]

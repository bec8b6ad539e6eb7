"""The training kinds and sectors a new installation starts with (DESIGN.md); administrators edit them."""

from django.db import migrations

from redcross.models import default_categories_migration
from training.choices import CERTIFYING_KINDS, DEFAULT_SECTORS, DEFAULT_TRAINING_KINDS


class Migration(migrations.Migration):
    dependencies = [("training", "0001_initial")]

    operations = [
        default_categories_migration(
            "training",
            "TrainingKind",
            DEFAULT_TRAINING_KINDS,
            **{name: {"certifies": True} for name in CERTIFYING_KINDS},
        ),
        default_categories_migration("training", "Sector", DEFAULT_SECTORS),
    ]

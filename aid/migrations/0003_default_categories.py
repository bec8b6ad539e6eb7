"""The relief categories a new installation starts with (DESIGN.md); administrators edit them."""

from django.db import migrations

from aid.choices import DEFAULT_CATEGORIES


def create_default_categories(apps, schema_editor):
    AidCategory = apps.get_model("aid", "AidCategory")
    for order, name in enumerate(DEFAULT_CATEGORIES, start=1):
        AidCategory.objects.get_or_create(name=name, defaults={"order": order * 10})


def remove_unused_default_categories(apps, schema_editor):
    AidCategory = apps.get_model("aid", "AidCategory")
    AidCategory.objects.filter(name__in=DEFAULT_CATEGORIES, disbursements__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("aid", "0002_initial")]

    operations = [migrations.RunPython(create_default_categories, remove_unused_default_categories)]

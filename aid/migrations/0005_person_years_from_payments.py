"""Fills PersonYear from the payments already recorded."""

from django.db import migrations
from django.db.models import Min
from django.db.models.functions import ExtractYear


def fill(apps, schema_editor):
    Disbursement = apps.get_model("aid", "Disbursement")
    PersonYear = apps.get_model("aid", "PersonYear")
    payments = Disbursement.objects.filter(beneficiary__isnull=False).order_by()
    rows = []
    for group in (("beneficiary", "category"), ("beneficiary",)):
        firsts = payments.values(*group, "beneficiary__chapter", year=ExtractYear("date")).annotate(first=Min("date"))
        for row in firsts.iterator(chunk_size=10000):
            rows.append(
                PersonYear(
                    chapter_id=row["beneficiary__chapter"],
                    beneficiary_id=row["beneficiary"],
                    category_id=row.get("category"),
                    year=row["year"],
                    first_date=row["first"],
                )
            )
    PersonYear.objects.bulk_create(rows, batch_size=10000)


class Migration(migrations.Migration):
    dependencies = [("aid", "0004_person_year")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]

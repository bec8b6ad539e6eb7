import datetime

from django.db import migrations, models

# Sections whose text a person may have written: their report was changed after it was opened,
# or they have no generated text at all. The rest were only ever the generated first draft; they
# become living (written again from the records on every read).
NO_GENERATED_TEXT = ("publicity", "party", "shortcomings")


def mark_edited(apps, schema_editor):
    Section = apps.get_model("reports", "Section")
    for section in Section.objects.select_related("report").exclude(body=""):
        report = section.report
        touched = report.updated_at - report.created_at > datetime.timedelta(seconds=5)
        if touched or section.key in NO_GENERATED_TEXT:
            section.edited = True
            section.save(update_fields=["edited"])
        else:
            section.body = ""
            section.save(update_fields=["body"])


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="section",
            name="edited",
            field=models.BooleanField(default=False, verbose_name="已人工修改"),
        ),
        migrations.RunPython(mark_edited, migrations.RunPython.noop),
    ]

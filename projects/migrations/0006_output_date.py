import datetime

from django.db import migrations, models

import redcross.bounds


def date_outputs(apps, schema_editor):
    """An output recorded before outputs had dates is dated by its project: completed, else
    started, else planned start, else its first spending, else planned end, else today."""
    Output = apps.get_model("projects", "Output")
    Expenditure = apps.get_model("projects", "Expenditure")
    for output in Output.objects.select_related("project").filter(date__isnull=True):
        project = output.project
        first_spending = (
            Expenditure.objects.filter(project=project).order_by("date").values_list("date", flat=True).first()
        )
        output.date = (
            project.completed_on or project.started_on or project.start_date or first_spending or project.end_date
        )
        output.date = output.date or datetime.date.today()
        output.save(update_fields=["date"])


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0005_bounds"),
    ]

    operations = [
        migrations.AddField(
            model_name="output",
            name="date",
            field=models.DateField(null=True, verbose_name="完成日期"),
        ),
        migrations.RunPython(date_outputs, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="output",
            name="date",
            field=models.DateField(validators=[redcross.bounds.validate_record_date], verbose_name="完成日期"),
        ),
        migrations.AlterModelOptions(
            name="output",
            options={"ordering": ["date", "pk"], "verbose_name": "项目产出", "verbose_name_plural": "项目产出"},
        ),
    ]

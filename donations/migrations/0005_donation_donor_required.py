import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("donations", "0004_donors_from_names")]

    operations = [
        migrations.AlterField(
            model_name="donation",
            name="donor",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="donations",
                to="donations.donor",
                verbose_name="捐赠人",
            ),
        ),
        # A default first, so that undoing this migration can add the column back to a table
        # holding donations; 0004 undone then fills in each donor's name.
        migrations.AlterField(
            model_name="donation",
            name="donor_name",
            field=models.CharField(max_length=200, default="", verbose_name="捐赠人"),
        ),
        migrations.RemoveField(model_name="donation", name="donor_name"),
    ]

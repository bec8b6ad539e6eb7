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
        migrations.RemoveField(model_name="donation", name="donor_name"),
    ]

"""Issue 20: every gift in kind recorded before goods were kept becomes its lot, and the relief
payments and payouts in kind that followed become issues from those lots where they can be
matched (``goods.migrating``); the rest stand as they are, valued but not traced."""

from django.db import migrations

from goods.migrating import lots_from_gifts


class Migration(migrations.Migration):
    dependencies = [
        ("goods", "0001_initial"),
        ("aid", "0021_disbursement_goods_issue"),
        ("donations", "0013_kept_months"),
    ]

    operations = [migrations.RunPython(lots_from_gifts, migrations.RunPython.noop)]

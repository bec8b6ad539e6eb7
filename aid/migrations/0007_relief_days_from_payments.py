"""Fills ReliefDay from the payments already recorded."""

from django.db import migrations
from django.db.models import Count, Q, Sum


def fill(apps, schema_editor):
    Disbursement = apps.get_model("aid", "Disbursement")
    ReliefDay = apps.get_model("aid", "ReliefDay")
    rows = (
        Disbursement.objects.order_by()
        .values("chapter", "category", "fund", "date")
        .annotate(
            payments=Count("pk"),
            cash=Sum("cash_amount"),
            in_kind=Sum("in_kind_amount"),
            case_count=Sum("cases"),
            groups=Sum("head_count", filter=Q(beneficiary__isnull=True)),
        )
    )
    ReliefDay.objects.bulk_create(
        (
            ReliefDay(
                chapter_id=row["chapter"],
                category_id=row["category"],
                fund_id=row["fund"],
                date=row["date"],
                payments=row["payments"],
                cash_amount=row["cash"] or 0,
                in_kind_amount=row["in_kind"] or 0,
                cases=row["case_count"] or 0,
                group_persons=row["groups"] or 0,
            )
            for row in rows.iterator(chunk_size=10000)
        ),
        batch_size=10000,
    )


class Migration(migrations.Migration):
    dependencies = [("aid", "0006_relief_day")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]

"""Donations named their donor in a text field; each distinct name becomes a donor record."""

from django.db import migrations


def donors_from_names(apps, schema_editor):
    """Each distinct donor name of a chapter becomes one donor (an organisation unless it reads as a person)."""
    Donation = apps.get_model("donations", "Donation")
    Donor = apps.get_model("donations", "Donor")
    donors = {}
    for donation in Donation.objects.filter(donor__isnull=True).order_by("pk"):
        key = (donation.chapter_id, donation.donor_name)
        if key not in donors:
            kind = "person" if len(donation.donor_name) <= 4 else "organisation"
            donors[key] = Donor.objects.create(chapter_id=donation.chapter_id, name=donation.donor_name, kind=kind)
        donation.donor = donors[key]
        donation.save(update_fields=["donor"])


def names_from_donors(apps, schema_editor):
    Donation = apps.get_model("donations", "Donation")
    for donation in Donation.objects.select_related("donor"):
        donation.donor_name = donation.donor.name
        donation.save(update_fields=["donor_name"])


class Migration(migrations.Migration):
    dependencies = [("donations", "0003_fund_restricted_project_alter_donation_amount_and_more")]

    operations = [migrations.RunPython(donors_from_names, names_from_donors)]

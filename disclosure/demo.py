"""The demo's public disclosure: 奈曼旗 (150525) published the use of its 2020 drives (the epidemic
drive and 博爱一日捐), its 2020 totals and its 2020 work report, so ``/public/150525/`` shows them.
Idempotent: what is published once is left as it is."""

import datetime

from django.db import transaction

from donations.choices import DonorKind
from donations.models import Donation, Drive
from donations.services import donor_update

from .choices import DisclosureKind
from .services import disclosure_prepare, disclosure_publish

YEAR_END = datetime.date(2020, 12, 31)


def _name_organisations(chapter, user, drives):
    """The units that gave to 2020's drives were named in the chapter's published lists, as they
    agreed; the two individual donors keep their own choice."""
    donors = {g.donor for g in Donation.objects.filter(drive__in=drives).select_related("donor")}
    for donor in sorted(donors, key=lambda d: d.pk):
        if donor.kind == DonorKind.ORGANISATION and not donor.named_in_public:
            donor_update(
                donor=donor,
                user=user,
                name=donor.name,
                kind=donor.kind,
                contact_person=donor.contact_person,
                phone=donor.phone,
                address=donor.address,
                named_in_public=True,
                remarks=donor.remarks,
            )


@transaction.atomic
def disclosure_demo(chapter, staff, leader):
    drives = list(Drive.objects.filter(chapter=chapter, start_date__year=2020).order_by("start_date"))
    _name_organisations(chapter, staff, drives)
    subjects = [{"kind": DisclosureKind.DRIVE, "drive": d, "as_of": YEAR_END} for d in drives]
    subjects.append({"kind": DisclosureKind.PERIOD, "period": "2020", "as_of": YEAR_END})
    for subject in subjects:
        disclosure = disclosure_prepare(chapter=chapter, user=staff, **subject)
        if not disclosure.versions.exists():
            disclosure_publish(disclosure=disclosure, user=leader)


def report_published(chapter, leader):
    from reports.models import Report
    from reports.services import report_publish

    report = Report.objects.filter(chapter=chapter, year=2020, kind="year").first()
    if report is not None and not report.publications.exists():
        report_publish(report=report, user=leader)


def demo_load(chapters, users):
    """The demo loader (``redcross.registry``), after the reports'."""
    naiman = chapters["150525"]
    disclosure_demo(naiman, users["demo-staff"], users["demo-leader"])
    report_published(naiman, users["demo-leader"])

"""The demo's public disclosure: 奈曼旗 (150525) published the use of its 2020 drives (the epidemic
drive and 博爱一日捐), its 2020 totals and its 2020 work report, so ``/public/150525/`` shows them.

On the demo's day (the app's today) every drive and project of the demo ended long ago, and the
law wanted each disclosed in full within three months of its end: 150525 published its 2019
drive and its five 2020 projects, 安康市 (610900) its two projects (its 博爱送万家 goods came as an
allocation, not a drive), each cut at its end, so the start pages of demo-staff and demo-city
show nothing overdue rather than six invented reminders. The counties' open-ended 2023 projects
have no demo user to see or publish them and are left as they are. Idempotent: what is published
once is left as it is."""

import datetime

from django.db import transaction

from donations.choices import DonorKind
from donations.models import Donation, Drive
from donations.services import donor_update
from projects.models import Project
from redcross import bounds

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


def _publish(chapter, staff, leader, subjects):
    for subject in subjects:
        disclosure = disclosure_prepare(chapter=chapter, user=staff, **subject)
        if not disclosure.versions.exists():
            disclosure_publish(disclosure=disclosure, user=leader)


def _ended_in_full(chapter, *, drives=(), projects=True):
    """Each ended drive (of ``drives``) and project of ``chapter``, cut at its end: its full
    disclosure (慈善法: within three months of the end)."""
    today = bounds.today()
    subjects = [
        {"kind": DisclosureKind.DRIVE, "drive": d, "as_of": d.end_date} for d in drives if d.end_date < today
    ]
    if projects:
        ended = Project.objects.filter(chapter=chapter, end_date__lt=today).order_by("end_date", "pk")
        subjects += [{"kind": DisclosureKind.PROJECT, "project": p, "as_of": p.end_date} for p in ended]
    return subjects


@transaction.atomic
def disclosure_demo(chapter, staff, leader):
    drives = list(Drive.objects.filter(chapter=chapter, start_date__year=2020).order_by("start_date"))
    _name_organisations(chapter, staff, drives)
    # In the order they fell due: the 2019 drive and the projects (ended by October 2020) before
    # the year-end disclosures, so the public page, newest first, leads with 2020's drives.
    earlier = Drive.objects.filter(chapter=chapter, start_date__year__lt=2020).order_by("start_date")
    subjects = _ended_in_full(chapter, drives=earlier)
    subjects += [{"kind": DisclosureKind.DRIVE, "drive": d, "as_of": YEAR_END} for d in drives]
    subjects.append({"kind": DisclosureKind.PERIOD, "period": "2020", "as_of": YEAR_END})
    _publish(chapter, staff, leader, subjects)


@transaction.atomic
def city_disclosure_demo(chapter, leader):
    """安康市's drives (none in the demo) and projects, published by its leader (demo-city, who
    prepares them too: the city has no demo staff)."""
    drives = Drive.objects.filter(chapter=chapter).order_by("start_date")
    _publish(chapter, leader, leader, _ended_in_full(chapter, drives=drives))


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
    city_disclosure_demo(chapters["610900"], users["demo-city"])
    report_published(naiman, users["demo-leader"])

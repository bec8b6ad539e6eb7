"""Every view × every role: who reads, who writes, and that nobody reaches another chapter's records
by guessing an id. A new view fails ``test_every_view_is_in_the_matrix`` until it is given a rule.

Roles: the county 奈曼旗's staff, leader, auditor and administrator; the city above it (通辽, a
leader: reads the county); a sibling county's staff (科左中旗) and an auditor of another branch
(汉阴县), who may reach nothing of 奈曼旗; and anonymous visitors, sent to log in. Every refused
POST leaves the database as it was.
"""

import datetime
from decimal import Decimal

import pytest
from django.urls import URLResolver, get_resolver, reverse

from disclosure.choices import DisclosureKind
from disclosure.services import disclosure_prepare, disclosure_publish
from donations.models import Drive
from redcross.choices import ExportStatus, ImportStatus, Role
from redcross.models import Export, ImportBatch
from reports.choices import ReportKind
from reports.periods import Period
from reports.services import report_open

from .factories import DisbursementFactory, ImportBatchFactory, PublicationFactory
from .test_write_access import records  # noqa: F401 — the records fixture

ROLES = ["anonymous", "staff", "leader", "auditor", "admin", "city", "sibling", "elsewhere"]
COUNTY = {"staff", "leader", "auditor", "admin"}
READERS = COUNTY | {"city"}
DENIED = {403, 404}

# route → (the rule it keeps, the URL arguments by the name of a record in ``world``)
MATRIX = {
    "home": ("member", {}),
    "dashboard": ("member", {}),
    "approvals": ("member", {}),
    "aid:disbursement-list": ("member", {}),
    "aid:disbursement-create": ("create", {}),
    "aid:disbursement-detail": ("read", {"pk": "disbursement"}),
    "aid:disbursement-update": ("write", {"pk": "disbursement"}),
    "aid:disbursement-void": ("write", {"pk": "disbursement"}),
    "aid:disbursement-reverse": ("write", {"pk": "disbursement"}),
    "aid:disbursement-approve": ("approve", {"pk": "disbursement"}),
    "aid:beneficiary-list": ("member", {}),
    "aid:beneficiary-detail": ("read", {"pk": "beneficiary"}),
    "aid:beneficiary-update": ("write", {"pk": "beneficiary"}),
    "aid:beneficiary-merge": ("write", {"pk": "beneficiary"}),
    "donations:donation-list": ("member", {}),
    "donations:donation-create": ("create", {}),
    "donations:donation-detail": ("read", {"pk": "donation"}),
    "donations:donation-update": ("write", {"pk": "donation"}),
    "donations:donation-void": ("write", {"pk": "donation"}),
    "donations:donation-reverse": ("write", {"pk": "donation"}),
    "donations:receipt-issue": ("write", {"parent_pk": "donation"}),
    "donations:receipt-void": ("write", {"parent_pk": "receipt"}),
    "donations:donor-list": ("member", {}),
    "donations:donor-create": ("create", {}),
    "donations:donor-detail": ("read", {"pk": "donor"}),
    "donations:donor-update": ("write", {"pk": "donor"}),
    "donations:fund-list": ("member", {}),
    "donations:fund-create": ("administer", {}),
    "donations:fund-detail": ("read", {"pk": "fund"}),
    "donations:fund-update": ("administer", {"pk": "fund"}),
    "donations:drive-list": ("member", {}),
    "donations:drive-create": ("create", {}),
    "donations:drive-detail": ("read", {"pk": "drive"}),
    "donations:drive-update": ("write", {"pk": "drive"}),
    "donations:payout-list": ("member", {}),
    "donations:payout-create": ("create", {}),
    "donations:payout-detail": ("read", {"pk": "payout"}),
    "donations:payout-update": ("write", {"pk": "payout"}),
    "donations:payout-void": ("write", {"pk": "payout"}),
    "donations:payout-reverse": ("write", {"pk": "payout"}),
    "goods:stock": ("member", {}),
    "goods:lot-create": ("create", {}),
    "goods:lot-detail": ("read", {"pk": "lot"}),
    "goods:stock-count": ("write", {"parent_pk": "lot"}),
    "goods:lot-receive": ("receive", {"parent_pk": "lot_in_transit"}),
    "goods:lot-void": ("write", {"pk": "lot"}),
    "goods:lot-reverse": ("write", {"pk": "lot"}),
    "goods:issue-list": ("member", {}),
    "goods:issue-create": ("create", {}),
    "goods:issue-detail": ("read", {"pk": "issue"}),
    "goods:issue-void": ("write", {"pk": "issue"}),
    "goods:issue-reverse": ("write", {"pk": "issue"}),
    "goods:issue-approve": ("approve", {"pk": "write_off"}),
    "goods:line-detail": ("read", {"pk": "line"}),
    "goods:adjustment-detail": ("read", {"pk": "adjustment"}),
    "goods:adjustment-void": ("write", {"pk": "adjustment"}),
    "goods:adjustment-reverse": ("write", {"pk": "adjustment"}),
    "goods:store-create": ("create", {}),
    "training:overview": ("member", {}),
    "training:targets": ("create", {}),
    "training:session-list": ("member", {}),
    "training:session-create": ("create", {}),
    "training:session-detail": ("read", {"pk": "session"}),
    "training:session-update": ("write", {"pk": "session"}),
    "training:certificate-create": ("write", {"parent_pk": "certifying_session"}),
    "training:certificate-class": ("write", {"parent_pk": "certifying_session"}),
    "training:certificate-list": ("member", {}),
    "training:instructor-list": ("member", {}),
    "training:instructor-create": ("create", {}),
    "training:instructor-update": ("write", {"pk": "instructor"}),
    "projects:project-list": ("member", {}),
    "projects:project-create": ("create", {}),
    "projects:project-detail": ("read", {"pk": "project"}),
    "projects:project-update": ("write", {"pk": "project"}),
    "projects:project-advance": ("write", {"parent_pk": "project"}),
    "projects:output-create": ("write", {"parent_pk": "project"}),
    "projects:audit-create": ("write", {"parent_pk": "project"}),
    "projects:budget-lines": ("write", {"parent_pk": "project"}),
    "projects:expenditure-list": ("member", {}),
    "projects:expenditure-create": ("create", {}),
    "projects:expenditure-detail": ("read", {"pk": "expenditure"}),
    "projects:expenditure-update": ("write", {"pk": "expenditure"}),
    "projects:expenditure-void": ("write", {"pk": "expenditure"}),
    "projects:expenditure-reverse": ("write", {"pk": "expenditure"}),
    "projects:expenditure-approve": ("approve", {"pk": "expenditure"}),
    "reports:report-list": ("member", {}),
    "reports:report-open": ("post-edit-report", {}),
    "reports:report-detail": ("read", {"pk": "report"}),
    "reports:section-update": ("edit-report", {"pk": "report", "key": "party"}),
    "reports:section-preview": ("post-edit-report", {"pk": "report", "key": "party"}),
    "reports:report-publish": ("post-publish", {"pk": "report"}),
    "reports:report-pdf": ("read", {"pk": "report"}),
    "reports:publication-pdf": ("read", {"pk": "report", "version": "one"}),
    "disclosure:list": ("member", {}),
    "disclosure:create": ("prepare", {}),
    "disclosure:detail": ("read", {"pk": "disclosure"}),
    "disclosure:publish": ("post-publish", {"pk": "disclosure"}),
    "disclosure:draft-excel": ("read", {"pk": "disclosure", "key": "gifts"}),
    "disclosure:feedback-list": ("member", {}),
    "disclosure:feedback-record": ("post-write", {"pk": "donation"}),
    "disclosure:statement": ("read", {"pk": "donor"}),
    # The public addresses: no login (DESIGN.md, "Contracts").
    "public:chapter": ("public", {"code": "150525"}),
    "public:lookup": ("public", {"code": "150525"}),
    "public:version": ("public", {"code": "150525", "pk": "disclosure_version"}),
    "public:version-excel": ("public", {"code": "150525", "pk": "disclosure_version", "key": "gifts"}),
    "public:report-pdf": ("public", {"code": "150525", "pk": "publication"}),
    "export-list": ("member", {}),
    "ledgers": ("member", {}),
    "export-create": ("post-member", {"key": "disbursements"}),
    "export-detail": ("owner", {"pk": "export"}),
    "export-download": ("owner", {"pk": "export"}),
    "import-list": ("member", {}),
    "change-list": ("member", {}),
    "periods": ("member", {}),
    "chapter-admin": ("administer", {}),
    "chapter-categories": ("administer", {}),
    "chapter-members": ("administer", {"code": "150525"}),
    "chapter-member-create": ("administer", {"code": "150525"}),
    "chapter-member": ("administer", {"code": "150525", "user_id": "member"}),
    "chapter-townships": ("administer", {"code": "150525"}),
    "import-upload": ("create", {}),
    "import-template": ("member", {}),
    "import-detail": ("read", {"pk": "batch"}),
    "import-confirm": ("post-write", {"pk": "preview"}),
    "import-undo": ("post-write", {"pk": "batch"}),
    "import-marked": ("write", {"pk": "batch"}),
    # Django's own account pages.
    "login": ("public", {}),
    "logout": ("post-any", {}),
    "password_change": ("member", {}),
    "password_change_done": ("member", {}),
    "password_reset": ("public", {}),
    "password_reset_done": ("public", {}),
    "password_reset_confirm": ("public", {"uidb64": "x", "token": "y"}),
    "password_reset_complete": ("public", {}),
    "set_language": ("post-any", {}),
}


def route_names(patterns=None, namespace=""):
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.app_name == "admin":
                continue
            inner = ":".join(filter(None, [namespace, pattern.namespace]))
            yield from route_names(pattern.url_patterns, inner)
        elif pattern.name:
            yield f"{namespace}:{pattern.name}" if namespace else pattern.name


def test_every_view_is_in_the_matrix():
    assert sorted(set(route_names())) == sorted(MATRIX)


@pytest.fixture
def world(tree, member, records):  # noqa: F811
    users = {
        "staff": member(Role.STAFF, tree.naiman, "m-staff"),
        "leader": member(Role.LEADER, tree.naiman, "m-leader"),
        "auditor": member(Role.AUDITOR, tree.naiman, "m-auditor"),
        "admin": member(Role.ADMIN, tree.naiman, "m-admin"),
        "city": member(Role.LEADER, tree.tongliao, "m-city"),
        "sibling": member(Role.STAFF, tree.horqin, "m-sibling"),
        "elsewhere": member(Role.AUDITOR, tree.hanyin, "m-elsewhere"),
    }
    from training.models import Session, TrainingKind

    report = report_open(chapter=tree.naiman, period=Period(2020, ReportKind.YEAR))
    publication = PublicationFactory(
        report=report, version=1, title="奈曼旗红十字会2020年全年工作报告", published_by=users["leader"],
        published_at=datetime.datetime(2021, 1, 5, tzinfo=datetime.UTC), sections=[],
        figures={"figures": {}, "tables": {}},
        pdf=b"%PDF-1.7 frozen", sha256="0" * 64,
    )  # fmt: skip
    certifying = Session.objects.create(
        chapter=tree.naiman, date=datetime.date(2020, 6, 1), kind=TrainingKind.objects.get(name="救护员培训"),
        title="救护员培训班", person_times=30, certified_count=30,
    )  # fmt: skip
    payment = DisbursementFactory(chapter=tree.naiman, cash_amount=Decimal("100"))
    drive = Drive.objects.get(pk=records["drive"])
    disclosure = disclosure_prepare(
        chapter=tree.naiman, user=users["staff"], kind=DisclosureKind.DRIVE, drive=drive,
        as_of=datetime.date(2020, 6, 30),
    )  # fmt: skip
    version = disclosure_publish(disclosure=disclosure, user=users["leader"])
    ids = {
        "lot_in_transit": allocated(tree, member(Role.STAFF, tree.tongliao, "m-city-staff")).pk,
        **records,
        "disbursement": payment.pk,
        "beneficiary": payment.beneficiary_id,
        "certifying_session": certifying.pk,
        "member": users["staff"].pk,
        "report": report.pk,
        "one": 1,
        "disclosure": disclosure.pk,
        "disclosure_version": version.pk,
        "publication": publication.pk,
        "export": exported(users["staff"]).pk,
        "batch": imported(tree.naiman, users["staff"]).pk,
        "preview": ImportBatchFactory(
            chapter=tree.naiman, user=users["staff"], filename="b.xlsx", checksum="b" * 64
        ).pk,
    }
    return users, ids


def allocated(tree, city_staff):
    """A lot 通辽 allocated to 奈曼旗, in transit until the county confirms it."""
    from goods.choices import IssueKind, LotOrigin
    from goods.models import Lot
    from goods.services import issue_record, lot_receive

    from .factories import FundFactory

    above = lot_receive(
        chapter=tree.tongliao, user=city_staff, date=datetime.date(2020, 6, 1), origin=LotOrigin.ALLOCATION,
        fund=FundFactory(chapter=tree.tongliao), item_name="棉被", unit="床", quantity=Decimal("10"),
        total_value=Decimal("1000"), valuation_basis="invoice", counted_by_1="甲", counted_by_2="乙",
        origin_chapter=tree.nm,
    )  # fmt: skip
    issue = issue_record(
        chapter=tree.tongliao, user=city_staff, date=datetime.date(2020, 6, 1), kind=IssueKind.ALLOCATION,
        recipient_chapter=tree.naiman, lines=[(above, Decimal("10"))],
    )  # fmt: skip
    return Lot.objects.get(source_line__issue=issue)


def exported(user):
    from django.core.files.base import ContentFile

    job = Export(
        user=user, key="disbursements", title="救助支出明细账", status=ExportStatus.DONE, filename="a.xlsx"
    )
    job.file.save("a.xlsx", ContentFile(b"PK\x03\x04"), save=True)
    return job


def imported(chapter, user):
    from django.core.files.base import ContentFile

    from .test_imports import PAYMENT, workbook

    batch = ImportBatch(
        chapter=chapter, user=user, filename="a.xlsx", checksum="a" * 64, status=ImportStatus.DONE,
        imported_at=datetime.datetime(2021, 1, 5, tzinfo=datetime.UTC),
    )  # fmt: skip
    batch.file.save("a.xlsx", ContentFile(workbook({"救助发放": [PAYMENT]}).getvalue()), save=True)
    return batch


def allowed(rule, role):
    """Whether ``role`` gets in (True), is refused (False), or is sent to log in ("login")."""
    if rule == "public":
        return True
    if role == "anonymous":
        return "login"
    return {
        "member": True,
        "post-member": True,
        "post-any": True,
        "read": role in READERS,
        "write": role in {"staff", "admin"},
        "create": role in {"staff", "admin", "sibling"},  # a new record of their own chapter
        "post-write": role in {"staff", "admin"},
        "administer": role == "admin",
        "approve": role in {"leader", "admin"},  # of their own chapter only: not the city above
        "edit-report": role in {"staff", "leader", "admin"},
        "post-edit-report": role in {"staff", "leader", "admin"},
        "post-publish": role == "leader",
        # Staff, leaders and administrators prepare their own chapter's disclosures.
        "prepare": role in {"staff", "leader", "admin", "city", "sibling"},
        "owner": role == "staff",
        # The receiving chapter's staff and leaders (and administrators) confirm an allocation.
        "receive": role in {"staff", "leader", "admin"},
    }[rule]


def database_state():
    """Every row of every table but the login sessions, voided ones too: a refused post that
    changed a row in place leaves the counts as they were, not the rows."""
    from django.apps import apps

    return {
        m._meta.label: list(m._base_manager.order_by("pk").values())
        for m in apps.get_models()
        if m._meta.app_label != "sessions"
    }


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_exactly_what_the_matrix_says(client, world, role):
    users, ids = world
    if role != "anonymous":
        client.force_login(users[role])
    for name, (rule, arguments) in MATRIX.items():
        url = reverse(name, kwargs={key: ids.get(value, value) for key, value in arguments.items()})
        verdict = allowed(rule, role)
        if rule.startswith("post-"):
            if rule == "post-any" or verdict is True:
                continue  # what a permitted POST does is tested with each feature
            before = database_state()
            response = client.post(url, {})
            assert database_state() == before, (name, role)
        else:
            response = client.get(url)
        if verdict == "login":
            assert response.status_code == 302 and response["Location"].startswith("/accounts/login/"), (
                name,
                role,
            )
        elif verdict is True:
            assert response.status_code == 200, (name, role, response.status_code)
        else:
            assert response.status_code in DENIED, (name, role, response.status_code)


@pytest.mark.parametrize("role", ["leader", "auditor", "city", "sibling", "elsewhere"])
def test_a_refused_role_changes_nothing_by_posting_to_any_write_view(client, world, role):
    users, ids = world
    client.force_login(users[role])
    for name, (rule, arguments) in MATRIX.items():
        if (
            rule not in ("write", "create", "administer", "edit-report", "approve", "prepare", "receive")
            or allowed(rule, role) is True
        ):
            continue
        url = reverse(name, kwargs={key: ids.get(value, value) for key, value in arguments.items()})
        before = database_state()
        response = client.post(url, {"date": "2020-06-01", "cash_amount": "1", "name": "x", "body": "x"})
        assert response.status_code in DENIED | {405}, (
            name,
            role,
            response.status_code,
        )  # 405: a GET-only page
        assert database_state() == before, (name, role)

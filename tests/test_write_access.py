"""Every page that writes a donation, training or project record, for every role: staff and
administrators of the record's chapter get the form, leaders and auditors are refused, and staff of
another county cannot reach a record by guessing its id. A refused POST changes nothing."""

import datetime
import re
from decimal import Decimal

import pytest
from django.apps import apps
from django.urls import reverse

from donations.models import Donation, Donor, Drive, Fund, Payout, Receipt
from projects.models import Audit, Expenditure, Output, Project
from redcross.choices import Role
from training.models import Certificate, Instructor, Session, Target

from .factories import (
    DonationFactory,
    DonorFactory,
    DriveFactory,
    ExpenditureFactory,
    FundFactory,
    InstructorFactory,
    ProjectFactory,
    SessionFactory,
)


@pytest.fixture
def records(tree):
    """One record of each kind in 奈曼旗, with the ids the pages take."""
    from donations.services import payout_record, receipt_issue

    fund = FundFactory(chapter=tree.naiman, name="博爱一日捐")
    drive = DriveFactory(fund=fund)
    donation = DonationFactory(
        fund=fund, drive=drive, amount=Decimal("500"), donor=DonorFactory(chapter=tree.naiman)
    )
    payout = payout_record(
        chapter=tree.naiman,
        user=None,
        date=datetime.date(2020, 6, 1),
        fund=fund,
        recipient="奈曼旗疫情防控指挥部",
        purpose="防控",
        cash_amount=Decimal("100"),
    )
    project = ProjectFactory(chapter=tree.naiman, budget=Decimal("1000"))
    lot, issue, adjustment, write_off = goods_records(tree, fund)
    return {
        "lot": lot.pk,
        "issue": issue.pk,
        "line": issue.lines.get().pk,
        "adjustment": adjustment.pk,
        "write_off": write_off.pk,
        "donation": donation.pk,
        "donor": donation.donor.pk,
        "fund": fund.pk,
        "drive": drive.pk,
        "payout": payout.pk,
        "receipt": receipt_issue(
            donation=donation, user=None, number="NM-1", issued_on=datetime.date(2020, 6, 1)
        ).pk,
        "session": SessionFactory(chapter=tree.naiman).pk,
        "instructor": InstructorFactory(
            chapter=tree.naiman, name="王师资", qualified_until=datetime.date(2030, 1, 1)
        ).pk,
        "project": project.pk,
        "expenditure": ExpenditureFactory(project=project, amount=Decimal("10")).pk,
    }


def goods_records(tree, fund):
    """A lot bought with the fund's cash, an issue from it, a stock count, a write-off waiting."""
    from goods.choices import IssueKind, LotOrigin
    from goods.services import issue_record, lot_receive, stock_count_record

    day = datetime.date(2020, 6, 2)
    lot = lot_receive(
        chapter=tree.naiman, user=None, date=day, origin=LotOrigin.PURCHASE, fund=fund, item_name="口罩",
        unit="箱", quantity=Decimal("10"), total_value=Decimal("100"), valuation_basis="invoice",
        counted_by_1="甲", counted_by_2="乙",
    )  # fmt: skip
    issue = issue_record(
        chapter=tree.naiman, user=None, date=day, kind=IssueKind.UNIT, receiving_unit="县医院",
        lines=[(lot, Decimal("2"))],
    )  # fmt: skip
    adjustment = stock_count_record(
        chapter=tree.naiman, user=None, date=day, lot=lot, counted_quantity=Decimal("7"), reason="破损",
        counted_by_1="甲", counted_by_2="乙",
    )  # fmt: skip
    write_off = issue_record(
        chapter=tree.naiman, user=None, date=day, kind=IssueKind.WRITE_OFF, reason="过期",
        lines=[(lot, Decimal("1"))],
    )  # fmt: skip
    return lot, issue, adjustment, write_off


# route, the record whose id it takes (or None), whether only administrators may use it
PAGES = [
    ("donations:donation-create", None, False),
    ("donations:donation-update", "donation", False),
    ("donations:receipt-issue", "donation", False),
    ("donations:receipt-void", "receipt", False),
    ("donations:donor-create", None, False),
    ("donations:donor-update", "donor", False),
    ("donations:fund-create", None, True),
    ("donations:fund-update", "fund", True),
    ("donations:drive-create", None, False),
    ("donations:drive-update", "drive", False),
    ("donations:payout-create", None, False),
    ("donations:payout-update", "payout", False),
    ("goods:lot-create", None, False),
    ("goods:issue-create", None, False),
    ("goods:stock-count", "lot", False),
    ("goods:store-create", None, False),
    ("training:targets", None, False),
    ("training:session-create", None, False),
    ("training:session-update", "session", False),
    ("training:certificate-create", "session", False),
    ("training:instructor-create", None, False),
    ("training:instructor-update", "instructor", False),
    ("projects:project-create", None, False),
    ("projects:project-update", "project", False),
    ("projects:project-advance", "project", False),
    ("projects:output-create", "project", False),
    ("projects:audit-create", "project", False),
    ("projects:budget-lines", "project", False),
    ("projects:expenditure-create", None, False),
    ("projects:expenditure-update", "expenditure", False),
]

WRITTEN = [Donation, Receipt, Donor, Fund, Drive, Payout, Session, Certificate, Instructor, Target]
WRITTEN += [Project, Output, Audit, Expenditure]
GOODS = ("Store", "Item", "Lot", "Issue", "IssueLine", "Adjustment")
WRITTEN += [apps.get_model("goods", name) for name in GOODS]


def url(route, record, records):
    if record is None:
        return reverse(route)
    key = "pk" if route.endswith("-update") else "parent_pk"
    return reverse(route, kwargs={key: records[record]})


def expected(role, chapter, record, administered):
    if role in (Role.LEADER, Role.AUDITOR):
        return 403
    if administered and role != Role.ADMIN:
        return 403
    if chapter == "horqin" and record is not None:
        return 403  # another county's record, reached by its id
    return 200


@pytest.mark.parametrize(("route", "record", "administered"), PAGES, ids=[p[0] for p in PAGES])
@pytest.mark.parametrize(
    ("role", "chapter"),
    [
        (Role.STAFF, "naiman"),
        (Role.ADMIN, "naiman"),
        (Role.LEADER, "naiman"),
        (Role.AUDITOR, "naiman"),
        (Role.STAFF, "horqin"),
    ],
    ids=["staff", "admin", "leader", "auditor", "staff-of-another-county"],
)
def test_who_gets_each_write_page(client, member, tree, records, route, record, administered, role, chapter):
    client.force_login(member(role, getattr(tree, chapter)))
    response = client.get(url(route, record, records))
    assert response.status_code == expected(role, chapter, record, administered)
    if response.status_code == 200:
        form = record_form(response.content.decode())
        assert 'type="submit"' in form and "保存" in form


def record_form(html):
    """The page's own form: the one posting to the page, not the language switch or logout every
    page's header carries (both post too)."""
    forms = [
        form
        for opening, form in re.findall(r"(<form\b[^>]*>)(.*?)</form>", html, re.S)
        if 'method="post"' in opening and "action=" not in opening
    ]
    assert len(forms) == 1, forms
    fields = set(re.findall(r'name="([^"]+)"', forms[0])) - {"csrfmiddlewaretoken"}
    assert fields, "the form has no field of the record"
    return forms[0]


@pytest.mark.parametrize(("route", "record", "administered"), PAGES, ids=[p[0] for p in PAGES])
def test_a_refused_post_changes_nothing(client, member, tree, records, route, record, administered):
    before = rows()
    client.force_login(member(Role.AUDITOR, tree.naiman))
    response = client.post(url(route, record, records), {"name": "审计员不能写", "amount": "1"})
    assert response.status_code == 403
    assert rows() == before


def rows():
    """Every row of every kind the pages write, voided ones too: a refused post that changed a
    record in place would leave the counts as they were, not the rows."""
    return {model.__name__: list(model._base_manager.order_by("pk").values()) for model in WRITTEN}

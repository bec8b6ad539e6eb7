"""A county's books for disclosure: a drive whose money sits in its fund, gifts from a donor who
agreed to be named, one who did not and an anonymous one, with receipts; what the fund paid —
relief to a named person (whose name, ID number and township must never reach a public page) and
to a group, a project's expenditure, a payout to a receiving unit —; and a restricted fund."""

import datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest

from aid.models import AidCategory
from donations.choices import DonorKind
from redcross.choices import Role
from tests.factories import (
    BeneficiaryFactory,
    DisbursementFactory,
    DonationFactory,
    DonorFactory,
    DriveFactory,
    ExpenditureFactory,
    FundFactory,
    OutputFactory,
    PayoutFactory,
    ProjectFactory,
    ReceiptFactory,
)

D = datetime.date
PERSON_NAME = "王秀英"
PERSON_ID = "150525198001011234"
PERSON_PHONE = "13904751234"
TOWNSHIP = "八仙筒镇"


@pytest.fixture
def books(tree, member):
    naiman = tree.naiman
    fund = FundFactory(chapter=naiman, name="疫情防控专项捐赠")
    drive = DriveFactory(
        fund=fund, name="疫情防控专项募捐", start_date=D(2020, 1, 26), end_date=D(2020, 4, 30)
    )
    named = DonorFactory(
        chapter=naiman, name="奈曼旗教育系统", kind=DonorKind.ORGANISATION, named_in_public=True
    )
    unnamed = DonorFactory(chapter=naiman, name="赵明", phone=PERSON_PHONE)
    quiet = DonorFactory(chapter=naiman, name="钱多多", named_in_public=True)
    gifts = [
        DonationFactory(fund=fund, drive=drive, donor=named, date=D(2020, 2, 3), amount=Decimal("241800.00")),
        DonationFactory(fund=fund, drive=drive, donor=unnamed, date=D(2020, 2, 5), amount=Decimal("5000.00")),
        DonationFactory(
            fund=fund, drive=drive, donor=quiet, date=D(2020, 2, 9), amount=Decimal("3000.00"), anonymous=True
        ),
    ]
    receipts = [ReceiptFactory(donation=g, number=f"NM2020-{i:04d}") for i, g in enumerate(gifts, start=1)]
    category = AidCategory.objects.get(name="重特大疾病救助")
    person = BeneficiaryFactory(chapter=naiman, name=PERSON_NAME, id_number=PERSON_ID, township=TOWNSHIP)
    relief = [
        DisbursementFactory(
            chapter=naiman,
            fund=fund,
            beneficiary=person,
            category=category,
            date=D(2020, 2, 20),
            cash_amount=Decimal("20000.00"),
            township=TOWNSHIP,
            remarks="尿毒症",
        ),
        DisbursementFactory(
            chapter=naiman,
            fund=fund,
            beneficiary=None,
            category=category,
            date=D(2020, 2, 20),
            head_count=30,
            cases=30,
            cash_amount=Decimal("60000.00"),
            township=TOWNSHIP,
        ),
    ]
    project = ProjectFactory(chapter=naiman, name="富康社区博爱家园项目", budget=Decimal("100000.00"))
    spending = ExpenditureFactory(
        chapter=naiman,
        project=project,
        fund=fund,
        date=D(2020, 3, 2),
        amount=Decimal("12000.00"),
        category="爱心超市",
        payee="奈曼旗惠民超市",
    )
    OutputFactory(project=project, date=D(2020, 3, 10), name="爱心超市", quantity=Decimal("1"), unit="个")
    payout = PayoutFactory(
        fund=fund,
        date=D(2020, 3, 6),
        recipient="奈曼旗新冠肺炎疫情防控指挥部",
        purpose="新冠肺炎疫情防控",
        cash_amount=Decimal("100000.00"),
    )
    school = AidCategory.objects.get(name="助学")
    restricted = FundFactory(chapter=naiman, name="助飞梦想助学资金", restricted_category=school)
    restricted_gift = DonationFactory(
        fund=restricted,
        donor=DonorFactory(chapter=naiman, name="北京市通州区红十字会", kind=DonorKind.ORGANISATION),
        date=D(2020, 8, 20),
        amount=Decimal("100000.00"),
    )
    receipts.append(ReceiptFactory(donation=restricted_gift, number="NM2020-0019"))
    DisbursementFactory(
        chapter=naiman,
        fund=restricted,
        category=school,
        beneficiary=None,
        head_count=25,
        cases=25,
        date=D(2020, 9, 1),
        cash_amount=Decimal("50000.00"),
    )
    return SimpleNamespace(
        chapter=naiman,
        fund=fund,
        drive=drive,
        gifts=gifts,
        receipts=receipts,
        relief=relief,
        project=project,
        spending=spending,
        payout=payout,
        restricted=restricted,
        restricted_gift=restricted_gift,
        named=named,
        unnamed=unnamed,
        quiet=quiet,
        staff=member(Role.STAFF, naiman, "d-staff"),
        leader=member(Role.LEADER, naiman, "d-leader"),
        auditor=member(Role.AUDITOR, naiman, "d-auditor"),
    )


@pytest.fixture
def drive_disclosure(books):
    from disclosure.choices import DisclosureKind
    from disclosure.services import disclosure_prepare

    return disclosure_prepare(
        chapter=books.chapter,
        user=books.staff,
        kind=DisclosureKind.DRIVE,
        drive=books.drive,
        as_of=D(2020, 4, 30),
    )


@pytest.fixture
def published(books, drive_disclosure):
    from disclosure.services import disclosure_publish

    return disclosure_publish(disclosure=drive_disclosure, user=books.leader)

"""Factories for every record, in one place; tests/conftest.py exposes them as fixtures."""

import datetime
import itertools
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model

from aid.models import AidCategory, Beneficiary, Disbursement
from donations.choices import DonorKind
from donations.models import Donation, Donor, Drive, Fund
from projects.models import Expenditure, Project, ProjectKind
from redcross.choices import ChapterLevel, Role
from redcross.idnumber import check_character
from redcross.models import Chapter, Membership
from training.models import Certificate, Session, TrainingKind

_serial = itertools.count(1)


def valid_id_number(area="150525", birth=datetime.date(1980, 1, 1), serial=None):
    """A valid 18-character ID number; distinct serials give distinct people."""
    serial = next(_serial) if serial is None else serial
    first17 = f"{area}{birth:%Y%m%d}{serial % 1000:03d}"
    return first17 + check_character(first17)


class ChapterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Chapter
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"{900000 + n:06d}")
    name = factory.LazyAttribute(lambda o: f"测试{o.code}红十字会")
    level = ChapterLevel.COUNTY
    parent = None


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("secret-pass-123")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    chapter = factory.SubFactory(ChapterFactory)
    role = Role.STAFF


class FundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Fund

    chapter = factory.SubFactory(ChapterFactory)
    name = factory.Sequence(lambda n: f"测试基金{n}")


class DonorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Donor

    chapter = factory.SubFactory(ChapterFactory)
    name = factory.Sequence(lambda n: f"爱心人士{n}")
    kind = DonorKind.PERSON


class DriveFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Drive

    fund = factory.SubFactory(FundFactory)
    chapter = factory.SelfAttribute("fund.chapter")
    name = "博爱一日捐"
    start_date = datetime.date(2020, 5, 1)
    end_date = datetime.date(2020, 6, 30)


class DonationFactory(factory.django.DjangoModelFactory):
    """A gift written straight to the table, for reads; writes under test go through services."""

    class Meta:
        model = Donation

    fund = factory.SubFactory(FundFactory)
    chapter = factory.SelfAttribute("fund.chapter")
    donor = factory.SubFactory(DonorFactory, chapter=factory.SelfAttribute("..chapter"))
    date = datetime.date(2020, 5, 8)
    amount = Decimal("10000.00")


class BeneficiaryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Beneficiary

    chapter = factory.SubFactory(ChapterFactory)
    name = factory.Sequence(lambda n: f"受助人{n}")
    id_number = factory.LazyFunction(valid_id_number)
    township = "大沁他拉镇"


class DisbursementFactory(factory.django.DjangoModelFactory):
    """A payment written straight to the table, for reads; writes under test go through services."""

    class Meta:
        model = Disbursement

    chapter = factory.SubFactory(ChapterFactory)
    date = datetime.date(2020, 6, 15)
    category = factory.LazyFunction(lambda: AidCategory.objects.get(name="重特大疾病救助"))
    beneficiary = factory.SubFactory(BeneficiaryFactory, chapter=factory.SelfAttribute("..chapter"))
    head_count = 1
    cases = 1
    cash_amount = Decimal("1000.00")
    in_kind_amount = Decimal("0.00")
    township = factory.LazyAttribute(lambda o: o.beneficiary.township if o.beneficiary else "")


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project

    chapter = factory.SubFactory(ChapterFactory)
    name = factory.Sequence(lambda n: f"测试项目{n}")
    kind = factory.LazyFunction(lambda: ProjectKind.objects.get(name="博爱家园"))
    budget = Decimal("100000.00")
    start_date = datetime.date(2020, 4, 1)


class ExpenditureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Expenditure

    project = factory.SubFactory(ProjectFactory)
    chapter = factory.SelfAttribute("project.chapter")
    date = datetime.date(2020, 6, 1)
    category = "工程建设"
    amount = Decimal("10000.00")


class SessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Session

    chapter = factory.SubFactory(ChapterFactory)
    date = datetime.date(2020, 6, 10)
    kind = factory.LazyFunction(lambda: TrainingKind.objects.get(name="普及性培训"))
    title = factory.Sequence(lambda n: f"应急救护普及培训班{n}")
    person_times = 100


class CertificateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Certificate

    session = factory.SubFactory(
        SessionFactory, kind=factory.LazyFunction(lambda: TrainingKind.objects.get(name="救护员培训"))
    )
    chapter = factory.SelfAttribute("session.chapter")
    trainee_name = factory.Sequence(lambda n: f"学员{n}")
    number = factory.Sequence(lambda n: f"JHY{n:06d}")
    issued_on = datetime.date(2020, 6, 10)
    expires_on = datetime.date(2023, 6, 9)

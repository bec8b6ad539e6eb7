"""Factories for every model, in one place; tests import them (``from ..factories import FundFactory``).

A factory writes straight to the table, for the reads and pages under test; writes under test go
through the services. Categories (救助类别, 培训类型, 项目类型, 对象领域) come from the data
migrations, so their factories fetch a default by name and make a new one only for a new name.
"""

import datetime
import itertools
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model

from aid.models import AidCategory, Beneficiary, Disbursement
from donations.choices import DonorKind
from donations.models import Donation, Donor, Drive, Fund, Payout, Receipt
from projects.models import Audit, BudgetLine, Expenditure, FundingSource, Output, Project, ProjectKind
from redcross.choices import ChapterLevel, PeriodKind, Role
from redcross.idnumber import check_character
from redcross.models import Chapter, ClosedPeriod, Export, ImportBatch, Membership, Township
from reports.choices import ReportKind, SectionKind
from reports.models import Publication, Report, Section
from training.models import Certificate, Instructor, Sector, Session, Target, TrainingKind

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


class InstructorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Instructor

    chapter = factory.SubFactory(ChapterFactory)
    name = factory.Sequence(lambda n: f"师资{n}")
    workplace = "旗医院"
    qualification_number = factory.Sequence(lambda n: f"SZ{n:05d}")
    qualified_until = datetime.date(2030, 1, 1)


class TargetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Target

    chapter = factory.SubFactory(ChapterFactory)
    year = 2020
    kind = factory.LazyFunction(lambda: TrainingKind.objects.get(name="普及性培训"))
    person_times = 3000


# --- Categories: the defaults are made by the data migrations --------------------------------


class AidCategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AidCategory
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"救助类别{n}")


class TrainingKindFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TrainingKind
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"培训类型{n}")


class SectorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Sector
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"对象领域{n}")


class ProjectKindFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProjectKind
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"项目类型{n}")


# --- Donations: receipts and payouts ---------------------------------------------------------


class ReceiptFactory(factory.django.DjangoModelFactory):
    """A valid receipt of a donation; void one with ``voided_at`` and ``void_reason``."""

    class Meta:
        model = Receipt

    donation = factory.SubFactory(DonationFactory)
    chapter = factory.SelfAttribute("donation.chapter")
    number = factory.Sequence(lambda n: f"NO{n:06d}")
    issued_on = factory.SelfAttribute("donation.date")


class PayoutFactory(factory.django.DjangoModelFactory):
    """Money a fund passes on, written straight to the table (no balance check: for reads)."""

    class Meta:
        model = Payout

    fund = factory.SubFactory(FundFactory)
    chapter = factory.SelfAttribute("fund.chapter")
    date = datetime.date(2020, 3, 1)
    recipient = "疫情防控指挥部"
    cash_amount = Decimal("1000.00")
    in_kind_amount = Decimal("0.00")
    purpose = "转拨"


# --- Projects: what a project is made of ----------------------------------------------------


class FundingSourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FundingSource

    project = factory.SubFactory(ProjectFactory)
    source = "上级红十字会拨款"
    amount = Decimal("50000.00")


class BudgetLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BudgetLine

    project = factory.SubFactory(ProjectFactory)
    category = "工程建设"
    amount = Decimal("80000.00")


class OutputFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Output

    project = factory.SubFactory(ProjectFactory)
    date = datetime.date(2020, 9, 1)
    name = "硬化整修巷道"
    quantity = Decimal("2")
    unit = "条"


class AuditFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Audit

    project = factory.SubFactory(ProjectFactory)
    chapter = factory.SelfAttribute("project.chapter")
    date = datetime.date(2020, 12, 1)
    auditor = "奈曼旗审计局"
    findings = "资金使用规范"


# --- Closed periods, reports, exports and imports -------------------------------------------


class ClosedPeriodFactory(factory.django.DjangoModelFactory):
    """The year 2020 closed; pass ``kind``, ``start`` and ``end`` for a month or a half-year."""

    class Meta:
        model = ClosedPeriod

    chapter = factory.SubFactory(ChapterFactory)
    kind = PeriodKind.YEAR
    start = datetime.date(2020, 1, 1)
    end = datetime.date(2020, 12, 31)


class ReportFactory(factory.django.DjangoModelFactory):
    """A report row without sections; ``reports.services.report_open`` drafts a real one."""

    class Meta:
        model = Report

    chapter = factory.SubFactory(ChapterFactory)
    year = 2020
    kind = ReportKind.YEAR


class SectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Section

    report = factory.SubFactory(ReportFactory)
    order = factory.Sequence(lambda n: n + 1)
    level = 2
    key = factory.Sequence(lambda n: f"part{n}")
    kind = SectionKind.NARRATIVE
    heading = "其他工作"
    body = "开展了其他工作。"


class PublicationFactory(factory.django.DjangoModelFactory):
    """A frozen version of a report; its checksum is computed by the model from ``pdf``."""

    class Meta:
        model = Publication

    report = factory.SubFactory(ReportFactory)
    version = 1
    title = factory.LazyAttribute(lambda o: str(o.report))
    published_at = datetime.datetime(2021, 1, 5, tzinfo=datetime.UTC)
    published_by = factory.SubFactory(UserFactory)
    sections = factory.LazyFunction(
        lambda: [
            {"key": "other", "level": 2, "kind": "narrative", "heading": "其他工作", "body": "", "text": ""}
        ]
    )
    figures = factory.LazyFunction(lambda: {"figures": {}, "tables": {}})
    pdf = b"%PDF-1.7 frozen"


class ExportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Export

    user = factory.SubFactory(UserFactory)
    key = "donations"
    title = "捐赠收入明细账"


class ImportBatchFactory(factory.django.DjangoModelFactory):
    """An uploaded workbook's batch, in preview unless ``status`` says otherwise."""

    class Meta:
        model = ImportBatch

    chapter = factory.SubFactory(ChapterFactory)
    user = factory.SubFactory(UserFactory)
    filename = factory.Sequence(lambda n: f"batch{n}.xlsx")
    checksum = factory.Sequence(lambda n: f"{n:064d}")


class TownshipFactory(factory.django.DjangoModelFactory):
    """One of a chapter's townships (the list its administrator keeps)."""

    class Meta:
        model = Township

    chapter = factory.SubFactory(ChapterFactory)
    name = factory.Sequence(lambda n: f"测试镇{n}")

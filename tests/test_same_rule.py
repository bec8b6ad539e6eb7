"""Each rule once: the same bad input sent through every path that takes a record's values — the
form (``clean()``), the service and the import sheet (and, for the budget, the approval of a
pending expenditure) — is refused with the same Chinese message, on the same field (the sheet's
column of it), and nothing is saved.

Each case is one rule's fault; a path a case leaves out does not exist for it (there is no
payout sheet; a fund's single purpose column cannot name two purposes; what a beneficiary's ID
number is held under, or what a project has already spent, is read by the service, not the form).
"""

import datetime
import io
from dataclasses import dataclass
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from openpyxl import Workbook

from aid.forms import DisbursementForm
from aid.models import Beneficiary, Disbursement
from aid.services import disbursement_record
from donations.forms import DonationForm, DriveForm, FundForm, PayoutForm
from donations.models import Donation, Drive, Fund, Payout
from donations.services import donation_record, drive_create, fund_create, payout_record
from projects.choices import ProjectStatus
from projects.forms import ExpenditureForm, ProjectForm
from projects.models import Expenditure, Project, ProjectKind
from projects.services import expenditure_record, project_create
from redcross.access import Access
from redcross.choices import Role
from redcross.corrections import record_approve
from redcross.importing import import_records, sheet_classes
from training.forms import SessionForm
from training.models import Session, TrainingKind
from training.services import session_record

from .factories import (
    BeneficiaryFactory,
    DonationFactory,
    DonorFactory,
    DriveFactory,
    ExpenditureFactory,
    FundFactory,
    ProjectFactory,
    valid_id_number,
)

D = datetime.date
ID_NUMBER = valid_id_number(birth=D(1975, 5, 5))


@dataclass
class Case:
    """One rule's fault. ``setup(world)`` makes what the input refers to and returns it (``held``);
    ``form``, ``service``, ``sheet_row`` and ``approve`` give the same input to each path."""

    id: str
    field: str
    column: str | None
    message: str
    model: type
    setup: object = lambda world: {}
    form: tuple | None = None  # (form class, function of held → POST data)
    service: object = None  # function of (world, held) that calls the service
    sheet: str | None = None
    sheet_row: object = None  # function of held → the row, by column
    approve: object = None  # function of (world, held) that approves a pending record

    def paths(self):
        names = [("form", self.form), ("service", self.service), ("import", self.sheet_row)]
        names.append(("approval", self.approve))
        return [name for name, given in names if given is not None]


# --- aid --------------------------------------------------------------------------------------


def payment(held, **overrides):
    data = {
        "date": "2021-03-01",
        "category": str(held["category"].pk),
        "recipient": "person",
        "beneficiary_name": "张三",
        "id_number": "",
        "head_count": "1",
        "cash_amount": "500",
        "in_kind_amount": "0",
    }
    data.update(overrides)
    return data


def pay(world, **overrides):
    arguments = {
        "chapter": world.chapter,
        "user": world.staff,
        "date": D(2021, 3, 1),
        "category": world.categories["重特大疾病救助"],
        "beneficiary_name": "张三",
        "cash_amount": Decimal("500"),
    }
    arguments.update(overrides)
    return disbursement_record(**arguments)


PAYMENT_ROW = {"发放日期": D(2021, 3, 1), "救助类别": "重特大疾病救助", "受助人姓名": "张三", "现金金额": 500}


AID = [
    Case(
        id="an_id_number_given_without_a_name",
        field="beneficiary_name",
        column="受助人姓名",
        message="填写了身份证号时必须填写受助人姓名",
        model=Disbursement,
        form=(
            DisbursementForm,
            lambda held: payment(
                held, recipient="group", beneficiary_name="", id_number=ID_NUMBER, head_count="3"
            ),
        ),
        service=lambda world, held: pay(world, beneficiary_name="", id_number=ID_NUMBER, head_count=3),
        sheet="救助发放",
        sheet_row=lambda held: {**PAYMENT_ROW, "受助人姓名": None, "身份证号": ID_NUMBER, "受助人数": 3},
    ),
    Case(
        id="cash_and_in_kind_both_zero",
        field="cash_amount",
        column="现金金额",
        message="现金金额和物资折价不能都为零",
        model=Disbursement,
        form=(DisbursementForm, lambda held: payment(held, cash_amount="0", in_kind_amount="0")),
        service=lambda world, held: pay(world, cash_amount=Decimal("0"), in_kind_amount=Decimal("0")),
        sheet="救助发放",
        sheet_row=lambda held: {**PAYMENT_ROW, "现金金额": 0, "物资折价": 0},
    ),
    Case(
        id="an_id_number_held_under_another_name",
        field="id_number",
        column="身份证号",
        message="该身份证号已登记在受助人“李四”名下，请核对姓名或身份证号",
        model=Beneficiary,
        setup=lambda world: {
            "person": BeneficiaryFactory(chapter=world.chapter, name="李四", id_number=ID_NUMBER)
        },
        service=lambda world, held: pay(world, beneficiary_name="张三", id_number=ID_NUMBER),
        sheet="救助发放",
        sheet_row=lambda held: {**PAYMENT_ROW, "身份证号": ID_NUMBER},
    ),
]


# --- donations --------------------------------------------------------------------------------


def gift(held, **overrides):
    data = {
        "date": "2020-05-08",
        "donor_name": "王五",
        "donor_kind": "person",
        "fund": str(held["fund"].pk),
        "kind": "cash",
        "amount": "1000",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def give(world, held, **overrides):
    arguments = {
        "chapter": world.chapter,
        "user": world.staff,
        "date": D(2020, 5, 8),
        "donor": held["donor"],
        "fund": held["fund"],
        "amount": Decimal("1000"),
    }
    arguments.update(overrides)
    return donation_record(**arguments)


def gift_row(held, **overrides):
    row = {
        "捐赠日期": D(2020, 5, 8),
        "捐赠人": "王五",
        "捐赠人类型": "个人",
        "入账基金": held["fund"].name,
        "捐赠方式": "现金",
        "金额": 1000,
    }
    row.update(overrides)
    return row


def funds_and_donor(world):
    fund = FundFactory(chapter=world.chapter, name="大病救助基金")
    other = FundFactory(chapter=world.chapter, name="非限定基金")
    drive = DriveFactory(fund=fund, name="博爱一日捐", start_date=D(2020, 5, 1), end_date=D(2020, 6, 30))
    return {
        "fund": fund,
        "other": other,
        "drive": drive,
        "donor": DonorFactory(chapter=world.chapter, name="王五"),
    }


def with_money(world):
    held = funds_and_donor(world)
    DonationFactory(fund=held["other"], donor=held["donor"], amount=Decimal("5000"))
    return held


DONATIONS = [
    Case(
        id="a_fund_restricted_to_a_category_and_a_project_at_once",
        field="restricted_project",
        column=None,
        message="限定用途只能是一个救助类别或一个项目，不能同时指定",
        model=Fund,
        setup=lambda world: {"project": ProjectFactory(chapter=world.chapter)},
        form=(
            FundForm,
            lambda held: {
                "name": "两用基金",
                "restricted_category": str(held["category"].pk),
                "restricted_project": str(held["project"].pk),
            },
        ),
        service=lambda world, held: fund_create(
            chapter=world.chapter,
            user=world.staff,
            name="两用基金",
            restricted_category=held["category"],
            restricted_project=held["project"],
        ),
    ),
    Case(
        id="a_drive_that_ends_before_it_starts",
        field="end_date",
        column="结束日期",
        message="结束日期不能早于开始日期",
        model=Drive,
        setup=funds_and_donor,
        form=(
            DriveForm,
            lambda held: {
                "name": "冬季募捐",
                "start_date": "2020-12-31",
                "end_date": "2020-12-01",
                "fund": str(held["fund"].pk),
            },
        ),
        service=lambda world, held: drive_create(
            chapter=world.chapter,
            user=world.staff,
            name="冬季募捐",
            start_date=D(2020, 12, 31),
            end_date=D(2020, 12, 1),
            fund=held["fund"],
        ),
        sheet="募捐活动",
        sheet_row=lambda held: {
            "活动名称": "冬季募捐",
            "开始日期": D(2020, 12, 31),
            "结束日期": D(2020, 12, 1),
            "入账基金": held["fund"].name,
        },
    ),
    Case(
        id="a_gift_of_nothing",
        field="amount",
        column="金额",
        message="金额必须大于零",
        model=Donation,
        setup=funds_and_donor,
        form=(DonationForm, lambda held: gift(held, amount="0")),
        service=lambda world, held: give(world, held, amount=Decimal("0")),
        sheet="捐赠",
        sheet_row=lambda held: gift_row(held, 金额=0),
    ),
    Case(
        id="a_gift_into_neither_a_fund_nor_a_drive",
        field="fund",
        column="入账基金",
        message="请选择入账基金或募捐活动",
        model=Donation,
        setup=funds_and_donor,
        form=(DonationForm, lambda held: gift(held, fund=None)),
        service=lambda world, held: give(world, held, fund=None),
        sheet="捐赠",
        sheet_row=lambda held: gift_row(held, 入账基金=None),
    ),
    Case(
        id="a_gift_through_a_drive_into_another_fund",
        field="fund",
        column="入账基金",
        message="募捐活动“博爱一日捐”的入账基金是“大病救助基金”",
        model=Donation,
        setup=funds_and_donor,
        form=(DonationForm, lambda held: gift(held, drive=str(held["drive"].pk), fund=str(held["other"].pk))),
        service=lambda world, held: give(world, held, drive=held["drive"], fund=held["other"]),
        sheet="捐赠",
        sheet_row=lambda held: gift_row(held, 募捐活动="博爱一日捐", 入账基金="非限定基金"),
    ),
    Case(
        id="goods_given_without_their_name",
        field="goods",
        column="物资名称",
        message="物资捐赠必须填写物资名称",
        model=Donation,
        setup=funds_and_donor,
        form=(DonationForm, lambda held: gift(held, kind="in_kind", valuation_basis="invoice")),
        service=lambda world, held: give(world, held, kind="in_kind", valuation_basis="invoice"),
        sheet="捐赠",
        sheet_row=lambda held: gift_row(held, 捐赠方式="物资", 折价依据="发票"),
    ),
    Case(
        id="goods_given_without_the_basis_of_their_value",
        field="valuation_basis",
        column="折价依据",
        message="物资捐赠必须填写折价依据",
        model=Donation,
        setup=funds_and_donor,
        form=(DonationForm, lambda held: gift(held, kind="in_kind", goods="棉被")),
        service=lambda world, held: give(world, held, kind="in_kind", goods="棉被"),
        sheet="捐赠",
        sheet_row=lambda held: gift_row(held, 捐赠方式="物资", 物资名称="棉被"),
    ),
    Case(
        id="a_payout_of_nothing",
        field="cash_amount",
        column=None,
        message="现金金额和物资折价不能都为零",
        model=Payout,
        setup=with_money,
        form=(
            PayoutForm,
            lambda held: {
                "date": "2020-07-01",
                "fund": str(held["other"].pk),
                "recipient": "县民政局",
                "purpose": "救灾",
                "cash_amount": "0",
                "in_kind_amount": "0",
            },
        ),
        service=lambda world, held: payout_record(
            chapter=world.chapter,
            user=world.staff,
            date=D(2020, 7, 1),
            fund=held["other"],
            recipient="县民政局",
            purpose="救灾",
            cash_amount=Decimal("0"),
            in_kind_amount=Decimal("0"),
        ),
    ),
]


# --- projects ---------------------------------------------------------------------------------


def a_project(world, **fields):
    return {
        "project": ProjectFactory(
            chapter=world.chapter, name="博爱家园一期", budget=Decimal("100000"), **fields
        )
    }


def spending(held, **overrides):
    data = {"date": "2021-04-01", "project": str(held["project"].pk), "amount": "60000"}
    data.update(overrides)
    return data


def spend(world, held, **overrides):
    arguments = {
        "chapter": world.chapter,
        "user": world.staff,
        "date": D(2021, 4, 1),
        "project": held["project"],
        "amount": Decimal("60000"),
    }
    arguments.update(overrides)
    return expenditure_record(**arguments)


def spending_row(held, **overrides):
    row = {"支出日期": D(2021, 4, 1), "项目名称": held["project"].name, "金额": 60000}
    row.update(overrides)
    return row


def half_spent(world):
    held = a_project(world)
    ExpenditureFactory(project=held["project"], amount=Decimal("50000"))
    return held


def approve_over_budget(world, held):
    """The 60,000 expenditure entered while the budget was larger waits for approval (above the
    chapter's threshold); the budget has since been cut back, so approving it would pass it."""
    project = held["project"]
    world.chapter.approval_threshold = Decimal("10000")
    world.chapter.save()
    project.budget = Decimal("200000")
    project.save()
    pending = spend(world, held)
    assert pending.pending
    Project.objects.filter(pk=project.pk).update(budget=Decimal("100000"))
    held["before"] = rows(Expenditure)
    return record_approve(pending, user=world.leader)


PROJECTS = [
    Case(
        id="a_project_that_ends_before_it_starts",
        field="end_date",
        column="结束日期",
        message="结束日期不能早于开始日期",
        model=Project,
        form=(
            ProjectForm,
            lambda held: {
                "name": "示范校",
                "kind": str(held["kind"].pk),
                "budget": "80000",
                "start_date": "2021-06-01",
                "end_date": "2021-05-01",
            },
        ),
        service=lambda world, held: project_create(
            chapter=world.chapter,
            user=world.staff,
            name="示范校",
            kind=held["kind"],
            budget=Decimal("80000"),
            start_date=D(2021, 6, 1),
            end_date=D(2021, 5, 1),
        ),
        sheet="项目",
        sheet_row=lambda held: {
            "项目名称": "示范校",
            "项目类型": "博爱家园",
            "预算金额": 80000,
            "开始日期": D(2021, 6, 1),
            "结束日期": D(2021, 5, 1),
        },
    ),
    Case(
        id="an_expenditure_of_nothing",
        field="amount",
        column="金额",
        message="金额必须大于零",
        model=Expenditure,
        setup=a_project,
        form=(ExpenditureForm, lambda held: spending(held, amount="0")),
        service=lambda world, held: spend(world, held, amount=Decimal("0")),
        sheet="项目支出",
        sheet_row=lambda held: spending_row(held, 金额=0),
    ),
    Case(
        id="an_expenditure_on_an_audited_project",
        field="project",
        column="项目名称",
        message="项目“博爱家园一期”已审计，不能再登记支出",
        model=Expenditure,
        setup=lambda world: a_project(world, status=ProjectStatus.AUDITED),
        form=(ExpenditureForm, lambda held: spending(held)),
        service=lambda world, held: spend(world, held),
        sheet="项目支出",
        sheet_row=lambda held: spending_row(held),
    ),
    Case(
        id="spending_beyond_the_budget_without_a_reason",
        field="over_budget_reason",
        column="说明",
        message="本笔支出后项目累计支出 110,000.00 元，超过预算 100,000.00 元，请填写超预算原因",
        model=Expenditure,
        setup=half_spent,
        service=lambda world, held: spend(world, held),
        sheet="项目支出",
        sheet_row=lambda held: spending_row(held),
        approve=approve_over_budget,
    ),
]


# --- training ---------------------------------------------------------------------------------


def session(held, **overrides):
    data = {"date": "2021-05-12", "kind": str(held["kind"].pk), "title": "应急救护培训", "person_times": "40"}
    data.update(overrides)
    return data


def train(world, held, **overrides):
    arguments = {
        "chapter": world.chapter,
        "user": world.staff,
        "date": D(2021, 5, 12),
        "kind": held["kind"],
        "title": "应急救护培训",
        "person_times": 40,
    }
    arguments.update(overrides)
    return session_record(**arguments)


def session_row(held, **overrides):
    row = {
        "培训日期": D(2021, 5, 12),
        "培训类型": held["kind"].name,
        "培训名称": "应急救护培训",
        "参训人次": 40,
    }
    row.update(overrides)
    return row


def kind(name):
    return lambda world: {"kind": TrainingKind.objects.get(name=name)}


TRAINING = [
    Case(
        id="certificates_from_a_course_that_grants_none",
        field="certified_count",
        column="取证人数",
        message="“普及性培训”不颁发证书，取证人数应为0",
        model=Session,
        setup=kind("普及性培训"),
        form=(SessionForm, lambda held: session(held, certified_count="10")),
        service=lambda world, held: train(world, held, certified_count=10),
        sheet="培训",
        sheet_row=lambda held: session_row(held, 取证人数=10),
    ),
    Case(
        id="more_certificates_than_people_trained",
        field="certified_count",
        column="取证人数",
        message="取证人数不能多于参训人次",
        model=Session,
        setup=kind("救护员培训"),
        form=(SessionForm, lambda held: session(held, certified_count="41")),
        service=lambda world, held: train(world, held, certified_count=41),
        sheet="培训",
        sheet_row=lambda held: session_row(held, 取证人数=41),
    ),
]


CASES = AID + DONATIONS + PROJECTS + TRAINING


def _params():
    return [pytest.param(case, path, id=f"{case.id}-{path}") for case in CASES for path in case.paths()]


@pytest.fixture
def world(tree, staff, member, category):
    return SimpleNamespace(
        chapter=tree.naiman,
        staff=staff,
        leader=member(Role.LEADER, tree.naiman, "leader"),
        categories=category,
    )


def workbook(sheet, row):
    cls = next(c for c in sheet_classes() if c.name == sheet)
    book = Workbook()
    book.remove(book.active)
    page = book.create_sheet(sheet)
    page.append([c.name + ("*" if c.required else "") for c in cls.columns])
    page.append([row.get(c.name) for c in cls.columns])
    handle = io.BytesIO()
    book.save(handle)
    handle.seek(0)
    return handle


def rows(model):
    return list(model._base_manager.order_by("pk").values())


@pytest.mark.parametrize(("case", "path"), _params())
def test_the_same_bad_input_gets_the_same_message_on_every_path(world, case, path):
    held = case.setup(world)
    held.setdefault("category", world.categories["重特大疾病救助"])
    held.setdefault("kind", ProjectKind.objects.get(name="博爱家园"))
    before = rows(case.model)

    if path == "form":
        form_class, data = case.form
        form = form_class(data(held), access=Access(world.staff))
        assert not form.is_valid()
        assert form.errors[case.field] == [case.message], form.errors
    elif path == "service":
        with pytest.raises(ValidationError) as refused:
            case.service(world, held)
        assert refused.value.message_dict[case.field] == [case.message]
    elif path == "import":
        result = import_records(
            workbook(case.sheet, case.sheet_row(held)),
            chapter=world.chapter,
            user=world.staff,
            filename="t.xlsx",
        )
        assert [str(p) for p in result.problems] == [f"{case.sheet} 第2行 {case.column}: {case.message}"]
    elif path == "approval":
        with pytest.raises(ValidationError) as refused:
            case.approve(world, held)
        assert refused.value.message_dict[case.field] == [case.message]
        before = held["before"]  # the rows as they stood when the approval was asked

    assert rows(case.model) == before

"""Numbers and dates the database cannot hold (issue 14): every count, quantity, amount and date
keeps within its bound (``redcross/bounds.py``), refused with the same Chinese message naming the
limit by the form, the service and the import, and nothing changes — not half of it either."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from aid.models import Beneficiary, Disbursement, PersonYear, ReliefDay
from aid.services import disbursement_record
from donations.models import Donation, Donor, Drive, Receipt
from donations.services import drive_create, receipt_issue, receipt_void
from projects.models import Project
from projects.services import project_advance
from redcross import bounds
from redcross.choices import PeriodKind, Role
from redcross.corrections import record_reverse
from redcross.import_template import build_template
from redcross.importing import BadValue, as_count, as_money, as_record_date, import_records
from redcross.models import every
from redcross.services import approval_threshold_set, period_close
from reports.choices import ReportKind
from reports.models import Section
from reports.periods import Period
from reports.services import report_open
from training.models import Session, Target, TrainingKind
from training.services import session_record, target_set, targets_set

from .factories import DisbursementFactory, DonationFactory, FundFactory, ProjectFactory
from .test_imports import workbook

D = datetime.date
HEADS = "受助人数不能超过 1000000"
CASES = "例数不能超过 1000000"
AMOUNT = "金额不能超过 9999999999.99 元"
TARGET = "目标人次不能超过 100000000"
EARLY = "日期不能早于 1904-01-01"
AID = (Disbursement, Beneficiary, ReliefDay, PersonYear)


def in_future():
    return f"日期不能晚于今天（{bounds.today()}）"


def rows(*models):
    """Every row of ``models`` (the voided, pending and derived ones too), to compare whole."""
    return {model.__name__: list(every(model).order_by("pk").values()) for model in models}


def import_(sheets, *, chapter, user):
    return import_records(workbook(sheets), chapter=chapter, user=user, filename="t.xlsx")


def problems(result):
    return [str(p) for p in result.problems]


@pytest.fixture
def day_payment(tree, category, staff):
    """A group's payment of 2020-06-01: the day whose relief sums the attack once broke."""
    return disbursement_record(
        chapter=tree.naiman,
        user=staff,
        date=D(2020, 6, 1),
        category=category["救灾救助"],
        cash_amount=Decimal("500"),
        head_count=10,
    )


def group_form(category, **overrides):
    return {
        "date": "2020-06-01",
        "category": category["救灾救助"].pk,
        "recipient": "group",
        "beneficiary_name": "",
        "id_number": "",
        "township": "",
        "head_count": "10",
        "cases": "",
        "cash_amount": "500",
        "in_kind_amount": "0",
        "fund": "",
        "remarks": "",
        **overrides,
    }


# --- head count 2147483647 -------------------------------------------------------------------------


def test_a_head_count_of_2147483647_is_refused_by_the_form(client, staff, category, day_payment):
    client.force_login(staff)
    before = rows(*AID)

    response = client.post(reverse("aid:disbursement-create"), group_form(category, head_count="2147483647"))

    assert response.status_code == 200
    assert response.context["form"].errors["head_count"] == [HEADS]
    assert rows(*AID) == before


def test_a_head_count_of_2147483647_is_refused_by_the_service_and_the_days_later_payments_still_save(
    tree, staff, category, day_payment
):
    before = rows(*AID)

    with pytest.raises(ValidationError) as error:
        disbursement_record(
            chapter=tree.naiman,
            user=staff,
            date=D(2020, 6, 1),
            category=category["救灾救助"],
            cash_amount=Decimal("100"),
            head_count=2147483647,
        )

    # Left open, a group's cases are its head count: both named, neither left to the database.
    assert error.value.message_dict == {"head_count": [HEADS], "cases": [CASES]}
    assert rows(*AID) == before
    disbursement_record(
        chapter=tree.naiman,
        user=staff,
        date=D(2020, 6, 1),
        category=category["救灾救助"],
        cash_amount=Decimal("100"),
        head_count=1_000_000,  # the bound itself is allowed
    )
    day = ReliefDay.objects.get(chapter=tree.naiman, date=D(2020, 6, 1))
    assert (day.payments, day.group_persons, day.cash_amount) == (2, 1_000_010, Decimal("600.00"))


def test_a_head_count_of_2147483647_is_refused_by_the_import(tree, staff, day_payment):
    before = rows(*AID)
    payment = {"发放日期": D(2020, 6, 1), "救助类别": "救灾救助", "受助人数": 2147483647, "现金金额": 100}

    result = import_({"救助发放": [payment]}, chapter=tree.naiman, user=staff)

    assert problems(result) == [f"救助发放 第2行 受助人数: {HEADS}"]
    assert not result.imported
    assert rows(*AID) == before


def test_a_days_relief_sums_hold_more_than_a_postgresql_integer(tree, category):
    """Each payment is bounded, but many of them on one day add up: the sums are bigint."""
    ReliefDay.objects.create(
        chapter=tree.naiman,
        category=category["救灾救助"],
        date=D(2020, 6, 1),
        payments=3_000,
        cash_amount=Decimal("1"),
        in_kind_amount=Decimal("0"),
        cases=3_000_000_000,
        group_persons=3_000_000_000,
    )
    day = ReliefDay.objects.get()
    assert (day.cases, day.group_persons) == (3_000_000_000, 3_000_000_000)


# --- training targets 2147483648, years 40000 and -3 ----------------------------------------------


@pytest.fixture
def kinds(db):
    return TrainingKind.objects.get(name="普及性培训"), TrainingKind.objects.get(name="救护员培训")


@pytest.fixture
def held_target(tree, staff, kinds):
    """A target already set for this year, which a refused form must leave as it was."""
    return target_set(
        chapter=tree.naiman, user=staff, year=bounds.today().year, kind=kinds[0], person_times=500
    )


def test_targets_of_2147483648_are_refused_by_the_form_and_the_first_target_is_not_saved(
    client, staff, kinds, held_target
):
    popular, first_aider = kinds
    client.force_login(staff)
    before = rows(Target)

    response = client.post(
        f"{reverse('training:targets')}?year={bounds.today().year}",
        {f"kind_{popular.pk}": "3000", f"kind_{first_aider.pk}": "2147483648"},
    )

    assert response.status_code == 200
    assert response.context["form"].errors[f"kind_{first_aider.pk}"] == [TARGET]
    assert rows(Target) == before


def test_targets_set_saves_all_or_none_when_the_second_is_2147483648(tree, staff, kinds, held_target):
    popular, first_aider = kinds
    before = rows(Target)

    with pytest.raises(ValidationError) as error:
        targets_set(
            chapter=tree.naiman,
            user=staff,
            year=bounds.today().year,
            targets={popular: 3000, first_aider: 2147483648},
        )

    assert error.value.message_dict == {"person_times": [f"救护员培训：{TARGET}"]}
    assert rows(Target) == before  # 普及性培训 still 500, not 3000


@pytest.mark.parametrize("year", [40000, -3])
def test_a_target_year_of_40000_or_minus_3_is_refused(client, tree, staff, kinds, held_target, year):
    """The page refuses the year in its address (a 400 naming the parameter); the service, which
    the report's plan page also calls, refuses it with the bound's message."""
    popular = kinds[0]
    client.force_login(staff)
    url = f"{reverse('training:targets')}?year={year}"
    message = f"年度应在 1904 至 {bounds.today().year + 1} 之间"
    before = rows(Target)

    page = client.get(url)
    assert page.status_code == 400
    assert "年度参数无效：应为 1904 至 2100 之间的四位数年份" in page.content.decode()
    response = client.post(url, {f"kind_{popular.pk}": "3000"})

    assert response.status_code == 400
    with pytest.raises(ValidationError) as error:
        target_set(chapter=tree.naiman, user=staff, year=year, kind=popular, person_times=3000)
    assert error.value.message_dict == {"year": [message]}
    assert rows(Target) == before


def test_a_target_year_beyond_next_year_is_refused_by_the_targets_form(
    client, tree, staff, kinds, held_target
):
    popular = kinds[0]
    client.force_login(staff)
    url = f"{reverse('training:targets')}?year=2100"
    before = rows(Target)

    assert client.get(url).status_code == 200
    response = client.post(url, {f"kind_{popular.pk}": "3000"})

    assert response.status_code == 200
    message = f"年度应在 1904 至 {bounds.today().year + 1} 之间"
    assert response.context["form"].non_field_errors() == [f"2100年：{message}"]
    assert rows(Target) == before


def test_the_report_plan_refuses_a_target_of_2147483648_and_keeps_its_text(client, member, tree, kinds):
    popular, first_aider = kinds
    report = report_open(chapter=tree.naiman, period=Period(2020, ReportKind.YEAR))
    client.force_login(member(Role.LEADER, tree.naiman))
    before = rows(Target) | {"Section": list(Section.objects.order_by("pk").values())}

    response = client.post(
        reverse("reports:section-update", args=[report.pk, "plan"]),
        {
            "heading": "2021年重点工作安排",
            "body": "改写的计划",
            f"target_{popular.pk}": "3000",
            f"target_{first_aider.pk}": "2147483648",
            "action": "save",
        },
    )

    assert response.status_code == 200
    assert response.context["form"].errors[f"target_{first_aider.pk}"] == [TARGET]
    assert rows(Target) | {"Section": list(Section.objects.order_by("pk").values())} == before


@pytest.mark.parametrize("text", ["40000", "-3", "1903", "NEXT"])
def test_a_report_year_beyond_this_year_or_before_1904_is_refused(text):
    latest = bounds.today().year
    text = str(latest + 1) if text == "NEXT" else text
    with pytest.raises(ValidationError):
        Period.parse(text)
    assert Period.parse(str(latest)).plan_year == latest + 1  # the furthest a target may lie


# --- a payment dated 9999-12-31 ------------------------------------------------------------------


def test_a_payment_dated_9999_12_31_is_refused_by_the_form(client, staff, category, day_payment):
    client.force_login(staff)
    before = rows(*AID)

    response = client.post(
        reverse("aid:disbursement-create"),
        group_form(category, date="9999-12-31", recipient="person", beneficiary_name="李桂兰"),
    )

    assert response.status_code == 200
    assert response.context["form"].errors["date"] == [in_future()]
    assert rows(*AID) == before  # the person it named is not left behind either


def test_a_payment_dated_9999_12_31_or_1903_is_refused_by_the_service(tree, staff, category, day_payment):
    before = rows(*AID)
    for day, message in ((D(9999, 12, 31), in_future()), (D(1903, 12, 31), EARLY)):
        with pytest.raises(ValidationError) as error:
            disbursement_record(
                chapter=tree.naiman,
                user=staff,
                date=day,
                category=category["救灾救助"],
                beneficiary_name="李桂兰",
                cash_amount=Decimal("100"),
            )
        assert error.value.message_dict == {"date": [message]}
    assert rows(*AID) == before


def test_records_dated_9999_12_31_are_refused_by_every_sheet_of_the_import(tree, staff, day_payment):
    FundFactory(chapter=tree.naiman, name="救灾基金")
    ProjectFactory(chapter=tree.naiman, name="博爱家园", budget=Decimal("100000"))
    day = D(9999, 12, 31)
    tables = (*AID, Donation, Donor, Receipt, Session)
    before = rows(*tables)

    result = import_(
        {
            "捐赠": [
                {
                    "捐赠日期": day,
                    "捐赠人": "张三",
                    "捐赠人类型": "个人",
                    "入账基金": "救灾基金",
                    "捐赠方式": "现金",
                    "金额": 100,
                    "票据号": "A1",
                }
            ],
            "救助发放": [{"发放日期": day, "救助类别": "救灾救助", "受助人姓名": "李四", "现金金额": 100}],
            "培训": [{"培训日期": day, "培训类型": "普及性培训", "培训名称": "急救", "参训人次": 30}],
            "项目支出": [{"支出日期": "1903-12-31", "项目名称": "博爱家园", "金额": 100}],
        },
        chapter=tree.naiman,
        user=staff,
    )

    assert problems(result) == [
        f"捐赠 第2行 捐赠日期: {in_future()}",
        f"救助发放 第2行 发放日期: {in_future()}",
        f"培训 第2行 培训日期: {in_future()}",
        f"项目支出 第2行 支出日期: {EARLY}",
    ]
    assert rows(*tables) == before


def test_the_home_page_default_year_cannot_be_pushed_to_9999(client, member, tree, staff, category):
    DisbursementFactory(chapter=tree.naiman, category=category["助学"], date=D(2020, 9, 1))
    with pytest.raises(ValidationError):
        disbursement_record(
            chapter=tree.naiman,
            user=staff,
            date=D(9999, 12, 31),
            category=category["助学"],
            beneficiary_name="李桂兰",
            cash_amount=Decimal("100"),
        )
    payment = {"发放日期": D(9999, 12, 31), "救助类别": "助学", "受助人姓名": "张三", "现金金额": 100}
    assert not import_({"救助发放": [payment]}, chapter=tree.naiman, user=staff).imported
    client.force_login(member(Role.LEADER, tree.naiman))

    html = client.get(reverse("home")).content.decode()

    assert "奈曼旗红十字会 2020年工作数据" in html
    assert "9999" not in html


# --- amounts of 1e12 ------------------------------------------------------------------------------


def test_an_amount_of_1e12_is_refused_by_the_form_with_one_message(client, staff, category, day_payment):
    client.force_login(staff)
    before = rows(*AID)

    response = client.post(
        reverse("aid:disbursement-create"), group_form(category, cash_amount="1000000000000")
    )

    assert response.status_code == 200
    assert response.context["form"].errors["cash_amount"] == [AMOUNT]
    assert rows(*AID) == before


def test_an_amount_of_1e12_is_refused_by_the_service_with_one_message(tree, staff, category, day_payment):
    before = rows(*AID)

    with pytest.raises(ValidationError) as error:
        disbursement_record(
            chapter=tree.naiman,
            user=staff,
            date=D(2020, 6, 1),
            category=category["救灾救助"],
            in_kind_amount=Decimal("1e12"),
            head_count=10,
        )

    # Not also the column's "no more than 14 digits": the bound speaks for the field.
    assert error.value.message_dict == {"in_kind_amount": [AMOUNT]}
    assert rows(*AID) == before


def test_an_amount_of_1e12_is_refused_by_the_import(tree, staff):
    FundFactory(chapter=tree.naiman, name="救灾基金")
    before = rows(Donation, Donor, Receipt)
    gift = {
        "捐赠日期": D(2020, 6, 1),
        "捐赠人": "张三",
        "捐赠人类型": "个人",
        "入账基金": "救灾基金",
        "捐赠方式": "现金",
        "金额": 1e12,
    }
    project = {"项目名称": "博爱家园", "项目类型": "博爱家园", "预算金额": "10000000000"}

    result = import_({"项目": [project], "捐赠": [gift]}, chapter=tree.naiman, user=staff)

    assert problems(result) == [f"项目 第2行 预算金额: {AMOUNT}", f"捐赠 第2行 金额: {AMOUNT}"]
    assert rows(Donation, Donor, Receipt) == before
    assert not Project.objects.exists()


def test_an_approval_threshold_of_1e12_is_refused(tree, member):
    admin = member(Role.ADMIN, tree.naiman)
    with pytest.raises(ValidationError) as error:
        approval_threshold_set(chapter=tree.naiman, user=admin, amount=Decimal("1e12"))
    assert error.value.message_dict == {"amount": [AMOUNT]}
    tree.naiman.refresh_from_db()
    assert tree.naiman.approval_threshold is None


# --- the other counts and dates -------------------------------------------------------------------


def test_a_session_of_2147483648_person_times_or_10000_hours_is_refused(tree, staff, kinds):
    with pytest.raises(ValidationError) as error:
        session_record(
            chapter=tree.naiman,
            user=staff,
            date=D(2020, 5, 1),
            kind=kinds[0],
            title="急救",
            person_times=2147483648,
            hours=Decimal("10000"),
        )
    assert error.value.message_dict == {
        "person_times": ["参训人次不能超过 1000000"],
        "hours": ["学时不能超过 1000"],
    }
    assert not Session.objects.exists()


def test_a_drive_may_be_planned_ahead_but_not_beyond_twenty_years(tree, staff):
    fund = FundFactory(chapter=tree.naiman)
    start = bounds.today() + datetime.timedelta(days=30)
    drive = drive_create(
        chapter=tree.naiman, user=staff, name="博爱一日捐", start_date=start, end_date=start, fund=fund
    )
    assert drive.end_date == start
    latest = bounds.latest_plan_date()
    with pytest.raises(ValidationError) as error:
        drive_create(
            chapter=tree.naiman,
            user=staff,
            name="博爱一日捐",
            start_date=start + datetime.timedelta(days=1),
            end_date=latest + datetime.timedelta(days=1),
            fund=fund,
        )
    assert error.value.message_dict == {"end_date": [f"日期不能晚于 {latest}（今后20年内）"]}
    assert list(Drive.objects.values_list("pk", flat=True)) == [drive.pk]


def test_a_project_step_dated_in_the_future_is_refused(tree, staff):
    project = ProjectFactory(chapter=tree.naiman)
    before = rows(Project)
    with pytest.raises(ValidationError) as error:
        project_advance(project=project, user=staff, date=D(9999, 12, 31))
    assert error.value.message_dict == {"date": [in_future()]}
    assert rows(Project) == before


def test_a_reversal_dated_9999_12_31_is_refused(tree, staff, member, day_payment):
    period_close(chapter=tree.naiman, user=member(Role.LEADER, tree.naiman), kind=PeriodKind.YEAR, year=2020)
    before = rows(*AID)

    with pytest.raises(ValidationError) as error:
        record_reverse(day_payment, user=staff, date=D(9999, 12, 31), reason="金额录错")

    assert error.value.message_dict == {"date": [in_future()]}
    assert rows(*AID) == before


def test_a_replacement_receipt_dated_9999_12_31_is_refused_and_the_old_one_stays_valid(tree, staff):
    receipt = receipt_issue(
        donation=DonationFactory(chapter=tree.naiman), user=staff, number="A1", issued_on=D(2020, 5, 8)
    )
    before = rows(Receipt)

    with pytest.raises(ValidationError) as error:
        receipt_void(
            receipt=receipt, user=staff, reason="抬头有误", new_number="A2", new_issued_on=D(9999, 12, 31)
        )

    assert error.value.message_dict == {"new_issued_on": [in_future()]}
    assert rows(Receipt) == before


def test_the_import_template_refuses_in_excel_what_the_import_would_refuse(tmp_path, tree):
    path = tmp_path / "template.xlsx"
    build_template(path, chapter=tree.naiman)

    payments = load_workbook(path)["救助发放"]
    rules = {
        str(v.sqref).split(":")[0]: (v.type, v.operator, v.formula1, v.formula2)
        for v in payments.data_validations.dataValidation
    }
    latest = (bounds.latest_plan_date() - D(1899, 12, 30)).days
    assert rules["A2"] == ("date", "between", "1462", str(latest))  # 1462: 1904-01-01 in Excel
    assert rules["E2"] == ("whole", "between", "0", "1000000")  # 受助人数
    assert rules["G2"] == ("decimal", "between", "0", "9999999999.99")  # 现金金额


# --- properties: the reader and the model agree, whatever the figure -----------------------------


@given(st.integers(min_value=-(2**70), max_value=2**70) | st.just("9" * 5000))
def test_any_head_count_is_read_within_its_bound_or_refused_with_the_models_message(number):
    if isinstance(number, str):  # a cell of 5000 digits: more than Python reads as an int
        with pytest.raises(ValidationError, match=HEADS):
            as_count(number, minimum=1, bound=bounds.validate_head_count)
        return
    try:
        value = as_count(number, minimum=1, bound=bounds.validate_head_count)
    except BadValue:
        assert number < 1
    except ValidationError as error:
        assert number > bounds.MAX_COUNT
        assert error.messages == [HEADS]
        with pytest.raises(ValidationError) as model_error:
            Disbursement(head_count=number).clean_fields(
                exclude=[f.name for f in Disbursement._meta.fields if f.name != "head_count"]
            )
        assert model_error.value.message_dict == {"head_count": [HEADS]}
    else:
        assert 1 <= value == number <= bounds.MAX_COUNT


@given(
    st.decimals(min_value=0, max_value=Decimal("1e15"), places=2, allow_nan=False, allow_infinity=False)
    | st.integers(min_value=0, max_value=10**400).map(Decimal)
)
def test_any_amount_is_read_below_100_billion_or_refused_naming_the_limit(amount):
    try:
        value = as_money(amount)
    except ValidationError as error:
        assert amount > bounds.MAX_AMOUNT
        assert error.messages == [AMOUNT]
    else:
        assert value == amount <= bounds.MAX_AMOUNT


@pytest.mark.django_db
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    head_count=st.integers(min_value=-(2**64), max_value=2**64),
    cases=st.none() | st.integers(min_value=-(2**64), max_value=2**64),
    cash=st.integers(min_value=0, max_value=10**40).map(Decimal),
)
def test_any_group_payment_is_saved_within_its_bounds_or_refused_never_left_to_the_database(
    tree, staff, category, head_count, cases, cash
):
    with transaction.atomic():
        try:
            payment = disbursement_record(
                chapter=tree.naiman,
                user=staff,
                date=D(2020, 6, 1),
                category=category["救灾救助"],
                cash_amount=cash,
                head_count=head_count,
                cases=cases,
            )
        except ValidationError as error:
            assert set(error.message_dict) <= {"head_count", "cases", "cash_amount"}
        else:
            payment.refresh_from_db()
            assert 1 <= payment.head_count <= bounds.MAX_COUNT
            assert 1 <= payment.cases <= bounds.MAX_COUNT
            assert 0 < payment.cash_amount <= bounds.MAX_AMOUNT
            day = ReliefDay.objects.get(chapter=tree.naiman, date=D(2020, 6, 1))
            assert day.group_persons == payment.head_count
        transaction.set_rollback(True)


@given(st.dates())
def test_any_record_date_is_read_from_1904_to_today_or_refused_naming_the_limit(day):
    try:
        value = as_record_date(day)
    except ValidationError as error:
        assert error.messages == ([EARLY] if day < bounds.EARLIEST_DATE else [in_future()])
    else:
        assert bounds.EARLIEST_DATE <= value == day <= bounds.today()

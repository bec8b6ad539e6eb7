"""Corrections, not deletions, and four eyes: each test is named after the mistake or attack it
tries, and asserts what the books then say — and that nothing was lost.

A voided record stays listed (marked, filterable), in the ledger and in history, and counts in
no total, report, summary or fund balance. A record of a closed period is reversed by an entry in
an open period that refers to it. A payment above the chapter's threshold waits, counting in
nothing, for a leader who did not enter it.
"""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from aid.models import AidCategory, Disbursement, PersonYear, ReliefDay
from aid.services import disbursement_correct, disbursement_record
from donations.models import Donation, Receipt
from donations.selectors import fund_balance
from donations.services import donation_record
from projects.models import Expenditure
from projects.services import expenditure_record
from redcross.access import Access
from redcross.choices import PeriodKind, Role
from redcross.corrections import record_approve, record_reverse, record_void
from redcross.exports import export_class
from redcross.models import Change
from redcross.services import export_write, period_close
from reports.choices import ReportKind
from reports.figures import report_data
from reports.periods import Period

from .factories import DonationFactory, DonorFactory, FundFactory, ProjectFactory
from .test_exports import Sheet

D = datetime.date


@pytest.fixture
def people(tree, member):
    return {
        "staff": member(Role.STAFF, tree.naiman, "m-staff"),
        "clerk": member(Role.STAFF, tree.naiman, "m-clerk"),
        "leader": member(Role.LEADER, tree.naiman, "m-leader"),
        "admin": member(Role.ADMIN, tree.naiman, "m-admin"),
        "auditor": member(Role.AUDITOR, tree.naiman, "m-auditor"),
    }


@pytest.fixture
def fund(tree):
    fund = FundFactory(chapter=tree.naiman, name="综合基金")
    DonationFactory(chapter=tree.naiman, fund=fund, amount=Decimal("10000"), date=D(2020, 1, 2))
    return fund


@pytest.fixture
def illness():
    return AidCategory.objects.get(name="重特大疾病救助")


JUNE = D(2020, 6, 10)


def pay(tree, user, category, fund, amount, *, name="张三", day=JUNE):
    return disbursement_record(
        chapter=tree.naiman, user=user, date=day, category=category, cash_amount=Decimal(amount),
        beneficiary_name=name, fund=fund,
    )  # fmt: skip


def year_2020(tree):
    return report_data(tree.naiman, Period(2020, ReportKind.YEAR))


def ledger(tmp_path, key, user, **params):
    path = tmp_path / f"{key}.xlsx"
    export_write(export_class(key)(Access(user)), params, path, made_by=user.username)
    return Sheet(path)


# --- corrections, not deletions ---------------------------------------------------------------


def test_a_mistyped_payment_voided_from_its_page_stays_listed_and_counts_in_nothing(
    client, tmp_path, tree, people, fund, illness
):
    right = pay(tree, people["staff"], illness, fund, "1200", name="张三")
    wrong = pay(tree, people["staff"], illness, fund, "3000", name="李四")
    assert fund_balance(fund) == Decimal("5800.00")
    client.force_login(people["staff"])

    page = client.get(wrong.get_absolute_url()).content.decode()
    assert reverse("aid:disbursement-void", args=[wrong.pk]) in page
    response = client.post(reverse("aid:disbursement-void", args=[wrong.pk]), {"reason": " "})
    assert "这个字段是必填项" in response.content.decode()
    response = client.post(
        reverse("aid:disbursement-void", args=[wrong.pk]), {"reason": "金额录错，应为300元"}, follow=True
    )
    page = response.content.decode()
    assert "已作废" in page and "金额录错，应为300元" in page and "m-staff" in page

    wrong = Disbursement.all_objects.get(pk=wrong.pk)  # still there, marked
    assert (wrong.void_reason, wrong.voided_by, wrong.cash_amount) == (
        "金额录错，应为300元",
        people["staff"],
        Decimal("3000.00"),
    )
    # It counts in nothing: fund balance, report, summaries, list totals.
    assert fund_balance(fund) == Decimal("8800.00")
    figures = year_2020(tree)
    assert (figures["relief.total.amount"].value, figures["relief.total.persons"].value) == ("1200.00", 1)
    assert ReliefDay.objects.get().cash_amount == Decimal("1200.00")
    assert list(PersonYear.objects.values_list("beneficiary__name", flat=True).distinct()) == ["张三"]
    listing = client.get(reverse("aid:disbursement-list"))
    assert [d.pk for d in listing.context["object_list"]] == [wrong.pk, right.pk]  # both listed
    assert listing.context["totals"].amount == Decimal("1200.00") and listing.context["totals"].count == 1
    assert 'class="badge void"' in listing.content.decode()
    voided = client.get(reverse("aid:disbursement-list"), {"status": "voided"}).context["object_list"]
    assert [d.pk for d in voided] == [wrong.pk]
    standing = client.get(reverse("aid:disbursement-list"), {"status": "standing"}).context["object_list"]
    assert [d.pk for d in standing] == [right.pk]
    # The ledger lists it, figures blank, status and reason said; the totals row is what stands.
    sheet = ledger(tmp_path, "disbursements", people["auditor"])
    rows = {row["记录编号"]: row for row in sheet.rows}
    assert rows[wrong.pk]["状态"] == "已作废：金额录错，应为300元" and rows[wrong.pk]["合计金额"] is None
    assert rows[right.pk]["状态"] == "有效" and sheet.totals["合计金额"] == 1200
    # History holds the void with who and why.
    change = Change.objects.filter(table="aid_disbursement", record_id=wrong.pk, action="update").last()
    assert change.after["void_reason"] == "金额录错，应为300元" and change.user_id == people["staff"].pk
    # And a voided record is not corrected any more, nor voided twice.
    assert client.get(reverse("aid:disbursement-update", args=[wrong.pk])).status_code == 403
    with pytest.raises(ValidationError, match="该记录已于 .* 作废"):
        record_void(wrong, user=people["staff"], reason="再次")


def test_deleting_an_accounting_record_is_refused_in_the_app_and_in_the_database(tree, people, fund, illness):
    payment = pay(tree, people["staff"], illness, fund, "500")
    with pytest.raises(ValidationError, match="救助发放是会计记录，不能删除；请作废"):
        payment.delete()
    gift = Donation.objects.get()
    with pytest.raises(ValidationError, match="捐赠是会计记录，不能删除"):
        gift.delete()
    with pytest.raises(ValidationError, match="救助发放是会计记录，不能删除"):
        Disbursement.all_objects.filter(chapter=tree.naiman).delete()  # nor in bulk
    if connection.vendor == "postgresql":
        for table in ("aid_disbursement", "donations_donation"):  # a row trigger: tables with rows
            with pytest.raises(DatabaseError, match="accounting records are never deleted"):
                with transaction.atomic(), connection.cursor() as cursor:
                    cursor.execute(f"DELETE FROM {table}")  # noqa: S608 — fixed table names
    assert Disbursement.all_objects.count() == 1 and Donation.all_objects.count() == 1


def test_voiding_a_gift_whose_money_was_spent_is_refused(tree, people, fund, illness):
    donor = DonorFactory(chapter=tree.naiman)
    gift = donation_record(
        chapter=tree.naiman, user=people["staff"], date=D(2020, 3, 1), donor=donor, fund=fund,
        amount=Decimal("5000"), receipt_number="NM-100", receipt_date=D(2020, 3, 1),
    )  # fmt: skip
    pay(tree, people["staff"], illness, fund, "14000")  # spends the first gift and most of this one
    with pytest.raises(ValidationError, match="款项已经支出（余额 1,000.00 元），不能收回 5,000.00 元"):
        record_void(gift, user=people["staff"], reason="退款")
    assert Donation.objects.filter(pk=gift.pk).exists()
    # Once the payment is voided, the gift can be; its receipt is voided with it.
    record_void(Disbursement.objects.get(), user=people["staff"], reason="未发放")
    record_void(gift, user=people["staff"], reason="捐赠人撤回")
    receipt = Receipt.objects.get(number="NM-100")
    assert receipt.is_void and receipt.void_reason == "捐赠作废：捐赠人撤回"
    assert fund_balance(fund) == Decimal("10000.00")


def test_a_record_of_a_closed_period_is_reversed_in_an_open_one_never_voided(
    client, tmp_path, tree, people, fund, illness
):
    payment = pay(tree, people["staff"], illness, fund, "2000", day=D(2020, 6, 10))
    period_close(chapter=tree.naiman, user=people["leader"], kind=PeriodKind.HALF, year=2020, part=1)
    with pytest.raises(ValidationError, match="2020年上半年已结账"):
        record_void(payment, user=people["staff"], reason="录错")
    with pytest.raises(ValidationError, match="2020年上半年已结账"):
        record_reverse(payment, user=people["staff"], date=D(2020, 6, 30), reason="录错")
    client.force_login(people["staff"])
    page = client.get(payment.get_absolute_url()).content.decode()
    assert "所在期间2020年上半年已结账" in page
    assert reverse("aid:disbursement-reverse", args=[payment.pk]) in page
    assert reverse("aid:disbursement-void", args=[payment.pk]) not in page
    response = client.post(
        reverse("aid:disbursement-reverse", args=[payment.pk]),
        {"date": "2020-07-03", "reason": "受助人重复登记"},
        follow=True,
    )
    reversal = Disbursement.objects.get(reverses=payment)
    assert response.redirect_chain[-1][0] == reversal.get_absolute_url()
    assert (reversal.date, reversal.cash_amount, reversal.fund, reversal.beneficiary) == (
        D(2020, 7, 3),
        Decimal("-2000.00"),
        fund,
        payment.beneficiary,
    )
    assert reversal.remarks == f"冲销 #{payment.pk}（2020-06-10）：受助人重复登记"
    # The closed half-year keeps what it published; the year nets to nothing, and the reversal
    # is no payment, person or case of its own.
    h1 = report_data(tree.naiman, Period(2020, ReportKind.H1))
    assert h1["relief.total.amount"].value == "2000.00"
    year = year_2020(tree)
    assert (year["relief.total.amount"].value, year["relief.total.persons"].value) == ("0.00", 1)
    assert ReliefDay.objects.get(date=D(2020, 7, 3)).payments == 0
    assert fund_balance(fund) == Decimal("10000.00")
    # Once is enough; the original is marked reversed in its ledger.
    with pytest.raises(ValidationError, match="该记录已经冲销过"):
        record_reverse(payment, user=people["staff"], date=D(2020, 7, 4), reason="再冲")
    sheet = ledger(tmp_path, "disbursements", people["auditor"])
    rows = {row["记录编号"]: row for row in sheet.rows}
    assert rows[payment.pk]["状态"] == f"已冲销（冲销记录 #{reversal.pk}）"
    assert rows[reversal.pk]["状态"] == f"冲销 #{payment.pk}" and rows[reversal.pk]["例数"] is None
    assert sheet.totals["合计金额"] == 0


def test_a_gift_of_a_closed_year_is_reversed_and_its_fund_gives_the_money_back(tree, people, fund, illness):
    gift = Donation.objects.get()
    period_close(chapter=tree.naiman, user=people["leader"], kind=PeriodKind.YEAR, year=2020)
    with pytest.raises(ValidationError, match="原记录所在期间尚未结账") as _none:
        record_reverse(
            DonationFactory(chapter=tree.naiman, fund=fund, date=D(2021, 2, 1), amount=Decimal("1")),
            user=people["staff"], date=D(2021, 2, 2), reason="x",
        )  # fmt: skip
    reversal = record_reverse(gift, user=people["staff"], date=D(2021, 1, 5), reason="退回捐赠人")
    assert (reversal.amount, reversal.drive, reversal.reverses) == (Decimal("-10000.00"), None, gift)
    assert fund_balance(fund) == Decimal("1.00")
    figures = report_data(tree.naiman, Period(2021, ReportKind.YEAR))
    assert figures["donations.total.amount"].value == "-9999.00"


# --- four eyes --------------------------------------------------------------------------------


@pytest.fixture
def threshold(tree):
    tree.naiman.approval_threshold = Decimal("5000")
    tree.naiman.save()
    return tree.naiman.approval_threshold


def test_a_large_payment_waits_for_a_leader_and_counts_in_nothing_until_approved(
    client, tmp_path, tree, people, fund, illness, threshold
):
    small = pay(tree, people["staff"], illness, fund, "3000", name="王五")
    large = pay(tree, people["staff"], illness, fund, "5000.01", name="赵六")
    assert (small.pending, large.pending) == (False, True)
    assert fund_balance(fund) == Decimal("7000.00")
    assert year_2020(tree)["relief.total.amount"].value == "3000.00"
    assert not PersonYear.objects.filter(beneficiary__name="赵六").exists()
    sheet = ledger(tmp_path, "disbursements", people["auditor"])
    assert {row["状态"] for row in sheet.rows} == {"有效", "待审批"} and sheet.totals["合计金额"] == 3000
    client.force_login(people["leader"])
    listing = client.get(reverse("aid:disbursement-list"), {"status": "pending"})
    assert [d.pk for d in listing.context["object_list"]] == [large.pk]
    # What waits has a line of its own; no "0.00 元" of standing totals beside it.
    assert listing.context["pending_totals"] == {"count": 1, "amount": Decimal("5000.01")}
    assert "待审批 1 笔 5,000.01 元，不计入合计" in listing.content.decode()
    assert 'id="totals"' not in listing.content.decode()

    # Nobody approves what they entered: not the clerk who entered it, nor staff at all.
    with pytest.raises(PermissionDenied):
        record_approve(large, user=people["staff"])
    admin_entered = pay(tree, people["admin"], illness, None, "6000", name="孙七")
    with pytest.raises(ValidationError, match="录入或更正该记录的人不能审批它"):
        record_approve(admin_entered, user=people["admin"])

    page = client.get(large.get_absolute_url()).content.decode()
    assert "金额超过本会审批金额 5,000.00 元" in page
    response = client.post(
        reverse("aid:disbursement-approve", args=[large.pk]),
        {"decision": "approve", "opinion": "", "confirmed": "1"},
        follow=True,
    )
    assert f"已同意：救助发放 #{large.pk}，5,000.01 元，开始计入合计和基金余额" in response.content.decode()
    large.refresh_from_db()
    assert (large.pending, large.approved_by) == (False, people["leader"])
    assert year_2020(tree)["relief.total.amount"].value == "8000.01"
    assert fund_balance(fund) == Decimal("1999.99")
    # A correction of an approved payment above the threshold waits again.
    corrected = disbursement_correct(
        disbursement=large, user=people["staff"], date=large.date, category=illness,
        cash_amount=Decimal("5200"), beneficiary_name="赵六", fund=fund,
    )  # fmt: skip
    assert corrected.pending and corrected.approved_by is None
    assert year_2020(tree)["relief.total.amount"].value == "3000.00"


def test_two_pending_payments_cannot_both_take_the_last_money_when_approved(tree, people, illness, threshold):
    fund = FundFactory(chapter=tree.naiman, name="大病基金")
    DonationFactory(chapter=tree.naiman, fund=fund, amount=Decimal("9000"), date=D(2020, 1, 2))
    first = pay(tree, people["staff"], illness, fund, "6000", name="甲")
    second = pay(tree, people["staff"], illness, fund, "6000", name="乙")  # fits: pending holds no money
    record_approve(first, user=people["leader"])
    with pytest.raises(ValidationError, match="余额不足：可用 3,000.00 元"):
        record_approve(second, user=people["leader"])
    assert Disbursement.all_objects.get(pk=second.pk).pending
    assert fund_balance(fund) == Decimal("3000.00")


def test_a_second_payment_to_the_same_person_in_the_half_year_is_flagged_for_the_approver(
    client, tree, people, fund, illness, threshold
):
    first = pay(tree, people["staff"], illness, fund, "800", name="张三", day=D(2020, 3, 2))
    other_category = AidCategory.objects.get(name="救灾救助")
    disbursement_record(
        chapter=tree.naiman, user=people["staff"], date=D(2020, 4, 1), category=other_category,
        cash_amount=Decimal("100"), beneficiary_name="张三",
    )  # fmt: skip
    pay(tree, people["staff"], illness, fund, "700", name="张三", day=D(2020, 8, 1))  # next half-year
    again = pay(tree, people["staff"], illness, None, "6000", name="张三", day=D(2020, 5, 20))
    client.force_login(people["leader"])
    page = client.get(reverse("aid:disbursement-approve", args=[again.pk])).content.decode()
    assert "重复发放提示" in page and "该受助人本半年内已有 1 笔同类救助" in page
    assert first.get_absolute_url() in page and "2020-03-02" in page
    assert "2020-08-01" not in page and "2020-04-01" not in page
    detail = client.get(again.get_absolute_url()).content.decode()
    assert "重复发放提示" in detail
    # A payment to someone new is not flagged.
    fresh = pay(tree, people["staff"], illness, None, "6000", name="新人", day=D(2020, 5, 20))
    assert "重复发放提示" not in client.get(fresh.get_absolute_url()).content.decode()


def test_a_large_expenditure_waits_too_and_an_approver_may_turn_it_down(client, tree, people, threshold):
    project = ProjectFactory(chapter=tree.naiman, budget=Decimal("100000"))
    spending = expenditure_record(
        chapter=tree.naiman, user=people["staff"], date=D(2020, 5, 1), project=project,
        amount=Decimal("8000"), category="工程建设",
    )  # fmt: skip
    assert spending.pending and not Expenditure.objects.exists()
    client.force_login(people["leader"])
    page = client.get(spending.get_absolute_url()).content.decode()
    assert reverse("projects:expenditure-approve", args=[spending.pk]) in page
    client.post(
        reverse("projects:expenditure-approve", args=[spending.pk]),
        {"decision": "turn_down", "opinion": "无发票，退回补充", "confirmed": "1"},
    )
    spending = Expenditure.all_objects.get(pk=spending.pk)
    assert spending.is_void and spending.voided_by == people["leader"]
    assert spending.is_turned_down and spending.approval_opinion == "无发票，退回补充"
    # A leader cannot void what stands (staff correct the books), only turn down what waits.
    small = expenditure_record(
        chapter=tree.naiman, user=people["staff"], date=D(2020, 5, 2), project=project, amount=Decimal("800"),
    )  # fmt: skip
    assert (
        client.post(reverse("projects:expenditure-void", args=[small.pk]), {"reason": "x"}).status_code == 403
    )
    assert Expenditure.objects.get() == small


def test_only_an_administrator_sets_the_threshold_and_the_change_is_kept_in_history(client, tree, people):
    client.force_login(people["leader"])
    client.post(reverse("periods"), {"chapter": tree.naiman.pk, "threshold": "100"})
    tree.naiman.refresh_from_db()
    assert tree.naiman.approval_threshold is None
    client.force_login(people["admin"])
    response = client.post(reverse("periods"), {"chapter": tree.naiman.pk, "threshold": "-5"})
    assert "金额不能为负数" in response.content.decode()
    response = client.post(reverse("periods"), {"chapter": tree.naiman.pk, "threshold": "5000"}, follow=True)
    assert "奈曼旗红十字会超过 5,000.00 元的救助发放和项目支出须经领导审批" in response.content.decode()
    tree.naiman.refresh_from_db()
    assert tree.naiman.approval_threshold == Decimal("5000.00")
    change = Change.objects.get(table="redcross_chapter", record_id=tree.naiman.pk)
    assert (change.before, change.after, change.user_id) == (
        {"approval_threshold": None},
        {"approval_threshold": "5000.00"},
        people["admin"].pk,
    )


def test_a_leader_finds_what_waits_for_approval_on_the_home_page(
    client, tree, people, fund, illness, threshold
):
    waiting = pay(tree, people["staff"], illness, fund, "6000")
    client.force_login(people["leader"])
    page = client.get(reverse("home")).content.decode()
    assert "待您审批" in page and "救助发放 1 笔" in page and "status=pending" in page
    client.force_login(people["staff"])
    assert "待您审批" not in client.get(reverse("home")).content.decode()
    record_approve(waiting, user=people["leader"])
    client.force_login(people["leader"])
    assert "待您审批" not in client.get(reverse("home")).content.decode()


def test_an_import_cannot_slip_a_large_payment_past_approval(tree, people, threshold):
    from redcross.importing import import_records

    from .test_imports import PAYMENT, workbook

    handle = workbook({"救助发放": [PAYMENT | {"现金金额": 6000}, PAYMENT | {"受助人姓名": "李四"}]})
    result = import_records(handle, chapter=tree.naiman, user=people["staff"])
    assert not result.problems
    assert [(d.beneficiary.name, d.pending) for d in Disbursement.all_objects.order_by("pk")] == [
        ("张三", True),
        ("李四", False),
    ]
    assert report_data(tree.naiman, Period(2021, ReportKind.YEAR))["relief.total.amount"].value == "2000.00"


def test_spending_that_waited_is_not_approved_once_its_project_is_audited(tree, people, threshold):
    from projects.choices import ProjectStatus

    project = ProjectFactory(chapter=tree.naiman, budget=Decimal("100000"))
    spending = expenditure_record(
        chapter=tree.naiman, user=people["staff"], date=D(2020, 5, 1), project=project,
        amount=Decimal("9000"), category="工程建设",
    )  # fmt: skip
    type(project).objects.filter(pk=project.pk).update(status=ProjectStatus.AUDITED)
    with pytest.raises(ValidationError, match="已审计，不能再批准支出"):
        record_approve(spending, user=people["leader"])
    assert Expenditure.all_objects.get(pk=spending.pk).pending


def test_a_voided_gift_leaves_its_drive_in_every_figure_of_the_drives_list(client, tree, people, fund):
    from donations.models import Drive

    drive = Drive.objects.create(
        chapter=tree.naiman, name="博爱一日捐", start_date=D(2020, 5, 1), end_date=D(2020, 6, 30), fund=fund
    )
    DonationFactory(chapter=tree.naiman, fund=fund, drive=drive, amount=Decimal("300"), date=D(2020, 5, 8))
    wrong = DonationFactory(
        chapter=tree.naiman, fund=fund, drive=drive, amount=Decimal("900"), date=D(2020, 5, 9)
    )
    record_void(wrong, user=people["staff"], reason="重复登记")
    client.force_login(people["staff"])
    row = client.get(reverse("donations:drive-list")).context["object_list"][0]
    assert (row.raised, row.donation_count) == (Decimal("300.00"), 1)  # the list sums through a join
    page = client.get(drive.get_absolute_url()).content.decode()
    assert 'data-figure="amount">300.00<' in page


def test_a_leader_finds_no_approve_route_for_a_donation_or_payout_that_never_waits(client, tree, people):
    """Only spending that can wait for approval (relief payments, expenditures) has an approve
    route; a donation or payout never waits, so its /approve/ address is not found and its page
    links to none."""
    from django.urls import NoReverseMatch

    donation = DonationFactory(chapter=tree.naiman, amount=Decimal("500"))
    client.force_login(people["leader"])
    for route in ("donations:donation-approve", "donations:payout-approve"):
        with pytest.raises(NoReverseMatch):
            reverse(route, args=[donation.pk])
    assert client.get(f"/donations/{donation.pk}/approve/").status_code == 404
    assert client.post(f"/donations/{donation.pk}/approve/", {}).status_code == 404
    page = client.get(reverse("donations:donation-detail", args=[donation.pk])).content.decode()
    assert "/approve/" not in page
    assert reverse("aid:disbursement-approve", args=[7]) == "/aid/7/approve/"
    assert reverse("projects:expenditure-approve", args=[7]) == "/projects/expenditures/7/approve/"


def test_a_records_status_is_the_value_its_list_filters_on(client, tree, people, fund, illness):
    """A standing, a voided and a reversal payment each say their status as the list's status
    filter names it: following ``?status=<the record's status>`` lists the record."""
    from redcross.choices import RecordStatus

    standing = pay(tree, people["staff"], illness, fund, "100", name="甲")
    voided = pay(tree, people["staff"], illness, fund, "200", name="乙")
    record_void(voided, user=people["staff"], reason="重复录入")
    original = pay(tree, people["staff"], illness, fund, "300", name="丙", day=D(2020, 5, 1))
    period_close(chapter=tree.naiman, user=people["leader"], kind=PeriodKind.MONTH, year=2020, part=5)
    reversal = record_reverse(original, user=people["staff"], date=JUNE, reason="退回")
    voided.refresh_from_db()
    client.force_login(people["auditor"])
    expected = [
        (standing, RecordStatus.STANDING, "有效"),
        (voided, RecordStatus.VOIDED, "已作废"),
        (reversal, RecordStatus.REVERSAL, "冲销"),
    ]
    for record, status, label in expected:
        assert (record.status, record.status_label) == (status, label)
        listed = client.get(reverse("aid:disbursement-list"), {"status": record.status}).context[
            "object_list"
        ]
        assert record.pk in [r.pk for r in listed], status

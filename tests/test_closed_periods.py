"""Closed periods: once leadership close a month, half-year or year, nothing dated inside it is
created, changed, voided or removed — through the forms, the services, the import, and (on
PostgreSQL) raw SQL. Reopening is an administrator's recorded act."""

import datetime
import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from aid.models import Disbursement
from aid.services import disbursement_record
from donations.services import receipt_void
from redcross.choices import PeriodKind, Role
from redcross.models import Change, ClosedPeriod
from redcross.services import period_close, period_reopen

from .factories import DisbursementFactory, DonationFactory, FundFactory

D = datetime.date
REFUSED = "2020年6月已结账（m-leader，"


@pytest.fixture
def people(tree, member):
    return {
        "staff": member(Role.STAFF, tree.naiman, "m-staff"),
        "leader": member(Role.LEADER, tree.naiman, "m-leader"),
        "admin": member(Role.ADMIN, tree.naiman, "m-admin"),
    }


@pytest.fixture
def june(tree, people):
    return period_close(chapter=tree.naiman, user=people["leader"], kind=PeriodKind.MONTH, year=2020, part=6)


def test_leadership_close_and_only_administrators_reopen(tree, people):
    with pytest.raises(ValidationError, match="只有本会领导可以结账"):
        period_close(chapter=tree.naiman, user=people["staff"], kind=PeriodKind.YEAR, year=2020)
    half = period_close(chapter=tree.naiman, user=people["leader"], kind=PeriodKind.HALF, year=2020, part=1)
    assert (half.start, half.end, half.label) == (D(2020, 1, 1), D(2020, 6, 30), "2020年上半年")
    with pytest.raises(ValidationError, match="2020年上半年已结账"):
        period_close(chapter=tree.naiman, user=people["leader"], kind=PeriodKind.MONTH, year=2020, part=3)
    with pytest.raises(ValidationError, match="只有本会系统管理员可以重新开放"):
        period_reopen(period=half, user=people["leader"], reason="补录")
    with pytest.raises(ValidationError, match="请填写重新开放的原因"):
        period_reopen(period=half, user=people["admin"], reason=" ")
    period_reopen(period=half, user=people["admin"], reason="补录漏登的救助")
    half.refresh_from_db()
    assert (half.reopened_by, half.reopen_reason) == (people["admin"], "补录漏登的救助")
    change = Change.objects.filter(table="redcross_closedperiod", record_id=half.pk, action="update").get()
    assert change.after["reopen_reason"] == "补录漏登的救助"


def test_nothing_dated_inside_is_created_changed_or_removed(tree, people, june):
    category_payment = {"chapter": tree.naiman, "user": people["staff"], "beneficiary_name": "张三"}
    from aid.models import AidCategory

    category = AidCategory.objects.get(name="重特大疾病救助")
    with pytest.raises(ValidationError) as refusal:
        disbursement_record(
            date=D(2020, 6, 15), category=category, cash_amount=Decimal("100"), **category_payment
        )
    assert refusal.value.message_dict["date"][0].startswith(REFUSED)
    # Just outside the month is open.
    disbursement_record(date=D(2020, 7, 1), category=category, cash_amount=Decimal("100"), **category_payment)

    inside = Disbursement.objects.create(
        chapter=tree.naiman, date=D(2020, 5, 31), category=category, cash_amount=Decimal("50"), head_count=3,
        beneficiary=None, cases=3,
    )  # fmt: skip
    inside.date = D(2020, 6, 2)  # moving a record into the closed month
    with pytest.raises(ValidationError):
        inside.save()
    period_reopen(period=june, user=people["admin"], reason="测试")
    payment = DisbursementFactory(chapter=tree.naiman, date=D(2020, 6, 20))
    period_close(chapter=tree.naiman, user=people["leader"], kind=PeriodKind.MONTH, year=2020, part=6)
    payment.remarks = "改"
    with pytest.raises(ValidationError):
        payment.save()
    with pytest.raises(ValidationError):
        payment.delete()
    assert Disbursement.objects.filter(pk=payment.pk, remarks="").exists()


def test_a_receipt_of_a_closed_month_cannot_be_voided(tree, people):
    from donations.services import receipt_issue

    gift = DonationFactory(fund=FundFactory(chapter=tree.naiman), date=D(2020, 6, 3))
    receipt = receipt_issue(donation=gift, user=people["staff"], number="NM-7", issued_on=D(2020, 6, 3))
    period_close(chapter=tree.naiman, user=people["leader"], kind=PeriodKind.MONTH, year=2020, part=6)
    with pytest.raises(ValidationError) as refusal:
        receipt_void(receipt=receipt, user=people["staff"], reason="开错")
    assert "2020年6月已结账" in str(refusal.value)


def test_the_form_says_why(client, tree, people, june):
    client.force_login(people["staff"])
    payment = DisbursementFactory(chapter=tree.naiman, date=D(2020, 7, 2))
    from .test_concurrent_edits import form_data

    url = reverse("aid:disbursement-update", args=[payment.pk])
    response = client.post(url, {**form_data(client, url), "date": "2020-06-10"})
    assert REFUSED in response.content.decode()
    payment.refresh_from_db()
    assert payment.date == D(2020, 7, 2)


def test_the_import_refuses_rows_of_a_closed_period(tree, people, june):
    from redcross.importing import import_records

    from .test_imports import PAYMENT, workbook

    sheets = {"救助发放": [{**PAYMENT, "发放日期": D(2020, 6, 9)}, {**PAYMENT, "发放日期": D(2020, 8, 9)}]}
    result = import_records(workbook(sheets), chapter=tree.naiman, user=people["staff"])
    assert [str(p) for p in result.problems][0].startswith("救助发放 第2行 发放日期: 2020年6月已结账")
    assert not result.imported and Disbursement.objects.count() == 0


def test_the_periods_page_closes_and_reopens(client, tree, people):
    client.force_login(people["leader"])
    response = client.post(
        reverse("periods"),
        {"chapter": tree.naiman.pk, "kind": "year", "year": 2019, "part": 1, "confirm": "1"},
        follow=True,
    )
    assert "2019年已结账" in response.content.decode()
    period = ClosedPeriod.objects.get()
    client.force_login(people["admin"])
    response = client.post(reverse("periods"), {"reopen": period.pk, "reason": "审计调整"}, follow=True)
    assert "已由m-admin于" in response.content.decode() and "审计调整" in response.content.decode()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="database triggers: CI runs it on PostgreSQL")
def test_raw_sql_cannot_touch_a_closed_period(tree, people, june):
    payment = DisbursementFactory(chapter=tree.naiman, date=D(2020, 7, 5))
    for statement, args in (
        ("UPDATE aid_disbursement SET date = '2020-06-05' WHERE id = %s", [payment.pk]),
        ("INSERT INTO donations_payout (chapter_id, created_at, updated_at, version, date, fund_id, "
         "recipient, cash_amount, in_kind_amount, purpose, document_number, remarks) "
         "VALUES (%s, now(), now(), 1, "
         "'2020-06-05', %s, 'x', 1, 0, 'x', '', '')", [tree.naiman.pk, FundFactory(chapter=tree.naiman).pk]),
    ):  # fmt: skip
        with pytest.raises(DatabaseError, match="period closed"):
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(statement, args)
    inside = Disbursement.objects.filter(chapter=tree.naiman)
    assert list(inside.values_list("date", flat=True)) == [D(2020, 7, 5)]


def test_closing_asks_its_own_right_not_the_right_to_publish_reports(client, tree, people, monkeypatch):
    """Publishing reports and closing periods are two rights: with publishing refused to
    everyone, the leader still closes a period from the page; with closing refused, not even
    the service closes one, and nothing is saved."""
    from redcross.access import Access

    monkeypatch.setattr(Access, "can_publish_reports", lambda self, chapter: False)
    client.force_login(people["leader"])
    page = client.get(reverse("periods"))
    assert list(page.context["form"].fields["chapter"].queryset) == [tree.naiman]
    client.post(
        reverse("periods"),
        {"chapter": tree.naiman.pk, "kind": PeriodKind.YEAR, "year": 2020, "part": 1, "confirm": "1"},
    )
    assert list(ClosedPeriod.objects.values_list("chapter", "start", "end")) == [
        (tree.naiman.pk, D(2020, 1, 1), D(2020, 12, 31))
    ]

    monkeypatch.setattr(Access, "can_close_periods", lambda self, chapter: False)
    before = list(ClosedPeriod.objects.values())
    with pytest.raises(ValidationError, match="只有本会领导可以结账"):
        period_close(chapter=tree.naiman, user=people["leader"], kind=PeriodKind.YEAR, year=2019)
    assert list(ClosedPeriod.objects.values()) == before


@pytest.mark.parametrize(
    ("label", "column", "closing"),
    [
        ("aid.Disbursement", "date", "date"),
        ("donations.Donation", "date", "date"),
        ("donations.Receipt", "issued_on", "issued_on"),
        ("donations.Payout", "date", "date"),
        ("donations.Drive", "start_date", None),
        ("projects.Project", "start_date", None),
        ("projects.Expenditure", "date", "date"),
        ("training.Session", "date", None),
        ("training.Certificate", "issued_on", None),
    ],
)
def test_a_records_date_is_declared_once_and_period_sums_lists_and_closing_use_it(label, column, closing):
    """The model names its date (``date_field``); a period's sum (``in_period``), its list's period
    filter and, for the books, the closed period all select by that one column."""
    import importlib

    from django.apps import apps
    from django.contrib.auth.models import AnonymousUser

    from redcross.access import Access
    from redcross.filters import ChapterRecordFilterSet
    from redcross.models import every

    model = apps.get_model(label)
    importlib.import_module(f"{model._meta.app_label}.filtersets")
    assert (model.date_field, model.closing_date_field) == (column, closing)
    sql = str(every(model).in_period(D(2020, 1, 1), D(2020, 12, 31)).query)
    assert f'"{model._meta.db_table}"."{column}" >= 2020-01-01' in sql.replace("'", "")
    assert f'"{model._meta.db_table}"."{column}" <= 2020-12-31' in sql.replace("'", "")
    filtersets = [f for f in _subclasses(ChapterRecordFilterSet) if getattr(f._meta, "model", None) is model]
    assert len(filtersets) == (0 if label == "donations.Receipt" else 1)
    for filterset in filtersets:
        listed = filterset(
            {"date_after": "2020-01-01"}, queryset=model._base_manager.none(), access=Access(AnonymousUser())
        )
        assert listed.filters["date"].field_name == column


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def test_the_first_post_only_asks_to_confirm_and_lists_the_periods_pending_payments(client, tree, people):
    """Closing confirms first: the first POST closes nothing, says what closing means and lists the
    period's payments waiting for approval (not those of another period)."""
    DisbursementFactory(chapter=tree.naiman, date=datetime.date(2019, 5, 1), pending=True)
    DisbursementFactory(chapter=tree.naiman, date=datetime.date(2020, 5, 1), pending=True)
    client.force_login(people["leader"])
    before = list(ClosedPeriod.objects.values())
    response = client.post(
        reverse("periods"), {"chapter": tree.naiman.pk, "kind": "year", "year": 2019, "part": 1}
    )
    assert list(ClosedPeriod.objects.values()) == before == []
    html = response.content.decode()
    text = re.sub(r"\s+", "", re.sub(r"<[^>]+>", "", html))
    assert "确认结账：奈曼旗红十字会2019年" in text
    assert (
        "结账后，2019-01-01至2019-12-31的捐赠、票据、救助发放、项目支出和款物拨付不能再登记、修改或作废。"
        in text
    )
    assert "本期间还有待审批的记录（不计入任何合计），结账前请先处理：救助发放1条待审批" in text
    assert "date_after=2019-01-01" in html and "date_before=2019-12-31" in html
    assert 'name="confirm" value="1"' in html and "csrfmiddlewaretoken" in html

    response = client.post(
        reverse("periods"),
        {"chapter": tree.naiman.pk, "kind": "year", "year": 2019, "part": "1", "confirm": "1"},
        follow=True,
    )
    assert list(ClosedPeriod.objects.values_list("chapter", "start", "end")) == [
        (tree.naiman.pk, datetime.date(2019, 1, 1), datetime.date(2019, 12, 31))
    ]
    assert "2019年已结账" in response.content.decode()


def test_a_month_out_of_range_is_refused_before_the_confirmation(client, tree, people):
    client.force_login(people["leader"])
    response = client.post(
        reverse("periods"), {"chapter": tree.naiman.pk, "kind": "half", "year": 2019, "part": 3}, follow=True
    )
    assert "半年应为1（上半年）或2（下半年）" in response.content.decode()
    assert not ClosedPeriod.objects.exists()

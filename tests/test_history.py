"""History of the books: every change with who, when, from where, before and after; shown on the
record's page, listed and exported for auditors; never changed or deleted. On PostgreSQL a trigger
records it, so a bulk update or raw SQL is recorded too; on SQLite the app records its own saves."""

import io
from decimal import Decimal

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from openpyxl import load_workbook

from aid.models import Disbursement
from redcross.choices import Role
from redcross.history import history_context
from redcross.models import Change

from .factories import BeneficiaryFactory, DisbursementFactory, valid_id_number
from .test_concurrent_edits import form_data


@pytest.fixture
def payment(tree):
    person = BeneficiaryFactory(chapter=tree.naiman, name="王五", id_number=valid_id_number(serial=456))
    return DisbursementFactory(chapter=tree.naiman, beneficiary=person, cash_amount=Decimal("1000.00"))


def test_a_correction_through_the_page_is_recorded_with_who_where_and_the_values(
    client, tree, member, payment
):
    staff = member(Role.STAFF, tree.naiman, "zhang")
    client.force_login(staff)
    url = reverse("aid:disbursement-update", args=[payment.pk])
    assert client.post(url, {**form_data(client, url), "cash_amount": "1200.00"}).status_code == 302
    change = Change.objects.filter(table="aid_disbursement", record_id=payment.pk, action="update").get()
    assert (change.user_id, change.source, change.chapter_id) == (staff.pk, f"POST {url}", tree.naiman.pk)
    assert Decimal(str(change.before["cash_amount"])) == Decimal("1000.00")
    assert Decimal(str(change.after["cash_amount"])) == Decimal("1200.00")

    page = client.get(reverse("aid:disbursement-detail", args=[payment.pk])).content.decode()
    history = page[page.index('id="history"') :]
    assert "修改记录" in page and "zhang" in history and f"POST {url}" in history
    assert "<td>现金金额</td><td>1000.00</td><td>1200.00</td>" in history


def test_auditors_list_and_export_the_changes_of_a_period(client, tree, member, payment):
    with history_context(member(Role.STAFF, tree.naiman, "zhang"), "POST /aid/x/edit/"):
        payment.remarks = "入户核实"
        payment.save()
    auditor = member(Role.AUDITOR, tree.naiman, "audit")
    client.force_login(auditor)
    page = client.get(reverse("change-list"), {"table": "aid_disbursement", "action": "update"})
    [change] = page.context["object_list"]
    assert change.who == "zhang" and ("备注", "", "入户核实") in change.fields
    assert page.context["totals"] == {"count": 1}
    other = client.get(reverse("change-list"), {"date_after": "2000-01-01", "date_before": "2000-12-31"})
    assert other.context["totals"] == {"count": 0}
    # The ID number is masked for an auditor, in the list and the export.
    inserted = client.get(reverse("change-list"), {"table": "aid_beneficiary"}).content.decode()
    assert "150525********" in inserted and valid_id_number(serial=456) not in inserted

    response = client.post(
        reverse("export-create", args=["changes"]), {"table": "aid_disbursement", "action": "update"}
    )
    rows = list(
        load_workbook(io.BytesIO(b"".join(response.streaming_content)))
        .worksheets[0]
        .iter_rows(values_only=True)
    )
    header = rows.index(("时间", "红十字会", "记录类型", "记录编号", "操作", "操作人", "来源", "修改内容"))
    [row] = rows[header + 1 : -1]
    assert row[1:7] == ("奈曼旗红十字会", "救助发放", payment.pk, "修改", "zhang", "POST /aid/x/edit/")
    assert row[7] == "备注： → 入户核实"


def test_another_branch_reads_none_of_the_history(client, tree, member, payment):
    client.force_login(member(Role.AUDITOR, tree.hanyin))
    assert client.get(reverse("change-list")).context["totals"] == {"count": 0}


def test_history_cannot_be_changed_or_deleted_through_the_app(payment):
    change = Change.objects.filter(table="aid_disbursement").first()
    change.source = "tampered"
    with pytest.raises(ValueError, match="never changed"):
        change.save()
    with pytest.raises(ValueError, match="never deleted"):
        change.delete()
    from django.contrib import admin

    assert not admin.site.is_registered(Change)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="database triggers: CI runs it on PostgreSQL")
def test_bulk_updates_and_raw_sql_are_recorded_and_history_refuses_update_and_delete(payment, tree):
    Disbursement.objects.filter(pk=payment.pk).update(remarks="批量")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE aid_disbursement SET cash_amount = 999.50 WHERE id = %s", [payment.pk])
    bulk, raw = Change.objects.filter(
        table="aid_disbursement", record_id=payment.pk, action="update"
    ).order_by("id")
    assert (bulk.before["remarks"], bulk.after["remarks"]) == ("", "批量")
    assert (raw.after["cash_amount"], raw.user_id, raw.source) == (Decimal("999.50"), None, "")
    for statement in ("UPDATE redcross_change SET source = 'x'", "DELETE FROM redcross_change"):
        with pytest.raises(DatabaseError, match="history is never changed or deleted"):
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(statement)
    assert Change.objects.filter(source="x").count() == 0


def test_a_deleted_record_leaves_its_last_values(tree):
    from aid.models import Beneficiary

    person = Beneficiary.objects.create(chapter=tree.naiman, name="张三", township="大沁他拉镇")
    pk = person.pk
    person.delete()  # a person nothing refers to (accounting records are never deleted)
    change = Change.objects.get(table="aid_beneficiary", record_id=pk, action="delete")
    assert change.before["township"] == "大沁他拉镇" and change.after is None

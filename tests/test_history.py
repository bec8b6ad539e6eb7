"""History of the books: every change with who, when, from where, before and after; shown on the
record's page, listed and exported for auditors; never changed or deleted. On PostgreSQL a trigger
records it, so a bulk update or raw SQL is recorded too; on SQLite the app records its own saves."""

import datetime
import io
import re
from decimal import Decimal
from html.parser import HTMLParser
from types import SimpleNamespace

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from openpyxl import load_workbook

from aid.models import Disbursement
from redcross.choices import Role
from redcross.history import history_context
from redcross.models import Change, ImportBatch

from .aid.test_views import form_data as payment_form
from .factories import BeneficiaryFactory, DisbursementFactory, DonationFactory, FundFactory, valid_id_number
from .test_concurrent_edits import form_data
from .test_imports import PAYMENT, workbook


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
    assert "修改记录" in page and "zhang" in history and "更正" in history
    assert f'title="原始来源：POST {url}"' in history  # the stored source, kept for auditors
    assert '<td>现金金额</td><td title="原始值：1000.00 → 1200.00">1,000.00 元</td>' in history


def test_auditors_list_and_export_the_changes_of_a_period(client, tree, member, payment):
    with history_context(member(Role.STAFF, tree.naiman, "zhang"), "POST /aid/x/edit/"):
        payment.remarks = "入户核实"
        payment.save()
    auditor = member(Role.AUDITOR, tree.naiman, "audit")
    client.force_login(auditor)
    page = client.get(reverse("change-list"), {"table": "aid_disbursement", "action": "update"})
    [change] = page.context["object_list"]
    assert change.who == "zhang" and ("备注", "", "入户核实") in change.fields
    assert page.context["totals"] == {"count": 1, "more": False}
    other = client.get(reverse("change-list"), {"date_after": "2000-01-01", "date_before": "2000-12-31"})
    assert other.context["totals"] == {"count": 0, "more": False}
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
    columns = ("时间", "红十字会", "记录类型", "记录编号", "记录", "操作", "操作人", "来源", "修改内容")
    header = rows.index((*columns, "原始来源", "原始值"))
    [row] = rows[header + 1 : -1]
    assert row[1:8] == ("奈曼旗红十字会", "救助发放", payment.pk, str(payment), "修改", "zhang", "页面修改")
    assert row[8:] == ("备注： → 入户核实", "POST /aid/x/edit/", None)


def test_another_branch_reads_none_of_the_history(client, tree, member, payment):
    client.force_login(member(Role.AUDITOR, tree.hanyin))
    assert client.get(reverse("change-list")).context["totals"] == {"count": 0, "more": False}


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
    # Raw SQL through the app's own connection, outside a request: the app's (系统), no one's.
    assert (raw.after["cash_amount"], raw.user_id, raw.source) == (Decimal("999.50"), None, "system")
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


# --- history people can read (issue 17) -------------------------------------------------------


class _Table(HTMLParser):
    """The table rows inside the element of id (or tag) ``container_id``: each cell's text, with
    its title attribute and the links inside it."""

    def __init__(self, container_id):
        super().__init__()
        self.container_id, self.depth, self.rows = container_id, None, []
        self.cell = None
        self.level = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.level += 1
        if self.depth is None and self.container_id in (attrs.get("id"), tag):
            self.depth = self.level
        if self.depth is None:
            return
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self.cell = {"text": "", "title": attrs.get("title", ""), "links": []}
            self.rows[-1].append(self.cell)
        elif tag == "a" and self.cell is not None:
            self.cell["links"].append(attrs.get("href"))

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.cell is not None:
            self.cell["text"] = " ".join(self.cell["text"].split())
            self.cell = None
        if self.depth is not None and self.level == self.depth:
            self.depth = -1  # the container is closed: read no further
        self.level -= 1

    def handle_data(self, data):
        if self.cell is not None and self.depth not in (None, -1):
            self.cell["text"] += data


def table_rows(html, container_id):
    parser = _Table(container_id)
    parser.feed(html)
    return [row for row in parser.rows if row and not any(c["text"] == "时间" for c in row)]


def texts(row):
    return [cell["text"] for cell in row]


def history_list(client, **params):
    """The rows of /history/ as the page shows them."""
    return table_rows(client.get(reverse("change-list"), params).content.decode(), "main")


def local(instant):
    """An instant as the pages write it: Beijing time, to the minute."""
    return (instant.astimezone(datetime.UTC) + datetime.timedelta(hours=8)).strftime("%Y-%m-%d %H:%M")


@pytest.fixture
def named_people(tree, member):
    staff = member(Role.STAFF, tree.naiman, "zhang")
    leader = member(Role.LEADER, tree.naiman, "li")
    staff.first_name, leader.first_name = "张伟", "李娜"
    staff.save(), leader.save()
    return SimpleNamespace(staff=staff, leader=leader, auditor=member(Role.AUDITOR, tree.naiman, "audit"))


def test_a_payment_s_history_says_in_words_who_did_what_from_where_and_when(
    client, tree, named_people, category
):
    """Entered through the form above the threshold, approved, corrected, voided: each change
    says so, with names for ids, labels for codes, money as money, instants in Beijing time."""
    tree.naiman.approval_threshold = Decimal("5000")
    tree.naiman.save()
    fund = FundFactory(chapter=tree.naiman, name="大病救助基金")
    DonationFactory(chapter=tree.naiman, fund=fund, amount=Decimal("20000"), date=datetime.date(2020, 1, 2))
    client.force_login(named_people.staff)
    data = payment_form(category, cash_amount="6000.00", fund=fund.pk)
    assert client.post(reverse("aid:disbursement-create"), data).status_code == 302
    payment = Disbursement.all_objects.get(beneficiary__name="李桂兰")
    client.force_login(named_people.leader)
    approve = {"decision": "approve", "opinion": "", "confirmed": "1"}
    assert client.post(reverse("aid:disbursement-approve", args=[payment.pk]), approve).status_code == 302
    client.force_login(named_people.staff)
    edit = reverse("aid:disbursement-update", args=[payment.pk])
    assert client.post(edit, {**form_data(client, edit), "cash_amount": "4000.00"}).status_code == 302
    void = reverse("aid:disbursement-void", args=[payment.pk])
    assert client.post(void, {"reason": "重复登记"}).status_code == 302
    payment = Disbursement.all_objects.get(pk=payment.pk)

    client.force_login(named_people.auditor)
    page = client.get(payment.get_absolute_url()).content.decode()
    rows = table_rows(page, "history")
    changes = Change.objects.filter(table="aid_disbursement", record_id=payment.pk).order_by("at", "id")
    entered, approved, corrected, voided = changes
    # Each change opens with when (Beijing time), what, who and from where, in words.
    heads = [texts(r)[:4] for r in rows if len(r) == 7]
    assert heads == [
        [local(entered.at), "新增", "张伟（zhang）", "页面录入"],
        [local(approved.at), "修改", "李娜（li）", "审批"],
        [local(corrected.at), "修改", "张伟（zhang）", "更正"],
        [local(voided.at), "修改", "张伟（zhang）", "作废"],
    ]
    # The stored source stays at hand for an auditor.
    assert rows[0][3]["title"] == "原始来源：POST /aid/new/"
    fields = [texts(r)[-3:] for r in rows]
    assert ["救助类别", "", "重特大疾病救助"] in fields
    assert ["受助人", "", "李桂兰"] in fields
    assert ["资金来源", "", "大病救助基金"] in fields
    assert ["现金金额", "", "6,000.00 元"] in fields
    assert ["待审批", "是", "否"] in fields
    assert ["审批人", "", "李娜（li）"] in fields
    assert ["审批时间", "", local(payment.approved_at)] in fields
    assert ["现金金额", "6,000.00 元", "4,000.00 元"] in fields
    assert ["作废人", "", "张伟（zhang）"] in fields
    assert ["作废时间", "", local(payment.voided_at)] in fields
    assert ["作废原因", "", "重复登记"] in fields
    # No id, code or UTC instant where a name, label or local time belongs.
    shown = " ".join(cell["text"] for row in rows for cell in row)
    assert not re.search(r"\d{2}T\d{2}:|Z\b|POST|cash|in_kind", shown)
    titled = next(r for r in rows if texts(r)[-3:] == ["受助人", "", "李桂兰"])
    assert titled[-1]["title"] == f"原始值：— → {payment.beneficiary_id}"


def test_an_imported_payment_says_which_batch_brought_it_and_that_the_batch_was_undone(
    client, tree, named_people
):
    client.force_login(named_people.staff)
    handle = workbook({"救助发放": [{**PAYMENT, "受助人姓名": "赵六"}]})
    client.post(reverse("import-upload"), {"chapter": tree.naiman.pk, "file": handle})
    batch = ImportBatch.objects.get()
    client.post(reverse("import-confirm", args=[batch.pk]))
    client.post(reverse("import-undo", args=[batch.pk]), {"confirm": "1"})
    payment = Disbursement.all_objects.get(beneficiary__name="赵六")

    client.force_login(named_people.auditor)
    rows = table_rows(client.get(payment.get_absolute_url()).content.decode(), "history")
    heads = [r[:4] for r in rows if len(r) == 7]
    assert [texts(h)[1:] for h in heads] == [
        ["新增", "张伟（zhang）", f"导入第{batch.pk}批"],
        ["修改", "张伟（zhang）", f"撤销导入第{batch.pk}批"],
    ]
    assert [h[3]["links"] for h in heads] == [[f"/imports/{batch.pk}/"]] * 2
    assert heads[0][3]["title"] == f"原始来源：import {batch.pk} · POST /imports/{batch.pk}/confirm/"
    assert ["作废原因", "", f"撤销导入第{batch.pk}批"] in [texts(r)[-3:] for r in rows]

    # The list of every change names the record and the person, not their ids.
    listing = history_list(client, table="aid_disbursement")
    [undone, imported] = [r for r in listing if len(r) == 7]
    assert texts(imported)[2] == f"救助发放 {payment}（编号{payment.pk}）"
    assert imported[2]["links"] == [payment.get_absolute_url()]
    assert texts(undone)[5] == f"撤销导入第{batch.pk}批"
    assert "受助人：赵六" in texts(imported)[6] and "作废原因：— → 撤销导入" in texts(undone)[6]


def test_a_deleted_person_is_named_as_deleted_and_changes_outside_the_app_say_so(client, tree, named_people):
    from aid.models import Beneficiary

    person = Beneficiary.objects.create(chapter=tree.naiman, name="张三", township="大沁他拉镇")
    pk = person.pk
    with history_context(named_people.staff, "POST /aid/x/"):
        person.delete()
    # A change no one made through the app (raw SQL in a database console, as PostgreSQL's
    # trigger records it): no person, no source.
    Change.objects.create(
        table="aid_beneficiary", record_id=pk, chapter_id=tree.naiman.pk, action="update",
        before={"name": "张三"}, after={"name": "张三丰"},
    )  # fmt: skip
    client.force_login(named_people.auditor)
    listing = history_list(client, table="aid_beneficiary")
    outside, deleted, made = (texts(r) for r in listing)
    assert made[2] == deleted[2] == f"受助人 已删除（编号{pk}）"
    assert made[4:6] == ["无操作人", "系统"]  # made by the test itself: the app, with no request
    assert deleted[3:6] == ["删除", "张伟（zhang）", "页面修改"]
    assert outside[4:6] == ["无操作人", "系统外直接修改数据库（无操作人）"]


def test_the_history_page_costs_the_same_queries_however_many_changes_and_names(
    client, tree, named_people, django_assert_num_queries
):
    client.force_login(named_people.auditor)

    def load(payments):
        for _ in range(payments):
            person = BeneficiaryFactory(chapter=tree.naiman)
            with history_context(named_people.staff, "POST /aid/new/"):
                DisbursementFactory(
                    chapter=tree.naiman, beneficiary=person, fund=FundFactory(chapter=tree.naiman)
                )
        # session, user, memberships, count (totals; the pages are sought, not counted), the
        # page's changes, then
        # one query per kind of record named — payments, categories, people, funds, users —
        # and the chapters (the table's names, the filter's choices)
        with django_assert_num_queries(12):
            return client.get(reverse("change-list"))

    assert "救助发放" in load(1).content.decode()
    assert load(15).context["totals"]["count"] > 30


def test_the_history_counts_up_to_its_cap_and_then_says_more(client, tree, named_people, monkeypatch):
    # A province's log holds tens of millions of changes: the totals line counts up to a cap.
    from redcross.views import history

    client.force_login(named_people.auditor)
    for _ in range(3):
        DisbursementFactory(chapter=tree.naiman)
    exact = Change.objects.filter(chapter_id=tree.naiman.pk).count()
    html = client.get(reverse("change-list")).content.decode()
    assert re.search(r'修改 <strong data-figure="count">(\d+)</strong>', html).group(1) == str(exact)
    assert "请缩小期间" not in html
    monkeypatch.setattr(history, "COUNT_CAP", exact - 1)
    html = client.get(reverse("change-list")).content.decode()
    assert f'修改 超过 <strong data-figure="count">{exact - 1}</strong> 次' in html
    assert "请缩小期间或条件以查看确切次数" in html

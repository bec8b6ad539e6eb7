"""Deciding and approving (issue 17): the approval page shows the facts and keeps the opinion;
a leader approves or turns down (驳回) from the list of what waits, after a confirm step; lists
show what waits on a line of its own; the one who entered a payment is told it was sent for
approval and to whom; staff start from their own page; what would be refused is not offered."""

import datetime
import re
from decimal import Decimal

import pytest
from django.contrib.messages import constants
from django.core.exceptions import ValidationError
from django.urls import reverse

from aid.models import AidCategory, Disbursement
from aid.services import disbursement_record
from donations.selectors import fund_balance
from projects.services import expenditure_record
from redcross.choices import PeriodKind, Role
from redcross.corrections import record_approve, record_turn_down
from redcross.models import Change
from redcross.services import period_close

from .factories import DonationFactory, FundFactory, ProjectFactory, valid_id_number

D = datetime.date
DAY = D(2020, 6, 10)


@pytest.fixture
def people(tree, member):
    users = {
        "staff": member(Role.STAFF, tree.naiman, "a-staff"),
        "leader": member(Role.LEADER, tree.naiman, "a-leader"),
        "admin": member(Role.ADMIN, tree.naiman, "a-admin"),
        "auditor": member(Role.AUDITOR, tree.naiman, "a-auditor"),
    }
    users["staff"].first_name, users["leader"].first_name = "录入员小王", "李副会长"
    for user in users.values():
        user.save()
    return users


@pytest.fixture
def fund(tree):
    fund = FundFactory(chapter=tree.naiman, name="大病救助基金")
    DonationFactory(chapter=tree.naiman, fund=fund, amount=Decimal("98000"), date=D(2020, 1, 2))
    # Goods in kind are paid only out of goods (issue 20): the fund holds some.
    DonationFactory(
        chapter=tree.naiman, fund=fund, amount=Decimal("2000"), date=D(2020, 1, 2), kind="in_kind",
        goods="药品", valuation_basis="invoice",
    )  # fmt: skip
    return fund


@pytest.fixture
def waiting(tree, people, fund):
    """A 30,000 yuan payment above the chapter's 5,000 threshold, waiting for a leader."""
    tree.naiman.approval_threshold = Decimal("5000")
    tree.naiman.save()
    return disbursement_record(
        chapter=tree.naiman, user=people["staff"], date=DAY,
        category=AidCategory.objects.get(name="重特大疾病救助"), cash_amount=Decimal("28000"),
        in_kind_amount=Decimal("2000"), beneficiary_name="王秀兰", id_number=valid_id_number(serial=530),
        township="八仙筒镇", fund=fund, remarks="县医院住院，自付部分",
    )  # fmt: skip


def text(response):
    """The page's text without tags, spaces collapsed: what the person reads (no space beside
    Chinese punctuation, where a tag's edge leaves one)."""
    plain = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))
    return re.sub(r" ?([（），：；。、]) ?", r"\1", plain)


def test_the_approval_page_shows_the_facts_the_leader_decides_on(client, people, waiting):
    client.force_login(people["leader"])
    page = text(client.get(reverse("aid:disbursement-approve", args=[waiting.pk])))
    assert "金额 30,000.00 元（现金 28,000.00，物资折价 2,000.00）" in page
    assert "救助类别 重特大疾病救助" in page
    # The leader is no staff: the ID number is masked as everywhere.
    assert "王秀兰 150525********" in page and valid_id_number(serial=530) not in page
    assert "（八仙筒镇）" in page
    assert "大病救助基金：现有余额 100,000.00 元，同意后余额 70,000.00 元" in page
    assert re.search(r"登记 录入员小王 · \d{4}-\d\d-\d\d \d\d:\d\d", page)
    assert "备注 县医院住院，自付部分" in page
    assert "审批意见" in page and "同意" in page and "驳回" in page


def test_approving_keeps_the_opinion_on_the_record_and_in_its_history(client, people, waiting, fund):
    client.force_login(people["leader"])
    url = reverse("aid:disbursement-approve", args=[waiting.pk])
    response = client.post(
        url, {"decision": "approve", "opinion": "情况属实，同意", "confirmed": "1"}, follow=True
    )
    assert f"已同意：救助发放 #{waiting.pk}，30,000.00 元，开始计入合计和基金余额" in text(response)
    payment = Disbursement.objects.get(pk=waiting.pk)
    assert (payment.approval_opinion, payment.approved_by) == ("情况属实，同意", people["leader"])
    assert fund_balance(fund) == Decimal("70000.00")
    page = text(client.get(payment.get_absolute_url()))
    assert "审批通过。审批意见：情况属实，同意" in page
    change = Change.objects.filter(table="aid_disbursement", record_id=payment.pk).order_by("at", "id").last()
    assert change.after["approval_opinion"] == "情况属实，同意" and change.before["approval_opinion"] == ""


def test_turning_down_needs_an_opinion_and_the_record_counts_in_nothing(client, people, waiting, fund):
    client.force_login(people["leader"])
    url = reverse("aid:disbursement-approve", args=[waiting.pk])
    refused = client.post(url, {"decision": "turn_down", "opinion": "  ", "confirmed": "1"})
    assert "驳回须填写审批意见，说明理由" in text(refused)
    assert Disbursement.all_objects.get(pk=waiting.pk).is_pending
    client.post(url, {"decision": "turn_down", "opinion": "缺少医院诊断证明", "confirmed": "1"})
    payment = Disbursement.all_objects.get(pk=waiting.pk)
    assert payment.is_turned_down and payment.void_reason == "缺少医院诊断证明"
    assert payment.status_label == "已驳回"
    assert not Disbursement.objects.filter(pk=waiting.pk).exists()
    assert fund_balance(fund) == Decimal("100000.00")
    page = text(client.get(payment.get_absolute_url()))
    assert "状态：已驳回" in page and "驳回，审批意见：缺少医院诊断证明" in page
    # The one who entered it reads why on their start page.
    client.force_login(people["staff"])
    start = client.get("/")
    assert start.templates[0].name == "start.html"
    turned_down = text(start).split("被驳回的记录")[1].split("等待审批")[0]
    assert f"救助发放 #{payment.pk}" in turned_down and "缺少医院诊断证明" in turned_down
    assert "30,000.00" in turned_down and "李副会长" in turned_down


def test_a_decision_from_the_list_is_confirmed_first_then_returns_to_the_list(client, people, waiting):
    client.force_login(people["leader"])
    listing = text(client.get(reverse("approvals")))
    assert "待审批 1 笔 30,000.00 元，不计入合计" in listing
    assert "大病救助基金：现有余额 100,000.00 元，同意后余额 70,000.00 元" in listing
    url = reverse("aid:disbursement-approve", args=[waiting.pk])
    # From the list (no ``confirmed``): the confirm step, with the facts; nothing changes yet.
    confirm = client.post(url, {"decision": "approve", "opinion": "同意", "next": "/approvals/"})
    assert confirm.status_code == 200
    assert "请核对以下内容，再点“确认同意”。" in text(confirm) and "确认同意" in text(confirm)
    assert Disbursement.all_objects.get(pk=waiting.pk).is_pending
    done = client.post(
        url, {"decision": "approve", "opinion": "同意", "next": "/approvals/", "confirmed": "1"}
    )
    assert done["Location"] == "/approvals/"
    assert Disbursement.objects.get(pk=waiting.pk).approval_opinion == "同意"
    assert "没有待审批的记录" in text(client.get(reverse("approvals")))
    # Elsewhere than this site is not where it goes back to.
    assert client.get(url + "?next=https://evil.example/").context["next"] == waiting.get_absolute_url()


def test_the_waiting_list_offers_no_buttons_to_whom_may_not_decide(client, people, waiting):
    client.force_login(people["staff"])
    page = client.get(reverse("approvals")).content.decode()
    assert "30,000.00" in page and 'value="approve"' not in page
    assert "您录入或更正了这笔记录，须由本会其他领导审批。" in page


def test_the_waiting_list_costs_the_same_queries_however_many_wait(
    client, people, waiting, fund, django_assert_max_num_queries
):
    client.force_login(people["leader"])
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("approvals"))
    for i in range(15):
        disbursement_record(
            chapter=waiting.chapter, user=people["staff"], date=DAY, category=waiting.category,
            cash_amount=Decimal("6000"), beneficiary_name=f"受助人{i}", fund=fund,
        )  # fmt: skip
    project = ProjectFactory(chapter=waiting.chapter, budget=Decimal("100000"))
    expenditure_record(
        chapter=waiting.chapter, user=people["staff"], date=DAY, project=project, amount=Decimal("9000")
    )
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = text(client.get(reverse("approvals")))
    assert "待审批 17 笔 129,000.00 元，不计入合计" in page


def test_a_list_shows_what_waits_on_a_line_of_its_own_and_not_struck_through(client, people, waiting):
    client.force_login(people["leader"])
    response = client.get(reverse("aid:disbursement-list"), {"status": "pending"})
    page = text(response)
    assert "待审批 1 笔 30,000.00 元，不计入合计" in page
    assert "笔数 0" not in page  # no line of standing totals beside a waiting row
    html = response.content.decode()
    assert '<tr class="pending">' in html and "not-standing" not in html
    # Unfiltered, the standing totals and the waiting line stand side by side.
    everything = text(client.get(reverse("aid:disbursement-list")))
    assert "发放金额 0.00 元" in everything and "待审批 1 笔 30,000.00 元，不计入合计" in everything
    # Expenditures wait the same way.
    project = ProjectFactory(chapter=waiting.chapter, budget=Decimal("100000"))
    expenditure_record(
        chapter=waiting.chapter, user=people["staff"], date=DAY, project=project, amount=Decimal("8000")
    )
    assert "待审批 1 笔 8,000.00 元，不计入合计" in text(client.get(reverse("projects:expenditure-list")))


def test_a_payment_above_the_threshold_is_said_to_be_sent_for_approval_to_whom(client, tree, people, fund):
    tree.naiman.approval_threshold = Decimal("5000")
    tree.naiman.save()
    client.force_login(people["staff"])
    form = {
        "date": "2020-06-10", "category": AidCategory.objects.get(name="重特大疾病救助").pk,
        "recipient": "person", "beneficiary_name": "王秀兰", "cash_amount": "30000", "in_kind_amount": "0",
        "head_count": "1", "fund": fund.pk,
    }  # fmt: skip
    response = client.post(reverse("aid:disbursement-create"), form, follow=True)
    [message] = list(response.context["messages"])
    assert message.level == constants.INFO
    assert str(message) == (
        "已提交审批，等待奈曼旗红十字会领导审批（可审批人：a-admin、李副会长）；审批前不计入任何合计和基金余额"
    )
    assert "救助发放已登记" not in text(response)
    response = client.post(reverse("aid:disbursement-create"), {**form, "cash_amount": "3000"}, follow=True)
    [message] = list(response.context["messages"])
    assert (message.level, str(message)) == (constants.SUCCESS, "救助发放已登记")


def test_staff_start_from_their_own_page_and_leaders_from_the_figures(client, people, waiting):
    client.force_login(people["staff"])
    start = client.get("/")
    page = text(start)
    assert "录入员小王的工作 · 奈曼旗红十字会" in page
    for label, route in (
        ("登记救助发放", "aid:disbursement-create"),
        ("登记捐赠", "donations:donation-create"),
    ):
        assert f'href="{reverse(route)}">{label}</a>' in start.content.decode()
    waiting_part = page.split("等待审批（1 笔）")[1].split("我最近登记的记录")[0]
    assert f"救助发放 #{waiting.pk}" in waiting_part and "30,000.00" in waiting_part
    assert f"救助发放 #{waiting.pk}" in page.split("我最近登记的记录")[1]
    # The figures are one link away, and asking for a year gives them.
    assert client.get(reverse("dashboard")).templates[0].name == "home.html"
    assert client.get("/", {"year": 2020}).templates[0].name == "home.html"
    # A leader starts from the figures, with what waits one link away.
    client.force_login(people["leader"])
    home = client.get("/")
    assert home.templates[0].name == "home.html"
    assert f'<a href="{reverse("approvals")}" id="waiting-link">待审批 1 笔</a>' in home.content.decode()


def test_what_would_be_refused_is_not_offered(client, tree, people, fund):
    payment = disbursement_record(
        chapter=tree.naiman, user=people["staff"], date=DAY,
        category=AidCategory.objects.get(name="救灾救助"), cash_amount=Decimal("500"),
        beneficiary_name="蒋桂涛",
    )  # fmt: skip
    client.force_login(people["staff"])
    page = client.get(payment.get_absolute_url()).content.decode()
    assert reverse("aid:disbursement-update", args=[payment.pk]) in page and "所属期间已结账" not in page
    period_close(chapter=tree.naiman, user=people["leader"], kind=PeriodKind.YEAR, year=2020)
    page = client.get(payment.get_absolute_url()).content.decode()
    assert reverse("aid:disbursement-update", args=[payment.pk]) not in page
    assert reverse("aid:disbursement-void", args=[payment.pk]) not in page
    assert "所属期间已结账" in page
    # Reached by its address, the form says so at once rather than on saving.
    refused = client.get(reverse("aid:disbursement-update", args=[payment.pk]))
    assert refused.status_code == 403 and "2020年已结账" in refused.content.decode()
    # The menu offers 导入 to who imports and 结账 to who closes or reopens periods.
    menus = {}
    for role in ("staff", "leader", "auditor", "admin"):
        client.force_login(people[role])
        nav = (
            client.get(reverse("aid:disbursement-list"))
            .content.decode()
            .split('<nav class="menu" id="site-menu">')[1]
        )
        nav = nav.split("</nav>")[0]
        menus[role] = ("导入" in nav, "结账" in nav, "待审批" in nav)
    assert menus == {
        "staff": (True, False, False),
        "leader": (False, True, True),
        "auditor": (False, False, False),
        "admin": (True, True, True),
    }


def test_the_services_refuse_a_turn_down_without_reason_and_a_second_decision(people, waiting):
    with pytest.raises(ValidationError, match="驳回须填写审批意见"):
        record_turn_down(waiting, user=people["admin"], opinion=" ")
    record_turn_down(waiting, user=people["admin"], opinion="重复登记")
    with pytest.raises(ValidationError, match="该记录不是待审批状态"):
        record_approve(waiting, user=people["leader"])
    with pytest.raises(ValidationError, match="审批意见最多200字"):
        record_approve(waiting, user=people["leader"], opinion="意" * 201)

"""The donation, fund, drive and project pages: who may write, and what the pages show."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from donations.models import Donation, Fund, Receipt
from projects.models import Expenditure
from redcross.choices import Role

from ..factories import DonationFactory, DonorFactory, DriveFactory, FundFactory, ProjectFactory


def figure(html, name):
    return re.search(rf'data-figure="{name}"[^>]*>([^<]*)<', html).group(1)


@pytest.mark.parametrize(
    ("role", "chapter", "status"),
    [
        (Role.STAFF, "naiman", 302),
        (Role.ADMIN, "naiman", 302),
        (Role.LEADER, "naiman", 403),
        (Role.AUDITOR, "naiman", 403),
        (Role.STAFF, "tongliao", 200),
    ],  # the city's staff record for the city: the county's fund is not offered
)
def test_only_staff_and_administrators_record_donations(client, member, tree, role, chapter, status):
    fund = FundFactory(chapter=tree.naiman, name="博爱一日捐")
    user = member(role, getattr(tree, chapter))
    client.force_login(user)
    data = {
        "date": "2020-05-08",
        "donor_name": "爱心企业",
        "donor_kind": "organisation",
        "fund": fund.pk,
        "kind": "cash",
        "amount": "5000",
        "receipt_number": "NM2020-0009",
    }
    response = client.post(reverse("donations:donation-create"), data)
    assert response.status_code == status
    assert Donation.objects.count() == (1 if status == 302 else 0)
    if status == 302:
        donation = Donation.objects.get()
        assert (donation.donor.name, donation.amount, donation.receipts.get().number) == (
            "爱心企业",
            Decimal("5000.00"),
            "NM2020-0009",
        )


@pytest.mark.parametrize(("role", "status"), [(Role.ADMIN, 302), (Role.STAFF, 403), (Role.LEADER, 403)])
def test_only_administrators_create_funds(client, member, tree, role, status):
    client.force_login(member(role, tree.naiman))
    response = client.post(reverse("donations:fund-create"), {"name": "新基金"})
    assert response.status_code == status
    assert Fund.objects.filter(name="新基金").exists() == (status == 302)


def test_in_kind_form_errors_name_their_fields(client, staff, tree):
    FundFactory(chapter=tree.naiman)
    client.force_login(staff)
    html = client.post(
        reverse("donations:donation-create"),
        {
            "date": "2020-05-08",
            "donor_name": "某企业",
            "donor_kind": "organisation",
            "kind": "in_kind",
            "amount": "0",
        },
    ).content.decode()

    def block(name):
        return re.search(rf'id="field-{name}">(.*?)</div>', html, re.S).group(1)

    assert "物资捐赠必须填写物资名称" in block("goods")
    assert "物资捐赠必须填写折价依据" in block("valuation_basis")
    assert "金额必须大于零" in block("amount")
    assert "请选择入账基金或募捐活动" in block("fund")


def test_voiding_a_receipt_on_the_page_keeps_it_visible(client, staff, tree):
    fund = FundFactory(chapter=tree.naiman)
    from donations.services import donation_record

    gift = donation_record(
        chapter=tree.naiman,
        user=staff,
        date="2020-05-08",
        donor=DonorFactory(chapter=tree.naiman),
        fund=fund,
        amount=Decimal("100"),
        receipt_number="NM2020-0001",
    )
    client.force_login(staff)
    receipt = gift.receipts.get()
    response = client.post(
        reverse("donations:receipt-void", args=[receipt.pk]),
        {"reason": "金额开错", "new_number": "NM2020-0002", "new_issued_on": "2020-05-10"},
        follow=True,
    )
    html = response.content.decode()
    assert "票据已作废" in html
    assert re.search(r'data-receipt="NM2020-0001".*?已作废.*?金额开错', html, re.S)
    assert re.search(r'data-receipt="NM2020-0002".*?有效', html, re.S)
    assert Receipt.objects.count() == 2


def test_the_fund_page_shows_its_ledger_with_running_balance(client, member, tree, category):
    fund = FundFactory(chapter=tree.naiman, name="博爱一日捐")
    DonationFactory(fund=fund, amount=Decimal("1887000.00"))
    from aid.services import disbursement_record

    disbursement_record(
        chapter=tree.naiman,
        user=None,
        date="2020-12-10",
        category=category["博爱送万家"],
        township="新镇",
        head_count=900,
        cash_amount=Decimal("44000"),
        fund=fund,
    )
    client.force_login(member(Role.AUDITOR, tree.naiman))
    html = client.get(reverse("donations:fund-detail", args=[fund.pk])).content.decode()
    assert figure(html, "balance") == "1,843,000.00"
    balances = re.findall(r"data-balance>([^<]*)<", html)
    assert balances == ["1,887,000.00", "1,843,000.00"]


def test_the_drive_page_compares_with_last_year(client, staff, tree):
    fund = FundFactory(chapter=tree.naiman)
    last = DriveFactory(fund=fund, start_date="2019-05-01", end_date="2019-06-30")
    this = DriveFactory(fund=fund, goal=Decimal("1800000"))
    DonationFactory(fund=fund, drive=last, amount=Decimal("1625000"))
    DonationFactory(fund=fund, drive=this, amount=Decimal("1887000"))
    client.force_login(staff)
    html = client.get(reverse("donations:drive-detail", args=[this.pk])).content.decode()
    assert figure(html, "amount_report") == "188.7万元"
    assert figure(html, "percent_of_goal") == "105%"
    assert "2019年 162.5万元" in html and "创同期最高水平" in html


def test_the_project_page_flags_spending_over_budget(client, staff, tree):
    project = ProjectFactory(chapter=tree.naiman, budget=Decimal("80000"))
    client.force_login(staff)
    url = reverse("projects:expenditure-create")
    data = {"date": "2020-09-05", "project": project.pk, "category": "工程建设", "amount": "83500"}
    html = client.post(url, data).content.decode()
    assert "超过预算 80,000.00 元，请填写超预算原因" in re.search(
        r'id="field-over_budget_reason">(.*?)</div>', html, re.S
    ).group(1)
    client.post(url, {**data, "over_budget_reason": "灯杆基础加固"})
    assert Expenditure.objects.count() == 1
    html = client.get(project.get_absolute_url()).content.decode()
    assert 'id="over-budget"' in html
    assert figure(html, "remaining").startswith("-3,500.00 元")

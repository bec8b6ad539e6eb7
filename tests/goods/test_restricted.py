"""Goods of a restricted fund (限定用途) leaving other than as relief: to a receiving unit or a
chapter below only for the fund's purpose (its relief category named as the issue's purpose,
its project named as the issue's project; a project's goods are not allocated below), the
chapter below receiving them into a fund with the same restriction; a write-off whatever the
purpose. Enforced by the service: the form and the import get the same refusal, which names
the fund and its purpose, and changes nothing."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from donations.choices import DonationKind, ValuationBasis
from donations.services import donation_record
from goods.choices import IssueKind
from goods.models import Adjustment, Issue, IssueLine, Lot
from goods.services import issue_record
from redcross.choices import Role

from ..factories import DonorFactory, FundFactory, ProjectFactory

pytestmark = pytest.mark.django_db

DAY = datetime.date.today() - datetime.timedelta(days=2)
GOODS = (Lot, Issue, IssueLine, Adjustment)


def rows(*models):
    return [sorted(getattr(m, "all_objects", m.objects).values_list()) for m in models]


def goods_given(chapter, user, fund, goods="大米", quantity="100", amount="5000.00"):
    donation = donation_record(
        chapter=chapter, user=user, date=DAY, donor=DonorFactory(chapter=chapter, name="爱心粮油公司"),
        fund=fund, kind=DonationKind.IN_KIND, amount=Decimal(amount), goods=goods,
        quantity=Decimal(quantity), unit="袋", valuation_basis=ValuationBasis.INVOICE,
        goods_details={"counted_by_1": "张三", "counted_by_2": "李四"},
    )  # fmt: skip
    return Lot.objects.get(donation=donation)


@pytest.fixture
def comfort(tree, staff, category):
    """奈曼旗's 慰问物资 fund, restricted to 困难群众慰问, given 100 bags of rice (50 元 each)."""
    fund = FundFactory(chapter=tree.naiman, name="慰问物资", restricted_category=category["困难群众慰问"])
    return goods_given(tree.naiman, staff, fund)


@pytest.fixture
def building(tree, staff):
    """A fund restricted to the 博爱家园 project of 奈曼旗, given 100 bags of cement."""
    project = ProjectFactory(chapter=tree.naiman, name="青龙山镇博爱家园")
    fund = FundFactory(chapter=tree.naiman, name="博爱家园专项", restricted_project=project)
    return goods_given(tree.naiman, staff, fund, goods="水泥"), project


def to_unit(tree, staff, lot, **kwargs):
    return issue_record(chapter=tree.naiman, user=staff, date=DAY, kind=IssueKind.UNIT,
                        receiving_unit="奈曼旗敬老院", lines=[(lot, Decimal("10"))], **kwargs)  # fmt: skip


def test_goods_for_one_relief_category_go_to_a_unit_only_for_that_purpose(tree, staff, category, comfort):
    before = rows(*GOODS)
    for wrong in (None, category["助学"]):
        with pytest.raises(ValidationError) as refused:
            to_unit(tree, staff, comfort, category=wrong)
        assert refused.value.message_dict["category"] == [
            "基金“慰问物资”限定用于“困难群众慰问”：其物资发往接收单位或调拨下级时，用途须选“困难群众慰问”"
        ]
    assert rows(*GOODS) == before

    issue = to_unit(tree, staff, comfort, category=category["困难群众慰问"])

    assert (issue.kind, issue.category, issue.total_value) == (
        IssueKind.UNIT, category["困难群众慰问"], Decimal("500.00"),
    )  # fmt: skip


def test_relief_from_the_fund_is_checked_as_every_relief_payment(tree, staff, category, comfort):
    before = rows(*GOODS)
    with pytest.raises(ValidationError) as refused:
        issue_record(chapter=tree.naiman, user=staff, date=DAY, kind=IssueKind.RELIEF_GROUP, head_count=5,
                     category=category["助学"], lines=[(comfort, Decimal("5"))])  # fmt: skip
    assert "该基金限定用于“困难群众慰问”，不能用于其他用途" in str(refused.value)
    assert rows(*GOODS) == before


def test_a_write_off_of_restricted_goods_is_allowed_and_recorded(tree, staff, comfort):
    issue = issue_record(chapter=tree.naiman, user=staff, date=DAY, kind=IssueKind.WRITE_OFF,
                         reason="受潮霉变", lines=[(comfort, Decimal("3"))])  # fmt: skip

    assert (issue.pending, issue.reason, issue.category, issue.total_value) == (
        True, "受潮霉变", None, Decimal("150.00"),
    )  # fmt: skip
    assert IssueLine.all_objects.get(issue=issue).fund.name == "慰问物资"


def test_a_project_s_goods_go_to_a_unit_for_that_project_and_never_below(tree, staff, building, member):
    cement, project = building
    other = ProjectFactory(chapter=tree.naiman, name="另一个项目")
    before = rows(*GOODS)
    for wrong in (None, other):
        with pytest.raises(ValidationError) as refused:
            to_unit(tree, staff, cement, project=wrong)
        assert refused.value.message_dict["project"] == [
            "基金“博爱家园专项”限定用于项目“青龙山镇博爱家园”：其物资发往接收单位时须注明用于该项目"
        ]
    assert rows(*GOODS) == before

    issue = to_unit(tree, staff, cement, project=project)
    assert issue.project == project and issue.total_value == Decimal("500.00")


def test_a_project_s_goods_are_not_allocated_below(tree, member, category):
    city = member(Role.STAFF, tree.tongliao, "city-staff")
    project = ProjectFactory(chapter=tree.tongliao, name="市级备灾中心")
    cement = goods_given(tree.tongliao, city, FundFactory(chapter=tree.tongliao, restricted_project=project))
    FundFactory(chapter=tree.naiman, name="救灾物资")
    before = rows(*GOODS)

    with pytest.raises(ValidationError) as refused:
        issue_record(chapter=tree.tongliao, user=city, date=DAY, kind=IssueKind.ALLOCATION,
                     recipient_chapter=tree.naiman, lines=[(cement, Decimal("10"))])  # fmt: skip

    assert refused.value.message_dict["recipient_chapter"] == [
        f"基金“{cement.fund.name}”限定用于项目“市级备灾中心”，其物资不能调拨给下级红十字会"
    ]
    assert rows(*GOODS) == before


def test_an_allocation_below_keeps_the_donors_purpose(tree, member, category):
    city = member(Role.STAFF, tree.tongliao, "city-staff")
    comfort = category["困难群众慰问"]
    rice = goods_given(tree.tongliao, city, FundFactory(chapter=tree.tongliao, name="市慰问物资",
                                                        restricted_category=comfort))  # fmt: skip
    FundFactory(chapter=tree.naiman, name="救灾物资")  # unrestricted: not where the rice goes

    def allocate(purpose):
        return issue_record(chapter=tree.tongliao, user=city, date=DAY, kind=IssueKind.ALLOCATION,
                            recipient_chapter=tree.naiman, category=purpose,
                            lines=[(rice, Decimal("10"))])  # fmt: skip

    before = rows(*GOODS)
    with pytest.raises(ValidationError) as no_purpose:
        allocate(None)
    assert "基金“市慰问物资”限定用于“困难群众慰问”" in no_purpose.value.message_dict["category"][0]
    with pytest.raises(ValidationError) as no_fund_below:
        allocate(comfort)
    assert no_fund_below.value.message_dict["recipient_chapter"] == [
        "奈曼旗红十字会没有限定用于“困难群众慰问”的基金，无法接收基金“市慰问物资”的限定用途物资"
    ]
    assert rows(*GOODS) == before

    below = FundFactory(chapter=tree.naiman, name="旗慰问物资", restricted_category=comfort)
    issue = allocate(comfort)

    received = Lot.objects.get(source_line__issue=issue)
    assert (received.fund, received.quantity, received.total_value) == (
        below,
        Decimal("10"),
        Decimal("500.00"),
    )


def test_the_issue_form_tells_the_fund_and_its_purpose_and_changes_nothing(
    client, tree, staff, comfort, category
):
    client.force_login(staff)
    before = rows(*GOODS)
    data = {
        "date": str(DAY),
        "kind": IssueKind.UNIT,
        "receiving_unit": "奈曼旗敬老院",
        f"lot_{comfort.pk}": "10",
    }

    response = client.post(reverse("goods:issue-create"), data)

    assert response.status_code == 200
    assert "基金“慰问物资”限定用于“困难群众慰问”：其物资发往接收单位或调拨下级时，用途须选“困难群众慰问”" in (
        response.content.decode()
    )
    assert rows(*GOODS) == before
    response = client.post(reverse("goods:issue-create"), {**data, "category": category["困难群众慰问"].pk})
    assert response.status_code == 302
    assert Issue.objects.get().category == category["困难群众慰问"]


def test_the_import_tells_the_row_and_saves_nothing(tree, staff, comfort, category):
    from redcross.importing import import_records

    from ..test_imports import workbook

    base = {"发放日期": DAY, "物资名称": "大米", "单位": "袋", "数量": 10, "发放对象": "接收单位",
            "接收单位": "奈曼旗敬老院"}  # fmt: skip
    before = rows(*GOODS)

    result = import_records(workbook({"物资发放": [base]}), chapter=tree.naiman, user=staff)

    assert not result.imported
    said = [str(p) for p in result.problems]
    assert any("第2行" in p and "基金“慰问物资”限定用于“困难群众慰问”" in p for p in said), said
    assert rows(*GOODS) == before
    result = import_records(
        workbook({"物资发放": [{**base, "救助类别": "困难群众慰问"}]}), chapter=tree.naiman, user=staff
    )
    assert result.imported, [str(p) for p in result.problems]
    assert Issue.objects.get().category == category["困难群众慰问"]

"""The disbursement pages: who may do what, what the pages show, and what they cost."""

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from aid.models import Disbursement
from redcross.choices import Role

from ..factories import BeneficiaryFactory, DisbursementFactory, DonationFactory, FundFactory, valid_id_number

LIST = reverse("aid:disbursement-list")
CREATE = reverse("aid:disbursement-create")


def detail(d):
    return reverse("aid:disbursement-detail", args=[d.pk])


def edit(d):
    return reverse("aid:disbursement-update", args=[d.pk])


def figure(html, name):
    """The text of the totals line's figure ``name``."""
    return re.search(rf'data-figure="{name}">([^<]*)<', html).group(1)


@pytest.fixture
def naiman_payment(tree):
    return DisbursementFactory(
        chapter=tree.naiman,
        beneficiary=BeneficiaryFactory(
            chapter=tree.naiman, name="王秀英", id_number=valid_id_number(serial=123)
        ),
        cash_amount=Decimal("2600.00"),
    )


def form_data(category, **overrides):
    data = {
        "date": "2020-06-15",
        "category": category["重特大疾病救助"].pk,
        "recipient": "person",
        "beneficiary_name": "李桂兰",
        "id_number": valid_id_number(serial=321),
        "township": "八仙筒镇",
        "head_count": "1",
        "cases": "",
        "cash_amount": "2400.00",
        "in_kind_amount": "0",
        "fund": "",
        "remarks": "",
    }
    data.update(overrides)
    return data


# --- Access, per role -------------------------------------------------------------------------


def test_anonymous_users_are_sent_to_the_login_page(client, tree):
    response = client.get(LIST)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("role", [Role.STAFF, Role.LEADER, Role.AUDITOR, Role.ADMIN])
def test_every_role_of_the_chapter_reads_its_records(client, member, tree, naiman_payment, role):
    client.force_login(member(role, tree.naiman))
    assert "王秀英" in client.get(LIST).content.decode()
    assert "王秀英" in client.get(detail(naiman_payment)).content.decode()


@pytest.mark.parametrize(
    ("role", "chapter", "status"),
    [
        (Role.STAFF, "naiman", 200),
        (Role.ADMIN, "naiman", 200),
        (Role.LEADER, "naiman", 403),
        (Role.AUDITOR, "naiman", 403),
        (Role.STAFF, "tongliao", 403),  # a city's staff read the counties but correct only their own
        (Role.STAFF, "horqin", 403),
        (Role.LEADER, "ankang", 403),
    ],
)
def test_only_staff_and_administrators_of_the_chapter_correct_a_record(
    client, member, tree, naiman_payment, category, role, chapter, status
):
    client.force_login(member(role, getattr(tree, chapter)))
    assert client.get(edit(naiman_payment)).status_code == status
    response = client.post(
        edit(naiman_payment),
        form_data(
            category,
            beneficiary_name="王秀英",
            id_number=naiman_payment.beneficiary.id_number,
            cash_amount="3000",
        ),
    )
    assert response.status_code == (302 if status == 200 else 403)
    naiman_payment.refresh_from_db()
    assert naiman_payment.cash_amount == (Decimal("3000.00") if status == 200 else Decimal("2600.00"))


@pytest.mark.parametrize(
    ("role", "status"), [(Role.STAFF, 200), (Role.ADMIN, 200), (Role.LEADER, 403), (Role.AUDITOR, 403)]
)
def test_only_staff_and_administrators_create_records(client, member, tree, category, role, status):
    client.force_login(member(role, tree.naiman))
    assert client.get(CREATE).status_code == status
    response = client.post(CREATE, form_data(category))
    assert response.status_code == (302 if status == 200 else 403)
    assert Disbursement.objects.count() == (1 if status == 200 else 0)


def test_a_user_without_a_chapter_is_refused(client, django_user_model, tree, naiman_payment):
    client.force_login(django_user_model.objects.create_user("nobody", password="x-pass-123456"))
    assert client.get(detail(naiman_payment)).status_code == 403
    assert client.get(CREATE).status_code == 403
    assert "王秀英" not in client.get(LIST).content.decode()


@pytest.mark.parametrize(
    ("role", "chapter", "status"),
    [
        (Role.LEADER, "tongliao", 200),  # the city reads the counties below it
        (Role.AUDITOR, "nm", 200),  # and the province everything below it
        (Role.STAFF, "horqin", 403),  # a neighbouring county does not
        (Role.LEADER, "ankang", 403),  # nor another branch of the tree
        (Role.AUDITOR, "hanyin", 403),
    ],
)
def test_reading_follows_the_chapter_tree(client, member, tree, naiman_payment, role, chapter, status):
    client.force_login(member(role, getattr(tree, chapter)))
    assert client.get(detail(naiman_payment)).status_code == status
    assert ("王秀英" in client.get(LIST).content.decode()) == (status == 200)


def test_a_forbidden_page_says_so_in_chinese(client, member, tree, naiman_payment):
    client.force_login(member(Role.LEADER, tree.ankang))
    response = client.get(detail(naiman_payment))
    assert response.status_code == 403
    assert "无权访问" in response.content.decode()


# --- What the pages show ---------------------------------------------------------------------


def test_id_numbers_are_masked_for_leadership_and_shown_to_staff(client, member, tree, naiman_payment):
    full = naiman_payment.beneficiary.id_number
    masked = full[:6] + "********" + full[-4:]

    client.force_login(member(Role.LEADER, tree.naiman))
    for url in (LIST, detail(naiman_payment)):
        html = client.get(url).content.decode()
        assert masked in html and full not in html

    client.force_login(member(Role.STAFF, tree.naiman))
    assert full in client.get(detail(naiman_payment)).content.decode()


def test_recording_a_payment_through_the_form(client, staff, category):
    client.force_login(staff)
    response = client.post(CREATE, form_data(category), follow=True)
    payment = Disbursement.objects.get()
    assert response.redirect_chain[-1][0] == detail(payment)
    assert "救助发放已登记" in response.content.decode()
    assert payment.beneficiary.name == "李桂兰"
    assert payment.cash_amount == Decimal("2400.00")
    assert payment.created_by == staff


def test_form_errors_are_in_chinese_next_to_their_fields(client, staff, category):
    client.force_login(staff)
    bad_id = valid_id_number(serial=9)[:17] + ("0" if valid_id_number(serial=9)[17] != "0" else "1")
    response = client.post(
        CREATE,
        form_data(category, id_number=bad_id, cash_amount="-1", in_kind_amount="abc", date="2020-13-01"),
    )
    html = response.content.decode()
    assert response.status_code == 200

    def field_block(name):
        return re.search(rf'id="field-{name}">(.*?)</div>', html, re.S).group(1)

    assert "校验位错误" in field_block("id_number")
    assert "金额不能为负数" in field_block("cash_amount")
    assert "请输入金额，例如 1200.50" in field_block("in_kind_amount")
    assert "请输入有效日期" in field_block("date")
    assert Disbursement.objects.count() == 0


def test_a_person_without_a_name_and_zero_amounts_are_refused(client, staff, category):
    client.force_login(staff)
    html = client.post(
        CREATE, form_data(category, beneficiary_name="", id_number="", cash_amount="0", in_kind_amount="0")
    ).content.decode()
    assert "个人发放必须填写受助人姓名" in html
    assert "现金金额和物资折价不能都为零" in html


def test_a_service_refusal_shows_at_the_fund_field(client, staff, category, tree):
    fund = FundFactory(chapter=tree.naiman, name="博爱一日捐")
    DonationFactory(fund=fund, amount=Decimal("1000"))
    client.force_login(staff)
    html = client.post(CREATE, form_data(category, fund=fund.pk, cash_amount="1000.01")).content.decode()
    block = re.search(r'id="field-fund">(.*?)</div>', html, re.S).group(1)
    assert "基金“博爱一日捐”余额不足：可用 1,000.00 元，本次需 1,000.01 元" in block


def test_the_totals_line_covers_the_whole_filtered_set_not_the_page(client, staff, tree):
    for _ in range(55):
        DisbursementFactory(chapter=tree.naiman, cash_amount=Decimal("100.01"))
    client.force_login(staff)
    html = client.get(LIST).content.decode()
    assert html.count('href="/aid/') >= 50
    assert figure(html, "amount") == "5,500.55"
    assert figure(html, "persons") == "55"
    assert figure(html, "count") == "55"
    assert 'rel="next">下一页</a>' in html and 'rel="prev"' not in html


def test_the_list_page_query_count_does_not_grow_with_rows(client, staff, tree, django_assert_num_queries):
    fund = FundFactory(chapter=tree.naiman)
    client.force_login(staff)

    def load(rows):
        for i in range(rows):
            DisbursementFactory(
                chapter=tree.naiman,
                fund=fund if i % 2 else None,
                date=datetime.date(2020, 1, 1) + datetime.timedelta(days=i),
            )
        # session, user, memberships, chapters (filter), funds (filter), townships (filter),
        # categories (filter), page rows (sought, not counted), totals, what waits for approval
        with django_assert_num_queries(10):
            response = client.get(LIST, {"date_after": "2020-01-01", "date_before": "2020-12-31"})
        return response

    assert figure(load(3).content.decode(), "count") == "3"
    assert figure(load(40).content.decode(), "count") == "43"

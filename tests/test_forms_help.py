"""Forms that help at the moment of choice (issue 17): what a select offers, what a new form is
filled with, the chapter's townships, 保存并继续登记, a whole class certified at once, the
filters' words, and one's own password."""

import datetime
import re
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from aid.models import Disbursement
from donations.forms import funds_offered
from redcross.choices import Role
from redcross.models import Township
from training.models import Certificate, TrainingKind

from .factories import (
    CertificateFactory,
    DisbursementFactory,
    DonationFactory,
    ExpenditureFactory,
    FundFactory,
    ProjectFactory,
    SessionFactory,
    valid_id_number,
)
from .test_imports import PAYMENT, workbook


class _Page(HTMLParser):
    """The selects (id → [(value, label, selected)]) and inputs (id → value) of a page."""

    def __init__(self, html):
        super().__init__()
        self.selects, self.inputs, self.datalists = {}, {}, {}
        self._select = self._option = self._datalist = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "select":
            self._select = attrs.get("id") or attrs.get("name")
            self.selects[self._select] = []
        elif tag == "option" and self._select is not None:
            self._option = [attrs.get("value", ""), "", "selected" in attrs]
        elif tag == "option" and self._datalist is not None:
            self.datalists[self._datalist].append(attrs.get("value"))
        elif tag == "datalist":
            self._datalist = attrs["id"]
            self.datalists[self._datalist] = []
        elif tag in ("input", "textarea"):
            self.inputs[attrs.get("id") or attrs.get("name")] = attrs.get("value", "")

    def handle_data(self, data):
        if self._option is not None:
            self._option[1] += data

    def handle_endtag(self, tag):
        if tag == "option" and self._option is not None:
            self.selects[self._select].append(tuple(self._option))
            self._option = None
        elif tag == "select":
            self._select = None
        elif tag == "datalist":
            self._datalist = None


def page(response):
    assert response.status_code == 200
    return _Page(response.content.decode())


def labels(response, select):
    return [label for _value, label, _selected in page(response).selects[select]]


def messages_of(response):
    return [str(m) for m in response.context["messages"]]


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


@pytest.fixture
def admin_client(member, tree):
    client = Client()
    client.force_login(member(Role.ADMIN, tree.naiman, "township-admin"))
    return client


# --- the fund and project selects -------------------------------------------------------------


@pytest.fixture
def funds(tree, category):
    relief = FundFactory(
        chapter=tree.naiman, name="慈善救助基金", restricted_category=category["重特大疾病救助"]
    )
    DonationFactory(fund=relief, amount=Decimal("15000.00"))
    DisbursementFactory(
        chapter=tree.naiman, fund=relief, category=category["重特大疾病救助"], cash_amount=Decimal("2700.00")
    )
    daily = FundFactory(chapter=tree.naiman, name="博爱一日捐")
    DonationFactory(fund=daily, amount=Decimal("543000.00"))
    FundFactory(chapter=tree.horqin, name="科左中旗的基金")  # another chapter's: not offered
    return relief, daily


def test_the_fund_select_says_each_funds_restriction_and_balance(staff_client, funds):
    for url in ("/aid/new/", "/donations/payouts/new/", "/projects/expenditures/new/"):
        offered = labels(staff_client.get(url), "id_fund")[1:]
        assert offered == [
            "博爱一日捐（非限定）余额 543,000.00 元",
            "慈善救助基金（限定：重特大疾病救助）余额 12,300.00 元",
        ], url


def test_the_fund_options_are_read_in_one_query_however_many_funds(staff_client, tree, funds):
    with CaptureQueriesContext(connection) as two:
        staff_client.get("/aid/new/")
    for n in range(5):
        DonationFactory(fund=FundFactory(chapter=tree.naiman, name=f"基金{n}"), amount=Decimal("10"))
    with CaptureQueriesContext(connection) as seven:
        response = staff_client.get("/aid/new/")
    assert len(labels(response, "id_fund")) == 1 + 7
    assert len(seven) == len(two)
    with CaptureQueriesContext(connection) as options:
        shown = [str(f) for f in funds_offered([tree.naiman])]
    assert len(shown) == 7 and len(options) == 1


def test_the_project_select_says_the_budget_left(staff_client, tree):
    project = ProjectFactory(chapter=tree.naiman, name="博爱家园青龙山", budget=Decimal("100000.00"))
    ExpenditureFactory(chapter=tree.naiman, project=project, amount=Decimal("30000.00"))
    over = ProjectFactory(chapter=tree.naiman, name="示范校", budget=Decimal("1000.00"))
    ExpenditureFactory(chapter=tree.naiman, project=over, amount=Decimal("1500.50"))
    assert labels(staff_client.get("/projects/expenditures/new/"), "id_project")[1:] == [
        "博爱家园青龙山（预算余额 70,000.00 元）",
        "示范校（已超预算 500.50 元）",
    ]


# --- dates ------------------------------------------------------------------------------------


def test_a_new_record_is_dated_today_and_a_correction_keeps_its_date(staff_client, tree, category):
    today = timezone.localdate().isoformat()
    for url in (
        "/aid/new/",
        "/donations/new/",
        "/donations/payouts/new/",
        "/projects/expenditures/new/",
        "/training/sessions/new/",
    ):
        assert page(staff_client.get(url)).inputs["id_date"] == today, url
    payment = DisbursementFactory(chapter=tree.naiman, date=datetime.date(2020, 3, 5))
    assert page(staff_client.get(f"/aid/{payment.pk}/edit/")).inputs["id_date"] == "2020-03-05"


# --- townships --------------------------------------------------------------------------------


def test_the_administrator_keeps_the_township_list_and_forms_and_filters_offer_it(
    admin_client, client, staff, tree, category
):
    response = admin_client.post(
        "/chapter/150525/townships/", {"names": "八仙筒镇\n青龙山镇\n\n八仙筒镇\n"}, follow=True
    )
    assert "已添加乡镇：八仙筒镇、青龙山镇" in messages_of(response)
    assert sorted(Township.objects.filter(chapter=tree.naiman).values_list("name", flat=True)) == [
        "八仙筒镇",
        "青龙山镇",
    ]
    # A record written before the list was kept still finds its township in the filter.
    DisbursementFactory(chapter=tree.naiman, township="大沁他拉镇")

    client.force_login(staff)
    assert labels(client.get("/aid/new/"), "id_township") == ["—", "八仙筒镇", "青龙山镇"]
    assert labels(client.get("/aid/"), "id_township") == ["全部", "八仙筒镇", "大沁他拉镇", "青龙山镇"]

    # A name outside the list is refused, naming the field; one of the list is saved.
    form = {
        "date": "2020-11-20",
        "category": category["重特大疾病救助"].pk,
        "recipient": "person",
        "beneficiary_name": "王秀兰",
        "head_count": 1,
        "cash_amount": "500",
        "in_kind_amount": "0",
    }
    response = client.post("/aid/new/", {**form, "township": "八仙同镇"})
    assert response.context["form"].errors["township"] == ["乡镇“八仙同镇”不在本会乡镇名单中，请从列表中选择"]
    assert not Disbursement.objects.filter(beneficiary__name="王秀兰").exists()
    client.post("/aid/new/", {**form, "township": "八仙筒镇"})
    assert Disbursement.objects.get(beneficiary__name="王秀兰").township == "八仙筒镇"

    # Taken out of use: no longer offered by the form, still by the filter.
    township = Township.objects.get(name="青龙山镇")
    admin_client.post("/chapter/150525/townships/", {"township": township.pk, "action": "deactivate"})
    assert labels(client.get("/aid/new/"), "id_township") == ["—", "八仙筒镇"]
    assert "青龙山镇" in labels(client.get("/aid/"), "id_township")


def test_a_session_venue_suggests_the_townships(staff_client, tree):
    Township.objects.create(chapter=tree.naiman, name="八仙筒镇")
    assert page(staff_client.get("/training/sessions/new/")).datalists == {"id_venue-options": ["八仙筒镇"]}


def test_without_a_list_the_township_stays_free_text(staff_client):
    assert "id_township" not in page(staff_client.get("/aid/new/")).selects


def test_staff_cannot_change_the_township_list(staff_client, tree):
    assert staff_client.post("/chapter/150525/townships/", {"names": "新镇"}).status_code == 403
    assert not Township.objects.exists()


def test_an_import_naming_an_unknown_township_is_accepted_and_reported(tree, staff):
    from redcross.importing import import_records

    Township.objects.create(chapter=tree.naiman, name="八仙筒镇")
    rows = [
        {**PAYMENT, "乡镇": "八仙筒镇"},
        {**PAYMENT, "受助人姓名": "李四", "乡镇": "八仙同镇"},
        {**PAYMENT, "受助人姓名": "王五", "乡镇": "八仙同镇"},
    ]
    result = import_records(workbook({"救助发放": rows}), chapter=tree.naiman, user=staff, filename="t.xlsx")
    assert result.ok
    assert result.warnings == [
        "救助发放 第3行起：乡镇“八仙同镇”不在本会乡镇名单中，已按原文导入；"
        "如是笔误请更正记录，如是新乡镇请系统管理员加入名单"
    ]
    assert sorted(Disbursement.objects.values_list("township", flat=True)) == [
        "八仙同镇",
        "八仙同镇",
        "八仙筒镇",
    ]
    # The lists' filters offer the name as written (kept without reading every payment).
    from aid.filtersets import offered_townships
    from redcross.access import Access

    assert list(offered_townships(Access(staff))) == [("八仙同镇",), ("八仙筒镇",)]


# --- 保存并继续登记 -----------------------------------------------------------------------------


def test_save_and_continue_saves_then_offers_an_empty_form_keeping_date_and_category(
    staff_client, category, funds
):
    relief, _daily = funds
    form = {
        "date": "2020-11-20",
        "category": category["重特大疾病救助"].pk,
        "recipient": "person",
        "beneficiary_name": "王秀兰",
        "id_number": valid_id_number(serial=17),
        "head_count": 1,
        "cash_amount": "500",
        "in_kind_amount": "0",
        "fund": relief.pk,
        "remarks": "第一批",
    }
    response = staff_client.post("/aid/new/", {**form, "continue": "1"}, follow=True)
    assert response.redirect_chain == [("/aid/new/", 302)]
    assert messages_of(response) == ["已保存救助发放：2020-11-20 重特大疾病救助 王秀兰。请继续登记下一条。"]
    assert Disbursement.objects.get(beneficiary__name="王秀兰").cash_amount == Decimal("500.00")
    shown = page(response)
    assert shown.inputs["id_date"] == "2020-11-20"
    assert [v for v, _label, selected in shown.selects["id_category"] if selected] == [
        str(category["重特大疾病救助"].pk)
    ]
    assert [v for v, _label, selected in shown.selects["id_fund"] if selected] == [str(relief.pk)]
    assert shown.inputs["id_beneficiary_name"] == "" and shown.inputs["id_id_number"] == ""
    assert "第一批" not in response.content.decode()
    # Kept once: the next visit is a fresh form of today.
    assert page(staff_client.get("/aid/new/")).inputs["id_date"] == timezone.localdate().isoformat()


def test_every_create_form_offers_save_and_continue_and_no_correction_does(staff_client, tree):
    session = SessionFactory(chapter=tree.naiman, kind=TrainingKind.objects.get(name="救护员培训"))
    project = ProjectFactory(chapter=tree.naiman)
    for url in (
        "/aid/new/",
        "/donations/new/",
        "/donations/donors/new/",
        "/donations/drives/new/",
        "/donations/payouts/new/",
        "/training/sessions/new/",
        "/training/instructors/new/",
        f"/training/sessions/{session.pk}/certificates/new/",
        "/projects/new/",
        "/projects/expenditures/new/",
        f"/projects/{project.pk}/outputs/new/",
        f"/projects/{project.pk}/audits/new/",
    ):
        assert "保存并继续登记" in staff_client.get(url).content.decode(), url
    payment = DisbursementFactory(chapter=tree.naiman)
    assert "保存并继续登记" not in staff_client.get(f"/aid/{payment.pk}/edit/").content.decode()


# --- a whole class certified at once ----------------------------------------------------------


@pytest.fixture
def course(tree):
    return SessionFactory(
        chapter=tree.naiman,
        kind=TrainingKind.objects.get(name="救护员培训"),
        title="救护员培训班（第3期）",
        date=datetime.date(2020, 6, 10),
        person_times=45,
    )


def certificates():
    return list(Certificate.objects.order_by("pk").values())


def test_a_whole_class_is_certified_from_a_pasted_list(staff_client, course):
    pasted = "\n".join(
        [
            f"张三\t{valid_id_number(serial=1)}\tNM2020-001\t奈曼旗人民医院",  # from Excel
            "李四\t\tNM2020-002",  # Excel, no ID number
            f"王五，{valid_id_number(serial=3)}，NM2020-003",  # typed with commas
            "",
            "赵六 NM2020-004",  # name and number
        ]
    )
    response = staff_client.post(
        f"/training/sessions/{course.pk}/certificates/class/", {"trainees": pasted}, follow=True
    )
    assert messages_of(response) == ["已登记 4 张证书"]
    rows = list(
        Certificate.objects.order_by("number").values_list("trainee_name", "id_number", "number", "workplace")
    )
    assert rows == [
        ("张三", valid_id_number(serial=1), "NM2020-001", "奈曼旗人民医院"),
        ("李四", "", "NM2020-002", ""),
        ("王五", valid_id_number(serial=3), "NM2020-003", ""),
        ("赵六", "", "NM2020-004", ""),
    ]
    assert set(Certificate.objects.values_list("issued_on", "expires_on")) == {
        (datetime.date(2020, 6, 10), datetime.date(2023, 6, 9))
    }
    course.refresh_from_db()
    assert course.certified_count == 4


def test_a_bad_line_changes_nothing_and_is_named(staff_client, course):
    CertificateFactory(session=course, chapter=course.chapter, number="NM2020-009")
    before = certificates()
    bad_checksum = valid_id_number(serial=3)[:17] + ("0" if valid_id_number(serial=3)[17] != "0" else "1")
    pasted = "\n".join(
        [
            f"张三\t{valid_id_number(serial=1)}\tNM2020-001",
            "李四\t\tNM2020-009",
            f"王五\t{bad_checksum}\tNM2020-003",
            "赵六",
            "钱七\t\tNM2020-001",
        ]
    )
    response = staff_client.post(f"/training/sessions/{course.pk}/certificates/class/", {"trainees": pasted})
    errors = response.context["form"].errors["trainees"]
    assert errors == [
        "第3行：身份证号校验位错误",
        "第4行：应为姓名、身份证号（可空）、证书编号、工作单位（可选），至少填写姓名和证书编号",
        "第5行：证书编号“NM2020-001”与第1行重复",
    ]
    assert "第3行：身份证号校验位错误" in response.content.decode()
    assert certificates() == before

    # The form's lines right, the database's refusal is named by line too.
    pasted = f"张三\t{valid_id_number(serial=1)}\tNM2020-001\n李四\t\tNM2020-009"
    response = staff_client.post(f"/training/sessions/{course.pk}/certificates/class/", {"trainees": pasted})
    assert response.context["form"].errors["trainees"] == ["第2行：证书编号“NM2020-009”已经登记过"]
    assert certificates() == before


def test_a_class_cannot_hold_more_certificates_than_trainees(staff_client, course):
    course.person_times = 2
    course.save()
    pasted = "甲 A1\n乙 A2\n丙 A3"
    response = staff_client.post(f"/training/sessions/{course.pk}/certificates/class/", {"trainees": pasted})
    assert response.context["form"].errors["trainees"] == [
        "本班参训 2 人次，已登记证书 0 张，本次 3 张将多于参训人次"
    ]
    assert not Certificate.objects.exists()


# --- filters ----------------------------------------------------------------------------------


def test_filters_say_all_not_dashes_and_a_yes_no_filter_starts_at_all(staff_client):
    for url, select in (
        ("/aid/", "id_category"),
        ("/donations/", "id_fund"),
        ("/donations/", "id_anonymous"),
        ("/projects/", "id_over_budget"),
        ("/training/certificates/", "id_expiry"),
    ):
        response = staff_client.get(url)
        html = response.content.decode()
        assert "---------" not in html, url
        first = page(response).selects[select][0]
        assert first[1] == "全部", (url, select)
    anonymous = page(staff_client.get("/donations/")).selects["id_anonymous"]
    assert [label for _v, label, _s in anonymous] == ["全部", "是", "否"]
    assert [label for _v, label, selected in anonymous if selected] in ([], ["全部"])
    assert "未知" not in staff_client.get("/donations/").content.decode()


def test_the_yes_no_filter_still_filters(staff_client, tree):
    fund = FundFactory(chapter=tree.naiman)
    DonationFactory(fund=fund, anonymous=True, amount=Decimal("1.00"))
    DonationFactory(fund=fund, anonymous=False, amount=Decimal("2.00"))
    assert len(staff_client.get("/donations/?anonymous=true").context["object_list"]) == 1
    assert len(staff_client.get("/donations/?anonymous=unknown").context["object_list"]) == 2


def test_the_period_is_one_line_from_and_to(staff_client):
    html = staff_client.get("/aid/").content.decode()
    assert re.search(
        r'<span class="period"><input type="date" name="date_after"[^>]*>'
        r'<span class="to">至</span><input type="date" name="date_before"',
        html,
    )


# --- one's own password, and leaving ------------------------------------------------------------


def test_a_user_changes_their_password_in_the_app_and_the_old_one_no_longer_works(client, staff):
    staff.set_password("old-password-42")
    staff.save()
    client.force_login(staff)
    home = client.get("/").content.decode()
    assert 'href="/accounts/password_change/"' in home and "修改密码" in home
    form = client.get("/accounts/password_change/").content.decode()
    assert "django-admin" not in form and '<link rel="stylesheet" href="/static/css/app.css">' in form

    wrong = client.post(
        "/accounts/password_change/",
        {"old_password": "guess", "new_password1": "Brand-new-pw-77", "new_password2": "Brand-new-pw-77"},
    )
    assert "旧密码" in str(wrong.context["form"].errors["old_password"])
    staff.refresh_from_db()
    assert staff.check_password("old-password-42")

    done = client.post(
        "/accounts/password_change/",
        {
            "old_password": "old-password-42",
            "new_password1": "Brand-new-pw-77",
            "new_password2": "Brand-new-pw-77",
        },
        follow=True,
    )
    assert messages_of(done) == ["密码已修改，下次登录请使用新密码"]
    client.post("/accounts/logout/")
    login = "/accounts/login/"
    refused = client.post(login, {"username": staff.username, "password": "old-password-42"})
    assert refused.status_code == 200 and "_auth_user_id" not in client.session
    assert client.post(login, {"username": staff.username, "password": "Brand-new-pw-77"}).status_code == 302


def test_logging_out_says_so(staff_client):
    response = staff_client.post("/accounts/logout/", follow=True)
    assert response.redirect_chain[-1][0].startswith("/accounts/login/")
    assert messages_of(response) == ["您已退出登录"]
    assert "您已退出登录" in response.content.decode()


@pytest.mark.parametrize(
    "url",
    [
        "aid:disbursement-create",
        "donations:donation-create",
        "donations:payout-create",
        "donations:drive-create",
        "training:session-create",
        "projects:project-create",
        "projects:expenditure-create",
    ],
)
def test_a_choice_not_made_yet_reads_please_choose(client, member, tree, url):
    from django.urls import reverse

    client.force_login(member(Role.STAFF, tree.naiman))
    html = client.get(reverse(url)).content.decode()
    assert "---------" not in html  # (the drive and payout forms have no empty choice)
    if url == "aid:disbursement-create":  # its category is a choice to make
        assert '<option value="" selected>请选择</option>' in html

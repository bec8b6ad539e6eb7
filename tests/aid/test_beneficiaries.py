"""The people behind the payments: the list of persons, a person's page, correcting and merging
records of a person, and an ID number freed when every payment of its holder is voided."""

import datetime
import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from aid.models import Beneficiary, Disbursement, PersonYear
from aid.services import disbursement_record
from redcross.choices import PeriodKind, Role
from redcross.corrections import record_void
from redcross.models import Change, Township
from redcross.services import period_close
from reports.choices import ReportKind
from reports.figures import report_data
from reports.periods import Period

from ..factories import BeneficiaryFactory, valid_id_number

D = datetime.date
LIST = reverse("aid:beneficiary-list")


def figure(html, name):
    return re.search(rf'data-figure="{name}">([^<]*)<', html).group(1)


def page_of(person):
    return reverse("aid:beneficiary-detail", args=[person.pk])


def pay(
    staff,
    tree,
    category,
    name,
    id_number="",
    township="",
    date=None,
    amount="1000",
    kind="重特大疾病救助",
):
    return disbursement_record(
        chapter=tree.naiman,
        user=staff,
        date=date or D(2020, 3, 1),
        category=category[kind],
        cash_amount=Decimal(amount),
        beneficiary_name=name,
        id_number=id_number,
        township=township,
    )


def persons_2020(tree):
    return report_data(tree.naiman, Period(2020, ReportKind.YEAR))["relief.total.persons"].value


@pytest.fixture
def people(staff, tree, category):
    """王秀英 (ID, 大沁他拉镇, illness 2020 twice), 李明 (ID, 八仙筒镇, disaster 2021), 赵四 (no
    ID, 八仙筒镇, illness 2020)."""
    Township.objects.create(chapter=tree.naiman, name="大沁他拉镇")
    Township.objects.create(chapter=tree.naiman, name="八仙筒镇")
    wang_id, li_id = valid_id_number(serial=101), valid_id_number(serial=202)
    pay(staff, tree, category, "王秀英", wang_id, "大沁他拉镇", D(2020, 3, 1), "1000.50")
    pay(staff, tree, category, "王秀英", wang_id, "大沁他拉镇", D(2020, 9, 1), "500")
    pay(staff, tree, category, "李明", li_id, "八仙筒镇", D(2021, 5, 1), "800", kind="救灾救助")
    pay(staff, tree, category, "赵四", "", "八仙筒镇", D(2020, 4, 1), "300")
    return {b.name: b for b in Beneficiary.objects.all()}


def names(html):
    return re.findall(r'<a href="/aid/beneficiaries/\d+/">([^<]+)</a>', html)


def test_the_list_filters_by_township_category_and_year_and_totals_the_payments(
    client, staff, tree, people, category
):
    client.force_login(staff)
    html = client.get(LIST).content.decode()
    assert sorted(names(html)) == sorted(["王秀英", "李明", "赵四"])
    assert (figure(html, "count"), figure(html, "payments"), figure(html, "amount")) == ("3", "4", "2,600.50")
    html = client.get(LIST, {"township": "八仙筒镇"}).content.decode()
    assert sorted(names(html)) == ["李明", "赵四"]
    html = client.get(LIST, {"category": category["救灾救助"].pk}).content.decode()
    assert names(html) == ["李明"] and figure(html, "amount") == "800.00"
    wang = people["王秀英"]
    pay(staff, tree, category, "王秀英", wang.id_number, "大沁他拉镇", D(2021, 1, 5), "200")
    html = client.get(LIST, {"year": "2020"}).content.decode()
    assert sorted(names(html)) == sorted(["王秀英", "赵四"])
    # The year's payments only: 王秀英's two of 2020 (not the one of 2021), 赵四's one.
    assert (figure(html, "payments"), figure(html, "amount")) == ("3", "1,800.50")
    row = re.search(rf"<tr>\s*<td[^>]*>#{wang.pk}</td>(.*?)</tr>", html, re.S).group(1)
    assert re.findall(r'<td class="num">([^<]*)</td>', row) == ["2", "1,500.50"]
    html = client.get(LIST, {"year": "2021", "category": category["重特大疾病救助"].pk}).content.decode()
    # Category and year together: a payment of both (李明 got disaster relief in 2021).
    assert names(html) == ["王秀英"] and figure(html, "amount") == "200.00"
    html = client.get(LIST, {"year": "2020", "category": category["救灾救助"].pk}).content.decode()
    assert names(html) == [] and figure(html, "count") == "0"
    assert names(client.get(LIST, {"q": "秀英"}).content.decode()) == ["王秀英"]


def test_a_bad_filter_is_named_not_a_500(client, staff, people):
    client.force_login(staff)
    response = client.get(LIST, {"year": "abc", "category": "x"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "选择一个有效的选项" in html and names(html) == []
    response = client.get(reverse("aid:disbursement-list"), {"beneficiary": "abc"})
    assert response.status_code == 200 and "受助人：" in response.content.decode()
    response = client.get(reverse("aid:disbursement-list"), {"beneficiary": "1.5"})
    assert response.status_code == 200 and "受助人：输入整数。" in response.content.decode()


def test_id_numbers_are_masked_for_other_chapters_and_not_searchable(client, member, staff, tree, people):
    full = people["王秀英"].id_number
    client.force_login(staff)
    assert full in client.get(LIST).content.decode()
    assert names(client.get(LIST, {"q": full[-6:]}).content.decode()) == ["王秀英"]
    client.force_login(member(Role.LEADER, tree.tongliao))
    html = client.get(LIST).content.decode()
    assert full not in html and f"{full[:6]}********{full[-4:]}" in html
    assert names(client.get(LIST, {"q": full[-6:]}).content.decode()) == []
    html = client.get(page_of(people["王秀英"])).content.decode()
    assert full not in html and f"{full[:6]}********{full[-4:]}" in html
    # Another branch of the tree reads nothing of it.
    client.force_login(member(Role.LEADER, tree.ankang))
    assert names(client.get(LIST).content.decode()) == []
    assert client.get(page_of(people["王秀英"])).status_code == 403


def test_the_list_page_costs_the_same_queries_however_many_persons(
    client, staff, tree, category, django_assert_num_queries
):
    client.force_login(staff)

    def load(start, rows):
        for i in range(start, start + rows):
            pay(
                staff,
                tree,
                category,
                f"受助人{i}",
                valid_id_number(serial=i),
                "",
                D(2020, 1, 1) + datetime.timedelta(days=i),
            )
        # session, user, memberships, chapters (filter), townships (filter), years (filter),
        # categories (filter), page rows (sought by name, not counted), totals
        with django_assert_num_queries(9):
            return client.get(LIST, {"year": "2020"}).content.decode()

    assert figure(load(0, 3), "count") == "3"
    assert figure(load(3, 40), "count") == "43"


def test_the_person_page_lists_every_payment_voided_marked_with_totals_and_what_reports_counted(
    client, staff, tree, people, category
):
    wang = people["王秀英"]
    wrong = pay(
        staff,
        tree,
        category,
        "王秀英",
        wang.id_number,
        "大沁他拉镇",
        D(2021, 2, 1),
        "9999",
        kind="救灾救助",
    )
    record_void(wrong, user=staff, reason="重复录入")
    client.force_login(staff)
    html = client.get(page_of(wang)).content.decode()
    assert (figure(html, "amount"), figure(html, "count"), figure(html, "cases")) == ("1,500.50", "2", "2")
    assert html.count('class="badge void"') == 1 and "9,999.00" in html
    counted = re.search(r'id="counted">(.*?)</section>', html, re.S).group(1)
    # Counted in 2020 from 1 March in any category and in illness; the voided 2021 payment not at all.
    assert re.findall(r'data-year="(\d+)"', counted) == ["2020"]
    assert "首次受助 2020-03-01" in counted and "重特大疾病救助（2020-03-01）" in counted
    # The figure links to the person's payments, which the payment list filters by.
    listing = client.get(reverse("aid:disbursement-list"), {"beneficiary": wang.pk}).content.decode()
    assert figure(listing, "amount") == "1,500.50" and "李明" not in listing
    assert f'href="{page_of(wang)}" id="person-filter">受助人 #{wang.pk}</a>' in listing
    # From a payment's page and the payment list to the person.
    payment = Disbursement.objects.filter(beneficiary=wang).first()
    assert f'href="{page_of(wang)}"' in client.get(payment.get_absolute_url()).content.decode()
    assert f'href="{page_of(wang)}"' in client.get(reverse("aid:disbursement-list")).content.decode()


def test_correcting_a_person_is_a_new_version_in_history(client, staff, people):
    zhao = people["赵四"]
    new_id = valid_id_number(serial=303)
    client.force_login(staff)
    response = client.post(
        reverse("aid:beneficiary-update", args=[zhao.pk]),
        {"name": "赵思", "id_number": new_id.lower(), "township": "八仙筒镇", "version": zhao.version},
        follow=True,
    )
    assert "受助人信息已更正" in response.content.decode()
    zhao.refresh_from_db()
    assert (zhao.name, zhao.id_number, zhao.version) == ("赵思", new_id, 2)
    change = Change.objects.filter(table="aid_beneficiary", record_id=zhao.pk, action="update").get()
    assert (change.before["name"], change.after["name"]) == ("赵四", "赵思")


def test_a_correction_colliding_with_another_person_is_refused_and_links_to_them(client, staff, people):
    zhao, wang = people["赵四"], people["王秀英"]
    client.force_login(staff)
    html = client.post(
        reverse("aid:beneficiary-update", args=[zhao.pk]),
        {"name": "赵四", "id_number": wang.id_number, "township": "八仙筒镇", "version": 1},
    ).content.decode()
    assert "该身份证号已登记在受助人“王秀英”名下" in html
    assert f'href="{page_of(wang)}"' in html
    assert f"/aid/beneficiaries/{zhao.pk}/merge/?other={wang.pk}" in html
    zhao.refresh_from_db()
    assert (zhao.name, zhao.id_number, zhao.version) == ("赵四", "", 1)
    # Without an ID number: the same name and township as another person without one.
    li = people["李明"]
    html = client.post(
        reverse("aid:beneficiary-update", args=[li.pk]),
        {"name": "赵四", "id_number": "", "township": "八仙筒镇", "version": 1},
    ).content.decode()
    assert "乡镇“八仙筒镇”已有未登记身份证号的受助人“赵四”" in html
    li.refresh_from_db()
    assert (li.name, li.version) == ("李明", 1)


def test_merging_two_records_of_one_person_moves_the_payments_and_the_report_counts_once(
    client, staff, tree, people
):
    wang, zhao = people["王秀英"], people["赵四"]
    assert persons_2020(tree) == 2
    client.force_login(staff)
    url = reverse("aid:beneficiary-merge", args=[wang.pk])
    # The first step shows what moves; nothing is merged yet.
    html = client.post(url, {"other": zhao.pk, "keep": "this"}).content.decode()
    assert 'id="confirm-merge"' in html and "“赵四”的发放记录将移到“王秀英”名下" in html
    assert Disbursement.objects.filter(beneficiary=zhao).count() == 1
    response = client.post(url, {"other": zhao.pk, "keep": "this", "confirmed": "True"}, follow=True)
    assert "已将受助人“赵四”" in response.content.decode()
    assert Disbursement.all_objects.filter(beneficiary=zhao).count() == 0
    assert Disbursement.objects.filter(beneficiary=wang).count() == 3
    assert persons_2020(tree) == 1
    assert set(PersonYear.objects.values_list("beneficiary", flat=True)) == {wang.pk, people["李明"].pk}
    zhao.refresh_from_db()
    assert zhao.merged_into == wang  # kept, not deleted
    assert Change.objects.filter(table="aid_beneficiary", record_id=zhao.pk, action="update").exists()
    html = client.get(page_of(zhao)).content.decode()
    assert 'id="merged-note"' in html and page_of(wang) in html
    assert names(client.get(LIST).content.decode()).count("赵四") == 0
    # A merged record is merged once.
    assert client.get(reverse("aid:beneficiary-merge", args=[zhao.pk])).status_code == 403


def test_a_merge_names_a_bad_other_record(client, staff, people):
    client.force_login(staff)
    url = reverse("aid:beneficiary-merge", args=[people["王秀英"].pk])
    assert "请输入受助人编号（数字）" in client.post(url, {"other": "abc", "keep": "this"}).content.decode()
    assert (
        "本会没有编号为 99999 的受助人"
        in client.post(url, {"other": "99999", "keep": "this"}).content.decode()
    )
    html = client.post(url, {"other": people["王秀英"].pk, "keep": "this"}).content.decode()
    assert "不能把受助人与自己合并" in html


def test_a_merge_touching_a_closed_period_is_refused_whole(staff, member, tree, people):
    from aid.services import beneficiary_merge

    period_close(chapter=tree.naiman, user=member(Role.LEADER, tree.naiman), kind=PeriodKind.YEAR, year=2020)
    wang, zhao = people["王秀英"], people["赵四"]
    with pytest.raises(ValidationError, match="已结账"):
        beneficiary_merge(keep=wang, merged=zhao, user=staff)
    zhao.refresh_from_db()
    assert zhao.merged_into is None and Disbursement.objects.filter(beneficiary=zhao).count() == 1
    assert persons_2020(tree) == 2


def test_a_person_whose_every_payment_is_voided_no_longer_blocks_their_id_number(staff, tree, category):
    number = valid_id_number(serial=404)
    undone = pay(staff, tree, category, "张桂芝", number, "大沁他拉镇")
    with pytest.raises(ValidationError, match="该身份证号已登记在受助人“张桂芝”名下"):
        pay(staff, tree, category, "张桂枝", number)
    record_void(undone, user=staff, reason="导入撤销")
    payment = pay(staff, tree, category, "张桂枝", number, date=D(2020, 5, 1))
    person = payment.beneficiary
    assert (person.pk, person.name, person.id_number) == (undone.beneficiary_id, "张桂枝", number)
    assert person.version == 2  # renamed: a new version, in history
    assert persons_2020(tree) == 1
    # Now that a payment stands, the number is held again.
    with pytest.raises(ValidationError, match="该身份证号已登记在受助人“张桂枝”名下"):
        pay(staff, tree, category, "张桂芝", number)


def test_a_merged_record_no_longer_holds_its_id_number(staff, tree, people, category):
    from aid.services import beneficiary_merge

    li = people["李明"]
    other = BeneficiaryFactory(chapter=tree.naiman, name="李明", id_number="", township="八仙筒镇")
    beneficiary_merge(keep=other, merged=li, user=staff)
    other.refresh_from_db()
    assert other.id_number == li.id_number  # the kept one had none: it takes the merged one's
    payment = pay(staff, tree, category, "李明", li.id_number)
    assert payment.beneficiary_id == other.pk


def test_after_an_import_is_undone_its_people_no_longer_block_their_id_numbers(staff, tree):
    from redcross.importing import import_records, import_undo

    from ..test_imports import workbook

    number = valid_id_number(serial=505)
    row = {"发放日期": D(2021, 3, 1), "救助类别": "重特大疾病救助", "现金金额": 2000, "身份证号": number}

    def run(name):
        sheets = {"救助发放": [{**row, "受助人姓名": name}]}
        return import_records(
            workbook(sheets), chapter=tree.naiman, user=staff, filename="t.xlsx", dry_run=False
        )

    first = run("张桂芝")
    # While the payment stands, another name for the number is refused.
    refused = run("张桂枝")
    assert any("该身份证号已登记在受助人“张桂芝”名下" in str(e) for e in refused.problems), refused.problems
    import_undo(first.batch, user=staff)
    again = run("张桂枝")
    assert again.ok and again.imported, again.problems
    person = Beneficiary.objects.get(id_number=number)
    assert person.name == "张桂枝" and Beneficiary.objects.count() == 1
    assert Disbursement.objects.get().beneficiary == person
    assert report_data(tree.naiman, Period(2021, ReportKind.YEAR))["relief.total.persons"].value == 1

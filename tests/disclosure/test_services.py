"""Preparing and publishing a disclosure: its lines from the records, frozen once published,
refused when its totals do not add up or its cumulative figures go down without a note."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction

from disclosure import lines
from disclosure.choices import DisclosureKind
from disclosure.models import DisclosureVersion, checksum
from disclosure.services import disclosure_prepare, disclosure_publish, disclosure_update, draft_content
from donations.models import Donation
from tests.factories import DonationFactory

from .conftest import PERSON_ID, PERSON_NAME, TOWNSHIP

D = datetime.date


def section(content, key):
    return next(s for s in content["sections"] if s["key"] == key)


def test_a_drive_s_lines_name_donors_as_they_agreed_and_its_use_without_persons(books, drive_disclosure):
    content = draft_content(drive_disclosure)
    gifts = section(content, "gifts")
    assert [row[:3] for row in gifts["rows"]] == [
        ["2020-02-03", "奈曼旗教育系统", "现金"],  # agreed to be named
        ["2020-02-05", "爱心人士", "现金"],  # did not
        ["2020-02-09", "匿名", "现金"],  # an anonymous gift, whatever the donor agreed
    ]
    assert gifts["totals"] == {"cash": "249800.00", "in_kind": "0.00"}
    relief = section(content, "relief")
    # The named payment and the group's, one line per day and category: 31 people, no name.
    assert relief["rows"] == [["2020-02-20", "重特大疾病救助", 31, "80000.00", "0.00"]]
    assert section(content, "expenditures")["rows"] == [
        ["2020-03-02", "富康社区博爱家园项目", "爱心超市", "奈曼旗惠民超市", "12000.00"]
    ]
    assert section(content, "payouts")["rows"] == [
        ["2020-03-06", "奈曼旗新冠肺炎疫情防控指挥部", "新冠肺炎疫情防控", "100000.00", "0.00"]
    ]
    assert content["cumulative"] == {
        "received_cash": "249800.00",
        "received_in_kind": "0.00",
        "received": "249800.00",
        "used_cash": "192000.00",
        "used_in_kind": "0.00",
        "used": "192000.00",
        "goods_received": "0.00",
    }
    text = str(content)
    for secret in (PERSON_NAME, PERSON_ID, TOWNSHIP, "尿毒症", "赵明", "钱多多"):
        assert secret not in text


def test_the_township_shows_only_when_the_chapter_chooses(books, drive_disclosure):
    disclosure_update(
        disclosure=drive_disclosure, user=books.staff, as_of=D(2020, 4, 30), township_shown=True
    )
    relief = section(draft_content(drive_disclosure), "relief")
    assert relief["rows"] == [["2020-02-20", "重特大疾病救助", TOWNSHIP, 31, "80000.00", "0.00"]]


def test_the_cut_off_day_cuts_gifts_and_use(books, drive_disclosure):
    disclosure_update(disclosure=drive_disclosure, user=books.staff, as_of=D(2020, 2, 6))
    content = draft_content(drive_disclosure)
    assert len(section(content, "gifts")["rows"]) == 2
    assert content["cumulative"]["used"] == "0.00"


def test_a_published_version_is_frozen_while_the_records_change(books, published):
    assert published.version == 1 and published.published_by == books.leader
    assert published.sha256 == checksum(published.content, published.html) and published.intact
    DonationFactory(
        fund=books.fund, drive=books.drive, donor=books.named, date=D(2020, 3, 1), amount=Decimal("7.00")
    )
    Donation.objects.filter(pk=books.gifts[0].pk).update(amount=Decimal("1.00"))
    stored = DisclosureVersion.objects.get(pk=published.pk)
    assert section(stored.content, "gifts")["totals"]["cash"] == "249800.00"
    assert "241,800.00" in stored.html and stored.intact
    # … while the draft follows the records.
    assert (
        section(draft_content(published.disclosure), "gifts")["totals"]["cash"] == "8008.00"
    )  # 1 + 5000 + 3000 + 7


def test_nothing_published_is_edited_or_deleted(published):
    published.title = "改过的标题"
    with pytest.raises(ValidationError, match="已发布的信息公开不能修改"):
        published.save()
    with pytest.raises(ValidationError, match="已发布的信息公开不能删除"):
        published.delete()
    assert DisclosureVersion.objects.get(pk=published.pk).title != "改过的标题"


def test_a_disclosure_whose_totals_do_not_add_up_is_refused(books, drive_disclosure, monkeypatch):
    real = lines.gifts_section

    def lost_a_line(gifts, **kwargs):
        built = real(gifts, **kwargs)
        built.rows = built.rows[1:]  # a line lost between the list and its total, as in 2020
        return built

    monkeypatch.setattr(lines, "gifts_section", lost_a_line)
    with pytest.raises(ValidationError) as refused:
        disclosure_publish(disclosure=drive_disclosure, user=books.leader)
    assert "“接收捐赠明细”的“现金（元）”合计为249800.00，而各行相加为8000.00" in refused.value.messages[0]
    assert not DisclosureVersion.objects.exists()


def test_a_summary_figure_must_be_the_sum_of_its_sections(books, drive_disclosure):
    from disclosure.checks import totals_problems

    content = draft_content(drive_disclosure)
    next(i for i in content["summary"] if i["key"] == "used")["value"] = "1.00"
    assert totals_problems(content) == ["“累计使用合计（元）”为1.00，而明细合计为192000.00"]


def test_cumulative_figures_may_not_go_down_without_a_correction_note(books, published):
    from redcross.models import Chapter  # noqa: F401

    Donation.objects.filter(pk=books.gifts[1].pk).update(
        voided_at=datetime.datetime(2020, 5, 1, tzinfo=datetime.UTC), void_reason="重复登记"
    )
    disclosure = published.disclosure
    with pytest.raises(ValidationError) as refused:
        disclosure_publish(disclosure=disclosure, user=books.leader)
    assert (
        "“累计接收现金（元）”从上一版的249800.00减少为244800.00，须填写更正说明" in refused.value.messages[0]
    )
    assert DisclosureVersion.objects.count() == 1
    # With the note, the new version corrects the old one, which stays readable.
    disclosure_update(
        disclosure=disclosure,
        user=books.staff,
        as_of=disclosure.as_of,
        correction_note="一笔5000元捐赠重复登记，已作废",
    )
    second = disclosure_publish(disclosure=disclosure, user=books.leader)
    assert second.version == 2 and second.corrects == published
    assert second.correction_note == "一笔5000元捐赠重复登记，已作废"
    assert DisclosureVersion.objects.get(pk=published.pk).corrected_by == second
    disclosure.refresh_from_db()
    assert disclosure.correction_note == ""  # the next version is no correction unless said again


def test_a_later_version_with_higher_figures_needs_no_note(books, published):
    DonationFactory(
        fund=books.fund, drive=books.drive, donor=books.named, date=D(2020, 4, 1), amount=Decimal("100.00")
    )
    second = disclosure_publish(disclosure=published.disclosure, user=books.leader)
    assert second.version == 2 and second.corrects is None
    assert second.content["cumulative"]["received"] == "249900.00"


def test_a_project_s_disclosure_holds_its_spending_and_outputs(books):
    disclosure = disclosure_prepare(
        chapter=books.chapter,
        user=books.staff,
        kind=DisclosureKind.PROJECT,
        project=books.project,
        as_of=D(2020, 12, 31),
    )
    content = draft_content(disclosure)
    assert section(content, "expenditures")["rows"] == [
        ["2020-03-02", "爱心超市", "奈曼旗惠民超市", "12000.00"]
    ]
    assert section(content, "outputs")["rows"] == [["2020-03-10", "爱心超市", "1", "个"]]
    assert content["cumulative"] == {"spent": "12000.00"}


def test_a_period_s_disclosure_holds_its_totals(books):
    disclosure = disclosure_prepare(
        chapter=books.chapter, user=books.staff, kind=DisclosureKind.PERIOD, period="2020"
    )
    content = draft_content(disclosure)
    assert content["as_of"] == "2020-12-31"
    assert section(content, "received")["rows"] == [
        ["疫情防控专项募捐", "249800.00", "0.00"],
        ["其他捐赠（不属于募捐活动）", "100000.00", "0.00"],
    ]
    assert section(content, "relief")["rows"] == [
        ["助学", 25, "50000.00", "0.00"],
        ["重特大疾病救助", 31, "80000.00", "0.00"],
    ]
    assert {i["key"]: i["value"] for i in content["summary"]} == {
        "received_cash": "349800.00",
        "received_in_kind": "0.00",
        "received": "349800.00",
        "used_cash": "242000.00",
        "used_in_kind": "0.00",
        "used": "242000.00",
        "goods_received": "0.00",
    }


@pytest.mark.parametrize(
    ("subject", "message"),
    [
        ({"kind": DisclosureKind.DRIVE, "drive": None}, "请选择本会的募捐活动"),
        (
            {"kind": DisclosureKind.PERIOD, "period": "20x0"},
            "报告期间应写作年份（如 2024）或上半年（如 2024H1）",
        ),
        ({"kind": DisclosureKind.DRIVE, "as_of": D(2019, 1, 1)}, "截止日期不能早于募捐活动开始日期"),
        ({"kind": DisclosureKind.DRIVE, "as_of": D(2999, 1, 1)}, "截止日期不能晚于今天"),
        (
            {"kind": DisclosureKind.PERIOD, "period": "2020", "as_of": D(2019, 12, 31)},
            "截止日期不能早于期间开始日期（2020-01-01）",
        ),
    ],
)
def test_a_disclosure_of_nothing_or_of_a_wrong_day_is_refused(books, subject, message):
    subject = {"drive": books.drive, **subject}
    with pytest.raises(ValidationError) as refused:
        disclosure_prepare(chapter=books.chapter, user=books.staff, **subject)
    assert message in str(refused.value)


def test_another_chapter_s_drive_is_refused(books, tree):
    with pytest.raises(ValidationError, match="请选择本会的募捐活动"):
        disclosure_prepare(
            chapter=tree.horqin, user=books.staff, kind=DisclosureKind.DRIVE, drive=books.drive
        )


@pytest.mark.skipif(connection.vendor != "postgresql", reason="database triggers: CI runs it on PostgreSQL")
def test_the_database_refuses_to_change_a_published_version_behind_the_app_s_back(published):
    for statement in (
        "UPDATE disclosure_disclosureversion SET title = 'x' WHERE id = %s",
        "DELETE FROM disclosure_disclosureversion WHERE id = %s",
    ):
        with pytest.raises(DatabaseError, match="a published disclosure is never changed or deleted"):
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(statement, [published.pk])
    assert DisclosureVersion.objects.get(pk=published.pk).title == published.title

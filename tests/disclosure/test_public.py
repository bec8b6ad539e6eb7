"""The public pages: no login, what was published as it was stored, cheap and cacheable, nothing
of a beneficiary on any of them, 404 in Chinese for what is unknown or unpublished."""

import datetime
import io
import re
from decimal import Decimal

import openpyxl
import pytest
from django.test import Client
from django.utils import timezone

from donations.models import Donation
from tests.factories import PublicationFactory, ReportFactory

from .conftest import PERSON_ID, PERSON_NAME, PERSON_PHONE, TOWNSHIP

ID_NUMBER = re.compile(r"\d{17}[\dXx]")
PHONE = re.compile(r"1[3-9]\d{9}")


@pytest.fixture
def report_pdf(books):
    report = ReportFactory(chapter=books.chapter, year=2020)
    return PublicationFactory(
        report=report,
        version=1,
        title="奈曼旗红十字会2020年全年工作报告",
        published_by=books.leader,
        published_at=datetime.datetime(2021, 1, 5, tzinfo=datetime.UTC),
        sections=[],
        figures={"figures": {}, "tables": {}},
        pdf=b"%PDF-1.7 as published",
    )


def test_the_chapter_page_lists_what_was_published_and_its_reports(
    books, published, report_pdf, django_assert_num_queries
):
    client = Client()
    with django_assert_num_queries(3):  # the chapter, its versions, its reports
        response = client.get("/public/150525/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "奈曼旗红十字会募捐活动“疫情防控专项募捐（2020）”接收和使用情况公示（截至2020年4月30日）" in page
    assert f'href="/public/150525/{published.pk}/"' in page
    assert f'href="/public/150525/reports/{report_pdf.pk}.pdf"' in page
    assert response["Cache-Control"] == "public, max-age=300"
    assert "csrftoken" not in response.cookies  # nothing personal: any cache may keep it


def test_a_version_is_served_as_stored_in_two_queries(books, published, django_assert_num_queries):
    client = Client()
    with django_assert_num_queries(2):
        response = client.get(f"/public/150525/{published.pk}/")
    page = response.content.decode()
    assert published.html in page
    assert published.sha256 in page and "演示" not in page
    assert "249,800.00" in page and "奈曼旗教育系统" in page and "爱心人士" in page and "匿名" in page
    Donation.objects.filter(pk=books.gifts[0].pk).update(amount=Decimal("1.00"))
    assert (
        "241,800.00" in Client().get(f"/public/150525/{published.pk}/").content.decode()
    )  # never computed again


def test_a_corrected_version_stays_readable_and_says_so(books, published):
    from disclosure.services import disclosure_publish, disclosure_update

    Donation.objects.filter(pk=books.gifts[1].pk).update(
        voided_at=datetime.datetime(2020, 5, 1, tzinfo=datetime.UTC), void_reason="重复"
    )
    disclosure_update(
        disclosure=published.disclosure,
        user=books.staff,
        as_of=published.as_of,
        correction_note="重复登记一笔",
    )
    second = disclosure_publish(disclosure=published.disclosure, user=books.leader)
    old = Client().get(f"/public/150525/{published.pk}/").content.decode()
    assert "本版已被更正，请以第2版为准。" in old and f'href="/public/150525/{second.pk}/"' in old
    new = Client().get(f"/public/150525/{second.pk}/").content.decode()
    assert "更正说明" in new and "重复登记一笔" in new and "本版已被更正" not in new
    listing = Client().get("/public/150525/").content.decode()
    assert "已更正，见第2版" in listing


def test_each_list_downloads_as_excel_from_what_was_stored(books, published):
    response = Client().get(f"/public/150525/{published.pk}/excel/gifts.xlsx")
    assert response.status_code == 200 and response["Content-Type"].startswith(
        "application/vnd.openxmlformats"
    )
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = [[c for c in row] for row in sheet.iter_rows(values_only=True)]
    header = rows.index(
        ["日期", "捐赠人", "方式", "物资名称", "数量", "计量单位", "现金（元）", "物资折价（元）"]
    )
    assert [r[1] for r in rows[header + 1 : header + 4]] == ["奈曼旗教育系统", "爱心人士", "匿名"]
    assert rows[header + 4][0] == "合计（3条）" and rows[header + 4][6] == 249800
    assert any(published.sha256 in str(cell) for row in rows for cell in row)
    # Published when the page says it was: Beijing time, not the database's UTC.
    beijing = timezone.localtime(published.published_at).strftime("%Y-%m-%d %H:%M")
    assert ["发布时间", beijing] in [row[:2] for row in rows]
    assert Client().get(f"/public/150525/{published.pk}/excel/nothing.xlsx").status_code == 404


def test_a_work_report_s_pdf_is_served_as_published(report_pdf):
    response = Client().get(f"/public/150525/reports/{report_pdf.pk}.pdf")
    assert response.status_code == 200 and response.content == b"%PDF-1.7 as published"
    assert response["X-Checksum-SHA256"] == report_pdf.sha256


@pytest.mark.parametrize(
    "path",
    [
        "/public/999999/",
        "/public/15052/",
        "/public/abcdef/",
        "/public/150525/999999/",
        "/public/150521/{pk}/",
        "/public/150525/reports/999.pdf",
        "/public/１５０５２５/",
    ],
)
def test_unknown_codes_and_other_chapters_versions_are_a_chinese_404(books, published, path):
    response = Client().get(path.format(pk=published.pk))
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()


def test_a_prepared_but_unpublished_disclosure_is_not_public(books, drive_disclosure):
    page = Client().get("/public/150525/").content.decode()
    assert "尚未发布信息公开" in page and "疫情防控专项募捐" not in page


def test_no_public_page_holds_a_beneficiary_s_name_id_or_phone_number(books, published, report_pdf):
    from disclosure.choices import DisclosureKind
    from disclosure.services import disclosure_prepare, disclosure_publish

    for subject in (
        {"kind": DisclosureKind.PERIOD, "period": "2020"},
        {"kind": DisclosureKind.PROJECT, "project": books.project, "as_of": datetime.date(2020, 12, 31)},
    ):
        disclosure_publish(
            disclosure=disclosure_prepare(chapter=books.chapter, user=books.staff, **subject),
            user=books.leader,
        )
    client = Client()
    listing = client.get("/public/150525/").content.decode()
    pages = [listing] + [
        client.get(url).content.decode() for url in set(re.findall(r'href="(/public/150525/\d+/)"', listing))
    ]
    pages.append(
        client.post(
            "/public/150525/lookup/", {"receipt": "NM2020-0001", "name": "奈曼旗教育系统"}
        ).content.decode()
    )
    assert len(pages) == 5
    for page in pages:
        assert not ID_NUMBER.search(page) and not PHONE.search(page)
        for secret in (PERSON_NAME, PERSON_ID, PERSON_PHONE, TOWNSHIP, "尿毒症", "赵明", "钱多多"):
            assert secret not in page

"""Phones and paper, outside the browser: ledgers that open in Excel ready to print and file, the
fund ledger page by period and page, the favicon, the language menu, and English figures that
read as English (the phone widths and the print stylesheet are in test_browser_phone.py)."""

import datetime
import re
from decimal import Decimal
from pathlib import Path
from urllib.parse import unquote

from django.conf import settings
from django.contrib.staticfiles import finders
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from redcross.choices import Role
from redcross.money import PAYMENTS, SESSIONS, format_cases, format_count, format_yuan

from .factories import DisbursementFactory, DonationFactory, FundFactory

D = datetime.date


def saved_name(response):
    """The file name a browser saves a download under (RFC 6266 ``filename*``)."""
    return unquote(re.search(r"filename\*=utf-8''(.+)$", response["Content-Disposition"]).group(1))


def download(client, key, data):
    """POSTs an export: (the file name the browser saves, the workbook's first sheet)."""
    response = client.post(reverse("export-create", args=[key]), data)
    assert response.status_code == 200, response.content[:500]
    path = Path(settings.MEDIA_ROOT) / "download.xlsx"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"".join(response.streaming_content))
    return saved_name(response), load_workbook(path).worksheets[0]


# --- ledgers in Excel ---------------------------------------------------------------------------


def test_a_ledger_opens_ready_to_print_with_its_exporter_and_a_name_saying_what_it_holds(
    client, tree, member
):
    auditor = member(Role.AUDITOR, tree.naiman, "demo-auditor")
    auditor.first_name, auditor.last_name = "审计", "王"
    auditor.save()
    DisbursementFactory(chapter=tree.naiman, date=D(2020, 3, 1), cash_amount=Decimal("100.00"))
    DisbursementFactory(chapter=tree.naiman, date=D(2020, 8, 1), cash_amount=Decimal("200.00"))
    client.force_login(auditor)

    name, sheet = download(client, "disbursements", {"date_after": "2020-01-01", "date_before": "2020-12-31"})

    # Landscape A4, every column on the page's width, as many pages down as it takes.
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.sheet_properties.pageSetUpPr.fitToPage is True
    assert (sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight) == (1, 0)
    assert sheet.page_setup.paperSize == 9
    # The header row repeats on every printed page: the row the print titles name is the header.
    assert sheet.print_title_rows == "$9:$9"
    header = [c.value for c in sheet[9] if c.value]
    assert header[:2] == ["发放日期", "红十字会"] and "现金金额" in header
    assert sheet.oddFooter.center.text == "第 &P 页，共 &N 页"
    # The person who exported it by name, not by login.
    meta = {row[0].value: row[1].value for row in sheet.iter_rows(min_row=2, max_row=7)}
    assert meta["导出人"] == "审计 王"  # Django's get_full_name: first name, a space, last name
    # Chapter, ledger and period in the file's name.
    assert name == "150525-救助支出明细账-2020年.xlsx"


def test_two_exports_of_different_filters_get_different_names(client, tree, member, category):
    auditor = member(Role.AUDITOR, tree.naiman)  # no full name: the login stands in
    client.force_login(auditor)
    DisbursementFactory(chapter=tree.naiman, date=D(2020, 3, 1))
    period = {"date_after": "2020-01-01", "date_before": "2020-06-30"}

    half, sheet = download(client, "disbursements", period)
    illness, _ = download(client, "disbursements", {**period, "category": category["重特大疾病救助"].pk})
    march, _ = download(client, "disbursements", {"date_after": "2020-03-01", "date_before": "2020-03-31"})
    odd, _ = download(client, "disbursements", {"date_after": "2020-03-02", "date_before": "2020-04-15"})
    since, _ = download(client, "disbursements", {"date_after": "2020-03-02"})

    assert half == "150525-救助支出明细账-2020年上半年.xlsx"
    assert illness == "150525-救助支出明细账-2020年上半年-重特大疾病救助.xlsx"
    assert march == "150525-救助支出明细账-2020年3月.xlsx"
    assert odd == "150525-救助支出明细账-20200302-20200415.xlsx"
    assert since == "150525-救助支出明细账-20200302起.xlsx"
    meta = {row[0].value: row[1].value for row in sheet.iter_rows(min_row=2, max_row=7)}
    assert meta["导出人"] == auditor.username
    # Named in the workbook's language whatever the page's.
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert download(client, "disbursements", period)[0] == half


def test_the_ledgers_page_names_the_chapter_it_was_asked_for(client, tree, member):
    """A city's auditor exporting a county's fund ledger gets the county's code in the name."""
    auditor = member(Role.AUDITOR, tree.tongliao)
    FundFactory(chapter=tree.naiman, name="博爱一日捐")
    client.force_login(auditor)
    response = client.post(
        reverse("ledgers"),
        {
            "ledger": "funds",
            "chapter": tree.naiman.pk,
            "date_after": "2020-07-01",
            "date_before": "2020-12-31",
        },
    )
    assert saved_name(response) == "150525-基金收支明细账-2020年下半年.xlsx"


# --- the fund ledger page -----------------------------------------------------------------------


def figure(html, name):
    return re.search(rf'data-figure="{name}"[^>]*>([^<]*)<', html).group(1)


def test_the_fund_ledger_page_shows_a_period_with_its_opening_balance_and_pages(
    client, tree, member, settings
):
    fund = FundFactory(chapter=tree.naiman, name="博爱一日捐")
    for month in range(1, 13):
        DonationFactory(fund=fund, date=D(2020, month, 5), amount=Decimal("1000.00") * month)
    client.force_login(member(Role.AUDITOR, tree.naiman))
    url = reverse("donations:fund-detail", args=[fund.pk])

    html = client.get(url, {"date_after": "2020-07-01", "date_before": "2020-09-30"}).content.decode()
    # July to September only, their balance running on from what came before July (1+…+6 thousand).
    assert re.findall(r'<td><a href="[^"]*">(2020-\d\d-\d\d)</a>', html) == [
        "2020-07-05",
        "2020-08-05",
        "2020-09-05",
    ]
    assert figure(html, "opening") == "21,000.00"
    assert figure(html, "closing") == "45,000.00"
    assert re.findall(r"data-balance>([^<]*)<", html) == ["28,000.00", "36,000.00", "45,000.00"]
    # The export button carries the period, so the workbook holds what the page shows.
    assert 'name="date_after" value="2020-07-01"' in html and f'name="fund" value="{fund.pk}"' in html

    # Pages keep the period.
    from donations import views

    original = views.LEDGER_PAGE_SIZE
    views.LEDGER_PAGE_SIZE = 2
    try:
        html = client.get(url, {"date_after": "2020-07-01", "date_before": "2020-09-30"}).content.decode()
        assert "共 3 条" in html
        # The next page continues from the page's last entry (a cursor), keeping the period.
        period = r"date_after=2020-07-01&amp;date_before=2020-09-30"
        (after,) = re.findall(rf'href="\?{period}&amp;after=([^"&]+)"', html)
        html = client.get(
            url, {"date_after": "2020-07-01", "date_before": "2020-09-30", "after": after}
        ).content.decode()
        assert re.findall(r"data-balance>([^<]*)<", html) == ["45,000.00"]
    finally:
        views.LEDGER_PAGE_SIZE = original


def test_a_bad_period_on_the_fund_page_is_named_not_a_500(client, tree, member):
    fund = FundFactory(chapter=tree.naiman)
    DonationFactory(fund=fund, date=D(2020, 5, 5))
    client.force_login(member(Role.AUDITOR, tree.naiman))
    url = reverse("donations:fund-detail", args=[fund.pk])
    response = client.get(url, {"date_after": "2020-13-45"})
    assert response.status_code == 200
    assert re.search(r'class="field has-error">\s*<label[^>]*>期间</label>', response.content.decode())
    response = client.get(url, {"date_after": "2020-12-01", "date_before": "2020-01-01"})
    assert "截止日期不能早于起始日期" in response.content.decode()
    # The whole ledger stands in for a period that is not one.
    assert re.findall(r"data-balance>([^<]*)<", response.content.decode()) == ["10,000.00"]


# --- favicon, language menu, English figures ---------------------------------------------------


def test_every_page_has_the_red_cross_favicon(client):
    html = client.get(reverse("login")).content.decode()
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in html
    svg = Path(finders.find("favicon.svg")).read_text()
    assert "<svg" in svg and "#c8161d" in svg
    assert Path(finders.find("favicon.ico")).read_bytes()[:4] == b"\x00\x00\x01\x00"  # an ICO


def test_the_language_menu_names_each_language_in_its_own_words(client, staff):
    client.force_login(staff)
    for language in ("zh-hans", "en"):
        client.post(reverse("set_language"), {"language": language, "next": "/"})
        html = client.get(reverse("aid:disbursement-list")).content.decode()
        options = re.findall(r'<option value="(zh-hans|en)"[^>]*>([^<]*)</option>', html)
        assert options == [("zh-hans", "中文"), ("en", "English")], language
        assert "英语" not in html


def test_the_post_beside_the_name_reads_in_either_language(client, staff):
    client.force_login(staff)
    assert "奈曼旗红十字会工作人员" in client.get("/aid/").content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert "奈曼旗红十字会 Staff" in client.get("/aid/").content.decode()


def test_figures_in_english_are_whole_numbers_with_their_words():
    with translation.override("en"):
        assert format_yuan(Decimal("33500")) == "33,500 yuan"
        assert format_yuan(Decimal("262000.00")) == "262,000 yuan"
        assert format_yuan(Decimal("1234.50")) == "1,234.5 yuan"
        assert format_count(1) == "1 person"
        assert format_count(2) == "2 people"
        assert format_count(11000) == "11,000 people"
        assert format_count(1, PAYMENTS) == "1 payment"
        assert format_count(3, SESSIONS) == "3 sessions"
        assert format_cases(140, 117) == "140 cases (117 people)"
        assert format_cases(1, 1) == "1 case"
    # And in Chinese as the reports write them.
    assert format_yuan(Decimal("33500")) == "3.35万元"
    assert format_count(11000) == "1.1万人"
    assert format_count(3, SESSIONS) == "3期"
    assert format_cases(140, 117) == "140例(117人)"

"""The donor lookup: receipt number and name give that gift, its receipt and the published use of
its drive or, for a restricted gift, what its fund spent on that purpose; every wrong combination
gets the same answer by the same path, and misses are rate-limited per address like the login."""

import datetime
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from disclosure.models import LookupFailure
from redcross.money import format_money

D = datetime.date
URL = "/public/150525/lookup/"


def ask(client, receipt, name, address="10.0.0.1"):
    return client.post(URL, {"receipt": receipt, "name": name}, REMOTE_ADDR=address)


def answer(response):
    """The page without what differs between any two requests (the form's CSRF token)."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())


def test_the_right_pair_shows_the_gift_its_receipt_and_the_published_use(books, published):
    page = ask(Client(), "NM2020-0001", "奈曼旗教育系统").content.decode()
    assert (
        "241,800.00 元" in page
        and "NM2020-0001（2020-02-03开具）" in page
        and "疫情防控专项募捐（2020）" in page
    )
    assert f'href="/public/150525/{published.pk}/"' in page
    assert "累计使用合计（元）" in page and "192,000.00" in page
    assert not LookupFailure.objects.exists()


def test_a_gift_to_a_drive_not_yet_disclosed_says_so(books):
    page = ask(Client(), " NM2020-0002 ", "赵明").content.decode()  # spaces around the number are forgiven
    assert "5,000.00 元" in page and "该募捐活动或基金的使用情况尚未公示。" in page


def test_a_restricted_gift_shows_what_was_spent_on_its_purpose(books):
    page = ask(Client(), "NM2020-0019", "北京市通州区红十字会").content.decode()
    assert "限定用途：助学" in page and "限定用途“助学”的支出" in page
    table = page[page.index('id="restricted-use"') :]
    assert re.search(r"<td>助学</td><td class=\"num\">25</td><td class=\"num\">50,000.00</td>", table)


@pytest.fixture
def general_gifts(books):
    """Two unrestricted gifts outside any drive, into the chapter's general fund: one in March,
    one in August 2020."""
    from tests.factories import DonationFactory, DonorFactory, FundFactory, ReceiptFactory

    fund = FundFactory(chapter=books.chapter, name="非限定性捐赠")
    donor = DonorFactory(chapter=books.chapter, name="孙丽华")
    for day, number, amount in (
        (D(2020, 3, 8), "NM2020-0031", "800.00"),
        (D(2020, 8, 1), "NM2020-0032", "2000.00"),
    ):
        ReceiptFactory(
            donation=DonationFactory(fund=fund, donor=donor, date=day, amount=Decimal(amount)), number=number
        )
    return fund


def publish_period(books, period, as_of):
    from disclosure.choices import DisclosureKind
    from disclosure.services import disclosure_prepare, disclosure_publish

    disclosure = disclosure_prepare(
        chapter=books.chapter, user=books.staff, kind=DisclosureKind.PERIOD, period=period, as_of=as_of
    )
    return disclosure_publish(disclosure=disclosure, user=books.leader)


def test_a_general_gift_outside_a_drive_says_its_period_disclosure_is_not_yet_published(books, general_gifts):
    page = ask(Client(), "NM2020-0032", "孙丽华").content.decode()
    assert "2,000.00 元" in page
    assert "这笔捐赠不属于募捐活动，也未限定用途，与本会其他非限定捐赠一并使用" in page
    assert (
        "涵盖该捐赠日期的2020年期间公示尚未发布，"
        '发布后可在<a href="/public/150525/">本会信息公开</a>页面查看。' in page
    )
    assert "该募捐活动或基金的使用情况尚未公示" not in page


def test_a_general_gift_outside_a_drive_shows_the_period_disclosure_covering_its_day(books, general_gifts):
    half = publish_period(books, "2020H1", D(2020, 6, 30))
    # March: the first half's disclosure covers it.
    page = ask(Client(), "NM2020-0031", "孙丽华").content.decode()
    assert f'href="/public/150525/{half.pk}/"' in page
    use = page[page.index('id="period-use"') :]
    assert re.search(r"使用合计（元）</th><td class=\"num\">[0-9,.]+</td>", use)
    # August: the first half does not reach it, and the year is not published yet.
    page = ask(Client(), "NM2020-0032", "孙丽华").content.decode()
    assert f"/public/150525/{half.pk}/" not in page and "涵盖该捐赠日期的2020年期间公示尚未发布" in page
    early = publish_period(books, "2020", D(2020, 7, 31))  # the year's, cut before the gift
    page = ask(Client(), "NM2020-0032", "孙丽华").content.decode()
    assert f"/public/150525/{early.pk}/" not in page and "涵盖该捐赠日期的2020年期间公示尚未发布" in page
    year = publish_period(books, "2020", D(2020, 12, 31))
    assert year.version == 2
    used = {i["key"]: i["value"] for i in year.content["summary"]}["used"]
    for number in ("NM2020-0031", "NM2020-0032"):  # the year's, cut later, for both
        page = ask(Client(), number, "孙丽华").content.decode()
        assert f'href="/public/150525/{year.pk}/"' in page and f"/public/150525/{half.pk}/" not in page
        figures = page[page.index('id="period-use"') :]
        assert f'使用合计（元）</th><td class="num">{format_money(used)}</td>' in figures


WRONG = [
    ("NM2020-0001", "奈曼旗教育"),  # the receipt exists, the name is wrong
    ("NM2020-9999", "奈曼旗教育系统"),  # no such receipt
    ("NM2020-0002", "奈曼旗教育系统"),  # a receipt of someone else
    ("x" * 10000, "奈曼旗教育系统"),  # malformed
    ("NM2020-0001", "奈" * 10000),
    ("NM2020\x00-0001", "奈曼旗教育系统"),
    ("", ""),
]


def test_every_wrong_combination_gets_the_same_answer_by_the_same_path(books, published):
    answers, shapes = set(), set()
    for number, name in WRONG:
        LookupFailure.objects.all().delete()
        with CaptureQueriesContext(connection) as queries:
            response = ask(Client(), number, name)
        assert response.status_code == 200
        answers.add(answer(response))
        # The same statements, whatever was typed (only the values bound to them differ).
        shapes.add(tuple(re.sub(r"'[^']*'|\b\d+\b", "?", q["sql"]) for q in queries.captured_queries))
    assert len(answers) == 1 and len(shapes) == 1
    assert "未找到与该票据号和捐赠人名称相符的捐赠" in answers.pop()


def test_a_voided_receipt_or_gift_answers_nothing(books):
    receipt = books.receipts[0]
    receipt.voided_at, receipt.void_reason = datetime.datetime(2020, 3, 1, tzinfo=datetime.UTC), "抬头有误"
    receipt.save()
    assert "未找到" in ask(Client(), "NM2020-0001", "奈曼旗教育系统").content.decode()


def test_five_misses_lock_that_address_out_for_the_cool_off(books, settings):
    client = Client()
    for _ in range(5):
        assert ask(client, "NM2020-9999", "谁").status_code == 200
    locked = ask(client, "NM2020-0001", "奈曼旗教育系统")  # even the right pair, from there
    assert locked.status_code == 429 and "查询失败次数过多，已暂停查询 15 分钟" in locked.content.decode()
    assert "241,800.00" not in locked.content.decode()
    assert (
        ask(Client(), "NM2020-0001", "奈曼旗教育系统", address="10.0.0.2").status_code == 200
    )  # another address
    LookupFailure.objects.update(
        at=datetime.datetime.now(datetime.UTC) - settings.AXES_COOLOFF_TIME - datetime.timedelta(minutes=1)
    )
    assert "241,800.00" in ask(client, "NM2020-0001", "奈曼旗教育系统").content.decode()


def test_nothing_typed_is_kept(books):
    ask(Client(), "NM2020-0001", "王小二")
    assert list(LookupFailure.objects.values_list("address", flat=True)) == ["10.0.0.1"]


@pytest.mark.parametrize("code", ["999999", "abc"])
def test_the_lookup_of_an_unknown_chapter_is_a_404(db, code):
    assert Client().get(f"/public/{code}/lookup/").status_code == 404

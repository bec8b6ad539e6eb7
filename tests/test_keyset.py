"""Keyset pagination (issue 19): the record lists page through the index that orders them, never
counting or skipping rows; every row is seen once going forward and back; a forged cursor is a
Chinese 400, never a 500."""

import base64
import datetime
import html as htmllib
import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from aid.models import Disbursement
from donations.models import Donor
from redcross.views import generic

from .factories import DisbursementFactory, DonorFactory

D = datetime.date


@pytest.fixture
def small_pages():
    original = generic.RecordListView.paginate_by
    generic.RecordListView.paginate_by = 3
    yield 3
    generic.RecordListView.paginate_by = original


def link(html, rel):
    found = re.search(rf'<a href="([^"]*)" rel="{rel}">', html)
    return htmllib.unescape(found.group(1)) if found else None


def payment_ids(html):
    return [int(pk) for pk in re.findall(r'href="/aid/(\d+)/"', html)]


def walk(client, url, start, rel):
    """The ids of every page reached from ``start`` following the ``rel`` links."""
    pages, query = [], start
    while query is not None:
        html = client.get(url + query).content.decode()
        pages.append(payment_ids(html))
        query = link(html, rel)
    return pages


def test_every_payment_is_seen_once_forward_and_back_in_the_lists_order(client, tree, staff, small_pages):
    # Ten payments, several on one day: the order is date, then number, newest first.
    days = [D(2020, 3, 1), D(2020, 3, 2), D(2020, 3, 2), D(2020, 3, 2), D(2020, 3, 5)] * 2
    for day in days:
        DisbursementFactory(chapter=tree.naiman, date=day)
    expected = list(Disbursement.all_objects.order_by("-date", "-pk").values_list("pk", flat=True))
    client.force_login(staff)
    url = reverse("aid:disbursement-list")

    forward = walk(client, url, "?", "next")
    assert [len(page) for page in forward] == [3, 3, 3, 1]
    assert [pk for page in forward for pk in page] == expected

    back = walk(client, url, "?page=last", "prev")
    assert back[0] == expected[-3:]  # the last page is full, counted from the end
    assert [pk for page in reversed(back) for pk in page] == expected

    # The first page offers no way back; the last no way on.
    first = client.get(url).content.decode()
    assert link(first, "prev") is None and link(first, "first") is None and link(first, "next")
    last = client.get(url + "?page=last").content.decode()
    assert link(last, "next") is None and link(last, "last") is None and link(last, "first") == "?"


def test_a_page_keeps_the_lists_filters_and_neither_counts_nor_skips(client, tree, staff, small_pages):
    for day in range(1, 9):
        DisbursementFactory(chapter=tree.naiman, date=D(2020, 3, day))
    DisbursementFactory(chapter=tree.naiman, date=D(2021, 1, 1))
    client.force_login(staff)
    url = reverse("aid:disbursement-list")
    html = client.get(url, {"date_after": "2020-01-01", "date_before": "2020-12-31"}).content.decode()
    following = link(html, "next")
    assert following.startswith("?date_after=2020-01-01&date_before=2020-12-31&after=")
    with CaptureQueriesContext(connection) as queries:
        html = client.get(url + following).content.decode()
    dates = re.findall(r">(2020-03-0\d)</a>", html)
    assert dates == ["2020-03-05", "2020-03-04", "2020-03-03"]
    page_query = next(
        q["sql"]
        for q in queries.captured_queries
        if 'FROM "aid_disbursement"' in q["sql"] and "LIMIT 4" in q["sql"]
    )
    assert "OFFSET" not in page_query
    # The page's rows are sought from the cursor's day on, not read from the list's start.
    assert '"aid_disbursement"."date" <=' in page_query or '"aid_disbursement"."date" <= ' in page_query


def test_a_list_ordered_by_name_pages_by_name(client, tree, staff, small_pages):
    names = ["王五", "张三", "李四", "赵六", "钱七", "孙八", "周九"]
    for name in names:
        DonorFactory(chapter=tree.naiman, name=name)
    expected = list(
        Donor.objects.filter(chapter=tree.naiman).order_by("name", "pk").values_list("name", flat=True)
    )
    client.force_login(staff)
    url = reverse("donations:donor-list")
    seen, query = [], "?"
    while query is not None:
        html = client.get(url + query).content.decode()
        seen += [n for n in re.findall(r">([^<>]{2})</a>", html) if n in names]
        query = link(html, "next")
    assert seen == expected


def forged(values):
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "cursor",
    [
        "abc",
        "%%%",
        forged(["2020-13-45", "1"]),
        forged(["2020-01-01"]),
        forged(["2020-01-01", "x"]),
        forged(["2020-01-01", "99999999999999999999999"]),
        forged(["2020-01-01", 5]),
        forged({"a": 1}),
        forged(["2020-01-01\x00", "1"]),
        base64.urlsafe_b64encode(b"\xff\xfe").decode(),
    ],
)
@pytest.mark.parametrize("direction", ["after", "before"])
def test_a_forged_cursor_is_a_chinese_400_and_not_a_500(client, tree, staff, cursor, direction):
    DisbursementFactory(chapter=tree.naiman, date=D(2020, 3, 1))
    client.force_login(staff)
    response = client.get(reverse("aid:disbursement-list"), {direction: cursor})
    assert response.status_code == 400
    assert "分页参数无效：请从列表的第一页重新翻页" in response.content.decode()

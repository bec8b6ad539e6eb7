"""The demo: idempotent, and its 2020 relief figures for 150525 are the seed report's."""

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.urls import reverse

from aid.models import Beneficiary, Disbursement
from donations.models import Donation
from redcross.models import Chapter, Membership

from .test_home import relief_rows


@pytest.fixture
def demo(db):
    call_command("load_demo", stdout=open("/dev/null", "w"))


def test_load_demo_is_idempotent(demo):
    counts = (
        Chapter.objects.count(),
        Membership.objects.count(),
        Disbursement.objects.count(),
        Beneficiary.objects.count(),
        Donation.objects.count(),
    )
    call_command("load_demo", stdout=open("/dev/null", "w"))
    assert (
        Chapter.objects.count(),
        Membership.objects.count(),
        Disbursement.objects.count(),
        Beneficiary.objects.count(),
        Donation.objects.count(),
    ) == counts


DEMO_ACCOUNTS = [
    ("demo-staff", "150525", "staff"),
    ("demo-leader", "150525", "leader"),
    ("demo-auditor", "150525", "auditor"),
    ("demo-admin", "150525", "admin"),
    ("demo-city", "610900", "leader"),
]


def test_demo_chapters_and_accounts_are_those_of_the_design(demo):
    paths = dict(Chapter.objects.values_list("code", "path"))
    assert paths["150525"] == "150000/150500/150525/"
    assert {c.code for c in Chapter.objects.get(code="610900").children.all()} == {
        "610921",
        "610922",
        "610923",
        "610924",
    }
    for username, chapter, role in DEMO_ACCOUNTS:
        user = authenticate(username=username, password="redcross-demo")
        assert user is not None, username
        assert list(user.memberships.values_list("chapter__code", "role")) == [(chapter, role)]


def test_the_home_page_for_2020_reads_like_the_seed_report(demo, client):
    """000_68b5a3f6f589a620.txt: 26.2万元 to 109, 8.9万元 to 178, 140例(117人), and the rest."""
    client.login(username="demo-leader", password="redcross-demo")
    rows = relief_rows(client.get(reverse("home"), {"year": 2020}).content.decode())
    assert rows["重特大疾病救助"][:2] == ("26.2万元", "109人")
    assert rows["救灾救助"][:2] == ("8.9万元", "178人")
    assert rows["光明行白内障手术"][2] == "140例(117人)"
    assert rows["白血病儿童救助"][:2] == ("4.5万元", "15人")
    assert rows["助学"][:2] == ("11万元", "105人")
    assert rows["困难群众慰问"][:2] == ("6000元", "3人")
    assert rows["博爱送万家"][:2] == ("54.3万元", "1.1万人")
    assert rows["其他救助"][:2] == ("1.2万元", "12人")


def test_the_demo_city_sees_its_four_counties_for_2023(demo, client):
    client.login(username="demo-city", password="redcross-demo")
    html = client.get(reverse("home")).content.decode()
    assert "安康市红十字会 2023年工作数据" in html
    assert relief_rows(html)["博爱送万家"][:2] == ("41万元", "1万人")

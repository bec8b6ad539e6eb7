"""The home page: the chapter's figures for a year, each a link to the records behind it."""

import re
from decimal import Decimal

from django.urls import reverse

from redcross.choices import Role

from .factories import DisbursementFactory


def relief_rows(html):
    """{category: (amount, persons, cases)} as the home page's relief table writes them."""
    rows = {}
    for category, cells in re.findall(r'<tr data-category="([^"]+)">(.*?)</tr>', html, re.S):
        texts = re.findall(r"<a [^>]*>([^<]*)</a>", cells)
        rows[category] = tuple(texts[1:4])
    return rows


def test_the_home_page_shows_the_latest_year_per_category(client, member, tree, category):
    import datetime

    DisbursementFactory(chapter=tree.naiman, date=datetime.date(2019, 3, 1), cash_amount=Decimal("99999"))
    for _ in range(3):
        DisbursementFactory(
            chapter=tree.naiman,
            category=category["助学"],
            cash_amount=Decimal("2000"),
            date=datetime.date(2020, 9, 1),
        )
    client.force_login(member(Role.LEADER, tree.naiman))

    html = client.get(reverse("home")).content.decode()

    assert "奈曼旗红十字会 2020年工作数据" in html
    assert relief_rows(html) == {"助学": ("6000元", "3人", "3例"), "total": ("6000元", "3人", "3例")}


def test_each_figure_links_to_the_filtered_list_that_gives_it(client, member, tree, category):
    import datetime

    DisbursementFactory(
        chapter=tree.naiman,
        category=category["助学"],
        cash_amount=Decimal("12345.67"),
        date=datetime.date(2020, 9, 1),
    )
    DisbursementFactory(
        chapter=tree.naiman,
        category=category["救灾救助"],
        cash_amount=Decimal("1"),
        date=datetime.date(2020, 9, 1),
    )
    client.force_login(member(Role.LEADER, tree.naiman))
    html = client.get(reverse("home"), {"year": 2020}).content.decode()

    link = (
        re.search(r'<tr data-category="助学">.*?<a href="([^"]+)"', html, re.S).group(1).replace("&amp;", "&")
    )
    listing = client.get(link).content.decode()

    assert re.search(r'data-figure="amount">([^<]*)<', listing).group(1) == "12,345.67"
    assert "（1.23万元）" in listing


def test_a_city_sees_its_counties_rolled_up_and_may_pick_one(client, member, tree, category):
    DisbursementFactory(chapter=tree.naiman, cash_amount=Decimal("30000"))
    DisbursementFactory(chapter=tree.horqin, cash_amount=Decimal("20000"))
    client.force_login(member(Role.LEADER, tree.tongliao))

    assert relief_rows(client.get(reverse("home")).content.decode())["total"][0] == "5万元"
    county = client.get(reverse("home"), {"chapter": "150521"}).content.decode()
    assert relief_rows(county)["total"][0] == "2万元"


def test_another_branch_is_not_found_from_the_home_page(client, member, tree):
    client.force_login(member(Role.LEADER, tree.tongliao))
    assert client.get(reverse("home"), {"chapter": "610900"}).status_code == 404


def test_the_home_page_and_the_year_report_say_the_same_relief(client, member, tree, category):
    """One reading of the relief figures: a person paid twice in two categories (one person in
    all, one in each), a group of 40, a payment of the county below; the home page's table and
    the year report's figures agree, figure by figure."""
    import datetime

    from reports.choices import ReportKind
    from reports.figures import report_data
    from reports.periods import Period

    from .factories import BeneficiaryFactory, DisbursementFactory

    day = datetime.date(2020, 5, 4)
    person = BeneficiaryFactory(chapter=tree.tongliao)
    pay = DisbursementFactory
    pay(
        chapter=tree.tongliao,
        category=category["助学"],
        beneficiary=person,
        cash_amount=Decimal("1000"),
        date=day,
    )
    pay(
        chapter=tree.tongliao,
        category=category["救灾救助"],
        beneficiary=person,
        cash_amount=Decimal("500"),
        date=day,
    )
    pay(
        chapter=tree.tongliao,
        category=category["救灾救助"],
        beneficiary=None,
        head_count=40,
        cases=40,
        cash_amount=Decimal("0"),
        in_kind_amount=Decimal("8000"),
        date=day,
    )
    pay(chapter=tree.naiman, category=category["助学"], cash_amount=Decimal("2500"), date=day)
    client.force_login(member(Role.LEADER, tree.tongliao))

    home = relief_rows(client.get(reverse("home"), {"year": 2020}).content.decode())
    figures = report_data(tree.tongliao, Period(2020, ReportKind.YEAR))

    assert home == {
        "助学": ("3500元", "2人", "2例"),
        "救灾救助": ("8500元", "41人", "41例"),
        "total": ("1.2万元", "42人", "43例(42人)"),
    }
    for name in ("助学", "救灾救助"):
        assert home[name][:2] == (
            figures[f"relief.{name}.amount"].text,
            figures[f"relief.{name}.persons"].text,
        )
    assert figures["relief.救灾救助.case_count"].value == 41
    assert home["total"] == (
        figures["relief.total.amount"].text,
        figures["relief.total.persons"].text,
        figures["relief.total.cases"].text,
    )

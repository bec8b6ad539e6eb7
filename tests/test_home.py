"""The home page: the chapter's figures for a year, each a link to the records behind it."""

import re
from decimal import Decimal
from types import SimpleNamespace

import pytest
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


# --- The year at a glance: the charts ------------------------------------------------------------


def chart_marks(html, chart_id):
    """The marks of chart ``chart_id``: each its link and data attributes (value, month, name …)."""
    import html as html_lib

    figure = re.search(rf'<figure class="chart" id="{chart_id}">(.*?)</figure>', html, re.S).group(1)
    marks = []
    for href, attributes, title in re.findall(
        r'<a href="([^"]*)" class="mark"([^>]*)><title>([^<]*)</title>', figure
    ):
        mark = {
            key: html_lib.unescape(value) for key, value in re.findall(r'data-(\w+)="([^"]*)"', attributes)
        }
        mark.update(href=html_lib.unescape(href), title=html_lib.unescape(title))
        marks.append(mark)
    return marks


def exact(html, pattern):
    """The exact amount a table cell gives in its title (``title="12,345.67 元"``) after ``pattern``."""
    text = re.search(pattern + r'.*?title="([\d,.-]+) 元"', html, re.S).group(1)
    return Decimal(text.replace(",", ""))


@pytest.fixture
def year_2020(tree, category):
    """A county's 2020 and 2019: relief in March and September (and last March), gifts to a drive
    with a goal and outside it, training against a target, a project that went over its budget in
    2020 and one that goes over only in 2021."""
    import datetime

    from .factories import (
        DonationFactory,
        DriveFactory,
        ExpenditureFactory,
        FundFactory,
        ProjectFactory,
        SessionFactory,
        TargetFactory,
    )

    naiman = tree.naiman
    pay = DisbursementFactory
    pay(
        chapter=naiman,
        category=category["助学"],
        cash_amount=Decimal("12000.50"),
        date=datetime.date(2020, 3, 2),
    )
    pay(
        chapter=naiman,
        category=category["救灾救助"],
        cash_amount=Decimal("0"),
        in_kind_amount=Decimal("3000.25"),
        beneficiary=None,
        head_count=30,
        cases=30,
        date=datetime.date(2020, 3, 31),
    )
    pay(
        chapter=naiman,
        category=category["助学"],
        cash_amount=Decimal("45000"),
        date=datetime.date(2020, 9, 10),
    )
    pay(
        chapter=naiman, category=category["助学"], cash_amount=Decimal("7000"), date=datetime.date(2019, 3, 5)
    )
    fund = FundFactory(chapter=naiman)
    drive = DriveFactory(fund=fund, goal=Decimal("50000"))
    DonationFactory(fund=fund, drive=drive, amount=Decimal("30000"), date=datetime.date(2020, 5, 8))
    DonationFactory(fund=fund, drive=drive, amount=Decimal("25000.10"), date=datetime.date(2020, 6, 1))
    DonationFactory(fund=fund, amount=Decimal("800"), date=datetime.date(2020, 6, 20))
    DonationFactory(fund=fund, amount=Decimal("9000"), date=datetime.date(2019, 6, 20))
    SessionFactory(chapter=naiman, person_times=120, date=datetime.date(2020, 4, 1))
    SessionFactory(chapter=naiman, person_times=80, date=datetime.date(2020, 10, 1))
    TargetFactory(chapter=naiman, year=2020, person_times=400)
    over = ProjectFactory(chapter=naiman, name="示范校", budget=Decimal("20000"))
    ExpenditureFactory(project=over, amount=Decimal("15000"), date=datetime.date(2020, 5, 1))
    ExpenditureFactory(project=over, amount=Decimal("6000"), date=datetime.date(2020, 11, 1))
    later = ProjectFactory(chapter=naiman, name="博爱家园", budget=Decimal("10000"))
    ExpenditureFactory(project=later, amount=Decimal("8000"), date=datetime.date(2020, 7, 1))
    ExpenditureFactory(project=later, amount=Decimal("5000"), date=datetime.date(2021, 2, 1))
    return SimpleNamespace(drive=drive, over=over, later=later)


def test_the_charts_draw_the_figures_the_tables_give(client, member, tree, year_2020):
    client.force_login(member(Role.LEADER, tree.naiman))
    html = client.get(reverse("home"), {"year": 2020}).content.decode()

    relief = chart_marks(html, "relief-chart")
    by_month = {(m["series"], m["month"]): Decimal(m["value"]) for m in relief}
    assert by_month == {
        ("2019年", "2019-03"): Decimal("7000.00"),
        ("2020年", "2020-03"): Decimal("15000.75"),
        ("2020年", "2020-09"): Decimal("45000.00"),
    }
    this_year = sum(v for (series, _m), v in by_month.items() if series == "2020年")
    assert this_year == exact(html, r'<tr data-category="total">')
    assert "2020年3月救助款物 1.5万元（15,000.75 元）" in [m["title"] for m in relief]

    gifts = chart_marks(html, "donations-chart")
    assert {(m["month"], m["value"]) for m in gifts} == {
        ("2019-06", "9000.00"),
        ("2020-05", "30000.00"),
        ("2020-06", "25800.10"),
    }
    this_year = sum(Decimal(m["value"]) for m in gifts if m["series"] == "2020年")
    assert this_year == exact(html, r'<tr data-drive="total">.*?<th class="num"><a')

    drives = chart_marks(html, "drives-chart")
    assert [(m["name"], m["value"], m["goal"]) for m in drives] == [("博爱一日捐", "55000.10", "50000.00")]
    assert Decimal(drives[0]["value"]) == exact(html, r'<tr data-drive="博爱一日捐">(?:.*?<a ){4}')

    training = chart_marks(html, "training-chart")
    assert [(m["name"], m["value"], m["goal"]) for m in training] == [("普及性培训", "200", "400")]
    assert "普及性培训：200人次 / 目标 400人次，完成 50%" in training[0]["title"]

    projects = {m["name"]: m for m in chart_marks(html, "projects-chart")}
    assert (projects["示范校"]["value"], projects["示范校"]["goal"], projects["示范校"]["over"]) == (
        "21000.00",
        "20000.00",
        "true",
    )
    # What 博爱家园 spends in 2021 is no part of 2020: not counted, not over its budget.
    assert (projects["博爱家园"]["value"], projects["博爱家园"]["over"]) == ("8000.00", "")
    for name, mark in projects.items():
        assert Decimal(mark["value"]) == exact(
            html, rf'<tr data-project="{name}".*?<td class="num"><a .*?</td>'
        )
    table = re.search(r'<table class="records" id="projects">.*?</table>', html, re.S).group(0)
    assert re.search(r'<tr data-project="示范校" class="flagged">', table)
    assert re.search(r'<tr data-project="博爱家园">', table)
    assert "超预算" in re.search(r'<figure class="chart" id="projects-chart">.*?</figure>', html, re.S).group(
        0
    )


def test_the_charts_are_titled_and_speak_to_a_screen_reader(client, member, tree, year_2020):
    client.force_login(member(Role.LEADER, tree.naiman))
    html = client.get(reverse("home"), {"year": 2020}).content.decode()

    figure = re.search(r'<figure class="chart" id="relief-chart">.*?</figure>', html, re.S).group(0)
    assert "<figcaption>各月救助款物（2020年与上年）</figcaption>" in figure
    label = re.search(r'<svg viewBox="0 0 360 [\d.]+" width="100%" role="img" aria-label="([^"]+)"', figure)
    assert label.group(1) == "各月救助款物（2020年与上年）：2019年合计7000元；2020年合计6万元"
    assert ">万元</text>" in figure and ">3月</text>" in figure and ">12月</text>" in figure
    assert "style=" not in html  # the content security policy refuses inline styles


def test_each_mark_links_to_the_list_whose_totals_are_the_mark(client, member, tree, year_2020):
    client.force_login(member(Role.LEADER, tree.naiman))
    html = client.get(reverse("home"), {"year": 2020}).content.decode()

    def figure(mark, name):
        listing = client.get(mark["href"]).content.decode()
        return re.search(rf'data-figure="{name}">([^<]*)<', listing).group(1).replace(",", "")

    for chart_id in ("relief-chart", "donations-chart", "drives-chart", "projects-chart"):
        for mark in chart_marks(html, chart_id):
            assert (chart_id, figure(mark, "amount")) == (chart_id, mark["value"])
    (training,) = chart_marks(html, "training-chart")
    assert figure(training, "person_times") == training["value"] == "200"


def test_a_year_without_records_says_so_instead_of_drawing(client, member, tree):
    client.force_login(member(Role.LEADER, tree.naiman))
    html = client.get(reverse("home"), {"year": 2020}).content.decode()
    assert "本年度和上年度都没有救助发放记录" in html
    assert "本年度没有项目" in html
    assert chart_marks(html, "relief-chart") == []


def test_the_home_page_costs_the_same_queries_however_many_records(client, member, tree, category):
    """21 queries: the session, the user and memberships (3), the years (1), relief by category and
    persons (2), donations by drive and their total (2), training (3), what waits for approval (3:
    payments, expenditures and goods written off),
    the chapters to choose from (1), the projects (1), and the two monthly charts (relief from the
    daily sums, gifts by month), the disclosures due (2: the drives and the projects that can be
    due, each with its last version by subquery), and the allocations from above waiting to be
    received (1, issue 20). The other charts draw the tables' rows: no query of their own."""
    import datetime

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from .factories import DonationFactory, ExpenditureFactory, FundFactory, SessionFactory

    client.force_login(member(Role.LEADER, tree.naiman))
    fund = FundFactory(chapter=tree.naiman)

    def add(month):
        day = datetime.date(2020, month, 3)
        DisbursementFactory(chapter=tree.naiman, date=day)
        DonationFactory(fund=fund, date=day)
        SessionFactory(chapter=tree.naiman, date=day)
        ExpenditureFactory(project__chapter=tree.naiman, date=day)

    add(1)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("home"), {"year": 2020})
    for month in range(2, 13):
        add(month)
    with CaptureQueriesContext(connection) as many:
        html = client.get(reverse("home"), {"year": 2020}).content.decode()

    assert len(chart_marks(html, "relief-chart")) == 12
    assert len(few.captured_queries) == len(many.captured_queries) == 21

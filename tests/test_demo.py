"""The demo: idempotent, and its 2020 relief figures for 150525 are the seed report's."""

import re
import subprocess
from decimal import Decimal

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.test import Client, RequestFactory
from django.urls import reverse

from aid.models import Beneficiary, Disbursement
from donations.models import Donation, Drive, Fund, Receipt
from donations.selectors import funds_with_balance
from goods.models import Issue, Lot
from projects.models import Expenditure, Output
from redcross.choices import ChapterLevel
from redcross.models import Chapter, Membership
from reports.models import Report, Section
from reports.services import report_pdf

from .test_home import relief_rows


def login_request():
    """A request for authenticate(): the login rate limit (django-axes) needs to know who asks."""
    return RequestFactory().post("/accounts/login/")


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
        Lot.all_objects.count(),
        Issue.all_objects.count(),
        Fund.objects.count(),
        list(Section.objects.values_list("pk", "body")),
    )
    call_command("load_demo", stdout=open("/dev/null", "w"))
    assert (
        Chapter.objects.count(),
        Membership.objects.count(),
        Disbursement.objects.count(),
        Beneficiary.objects.count(),
        Donation.objects.count(),
        Lot.all_objects.count(),
        Issue.all_objects.count(),
        Fund.objects.count(),
        list(Section.objects.values_list("pk", "body")),
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
    assert paths["150525"] == "100000/150000/150500/150525/"
    assert paths["610923"] == "100000/610000/610900/610923/"
    national = Chapter.objects.get(code="100000")
    assert (national.name, national.level, national.parent) == ("中国红十字会总会", "national", None)
    assert {c.code for c in national.children.all()} == {"150000", "610000"}
    assert {c.code for c in Chapter.objects.get(code="610900").children.all()} == {
        "610921",
        "610922",
        "610923",
        "610924",
    }
    for username, chapter, role in DEMO_ACCOUNTS:
        user = authenticate(login_request(), username=username, password="redcross-demo")
        assert user is not None, username
        assert list(user.memberships.values_list("chapter__code", "role")) == [(chapter, role)]


def test_an_older_demo_s_tree_is_moved_under_the_national_society_by_load_demo(db):
    """A database loaded before the national society headed the tree: its provinces were roots.
    Loading the demo again puts them under 100000, and every chapter below follows."""
    old = {}
    for code, name, level, parent in [
        ("150000", "内蒙古自治区红十字会", ChapterLevel.PROVINCE, None),
        ("150500", "通辽市红十字会", ChapterLevel.CITY, "150000"),
        ("150525", "奈曼旗红十字会", ChapterLevel.COUNTY, "150500"),
        ("610000", "陕西省红十字会", ChapterLevel.PROVINCE, None),
        ("610900", "安康市红十字会", ChapterLevel.CITY, "610000"),
        ("610923", "宁陕县红十字会", ChapterLevel.COUNTY, "610900"),
    ]:
        old[code] = Chapter.objects.create(code=code, name=name, level=level, parent=old.get(parent))
    assert Chapter.objects.get(code="610923").path == "610000/610900/610923/"

    call_command("load_demo", stdout=open("/dev/null", "w"))

    paths = dict(Chapter.objects.values_list("code", "path"))
    assert paths["150000"] == "100000/150000/"
    assert paths["150525"] == "100000/150000/150500/150525/"
    assert paths["610900"] == "100000/610000/610900/"
    assert paths["610923"] == "100000/610000/610900/610923/"
    assert all(path.startswith("100000/") for path in paths.values())
    # The same rows, moved: nothing made twice.
    assert {code: Chapter.objects.get(code=code).pk for code in old} == {c: ch.pk for c, ch in old.items()}


def test_the_city_receives_the_songwanjia_goods_as_an_allocation_and_gives_them_to_three_counties(demo):
    """Seed 003: 总会及省会为我市红十字会捐赠救助物资26.63万元 … 发放给宁陕、紫阳、石泉县红十字会."""
    city_lots = Lot.objects.filter(chapter__code="610900", origin="allocation").order_by("pk")
    assert [
        (lot.origin_chapter.name, lot.item.name, lot.quantity, lot.total_value, lot.fund.name)
        for lot in city_lots
    ] == [
        ("中国红十字会总会", "博爱送万家救助家庭包", Decimal("1663"), Decimal("166300.00"), "博爱送万家物资"),
        ("陕西省红十字会", "棉被、米面油等救助物资", Decimal("1000"), Decimal("100000.00"), "博爱送万家物资"),
    ]
    for lot in city_lots:
        assert lot.date.isoformat() == "2023-01-10" and lot.document_number
        assert lot.counted_by_1 and lot.counted_by_2 and lot.counted_by_1 != lot.counted_by_2
    # Not gifts: no gift of them, and no drive for them.
    assert not Donation.objects.filter(chapter__code="610900", donor__name="中国红十字会总会").exists()
    assert not Drive.objects.filter(name="红十字博爱送万家").exists()
    issues = Issue.objects.filter(chapter__code="610900").order_by("pk")
    assert [(i.date.isoformat(), i.kind, i.recipient_chapter.code, i.total_value) for i in issues] == [
        ("2023-01-14", "allocation", "610923", Decimal("110000.00")),
        ("2023-01-14", "allocation", "610924", Decimal("80000.00")),
        ("2023-01-14", "allocation", "610922", Decimal("76300.00")),
    ]
    # Each county received its goods as lots of its own, traced back to the city's lines.
    received = {
        code: sorted(
            (lot.item.name, lot.quantity, lot.total_value, lot.source_line.lot.origin_chapter.code)
            for lot in Lot.objects.filter(chapter__code=code, origin="allocation")
        )
        for code in ("610922", "610923", "610924")
    }
    assert received == {
        "610923": [("博爱送万家救助家庭包", Decimal("1100"), Decimal("110000.00"), "100000")],
        "610924": [
            ("博爱送万家救助家庭包", Decimal("563"), Decimal("56300.00"), "100000"),
            ("棉被、米面油等救助物资", Decimal("237"), Decimal("23700.00"), "610000"),
        ],
        "610922": [("棉被、米面油等救助物资", Decimal("763"), Decimal("76300.00"), "610000")],
    }
    for lot in Lot.objects.filter(chapter__code__in=["610922", "610923", "610924"]):
        assert (lot.origin_chapter.code, lot.fund.name, lot.fund.chapter_id) == (
            "610900",
            "博爱送万家物资",
            lot.chapter_id,
        )
        # Counted in on the day by two of the county's own people: not left in transit.
        assert (lot.in_transit, lot.received_on.isoformat(), lot.received_quantity) == (
            False,
            "2023-01-14",
            lot.quantity,
        )
        assert lot.counted_by_1 and lot.counted_by_2 and lot.counted_by_1 != lot.counted_by_2


def test_the_home_page_for_2020_reads_like_the_seed_report(demo, client):
    """000_68b5a3f6f589a620.txt: 26.2万元 to 109, 8.9万元 to 178, 140例(117人), and the rest."""
    client.login(request=login_request(), username="demo-leader", password="redcross-demo")
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
    client.login(request=login_request(), username="demo-city", password="redcross-demo")
    html = client.get(reverse("home")).content.decode()
    assert "安康市红十字会 2023年工作数据" in html
    assert relief_rows(html)["博爱送万家"][:2] == ("41万元", "1万人")


def table_rows(html, table_id, key):
    """{row key: cell texts} of the home page table ``table_id``, rows keyed by ``data-<key>``."""
    table = re.search(rf'<table[^>]*id="{table_id}".*?</table>', html, re.S).group(0)
    rows = {}
    for name, body in re.findall(rf'<tr data-{key}="([^"]*)"[^>]*>(.*?)</tr>', table, re.S):
        rows[name] = tuple(
            re.sub(r"<[^>]+>", "", cell).strip()
            for cell in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", body, re.S)
        )
    return rows


def test_the_2020_donations_training_and_projects_are_the_seed_reports(demo, client):
    """111.61万元 cash and 83.85万元 in kind for the epidemic, 188.7万元 博爱一日捐, two mass courses,
    the 博爱家园 projects with their outputs, the rescue point and the model school."""
    client.login(request=login_request(), username="demo-leader", password="redcross-demo")
    html = client.get(reverse("home"), {"year": 2020}).content.decode()
    drives = table_rows(html, "donations", "drive")
    assert drives["疫情防控专项募捐"][1:4] == ("111.61万元", "83.85万元", "195.46万元")
    assert drives["博爱一日捐"][1:4] == ("188.7万元", "0元", "188.7万元")
    training = table_rows(html, "training", "kind")
    assert training["普及性培训"][1:3] == ("2", "274")
    projects = table_rows(html, "projects", "project")
    assert set(projects) == {
        "振兴社区博爱家园项目",
        "锦绣家园小区博爱家园项目",
        "富康社区博爱家园项目",
        "孟家段水库应急救护点",
        "第四中学红十字示范校项目",
    }
    assert projects["富康社区博爱家园项目"][1] == "博爱家园"
    assert "超预算" in projects["第四中学红十字示范校项目"][0]

    outputs = dict(
        Output.objects.filter(project__name="振兴社区博爱家园项目").values_list("name", "quantity")
    )
    assert outputs == {"硬化整修巷道": Decimal("2"), "维修污水井": Decimal("5")}
    assert Output.objects.get(name__startswith="自动体外除颤仪").quantity == 1
    spent = Expenditure.objects.filter(
        project__name="富康社区博爱家园项目", description__startswith="爱心超市"
    )
    assert spent.get().amount == Decimal("22000.00")


def test_the_2020_drive_beats_2019_and_the_epidemic_fund_was_passed_on_in_full(demo, client):
    client.login(request=login_request(), username="demo-leader", password="redcross-demo")
    drive = Drive.objects.get(name="博爱一日捐", start_date__year=2020)
    html = client.get(drive.get_absolute_url()).content.decode()
    assert "2019年 162.5万元" in html and "创同期最高水平" in html
    epidemic = funds_with_balance(Fund.objects.filter(name="疫情防控专项捐赠")).get()
    assert (epidemic.received, epidemic.paid, epidemic.balance) == (
        Decimal("1954600.00"),
        Decimal("1954600.00"),
        Decimal("0.00"),
    )
    boai = funds_with_balance(Fund.objects.filter(name="博爱一日捐")).get()
    assert boai.balance >= 0
    assert Receipt.objects.filter(voided_at__isnull=False).count() == 1


def test_the_retraining_list_and_the_city_projects(demo, client):
    client.login(request=login_request(), username="demo-staff", password="redcross-demo")
    html = client.get(reverse("training:overview")).content.decode()
    assert re.search(r'data-figure="expiring">12<', html)
    client.login(request=login_request(), username="demo-city", password="redcross-demo")
    html = client.get(reverse("home"), {"year": 2023}).content.decode()
    projects = table_rows(html, "projects", "project")
    assert {"地震灾后重建项目", "社区为本备灾项目", "汉阴县博爱家园项目", "紫阳县博爱家园项目"} <= set(
        projects
    )
    # The 博爱送万家 goods were allocated, not given: the city's gifts are its three others in kind.
    drives = table_rows(html, "donations", "drive")
    assert set(drives) == {"none", "total"}
    assert drives["none"][1:4] == ("0元", "23.2万元", "23.2万元")


def report_text(chapter_code, year, kind, tmp_path):
    report = Report.objects.get(chapter__code=chapter_code, year=year, kind=kind)
    path = tmp_path / "report.pdf"
    path.write_bytes(report_pdf(report))
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    layout = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True).stdout
    return re.sub(r"\s+", "", text), [re.sub(r"\s+", " ", line).strip() for line in layout.splitlines()]


# Every figure of the seed's 2020 report that the records hold, in the words around it.
SEED_2020 = [
    "奈曼旗红十字会2020年全年工作报告",
    "重特大疾病救助26.2万元，惠及109人",
    "救灾救助8.9万元，惠及178人",
    "光明行白内障手术25.2万元，共计140例(117人)",
    "“疫情防控专项募捐”接收捐款111.61万元，物资折价83.85万元",
    "“博爱一日捐”募集善款188.7万元，2019年为162.5万元，创同期最高水平",
    "博爱送万家54.3万元，惠及1.1万人",
    "爱心超市总计投入2.2万元",
    "困难群众慰问6000元，惠及3人",
    "助飞梦想助学资金10万元",
    "白血病儿童救助4.5万元，惠及15人",
    "中支出1.2万元慰问艾滋病人12人",
    "普及性培训2期，274人次",
    "硬化整修巷道2条、维修污水井5眼",
    "南北小巷红砖铺路2条、维修路面污水井1眼、维修路旁厕所2个",
    "自动体外除颤仪（AED）1台",
    "二、2021年重点工作安排",
    "年内完成普及性培训3000人次以上，救护员培训100人次以上",
    "奈曼旗红十字会",
]


def test_the_demo_2020_report_carries_the_seed_figures(demo, tmp_path):
    text, _lines = report_text("150525", 2020, "year", tmp_path)
    missing = [phrase for phrase in SEED_2020 if phrase not in text]
    assert missing == []


def test_the_demo_2023_half_year_report_rolls_up_the_four_counties(demo, tmp_path):
    text, lines = report_text("610900", 2023, "h1", tmp_path)
    assert "安康市红十字会2023年上半年工作小结" in text
    # Seed 003: the goods of 总会 and the province (26.63万元) went on to three counties; an
    # allocation, not a gift: the city's gifts in kind are its three others.
    assert (
        "接收中国红十字会总会、陕西省红十字会调拨物资折价26.63万元，"
        "已全部调拨宁陕县红十字会、紫阳县红十字会、石泉县红十字会。"
    ) in text
    assert "共接收社会捐赠物资折价23.2万元" in text
    counties = [
        line.split(" ")[0] for line in lines if line.endswith("万元") and "红十字会" in line.split(" ")[0]
    ]
    assert counties == [
        "安康市红十字会本级",
        "汉阴县红十字会",
        "石泉县红十字会",
        "宁陕县红十字会",
        "紫阳县红十字会",
    ]


def test_the_published_epidemic_drive_lists_its_goods_issued_in_full_to_the_command(demo):
    from disclosure.models import DisclosureVersion

    drive = "疫情防控专项募捐"
    version = DisclosureVersion.objects.get(chapter__code="150525", disclosure__drive__name=drive)
    sections = {s["key"]: s for s in version.content["sections"]}
    received, issued = sections["goods_received"], sections["goods_issued"]
    assert received["totals"] == issued["totals"] == {"value": "838500.00"}
    assert [row[2:6] for row in received["rows"]][0] == ["医用外科口罩", "", "只", "50000"]
    assert {row[2] for row in issued["rows"]} == {"奈曼旗新冠肺炎疫情防控指挥部"}
    assert len(issued["rows"]) == len(received["rows"]) == 5
    summary = {i["key"]: i["value"] for i in version.content["summary"]}
    assert summary["received_in_kind"] == summary["goods_received"] == "838500.00"
    # The goods used are the issues' 83.85万 once, though the payouts to the command also say so
    # (the data migration traced them to their issues); the cash was passed on in full too.
    assert sections["payouts"]["totals"]["in_kind"] == "838500.00"
    assert "goods_untraced" not in sections
    assert summary["used_in_kind"] == "838500.00"
    assert summary["used_cash"] == summary["received_cash"] == "1116100.00"
    assert summary["used"] == summary["received"] == "1954600.00"
    # The year's goods used: the epidemic goods issued, and 光明行's surgeries in kind that no
    # issue traces (252,000), each once.
    year = DisclosureVersion.objects.get(chapter__code="150525", disclosure__period="2020")
    figures = {i["key"]: i["value"] for i in year.content["summary"]}
    untraced = next(s for s in year.content["sections"] if s["key"] == "goods_untraced")
    assert untraced["rows"] == [["救助发放", "光明行白内障手术（130人次）", "252000.00"]]
    assert figures["used_in_kind"] == "1090500.00"
    assert figures["used"] == "3584500.00"


def test_the_demo_start_pages_show_no_disclosure_overdue(demo, client):
    """On the demo's day (today) every demo drive and project ended years ago: 150525 and 610900
    published each in full, cut at its end, so their start pages show no overdue reminder."""
    from disclosure.models import DisclosureVersion
    from disclosure.selectors import disclosures_due
    from projects.models import Project

    for username, chapter in (("demo-staff", "150525"), ("demo-city", "610900")):
        client.login(request=login_request(), username=username, password="redcross-demo")
        html = client.get(reverse("home")).content.decode()
        panel = html[
            html.index('id="due-disclosures"') : html.index("</section>", html.index('id="due-disclosures"'))
        ]
        assert "信息公开到期提醒" in panel
        assert "近30天内没有到期的信息公开。" in panel
        assert "逾期" not in panel and "准备公开" not in panel
        projects = Project.objects.filter(chapter__code=chapter)
        published = {
            v.disclosure.project_id: v.as_of
            for v in DisclosureVersion.objects.filter(chapter__code=chapter, disclosure__kind="project")
        }
        assert published == {p.pk: p.end_date for p in projects}
        client.logout()
    drives = DisclosureVersion.objects.filter(disclosure__kind="drive").values_list("chapter__code", "title")
    assert (
        "150525",
        "奈曼旗红十字会募捐活动“博爱一日捐（2019）”接收和使用情况公示（截至2019年6月30日）",
    ) in drives
    public = Client().get("/public/150525/").content.decode()
    assert "第四中学红十字示范校项目" in public and "孟家段水库应急救护点" in public
    # The counties' open-ended projects have no demo user: left as they are, still owing one.
    dues = disclosures_due(Chapter.objects.filter(code="610921"))
    assert [(d.subject, d.overdue) for d in dues] == [("汉阴县博爱家园项目", True)]

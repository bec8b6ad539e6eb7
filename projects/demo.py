"""Demo projects: 奈曼旗's 2020 博爱家园 projects, rescue point and model school, with their outputs;
安康市's 2023 post-earthquake reconstruction, community preparedness and 博爱家园 projects."""

import datetime
from decimal import Decimal

from donations.services import donation_record, donor_resolve, fund_create

from .models import Project, ProjectKind
from .services import (
    audit_record,
    expenditure_record,
    output_record,
    project_advance,
    project_budget_set,
    project_create,
    project_funding_set,
)

D = datetime.date

NAIMAN_2020 = [
    {
        "name": "振兴社区博爱家园项目",
        "kind": "博爱家园",
        "place": "大沁他拉镇振兴社区",
        "budget": "120000",
        "lines": [("工程建设", "110000"), ("宣传培训", "10000")],
        "outputs": [("硬化整修巷道", 2, "条"), ("维修污水井", 5, "眼")],
        "spending": [
            (D(2020, 7, 20), "工程建设", "86000", "大沁他拉镇建筑工程队", "巷道硬化整修"),
            (D(2020, 8, 28), "工程建设", "21500", "大沁他拉镇建筑工程队", "污水井维修"),
            (D(2020, 9, 15), "宣传培训", "6000", "奈曼旗印刷厂", "宣传图版及手册"),
        ],
        "dates": (D(2020, 5, 10), D(2020, 9, 25)),
    },
    {
        "name": "锦绣家园小区博爱家园项目",
        "kind": "博爱家园",
        "place": "大沁他拉镇锦绣家园小区",
        "budget": "50000",
        "lines": [],
        "outputs": [("南北小巷红砖铺路", 2, "条"), ("维修路面污水井", 1, "眼"), ("维修路旁厕所", 2, "个")],
        "spending": [
            (D(2020, 8, 10), "工程建设", "46800", "大沁他拉镇建筑工程队", "红砖铺路及污水井、厕所维修")
        ],
        "dates": (D(2020, 6, 1), D(2020, 9, 10)),
    },
    {
        "name": "富康社区博爱家园项目",
        "kind": "博爱家园",
        "place": "大沁他拉镇富康社区",
        "budget": "50000",
        "lines": [],
        "outputs": [
            ("爱心超市", 1, "个"),
            ("应急救护角", 1, "个"),
            ("红十字人道文化传播点", 1, "个"),
            ("红十字志愿服务队", 1, "支"),
        ],
        "spending": [
            (D(2020, 6, 20), "爱心超市", "22000", "奈曼旗百货公司", "爱心超市货架及物资"),
            (D(2020, 7, 8), "设备物资", "9000", "通辽市医疗器械公司", "应急救护角设备"),
            (D(2020, 7, 15), "宣传培训", "6500", "奈曼旗印刷厂", "标语、图版、宣传手册"),
        ],
        "dates": (D(2020, 6, 1), D(2020, 8, 30)),
    },
    {
        "name": "孟家段水库应急救护点",
        "kind": "应急救护站点",
        "place": "孟家段水库",
        "budget": "30000",
        "lines": [],
        "outputs": [("自动体外除颤仪（AED）", 1, "台"), ("应急救护箱", 2, "个"), ("担架轮椅", 1, "台")],
        "spending": [(D(2020, 7, 1), "设备物资", "29600", "通辽市医疗器械公司", "AED、救护箱、担架轮椅")],
        "dates": (D(2020, 6, 15), D(2020, 7, 10)),
    },
]


def projects_naiman(chapter, user):
    if Project.objects.filter(chapter=chapter).exists():
        return
    kind = {k.name: k for k in ProjectKind.objects.all()}
    region = donor_resolve(chapter=chapter, user=user, name="内蒙古自治区红十字会", kind="organisation")
    fund = fund_create(chapter=chapter, user=user, name="博爱家园项目资金")
    donation_record(
        chapter=chapter,
        user=user,
        date=D(2020, 4, 15),
        donor=region,
        fund=fund,
        amount=Decimal("250000.00"),
        receipt_number="NM2020-0201",
    )
    for plan in NAIMAN_2020:
        project = project_create(
            chapter=chapter,
            user=user,
            name=plan["name"],
            kind=kind[plan["kind"]],
            place=plan["place"],
            budget=Decimal(plan["budget"]),
            start_date=plan["dates"][0],
            end_date=plan["dates"][1],
        )
        project_funding_set(
            project=project, sources=[("内蒙古自治区红十字会", fund, Decimal(plan["budget"]))]
        )
        if plan["lines"]:
            project_budget_set(project=project, lines=[(c, Decimal(a)) for c, a in plan["lines"]])
        project_advance(project=project, user=user, date=plan["dates"][0])
        for date, category, amount, payee, description in plan["spending"]:
            expenditure_record(
                chapter=chapter,
                user=user,
                date=date,
                project=project,
                category=category,
                amount=Decimal(amount),
                fund=fund,
                payee=payee,
                invoice_number=f"{date:%Y%m%d}{project.pk:02d}",
                description=description,
            )
        for name, quantity, unit in plan["outputs"]:
            output_record(
                project=project, date=plan["dates"][1], name=name, quantity=Decimal(quantity), unit=unit
            )
        project_advance(project=project, user=user, date=plan["dates"][1])

    # 第四中学红十字示范校: paid from a fund given for it alone; lighting poles cost 3500元 more.
    school = project_create(
        chapter=chapter,
        user=user,
        name="第四中学红十字示范校项目",
        kind=kind["红十字示范校"],
        place="奈曼旗第四中学",
        budget=Decimal("80000"),
        start_date=D(2020, 7, 1),
        end_date=D(2020, 10, 31),
    )
    school_fund = fund_create(
        chapter=chapter, user=user, name="第四中学示范校建设资金", restricted_project=school
    )
    donation_record(
        chapter=chapter,
        user=user,
        date=D(2020, 6, 28),
        donor=region,
        fund=school_fund,
        amount=Decimal("80000.00"),
        receipt_number="NM2020-0202",
    )
    project_funding_set(project=school, sources=[("内蒙古自治区红十字会", school_fund, Decimal("80000"))])
    project_advance(project=school, user=user, date=D(2020, 7, 10))
    expenditure_record(
        chapter=chapter,
        user=user,
        date=D(2020, 9, 5),
        project=school,
        category="工程建设",
        amount=Decimal("80000"),
        fund=school_fund,
        payee="奈曼旗照明工程公司",
        invoice_number="2020090501",
        description="体育场照明灯安装",
    )
    expenditure_record(
        chapter=chapter,
        user=user,
        date=D(2020, 10, 20),
        project=school,
        category="工程建设",
        amount=Decimal("3500"),
        fund=fund,
        payee="奈曼旗照明工程公司",
        invoice_number="2020102001",
        description="灯杆基础加固",
        over_budget_reason="灯杆基础遇软土层需加固，经旗红十字会会长办公会同意追加",
    )
    output_record(project=school, date=D(2020, 10, 30), name="体育场照明灯", quantity=Decimal(12), unit="盏")
    project_advance(project=school, user=user, date=D(2020, 10, 30))
    audit_record(
        project=school,
        user=user,
        date=D(2020, 12, 15),
        auditor="奈曼旗审计局",
        findings="资金使用符合捐赠方意愿；超预算3500元已说明原因并经集体决策。",
    )


def projects_ankang(chapters):
    city = chapters["610900"]
    if Project.objects.for_chapter(city).exists():
        return
    kind = {k.name: k for k in ProjectKind.objects.all()}
    rebuild = project_create(
        chapter=city,
        user=None,
        name="地震灾后重建项目",
        kind=kind["灾后重建"],
        place="安康市各县区",
        budget=Decimal("71300000"),
        start_date=D(2021, 3, 1),
        end_date=D(2023, 9, 30),
    )
    project_advance(project=rebuild, user=None, date=D(2021, 3, 1))
    for name, quantity, unit in [
        ("援建灾民建房", 1156, "户"),
        ("村卫生室", 112, "个"),
        ("乡镇学校", 20, "所"),
        ("乡镇卫生院", 26, "个"),
        ("饮水工程", 1, "处"),
        ("备灾中心", 2, "个"),
    ]:
        # Delivered before the half-year the city's 2023 summary reports.
        output_record(project=rebuild, date=D(2023, 6, 30), name=name, quantity=Decimal(quantity), unit=unit)
    expenditure_record(
        chapter=city,
        user=None,
        date=D(2023, 5, 20),
        project=rebuild,
        category="工程建设",
        amount=Decimal("1200000"),
        payee="安康市建筑工程公司",
        description="市红十字会备灾中心选址及前期工程",
    )
    community = project_create(
        chapter=city,
        user=None,
        name="社区为本备灾项目",
        kind=kind["其他项目"],
        place="石泉县、汉阴县7个村",
        budget=Decimal("1000000"),
        start_date=D(2023, 1, 5),
        end_date=D(2023, 7, 5),
        description="红十字会与红新月会国际联合会社区为本备灾项目：基础设施建设及自救互救知识宣传",
    )
    project_advance(project=community, user=None, date=D(2023, 1, 5))
    for date, amount in [(D(2023, 3, 15), "380000"), (D(2023, 5, 30), "260000")]:
        expenditure_record(
            chapter=city,
            user=None,
            date=date,
            project=community,
            category="工程建设",
            amount=Decimal(amount),
            payee="项目村村民委员会",
            description="防灾减灾基础设施",
        )
    for code in ("610921", "610922", "610923", "610924"):
        county = chapters[code]
        project = project_create(
            chapter=county,
            user=None,
            name=f"{county.name.removesuffix('红十字会')}博爱家园项目",
            kind=kind["博爱家园"],
            place=county.name.removesuffix("红十字会"),
            budget=Decimal("350000"),
            start_date=D(2023, 1, 10),
        )
        project_advance(project=project, user=None, date=D(2023, 1, 10))
        expenditure_record(
            chapter=county,
            user=None,
            date=D(2023, 4, 18),
            project=project,
            category="工程建设",
            amount=Decimal("120000"),
            payee="项目社区",
            description="主体建设",
        )
    dorm = project_create(
        chapter=chapters["610923"],
        user=None,
        name="沙沟学校学生宿舍楼援建项目",
        kind=kind["灾后重建"],
        place="宁陕县沙沟学校",
        budget=Decimal("300000"),
        start_date=D(2022, 9, 1),
        description="陕西省红十字基金会争取日本友人西口先生捐赠援建",
    )
    project_funding_set(project=dorm, sources=[("陕西省红十字基金会", None, Decimal("300000"))])
    project_advance(project=dorm, user=None, date=D(2022, 9, 1))
    expenditure_record(
        chapter=chapters["610923"],
        user=None,
        date=D(2023, 3, 28),
        project=dorm,
        category="工程建设",
        amount=Decimal("300000"),
        payee="宁陕县建筑公司",
        description="宿舍楼主体建设",
    )
    project_advance(project=dorm, user=None, date=D(2023, 5, 30))


def demo_naiman(chapters, users):
    """The demo loader (``redcross.registry``): 奈曼旗's projects."""
    projects_naiman(chapters["150525"], users["demo-staff"])


def demo_ankang(chapters, users):
    """The demo loader: 安康市's projects."""
    projects_ankang(chapters)

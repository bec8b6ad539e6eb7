"""Demo funds, drives, donations with receipts, and payouts (DESIGN.md, "Demo").

奈曼旗 2020: 博爱一日捐 188.7万元 (2019: 162.5万元), the epidemic drive's 111.61万元 in cash and
83.85万元 in kind, all paid on to the epidemic command; 安康市 2023 H1: gifts in kind (its 博爱送万家
goods, 26.63万元, are an allocation from above: ``goods/demo.py``).
"""

import datetime
from decimal import Decimal

from .choices import DonationKind, DonorKind, ValuationBasis
from .models import Fund
from .services import (
    donation_record,
    donor_create,
    donor_resolve,
    drive_create,
    fund_create,
    payout_record,
    receipt_void,
)

D = datetime.date
ORG, PERSON = DonorKind.ORGANISATION, DonorKind.PERSON

# 博爱一日捐 by year: (date, donor, amount); 2020 is the year the seed reports, 2019 to compare.
BOAI_ONE_DAY = {
    2019: [
        (D(2019, 5, 8), "奈曼旗直属机关干部职工", Decimal("612000.00")),
        (D(2019, 5, 20), "奈曼旗教育系统教职工", Decimal("538000.00")),
        (D(2019, 6, 5), "奈曼旗卫生健康系统", Decimal("305000.00")),
        (D(2019, 6, 18), "奈曼旗企业及个体工商户", Decimal("170000.00")),
    ],
    2020: [
        (D(2020, 5, 8), "奈曼旗直属机关干部职工", Decimal("705000.00")),
        (D(2020, 5, 21), "奈曼旗教育系统教职工", Decimal("612000.00")),
        (D(2020, 6, 3), "奈曼旗卫生健康系统", Decimal("346000.00")),
        (D(2020, 6, 19), "奈曼旗企业及个体工商户", Decimal("224000.00")),
    ],
}
BOAI_ONE_DAY_GOALS = {2019: Decimal("1500000.00"), 2020: Decimal("1800000.00")}

# The 2020 epidemic drive: 111.61万元 in cash …
EPIDEMIC_CASH = [
    (D(2020, 1, 28), "奈曼旗直属机关党员干部", Decimal("386500.00")),
    (D(2020, 2, 3), "奈曼旗教育系统", Decimal("241800.00")),
    (D(2020, 2, 6), "奈曼旗工商联会员企业", Decimal("200000.00")),
    (D(2020, 2, 10), "奈曼旗卫生健康系统", Decimal("132600.00")),
    (D(2020, 2, 14), "社会各界爱心人士", Decimal("155200.00")),
]
# … and 83.85万元 in goods: (date, donor, goods, quantity, unit, basis, value).
EPIDEMIC_GOODS = [
    (
        D(2020, 1, 30),
        "通辽市爱心医药企业",
        "医用外科口罩",
        50000,
        "只",
        ValuationBasis.INVOICE,
        Decimal("150000.00"),
    ),
    (
        D(2020, 2, 2),
        "奈曼旗爱心企业联合会",
        "84消毒液",
        6000,
        "箱",
        ValuationBasis.INVOICE,
        Decimal("180000.00"),
    ),
    (
        D(2020, 2, 5),
        "内蒙古自治区红十字会",
        "医用防护服",
        2000,
        "套",
        ValuationBasis.AGREEMENT,
        Decimal("260000.00"),
    ),
    (
        D(2020, 2, 9),
        "奈曼旗工商联会员企业",
        "红外测温仪",
        300,
        "台",
        ValuationBasis.MARKET,
        Decimal("66000.00"),
    ),
    (
        D(2020, 2, 12),
        "奈曼旗种植养殖合作社",
        "蔬菜米面等生活物资",
        73,
        "吨",
        ValuationBasis.MARKET,
        Decimal("182500.00"),
    ),
]
EPIDEMIC_COMMAND = "奈曼旗新冠肺炎疫情防控指挥部"


def funds_naiman(chapter, user):
    """The county's funds with what flowed in and what was passed on, by short name."""
    leukemia = Fund.category_model().objects.get(name="白血病儿童救助")
    funds = {
        "博爱一日捐": fund_create(chapter=chapter, user=user, name="博爱一日捐"),
        "助飞梦想": fund_create(
            chapter=chapter,
            user=user,
            name="助飞梦想助学资金",
            restricted_category=Fund.category_model().objects.get(name="助学"),
        ),
        "白血病儿童": fund_create(
            chapter=chapter, user=user, name="白血病儿童专项慰问金", restricted_category=leukemia
        ),
        "疫情防控": fund_create(chapter=chapter, user=user, name="疫情防控专项捐赠"),
    }
    receipt = iter(range(1, 10000))

    def give(date, donor, amount, *, fund=None, drive=None, kind=ORG, goods=None, anonymous=False):
        details = {}
        if goods:
            name, quantity, unit, basis = goods
            details = dict(
                kind=DonationKind.IN_KIND, goods=name, quantity=quantity, unit=unit, valuation_basis=basis
            )
        return donation_record(
            chapter=chapter,
            user=user,
            date=date,
            donor=donor_resolve(chapter=chapter, user=user, name=donor, kind=kind),
            fund=fund,
            drive=drive,
            amount=amount,
            anonymous=anonymous,
            receipt_number=f"NM{date.year}-{next(receipt):04d}",
            **details,
        )

    for year in sorted(BOAI_ONE_DAY):
        drive = drive_create(
            chapter=chapter,
            user=user,
            name="博爱一日捐",
            start_date=D(year, 5, 1),
            end_date=D(year, 6, 30),
            fund=funds["博爱一日捐"],
            goal=BOAI_ONE_DAY_GOALS[year],
        )
        for date, donor, amount in BOAI_ONE_DAY[year]:
            last = give(date, donor, amount, drive=drive)
    # A receipt written out to the wrong name: voided with its reason, and reissued.
    receipt_void(
        receipt=last.receipts.get(),
        user=user,
        reason="抬头误写为“奈曼旗个体工商户”，应为“奈曼旗企业及个体工商户”",
        new_number="NM2020-0101",
        new_issued_on=D(2020, 6, 22),
    )
    epidemic = drive_create(
        chapter=chapter,
        user=user,
        name="疫情防控专项募捐",
        start_date=D(2020, 1, 26),
        end_date=D(2020, 4, 30),
        fund=funds["疫情防控"],
    )
    for date, donor, amount in EPIDEMIC_CASH:
        give(date, donor, amount, drive=epidemic)
    for date, donor, goods, quantity, unit, basis, amount in EPIDEMIC_GOODS:
        give(date, donor, amount, drive=epidemic, goods=(goods, Decimal(quantity), unit, basis))
    # Everything was passed on to the epidemic command, as the donors asked.
    for date, cash, in_kind, number in [
        (D(2020, 2, 18), Decimal("600000.00"), Decimal("590000.00"), "奈红发〔2020〕3号"),
        (D(2020, 3, 6), Decimal("516100.00"), Decimal("248500.00"), "奈红发〔2020〕7号"),
    ]:
        payout_record(
            chapter=chapter,
            user=user,
            date=date,
            fund=funds["疫情防控"],
            recipient=EPIDEMIC_COMMAND,
            purpose="新冠肺炎疫情防控",
            cash_amount=cash,
            in_kind_amount=in_kind,
            document_number=number,
        )
    give(D(2020, 8, 20), "北京市通州区红十字会", Decimal("100000.00"), fund=funds["助飞梦想"])
    give(D(2020, 9, 10), "内蒙古自治区红十字会", Decimal("45000.00"), fund=funds["白血病儿童"])
    # Individual donors: one agrees to be named, one gives anonymously.
    named = donor_create(
        chapter=chapter, user=user, name="李春梅", kind=PERSON, phone="13904751234", named_in_public=True
    )
    donation_record(
        chapter=chapter,
        user=user,
        date=D(2020, 12, 28),
        donor=named,
        fund=funds["博爱一日捐"],
        amount=Decimal("5000.00"),
    )
    quiet = donor_create(chapter=chapter, user=user, name="张志强", kind=PERSON, phone="15847598765")
    donation_record(
        chapter=chapter,
        user=user,
        date=D(2020, 12, 30),
        donor=quiet,
        fund=funds["博爱一日捐"],
        amount=Decimal("3000.00"),
        anonymous=True,
    )
    return funds


# 安康市 2023 H1: gifts in kind. The 博爱送万家 goods of the national and provincial societies
# (26.63万元) are not gifts but an allocation from above: ``goods/demo.py`` receives them into the
# fund 博爱送万家物资 made here, and allocates them on to three counties.
ANKANG_GOODS = [
    # (date, donor, goods, quantity, unit, value)
    (D(2023, 4, 10), "中国红十字基金会中恒博爱基金", "药品", 1, "批", Decimal("120000.00")),
    (D(2023, 6, 18), "陕西省红十字会", "饮水消毒剂", 500, "箱", Decimal("99000.00")),
    (D(2023, 5, 25), "爱心企业", "DVD、文具袋、圆珠笔、足球、棉被", 1, "批", Decimal("13000.00")),
]
ANKANG_SONGWANJIA_FUND = "博爱送万家物资"


def donations_ankang(city, user=None):
    """安康市's funds and its gifts in kind of 2023 H1."""
    if Fund.objects.filter(chapter=city).exists():
        return
    fund_create(chapter=city, user=user, name=ANKANG_SONGWANJIA_FUND)
    goods_fund = fund_create(chapter=city, user=user, name="社会捐赠物资")
    # Receipt numbers as the earlier demo gave these gifts (AK2023-0001/0002 went to the
    # 博爱送万家 goods, an allocation now, which takes no receipt).
    for n, (date, donor, goods, quantity, unit, value) in enumerate(ANKANG_GOODS, start=3):
        donation_record(
            chapter=city,
            user=user,
            date=date,
            donor=donor_resolve(chapter=city, user=user, name=donor, kind=ORG),
            fund=goods_fund,
            kind=DonationKind.IN_KIND,
            amount=value,
            goods=goods,
            quantity=Decimal(quantity),
            unit=unit,
            valuation_basis=ValuationBasis.AGREEMENT,
            receipt_number=f"AK2023-{n:04d}",
        )


def demo_ankang(chapters, users):
    """The demo loader (``redcross.registry``): 安康市's donations."""
    donations_ankang(chapters["610900"])

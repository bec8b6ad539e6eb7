"""Demo relief records.

奈曼旗 (150525) 2020 reproduces the relief figures of the seed's year-end report
(000_68b5a3f6f589a620.txt) as data, with some 2019 records to compare with; 安康市's counties hold
2023 first-half records in the spirit of 003_cd05bc5196c63ce4.txt.
"""

import datetime
from decimal import Decimal

from donations.demo import funds_naiman
from redcross.demo import People
from redcross.models import Township

from .models import AidCategory, Disbursement
from .services import disbursement_record

D = datetime.date

NAIMAN_TOWNSHIPS = [
    "大沁他拉镇",
    "八仙筒镇",
    "青龙山镇",
    "新镇",
    "治安镇",
    "东明镇",
    "沙日浩来镇",
    "义隆永镇",
    "固日班花苏木",
    "白音他拉苏木",
    "明仁苏木",
    "黄花塔拉苏木",
    "土城子乡",
    "苇莲苏乡",
]


def _on(day_of_year, year):
    return D(year, 1, 1) + datetime.timedelta(days=day_of_year % 365)


def relief_naiman(chapter, user):
    if Disbursement.objects.filter(chapter=chapter).exists():
        return
    funds = funds_naiman(chapter, user)
    category = {c.name: c for c in AidCategory.objects.all()}
    people = People(chapter.code)
    n = iter(range(100000))

    def person(
        cat, amount, *, year=2020, in_kind=Decimal("0"), cases=1, fund=None, who=None, date=None, remarks=""
    ):
        name, id_number = who or people.next()
        i = next(n)
        return disbursement_record(
            chapter=chapter,
            user=user,
            date=date or _on(20 + i * 3, year),
            category=category[cat],
            cash_amount=Decimal(amount),
            in_kind_amount=Decimal(in_kind),
            beneficiary_name=name,
            id_number=id_number,
            township=NAIMAN_TOWNSHIPS[int(id_number[14:17]) % len(NAIMAN_TOWNSHIPS)],
            cases=cases,
            fund=fund,
            remarks=remarks,
        )

    def group(cat, amount, head_count, township, date, *, in_kind=Decimal("0"), fund=None, remarks=""):
        return disbursement_record(
            chapter=chapter,
            user=user,
            date=date,
            category=category[cat],
            cash_amount=Decimal(amount),
            in_kind_amount=Decimal(in_kind),
            township=township,
            head_count=head_count,
            fund=fund,
            remarks=remarks,
        )

    # 2019, to compare with.
    for amount in [2500] * 80:
        person("重特大疾病救助", amount, year=2019)
    group("救灾救助", "50000", 100, "治安镇", D(2019, 7, 22), remarks="2019年洪涝灾害")
    for i, township in enumerate(NAIMAN_TOWNSHIPS[:10]):
        group("博爱送万家", "40000", 800, township, D(2019, 12, 20 + i % 8), fund=funds["博爱一日捐"])

    # 2020 重特大疾病救助: 26.2万元, 109人.
    for amount in [2000] * 60 + [3000] * 39 + [2500] * 10:
        person("重特大疾病救助", amount)
    # 救灾救助: 8.9万元 to 178 people, three village groups and 28 households.
    group("救灾救助", "25000", 50, "新镇", D(2020, 7, 12), remarks="冰雹灾害受灾群众")
    group("救灾救助", "30000", 60, "东明镇", D(2020, 7, 15), remarks="冰雹灾害受灾群众")
    group("救灾救助", "20000", 40, "义隆永镇", D(2020, 8, 3), remarks="洪涝灾害受灾群众")
    for _ in range(28):
        person("救灾救助", 500)
    # 光明行: 140 operations on 117 people. 13 had their second eye done later (a second payment),
    # 10 had both eyes done at once (one payment of two cases).
    surgery = Decimal("1800")
    for i in range(117):
        who = people.next()
        if i < 13:
            person("光明行白内障手术", 0, in_kind=surgery, who=who, date=D(2020, 9, 1 + i))
            person("光明行白内障手术", 0, in_kind=surgery, who=who, date=D(2020, 10, 1 + i))
        elif i < 23:
            person("光明行白内障手术", 0, in_kind=surgery * 2, cases=2, who=who, date=D(2020, 9, 15))
        else:
            person("光明行白内障手术", 0, in_kind=surgery, who=who, date=D(2020, 9, 16 + i % 14))
    # 白血病儿童: 15 children, 3000元 each, from the region's special grant.
    for _ in range(15):
        person("白血病儿童救助", 3000, fund=funds["白血病儿童"], date=D(2020, 9, 28))
    # 助学: 助飞梦想 100 pupils × 1000元; 5 university students, 1万元 in all.
    for _ in range(100):
        person("助学", 1000, fund=funds["助飞梦想"], date=D(2020, 9, 1), remarks="助飞梦想")
    for _ in range(5):
        person("助学", 2000, date=D(2020, 8, 25), remarks="资助贫困大学生")
    # 七一: three poor veteran party members of 提木日筒嘎查, 6000元.
    for _ in range(3):
        person("困难群众慰问", 2000, date=D(2020, 7, 1), remarks="七一主题党日慰问贫困老党员（提木日筒嘎查）")
    # 博爱送万家: 54.3万元 from 博爱一日捐 to 1.1万 people across the townships.
    heads = [900, 850, 800, 800, 750, 800, 850, 700, 800, 750, 800, 700, 750, 750]
    amounts = [
        44000,
        42000,
        40000,
        39000,
        37000,
        39000,
        42000,
        34000,
        39000,
        37000,
        39000,
        34000,
        36000,
        41000,
    ]
    for i, township in enumerate(NAIMAN_TOWNSHIPS):
        group(
            "博爱送万家",
            amounts[i],
            heads[i],
            township,
            D(2020, 12, 10 + i % 10),
            fund=funds["博爱一日捐"],
        )
    # World AIDS Day: 12 patients, 1000元 each, from 博爱一日捐.
    for _ in range(12):
        person("其他救助", 1000, fund=funds["博爱一日捐"], date=D(2020, 12, 1), remarks="艾滋病日慰问")


ANKANG_2023H1 = {
    # chapter code: [(category, cash, in kind, head count or None for a person, date, township, remarks)]
    "610900": [
        ("救灾救助", 0, 99000, 1200, D(2023, 6, 20), "", "暴雨灾害饮水消毒剂500箱"),
        ("助学", 0, 13000, 200, D(2023, 5, 27), "吕河镇", "中心学校学习生活用品"),
        ("其他救助", 0, 120000, 600, D(2023, 4, 12), "", "中恒博爱基金捐赠药品（红十字老区行）"),
    ],
    "610921": [
        ("博爱送万家", 0, 60000, 1300, D(2023, 1, 18), "城关镇", "红十字博爱送万家"),
        ("困难群众慰问", 1000, 0, None, D(2023, 1, 20), "涧池镇", "春节慰问"),
        ("困难群众慰问", 1000, 0, None, D(2023, 1, 20), "涧池镇", "春节慰问"),
    ],
    "610922": [
        ("博爱送万家", 0, 100000, 2500, D(2023, 1, 16), "池河镇", "红十字博爱送万家"),
        ("重特大疾病救助", 5000, 0, None, D(2023, 3, 8), "城关镇", ""),
        ("重特大疾病救助", 5000, 0, None, D(2023, 5, 16), "城关镇", ""),
    ],
    "610923": [
        ("博爱送万家", 0, 130000, 3200, D(2023, 1, 14), "汤坪镇", "总会及省会博爱送万家启动仪式"),
        ("困难群众慰问", 0, 6000, 20, D(2023, 1, 14), "汤坪镇", "特困户救助家庭包"),
    ],
    "610924": [
        ("博爱送万家", 0, 120000, 3000, D(2023, 1, 15), "城关镇", "红十字博爱送万家"),
        ("救灾救助", 8000, 0, 16, D(2023, 6, 28), "洄水镇", "暴雨受灾群众"),
        ("困难群众慰问", 1500, 0, None, D(2023, 2, 2), "洄水镇", ""),
    ],
}


def relief_ankang_2023h1(chapters):
    category = {c.name: c for c in AidCategory.objects.all()}
    for code, rows in ANKANG_2023H1.items():
        chapter = chapters[code]
        if Disbursement.objects.filter(chapter=chapter).exists():
            continue
        people = People(code)
        for cat, cash, in_kind, head_count, date, township, remarks in rows:
            name, id_number = people.next() if head_count is None else ("", "")
            disbursement_record(
                chapter=chapter,
                user=None,
                date=date,
                category=category[cat],
                cash_amount=Decimal(cash),
                in_kind_amount=Decimal(in_kind),
                beneficiary_name=name,
                id_number=id_number,
                township=township,
                head_count=head_count or 1,
                remarks=remarks,
            )


def townships_keep(chapter, names, user=None):
    """The chapter's list of townships (本会管理 → 乡镇名单) holds ``names``: those its demo
    records name, so the forms and filters offer them."""
    for name in sorted(set(names) - {""}):
        if not Township.objects.filter(chapter=chapter, name=name).exists():
            township = Township(chapter=chapter, name=name, created_by=user, updated_by=user)
            township.full_clean(validate_constraints=False)
            township.save()


def demo_naiman(chapters, users):
    """The demo loader (``redcross.registry``): 奈曼旗's 2020 relief and its townships."""
    townships_keep(chapters["150525"], NAIMAN_TOWNSHIPS, users.get("demo-admin"))
    relief_naiman(chapters["150525"], users["demo-staff"])


def demo_ankang(chapters, users):
    """The demo loader: 安康市's counties' 2023 first-half relief, and the townships it names."""
    for code, rows in ANKANG_2023H1.items():
        townships_keep(chapters[code], [row[5] for row in rows])
    relief_ankang_2023h1(chapters)

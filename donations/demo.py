"""Demo funds and the donations that fill them (DESIGN.md, "Demo")."""

import datetime
from decimal import Decimal

from aid.models import AidCategory

from .services import donation_record, fund_create

D = datetime.date

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


def funds_naiman(chapter, user):
    """The county's funds with what flowed in, by name."""
    leukemia = AidCategory.objects.get(name="白血病儿童救助")
    funds = {
        "博爱一日捐": fund_create(chapter=chapter, user=user, name="博爱一日捐"),
        "助飞梦想": fund_create(
            chapter=chapter,
            user=user,
            name="助飞梦想助学资金",
            restricted_category=AidCategory.objects.get(name="助学"),
        ),
        "白血病儿童": fund_create(
            chapter=chapter, user=user, name="白血病儿童专项慰问金", restricted_category=leukemia
        ),
    }
    for year in sorted(BOAI_ONE_DAY):
        for date, donor, amount in BOAI_ONE_DAY[year]:
            donation_record(
                chapter=chapter,
                user=user,
                date=date,
                donor_name=donor,
                fund=funds["博爱一日捐"],
                amount=amount,
            )
    donation_record(
        chapter=chapter,
        user=user,
        date=D(2020, 8, 20),
        donor_name="北京市通州区红十字会",
        fund=funds["助飞梦想"],
        amount=Decimal("100000.00"),
    )
    donation_record(
        chapter=chapter,
        user=user,
        date=D(2020, 9, 10),
        donor_name="内蒙古自治区红十字会",
        fund=funds["白血病儿童"],
        amount=Decimal("45000.00"),
    )
    return funds

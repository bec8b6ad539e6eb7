"""The demo's goods (``load_demo``).

- The gifts in kind the demo records have made their lots; the payouts and relief payments in
  kind that gave them on are traced to those lots the way the data migration of issue 20 traces
  a database's older records (``goods.migrating``): 150525's epidemic goods (83.85万元) to the
  county's epidemic command.
- 安康市's 2023 博爱送万家 goods (26.63万元, seed 003: "总会及省会为我市红十字会捐赠救助物资26.63万元 …
  1月14日 … 发放给宁陕、紫阳、石泉县红十字会") arrive as an allocation from above — two lots, the
  national society's family packs and the province's parcels — and are allocated on to three
  counties, each of which receives its lots, as the product records it (``goods.services``).

Idempotent, like the rest of the demo: the allocation is made once, while the city's fund for it
holds no goods (an older demo that recorded them as gifts keeps what it has).
"""

import datetime
from decimal import Decimal

from django.apps import apps
from django.db.models import F
from django.utils import timezone

from donations.choices import ValuationBasis
from donations.models import Fund
from donations.services import fund_create

from .choices import IssueKind, LotOrigin
from .migrating import issues_from_spending
from .models import Lot
from .services import issue_record, lot_receive

D = datetime.date
SONGWANJIA_FUND = "博爱送万家物资"  # the city's fund (``donations/demo.py``), and each county's
SONGWANJIA_COUNTERS = ("陈红梅", "刘建军")  # who counted the goods at the city's store
COUNTY_COUNTERS = {"610923": ("王丽", "赵军"), "610924": ("李娟", "周平"), "610922": ("张敏", "孙涛")}

# (origin chapter, item, quantity, unit, value, document): arrived on 10 January 2023.
SONGWANJIA_LOTS = {
    "packs": ("100000", "博爱送万家救助家庭包", 1663, "个", Decimal("166300.00"), "红总赈调〔2023〕3号"),
    "parcels": ("610000", "棉被、米面油等救助物资", 1000, "份", Decimal("100000.00"), "陕红调〔2023〕1号"),
}
# Given on on 14 January 2023: (county, {lot: quantity}, document) — every county its value at
# 100 元 a pack or parcel (宁陕 11万元, 紫阳 8万元, 石泉 7.63万元), the packs first.
SONGWANJIA_ISSUES = [
    ("610923", {"packs": 1100}, "安红发〔2023〕2号"),
    ("610924", {"packs": 563, "parcels": 237}, "安红发〔2023〕3号"),
    ("610922", {"parcels": 763}, "安红发〔2023〕4号"),
]


def songwanjia_ankang(chapters, user=None):
    """The city receives the 博爱送万家 goods allocated from above and allocates them on to three
    of its counties (each receives them into its own fund 博爱送万家物资)."""
    city = chapters["610900"]
    fund = Fund.objects.filter(chapter=city, name=SONGWANJIA_FUND).first()
    if fund is None or Lot.all_objects.filter(fund=fund).exists():
        return
    lots = {}
    for key, (origin, item, quantity, unit, value, document) in SONGWANJIA_LOTS.items():
        lots[key] = lot_receive(
            chapter=city,
            user=user,
            date=D(2023, 1, 10),
            origin=LotOrigin.ALLOCATION,
            origin_chapter=chapters[origin],
            fund=fund,
            item_name=item,
            unit=unit,
            quantity=Decimal(quantity),
            total_value=value,
            # Valued as the allocating society's document states them, at market prices (the gifts'
            # basis, 捐赠协议, is no allocation's).
            valuation_basis=ValuationBasis.MARKET,
            counted_by_1=SONGWANJIA_COUNTERS[0],
            counted_by_2=SONGWANJIA_COUNTERS[1],
            document_number=document,
            remarks="红十字博爱送万家",
        )
    for code, taken, document in SONGWANJIA_ISSUES:
        county = chapters[code]
        county_fund = Fund.objects.filter(chapter=county, name=SONGWANJIA_FUND).first() or fund_create(
            chapter=county, user=user, name=SONGWANJIA_FUND
        )
        issue = issue_record(
            chapter=city,
            user=user,
            date=D(2023, 1, 14),
            kind=IssueKind.ALLOCATION,
            lines=[(lots[key], Decimal(quantity)) for key, quantity in taken.items()],
            recipient_chapter=county,
            recipient_fund=county_fund,
            reason="红十字博爱送万家",
            document_number=document,
        )
        # The county counted them in on the day (the demo has no county accounts to confirm
        # through the page): confirmed, in full, by two of its own people.
        Lot.all_objects.filter(source_line__issue=issue).update(
            in_transit=False,
            received_on=D(2023, 1, 14),
            received_quantity=F("quantity"),
            received_at=timezone.now(),
            counted_by_1=COUNTY_COUNTERS[code][0],
            counted_by_2=COUNTY_COUNTERS[code][1],
        )


def demo_goods(chapters, users):
    """The demo loader (``redcross.registry``): after the parts recording gifts and payouts, before
    the reports."""
    issues_from_spending(apps)
    songwanjia_ankang(chapters)

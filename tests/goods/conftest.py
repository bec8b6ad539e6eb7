"""What the goods tests share: a fund holding cash and a gift in kind, and helpers recording
lots and issues through the services."""

import datetime
from decimal import Decimal

import pytest

from donations.choices import DonationKind, ValuationBasis
from donations.services import donation_record
from goods.choices import LotOrigin
from goods.services import lot_receive, store_create

from ..factories import DonationFactory, DonorFactory, FundFactory

DAY = datetime.date(2020, 3, 2)


@pytest.fixture
def fund(tree):
    """奈曼旗's 疫情防控专项 fund with 50,000 元 of cash in it."""
    fund = FundFactory(chapter=tree.naiman, name="疫情防控专项")
    DonationFactory(fund=fund, amount=Decimal("50000.00"), date=datetime.date(2020, 1, 2))
    return fund


@pytest.fixture
def store(tree):
    return store_create(chapter=tree.naiman, user=None, name="奈曼旗备灾库")


@pytest.fixture
def gift(tree, fund, store, staff):
    """A gift in kind of 1,200 boxes of masks worth 36,000 元: it makes its lot."""

    def make(
        quantity="1200", amount="36000.00", goods="医用口罩", unit="箱", date=DAY, expiry=None, **details
    ):
        return donation_record(
            chapter=tree.naiman,
            user=staff,
            date=date,
            donor=DonorFactory(chapter=tree.naiman, name="奈曼旗爱心企业"),
            fund=fund,
            kind=DonationKind.IN_KIND,
            amount=Decimal(amount),
            goods=goods,
            quantity=Decimal(quantity),
            unit=unit,
            valuation_basis=ValuationBasis.INVOICE,
            goods_details={
                "store": store,
                "specification": details.get("specification", "50只/盒"),
                "expiry_date": expiry,
                "counted_by_1": "张三",
                "counted_by_2": "李四",
            },
        )

    return make


@pytest.fixture
def purchase(tree, fund, store, staff):
    def make(quantity="100", total="3000.00", goods="矿泉水", unit="箱", date=DAY, expiry=None):
        return lot_receive(
            chapter=tree.naiman,
            user=staff,
            date=date,
            origin=LotOrigin.PURCHASE,
            fund=fund,
            item_name=goods,
            unit=unit,
            quantity=Decimal(quantity),
            total_value=Decimal(total),
            valuation_basis=ValuationBasis.INVOICE,
            expiry_date=expiry,
            store=store,
            counted_by_1="张三",
            counted_by_2="李四",
            supplier="奈曼旗供销社",
        )

    return make

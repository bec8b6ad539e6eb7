"""A fund holds cash and goods apart: the value of goods pays no cash, cash pays no goods, and
every figure of a fund (its balance from the records, from the kept totals, its ledger) agrees
once goods are bought, allocated, issued and counted."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from aid.services import disbursement_record
from donations.choices import DonationKind, ValuationBasis
from donations.models import Fund
from donations.selectors import FundLedger, fund_balance, funds_with_balance
from donations.services import donation_record, payout_record
from goods.choices import IssueKind, LotOrigin
from goods.models import Lot
from goods.selectors import stock_lots
from goods.services import issue_record, lot_receive, stock_count_record
from redcross.choices import Role

from ..factories import DonationFactory, DonorFactory, FundFactory, PayoutFactory
from .conftest import DAY

pytestmark = pytest.mark.django_db


def test_a_fund_given_rice_cannot_pay_its_value_in_cash(tree, staff, category):
    fund = FundFactory(chapter=tree.naiman, name="粮食救助")
    donation_record(
        chapter=tree.naiman,
        user=staff,
        date=DAY,
        donor=DonorFactory(chapter=tree.naiman),
        fund=fund,
        kind=DonationKind.IN_KIND,
        amount=Decimal("36000.00"),
        goods="大米",
        quantity=Decimal("1200"),
        unit="袋",
        valuation_basis=ValuationBasis.INVOICE,
    )
    assert (fund_balance(fund, part="cash"), fund_balance(fund, part="goods")) == (0, Decimal("36000.00"))

    with pytest.raises(ValidationError) as refused:
        disbursement_record(
            chapter=tree.naiman,
            user=staff,
            date=DAY,
            category=category["困难群众慰问"],
            cash_amount=Decimal("36000.00"),
            beneficiary_name="王五",
            fund=fund,
        )
    assert refused.value.message_dict["fund"] == ["基金“粮食救助”余额不足：可用 0.00 元，本次需 36,000.00 元"]
    with pytest.raises(ValidationError):
        payout_record(
            chapter=tree.naiman,
            user=staff,
            date=DAY,
            fund=fund,
            recipient="指挥部",
            purpose="防控",
            cash_amount=Decimal("1.00"),
        )
    # The rice itself is given out: from its lot.
    rice = Lot.objects.get(donation__fund=fund)
    issue_record(
        chapter=tree.naiman,
        user=staff,
        date=DAY,
        kind=IssueKind.RELIEF_GROUP,
        category=category["困难群众慰问"],
        head_count=300,
        lines=[(rice, Decimal("1200"))],
    )
    assert (fund_balance(fund, part="cash"), fund_balance(fund, part="goods")) == (0, 0)


def test_every_figure_of_a_fund_agrees_through_purchases_allocations_issues_and_counts(
    tree, staff, member, gift, purchase, fund, category
):
    gift()  # 36,000 元 of masks
    water = purchase(total="3000.00")  # cash → goods
    city = member(Role.STAFF, tree.tongliao, "city")
    city_fund = FundFactory(chapter=tree.tongliao, name="市级物资")
    blankets = lot_receive(
        chapter=tree.tongliao,
        user=city,
        date=DAY,
        origin=LotOrigin.ALLOCATION,
        fund=city_fund,
        item_name="棉被",
        unit="床",
        quantity=Decimal("100"),
        total_value=Decimal("10000.00"),
        valuation_basis="agreement",
        counted_by_1="甲",
        counted_by_2="乙",
        origin_chapter=tree.nm,
    )
    issue_record(
        chapter=tree.tongliao,
        user=city,
        date=DAY,
        kind=IssueKind.ALLOCATION,
        recipient_chapter=tree.naiman,
        recipient_fund=fund,
        lines=[(blankets, Decimal("40"))],
    )
    issue_record(
        chapter=tree.naiman,
        user=staff,
        date=DAY,
        kind=IssueKind.UNIT,
        receiving_unit="县医院",
        lines=[(water, Decimal("10"))],
    )
    stock_count_record(
        chapter=tree.naiman,
        user=staff,
        date=DAY + datetime.timedelta(days=1),
        lot=water,
        counted_quantity=Decimal("85"),
        reason="破损",
        counted_by_1="张三",
        counted_by_2="李四",
    )

    cash, goods = fund_balance(fund, part="cash"), fund_balance(fund, part="goods")
    # 50,000 − 3,000 cash; 36,000 masks + 3,000 water + 4,000 blankets − 300 issued − 150 lost.
    assert (cash, goods) == (Decimal("47000.00"), Decimal("42550.00"))
    kept = funds_with_balance(Fund.objects.filter(pk=fund.pk)).get()
    assert (kept.cash_balance, kept.goods_balance, kept.balance) == (cash, goods, cash + goods)
    on_hand = sum((lot.value_on_hand for lot in stock_lots(Lot.objects.filter(fund=fund))), Decimal(0))
    assert on_hand == goods  # the goods column is the value of the lots on hand
    entries = FundLedger(fund)[0:100]
    assert entries[-1].balance == cash + goods
    # The ledger keeps the two apart too, on every row and from a page begun in the middle.
    assert (entries[-1].cash_balance, entries[-1].goods_balance) == (cash, goods)
    bought = Decimal("3000.00")
    purchase_row = next(e for e in entries if e.kind == "goods_receipt" and e.goods_inflow == bought)
    assert (purchase_row.cash_outflow, purchase_row.goods_outflow) == (Decimal("3000.00"), 0)
    later = FundLedger(fund).page(2, after=FundLedger.cursor(entries[1]))
    assert [(e.pk, e.cash_balance, e.goods_balance) for e in later] == [
        (e.pk, e.cash_balance, e.goods_balance) for e in entries[2:4]
    ]
    assert FundLedger(fund).count() == len(entries)
    city_kept = funds_with_balance(Fund.objects.filter(pk=city_fund.pk)).get()
    assert (city_kept.cash_balance, city_kept.goods_balance) == (0, Decimal("6000.00"))


def test_books_kept_before_goods_were_apart_still_bound_cash_by_the_whole_balance(tree, staff, category):
    """A fund that gave 400 元 of goods it never received (allowed before issue 20) holds 1,000 元
    of cash but 600 元 in all: it pays 600 元 in cash, not 601."""
    fund = FundFactory(chapter=tree.naiman, name="旧账基金")
    DonationFactory(fund=fund, amount=Decimal("1000.00"))
    PayoutFactory(fund=fund, cash_amount=Decimal("0"), in_kind_amount=Decimal("400.00"))

    with pytest.raises(ValidationError) as refused:
        disbursement_record(
            chapter=tree.naiman,
            user=staff,
            date=DAY,
            category=category["困难群众慰问"],
            cash_amount=Decimal("600.01"),
            beneficiary_name="王五",
            fund=fund,
        )
    assert refused.value.message_dict["fund"] == ["基金“旧账基金”余额不足：可用 600.00 元，本次需 600.01 元"]
    disbursement_record(
        chapter=tree.naiman,
        user=staff,
        date=DAY,
        category=category["困难群众慰问"],
        cash_amount=Decimal("600.00"),
        beneficiary_name="王五",
        fund=fund,
    )
    assert fund_balance(fund) == 0

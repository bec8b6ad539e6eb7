"""Donations, funds, donors, drives and payouts in Excel.

Two of them are ledgers auditors take away: 捐赠收入明细账 (every donation, with its receipt and
what a voided receipt said) and 基金收支明细账 (each fund's opening balance, every inflow and
outflow in date order with the running balance, and its closing balance).
"""

from collections import defaultdict
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from redcross.excel import DATE, INTEGER, MONEY, NUMBER, Column
from redcross.exports import NO, STATUS, YES, RecordExport, period_dates
from redcross.models import Chapter

from . import selectors
from .choices import DonationKind, DonorKind, LedgerEntryKind, ValuationBasis
from .filtersets import (
    DonationFilterSet,
    DonorFilterSet,
    DriveFilterSet,
    FundLedgerFilterSet,
    PayoutFilterSet,
)
from .models import Donation, Donor, Drive, Fund, Payout, Receipt


class DonationLedger(RecordExport):
    key = "donations"
    title = gettext_lazy("捐赠收入明细账")
    model = Donation
    filterset_class = DonationFilterSet
    columns = [
        Column(gettext_lazy("捐赠日期"), DATE),
        Column(gettext_lazy("红十字会")),
        Column(gettext_lazy("票据号")),
        Column(gettext_lazy("票据状态")),
        Column(gettext_lazy("作废票据及原因")),
        Column(gettext_lazy("捐赠人")),
        Column(gettext_lazy("捐赠人类型")),
        Column(gettext_lazy("是否匿名")),
        Column(gettext_lazy("募捐活动")),
        Column(gettext_lazy("入账基金")),
        Column(gettext_lazy("捐赠方式")),
        Column(gettext_lazy("物资名称")),
        Column(gettext_lazy("数量"), NUMBER),
        Column(gettext_lazy("单位")),
        Column(gettext_lazy("金额"), MONEY, total=True),
        Column(gettext_lazy("折价依据")),
        Column(gettext_lazy("备注")),
        Column(gettext_lazy("记录编号"), INTEGER),
        STATUS,
    ]

    def base_queryset(self):
        return super().base_queryset().with_receipt_number()

    def voided_receipts(self, queryset):
        """Voided receipts of the donations in ``queryset``: donation id → "number（作废：reason）"."""
        voided = defaultdict(list)
        rows = (
            Receipt.objects.filter(donation__in=queryset.order_by().values("pk"), voided_at__isnull=False)
            .order_by("issued_on", "pk")
            .values_list("donation", "number", "void_reason")
        )
        for donation, number, reason in rows.iterator(chunk_size=2000):
            voided[donation].append(
                _("%(number)s（作废：%(reason)s）") % {"number": number, "reason": reason}
            )
        return {donation: "；".join(texts) for donation, texts in voided.items()}

    def rows(self, queryset):
        voided = self.voided_receipts(queryset)
        kinds = dict(DonationKind.choices)
        donor_kinds = dict(DonorKind.choices)
        bases = dict(ValuationBasis.choices)
        valid, void, none = _("有效"), _("已作废"), _("未开票")
        anonymous_mark = _("（匿名）")
        yes, no = str(YES), str(NO)
        for row in self.stream(
            queryset,
            "date",
            "chapter__name",
            "receipt_number",
            "donor__name",
            "donor__kind",
            "anonymous",
            "drive__name",
            "fund__name",
            "kind",
            "goods",
            "quantity",
            "unit",
            "amount",
            "valuation_basis",
            "remarks",
            "pk",
        ):
            (day, chapter, receipt, donor, donor_kind, anonymous, drive, fund, kind, goods, quantity, unit,
             amount, basis, remarks, pk) = row  # fmt: skip
            voided_text = voided.get(pk, "")
            yield (
                day,
                chapter,
                receipt or "",
                valid if receipt else (void if voided_text else none),
                voided_text,
                donor + anonymous_mark if anonymous else donor,
                str(donor_kinds.get(donor_kind, donor_kind)),
                yes if anonymous else no,
                drive or "",
                fund,
                str(kinds.get(kind, kind)),
                goods,
                quantity,
                unit,
                amount,
                str(bases.get(basis, basis or "")),
                remarks,
                pk,
            )


class FundLedger(RecordExport):
    """基金收支明细账: per fund, the opening balance, every flow of the period, the closing balance."""

    key = "funds"
    title = gettext_lazy("基金收支明细账")
    model = Fund
    filterset_class = FundLedgerFilterSet
    ordering = ("chapter__path", "name", "pk")
    columns = [
        Column(gettext_lazy("基金")),
        Column(gettext_lazy("红十字会")),
        Column(gettext_lazy("日期"), DATE),
        Column(gettext_lazy("摘要")),
        Column(gettext_lazy("对方")),
        Column(gettext_lazy("用途/活动")),
        Column(gettext_lazy("收入"), MONEY, total=True),
        Column(gettext_lazy("支出"), MONEY, total=True),
        Column(gettext_lazy("余额"), MONEY),
        Column(gettext_lazy("记录编号"), INTEGER),
        # Cash and goods apart (issue 20), after the columns the contract has always had.
        Column(gettext_lazy("现金收入"), MONEY, total=True),
        Column(gettext_lazy("现金支出"), MONEY, total=True),
        Column(gettext_lazy("现金余额"), MONEY),
        Column(gettext_lazy("物资收入"), MONEY, total=True),
        Column(gettext_lazy("物资支出"), MONEY, total=True),
        Column(gettext_lazy("物资余额"), MONEY),
    ]

    def rows(self, queryset):
        start, end = period_dates(self._period)
        labels = {rank: str(LedgerEntryKind(kind).label) for kind, rank in selectors.LEDGER_RANK.items()}
        group = _("群体发放")
        opening_label, closing_label = _("期初余额"), _("期末余额")
        chapters = dict(Chapter.objects.values_list("pk", "name"))
        for fund in queryset.only("pk", "name", "chapter"):
            ledger = selectors.FundLedger(fund, start=start, end=end)
            chapter = chapters[fund.chapter_id]
            zero = Decimal("0.00")
            balance, cash = ledger.opening_balances(start) if start else (zero, zero)
            apart = (None, None, cash, None, None, balance - cash)
            yield (fund.name, chapter, start, opening_label, "", "", None, None, balance, None, *apart)
            rows = ledger.queryset.iterator(chunk_size=2000)
            for day, rank, pk, party, purpose, inflow, outflow, cash_in, cash_out in rows:
                inflow, outflow = Decimal(inflow or 0), Decimal(outflow or 0)
                cash_in, cash_out = Decimal(cash_in or 0), Decimal(cash_out or 0)
                balance += inflow - outflow
                cash += cash_in - cash_out
                yield (
                    fund.name,
                    chapter,
                    day,
                    labels[rank],
                    party or (group if rank == selectors.LEDGER_RANK[LedgerEntryKind.DISBURSEMENT] else ""),
                    purpose,
                    inflow or None,
                    outflow or None,
                    balance,
                    pk,
                    cash_in or None,
                    cash_out or None,
                    cash,
                    (inflow - cash_in) or None,
                    (outflow - cash_out) or None,
                    balance - cash,
                )
            apart = (None, None, cash, None, None, balance - cash)
            yield (fund.name, chapter, end, closing_label, "", "", None, None, balance, None, *apart)

    def filtered(self, params):
        filterset, queryset = super().filtered(params)
        self._period = filterset.form.cleaned_data.get("date") if filterset.is_bound else None
        return filterset, queryset

    def count(self, queryset):
        """Rows the workbook will hold: the funds' flows in the period, and two rows per fund."""
        start, end = period_dates(getattr(self, "_period", None))
        funds = queryset.order_by().values("pk")
        flows = sum(
            model.objects.filter(fund__in=funds).in_period(start, end).count()
            for model in (Donation, *[m for m, _e in selectors.fund_outflows()])
        )
        return flows + 2 * queryset.order_by().count()


class DonorExport(RecordExport):
    key = "donors"
    title = gettext_lazy("捐赠人名录")
    model = Donor
    filterset_class = DonorFilterSet
    ordering = ("name", "pk")
    columns = [
        Column(gettext_lazy("捐赠人名称")),
        Column(gettext_lazy("捐赠人类型")),
        Column(gettext_lazy("红十字会")),
        Column(gettext_lazy("联系人")),
        Column(gettext_lazy("联系电话")),
        Column(gettext_lazy("同意公开署名")),
        Column(gettext_lazy("捐赠笔数"), INTEGER, total=True),
        Column(gettext_lazy("累计捐赠"), MONEY, total=True),
        Column(gettext_lazy("备注")),
    ]

    def base_queryset(self):
        return selectors.donors_with_given(super().base_queryset())

    def rows(self, queryset):
        phone = self.personal("phone")
        kinds = dict(DonorKind.choices)
        yes, no = str(YES), str(NO)
        for name, kind, chapter, contact, number, public, gifts, given, remarks, chapter_id in self.stream(
            queryset,
            "name",
            "kind",
            "chapter__name",
            "contact_person",
            "phone",
            "named_in_public",
            "gift_count",
            "given",
            "remarks",
            "chapter",
        ):
            yield (
                name,
                str(kinds.get(kind, kind)),
                chapter,
                contact,
                phone(chapter_id, number),
                yes if public else no,
                gifts,
                given,
                remarks,
            )


class DriveExport(RecordExport):
    key = "drives"
    title = gettext_lazy("募捐活动")
    model = Drive
    filterset_class = DriveFilterSet
    ordering = ("-start_date", "name")
    columns = [
        Column(gettext_lazy("活动名称")),
        Column(gettext_lazy("红十字会")),
        Column(gettext_lazy("开始日期"), DATE),
        Column(gettext_lazy("结束日期"), DATE),
        Column(gettext_lazy("入账基金")),
        Column(gettext_lazy("目标金额"), MONEY, total=True),
        Column(gettext_lazy("现金"), MONEY, total=True),
        Column(gettext_lazy("物资折价"), MONEY, total=True),
        Column(gettext_lazy("募集合计"), MONEY, total=True),
        Column(gettext_lazy("捐赠笔数"), INTEGER, total=True),
    ]

    def base_queryset(self):
        return selectors.drives_with_totals(super().base_queryset())

    def rows(self, queryset):
        yield from self.stream(
            queryset,
            "name",
            "chapter__name",
            "start_date",
            "end_date",
            "fund__name",
            "goal",
            "cash",
            "in_kind",
            "raised",
            "donation_count",
        )

    def period_text(self, filterset):
        return super().period_text(filterset) + _("（按开始日期）")


class PayoutExport(RecordExport):
    key = "payouts"
    title = gettext_lazy("款物拨付明细账")
    model = Payout
    filterset_class = PayoutFilterSet
    columns = [
        Column(gettext_lazy("拨付日期"), DATE),
        Column(gettext_lazy("红十字会")),
        Column(gettext_lazy("资金来源")),
        Column(gettext_lazy("接收单位")),
        Column(gettext_lazy("用途")),
        Column(gettext_lazy("现金金额"), MONEY, total=True),
        Column(gettext_lazy("物资折价"), MONEY, total=True),
        Column(gettext_lazy("合计金额"), MONEY, total=True),
        Column(gettext_lazy("拨付文号")),
        Column(gettext_lazy("备注")),
        Column(gettext_lazy("记录编号"), INTEGER),
        STATUS,
    ]

    def rows(self, queryset):
        for day, chapter, fund, recipient, purpose, cash, in_kind, document, remarks, pk in self.stream(
            queryset,
            "date",
            "chapter__name",
            "fund__name",
            "recipient",
            "purpose",
            "cash_amount",
            "in_kind_amount",
            "document_number",
            "remarks",
            "pk",
        ):
            yield (
                day,
                chapter,
                fund,
                recipient,
                purpose,
                cash,
                in_kind,
                cash + in_kind,
                document,
                remarks,
                pk,
            )

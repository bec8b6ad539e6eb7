"""A disclosure's lines, computed from the records up to its cut-off day.

What a disclosure holds is plain data, the same shape for every kind, so the page, the Excel
download, the checks and the frozen copy all read one thing::

    {"kind": "drive", "title": …, "as_of": "2020-04-30", "facts": [[label, value], …],
     "sections": [{"key", "title", "columns": [{"key", "label", "kind", "total"}], "rows": [[…]],
                   "totals": {column key: "123.00" | 12}}],
     "summary": [{"key", "label", "value", "sections": [section keys it adds up]}],
     "cumulative": {key: "123.00"}}

Money is a string of yuan with two places (exact in JSON); dates are ISO strings. A section's
``totals`` are summed by the database apart from its rows, so ``check_content`` can hold the two
against each other before anything is published.

Each section is written by one builder below. The goods lists (``goods_received_section``,
``goods_issued_section``: the lots and the issues of the goods app) are quantities beside the money
lists. Received: the gifts list already holds an in-kind gift's value, so the goods received is a
figure of its own, never added into the received total, and a drive's must equal the in-kind part
of its gifts (``equals``, checked before publishing). Used: cash from the relief, spending and
payouts lists' cash, goods from the goods issues' lines (to a unit or a chapter below as much as
to relief) and the older in-kind relief and payouts no issue traces (``goods_untraced_section``),
so a value the relief or payouts list shows and an issue also holds is counted once.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import F, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils.translation import gettext as _

from aid.models import Disbursement
from donations.choices import DonationKind
from donations.models import Donation, Payout
from goods.choices import RELIEF_KINDS, IssueKind, LotOrigin
from goods.models import IssueLine, Lot
from projects.models import Expenditure, Output
from redcross.money import to_money

from .choices import DisclosureKind

TEXT, DATE, MONEY, COUNT, QUANTITY = "text", "date", "money", "count", "quantity"
ZERO = Decimal("0.00")


@dataclass
class Section:
    key: str
    title: str
    columns: list  # (key, label, kind, total)
    rows: list = field(default_factory=list)
    totals: dict = field(default_factory=dict)
    note: str = ""

    def as_json(self):
        return {
            "key": self.key,
            "title": self.title,
            "note": self.note,
            "columns": [
                {"key": k, "label": label, "kind": kind, "total": total}
                for k, label, kind, total in self.columns
            ],
            "rows": [
                [_cell(value, column[2]) for value, column in zip(row, self.columns, strict=True)]
                for row in self.rows
            ],
            "totals": {
                key: _cell(value, MONEY if isinstance(value, Decimal) else COUNT)
                for key, value in self.totals.items()
            },
        }


def _cell(value, kind):
    if value is None:
        return ""
    if kind == MONEY:
        return str(to_money(value))
    if kind == DATE:
        return value.isoformat()
    if kind == COUNT:
        return int(value)
    if kind == QUANTITY:
        return format(Decimal(value).normalize(), "f")
    return str(value)


def _money(value):
    return to_money(value or 0)


def public_donor(donor_name, named_in_public, anonymous):
    """The donor as the public reads them: 匿名 for an anonymous gift, the name when the donor
    agreed to be named, otherwise 爱心人士."""
    if anonymous:
        return _("匿名")
    if named_in_public:
        return donor_name
    return _("爱心人士")


# --- gifts --------------------------------------------------------------------------------------


def gifts_section(gifts, *, key="gifts", title=None):
    """Every gift standing in ``gifts`` (a Donation queryset), one line each; a reversal is a
    negative line saying so."""
    columns = [
        ("date", _("日期"), DATE, False),
        ("donor", _("捐赠人"), TEXT, False),
        ("kind", _("方式"), TEXT, False),
        ("goods", _("物资名称"), TEXT, False),
        ("quantity", _("数量"), QUANTITY, False),
        ("unit", _("计量单位"), TEXT, False),
        ("cash", _("现金（元）"), MONEY, True),
        ("in_kind", _("物资折价（元）"), MONEY, True),
    ]
    rows = []
    for g in gifts.order_by("date", "pk").values(
        "date",
        "donor__name",
        "donor__named_in_public",
        "anonymous",
        "kind",
        "goods",
        "quantity",
        "unit",
        "amount",
        "reverses_id",
    ):
        cash = g["kind"] == DonationKind.CASH
        kind = _("现金") if cash else _("物资")
        if g["reverses_id"]:
            kind = _("%(kind)s（冲销）") % {"kind": kind}
        rows.append(
            [
                g["date"],
                public_donor(g["donor__name"], g["donor__named_in_public"], g["anonymous"]),
                kind,
                g["goods"],
                g["quantity"],
                g["unit"],
                g["amount"] if cash else ZERO,
                ZERO if cash else g["amount"],
            ]
        )
    sums = gifts.aggregate(
        cash=Sum("amount", filter=Q(kind=DonationKind.CASH)),
        in_kind=Sum("amount", filter=Q(kind=DonationKind.IN_KIND)),
    )
    return Section(
        key=key,
        title=title or _("接收捐赠明细"),
        columns=columns,
        rows=rows,
        totals={"cash": _money(sums["cash"]), "in_kind": _money(sums["in_kind"])},
    )


# --- use ---------------------------------------------------------------------------------------


def relief_section(payments, *, township_shown=False):
    """Relief paid, per day and category (and township when the chapter chooses to show it):
    head count and amounts, never a person."""
    group = ["date", "category__name", *(["township"] if township_shown else [])]
    columns = [
        ("date", _("日期"), DATE, False),
        ("category", _("救助类别"), TEXT, False),
        *([("township", _("乡镇"), TEXT, False)] if township_shown else []),
        ("persons", _("受助人次"), COUNT, True),
        ("cash", _("现金（元）"), MONEY, True),
        ("in_kind", _("物资折价（元）"), MONEY, True),
    ]
    counted = Q(reverses__isnull=True)
    rows = [
        [
            r["date"],
            r["category__name"],
            *([r["township"] or _("未填写")] if township_shown else []),
            r["persons"] or 0,
            _money(r["cash"]),
            _money(r["in_kind"]),
        ]
        for r in payments.order_by()
        .values(*group)
        .annotate(
            persons=Sum("head_count", filter=counted), cash=Sum("cash_amount"), in_kind=Sum("in_kind_amount")
        )
        .order_by(*group)
    ]
    sums = payments.aggregate(
        persons=Sum("head_count", filter=counted), cash=Sum("cash_amount"), in_kind=Sum("in_kind_amount")
    )
    return Section(
        key="relief",
        title=_("救助发放（按救助类别）"),
        columns=columns,
        rows=rows,
        totals={
            "persons": sums["persons"] or 0,
            "cash": _money(sums["cash"]),
            "in_kind": _money(sums["in_kind"]),
        },
    )


def payouts_section(payouts):
    columns = [
        ("date", _("日期"), DATE, False),
        ("recipient", _("接收单位"), TEXT, False),
        ("purpose", _("用途"), TEXT, False),
        ("cash", _("现金（元）"), MONEY, True),
        ("in_kind", _("物资折价（元）"), MONEY, True),
    ]
    rows = [
        [p["date"], p["recipient"], p["purpose"], _money(p["cash_amount"]), _money(p["in_kind_amount"])]
        for p in payouts.order_by("date", "pk").values(
            "date", "recipient", "purpose", "cash_amount", "in_kind_amount"
        )
    ]
    sums = payouts.aggregate(cash=Sum("cash_amount"), in_kind=Sum("in_kind_amount"))
    return Section(
        key="payouts",
        title=_("款物拨付（接收单位）"),
        columns=columns,
        rows=rows,
        totals={"cash": _money(sums["cash"]), "in_kind": _money(sums["in_kind"])},
    )


def expenditures_section(expenditures, *, with_project=True):
    columns = [
        ("date", _("日期"), DATE, False),
        *([("project", _("项目"), TEXT, False)] if with_project else []),
        ("category", _("支出类别"), TEXT, False),
        ("payee", _("收款单位"), TEXT, False),
        ("amount", _("金额（元）"), MONEY, True),
    ]
    rows = [
        [
            e["date"],
            *([e["project__name"]] if with_project else []),
            e["category"],
            e["payee"],
            _money(e["amount"]),
        ]
        for e in expenditures.order_by("date", "pk").values(
            "date", "project__name", "category", "payee", "amount"
        )
    ]
    return Section(
        key="expenditures",
        title=_("项目支出"),
        columns=columns,
        rows=rows,
        totals={"amount": _money(expenditures.aggregate(s=Sum("amount"))["s"])},
    )


def outputs_section(outputs):
    columns = [
        ("date", _("完成日期"), DATE, False),
        ("name", _("产出内容"), TEXT, False),
        ("quantity", _("数量"), QUANTITY, False),
        ("unit", _("计量单位"), TEXT, False),
    ]
    rows = [[o.date, o.name, o.quantity, o.unit] for o in outputs.order_by("date", "pk")]
    return Section(key="outputs", title=_("项目产出"), columns=columns, rows=rows)


# --- goods ---------------------------------------------------------------------------------------


def goods_received_section(lots):
    """Every standing lot in ``lots`` (a Lot queryset), one line each: the donor named as the
    gifts list names them (or the chapter above for an allocation, 资金采购 for a purchase)."""
    columns = [
        ("date", _("入库日期"), DATE, False),
        ("donor", _("捐赠单位（来源）"), TEXT, False),
        ("item", _("品名"), TEXT, False),
        ("specification", _("规格型号"), TEXT, False),
        ("unit", _("计量单位"), TEXT, False),
        ("quantity", _("数量"), QUANTITY, False),
        ("value", _("折价（元）"), MONEY, True),
    ]
    rows = []
    for lot in lots.order_by("date", "pk").values(
        "date",
        "origin",
        "donation__donor__name",
        "donation__donor__named_in_public",
        "donation__anonymous",
        "origin_chapter__name",
        "item__name",
        "item__specification",
        "item__unit",
        "quantity",
        "total_value",
    ):
        if lot["origin"] == LotOrigin.DONATION:
            source = public_donor(
                lot["donation__donor__name"],
                lot["donation__donor__named_in_public"],
                lot["donation__anonymous"],
            )
        elif lot["origin"] == LotOrigin.ALLOCATION:
            source = _("%(chapter)s（上级调拨）") % {"chapter": lot["origin_chapter__name"]}
        else:
            source = _("资金采购")
        rows.append(
            [
                lot["date"],
                source,
                lot["item__name"],
                lot["item__specification"],
                lot["item__unit"],
                lot["quantity"],
                _money(lot["total_value"]),
            ]
        )
    return Section(
        key="goods_received",
        title=_("接收物资明细"),
        columns=columns,
        rows=rows,
        totals={"value": _money(lots.aggregate(s=Sum("total_value"))["s"])},
    )


def _relief_township():
    """The township of a relief issue's payment (the payment's own, else its person's), for the
    issue or, for a reversal, the issue it reverses: the issue itself names none."""
    township = Coalesce(NullIf("township", Value("")), NullIf("beneficiary__township", Value("")))

    def of(issue):
        payments = Disbursement.all_objects.filter(goods_issue=OuterRef(issue)).order_by("pk")
        return Subquery(payments.annotate(t=township).values("t")[:1])

    return Coalesce(of("issue_id"), of("issue__reverses_id"))


def goods_issued_section(lines, *, township_shown=False):
    """The standing issue lines in ``lines`` (an IssueLine queryset), one line per issue and item:
    the receiving unit or chapter below by name; relief in kind only as its category and head
    count per day (and township, when the chapter chooses to show it: its payment's), never a
    person."""
    columns = [
        ("date", _("出库日期"), DATE, False),
        ("kind", _("去向"), TEXT, False),
        ("recipient", _("接收单位"), TEXT, False),
        *([("township", _("乡镇"), TEXT, False)] if township_shown else []),
        ("item", _("品名"), TEXT, False),
        ("specification", _("规格"), TEXT, False),
        ("unit", _("计量单位"), TEXT, False),
        ("quantity", _("数量"), QUANTITY, False),
        ("value", _("折价（元）"), MONEY, True),
    ]
    merged = {}
    if township_shown:
        lines = lines.annotate(township=_relief_township())
    for line in lines.order_by("date", "issue_id", "pk").values(
        *(["township"] if township_shown else []),
        "date",
        "issue_id",
        "issue__kind",
        "issue__reverses_id",
        "issue__receiving_unit",
        "issue__recipient_chapter__name",
        "issue__category__name",
        "issue__head_count",
        "lot__item__name",
        "lot__item__specification",
        "lot__item__unit",
        "quantity",
        "value",
    ):
        kind = line["issue__kind"]
        item = (line["lot__item__name"], line["lot__item__specification"], line["lot__item__unit"])
        relief = kind in RELIEF_KINDS
        # Relief merges per day, category and item (its persons counted once per issue); the
        # other issues keep one line per issue and item.
        township = (line["township"] or _("未填写")) if relief and township_shown else None
        key = (
            line["date"],
            kind in RELIEF_KINDS,
            line["issue__category__name"] if relief else line["issue_id"],
            township,
            item,
        )
        row = merged.setdefault(
            key, {"line": line, "issues": set(), "persons": 0, "quantity": Decimal(0), "value": ZERO}
        )
        if relief and line["issue_id"] not in row["issues"] and not line["issue__reverses_id"]:
            row["persons"] += line["issue__head_count"]
        row["issues"].add(line["issue_id"])
        row["quantity"] += line["quantity"]
        row["value"] += line["value"]
    rows = []
    for (day, relief, _who, township, item), row in merged.items():
        line = row["line"]
        kind = line["issue__kind"]
        if relief:
            label = _("救助发放")
            recipient = _("%(category)s（%(n)s人次）") % {
                "category": line["issue__category__name"],
                "n": row["persons"],
            }
        elif kind == IssueKind.ALLOCATION:
            label = _("调拨下级红十字会")
            recipient = line["issue__recipient_chapter__name"]
        elif kind == IssueKind.UNIT:
            label = _("发往接收单位")
            recipient = line["issue__receiving_unit"]
        else:
            label = _("报损核销")
            recipient = "—"
        if line["issue__reverses_id"]:
            label = _("%(kind)s（冲销）") % {"kind": label}
        shown = [township or "—"] if township_shown else []
        rows.append([day, label, recipient, *shown, *item, row["quantity"], _money(row["value"])])
    return Section(
        key="goods_issued",
        title=_("物资发放明细"),
        columns=columns,
        rows=rows,
        totals={"value": _money(lines.aggregate(s=Sum("value"))["s"])},
        # Read by someone adding the lists up: where the goods used are counted, and only there.
        note=_(
            "本表合计计入“使用物资折价”。救助和款物拨付明细中的物资折价若由本表出库，"
            "只在本表计入一次；没有拨付记录的物资（发往接收单位、调拨下级）只在本表列出。"
        )
        if rows
        else "",
    )


def traced_q():
    """A relief payment or payout whose goods left through a goods issue (the issue names it, or
    the record it reverses): their value is counted from the issue's lines, not from it."""
    return Q(goods_issue__isnull=False) | Q(reverses__goods_issue__isnull=False)


def goods_untraced_section(payments, payouts, *, per_day=True):
    """Goods given in kind without a goods issue behind them: older relief payments and payouts
    whose value the data migration of issue 20 could not trace to a lot (``goods.migrating``).
    With the goods issues they make the goods used, each value counted once. Relief only per
    category (and day, for a drive) with its head count, never a person."""
    columns = [
        *([("date", _("日期"), DATE, False)] if per_day else []),
        ("kind", _("去向"), TEXT, False),
        ("recipient", _("接收单位／救助类别"), TEXT, False),
        ("value", _("物资折价（元）"), MONEY, True),
    ]
    day = ["date"] if per_day else []
    payments = payments.exclude(in_kind_amount=0).exclude(traced_q())
    payouts = payouts.exclude(in_kind_amount=0).exclude(traced_q())
    relief = [
        (
            *[r[d] for d in day],
            _("救助发放"),
            _("%(category)s（%(n)s人次）") % {"category": r["category__name"], "n": r["persons"] or 0},
            _money(r["value"]),
        )
        for r in payments.order_by()
        .values(*day, "category__name")
        .annotate(persons=Sum("head_count", filter=Q(reverses__isnull=True)), value=Sum("in_kind_amount"))
        .order_by(*day, "category__name")
    ]
    passed_on = [
        (*[p[d] for d in day], _("款物拨付"), p["recipient"], _money(p["value"]))
        for p in payouts.order_by()
        .values(*day, "recipient")
        .annotate(value=Sum("in_kind_amount"))
        .order_by(*day, "recipient")
    ]
    rows = sorted(relief + passed_on, key=lambda r: r[0]) if per_day else relief + passed_on
    total = _money(payments.aggregate(s=Sum("in_kind_amount"))["s"]) + _money(
        payouts.aggregate(s=Sum("in_kind_amount"))["s"]
    )
    return Section(
        key="goods_untraced",
        title=_("未经物资出库的实物使用"),
        columns=columns,
        rows=[list(r) for r in rows],
        totals={"value": total},
        note=_("较早登记的实物救助和拨付未能对应到入库批次，按其登记的折价计入物资使用。"),
    )


# --- what each kind holds ------------------------------------------------------------------------


def _total(section, *keys):
    return sum((Decimal(section.totals[k]) for k in keys), ZERO)


def drive_content(disclosure, as_of):
    drive = disclosure.drive
    fund = drive.fund
    gifts = gifts_section(Donation.objects.filter(drive=drive, date__lte=as_of))
    # The drive's money sits in its fund: its use is what the fund paid from the drive's start.
    spent = {"fund": fund, "date__gte": drive.start_date, "date__lte": as_of}
    relief = relief_section(Disbursement.objects.filter(**spent), township_shown=disclosure.township_shown)
    expenditures = expenditures_section(Expenditure.objects.filter(**spent))
    payouts = payouts_section(Payout.objects.filter(**spent))
    facts = [
        (_("募捐活动"), drive.name),
        (_("活动期间"), f"{drive.start_date.isoformat()} — {drive.end_date.isoformat()}"),
        (_("入账基金"), fund.name),
        (_("限定用途"), str(fund.purpose) if fund.is_restricted else _("非限定")),
    ]
    if drive.goal:
        facts.append((_("目标金额（元）"), str(drive.goal)))
    goods_received = goods_received_section(Lot.objects.filter(donation__drive=drive, date__lte=as_of))
    goods_issued = goods_issued_section(
        IssueLine.objects.filter(**spent), township_shown=disclosure.township_shown
    )
    untraced = goods_untraced_section(Disbursement.objects.filter(**spent), Payout.objects.filter(**spent))
    sections = [gifts, relief, expenditures, payouts, goods_received, goods_issued]
    if untraced.rows:
        sections.append(untraced)
    received = _total(gifts, "cash", "in_kind")
    summary = [
        ("received_cash", _("累计接收现金（元）"), gifts.totals["cash"], ["gifts.cash"]),
        ("received_in_kind", _("累计接收物资折价（元）"), gifts.totals["in_kind"], ["gifts.in_kind"]),
        ("received", _("累计接收合计（元）"), received, ["gifts.cash", "gifts.in_kind"]),
        *_used_summary(
            relief,
            "expenditures.amount",
            _total(expenditures, "amount"),
            payouts,
            goods_issued,
            untraced,
            cumulative=True,
        ),
        _goods_received_figure(goods_received, equals="received_in_kind"),
    ]
    note = _("本活动所募款物计入“%(fund)s”，使用明细为该基金自活动开始以来的全部支出。") % {"fund": fund.name}
    return facts, sections, summary, note


def project_content(disclosure, as_of):
    project = disclosure.project
    expenditures = expenditures_section(
        Expenditure.objects.filter(project=project, date__lte=as_of), with_project=False
    )
    outputs = outputs_section(Output.objects.filter(project=project, date__lte=as_of))
    facts = [
        (_("项目"), project.name),
        (_("项目类型"), project.kind.name),
        (_("项目地点"), project.place or "—"),
        (_("预算金额（元）"), str(project.budget)),
        (_("项目状态"), project.get_status_display()),
    ]
    summary = [("spent", _("累计支出（元）"), expenditures.totals["amount"], ["expenditures.amount"])]
    return facts, [expenditures, outputs], summary, ""


def period_content(disclosure, as_of):
    from reports.periods import Period

    period = Period.parse(disclosure.period)
    within = {"chapter": disclosure.chapter, "date__gte": period.start, "date__lte": min(as_of, period.end)}
    gifts = Donation.objects.filter(**within)
    by_drive = Section(
        key="received",
        title=_("接收捐赠（按募捐活动）"),
        columns=[
            ("drive", _("募捐活动"), TEXT, False),
            ("cash", _("现金（元）"), MONEY, True),
            ("in_kind", _("物资折价（元）"), MONEY, True),
        ],
    )
    for row in (
        gifts.order_by()
        .values("drive__name", "drive__start_date")
        .annotate(
            cash=Sum("amount", filter=Q(kind=DonationKind.CASH)),
            in_kind=Sum("amount", filter=Q(kind=DonationKind.IN_KIND)),
        )
        .order_by(F("drive__start_date").asc(nulls_last=True), "drive__name")
    ):
        name = row["drive__name"] or _("其他捐赠（不属于募捐活动）")
        by_drive.rows.append([name, _money(row["cash"]), _money(row["in_kind"])])
    sums = gifts.aggregate(
        cash=Sum("amount", filter=Q(kind=DonationKind.CASH)),
        in_kind=Sum("amount", filter=Q(kind=DonationKind.IN_KIND)),
    )
    by_drive.totals = {"cash": _money(sums["cash"]), "in_kind": _money(sums["in_kind"])}
    relief = relief_section(Disbursement.objects.filter(**within), township_shown=False)
    relief.rows = _by_category(relief)
    expenditures = Expenditure.objects.filter(**within)
    spending = Section(
        key="projects",
        title=_("项目支出（按项目）"),
        columns=[("project", _("项目"), TEXT, False), ("amount", _("金额（元）"), MONEY, True)],
        rows=[
            [r["project__name"], _money(r["amount"])]
            for r in expenditures.order_by()
            .values("project__name")
            .annotate(amount=Sum("amount"))
            .order_by("project__name")
        ],
        totals={"amount": _money(expenditures.aggregate(s=Sum("amount"))["s"])},
    )
    payouts = payouts_section(Payout.objects.filter(**within))
    goods_received = goods_received_section(Lot.objects.filter(**within))
    goods_issued = goods_issued_section(
        IssueLine.objects.filter(
            issue__chapter=disclosure.chapter, date__gte=period.start, date__lte=min(as_of, period.end)
        )
    )
    untraced = goods_untraced_section(
        Disbursement.objects.filter(**within), Payout.objects.filter(**within), per_day=False
    )
    received = _total(by_drive, "cash", "in_kind")
    summary = [
        ("received_cash", _("接收现金（元）"), by_drive.totals["cash"], ["received.cash"]),
        ("received_in_kind", _("接收物资折价（元）"), by_drive.totals["in_kind"], ["received.in_kind"]),
        ("received", _("接收合计（元）"), received, ["received.cash", "received.in_kind"]),
        *_used_summary(
            relief, "projects.amount", _total(spending, "amount"), payouts, goods_issued, untraced
        ),
        _goods_received_figure(goods_received),
    ]
    facts = [(_("期间"), f"{period.start.isoformat()} — {period.end.isoformat()}")]
    sections = [by_drive, relief, spending, payouts, goods_received, goods_issued]
    if untraced.rows:
        sections.append(untraced)
    return facts, sections, summary, ""


def _used_summary(relief, spent_key, spent, payouts, goods_issued, untraced, *, cumulative=False):
    """What was used, cash and goods apart and their sum, each counted once: cash from the relief
    payments, the spending and the payouts in cash; goods from the goods issues (their lines'
    value, to persons, groups, receiving units, chapters below, and write-offs), and from the
    older relief and payouts in kind that no issue traces (``goods_untraced``). The relief and
    payouts lists still show their in-kind value, which the goods issues already count."""
    cash = ["relief.cash", spent_key, "payouts.cash"]
    goods = ["goods_issued.value", "goods_untraced.value"]
    used_cash = _total(relief, "cash") + spent + _total(payouts, "cash")
    used_goods = _total(goods_issued, "value") + _total(untraced, "value")
    if cumulative:
        labels = (_("累计使用现金（元）"), _("累计使用物资折价（元）"), _("累计使用合计（元）"))
    else:
        labels = (_("使用现金（元）"), _("使用物资折价（元）"), _("使用合计（元）"))
    return [
        ("used_cash", labels[0], used_cash, cash),
        ("used_in_kind", labels[1], used_goods, goods),
        ("used", labels[2], used_cash + used_goods, cash + goods),
    ]


def _goods_received_figure(received, *, equals=None):
    """The goods received list's value, beside the money figures and never added into them (the
    gifts list already holds the gifts' values). A drive's goods received must be the in-kind part
    of its gifts (``equals``); a period's lots also hold purchases and allocations from above,
    which are no gifts."""
    return (
        "goods_received",
        _("接收物资折价（元，物资明细）"),
        received.totals["value"],
        ["goods_received.value"],
        *([equals] if equals else []),
    )


def _by_category(relief):
    """A period's relief per category, not per day."""
    merged = {}
    for _date, category, persons, cash, in_kind in relief.rows:
        row = merged.setdefault(category, [None, category, 0, ZERO, ZERO])
        row[2] += persons
        row[3] += cash
        row[4] += in_kind
    relief.columns = relief.columns[1:]
    return [row[1:] for row in sorted(merged.values(), key=lambda r: r[1])]


BUILDERS = {
    DisclosureKind.DRIVE: drive_content,
    DisclosureKind.PROJECT: project_content,
    DisclosureKind.PERIOD: period_content,
}


def disclosure_content(disclosure, as_of=None):
    """What ``disclosure`` says with its figures cut at ``as_of`` (its own day when None)."""
    as_of = as_of or disclosure.as_of
    facts, sections, summary, note = BUILDERS[disclosure.kind](disclosure, as_of)
    return {
        "kind": disclosure.kind,
        "chapter": disclosure.chapter.name,
        "code": disclosure.chapter.code,
        "title": title_of(disclosure, as_of),
        "as_of": as_of.isoformat(),
        "note": note,
        "facts": [[str(label), str(value)] for label, value in facts],
        "sections": [s.as_json() for s in sections],
        "summary": [
            {
                "key": key,
                "label": str(label),
                "value": str(to_money(value)),
                "adds": adds,
                **({"equals": equals[0]} if equals else {}),
            }
            for key, label, value, adds, *equals in summary
        ],
        "cumulative": {key: str(to_money(value)) for key, _label, value, *_rest in summary},
    }


def title_of(disclosure, as_of):
    if disclosure.kind == DisclosureKind.PERIOD:
        return _("%(chapter)s%(subject)s捐赠款物接收和使用情况公示") % {
            "chapter": disclosure.chapter.name,
            "subject": disclosure.subject,
        }
    return _("%(chapter)s%(subject)s接收和使用情况公示（截至%(date)s）") % {
        "chapter": disclosure.chapter.name,
        "subject": disclosure.subject,
        "date": _date_label(as_of),
    }


def _date_label(day):
    return _("%(y)s年%(m)s月%(d)s日") % {"y": day.year, "m": day.month, "d": day.day}


def parse_date(text):
    return datetime.date.fromisoformat(text)

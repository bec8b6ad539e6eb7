"""The import workbook's 基金, 募捐活动 and 捐赠 sheets (DESIGN.md, "Import workbook")."""

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from functools import partial

from django.core.exceptions import ValidationError
from django.db import connection
from django.utils.translation import gettext as _

from redcross.access import Access
from redcross.importing import (
    Col,
    Problem,
    Refers,
    RowProblems,
    Sheet,
    as_choice,
    as_date,
    as_decimal,
    as_money,
    as_record_date,
    as_text,
    as_yes_no,
    clean_fields,
    run_checks,
)
from redcross.models import every
from redcross.money import format_money
from redcross.rules import in_columns, refuse_row

from .choices import DonationKind, DonorKind, ValuationBasis
from .models import Donation, Donor, Drive, Fund, Receipt
from .rules import donation_problems, drive_problems
from .selectors import fund_balance, funds_with_balance


class FundSheet(Sheet):
    name = "基金"
    model = Fund
    defines, key_column, refers = "基金", "基金名称", ("项目",)
    list_url = "donations:fund-list"
    example = {"基金名称": "大病救助基金", "限定用途": "重特大疾病救助", "备注": "限定用于大病救助"}
    columns = [
        Col("基金名称", required=True, note="本会的基金名称；已有同名基金时沿用，不重复创建"),
        Col("限定用途", note="空为非限定用途；否则填一个救助类别或本会已有项目的名称", options="救助类别"),
        Col("备注"),
    ]

    def check_row(self, row, values):
        context = self.context
        name = as_text(values["基金名称"])
        purpose = as_text(values["限定用途"])
        category = project = None
        if purpose:
            category = Fund.category_model().objects.filter(name=purpose).first()
            project = None if category else context.projects.get(purpose)
            if category is None and project is None:
                message = _("“%(name)s”既不是救助类别，也不是本会的项目") % {"name": purpose}
                raise RowProblems({"限定用途": Refers("项目", purpose, message)})
        existing = context.funds.get(name)
        if existing is not None:
            if (existing.restricted_category_id, existing.restricted_project_id) != (
                getattr(category, "pk", None),
                getattr(project, "pk", None),
            ):
                raise RowProblems({"限定用途": _("基金“%(name)s”已存在，限定用途与之不同") % {"name": name}})
            return None  # already held: used as it is
        if not Access(context.user).can_administer(context.chapter):
            raise RowProblems(
                {"基金名称": _("基金“%(name)s”不存在；新建基金须由系统管理员导入") % {"name": name}}
            )
        fund = Fund(
            chapter=context.chapter,
            name=name,
            restricted_category=category,
            restricted_project=project,
            remarks=as_text(values["备注"]),
            created_by=context.user,
            updated_by=context.user,
        )
        clean_fields(
            fund, exclude=["chapter", "restricted_category", "restricted_project", "created_by", "updated_by"]
        )
        context.funds[name] = fund
        context.balances[name] = 0
        context.goods_balances[name] = 0
        return fund


class DriveSheet(Sheet):
    name = "募捐活动"
    model = Drive
    defines, key_column, refers = "募捐活动", "活动名称", ("基金",)
    list_url = "donations:drive-list"
    example = {
        "活动名称": "博爱一日捐",
        "开始日期": "2021-05-01",
        "结束日期": "2021-05-31",
        "入账基金": "大病救助基金",
        "目标金额": 100000,
    }
    columns = [
        Col("活动名称", required=True, note="如 博爱一日捐；同名活动按年份区分"),
        Col("开始日期", required=True, kind="date"),
        Col("结束日期", required=True, kind="date"),
        Col("入账基金", required=True, note="本会已有或本文件“基金”表中的基金", options="基金"),
        Col("目标金额", kind="money", note="元"),
    ]

    def check_row(self, row, values):
        context = self.context
        cleaned = run_checks(
            values,
            {
                "开始日期": as_date,
                "结束日期": as_date,
                "入账基金": lambda v: context.fund(as_text(v)),
                "目标金额": as_money,
            },
        )
        name = as_text(values["活动名称"])
        start, end, fund = cleaned["开始日期"], cleaned["结束日期"], cleaned["入账基金"]
        refuse_row(drive_problems(start_date=start, end_date=end), {"end_date": "结束日期"})
        for drive in context.drives[name]:
            if drive.start_date == start:
                if drive.fund.name != fund.name:
                    raise RowProblems(
                        {"入账基金": _("活动“%(name)s”已存在，入账基金与之不同") % {"name": name}}
                    )
                return None  # already held
        drive = Drive(
            chapter=context.chapter,
            name=name,
            start_date=start,
            end_date=end,
            fund=fund,
            goal=cleaned["目标金额"],
            created_by=context.user,
            updated_by=context.user,
        )
        clean_fields(drive, exclude=["chapter", "fund", "created_by", "updated_by"])
        context.drives[name].append(drive)
        return drive


# Where the 捐赠 sheet leaves its gifts in kind on the import's context (``context.extra``).
GIFTS_IN_KIND = "gifts_in_kind"


@dataclass(slots=True)
class GiftInKind:
    """A gift in kind of the workbook as its 捐赠 row was checked: what a later sheet may give out
    before the gift's goods are in the books (goods' 物资发放). ``donation``: its pk once made."""

    row: int
    date: datetime.date
    goods: str
    quantity: Decimal | None
    unit: str
    fund: Fund
    donation: int | None = None


class DonationSheet(Sheet):
    """捐赠: each row a gift, cash or in kind. Its gifts in kind are the goods (物资, by 物资名称)
    the workbook brings in, which a later sheet may give out: a refused gift is the root cause of
    the rows that would have given its goods (``Refers``)."""

    name = "捐赠"
    model = Donation
    defines, key_column, refers = "物资", "物资名称", ("基金", "募捐活动")
    collect_names = False  # only 物资发放, checked after it, names them; the sheet is read once
    list_url = "donations:donation-list"
    example = {
        "捐赠日期": "2021-05-08",
        "捐赠人": "某某商贸有限公司",
        "捐赠人类型": "单位",
        "募捐活动": "博爱一日捐",
        "捐赠方式": "现金",
        "金额": 20000,
        "票据号": "0012345",
        "是否匿名": "否",
    }
    # The column of each field the rules in ``donations.rules`` name.
    field_columns = {
        "amount": "金额",
        "fund": "入账基金",
        "goods": "物资名称",
        "valuation_basis": "折价依据",
    }
    columns = [
        Col("捐赠日期", required=True, kind="date"),
        Col("捐赠人", required=True, note="个人姓名或单位名称；同名同类型的捐赠人视为同一人"),
        Col("捐赠人类型", required=True, kind="choice", note="个人 或 单位", options="捐赠人类型"),
        Col("募捐活动", note="填写时捐赠日期须在活动期间内，入账基金随活动", options="募捐活动"),
        Col("入账基金", note="不属于募捐活动时必填", options="基金"),
        Col("捐赠方式", required=True, kind="choice", note="现金 或 物资", options="捐赠方式"),
        Col("金额", required=True, kind="money", note="元；物资填折价金额"),
        Col("物资名称", note="物资捐赠必填"),
        Col("数量", kind="number"),
        Col("单位"),
        Col(
            "折价依据",
            kind="choice",
            note="物资捐赠必填：发票、捐赠协议、市场价格、第三方评估",
            options="折价依据",
        ),
        Col("票据号", kind="code", note="捐赠票据号，本会内不得重复；文本格式，保留开头的0"),
        Col("是否匿名", kind="choice", note="是 或 否，空为否", options="是否"),
        Col("备注"),
    ]

    def __init__(self, context):
        super().__init__(context)
        chapter = context.chapter
        self.donors = {(d.name, d.kind): d for d in Donor.objects.filter(chapter=chapter).order_by("-pk")}
        self.new_donors = []
        self.receipts = []
        self.in_kind = []  # (GiftInKind, its donation) since the last flush
        context.extra.setdefault(GIFTS_IN_KIND, [])
        context.receipts.update(
            {
                number: ""
                for number in Receipt.objects.filter(chapter=chapter).values_list("number", flat=True)
            }
        )

    def check_row(self, row, values):
        context = self.context
        cleaned = run_checks(
            values,
            {
                "捐赠日期": as_record_date,
                "捐赠人类型": lambda v: as_choice(v, DonorKind),
                "捐赠方式": lambda v: as_choice(v, DonationKind),
                "金额": as_money,
                "数量": as_decimal,
                "折价依据": lambda v: as_choice(v, ValuationBasis),
                "是否匿名": as_yes_no,
                "入账基金": lambda v: context.fund(as_text(v)),
            },
        )
        date, kind, amount = cleaned["捐赠日期"], cleaned["捐赠方式"], cleaned["金额"]
        fund, drive = cleaned["入账基金"], None
        goods = as_text(values["物资名称"])
        drive_name = as_text(values["募捐活动"])
        if drive_name:
            drives = context.drives.get(drive_name) or []
            drive = next((d for d in drives if d.start_date <= date <= d.end_date), None)
        problems = in_columns(
            donation_problems(
                kind=kind,
                amount=amount,
                drive=drive,
                fund=fund,
                goods=goods,
                valuation_basis=cleaned["折价依据"],
            ),
            self.field_columns,
        )
        if drive_name and drive is None:
            # The drive named is what is wrong, not a fund left out.
            problems.pop("入账基金", None)
            if not drives:
                message = _("募捐活动“%(name)s”不存在") % {"name": drive_name}
                problems["募捐活动"] = Refers("募捐活动", drive_name, message)
            else:
                problems["募捐活动"] = _("捐赠日期不在募捐活动“%(name)s”的任何一期内") % {"name": drive_name}
        elif drive is not None:
            fund = drive.fund
        number = as_text(values["票据号"])
        if number:
            used = context.receipts.get(number)
            if used == "":
                problems["票据号"] = _("票据号“%(number)s”已经使用过（含已作废的票据）") % {"number": number}
            elif used is not None:
                problems["票据号"] = _("票据号“%(number)s”与%(where)s重复") % {
                    "number": number,
                    "where": used,
                }
        if problems:
            raise RowProblems(problems)
        if number:
            context.receipts[number] = _("第%(row)s行") % {"row": row}
        donor = self._donor(as_text(values["捐赠人"]), cleaned["捐赠人类型"])
        in_kind = kind == DonationKind.IN_KIND
        donation = Donation(
            chapter=context.chapter,
            date=date,
            donor=donor,
            drive=drive,
            fund=fund,
            kind=kind,
            amount=amount,
            goods=goods if in_kind else "",
            quantity=cleaned["数量"] if in_kind else None,
            unit=as_text(values["单位"]) if in_kind else "",
            valuation_basis=cleaned["折价依据"] if in_kind else "",
            anonymous=bool(cleaned["是否匿名"]),
            remarks=as_text(values["备注"]),
            created_by=context.user,
            updated_by=context.user,
        )
        clean_fields(
            donation, exclude=["chapter", "donor", "drive", "fund", "created_by", "updated_by"], row=row
        )
        # Cash and goods apart: a gift in kind adds to what the fund holds in goods, not in cash.
        balances = context.goods_balances if in_kind else context.balances
        balances[fund.name] = balances.get(fund.name, 0) + amount
        if in_kind:
            gift = GiftInKind(row, date, goods, donation.quantity, donation.unit, fund)
            context.extra[GIFTS_IN_KIND].append(gift)
            self.in_kind.append((gift, donation))
        if number:
            self.receipts.append(
                Receipt(
                    chapter=context.chapter,
                    donation=donation,
                    number=number,
                    issued_on=date,
                    created_by=context.user,
                    updated_by=context.user,
                )
            )
        return donation

    def _donor(self, name, kind):
        donor = self.donors.get((name, kind))
        if donor is None:
            donor = Donor(chapter=self.context.chapter, name=name, kind=kind, created_by=self.context.user)
            donor.updated_by = self.context.user
            clean_fields(donor, exclude=["chapter", "created_by", "updated_by"], column="捐赠人")
            self.donors[(name, kind)] = donor
            self.new_donors.append(donor)
        return donor

    def create(self):
        Donor.objects.bulk_create(self.new_donors, batch_size=2000)
        super().create()
        Receipt.objects.bulk_create(self.receipts, batch_size=2000)
        for gift, donation in self.in_kind:
            gift.donation = donation.pk

    def forget(self):
        super().forget()
        self.new_donors = []
        self.receipts = []
        self.in_kind = []

    def created_ids(self):
        return {
            "donations.Donor": [d.pk for d in self.new_donors],
            "donations.Donation": [d.pk for d in self.created],
            "donations.Receipt": [r.pk for r in self.receipts],
        }


def donor_kinds_offered(chapter):
    """The 捐赠人类型 drop-down of the blank template (registered in ``DonationsConfig.ready``)."""
    return [str(k.label) for k in DonorKind]


def donation_kinds_offered(chapter):
    """The 捐赠方式 drop-down."""
    return [str(k.label) for k in DonationKind]


def valuation_bases_offered(chapter):
    """The 折价依据 drop-down."""
    return [str(b.label) for b in ValuationBasis]


def funds_offered(chapter):
    """The 基金 drop-down: the chapter's funds."""
    return list(Fund.objects.filter(chapter=chapter).order_by("name").values_list("name", flat=True))


def drives_offered(chapter):
    """The 募捐活动 drop-down: the chapter's drives, each name once."""
    return sorted(set(Drive.objects.filter(chapter=chapter).values_list("name", flat=True)))


# --- what the import keeps of funds, drives and receipts (registered in DonationsConfig.ready) ---


def fund_named(context, name):
    """The fund ``name`` of the chapter or of the file read so far (``context.fund(name)``)."""
    found = context.funds.get(name)
    if found is None:
        raise Refers("基金", name, _("基金“%(name)s”不存在") % {"name": name})
    return found


def context_load(context):
    """Puts the chapter's funds with their balances, its drives, and an empty list of receipt
    numbers on a new import context; the sheets keep them up to date row by row."""
    chapter = context.chapter
    context.funds = {}  # name → Fund (saved or still to create)
    context.balances = {}  # fund name → Decimal: the cash it holds
    context.goods_balances = {}  # fund name → Decimal: the value of the goods it holds
    context.drives = defaultdict(list)  # name → Drives
    context.receipts = {}  # number → where first used ("" for the database)
    context.fund = partial(fund_named, context)
    funds = list(Fund.objects.filter(chapter=chapter).order_by("pk"))
    balances = {
        pk: (cash, goods)
        for pk, cash, goods in funds_with_balance(Fund.objects.filter(chapter=chapter)).values_list(
            "pk", "cash_balance", "goods_balance"
        )
    }
    for fund in funds:
        cash, goods = balances.get(fund.pk, (0, 0))
        context.funds[fund.name] = fund
        context.balances[fund.name] = Decimal(cash or 0).quantize(Decimal("0.01"))
        context.goods_balances[fund.name] = Decimal(goods or 0).quantize(Decimal("0.01"))
    context.extra["opening"] = dict(context.balances)
    context.extra["opening_goods"] = dict(context.goods_balances)
    for drive in Drive.objects.filter(chapter=chapter).select_related("fund"):
        context.drives[drive.name].append(drive)


def funds_recheck(context, result):
    """Locks the funds the file takes money from (it was checked against their balances as they
    were when the check began) and reads their balances again, the import's records included:
    a fund below zero means something was spent from it meanwhile, and nothing is imported.

    The lock is taken only now, after the records are made, and held to the commit. FOR NO KEY
    UPDATE on PostgreSQL: two imports creating rows that name the same fund (each holding its
    key-share lock) then wait for each other here instead of deadlocking."""
    opening = context.extra.get("opening", {})
    opening_goods = context.extra.get("opening_goods", {})
    goods_balances = getattr(context, "goods_balances", {})
    spent = [
        fund.pk
        for name, fund in context.funds.items()
        if fund.pk
        and name in opening
        and (
            context.balances.get(name, 0) < opening[name]
            or goods_balances.get(name, 0) < opening_goods.get(name, 0)
        )
    ]
    if not spent:
        return
    no_key = connection.features.has_select_for_no_key_update
    list(Fund.objects.select_for_update(no_key=no_key).filter(pk__in=spent).order_by("pk").values_list("pk"))
    funds = funds_with_balance(Fund.objects.filter(pk__in=spent)).order_by("pk")
    for name, cash, goods in funds.values_list("name", "cash_balance", "goods_balance"):
        balance = min(Decimal(cash or 0), Decimal(goods or 0)).quantize(Decimal("0.01"))
        if balance < 0:
            result.problems.append(
                Problem(
                    "",
                    None,
                    "",
                    _(
                        "基金“%(fund)s”余额不足：检查之后该基金又有支出登记，按本文件导入后余额将为 "
                        "%(balance)s 元；未导入任何记录，请重新检查"
                    )
                    % {"fund": name, "balance": format_money(balance)},
                )
            )


def undo_refuse_spent_funds(batch, voided):
    """Voided gifts take their money back: an undo is refused when a fund the voided records
    name has spent it since."""
    funds = set()
    for model, ids in voided.items():
        if any(f.name == "fund" for f in model._meta.concrete_fields):
            values = every(model).filter(pk__in=ids).values_list("fund_id", flat=True)
            funds.update(v for v in values if v is not None)
    for fund in Fund.objects.select_for_update().filter(pk__in=funds).order_by("pk"):
        balance = min(fund_balance(fund, part="cash"), fund_balance(fund, part="goods"))
        if balance < 0:
            raise ValidationError(
                _("基金“%(fund)s”已支出本批次导入的捐赠款，撤销后余额将为 %(balance)s 元，不能整批撤销")
                % {"fund": fund.name, "balance": format_money(balance)}
            )

"""What the import does for goods: a gift in kind read from the 捐赠 sheet makes its lot, as one
recorded on the form does, and undoing the import takes the lots back with their gifts; the
物资发放 sheet (DESIGN.md, "Import workbook") issues goods from the chapter's lots, the
earliest-expiring first, as the issue form does — among them the lots the same workbook's 捐赠
rows will make —, and undoing it puts the goods back."""

import datetime
import re
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from donations.choices import DonationKind
from donations.imports import GIFTS_IN_KIND
from donations.models import Donation
from redcross import bounds
from redcross.idnumber import normalize_id_number, validate_id_number
from redcross.importing import (
    BadValue,
    Col,
    Problem,
    Refers,
    RowProblems,
    Sheet,
    as_count,
    as_decimal,
    as_id_number_text,
    as_record_date,
    as_text,
    run_checks,
)
from redcross.models import Chapter
from redcross.rules import in_columns

from .choices import RELIEF_KINDS, IssueKind
from .intake import UNIT_WHEN_UNKNOWN, LotIntake
from .models import Adjustment, Issue, IssueLine, Item, Lot
from .rules import issue_problems, plain
from .selectors import fifo_order, stock_lots
from .services import IssueCorrections, _lot_void, issue_record

# The 发放对象 column's words (part of the workbook's format, whatever the reader's language).
TARGETS = {
    "个人": IssueKind.RELIEF_PERSON,
    "群体": IssueKind.RELIEF_GROUP,
    "下级红十字会": IssueKind.ALLOCATION,
    "接收单位": IssueKind.UNIT,
}
# Where each field the rules of an issue name (``rules.issue_problems``) is in the sheet.
ISSUE_COLUMNS = {
    "recipient_chapter": "接收单位",
    "receiving_unit": "接收单位",
    "category": "救助类别",
    "beneficiary_name": "受助人姓名",
    "head_count": "受助人数",
    "quantity": "数量",
    "lines": "数量",
    "item": "物资名称",
    "date": "发放日期",
}
SHEET = "物资发放"


def _target(value):
    kind = TARGETS.get(as_text(value))
    if kind is None:
        raise BadValue(_("应为 %(options)s 之一") % {"options": "、".join(TARGETS)})
    return kind


def _quantity(value):
    quantity = as_decimal(value)
    if quantity <= 0:
        raise BadValue(_("数量必须大于零"))
    if quantity != quantity.quantize(Decimal("0.01")):
        raise BadValue(_("数量最多保留两位小数"))
    return quantity


def _id_number(value):
    number = normalize_id_number(as_id_number_text(value))
    validate_id_number(number)
    return number


class _Stock:
    """A lot as the sheet's rows leave it: what it still holds, for the rows after. A lot the
    workbook's 捐赠 sheet will make has no pk until it is made; ``gift`` is its gift."""

    __slots__ = ("pk", "date", "fund", "on_hand", "expiry", "gift")

    def __init__(self, pk, date, fund, on_hand, expiry=None, gift=None):
        self.pk, self.date, self.fund, self.on_hand = pk, date, fund, on_hand
        self.expiry, self.gift = expiry, gift

    def fifo(self):
        """Its place in the order lots are taken (``selectors.fifo_order``): a lot yet to be made
        comes after every lot already held (its pk will be higher), in the order of its row."""
        made = self.pk is None
        last = self.gift.row if made else self.pk
        return (self.expiry is None, self.expiry or datetime.date.max, self.date, made, last)

    def described(self):
        """Where the goods come from, for the preview: the lot, or the gift row that makes it."""
        if self.gift is not None:
            return _("捐赠 第%(row)s行") % {"row": self.gift.row}
        return _("批次#%(pk)s") % {"pk": self.pk}


def _fund_key(fund):
    """The same for the lots of one fund, whether it is already held or made by the workbook."""
    return fund.pk if fund.pk is not None else ("new", fund.name)


class GoodsIssueSheet(Sheet):
    """物资发放: each row issues a quantity of one of the chapter's items, taken from its lots the
    earliest-expiring first (as ``services.issue_record`` picks them), to a person or a group
    (relief, with its payment), a chapter below (which receives the goods as a lot) or a unit."""

    name = SHEET
    model = Issue
    # The goods of the 捐赠 sheet's gifts in kind may be issued: this sheet is checked after it.
    refers = ("物资",)
    list_url = "goods:issue-list"
    example = {
        "发放日期": "2021-03-01",
        "物资名称": "棉被",
        "数量": 20,
        "单位": "床",
        "发放对象": "群体",
        "受助人数": 20,
        "救助类别": "困难群众慰问",
        "乡镇": "大沁他拉镇",
    }
    columns = [
        Col("发放日期", required=True, kind="date"),
        Col(
            "物资名称",
            required=True,
            note="本会库存或本文件“捐赠”表捐赠的物资（发放日期不早于捐赠日期），按有效期先到先发",
        ),
        Col("规格型号", note="同名物资有多种规格时必填"),
        Col("数量", required=True, kind="number"),
        Col("单位", required=True),
        Col(
            "发放对象",
            required=True,
            kind="choice",
            options="发放对象",
            note="个人、群体、下级红十字会或接收单位",
        ),
        Col("受助人姓名", note="发放对象为个人时必填"),
        Col("身份证号", kind="code", note="18位，校验位须正确；文本格式"),
        Col("受助人数", kind="count", note="发放对象为群体时必填"),
        Col("接收单位", note="接收单位的名称；下级红十字会填其行政区划代码或名称"),
        Col("救助类别", kind="choice", options="救助类别", note="发放对象为个人、群体时必填"),
        Col("乡镇"),
        Col("备注"),
    ]

    def __init__(self, context):
        super().__init__(context)
        self.categories = {c.name: c for c in Issue._meta.get_field("category").related_model.objects.all()}
        self.items = {}  # (name, specification, unit) → item, or the problem of naming it
        self.lots = {}  # (name, specification, unit) → its lots (``_Stock``) in the order they are taken
        self.made = []  # the issues created since the last flush
        self.given = None  # (name, unit) → the workbook's gifts in kind of those goods

    def check_row(self, row, values):
        chapter = self.context.chapter
        cleaned = run_checks(
            values,
            {
                "发放日期": as_record_date,
                "数量": _quantity,
                "发放对象": _target,
                "身份证号": _id_number,
                "受助人数": lambda v: as_count(v, minimum=1, bound=bounds.validate_head_count),
                "救助类别": self._category,
                "接收单位": lambda v: as_text(v),
            },
        )
        day, quantity, kind = cleaned["发放日期"], cleaned["数量"], cleaned["发放对象"]
        unit_text = as_text(values["接收单位"])
        name = as_text(values["受助人姓名"])
        recipient = self._chapter_below(unit_text) if kind == IssueKind.ALLOCATION and unit_text else None
        problems = in_columns(
            issue_problems(
                kind=kind,
                recipient_chapter=recipient,
                receiving_unit=unit_text,
                category=cleaned["救助类别"],
                beneficiary_name=name,
                head_count=cleaned["受助人数"],
            ),
            ISSUE_COLUMNS,
        )
        if kind == IssueKind.RELIEF_PERSON and cleaned["受助人数"] not in (None, 1):
            problems["受助人数"] = _("发放给个人时受助人数应为1；多人请分行填写或作为群体发放")
        item = self._item(as_text(values["物资名称"]), as_text(values["规格型号"]), as_text(values["单位"]))
        if isinstance(item, dict):
            problems.update(item)
        if problems:
            raise RowProblems(problems)
        picked = self._take(item, quantity, day, relief=kind in RELIEF_KINDS)
        issue = Issue(chapter=chapter, date=day, kind=kind, created_by=self.context.user)
        issue.plan = {
            "row": row,
            "date": day,
            "kind": kind,
            "item": item,
            "quantity": quantity,
            "recipient_chapter": recipient,
            "receiving_unit": unit_text if kind == IssueKind.UNIT else "",
            # For a unit or a chapter below: the purpose a restricted fund's goods must serve.
            "category": cleaned["救助类别"] if kind != IssueKind.WRITE_OFF else None,
            "beneficiary_name": name if kind == IssueKind.RELIEF_PERSON else "",
            "id_number": (cleaned["身份证号"] or "") if kind == IssueKind.RELIEF_PERSON else "",
            "township": as_text(values["乡镇"]),
            "head_count": cleaned["受助人数"] or 1,
            "remarks": as_text(values["备注"]),
            "lines": picked,
        }
        return issue

    def _category(self, value):
        category = self.categories.get(as_text(value))
        if category is None:
            raise BadValue(_("救助类别“%(name)s”不存在") % {"name": as_text(value)})
        return category

    def _chapter_below(self, text):
        """The chapter below this one named by its code or its name (the 接收单位 column)."""
        chapter = self.context.chapter
        if re.fullmatch(r"\d{6}", text):
            below = Chapter.objects.filter(code=text).first()
            if below is None:
                raise RowProblems({"接收单位": _("没有行政区划代码为 %(code)s 的红十字会") % {"code": text}})
        else:
            below = Chapter.objects.filter(name=text).first()
            if below is None:
                raise RowProblems({"接收单位": _("没有名为“%(name)s”的红十字会") % {"name": text}})
        if below.pk == chapter.pk or not below.is_within(chapter):
            raise RowProblems({"接收单位": _("“%(name)s”不是本会的下级红十字会") % {"name": below.name}})
        return below

    def _given(self):
        """(name, unit) → the gifts in kind of the workbook's 捐赠 sheet (checked before this one)
        whose lots, once made, hold those goods with no specification (``intake.LotIntake``)."""
        if self.given is None:
            self.given = {}
            for gift in self.context.extra.get(GIFTS_IN_KIND, []):
                self.given.setdefault((gift.goods, gift.unit or UNIT_WHEN_UNKNOWN), []).append(gift)
        return self.given

    def _refers(self, name, message):
        """``message``, or, when a 捐赠 row giving goods of that name was refused, that row as the
        root cause (the rows depending on it are counted under it, not listed)."""
        if ("物资", name) in self.context.roots:
            return Refers("物资", name, message)
        return message

    def _item(self, name, specification, unit):
        """The chapter's item the row names, or {column: problem}. Without a specification, the
        one item of that name and unit (or the one of them without a specification). An item the
        workbook's gifts in kind bring in counts as held (unsaved until their lots are made)."""
        key = (name, specification, unit)
        if key not in self.items:
            items = list(Item.objects.filter(chapter=self.context.chapter, name=name, unit=unit))
            if (name, unit) in self._given() and not any(i.specification == "" for i in items):
                items.append(Item(chapter=self.context.chapter, name=name, specification="", unit=unit))
            exact = [i for i in items if i.specification == specification]
            if exact:
                found = exact[0]
            elif not specification and len(items) == 1:
                found = items[0]
            elif not items:
                found = {
                    "物资名称": self._refers(
                        name,
                        _("本会没有“%(name)s”（计量单位：%(unit)s）的库存物资")
                        % {"name": name, "unit": unit},
                    )
                }
            elif specification:
                found = {
                    "规格型号": _("“%(name)s”没有规格型号“%(spec)s”，现有：%(specs)s")
                    % {
                        "name": name,
                        "spec": specification,
                        "specs": "、".join(i.specification or "—" for i in items),
                    }
                }
            else:
                found = {
                    "规格型号": _("“%(name)s”有多种规格型号，请填写其中之一：%(specs)s")
                    % {"name": name, "specs": "、".join(i.specification or "—" for i in items)}
                }
            self.items[key] = found
        return self.items[key]

    def _stock(self, item):
        """The item's lots as the rows before left them, in the order they are taken: the lots
        held, and those the workbook's gifts in kind will make."""
        key = (item.name, item.specification, item.unit)
        if key not in self.lots:
            stock = []
            if item.pk is not None:
                lots = fifo_order(
                    stock_lots(Lot.objects.available().filter(chapter=self.context.chapter, item=item))
                )
                stock = [
                    _Stock(pk, arrived, fund, Decimal(on_hand), expiry)
                    for pk, arrived, fund, on_hand, expiry in lots.values_list(
                        "pk", "date", "fund", "on_hand", "expiry_date"
                    )
                ]
            if not item.specification:
                for gift in self._given().get((item.name, item.unit), []):
                    stock.append(
                        _Stock(None, gift.date, _fund_key(gift.fund), gift.quantity or Decimal(1), gift=gift)
                    )
            stock.sort(key=_Stock.fifo)
            self.lots[key] = stock
        return self.lots[key]

    def _take(self, item, quantity, day, *, relief):
        """[(lot, quantity)]: ``quantity`` taken from the item's lots that had arrived by ``day``
        as the rows before left them, the earliest-expiring first — the lots held and those the
        workbook's gifts will make. Refused when they do not hold that much (naming the gift
        rows counted), or, for relief, when the goods are of more than one fund."""
        lots = [lot for lot in self._stock(item) if lot.date <= day and lot.on_hand > 0]
        picked, left = [], quantity
        for lot in lots:
            if left <= 0:
                break
            take = min(lot.on_hand, left)
            picked.append((lot, take))
            left -= take
        if left > 0:
            held = quantity - left
            figures = {
                "item": item,
                "day": day,
                "held": plain(held),
                "quantity": plain(quantity),
                "unit": item.unit,
            }
            gifts = [lot.gift.row for lot in self._stock(item) if lot.gift is not None and lot.date <= day]
            if gifts:
                message = _(
                    "“%(item)s”截至%(day)s库存只有 %(held)s%(unit)s（含本文件捐赠表%(rows)s捐赠的物资，"
                    "已扣除本表前面各行的发放），不能发放 %(quantity)s%(unit)s"
                ) % {**figures, "rows": "、".join(_("第%(row)s行") % {"row": row} for row in gifts)}
            else:
                message = (
                    _(
                        "“%(item)s”截至%(day)s库存只有 %(held)s%(unit)s（已扣除本表前面各行的发放），"
                        "不能发放 %(quantity)s%(unit)s"
                    )
                    % figures
                )
            raise RowProblems({"数量": self._refers(item.name, message)})
        if relief and len({lot.fund for lot, _q in picked}) > 1:
            raise RowProblems(
                {"数量": _("这些物资分属不同基金，一次救助发放只能发放同一基金的物资，请分行填写")}
            )
        for lot, take in picked:
            lot.on_hand -= take
        return picked

    def preview_note(self, record):
        """What the row will take, lot by lot, for the preview (``批次#12 100箱；捐赠 第3行 200箱``)."""
        unit = record.plan["item"].unit
        return "；".join(f"{lot.described()} {plain(take)}{unit}" for lot, take in record.plan["lines"])

    def _made_lots(self, lines):
        """The lines with the lots the workbook's gifts made in place of the gifts: those lots are
        made now (as ``lots_for_imported_gifts`` makes the rest once every sheet is in)."""
        waiting = [lot for lot, _q in lines if lot.pk is None]
        if waiting:
            lots_for_imported_gifts(self.context, None)
            made = dict(
                Lot.objects.filter(donation__in=[lot.gift.donation for lot in waiting]).values_list(
                    "donation_id", "pk"
                )
            )
            for lot in waiting:
                lot.pk = made[lot.gift.donation]
        return [(lot.pk, take) for lot, take in lines]

    def create(self):
        """Each row's issue through the service (its lines, its relief payment, the lot received
        below), from the lots the check picked. A refusal here (something recorded meanwhile)
        refuses the whole import, naming the row."""
        context = self.context
        for planned in self.created:
            plan = dict(planned.plan)
            row = plan.pop("row")
            plan.pop("item")
            plan.pop("quantity")
            plan["lines"] = self._made_lots(plan["lines"])
            try:
                with transaction.atomic():
                    issue = issue_record(chapter=context.chapter, user=context.user, **plan)
            except ValidationError as error:
                told = error.message_dict if hasattr(error, "error_dict") else {"quantity": error.messages}
                context.extra.setdefault("goods_issue_problems", []).extend(
                    Problem(SHEET, row, ISSUE_COLUMNS.get(field, "数量"), "；".join(messages))
                    for field, messages in told.items()
                )
                continue
            self.made.append(issue)

    def flush(self, *, create):
        """As ``Sheet.flush``, but the issues were saved one by one through the service, which
        kept their history and derived tables as any issue's: nothing more to record."""
        made = 0
        if create:
            self.create()
            for label, ids in self.created_ids().items():
                self.ids[label].extend(ids)
            made = len(self.made)
        self.forget()
        return made

    def created_ids(self):
        return {"goods.Issue": [issue.pk for issue in self.made]}

    def forget(self):
        super().forget()
        self.made = []


def targets_offered(chapter):
    """The 发放对象 drop-down of the blank template."""
    return list(TARGETS)


def issues_recheck(context, result):
    """Refusals met while the 物资发放 rows were recorded refuse the whole import."""
    result.problems.extend(context.extra.get("goods_issue_problems", []))


def undo_refuse_allocations_used(batch, voided):
    """An undo is refused when a chapter below has issued or counted goods an imported
    allocation gave it."""
    for issue in Issue.all_objects.filter(pk__in=voided.get(Issue, []), kind=IssueKind.ALLOCATION):
        IssueCorrections().refuse_taking_back(issue)


def undo_issues_follow(batch, voided):
    """The issues an undo voided put their goods back (their lines stop counting with them), and
    take with them their relief payments and the lots they made below."""
    reason = _("撤销导入第%(pk)s批") % {"pk": batch.pk}
    user = batch.undone_by
    for issue in Issue.all_objects.filter(pk__in=voided.get(Issue, [])):
        IssueCorrections().after_void(issue, user=user, reason=reason)


def lots_for_imported_gifts(context, result):
    """Once every record of an import is made (registered as an "import_rechecks" hook): each
    gift in kind of the chapter that has no lot gets it, in the store of the chapter (its
    counters were not in the sheet)."""
    gifts = Donation.objects.filter(
        chapter=context.chapter, kind=DonationKind.IN_KIND, reverses__isnull=True, lot__isnull=True
    ).select_related("chapter", "fund")
    intake = LotIntake()
    for gift in gifts.order_by("date", "pk"):
        intake.received(gift, user=context.user, details={})


def undo_refuse_issued_goods(batch, voided):
    """An undo is refused when goods of the gifts it voids have been issued or counted since."""
    gifts = voided.get(Donation)
    if not gifts:
        return
    lots = Lot.objects.filter(donation__in=gifts)
    if (
        IssueLine.all_objects.filter(lot__in=lots, issue__voided_at__isnull=True).exists()
        or Adjustment.objects.filter(lot__in=lots).exists()
    ):
        raise ValidationError(_("本批次导入的捐赠物资已经出库或盘点，请先作废或冲销物资出库，再撤销导入"))


def undo_void_lots(batch, voided):
    """The lots of the gifts an undo voided are voided with them."""
    gifts = voided.get(Donation)
    if not gifts:
        return
    reason = _("撤销导入第%(pk)s批") % {"pk": batch.pk}
    for lot in Lot.objects.filter(donation__in=gifts):
        _lot_void(lot, user=batch.undone_by, reason=reason)

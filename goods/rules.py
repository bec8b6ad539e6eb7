"""The rules of goods, each written once (see ``redcross.rules``): the form's ``clean()``, the
service before saving and, later, the 物资发放 import sheet call the same function."""

from decimal import Decimal

from django.utils.translation import gettext as _

from .choices import IssueKind, LotOrigin


def counter_problems(counted_by_1, counted_by_2):
    """Two different people count goods in (清点人), at intake as on arrival from above."""
    problems = {}
    first, second = (counted_by_1 or "").strip(), (counted_by_2 or "").strip()
    if not first:
        problems["counted_by_1"] = _("请填写两名清点人")
    if not second:
        problems["counted_by_2"] = _("请填写两名清点人")
    elif first and first == second:
        problems["counted_by_2"] = _("两名清点人不能是同一人")
    return problems


def lot_problems(*, date, quantity, total_value, expiry_date, counted_by_1, counted_by_2, origin=None):
    """A lot holds a quantity above zero, is worth something not negative, expires no earlier
    than it arrived, and was counted by two different people (清点人)."""
    problems = {}
    if quantity is not None and quantity <= 0:
        problems["quantity"] = _("入库数量必须大于零")
    if total_value is not None and total_value < 0:
        problems["total_value"] = _("折价金额不能为负数")
    if date and expiry_date and expiry_date < date:
        problems["expiry_date"] = _("有效期不能早于入库日期")
    problems.update(counter_problems(counted_by_1, counted_by_2))
    if origin == LotOrigin.PURCHASE and total_value is not None and total_value <= 0:
        problems["total_value"] = _("采购物资须填写采购金额")
    return problems


def issue_problems(
    *,
    kind,
    recipient_chapter=None,
    receiving_unit="",
    reason="",
    category=None,
    beneficiary_name="",
    head_count=None,
):
    """What each kind of issue names: a chapter below for an allocation, the unit's name, the
    reason of a write-off, the relief category and the person or the group's head count."""
    problems = {}
    if kind == IssueKind.ALLOCATION and recipient_chapter is None:
        problems["recipient_chapter"] = _("调拨须选择调入的下级红十字会")
    if kind == IssueKind.UNIT and not (receiving_unit or "").strip():
        problems["receiving_unit"] = _("请填写接收单位")
    if kind == IssueKind.WRITE_OFF and not (reason or "").strip():
        problems["reason"] = _("报损核销须填写原因（过期、损坏等）")
    if kind in (IssueKind.RELIEF_PERSON, IssueKind.RELIEF_GROUP) and category is None:
        problems["category"] = _("救助发放须选择救助类别")
    if kind == IssueKind.RELIEF_PERSON and not (beneficiary_name or "").strip():
        problems["beneficiary_name"] = _("发放给个人时须填写受助人姓名")
    if kind == IssueKind.RELIEF_GROUP and (head_count is None or head_count < 1):
        problems["head_count"] = _("群体发放须填写受助人数")
    if kind == IssueKind.RELIEF_GROUP and (beneficiary_name or "").strip():
        # A group is counted, not named: a name typed here would be dropped without a word.
        problems["beneficiary_name"] = _("群体发放不填受助人姓名；如需写明群体（如敬老院），请写在备注中")
    return problems


def line_problems(*, quantity, on_hand, lot_label):
    """A line takes a quantity above zero, never more than its lot holds."""
    if quantity is None or quantity <= 0:
        return {"quantity": _("出库数量必须大于零")}
    if quantity > on_hand:
        return {
            "quantity": _("“%(lot)s”库存只有 %(on_hand)s，不能出库 %(quantity)s")
            % {"lot": lot_label, "on_hand": plain(on_hand), "quantity": plain(quantity)}
        }
    return {}


def chosen_lot_problems(*, lot, item, quantity):
    """A lot chosen by hand holds the item the issue names (when it names one) and the quantity
    taken from it (``lot`` annotated with its stock, ``on_hand``)."""
    problems = {}
    if item is not None and lot.item_id != item.pk:
        problems["item"] = _("批次“%(lot)s”不是所选物资“%(item)s”的批次") % {"lot": lot, "item": item}
    problems.update(line_problems(quantity=quantity, on_hand=lot.on_hand, lot_label=lot))
    return problems


def plain(value):
    """1200 rather than 1200.00 in a message."""
    value = Decimal(value)
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def arrival_problems(*, sent, sent_on, date, counted_quantity, counted_by_1, counted_by_2, reason):
    """An allocation's arrival is confirmed on a day no earlier than it was sent, by two different
    people (清点人), with the quantity they counted: never more than was sent, and a shortfall
    says why (it is recorded as a stock count adjustment of the lot with that reason)."""
    problems = {}
    if date and sent_on and date < sent_on:
        problems["date"] = _("接收日期不能早于调出日期 %(day)s") % {"day": sent_on}
    if counted_quantity is None:
        problems["counted_quantity"] = _("请填写实收数量")
    elif counted_quantity < 0:
        problems["counted_quantity"] = _("实收数量不能为负数")
    elif counted_quantity > sent:
        problems["counted_quantity"] = _("实收数量 %(counted)s 不能多于调出数量 %(sent)s") % {
            "counted": plain(counted_quantity),
            "sent": plain(sent),
        }
    elif counted_quantity < sent and not (reason or "").strip():
        problems["reason"] = _("实收少于调出数量 %(sent)s，请填写短少原因") % {"sent": plain(sent)}
    problems.update(counter_problems(counted_by_1, counted_by_2))
    return problems


def restriction_problems(*, kind, funds, category=None, project=None):
    """What the goods of a restricted fund (限定用途) may go to, beside relief (whose payment, in
    ``aid``, is checked against the fund like any relief payment): to a receiving unit or a
    chapter below only for the fund's purpose — the relief category it is restricted to, named
    as the issue's purpose; the project, named as the issue's project (a project is its own
    chapter's: its goods are not allocated below) —; a write-off (expired, damaged) whatever the
    purpose, recorded in the fund's books with its reason."""
    if kind not in (IssueKind.UNIT, IssueKind.ALLOCATION):
        return {}
    for fund in funds:
        if fund.restricted_category_id and getattr(category, "pk", None) != fund.restricted_category_id:
            return {
                "category": _(
                    "基金“%(fund)s”限定用于“%(purpose)s”：其物资发往接收单位或调拨下级时，"
                    "用途须选“%(purpose)s”"
                )
                % {"fund": fund.name, "purpose": fund.restricted_category.name}
            }
        if fund.restricted_project_id and kind == IssueKind.ALLOCATION:
            return {
                "recipient_chapter": _(
                    "基金“%(fund)s”限定用于项目“%(purpose)s”，其物资不能调拨给下级红十字会"
                )
                % {"fund": fund.name, "purpose": fund.restricted_project.name}
            }
        if fund.restricted_project_id and getattr(project, "pk", None) != fund.restricted_project_id:
            return {
                "project": _("基金“%(fund)s”限定用于项目“%(purpose)s”：其物资发往接收单位时须注明用于该项目")
                % {"fund": fund.name, "purpose": fund.restricted_project.name}
            }
    return {}

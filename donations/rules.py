"""The rules of funds, drives, donations and payouts, each written once (see ``redcross.rules``).

Called by the forms' ``clean()``, by the services before saving and by the 基金, 募捐活动 and 捐赠
import sheets. A room of their own, not part of ``services.py``, so that the forms and the
sheets read the rules without the writes; the rules of spending from a fund, which need the
fund's balance, stay in ``services.py`` (``fund_spending_problem``).
"""

from django.utils.translation import gettext as _

from redcross.money import to_money
from redcross.rules import cash_or_in_kind, dates_in_order

from .choices import DonationKind


def fund_purpose_problems(*, restricted_category, restricted_project):
    """A fund is restricted to one relief category or one project, not both."""
    if restricted_category is not None and restricted_project is not None:
        return {"restricted_project": _("限定用途只能是一个救助类别或一个项目，不能同时指定")}
    return {}


def drive_problems(*, start_date, end_date):
    """A drive ends on or after the day it starts."""
    return dates_in_order(start_date, end_date)


def donation_problems(*, kind, amount, drive, fund, goods, valuation_basis):
    """A gift is more than nothing, goes into a fund (its drive's, or one named), and a gift of
    goods names them and says how they were valued."""
    problems = {}
    if amount is not None and to_money(amount) <= 0:
        problems["amount"] = _("金额必须大于零")
    if drive is None and fund is None:
        problems["fund"] = _("请选择入账基金或募捐活动")
    elif drive is not None and fund is not None and fund != drive.fund:
        problems["fund"] = _("募捐活动“%(drive)s”的入账基金是“%(fund)s”") % {
            "drive": drive.name,
            "fund": drive.fund.name,
        }
    if kind == DonationKind.IN_KIND:
        if not (goods or "").strip():
            problems["goods"] = _("物资捐赠必须填写物资名称")
        if not valuation_basis:
            problems["valuation_basis"] = _("物资捐赠必须填写折价依据")
    return problems


def payout_problems(*, cash_amount, in_kind_amount):
    """A payout passes on cash or goods of some value."""
    return cash_or_in_kind(cash_amount, in_kind_amount)

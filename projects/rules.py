"""The rules of projects and their spending, each written once (see ``redcross.rules``).

Called by the forms' ``clean()``, by the services before saving, by the 项目 and 项目支出 import
sheets and, for the budget, by the approval of a pending expenditure
(``redcross.corrections``). A room of their own, not part of ``services.py``, so that the forms
and the sheets read the rules without the writes and locks the services bring.
"""

from django.utils.translation import gettext as _

from redcross.money import format_money, to_money
from redcross.rules import dates_in_order

from .choices import ProjectStatus


def project_problems(*, start_date, end_date):
    """A project ends on or after the day it starts."""
    return dates_in_order(start_date, end_date)


def expenditure_problems(*, project, amount):
    """An expenditure is more than nothing, on a project not yet audited."""
    problems = {}
    if project is not None and project.status == ProjectStatus.AUDITED:
        problems["project"] = _("项目“%(project)s”已审计，不能再登记支出") % {"project": project.name}
    if amount is not None and to_money(amount) <= 0:
        problems["amount"] = _("金额必须大于零")
    return problems


def over_budget_problems(*, project, spent, amount, reason):
    """Spending beyond the project's budget needs a stated reason. ``spent`` is what the project's
    other expenditures already took, ``amount`` this one's."""
    after = to_money(spent or 0) + to_money(amount)
    if after > project.budget and not (reason or "").strip():
        return {
            "over_budget_reason": _(
                "本笔支出后项目累计支出 %(after)s 元，超过预算 %(budget)s 元，请填写超预算原因"
            )
            % {"after": format_money(after), "budget": format_money(project.budget)}
        }
    return {}

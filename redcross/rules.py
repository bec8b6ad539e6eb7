"""Rules written once, and the three ways a rule's answer is given.

Each app keeps its rules in its ``rules.py``: one function per rule, taking the record's values
and returning the field errors it finds (model field name → message), an empty dict when the
values pass. The form (``clean()``), the service (before saving) and the import sheet (naming
its column) call the same function, so a rule and its message exist once and the three paths
cannot drift. The helpers below give a rule's answer the shape each path needs.

The two rules here belong to no app: every record with cash and in-kind value, and every record
with a start and an end date, keeps them.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .importing import RowProblems


def cash_or_in_kind(cash_amount, in_kind_amount):
    """Cash and in-kind value are not both zero (a value not read yet is not judged)."""
    if cash_amount is not None and in_kind_amount is not None and cash_amount == 0 and in_kind_amount == 0:
        return {"cash_amount": _("现金金额和物资折价不能都为零")}
    return {}


def dates_in_order(start_date, end_date):
    """An end date, when given, is not before the start date."""
    if start_date and end_date and end_date < start_date:
        return {"end_date": _("结束日期不能早于开始日期")}
    return {}


def refuse(problems):
    """For a service: raises the problems found as one ValidationError naming their fields."""
    if problems:
        raise ValidationError(problems)


def add_to_form(form, problems):
    """For a form's ``clean()``: puts each problem next to its field (or above the form when the
    form has no such field)."""
    for name, message in problems.items():
        form.add_error(name if name in form.fields else None, message)


def in_columns(problems, columns):
    """For an import sheet: the problems keyed by the sheet's column names (``columns``: field →
    column; a field without a column keeps its name)."""
    return {columns.get(name, name): message for name, message in problems.items()}


def refuse_row(problems, columns):
    """For an import sheet: raises the problems found as the row's problems, under its columns."""
    if problems:
        raise RowProblems(in_columns(problems, columns))

"""The rules of a relief payment, each written once (see ``redcross.rules``).

Called by ``DisbursementForm.clean``, by the services before saving and by the 救助发放 import
sheet. They are a room of their own, not part of ``services.py``, because the form and the
import sheet read them without taking in the writes (and the fund locking) the services bring.
"""

from django.utils.translation import gettext as _

from redcross.idnumber import normalize_id_number
from redcross.rules import cash_or_in_kind


def disbursement_problems(*, beneficiary_name, id_number, cash_amount, in_kind_amount):
    """An ID number belongs to a named person (without a name the payment is a group's); cash
    and in-kind value are not both zero."""
    problems = {}
    if not (beneficiary_name or "").strip() and normalize_id_number(id_number or ""):
        problems["beneficiary_name"] = _("填写了身份证号时必须填写受助人姓名")
    problems.update(cash_or_in_kind(cash_amount, in_kind_amount))
    return problems


def beneficiary_problems(*, name, holder_name, holder_released=False):
    """An ID number already held under another name (``holder_name``) is refused: one of the
    two is mistyped, and guessing would merge or split people. Unless every payment of the
    holder is voided (``holder_released``: an import undone, a payment entered by mistake):
    nothing standing says the number is that name's any more, and the number, which is who a
    person is, is taken to be right: the payment attaches to the holder, renamed."""
    if holder_name is not None and holder_name != name and not holder_released:
        return {
            "id_number": _("该身份证号已登记在受助人“%(name)s”名下，请核对姓名或身份证号")
            % {"name": holder_name}
        }
    return {}


def beneficiary_collision_problems(*, id_number, holder_name, name="", township="", namesake_name=None):
    """A person's corrected ID number may not be one another person holds (``holder_name``);
    without an ID number, a person is known by name and township, which another person without
    one may not already hold (``namesake_name``). Either would make two records of one person:
    merge them instead."""
    if holder_name is not None:
        return {
            "id_number": _("该身份证号已登记在受助人“%(name)s”名下；如为同一人，请合并两条记录")
            % {"name": holder_name}
        }
    if namesake_name is not None and not id_number:
        return {
            "name": _("乡镇“%(township)s”已有未登记身份证号的受助人“%(name)s”；如为同一人，请合并两条记录")
            % {"township": township or "—", "name": namesake_name}
        }
    return {}

"""The rules of a training session, written once (see ``redcross.rules``).

Called by ``SessionForm.clean``, by the services before saving and by the 培训 import sheet. A
room of its own, not part of ``services.py``, so that the form and the sheet read the rules
without the writes.
"""

from django.utils.translation import gettext as _


def session_problems(*, kind, person_times, certified_count):
    """Certificates come only from a course that grants them, and never outnumber the
    person-times trained."""
    certified = certified_count or 0
    if certified and kind is not None and not kind.certifies:
        return {"certified_count": _("“%(kind)s”不颁发证书，取证人数应为0") % {"kind": kind.name}}
    if person_times and certified > person_times:
        return {"certified_count": _("取证人数不能多于参训人次")}
    return {}

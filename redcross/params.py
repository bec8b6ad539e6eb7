"""The parameters pages read by hand rather than through a form (``year``, ``chapter``, a record's
number, where to go back to), read in one place.

A malformed one is answered with a 400 page saying in Chinese which parameter is wrong and what it
should be, never a 500: a year ``datetime`` cannot hold (``0``, ``10000``,
``99999999999999999999``), a NUL byte PostgreSQL refuses in a string, a number beyond the database's
integers. ``AccessMixin`` turns ``BadParameter`` into that page; nothing has been written by then.
"""

import re

from django.core.exceptions import BadRequest
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from .bounds import EARLIEST_DATE

# Years a page may show: from the earliest date a record may bear (redcross.bounds: the founding of
# the Red Cross Society of China, 1904) to well past any plan a report sets.
YEAR_MIN, YEAR_MAX = EARLIEST_DATE.year, 2100
# A record's number: PostgreSQL's bigint holds 18 digits at least.
ID_RE = re.compile(r"[0-9]{1,18}")
YEAR_RE = re.compile(r"[0-9]{4}")
CHAPTER_CODE_RE = re.compile(r"[0-9]{6}")


class BadParameter(BadRequest):
    """A parameter that cannot be read; its (Chinese) message is what the 400 page says."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def year_param(value, *, default):
    """The year ``value`` names (``2020``), or ``default`` when it is not given."""
    if value is None or value == "":
        return default
    if not YEAR_RE.fullmatch(value) or not YEAR_MIN <= int(value) <= YEAR_MAX:
        raise BadParameter(
            _("年度参数无效：应为 %(min)s 至 %(max)s 之间的四位数年份") % {"min": YEAR_MIN, "max": YEAR_MAX}
        )
    return int(value)


def chapter_code_param(value):
    """A chapter's code as a page is given it (six digits), or None when it is not given."""
    if value is None or value == "":
        return None
    if not CHAPTER_CODE_RE.fullmatch(value):
        raise BadParameter(_("红十字会参数无效：应为6位行政区划代码"))
    return value


def id_param(value, *, label):
    """The number of a record the request names (``label`` says which kind, for the message)."""
    if value is None or not ID_RE.fullmatch(value):
        raise BadParameter(_("%(label)s参数无效：应为记录编号（数字）") % {"label": label})
    return int(value)


def safe_next(request, value, *, default="/"):
    """Where to send the user back to: ``value`` when it is a path of this site, else ``default``.

    Anything else — another site (``http://evil.example``, ``//evil.example``), a ``javascript:``
    address, a relative path, control characters (a header split) — would make the redirect an open
    one, or fail.
    """
    if (
        value
        and value.startswith("/")
        and not any(ord(character) < 32 or ord(character) == 127 for character in value)
        and url_has_allowed_host_and_scheme(
            value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return value
    return default

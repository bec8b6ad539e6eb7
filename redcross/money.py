"""Money and head counts, written the one way the whole product writes them.

Two styles: the exact amount for lists, ledgers and forms (``262,000.00``), and the work
reports' style (``26.2万元``, ``6000元``, ``1.1万人``, ``140例(117人)``), used by web pages,
PDF and Excel alike. Read in English, the reports' style says the whole number the English way
(``262,000 yuan``, ``11,000 people``, ``1 person``): 万 is a Chinese unit, not a word to translate.
"""

from decimal import ROUND_HALF_UP, Decimal

from django.db.models import DecimalField
from django.utils.translation import get_language, ngettext_lazy
from django.utils.translation import gettext as _

# The one precision of a yuan amount, for every model field, annotation, form and import:
# twelve digits of yuan and two of fen.
MONEY_MAX_DIGITS = 14
MONEY_DECIMAL_PLACES = 2
CENT = Decimal(1).scaleb(-MONEY_DECIMAL_PLACES)  # 0.01: the fen every amount is quantized to
# From 10**25 on, an amount with its two places passes the default precision of 28 digits and
# cannot be quantized (decimal.InvalidOperation).
MAX_QUANTIZED_DIGITS = 25
WAN = Decimal("10000")

# What a head count counts, said by number: "%(shown)s" is the number as written (117, 1.1万,
# 11,000), "count" the number that chooses the English singular or plural.
PERSONS = ngettext_lazy("%(shown)s人", "%(shown)s人", "count")
PERSON_TIMES = ngettext_lazy("%(shown)s人次", "%(shown)s人次", "count")
CASES = ngettext_lazy("%(shown)s例", "%(shown)s例", "count")
PAYMENTS = ngettext_lazy("%(shown)s笔", "%(shown)s笔", "count")
SESSIONS = ngettext_lazy("%(shown)s期", "%(shown)s期", "count")
PROJECTS = ngettext_lazy("%(shown)s个", "%(shown)s个", "count")


def to_money(value):
    """A yuan amount as Decimal with two places (``None`` counts as zero).

    Sums from SQLite come back as floating point; quantizing them here keeps totals exact to
    the fen.
    """
    if value is None:
        return Decimal("0.00")
    if not isinstance(value, Decimal):
        value = Decimal(str(value))
    if value.is_finite() and value.adjusted() >= MAX_QUANTIZED_DIGITS:
        # Too large to quantize to the fen (decimal.InvalidOperation): no amount is this large,
        # and the amount's bound (``redcross.bounds``) refuses it with its message.
        return value
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def money_output_field():
    """The output field of a database sum or subquery of amounts (``Sum(..., output_field=...)``)."""
    return DecimalField(max_digits=MONEY_MAX_DIGITS, decimal_places=MONEY_DECIMAL_PLACES)


def _plain(value):
    """A Decimal without trailing zeros and never in exponent form: 26.20 → 26.2, 10.00 → 10."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def _in_wan(value):
    return _plain((Decimal(value) / WAN).quantize(CENT, rounding=ROUND_HALF_UP))


def format_money(value):
    """The exact amount with thousands separators and two places: ``262,000.00``."""
    return f"{to_money(value):,.2f}"


def in_wan():
    """Whether figures are written in 万 (Chinese) rather than in full (English)."""
    return (get_language() or "zh-hans").startswith("zh")


def _grouped(value):
    """An amount in full with thousands separators, without trailing zeros: 33,500 · 1,234.5."""
    whole, _dot, fraction = f"{value:,.2f}".partition(".")
    fraction = fraction.rstrip("0")
    return f"{whole}.{fraction}" if fraction else whole


def format_yuan(value):
    """An amount as reports write it: 262000 → 26.2万元, 6000 → 6000元, 1234.5 → 1234.5元; in
    English 262,000 yuan."""
    amount = to_money(value)
    if not in_wan():
        return _("%(amount)s元") % {"amount": _grouped(amount)}
    if abs(amount) >= WAN:
        return _("%(amount)s万元") % {"amount": _in_wan(amount)}
    return _("%(amount)s元") % {"amount": _plain(amount)}


def _shown_count(value):
    if not in_wan():
        return f"{value:,}"
    if abs(value) >= WAN:
        return f"{_in_wan(value)}万"
    return str(value)


def format_count(value, unit=None):
    """A head count as reports write it: 117 → 117人, 11000 → 1.1万人, 10300 → 1.03万人; in
    English 117 people, 1 person, 11,000 people. ``unit`` is one of the counting words above
    (``PERSONS`` by default)."""
    unit = PERSONS if unit is None else unit
    value = int(value or 0)
    return unit % {"count": value, "shown": _shown_count(value)}


def format_cases(cases, persons):
    """Cases and persons: 140 cases on 117 persons → 140例(117人); equal counts → 117例 (a figure
    of cases is said in 例, whoever reads it as people)."""
    said = format_count(cases, CASES)
    if int(cases or 0) == int(persons or 0):
        return said
    return _("%(cases)s(%(persons)s)") % {"cases": said, "persons": format_count(persons)}


def format_quantity(value):
    """A quantity of goods as lists write it: 1,200, 2.5, -5 (no trailing zeros)."""
    value = Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)
    whole = f"{value:,.2f}".rstrip("0").rstrip(".")
    return whole

"""The realistic bounds of every count, quantity, amount and date the books hold (DESIGN.md,
"Rules the data keeps"), in one place.

Each bound is a validator: the models carry it on their fields (so ``full_clean()`` in every
service checks it), the forms on theirs, and the import's value readers call it on each cell, so
the same Chinese message reaches the person whichever way a figure came in. Nothing is left to
the database to overflow: a PostgreSQL ``integer`` ends at 2147483647, and a head count of that
size once broke every later payment of its day (the daily relief sums overflowed).

The limits, and why:

- **Amounts** (any yuan figure of one record: a payment, a gift, a budget, a threshold) stay
  below 100亿元. The largest single gifts to the whole Red Cross Society of China are a few
  亿元; a county's whole year is a few million. The money columns hold 14 digits, which a
  mistyped figure would still fit, and the reports would print it.
- **Counts of people or cases per record** (受助人数, 例数, 参训人次, 取证人数): at most
  1000000. A group distribution to a whole county is some hundred thousand people; a mass
  training counted in person-times likewise.
- **Quantities** of goods or outputs: at most 1000000000 (a billion masks is already absurd for
  one gift).
- **Training hours** of one session: at most 1000.
- **Training targets**: at most 100000000 person-times a year, for a year from 1904 to next year.
- **Dates of what happened** (a payment, a gift, an expenditure, a session, an audit, a
  receipt, a certificate's issue): from 1904-01-01 (the Red Cross Society of China was founded
  in 1904) to today in China (``Asia/Shanghai``). A payment dated 9999-12-31 once made 9999
  every user's default year.
- **Dates that may lie ahead** (the plan of a drive or project, a certificate's or an
  instructor's expiry): from 1904-01-01 to 20 years from today.
"""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

EARLIEST_DATE = datetime.date(1904, 1, 1)
PLAN_YEARS_AHEAD = 20

MAX_AMOUNT = Decimal("9999999999.99")  # below 100亿元
MAX_COUNT = 1_000_000
MAX_QUANTITY = Decimal("1000000000")
MAX_HOURS = Decimal("1000")
MAX_TARGET = 100_000_000


def today():
    """Today in China: what "not in the future" is measured against."""
    return timezone.localdate()


def latest_plan_date():
    """The furthest date a plan or an expiry may name."""
    day = today()
    try:
        return day.replace(year=day.year + PLAN_YEARS_AHEAD)
    except ValueError:  # 29 February
        return day.replace(year=day.year + PLAN_YEARS_AHEAD, day=28)


# --- counts, quantities and amounts -------------------------------------------------------------

validate_amount = MaxValueValidator(MAX_AMOUNT, _("金额不能超过 %(limit_value)s 元"))
validate_head_count = MaxValueValidator(MAX_COUNT, _("受助人数不能超过 %(limit_value)s"))
validate_cases = MaxValueValidator(MAX_COUNT, _("例数不能超过 %(limit_value)s"))
validate_person_times = MaxValueValidator(MAX_COUNT, _("参训人次不能超过 %(limit_value)s"))
validate_certified = MaxValueValidator(MAX_COUNT, _("取证人数不能超过 %(limit_value)s"))
validate_count = MaxValueValidator(MAX_COUNT, _("不能超过 %(limit_value)s"))
validate_quantity = MaxValueValidator(MAX_QUANTITY, _("数量不能超过 %(limit_value)s"))
validate_hours = MaxValueValidator(MAX_HOURS, _("学时不能超过 %(limit_value)s"))
validate_target = MaxValueValidator(MAX_TARGET, _("目标人次不能超过 %(limit_value)s"))


# --- dates ----------------------------------------------------------------------------------------


def _not_too_early(value):
    """The day ``value`` names, refused when before the earliest date a record may bear."""
    value = value.date() if isinstance(value, datetime.datetime) else value
    if value < EARLIEST_DATE:
        raise ValidationError(
            _("日期不能早于 %(earliest)s"), code="date_too_early", params={"earliest": EARLIEST_DATE}
        )
    return value


@deconstructible(path="redcross.bounds.RecordDateValidator")
class RecordDateValidator:
    """The date of something that happened: from 1904-01-01 to today."""

    def __call__(self, value):
        if value is None:
            return
        value = _not_too_early(value)
        now = today()
        if value > now:
            raise ValidationError(
                _("日期不能晚于今天（%(today)s）"), code="date_in_future", params={"today": now}
            )

    def __eq__(self, other):
        return isinstance(other, RecordDateValidator)

    def __hash__(self):
        return hash(type(self))


@deconstructible(path="redcross.bounds.PlanDateValidator")
class PlanDateValidator:
    """A date that may lie ahead (a plan, an expiry): from 1904-01-01 to 20 years from today."""

    def __call__(self, value):
        if value is None:
            return
        value = _not_too_early(value)
        latest = latest_plan_date()
        if value > latest:
            raise ValidationError(
                _("日期不能晚于 %(latest)s（今后%(years)s年内）"),
                code="date_too_late",
                params={"latest": latest, "years": PLAN_YEARS_AHEAD},
            )

    def __eq__(self, other):
        return isinstance(other, PlanDateValidator)

    def __hash__(self):
        return hash(type(self))


@deconstructible(path="redcross.bounds.TargetYearValidator")
class TargetYearValidator:
    """The year of a training target: from 1904 to next year (a plan sets next year's)."""

    def __call__(self, value):
        if value is None:
            return
        latest = today().year + 1
        if not EARLIEST_DATE.year <= value <= latest:
            raise ValidationError(
                _("年度应在 %(earliest)s 至 %(latest)s 之间"),
                code="year_out_of_range",
                params={"earliest": EARLIEST_DATE.year, "latest": latest},
            )

    def __eq__(self, other):
        return isinstance(other, TargetYearValidator)

    def __hash__(self):
        return hash(type(self))


validate_record_date = RecordDateValidator()
validate_plan_date = PlanDateValidator()
validate_target_year = TargetYearValidator()


def check(field, value, *validators):
    """Runs ``validators`` on ``value`` for a service that sets a field without ``full_clean``;
    raises their ValidationError under ``field``."""
    for validator in validators:
        try:
            validator(value)
        except ValidationError as error:
            raise ValidationError({field: error.messages}) from None

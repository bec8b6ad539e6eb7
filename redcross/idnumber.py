"""Resident ID numbers (居民身份证号码, GB 11643): checksum and masking."""

import datetime
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARACTERS = "10X98765432"
ID_PATTERN = re.compile(r"^\d{17}[\dX]$")


def check_character(first17):
    """The 18th character that the first 17 digits call for."""
    total = sum(int(digit) * weight for digit, weight in zip(first17, WEIGHTS, strict=True))
    return CHECK_CHARACTERS[total % 11]


def normalize_id_number(value):
    return (value or "").strip().upper()


def validate_id_number(value):
    """Refuses anything but an 18-character ID number with a valid birth date and check digit."""
    value = normalize_id_number(value)
    if not ID_PATTERN.match(value):
        raise ValidationError(_("身份证号应为18位：17位数字加1位数字或X"), code="id_format")
    try:
        datetime.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise ValidationError(_("身份证号中的出生日期无效"), code="id_birth_date") from None
    if check_character(value[:17]) != value[17]:
        raise ValidationError(_("校验位错误"), code="id_checksum")


def mask_id_number(value):
    """150525198001011234 → 150525********1234: the area and the last four stay readable."""
    value = value or ""
    if len(value) <= 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]

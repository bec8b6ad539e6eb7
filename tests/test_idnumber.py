import pytest
from django.core.exceptions import ValidationError

from redcross.idnumber import mask_id_number, validate_id_number

from .factories import valid_id_number


def test_a_valid_id_number_passes():
    validate_id_number(valid_id_number(serial=123))
    validate_id_number("11010519491231002X")  # the standard's own example, check character X


def test_a_wrong_check_digit_is_refused_in_chinese():
    good = valid_id_number(serial=7)
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    with pytest.raises(ValidationError) as error:
        validate_id_number(bad)
    assert error.value.messages == ["校验位错误"]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("15052519800101123", "身份证号应为18位：17位数字加1位数字或X"),
        ("1505251980010112AX", "身份证号应为18位：17位数字加1位数字或X"),
        ("150525198013011230", "身份证号中的出生日期无效"),
    ],
)
def test_malformed_id_numbers_are_refused(value, message):
    with pytest.raises(ValidationError) as error:
        validate_id_number(value)
    assert error.value.messages == [message]


def test_masking_keeps_area_and_last_four():
    assert mask_id_number("15052519800101123X") == "150525********123X"

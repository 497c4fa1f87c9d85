"""The check-digit rules of DOMAIN.md §3, with its own valid and invalid examples."""

import random
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from belgian_ids import (
    InvalidIdentifier,
    format_enterprise_number,
    format_ogm,
    format_person_number,
    is_valid_enterprise_number,
    make_enterprise_number,
    make_person_number,
    mask_person_number,
    normalise_enterprise_number,
    normalise_ogm,
    ogm_digits,
    parse_person_number,
    random_national_number,
    valid_iban,
    valid_ogm_digits,
)

# ---- enterprise number ---------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["0403019261", "0428759497", "BE 0403.019.261", "be0403 019 261", "403019261"])
def test_enterprise_numbers_of_the_domain_reference_are_valid_however_typed(typed):
    assert normalise_enterprise_number(typed) in ("0403019261", "0428759497")


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("0431150351", "check_digits"),
        ("2403019261", "prefix"),
        ("04030192", "length"),
        ("0403O19261", "length"),
        ("", "length"),
        (403019261, "length"),
    ],
)
def test_wrong_enterprise_numbers_say_which_rule_failed(typed, reason):
    with pytest.raises(InvalidIdentifier) as refused:
        normalise_enterprise_number(typed)
    assert refused.value.reason == reason
    assert str(typed) not in str(refused.value) or not str(typed)


def test_strict_enterprise_check_takes_only_ten_digits():
    assert is_valid_enterprise_number("0403019261")
    for bad in ("0403.019.261", "403019261", "0431150351", None, 403019261):
        assert not is_valid_enterprise_number(bad)


@given(st.integers(min_value=0, max_value=2 * 10**7 - 1))
def test_made_enterprise_numbers_are_valid(first8):
    made = make_enterprise_number(first8)
    assert normalise_enterprise_number(format_enterprise_number(made)) == made


# ---- national register and BIS numbers ----------------------------------------------------------


def test_person_numbers_of_the_domain_reference():
    born_1985 = parse_person_number("85.07.30-033.28")
    assert (born_1985.kind, born_1985.birth_date, born_1985.sex, born_1985.gender) == (
        "national_register",
        date(1985, 7, 30),
        "M",
        "male",
    )
    assert parse_person_number("17073003384").birth_date == date(2017, 7, 30)  # the "2" prefix of 2000+
    bis = parse_person_number("98472899765")
    assert bis.bis and bis.kind == "bis" and bis.birth_date == date(1998, 7, 28)


@pytest.mark.parametrize(
    ("typed", "reason"),
    [("12345678901", "check_digits"), ("8507300332", "length"), ("abcdefghijk", "length"), (None, "length")],
)
def test_wrong_person_numbers_say_which_rule_failed_without_the_number(typed, reason):
    with pytest.raises(InvalidIdentifier) as refused:
        parse_person_number(typed)
    assert refused.value.reason == reason
    assert "1234" not in str(refused.value) and "8507" not in str(refused.value)


def test_a_date_that_does_not_exist_is_refused():
    nine = "850230033"  # 30 February, with the right check digits
    with pytest.raises(InvalidIdentifier) as refused:
        parse_person_number(nine + f"{97 - int(nine) % 97:02d}")
    assert refused.value.reason == "birth_date"


def test_bis_number_with_unknown_sex_and_unknown_day():
    made = make_person_number(date(1990, 5, 1), 12, bis="sex_unknown")
    assert parse_person_number(made).sex is None and parse_person_number(made).gender is None
    nine = "902500012"  # month known (+20), day unknown
    parsed = parse_person_number(nine + f"{97 - int(nine) % 97:02d}")
    assert parsed.bis and parsed.birth_date is None


@given(
    st.dates(min_value=date(1920, 1, 1), max_value=date(2030, 12, 31)),
    st.sampled_from(["male", "female"]),
    st.integers(min_value=0, max_value=10**6),
)
def test_generated_national_numbers_parse_back(born, gender, seed):
    number = parse_person_number(random_national_number(born, gender, random.Random(seed)))
    assert number.birth_date == born and number.gender == gender and 1 <= number.sequence <= 998


def test_person_number_formats():
    assert format_person_number("85073003328") == "85.07.30-033.28"
    assert "85" not in mask_person_number("85073003328")


# ---- structured communication and IBAN ----------------------------------------------------------


@pytest.mark.parametrize("typed", ["+++010/8068/17183+++", "***010/8068/17183***", "010806817183", "010/8068/17183"])
def test_structured_communications_however_typed(typed):
    assert normalise_ogm(typed) == "010806817183"


def test_structured_communication_check_digits():
    assert valid_ogm_digits("123456789002")  # +++123/4567/89002+++
    assert not valid_ogm_digits("010806817180")
    assert normalise_ogm("+++010/8068/17180+++") is None
    assert ogm_digits(97) == "000000009797"  # remainder 0 → 97
    assert format_ogm(ogm_digits(108068171)) == "+++010/8068/17183+++"


def test_iban_with_the_belgian_national_check():
    assert valid_iban("BE68539007547034") and valid_iban("be68 5390 0754 7034")
    assert not valid_iban("BE41091811735141")  # ISO check passes, the Belgian one fails
    assert valid_iban("NL91ABNA0417164300") and not valid_iban("NL91ABNA0417164301") and not valid_iban(None)

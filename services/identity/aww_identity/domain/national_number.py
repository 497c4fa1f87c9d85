"""Belgian national register and BIS numbers (DOMAIN.md §3): YYMMDDSSSCC, where CC = 97 − (first
nine digits mod 97), with "2" put in front of the nine digits for people born in 2000 or later.
SSS odd = male. A BIS number adds 40 (sex known) or 20 (sex unknown) to the month."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date


class InvalidNationalNumber(ValueError):
    pass


@dataclass(frozen=True)
class NationalNumber:
    value: str  # 11 digits
    birth_date: date | None
    gender: str | None  # "male", "female" or None (BIS number with unknown sex)
    bis: bool

    def masked(self) -> str:
        """For screens: never the whole number."""
        return "*" * 7 + self.value[-4:]


def _check_digits(nine: str, born_2000: bool) -> int:
    base = int(("2" if born_2000 else "") + nine)
    return 97 - base % 97


def parse(raw: str) -> NationalNumber:
    digits = "".join(ch for ch in str(raw) if ch.isdigit())
    if len(digits) != 11 or digits != "".join(ch for ch in str(raw) if not ch.isspace() and ch not in ".-"):
        raise InvalidNationalNumber("a national number has 11 digits")
    nine, check = digits[:9], int(digits[9:])
    candidates = [born_2000 for born_2000 in (False, True) if _check_digits(nine, born_2000) == check]
    if not candidates:
        raise InvalidNationalNumber("the check digits are wrong")
    born_2000 = candidates[0]
    year, month, day = int(nine[0:2]), int(nine[2:4]), int(nine[4:6])
    bis = False
    sex_known = True
    if month >= 40:
        bis, month = True, month - 40
    elif month >= 20:
        bis, sex_known, month = True, False, month - 20
    birth: date | None = None
    if month and day:
        try:
            birth = date((2000 if born_2000 else 1900) + year, month, day)
        except ValueError:
            raise InvalidNationalNumber("the birth date in the number does not exist") from None
    elif month > 12:
        raise InvalidNationalNumber("the birth date in the number does not exist")
    sequence = int(nine[6:9])
    if sequence in (0, 999):
        raise InvalidNationalNumber("the sequence number is out of range")
    gender = ("male" if sequence % 2 else "female") if sex_known else None
    return NationalNumber(digits, birth, gender, bis)


def is_valid(raw: str) -> bool:
    try:
        parse(raw)
    except InvalidNationalNumber:
        return False
    return True


def make(birth: date, gender: str, rng: random.Random | None = None) -> str:
    """A valid (generated, fictitious) national number for tests and demo data."""
    rng = rng or random.Random()
    sequence = rng.randrange(1, 998)
    if (sequence % 2 == 1) != (gender == "male"):
        sequence += 1
    nine = f"{birth:%y%m%d}{sequence:03d}"
    return nine + f"{_check_digits(nine, birth.year >= 2000):02d}"

"""Belgian identifiers and their check digits (DOMAIN.md §3).

Validation returns the canonical digits or raises InvalidIdentifier with a message that never
repeats the number itself (national numbers must not reach logs or error messages).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

_SEPARATORS = re.compile(r"[\s.\-/]")


class InvalidIdentifier(ValueError):
    pass


def _digits(value: str) -> str:
    return _SEPARATORS.sub("", value or "")


# ---- enterprise number (KBO/BCE) --------------------------------------------------------------


def enterprise_check(first8: int) -> int:
    return 97 - (first8 % 97)


def normalise_enterprise_number(value: str) -> str:
    """'BE 0403.019.261', '403019261' → '0403019261'; raises InvalidIdentifier."""
    raw = _digits(value).upper()
    if raw.startswith("BE"):
        raw = raw[2:]
    if len(raw) == 9 and raw.isdigit():  # the old 9-digit form: a leading 0 was added in 2003
        raw = "0" + raw
    if len(raw) != 10 or not raw.isdigit():
        raise InvalidIdentifier("an enterprise number has 10 digits")
    if raw[0] not in "01":
        raise InvalidIdentifier("an enterprise number starts with 0 or 1")
    if enterprise_check(int(raw[:8])) != int(raw[8:]):
        raise InvalidIdentifier("the check digits of this enterprise number are wrong")
    return raw


def format_enterprise_number(digits: str) -> str:
    return f"{digits[:4]}.{digits[4:7]}.{digits[7:]}"


def make_enterprise_number(first8: int) -> str:
    """A valid enterprise number from 8 leading digits (test and demo data)."""
    if not 0 <= first8 < 2 * 10**7:
        raise ValueError("the first 8 digits must start with 0 or 1")
    return f"{first8:08d}{enterprise_check(first8):02d}"


# ---- national register and BIS numbers --------------------------------------------------------


@dataclass(frozen=True)
class PersonNumber:
    digits: str
    kind: str  # "national_register" | "bis"
    birth_date: date | None  # None when the register does not know the full date
    sex: str | None  # "M" | "F" | None (BIS number issued without the sex)


def _check(nine: str, born_2000: bool) -> int:
    return 97 - (int(("2" if born_2000 else "") + nine) % 97)


def parse_person_number(value: str) -> PersonNumber:
    """Validate a national register or BIS number (11 digits, YYMMDDSSSCC)."""
    raw = _digits(value)
    if len(raw) != 11 or not raw.isdigit():
        raise InvalidIdentifier("a national register or BIS number has 11 digits")
    nine, check = raw[:9], int(raw[9:])
    if check == _check(nine, False):
        century = 1900
    elif check == _check(nine, True):
        century = 2000
    else:
        raise InvalidIdentifier("the check digits of this national register or BIS number are wrong")
    yy, mm, dd, serial = int(raw[:2]), int(raw[2:4]), int(raw[4:6]), int(raw[6:9])
    if mm >= 40:
        kind, month, sex_known = "bis", mm - 40, True
    elif mm >= 20:
        kind, month, sex_known = "bis", mm - 20, False
    else:
        kind, month, sex_known = "national_register", mm, True
    if month > 12 or dd > 31:
        raise InvalidIdentifier("this national register or BIS number does not hold a valid birth date")
    birth = None
    if month and dd:
        try:
            birth = date(century + yy, month, dd)
        except ValueError:
            raise InvalidIdentifier("this national register or BIS number does not hold a valid birth date") from None
    sex = ("M" if serial % 2 else "F") if sex_known else None
    return PersonNumber(raw, kind, birth, sex)


def format_person_number(digits: str) -> str:
    return f"{digits[:2]}.{digits[2:4]}.{digits[4:6]}-{digits[6:9]}.{digits[9:]}"


def mask_person_number(digits: str) -> str:
    """For screens and documents that need only recognise it: birth part and check digits hidden."""
    return f"••.••.••-{digits[6:9]}.••"


def make_person_number(birth: date, serial: int, *, bis: str | None = None) -> str:
    """A valid national register number (or BIS with bis="sex_known"/"sex_unknown") for tests and demo."""
    if not 1 <= serial <= 998:
        raise ValueError("serial is 001..998")
    month = birth.month + {None: 0, "sex_known": 40, "sex_unknown": 20}[bis]
    nine = f"{birth.year % 100:02d}{month:02d}{birth.day:02d}{serial:03d}"
    return nine + f"{_check(nine, birth.year >= 2000):02d}"

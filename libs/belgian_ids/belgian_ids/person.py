"""National register and BIS numbers: 11 digits YYMMDDSSSCC. CC = 97 − (the first nine digits
mod 97), with "2" put in front of the nine digits for people born in 2000 or later. SSS odd = male.
A BIS number adds 40 (sex known) or 20 (sex unknown) to the month; a month or day of 00 means the
register does not know it."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date

from belgian_ids.errors import InvalidIdentifier, without_separators

_BIRTH = "this national register or BIS number does not hold a valid birth date"


@dataclass(frozen=True)
class PersonNumber:
    digits: str
    kind: str  # "national_register" | "bis"
    birth_date: date | None  # None when the register does not know the full date
    sex: str | None  # "M" | "F" | None (BIS number issued without the sex)

    @property
    def bis(self) -> bool:
        return self.kind == "bis"

    @property
    def gender(self) -> str | None:
        return {"M": "male", "F": "female"}.get(self.sex or "")

    @property
    def sequence(self) -> int:
        return int(self.digits[6:9])


def person_check(nine: str, born_2000: bool) -> int:
    return 97 - (int(("2" if born_2000 else "") + nine) % 97)


def parse_person_number(value: object) -> PersonNumber:
    """Validate a national register or BIS number; raises InvalidIdentifier."""
    raw = without_separators(value) if isinstance(value, str) else ""
    if len(raw) != 11 or not raw.isdigit():
        raise InvalidIdentifier("length", "a national register or BIS number has 11 digits")
    nine, check = raw[:9], int(raw[9:])
    if check == person_check(nine, False):
        century = 1900
    elif check == person_check(nine, True):
        century = 2000
    else:
        raise InvalidIdentifier("check_digits", "the check digits of this national register or BIS number are wrong")
    yy, mm, dd, serial = int(raw[:2]), int(raw[2:4]), int(raw[4:6]), int(raw[6:9])
    if mm >= 40:
        kind, month, sex_known = "bis", mm - 40, True
    elif mm >= 20:
        kind, month, sex_known = "bis", mm - 20, False
    else:
        kind, month, sex_known = "national_register", mm, True
    if month > 12 or dd > 31:
        raise InvalidIdentifier("birth_date", _BIRTH)
    birth = None
    if month and dd:
        try:
            birth = date(century + yy, month, dd)
        except ValueError:
            raise InvalidIdentifier("birth_date", _BIRTH) from None
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
    return nine + f"{person_check(nine, birth.year >= 2000):02d}"


def random_national_number(birth: date, gender: str, rng: random.Random | None = None) -> str:
    """A valid, fictitious national register number ("male": odd sequence, else even)."""
    serial = (rng or random.Random()).randrange(1, 998)
    if (serial % 2 == 1) != (gender == "male"):
        serial += 1
    return make_person_number(birth, serial)

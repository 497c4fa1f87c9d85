"""The national register / BIS number as identity accepts it from an eID card or an itsme claim:
the check-digit rules of `belgian_ids` (DOMAIN.md §3), and a sequence number in the range the
register issues (000 and 999 never are)."""

from __future__ import annotations

from belgian_ids import InvalidIdentifier, PersonNumber, parse_person_number, random_national_number

InvalidNationalNumber = InvalidIdentifier
NationalNumber = PersonNumber
make = random_national_number  # a valid, fictitious number for tests and demo data


def parse(raw: object) -> PersonNumber:
    number = parse_person_number(raw)
    if number.sequence in (0, 999):
        raise InvalidIdentifier("sequence", "the sequence number is out of range")
    return number


def is_valid(raw: object) -> bool:
    try:
        parse(raw)
    except InvalidIdentifier:
        return False
    return True

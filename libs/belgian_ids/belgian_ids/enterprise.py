"""Enterprise number (KBO/BCE): 10 digits starting with 0 or 1; the last two are
97 − (the first eight mod 97). Also the Peppol 0208 scheme (rule R043)."""

from __future__ import annotations

from belgian_ids.errors import InvalidIdentifier, without_separators


def enterprise_check(first8: int) -> int:
    return 97 - (first8 % 97)


def is_valid_enterprise_number(digits: object) -> bool:
    """Exactly 10 digits (no separators, no BE) with a valid check."""
    if not (isinstance(digits, str) and len(digits) == 10 and digits.isdigit() and digits[0] in "01"):
        return False
    return enterprise_check(int(digits[:8])) == int(digits[8:])


def normalise_enterprise_number(value: object) -> str:
    """'BE 0403.019.261', '0403 019 261', '403019261' (the 9-digit form from before 2003, when a
    leading 0 was added) → '0403019261'; raises InvalidIdentifier."""
    if not isinstance(value, str):
        raise InvalidIdentifier("length", "an enterprise number has 10 digits")
    raw = without_separators(value).upper().removeprefix("BE")
    if len(raw) == 9 and raw.isdigit():
        raw = "0" + raw
    if len(raw) != 10 or not raw.isdigit():
        raise InvalidIdentifier("length", "an enterprise number has 10 digits")
    if raw[0] not in "01":
        raise InvalidIdentifier("prefix", "an enterprise number starts with 0 or 1")
    if enterprise_check(int(raw[:8])) != int(raw[8:]):
        raise InvalidIdentifier("check_digits", "the check digits of this enterprise number are wrong")
    return raw


def format_enterprise_number(digits: str) -> str:
    return f"{digits[:4]}.{digits[4:7]}.{digits[7:]}"


def make_enterprise_number(first8: int) -> str:
    """A valid enterprise number from its 8 leading digits (test and demo data)."""
    if not 0 <= first8 < 2 * 10**7:
        raise ValueError("the first 8 digits must start with 0 or 1")
    return f"{first8:08d}{enterprise_check(first8):02d}"

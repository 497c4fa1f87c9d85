"""Structured communication (OGM/VCS) `+++DDD/DDDD/DDDCC+++`: CC = the first ten digits mod 97,
0 → 97."""

from __future__ import annotations

import re

_OGM = re.compile(r"^\+{3}(\d{3})/(\d{4})/(\d{5})\+{3}$")


def ogm_check(base: int) -> int:
    remainder = base % 97
    return 97 if remainder == 0 else remainder


def ogm_digits(base: int) -> str:
    """The 12 digits of the structured communication for a base number of 1 to 10 digits."""
    if not 0 < base < 10**10:
        raise ValueError("an OGM base is 1 to 10 digits")
    return f"{base:010d}{ogm_check(base):02d}"


def format_ogm(digits: str) -> str:
    return f"+++{digits[:3]}/{digits[3:7]}/{digits[7:]}+++"


def valid_ogm_digits(digits: object) -> bool:
    if not (isinstance(digits, str) and len(digits) == 12 and digits.isdigit()):
        return False
    base, check = int(digits[:10]), int(digits[10:])
    return base > 0 and ogm_check(base) == check


def normalise_ogm(text: object) -> str | None:
    """'+++010/8068/17183+++', '***…***', '010806817183' or with slashes/spaces → 12 digits, or None."""
    if not isinstance(text, str):
        return None
    cleaned = text.strip().replace("*", "+")
    match = _OGM.match(cleaned)
    digits = "".join(match.groups()) if match else re.sub(r"[\s/+]", "", cleaned)
    return digits if valid_ogm_digits(digits) else None

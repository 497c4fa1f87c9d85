"""Belgian identifiers with their check digits (DOMAIN.md §3)."""

from __future__ import annotations

import re

_OGM = re.compile(r"^\+{3}(\d{3})/(\d{4})/(\d{5})\+{3}$")


def ogm_check(base: int) -> int:
    """The two check digits of a structured communication: first 10 digits mod 97, 0 → 97."""
    remainder = base % 97
    return 97 if remainder == 0 else remainder


def ogm_digits(base: int) -> str:
    """The 12 digits of the structured communication for a 10-digit base number."""
    if not 0 < base < 10**10:
        raise ValueError("an OGM base is 1 to 10 digits")
    return f"{base:010d}{ogm_check(base):02d}"


def format_ogm(digits: str) -> str:
    return f"+++{digits[:3]}/{digits[3:7]}/{digits[7:]}+++"


def valid_ogm_digits(digits: str) -> bool:
    if not (isinstance(digits, str) and len(digits) == 12 and digits.isdigit()):
        return False
    base, check = int(digits[:10]), int(digits[10:])
    return base > 0 and ogm_check(base) == check


def normalise_ogm(text: str) -> str | None:
    """'+++010/8068/17183+++', '***…***', '010806817183' or with slashes/spaces → 12 digits, or None."""
    if not isinstance(text, str):
        return None
    cleaned = text.strip().replace("*", "+")
    match = _OGM.match(cleaned)
    digits = "".join(match.groups()) if match else re.sub(r"[\s/+]", "", cleaned)
    return digits if valid_ogm_digits(digits) else None


def valid_enterprise_number(number: str) -> bool:
    if not (isinstance(number, str) and len(number) == 10 and number.isdigit() and number[0] in "01"):
        return False
    return 97 - int(number[:8]) % 97 == int(number[8:])


def valid_iban(iban: str) -> bool:
    """ISO 7064 mod 97 = 1; for Belgian IBANs also the national check (first 10 BBAN digits mod 97)."""
    if not isinstance(iban, str):
        return False
    iban = iban.replace(" ", "").upper()
    if not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{10,30}", iban):
        return False
    rearranged = iban[4:] + iban[:4]
    number = "".join(str(int(ch, 36)) for ch in rearranged)
    if int(number) % 97 != 1:
        return False
    if iban.startswith("BE"):
        if len(iban) != 16:
            return False
        bban = iban[4:]
        check = int(bban[:10]) % 97 or 97
        return check == int(bban[10:])
    return True

"""IBAN: ISO 7064 mod 97 = 1; a Belgian IBAN (16 characters) also carries the national check:
the last two digits = the first ten of the BBAN mod 97 (0 → 97)."""

from __future__ import annotations

import re

_SHAPE = re.compile(r"[A-Z]{2}\d{2}[A-Z0-9]{10,30}")


def valid_iban(iban: object) -> bool:
    if not isinstance(iban, str):
        return False
    iban = iban.replace(" ", "").upper()
    if not _SHAPE.fullmatch(iban):
        return False
    rearranged = iban[4:] + iban[:4]
    if int("".join(str(int(ch, 36)) for ch in rearranged)) % 97 != 1:
        return False
    if iban.startswith("BE"):
        if len(iban) != 16:
            return False
        bban = iban[4:]
        return (int(bban[:10]) % 97 or 97) == int(bban[10:])
    return True

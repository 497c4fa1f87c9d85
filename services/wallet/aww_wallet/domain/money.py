"""Money in integer euro cents; VAT per line, rounded half-up to the cent (DESIGN.md §6)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from aww_contracts.errors import field_error

TOPUP_MIN_CENTS = 50_00  # DOMAIN.md §1: online top-up min EUR 50
TOPUP_MAX_CENTS = 5_000_00  # online and per bank transfer: max EUR 5,000
CURRENCY = "EUR"
_DECIMAL = re.compile(r"^(0|[1-9][0-9]{0,12})(?:\.([0-9]{1,2}))?$")


def vat_cents(net_cents: int, rate_bp: int) -> int:
    """VAT on a net amount at a rate in basis points (2100 = 21 %), rounded half-up to the cent."""
    if net_cents < 0:
        raise ValueError("net amounts are never negative")
    return (net_cents * rate_bp + 5000) // 10000


@dataclass(frozen=True)
class Amount:
    net_cents: int
    vat_cents: int
    vat_rate_bp: int

    @property
    def gross_cents(self) -> int:
        return self.net_cents + self.vat_cents

    @property
    def vat_rate(self) -> str:
        whole, part = divmod(self.vat_rate_bp, 100)
        return f"{whole}" if part == 0 else f"{whole}.{part:02d}"


def amount(net_cents: int, rate_bp: int) -> Amount:
    return Amount(net_cents, vat_cents(net_cents, rate_bp), rate_bp)


def require_cents(value, field: str) -> int:
    """An integer number of cents from a caller: not a float, not a bool, not a string."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise field_error(field, "must be a whole number of cents (e.g. 5000 for EUR 50.00)")
    return value


def require_topup_amount(value, field: str = "amount_cents") -> int:
    cents = require_cents(value, field)
    if cents <= 0:
        raise field_error(field, "must be more than zero")
    if cents < TOPUP_MIN_CENTS:
        raise field_error(field, f"must be at least {format_eur(TOPUP_MIN_CENTS)}")
    if cents > TOPUP_MAX_CENTS:
        raise field_error(field, f"may not exceed {format_eur(TOPUP_MAX_CENTS)}")
    return cents


def parse_decimal_eur(text: str) -> int | None:
    """'50', '50.5', '50.00' → cents; anything else (sign, 3 decimals, exponent, comma) → None."""
    match = _DECIMAL.match(text.strip()) if isinstance(text, str) else None
    if not match:
        return None
    whole, part = match.group(1), (match.group(2) or "").ljust(2, "0")
    return int(whole) * 100 + int(part or 0)


def to_decimal_string(cents: int) -> str:
    """Cents as the "50.00" string payment providers and UBL want."""
    sign = "-" if cents < 0 else ""
    cents = abs(cents)
    return f"{sign}{cents // 100}.{cents % 100:02d}"


def format_eur(cents: int) -> str:
    return f"EUR {to_decimal_string(cents)}"

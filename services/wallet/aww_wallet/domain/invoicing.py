"""Monthly summary invoices: which month, which lines, which number.

A month is a calendar month in Brussels time; the invoice lists the services paid from the
wallet in that month (top-ups are never invoiced: the money sits on a third-party account until
it is spent), grouped per product and unit price. Numbers are gapless per year: YYYY-NNNNNN,
allocated in the same transaction that stores the invoice.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from aww_contracts.errors import field_error
from aww_wallet.domain.money import vat_cents

BRUSSELS = ZoneInfo("Europe/Brussels")
_PERIOD = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


@dataclass(frozen=True)
class Period:
    start: date  # first day
    end: date  # last day (inclusive, as invoices show it)

    @property
    def label(self) -> str:
        return f"{self.start:%Y-%m}"

    def utc_bounds(self) -> tuple[datetime, datetime]:
        """[start, next month's start) as UTC instants of Brussels midnight."""
        start = datetime.combine(self.start, datetime.min.time(), BRUSSELS)
        after = datetime.combine(self.end + timedelta(days=1), datetime.min.time(), BRUSSELS)
        return start.astimezone(UTC), after.astimezone(UTC)


def parse_period(text: str) -> Period:
    match = _PERIOD.match(text or "") if isinstance(text, str) else None
    if not match:
        raise field_error("period", "must be a month as YYYY-MM")
    year, month = int(match.group(1)), int(match.group(2))
    start = date(year, month, 1)
    following = date(year + (month == 12), month % 12 + 1, 1)
    return Period(start, following - timedelta(days=1))


def previous_month(now: datetime) -> Period:
    local = now.astimezone(BRUSSELS).date().replace(day=1)
    return parse_period(f"{(local - timedelta(days=1)):%Y-%m}")


def invoice_number(year: int, sequence: int) -> str:
    return f"{year}-{sequence:06d}"


@dataclass(frozen=True)
class Usage:
    """One paid operation of the month: a charge or a subscription purchase."""

    product_code: str
    names: dict  # {nl, fr, en}
    net_cents: int
    vat_rate_bp: int
    gross_cents: int  # what the wallet actually paid


@dataclass(frozen=True)
class Line:
    product_code: str
    names: dict
    quantity: int
    unit_price_cents: int
    vat_rate_bp: int

    @property
    def net_cents(self) -> int:
        return self.quantity * self.unit_price_cents

    @property
    def vat_cents(self) -> int:
        return vat_cents(self.net_cents, self.vat_rate_bp)


def invoice_lines(usages: list[Usage]) -> list[Line]:
    grouped: dict[tuple, int] = {}
    names: dict[str, dict] = {}
    for usage in usages:
        key = (usage.product_code, usage.net_cents, usage.vat_rate_bp)
        grouped[key] = grouped.get(key, 0) + 1
        names[usage.product_code] = usage.names
    return [
        Line(code, names[code], quantity, unit, rate)
        for (code, unit, rate), quantity in sorted(grouped.items(), key=lambda item: (item[0][0], item[0][1]))
    ]


def totals(lines: list[Line]) -> dict:
    """VAT per rate on the rate's total (EN 16931 BR-CO-17), then summed."""
    by_rate: dict[int, int] = {}
    for line in lines:
        by_rate[line.vat_rate_bp] = by_rate.get(line.vat_rate_bp, 0) + line.net_cents
    net = sum(by_rate.values())
    vat = sum(vat_cents(amount, rate) for rate, amount in by_rate.items())
    return {"net_cents": net, "vat_cents": vat, "gross_cents": net + vat}


def rate_text(rate_bp: int) -> str:
    whole, part = divmod(rate_bp, 100)
    return f"{whole}" if part == 0 else f"{whole}.{part:02d}"

"""Products and prices as data with validity dates (the rows live in the database; these rules
pick the price in force and describe what a subscription covers)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from aww_wallet.domain.money import Amount, amount

TRANSACTION_ASSESSMENT = "aml_transaction_assessment"
SUBSCRIPTION_PLANS = ("bronze", "silver", "gold")


def subscription_code(plan: str) -> str:
    return f"subscription_{plan}"


@dataclass(frozen=True)
class PriceRow:
    product_code: str
    valid_from: date
    valid_until: date | None  # exclusive; None = open-ended
    net_cents: int
    vat_rate_bp: int


def price_in_force(rows: list[PriceRow], product_code: str, on: date) -> PriceRow | None:
    """The price of a product on a day: the row whose [valid_from, valid_until) holds that day;
    if rows overlap (a data error), the one that started last wins."""
    candidates = [
        row
        for row in rows
        if row.product_code == product_code
        and row.valid_from <= on
        and (row.valid_until is None or on < row.valid_until)
    ]
    return max(candidates, key=lambda row: row.valid_from) if candidates else None


def price_amount(row: PriceRow) -> Amount:
    return amount(row.net_cents, row.vat_rate_bp)

"""Helpers the wallet's renderers share (receipts and invoices)."""

from __future__ import annotations

from aww_contracts.errors import field_error


def text_in(value, language: str) -> str:
    """A text given either as a string or as {nl, fr, en}."""
    if isinstance(value, dict):
        return str(value.get(language) or value.get("en") or next(iter(value.values()), ""))
    return "" if value is None else str(value)


def require(data: dict, *paths: str) -> None:
    """Raise a field error naming the first missing path (dotted, e.g. buyer.address.city)."""
    for path in paths:
        node = data
        for part in path.split("."):
            if not isinstance(node, dict) or node.get(part) in (None, ""):
                raise field_error(f"data.{path}", "is required")
            node = node[part]


def require_cents(data: dict, *names: str) -> None:
    for name in names:
        value = data.get(name)
        if not isinstance(value, int) or isinstance(value, bool):
            raise field_error(f"data.{name}", "must be an integer number of cents")


def address_lines(address: dict | None) -> str:
    if not address:
        return ""
    street, postcode = address.get("street", ""), address.get("postcode", "")
    return f"{street}, {postcode} {address.get('city', '')}, {address.get('country', '')}"

"""The enterprise number as the organisation service takes it (check digits: belgian_ids, DOMAIN.md §3),
and simple field rules."""

from __future__ import annotations

import re

import belgian_ids
from aww_contracts.errors import field_error

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^\+?[0-9 ()./-]{6,20}$")
COUNTRY = re.compile(r"^[A-Z]{2}$")


_ENTERPRISE_NUMBER_PROBLEMS = {  # belgian_ids' reasons in this service's words
    "length": "An enterprise number has 10 digits, e.g. 0403.019.261",
    "prefix": "An enterprise number starts with 0 or 1",
    "check_digits": "This enterprise number does not exist: its check digits are wrong",
}


def normalise_enterprise_number(raw: object, field: str = "enterprise_number") -> str:
    """Accepts "0403.019.261", "BE 0403 019 261", "403019261" (9 digits: the old form) → "0403019261"."""
    if not isinstance(raw, str) or not raw.strip():
        raise field_error(field, "Enter the enterprise number (10 digits, e.g. 0403.019.261)")
    try:
        return belgian_ids.normalise_enterprise_number(raw.strip())
    except belgian_ids.InvalidIdentifier as refused:
        raise field_error(field, _ENTERPRISE_NUMBER_PROBLEMS[refused.reason]) from None


def clean_text(raw: object, field: str, *, required: bool, max_length: int = 200) -> str | None:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        if required:
            raise field_error(field, "This field is required")
        return None
    if not isinstance(raw, str):
        raise field_error(field, "Must be text")
    value = " ".join(raw.split())
    if len(value) > max_length:
        raise field_error(field, f"At most {max_length} characters")
    return value


def clean_email(raw: object, field: str, *, required: bool = False) -> str | None:
    value = clean_text(raw, field, required=required, max_length=254)
    if value is not None and not _EMAIL.match(value):
        raise field_error(field, "Enter an e-mail address such as name@example.be")
    return value.lower() if value else value


def clean_phone(raw: object, field: str) -> str | None:
    value = clean_text(raw, field, required=False, max_length=30)
    if value is not None and not _PHONE.match(value):
        raise field_error(field, "Enter a phone number of digits, spaces and an optional leading +")
    return value


def clean_address(raw: object, field: str = "address", *, required: bool = True) -> dict | None:
    if raw is None and not required:
        return None
    if not isinstance(raw, dict):
        raise field_error(field, "Give street, postcode, city and country")
    street = clean_text(raw.get("street"), f"{field}.street", required=True)
    postcode = clean_text(raw.get("postcode"), f"{field}.postcode", required=True, max_length=12)
    city = clean_text(raw.get("city"), f"{field}.city", required=True, max_length=100)
    country = (clean_text(raw.get("country") or "BE", f"{field}.country", required=True, max_length=2) or "").upper()
    if not COUNTRY.match(country):
        raise field_error(f"{field}.country", "Use a two-letter country code such as BE")
    if country == "BE" and not re.fullmatch(r"[1-9][0-9]{3}", postcode or ""):
        raise field_error(f"{field}.postcode", "A Belgian postcode has 4 digits, e.g. 1000")
    return {"street": street, "postcode": postcode, "city": city, "country": country}

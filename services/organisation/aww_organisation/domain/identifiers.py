"""Belgian identifiers the organisation service checks (DOMAIN.md §3), and simple field rules."""

from __future__ import annotations

import re

from aww_contracts.errors import field_error

_SEPARATORS = re.compile(r"[\s./-]")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^\+?[0-9 ()./-]{6,20}$")
COUNTRY = re.compile(r"^[A-Z]{2}$")


def enterprise_number_is_valid(digits: str) -> bool:
    """10 digits starting with 0 or 1; the last two are 97 − (the first eight mod 97)."""
    if not re.fullmatch(r"[01][0-9]{9}", digits):
        return False
    return 97 - int(digits[:8]) % 97 == int(digits[8:])


def normalise_enterprise_number(raw: object, field: str = "enterprise_number") -> str:
    """Accepts "0403.019.261", "BE 0403 019 261", "403019261" (9 digits: the old form) → "0403019261"."""
    if not isinstance(raw, str) or not raw.strip():
        raise field_error(field, "Enter the enterprise number (10 digits, e.g. 0403.019.261)")
    text = _SEPARATORS.sub("", raw.strip().upper())
    text = text.removeprefix("BE")
    if re.fullmatch(r"[0-9]{9}", text):
        text = "0" + text
    if not re.fullmatch(r"[0-9]{10}", text):
        raise field_error(field, "An enterprise number has 10 digits, e.g. 0403.019.261")
    if text[0] not in "01":
        raise field_error(field, "An enterprise number starts with 0 or 1")
    if not enterprise_number_is_valid(text):
        raise field_error(field, "This enterprise number does not exist: its check digits are wrong")
    return text


def format_enterprise_number(digits: str) -> str:
    return f"{digits[:4]}.{digits[4:7]}.{digits[7:]}"


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

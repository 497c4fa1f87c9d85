"""Rules on account data: what a username, a name, an e-mail address and a language may be, the
account's life cycle, and what an anonymised account keeps."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from aww_contracts.errors import FieldErrors, field_error

LANGUAGES = ("nl", "fr", "en")
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{2,39}$")
EMAIL = re.compile(
    r"^[^@\s\"'<>,;()\[\]\\]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$"
)
PHONE = re.compile(r"^\+?[0-9 ./()-]{6,25}$")

# life cycle: pending (registered, e-mail not confirmed) → active ⇄ deactivated → anonymised
PENDING, ACTIVE, DEACTIVATED, ANONYMISED = "pending", "active", "deactivated", "anonymised"


def _clean_text(value) -> str | None:
    if not isinstance(value, str):
        return None
    value = unicodedata.normalize("NFC", value).strip()
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co") for ch in value):
        return None
    return " ".join(value.split())


def clean_name(errors: FieldErrors, field: str, value) -> str:
    cleaned = _clean_text(value)
    if not cleaned:
        errors.add(field, "Fill in this field")
        return ""
    if len(cleaned) > 200:
        errors.add(field, "Use at most 200 characters")
    elif not any(ch.isalpha() for ch in cleaned):
        errors.add(field, "A name contains letters")
    return cleaned


def clean_username(errors: FieldErrors, value) -> str:
    cleaned = (_clean_text(value) or "").lower()
    if not USERNAME.match(cleaned):
        errors.add(
            "username",
            "Use 3 to 40 characters: lower-case letters, digits, dot, hyphen or underscore, "
            "starting with a letter or digit",
        )
    elif cleaned.startswith("anonymised-"):
        errors.add("username", "This username is reserved")
    return cleaned


def clean_email(errors: FieldErrors, value, field: str = "email") -> str:
    cleaned = _clean_text(value) or ""
    if len(cleaned) > 254 or not EMAIL.match(cleaned):
        errors.add(field, "This is not a valid e-mail address")
        return cleaned
    local, _, domain = cleaned.rpartition("@")
    return f"{local}@{domain.lower()}"


def clean_language(errors: FieldErrors, value, field: str = "language") -> str:
    if value not in LANGUAGES:
        errors.add(field, "Choose nl, fr or en")
        return "nl"
    return value


def clean_phone(errors: FieldErrors, value) -> str | None:
    if value in (None, ""):
        return None
    cleaned = _clean_text(value) or ""
    if not PHONE.match(cleaned):
        errors.add("phone", "This is not a valid phone number")
    return cleaned


@dataclass(frozen=True)
class Registration:
    username: str
    first_name: str
    last_name: str
    email: str
    language: str


def registration(data: dict) -> Registration:
    """Validated registration data; the password is checked separately (passwords.password_problem)."""
    errors = FieldErrors()
    username = clean_username(errors, data.get("username"))
    first_name = clean_name(errors, "first_name", data.get("first_name"))
    last_name = clean_name(errors, "last_name", data.get("last_name"))
    email = clean_email(errors, data.get("email"))
    language = clean_language(errors, data.get("language"))
    password = data.get("password")
    from aww_identity.domain.passwords import password_problem

    problem = password_problem(password, username=username, email=email)
    if problem:
        errors.add("password", problem)
    elif data.get("password_confirmation") is not None and data.get("password_confirmation") != password:
        errors.add("password_confirmation", "The two passwords differ")
    errors.raise_if_any()
    return Registration(username, first_name, last_name, email, language)


def new_password(data_password, confirmation, *, username: str, email: str, field: str = "new_password") -> str:
    from aww_identity.domain.passwords import password_problem

    errors = FieldErrors()
    problem = password_problem(data_password, username=username, email=email)
    if problem:
        errors.add(field, problem)
    elif confirmation is not None and confirmation != data_password:
        errors.add(f"{field}_confirmation", "The two passwords differ")
    errors.raise_if_any()
    return data_password


def display_name(first_name: str, last_name: str) -> str:
    return f"{first_name} {last_name}".strip()


def require(condition: bool, field: str, message: str) -> None:
    if not condition:
        raise field_error(field, message)


def username_base(first_name: str, last_name: str) -> str:
    """A username proposed from the names ("Élise Van den Broeck" → "elise.vandenbroeck")."""

    def part(value: str) -> str:
        ascii_text = unicodedata.normalize("NFKD", value or "").encode("ascii", "ignore").decode().lower()
        return "".join(ch for ch in ascii_text if ch.isalnum())

    base = ".".join(p for p in (part(first_name), part(last_name)) if p)[:34] or "user"
    return base if len(base) >= 3 else f"{base}.user"


def username_candidates(first_name: str, last_name: str, count: int = 50):
    base = username_base(first_name, last_name)
    yield base
    for number in range(2, count + 2):
        yield f"{base}{number}"

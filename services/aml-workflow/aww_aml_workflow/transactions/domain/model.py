"""A property transaction as data: its shape, the check of every field, the payment terms with the
cash rule, and who may be a party.

`clean` refuses malformed data at once (every bad field named, nothing changed). Money is integer
euro cents. The cash rule (DOMAIN.md §2, law art. 67): no part of a property sale price — costs,
duties, notary and agent fees included — may be paid in cash; any cash in a sale is flagged and
must be reported to CTIF-CFI at once. The data may still record it (the agent writes down what the
parties intend), because that is exactly what must be reported.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from aww_aml_workflow.cases.domain.countries import normalise_country
from aww_contracts.errors import DomainError, FieldErrors

TYPES = ("sale", "rental", "long_lease", "other")
ROLES = ("seller", "buyer", "landlord", "tenant", "representative")
ROLES_BY_TYPE = {
    "sale": ("seller", "buyer", "representative"),
    "long_lease": ("seller", "buyer", "representative"),
    "rental": ("landlord", "tenant", "representative"),
    "other": ROLES,
}
# the two sides a transaction of this type needs before its vigilance is calculated
SIDES_BY_TYPE = {"sale": ("seller", "buyer"), "long_lease": ("seller", "buyer"), "rental": ("landlord", "tenant")}
PAYMENT_METHODS = ("transfer", "cheque", "cash", "crypto", "other")
CURRENCIES = ("EUR",)
FIELDS = ("reference", "type", "property", "price_cents", "currency", "payment", "agreed_on", "description")
ADDRESS_FIELDS = ("street", "number", "box", "postcode", "city", "country")
MAX_TEXT = 200
MAX_DESCRIPTION = 2000
MAX_PARTS = 20
MAX_PARTIES = 30
MAX_PRICE_CENTS = 10**13  # EUR 100 billion: anything above is a typing error


def _text(errors: FieldErrors, field: str, value, *, max_length: int = MAX_TEXT, required: bool = False):
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            errors.add(field, "fill this in")
        return None
    if not isinstance(value, str):
        errors.add(field, "must be text")
        return None
    value = " ".join(value.split())
    if len(value) > max_length:
        errors.add(field, f"at most {max_length} characters")
        return None
    return value


def _cents(errors: FieldErrors, field: str, value, *, required: bool = False, positive: bool = True):
    if value is None:
        if required:
            errors.add(field, "give an amount in euro cents")
        return None
    if not isinstance(value, int) or isinstance(value, bool):
        errors.add(field, "must be a whole number of euro cents")
        return None
    if value < (1 if positive else 0) or value > MAX_PRICE_CENTS:
        errors.add(field, "must be more than zero" if value < 1 else "is too large")
        return None
    return value


def _address(errors: FieldErrors, field: str, value) -> dict | None:
    if value is None:
        errors.add(field, "give the property's address")
        return None
    if not isinstance(value, dict):
        errors.add(field, "must be an object with street, number, box, postcode, city, country")
        return None
    for key in value:
        if key not in ADDRESS_FIELDS:
            errors.add(f"{field}.{key}", "is not a field of an address")
    address = {key: _text(errors, f"{field}.{key}", value.get(key)) for key in ADDRESS_FIELDS if key != "country"}
    country = value.get("country") or "BE"
    address["country"] = normalise_country(country) if isinstance(country, str) else None
    if address["country"] is None:
        errors.add(f"{field}.country", "give a country code such as BE")
    for key in ("street", "postcode", "city"):
        if not address.get(key) and not any(item["field"] == f"{field}.{key}" for item in errors.items):
            errors.add(f"{field}.{key}", "fill this in")
    if (
        address["country"] == "BE"
        and address.get("postcode")
        and not (address["postcode"].isdigit() and len(address["postcode"]) == 4)
    ):
        errors.add(f"{field}.postcode", "a Belgian postcode has 4 digits")
    return {key: val for key, val in address.items() if val is not None}


def _payment(errors: FieldErrors, value, price: int | None) -> dict:
    """{"parts": [{"method", "amount_cents", "note"?}], "note"?}: how the price is paid. Without
    parts the whole price is taken as paid by transfer; with parts they must add up to the price."""
    if value is None:
        value = {}
    if not isinstance(value, dict):
        errors.add("payment", "must be an object with parts (method and amount_cents)")
        return {"parts": []}
    for key in value:
        if key not in ("parts", "note"):
            errors.add(f"payment.{key}", "is not a field of the payment terms")
    raw_parts = value.get("parts") or []
    if not isinstance(raw_parts, list) or len(raw_parts) > MAX_PARTS:
        errors.add("payment.parts", f"give a list of at most {MAX_PARTS} parts")
        raw_parts = []
    parts = []
    for index, raw in enumerate(raw_parts):
        where = f"payment.parts.{index}"
        if not isinstance(raw, dict):
            errors.add(where, "must be an object with method and amount_cents")
            continue
        method = raw.get("method")
        if method not in PAYMENT_METHODS:
            errors.add(f"{where}.method", f"choose one of {', '.join(PAYMENT_METHODS)}")
        amount = _cents(errors, f"{where}.amount_cents", raw.get("amount_cents"), required=True)
        note = _text(errors, f"{where}.note", raw.get("note"))
        for key in raw:
            if key not in ("method", "amount_cents", "note"):
                errors.add(f"{where}.{key}", "is not a field of a payment part")
        if method in PAYMENT_METHODS and amount is not None:
            parts.append({"method": method, "amount_cents": amount} | ({"note": note} if note else {}))
    if parts and price is not None and len(parts) == len(raw_parts):
        total = sum(part["amount_cents"] for part in parts)
        if total != price:
            errors.add("payment.parts", f"the parts add up to {format_eur(total)}, the price is {format_eur(price)}")
    note = _text(errors, "payment.note", value.get("note"), max_length=MAX_DESCRIPTION)
    return {"parts": parts} | ({"note": note} if note else {})


def clean(data, today: date, *, partial: bool = False) -> dict:
    """The transaction's data, checked. `partial` (an edit) accepts a subset of the fields."""
    errors = FieldErrors()
    if not isinstance(data, dict):
        raise DomainError(
            "validation_failed", "data: must be an object", errors=[{"field": "data", "message": "must be an object"}]
        )
    for key in data:
        if key not in FIELDS:
            errors.add(key, "is not a field of a transaction")
    cleaned: dict = {}

    def wanted(key: str) -> bool:
        return not partial or key in data

    if wanted("reference"):
        cleaned["reference"] = _text(errors, "reference", data.get("reference"), max_length=64, required=True)
    if wanted("type"):
        if data.get("type") not in TYPES:
            errors.add("type", f"choose one of {', '.join(TYPES)}")
        cleaned["type"] = data.get("type")
    if wanted("property"):
        cleaned["property"] = _address(errors, "property", data.get("property"))
    if wanted("price_cents"):
        cleaned["price_cents"] = _cents(errors, "price_cents", data.get("price_cents"), required=True)
    if wanted("currency"):
        currency = data.get("currency") or "EUR"
        if currency not in CURRENCIES:
            errors.add("currency", "prices are recorded in euro (EUR)")
        cleaned["currency"] = currency
    if wanted("payment"):
        cleaned["payment"] = _payment(errors, data.get("payment"), cleaned.get("price_cents"))
    if wanted("agreed_on"):
        agreed = data.get("agreed_on")
        if agreed in (None, ""):
            cleaned["agreed_on"] = None
        else:
            try:
                parsed = date.fromisoformat(agreed) if isinstance(agreed, str) else None
            except ValueError:
                parsed = None
            if parsed is None:
                errors.add("agreed_on", "give a date as YYYY-MM-DD")
            elif parsed.year < 1900 or (parsed - today).days > 3660:
                errors.add("agreed_on", "give a date between 1900 and ten years from now")
            cleaned["agreed_on"] = parsed.isoformat() if parsed else None
    if wanted("description"):
        cleaned["description"] = _text(errors, "description", data.get("description"), max_length=MAX_DESCRIPTION)
    errors.raise_if_any()
    return cleaned


def check_payment_against_price(payment: dict, price_cents: int) -> None:
    """After an edit that changed only the price or only the payment terms, they must still agree."""
    parts = payment.get("parts") or []
    total = sum(part["amount_cents"] for part in parts)
    if parts and total != price_cents:
        message = f"the parts add up to {format_eur(total)}, the price is {format_eur(price_cents)}"
        raise DomainError(
            "validation_failed", f"payment.parts: {message}", errors=[{"field": "payment.parts", "message": message}]
        )


# ---- money --------------------------------------------------------------------------------------


def format_eur(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    cents = abs(cents)
    return f"{sign}EUR {cents // 100:,}.{cents % 100:02d}"


@dataclass(frozen=True)
class PaymentSummary:
    price_cents: int
    cash_cents: int
    crypto_cents: int
    by_method: dict[str, int]

    @property
    def has_cash(self) -> bool:
        return self.cash_cents > 0


def summarise_payment(price_cents: int, payment: dict) -> PaymentSummary:
    parts = payment.get("parts") or []
    by_method: dict[str, int] = {}
    for part in parts:
        by_method[part["method"]] = by_method.get(part["method"], 0) + part["amount_cents"]
    if not parts:
        by_method = {"transfer": price_cents}
    return PaymentSummary(price_cents, by_method.get("cash", 0), by_method.get("crypto", 0), by_method)


def cash_flag(transaction_type: str, price_cents: int, payment: dict) -> dict | None:
    """The visible flag of the cash rule: None when no cash is involved."""
    summary = summarise_payment(price_cents, payment)
    if not summary.has_cash:
        return None
    if transaction_type == "sale":
        return {
            "code": "cash_in_sale",
            "cash_cents": summary.cash_cents,
            "must_report": True,
            "message": (
                f"{format_eur(summary.cash_cents)} of the sale price would be paid in cash: forbidden since "
                "1 January 2014 (law of 18 September 2017, art. 67) and to be reported to CTIF-CFI at once"
            ),
        }
    return {
        "code": "cash_payment",
        "cash_cents": summary.cash_cents,
        "must_report": False,
        "message": f"{format_eur(summary.cash_cents)} would be paid in cash",
    }


# ---- parties --------------------------------------------------------------------------------------


def check_role(transaction_type: str, role) -> str:
    allowed = ROLES_BY_TYPE.get(transaction_type, ROLES)
    if role not in allowed:
        message = f"a party of a {transaction_type.replace('_', ' ')} is one of {', '.join(allowed)}"
        raise DomainError("validation_failed", f"role: {message}", errors=[{"field": "role", "message": message}])
    return role


@dataclass(frozen=True)
class PartyStanding:
    """What the store knows of a contact that is to become a party."""

    contact_id: str
    name: str
    contact_status: str  # draft | accepted | refused (of the current version)
    profile_state: str | None  # of the latest risk profile of the current version, None if there is none
    profile_level: str | None


def party_blocker(standing: PartyStanding) -> str | None:
    """Why this contact cannot be a party (None when it can): its current risk profile must be accepted."""
    name = standing.name
    if standing.contact_status == "draft":
        return f"{name}: the contact's current version is not accepted yet (screen it and accept it first)"
    if standing.contact_status == "refused":
        return f"{name}: the contact was refused"
    if standing.profile_state is None:
        return f"{name}: the contact has no risk profile yet (make one and accept it first)"
    messages = {
        "assessed": "the contact's risk profile waits for a decision (accept it first)",
        "awaiting_officer": "the contact's risk profile waits for the AML officer's decision",
        "reported": "the contact's risk profile was reported to CTIF-CFI and is blocked until CTIF-CFI answers",
        "refused": "the contact's risk profile was refused (make a new one)",
    }
    if standing.profile_state != "accepted":
        return f"{name}: {messages.get(standing.profile_state, 'the risk profile is not accepted')}"
    return None


def missing_sides(transaction_type: str, roles: list[str]) -> list[str]:
    """The roles still missing before the vigilance calculation (a sale needs a seller and a buyer)."""
    return [side for side in SIDES_BY_TYPE.get(transaction_type, ()) if side not in roles]


def ready_to_assess(transaction_type: str, parties: list[dict]) -> list[str]:
    """What is still missing before the calculation can be paid for, in plain words ([] = ready)."""
    missing = []
    if not parties:
        missing.append("add the parties (contacts with an accepted risk profile)")
    else:
        for side in missing_sides(transaction_type, [party["role"] for party in parties]):
            missing.append(f"add a {side}")
    return missing

"""Identification data of a contact (a natural person or an organisation): its shape, the check of
every field, and what is still missing before the contact can be decided on.

`clean` refuses malformed data at once (every bad field named, nothing changed); incomplete data
is fine while the wizard is under way, and `missing_fields` says what is still needed.
"""

from __future__ import annotations

from datetime import date

from aww_aml_workflow.cases.domain import ubo
from aww_aml_workflow.cases.domain.countries import normalise_country
from aww_aml_workflow.cases.domain.identifiers import (
    InvalidIdentifier,
    normalise_enterprise_number,
    parse_person_number,
)
from aww_contracts.errors import DomainError, FieldErrors

KINDS = ("person", "organisation")
ROLES = ("client", "counterparty", "other")
ID_DOCUMENT_TYPES = ("id_card", "passport", "residence_permit", "foreign_id_card")
PEP_FUNCTIONS = (
    "head_of_state_or_government",
    "minister_or_state_secretary",
    "member_of_parliament",
    "party_governing_body",
    "supreme_court_judge",
    "court_of_auditors_or_central_bank",
    "ambassador_or_senior_officer",
    "state_enterprise_board",
    "international_organisation_director",
    "other",
)
PEP_RELATIONS = ("family", "close_associate")
LEGAL_FORMS = (
    "srl_bv",
    "sa_nv",
    "sc_cv",
    "snc_vof",
    "scomm_commv",
    "asbl_vzw",
    "aisbl_ivzw",
    "foundation",
    "public_body",
    "trust",
    "foreign_company",
    "other",
)
MAX_TEXT = 200
MAX_ITEMS = 50


def _text(errors, field, value, *, max_length=MAX_TEXT):
    if value is None:
        return None
    if not isinstance(value, str):
        errors.add(field, "must be text")
        return None
    value = " ".join(value.split())
    if len(value) > max_length:
        errors.add(field, f"at most {max_length} characters")
        return None
    return value or None


def _bool(errors, field, value):
    if value is None or isinstance(value, bool):
        return value
    errors.add(field, "must be true or false")
    return None


def _choice(errors, field, value, choices):
    if value in (None, ""):
        return None
    if value not in choices:
        errors.add(field, f"choose one of {', '.join(choices)}")
        return None
    return value


def _date(errors, field, value, *, past=False, today=None):
    if value in (None, ""):
        return None
    try:
        parsed = date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        parsed = None
    if parsed is None:
        errors.add(field, "give a date as YYYY-MM-DD")
        return None
    if past and today and parsed > today:
        errors.add(field, "cannot be in the future")
        return None
    if parsed.year < 1900:
        errors.add(field, "is too far in the past")
        return None
    return parsed.isoformat()


def _country(errors, field, value):
    if value in (None, ""):
        return None
    code = normalise_country(value) if isinstance(value, str) else None
    if code is None:
        errors.add(field, "give a country as its two-letter ISO code, such as BE")
    return code


def _countries(errors, field, value):
    if value in (None, ""):
        return []
    if not isinstance(value, list) or len(value) > 10:
        errors.add(field, "give a list of at most 10 two-letter country codes")
        return []
    found = []
    for index, item in enumerate(value):
        code = _country(errors, f"{field}.{index}", item)
        if code and code not in found:
            found.append(code)
    return found


def _object(errors, field, value, allowed):
    if value is None:
        return {}
    if not isinstance(value, dict):
        errors.add(field, "must be an object")
        return {}
    for key in value:
        if key not in allowed:
            errors.add(f"{field}.{key}" if field else key, "is not a known field")
    return value


def _list(errors, field, value):
    if value is None:
        return []
    if not isinstance(value, list) or len(value) > MAX_ITEMS:
        errors.add(field, f"give a list of at most {MAX_ITEMS} items")
        return []
    return value


ADDRESS_FIELDS = ("street", "number", "box", "postcode", "city", "country")


def _address(errors, field, value):
    raw = _object(errors, field, value, ADDRESS_FIELDS)
    address = {key: _text(errors, f"{field}.{key}", raw.get(key)) for key in ADDRESS_FIELDS if key != "country"}
    address["country"] = _country(errors, f"{field}.country", raw.get("country"))
    if (
        address["country"] == "BE"
        and address["postcode"]
        and not (address["postcode"].isdigit() and len(address["postcode"]) == 4)
    ):
        errors.add(f"{field}.postcode", "a Belgian postcode has 4 digits")
    return {key: val for key, val in address.items() if val is not None}


PEP_FIELDS = ("self", "function", "relation", "related_person")


def _pep(errors, field, value):
    raw = _object(errors, field, value, PEP_FIELDS)
    pep = {
        "self": _bool(errors, f"{field}.self", raw.get("self")),
        "function": _choice(errors, f"{field}.function", raw.get("function"), PEP_FUNCTIONS),
        "relation": _choice(errors, f"{field}.relation", raw.get("relation"), PEP_RELATIONS),
        "related_person": _text(errors, f"{field}.related_person", raw.get("related_person")),
    }
    if pep["function"] and pep["self"] is not True:
        errors.add(f"{field}.function", "a PEP function is only given for a person who declares being a PEP")
    return {key: val for key, val in pep.items() if val is not None}


# ---- persons ------------------------------------------------------------------------------

PERSON_FIELDS = (
    "role",
    "first_names",
    "last_name",
    "birth_date",
    "birth_place",
    "birth_country",
    "sex",
    "nationalities",
    "address",
    "person_number",
    "id_document",
    "profession",
    "pep",
    "email",
    "phone",
)
ID_DOCUMENT_FIELDS = ("type", "number", "expiry", "issuing_country")


def _person_number(errors, field, value, birth_date):
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        errors.add(field, "must be text")
        return None
    try:
        number = parse_person_number(value)
    except InvalidIdentifier as exc:
        errors.add(field, str(exc))
        return None
    if birth_date and number.birth_date and number.birth_date.isoformat() != birth_date:
        errors.add(field, "does not match the birth date")
    return number.digits


def clean_person(data: dict, today: date) -> dict:
    errors = FieldErrors()
    raw = _object(errors, "", data, PERSON_FIELDS)
    person = {
        "role": _choice(errors, "role", raw.get("role"), ROLES),
        "first_names": _text(errors, "first_names", raw.get("first_names")),
        "last_name": _text(errors, "last_name", raw.get("last_name")),
        "birth_date": _date(errors, "birth_date", raw.get("birth_date"), past=True, today=today),
        "birth_place": _text(errors, "birth_place", raw.get("birth_place")),
        "birth_country": _country(errors, "birth_country", raw.get("birth_country")),
        "sex": _choice(errors, "sex", raw.get("sex"), ("F", "M", "X")),
        "nationalities": _countries(errors, "nationalities", raw.get("nationalities")),
        "address": _address(errors, "address", raw.get("address")),
        "profession": _text(errors, "profession", raw.get("profession")),
        "pep": _pep(errors, "pep", raw.get("pep")),
        "email": _text(errors, "email", raw.get("email")),
        "phone": _text(errors, "phone", raw.get("phone"), max_length=40),
    }
    person["person_number"] = _person_number(errors, "person_number", raw.get("person_number"), person["birth_date"])
    document = _object(errors, "id_document", raw.get("id_document"), ID_DOCUMENT_FIELDS)
    person["id_document"] = {
        key: val
        for key, val in {
            "type": _choice(errors, "id_document.type", document.get("type"), ID_DOCUMENT_TYPES),
            "number": _text(errors, "id_document.number", document.get("number"), max_length=40),
            "expiry": _date(errors, "id_document.expiry", document.get("expiry")),
            "issuing_country": _country(errors, "id_document.issuing_country", document.get("issuing_country")),
        }.items()
        if val is not None
    }
    errors.raise_if_any()
    return {key: val for key, val in person.items() if val not in (None, {}, [])}


def person_missing(person: dict, today: date) -> list[dict[str, str]]:
    missing = []

    def need(field, message):
        missing.append({"field": field, "message": message})

    for field, label in (
        ("first_names", "the first names"),
        ("last_name", "the last name"),
        ("birth_date", "the birth date"),
        ("birth_place", "the place of birth"),
        ("profession", "the profession"),
    ):
        if not person.get(field):
            need(field, f"give {label}")
    if not person.get("nationalities"):
        need("nationalities", "give at least one nationality")
    address = person.get("address", {})
    for key in ("street", "postcode", "city", "country"):
        if not address.get(key):
            need(f"address.{key}", "complete the address")
            break
    belgian = "BE" in person.get("nationalities", []) or address.get("country") == "BE"
    if belgian and not person.get("person_number"):
        need("person_number", "give the national register or BIS number")
    document = person.get("id_document", {})
    if not (document.get("type") and document.get("number") and document.get("expiry")):
        need("id_document", "give the identity document's type, number and expiry date")
    elif date.fromisoformat(document["expiry"]) < today:
        need("id_document.expiry", "the identity document has expired: ask for a valid one")
    if person.get("pep", {}).get("self") is None:
        need("pep.self", "record whether the person declares being a politically exposed person")
    elif person["pep"]["self"] and not person["pep"].get("function"):
        need("pep.function", "give the PEP function")
    if person.get("pep", {}).get("relation") and not person["pep"].get("related_person"):
        need("pep.related_person", "name the politically exposed person the contact is related to")
    return missing


# ---- organisations ------------------------------------------------------------------------------

ORGANISATION_FIELDS = (
    "role",
    "name",
    "legal_form",
    "enterprise_number",
    "registration",
    "seat",
    "activity",
    "directors",
    "representatives",
    "ownership",
    "senior_managers",
    "email",
    "phone",
)
DIRECTOR_FIELDS = ("name", "function", "appointed_on", "gazette_reference")
REPRESENTATIVE_FIELDS = ("first_names", "last_name", "birth_date", "nationalities", "capacity", "pep")
MANAGER_FIELDS = ("first_names", "last_name", "birth_date", "nationalities", "function")
OWNER_PERSON_FIELDS = (
    "id",
    "kind",
    "first_names",
    "last_name",
    "birth_date",
    "nationalities",
    "residence_country",
    "pep",
)
OWNER_ORG_FIELDS = ("id", "kind", "name", "country", "legal_form", "enterprise_number")


def _entry(errors, where, item, allowed, today):
    raw = _object(errors, where, item, allowed)
    entry = {}
    for key in allowed:
        if key in ("birth_date", "appointed_on"):
            entry[key] = _date(errors, f"{where}.{key}", raw.get(key), past=True, today=today)
        elif key == "nationalities":
            entry[key] = _countries(errors, f"{where}.{key}", raw.get(key))
        elif key == "pep":
            entry[key] = _bool(errors, f"{where}.{key}", raw.get(key))
        else:
            entry[key] = _text(errors, f"{where}.{key}", raw.get(key))
    return {key: val for key, val in entry.items() if val not in (None, [])}


def _people(errors, field, value, allowed, today):
    return [
        _entry(errors, f"{field}.{index}", item, allowed, today)
        for index, item in enumerate(_list(errors, field, value))
    ]


def _ownership(errors, value, today):
    raw = _object(errors, "ownership", value, ("entities", "links"))
    entities = []
    for index, item in enumerate(_list(errors, "ownership.entities", raw.get("entities"))):
        where = f"ownership.entities.{index}"
        kind = item.get("kind") if isinstance(item, dict) else None
        if kind == "person":
            entity = _entry(errors, where, item, OWNER_PERSON_FIELDS, today)
            entity["residence_country"] = _country(errors, f"{where}.residence_country", item.get("residence_country"))
        elif kind == "organisation":
            entity = _entry(errors, where, item, OWNER_ORG_FIELDS, today)
            entity["country"] = _country(errors, f"{where}.country", item.get("country"))
            entity["legal_form"] = _choice(errors, f"{where}.legal_form", item.get("legal_form"), LEGAL_FORMS)
            if item.get("enterprise_number"):
                try:
                    entity["enterprise_number"] = normalise_enterprise_number(str(item["enterprise_number"]))
                except InvalidIdentifier as exc:
                    errors.add(f"{where}.enterprise_number", str(exc))
        else:
            errors.add(f"{where}.kind", "choose person or organisation")
            continue
        entities.append({key: val for key, val in entity.items() if val not in (None, [])})
    links = []
    for index, item in enumerate(_list(errors, "ownership.links", raw.get("links"))):
        link = _object(errors, f"ownership.links.{index}", item, ("holder", "held", "percent", "control"))
        links.append({key: link.get(key) for key in ("holder", "held", "percent", "control") if key in link})
    ownership = {"entities": entities, "links": links}
    if not errors.items:
        try:
            ubo.links_from(ownership)
        except ubo.OwnershipError as exc:
            errors.add(exc.field, exc.message)
    for link in links:
        if link.get("percent") not in (None, ""):
            link["percent"] = str(link["percent"])
    return ownership if (entities or links) else None


def clean_organisation(data: dict, today: date) -> dict:
    errors = FieldErrors()
    raw = _object(errors, "", data, ORGANISATION_FIELDS)
    organisation = {
        "role": _choice(errors, "role", raw.get("role"), ROLES),
        "name": _text(errors, "name", raw.get("name")),
        "legal_form": _choice(errors, "legal_form", raw.get("legal_form"), LEGAL_FORMS),
        "seat": _address(errors, "seat", raw.get("seat")),
        "activity": _text(errors, "activity", raw.get("activity"), max_length=500),
        "directors": _people(errors, "directors", raw.get("directors"), DIRECTOR_FIELDS, today),
        "representatives": _people(errors, "representatives", raw.get("representatives"), REPRESENTATIVE_FIELDS, today),
        "senior_managers": _people(errors, "senior_managers", raw.get("senior_managers"), MANAGER_FIELDS, today),
        "ownership": _ownership(errors, raw.get("ownership"), today),
        "email": _text(errors, "email", raw.get("email")),
        "phone": _text(errors, "phone", raw.get("phone"), max_length=40),
    }
    if raw.get("enterprise_number") not in (None, ""):
        try:
            organisation["enterprise_number"] = normalise_enterprise_number(str(raw["enterprise_number"]))
        except InvalidIdentifier as exc:
            errors.add("enterprise_number", str(exc))
    registration = _object(errors, "registration", raw.get("registration"), ("country", "number"))
    if registration:
        organisation["registration"] = {
            "country": _country(errors, "registration.country", registration.get("country")),
            "number": _text(errors, "registration.number", registration.get("number"), max_length=60),
        }
    errors.raise_if_any()
    return {key: val for key, val in organisation.items() if val not in (None, {}, [])}


def organisation_missing(organisation: dict, today: date) -> list[dict[str, str]]:
    missing = []

    def need(field, message):
        missing.append({"field": field, "message": message})

    if not organisation.get("name"):
        need("name", "give the name")
    if not organisation.get("legal_form"):
        need("legal_form", "give the legal form")
    seat = organisation.get("seat", {})
    if not (seat.get("street") and seat.get("postcode") and seat.get("city") and seat.get("country")):
        need("seat", "complete the registered office address")
    if seat.get("country", "BE") == "BE" and not organisation.get("enterprise_number"):
        need("enterprise_number", "give the enterprise number")
    if seat.get("country") not in (None, "BE") and not organisation.get("registration", {}).get("number"):
        need("registration.number", "give the registration number in the home register")
    if not organisation.get("directors"):
        need("directors", "list the directors")
    if not organisation.get("representatives"):
        need("representatives", "name who represents the organisation")
    result = beneficial_owners(organisation)
    if result is None:
        need("ownership", "describe who owns or controls the organisation")
    elif result["fallback_to_senior_managers"] and not organisation.get("senior_managers"):
        need("senior_managers", "no beneficial owner holds more than 25 %: list the senior managing officials")
    return missing


def beneficial_owners(organisation: dict) -> dict | None:
    """The UBO computation of an organisation's ownership, with the owners' names, or None."""
    ownership = organisation.get("ownership")
    if not ownership:
        return None
    result = ubo.compute(ownership, home_country=organisation.get("seat", {}).get("country") or "BE").as_dict()
    entities = {entity["id"]: entity for entity in ownership["entities"]}
    for owner in result["owners"]:
        owner["entity"] = entities[owner["entity_id"]]
    return result


# ---- both ------------------------------------------------------------------------------------


def clean(kind: str, data: dict, today: date) -> dict:
    if kind == "person":
        return clean_person(data, today)
    if kind == "organisation":
        return clean_organisation(data, today)
    raise DomainError(
        "validation_failed",
        "kind: choose person or organisation",
        errors=[{"field": "kind", "message": "choose person or organisation"}],
    )


def missing_fields(kind: str, data: dict, today: date) -> list[dict[str, str]]:
    return person_missing(data, today) if kind == "person" else organisation_missing(data, today)


def display_name(kind: str, data: dict) -> str:
    if kind == "person":
        return ", ".join(part for part in (data.get("last_name"), data.get("first_names")) if part) or "—"
    return data.get("name") or "—"


def number_of(kind: str, data: dict) -> str | None:
    return data.get("person_number") if kind == "person" else data.get("enterprise_number")


def residence_country(kind: str, data: dict) -> str | None:
    place = (data or {}).get("address" if kind == "person" else "seat") or {}
    return place.get("country")


def person_name(entity: dict) -> str:
    return " ".join(part for part in (entity.get("first_names"), entity.get("last_name")) if part) or entity.get(
        "name", ""
    )


def related_people(kind: str, data: dict) -> list[dict]:
    """UBOs (or senior managers), representatives and directors of an organisation, for screening
    and risk facts: [{ref, role, entity}]."""
    if kind != "organisation":
        return []
    people = []
    result = beneficial_owners(data)
    if result:
        for owner in result["owners"]:
            people.append({"ref": f"ubo:{owner['entity_id']}", "role": "ubo", "entity": owner["entity"]})
        if result["fallback_to_senior_managers"]:
            for index, manager in enumerate(data.get("senior_managers", [])):
                people.append({"ref": f"manager:{index}", "role": "senior_manager", "entity": manager})
    for index, representative in enumerate(data.get("representatives", [])):
        people.append({"ref": f"representative:{index}", "role": "representative", "entity": representative})
    for index, director in enumerate(data.get("directors", [])):
        people.append({"ref": f"director:{index}", "role": "director", "entity": director})
    return people

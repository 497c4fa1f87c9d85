"""A report to CTIF-CFI as goAML XML (UNODC schema 5.0.1), validated against the goAML XSD.

Two shapes, chosen by `facts.subject` (DOMAIN.md §4):
- "contact": an activity report (`<activity><report_parties>`) about a contact and its risk profile;
- "transaction": a transaction report (one `<transaction>` with `<involved_parties>`).

`data` (sent by aml-workflow's officer package):
    settings  the office's goAML configuration: rentity_id, rentity_branch, report_code,
              reporting_user_code, location {street, number, box, postcode, city, country}, and the
              CTIF-CFI code lists: transmode_code, party_role_codes {seller: …}, address_type_code,
              id_type_code, ubo_role_code, representative_role_code
    report    id, revision, reason (the officer's), indicators [codes], report_date (ISO date-time)
    facts     the case's goAML facts (aml-workflow officer/README.md, "goAML facts")

CTIF-CFI's own code lists are not public: the codes come from the office's settings and the XSD
the office configured decides whether they are valid. The XSD path is configuration
(GOAML_XSD_PATH); without it no report is produced, because an unvalidated file must never reach
the officer. The schema is parsed once per path and kept (about 11 ms; bench/goaml_bench.py).
"""

from __future__ import annotations

import os
import re
import threading
from decimal import Decimal

from lxml import etree

from aww_contracts.errors import DomainError
from aww_reporting.documents import RenderedDocument

XSD_ENV = "GOAML_XSD_PATH"
MAX_ERRORS = 20
_schemas: dict[str, etree.XMLSchema] = {}
_schemas_lock = threading.Lock()

TEXTS = {
    "cash": {
        "nl": "Contante betaling in de verkoopprijs: EUR {amount}",
        "fr": "Paiement en espèces dans le prix de vente : EUR {amount}",
        "en": "Cash paid in the sale price: EUR {amount}",
    },
    "payment": {
        "nl": "Betalingsvoorwaarden: {terms}",
        "fr": "Modalités de paiement : {terms}",
        "en": "Payment terms: {terms}",
    },
    "level": {
        "nl": "Waakzaamheidsniveau: {level}",
        "fr": "Niveau de vigilance : {level}",
        "en": "Vigilance level: {level}",
    },
    "hit": {
        "nl": "Screeningtreffer op {subject}: {name} ({list}, score {score}, {decision})",
        "fr": "Résultat de filtrage pour {subject} : {name} ({list}, score {score}, {decision})",
        "en": "Screening hit on {subject}: {name} ({list}, score {score}, {decision})",
    },
    "directors": {"nl": "Bestuurders: {names}", "fr": "Administrateurs : {names}", "en": "Directors: {names}"},
}


class Missing:
    """Collects every missing mandatory item, so the officer gets the whole list at once."""

    def __init__(self) -> None:
        self.items: list[dict[str, str]] = []

    def need(self, field: str, message: str) -> None:
        self.items.append({"field": field, "message": message})

    def text(self, node, key: str, where: str, message: str) -> None:
        if not isinstance(node, dict) or not str(node.get(key) or "").strip():
            self.need(f"{where}.{key}" if where else key, message)


# ---- the check of mandatory data ------------------------------------------------------------------


def _belgian(data: dict) -> bool:
    return "BE" in (data.get("nationalities") or []) or (data.get("address") or {}).get("country") == "BE"


def _check_address(missing: Missing, address, where: str) -> None:
    if not address:
        return
    for key, message in (("street", "give the street"), ("city", "give the city"), ("country", "give the country")):
        missing.text(address, key, where, message)


def _check_person(missing: Missing, person: dict, where: str) -> None:
    missing.text(person, "first_names", where, "give the first names")
    missing.text(person, "last_name", where, "give the last name")
    _check_address(missing, person.get("address"), f"{where}.address")


def _check_party(missing: Missing, party, where: str) -> None:
    if not isinstance(party, dict) or party.get("kind") not in ("person", "organisation"):
        missing.need(f"{where}.kind", "say whether the party is a person or an organisation")
        return
    data = party.get("data") if isinstance(party.get("data"), dict) else {}
    if party["kind"] == "person":
        _check_person(missing, data, f"{where}.data")
        if _belgian(data) and not data.get("person_number"):
            missing.need(f"{where}.data.person_number", "give the national register or BIS number")
    else:
        missing.text(data, "name", f"{where}.data", "give the organisation's name")
        seat = data.get("seat") or {}
        if seat.get("country", "BE") == "BE" and not data.get("enterprise_number"):
            missing.need(f"{where}.data.enterprise_number", "give the enterprise number")
        _check_address(missing, seat, f"{where}.data.seat")
        for index, owner in enumerate(party.get("ubos") or []):
            missing.text(owner, "first_names", f"{where}.ubos.{index}", "give the beneficial owner's first names")
            missing.text(owner, "last_name", f"{where}.ubos.{index}", "give the beneficial owner's last name")


def check(data: dict) -> list[dict[str, str]]:
    """Every missing mandatory item as {field, message}; [] when the report can be produced."""
    missing = Missing()
    settings = data.get("settings") if isinstance(data.get("settings"), dict) else {}
    report = data.get("report") if isinstance(data.get("report"), dict) else {}
    facts = data.get("facts") if isinstance(data.get("facts"), dict) else {}
    rentity = settings.get("rentity_id")
    if not isinstance(rentity, int) or isinstance(rentity, bool) or rentity < 1:
        missing.need("settings.rentity_id", "give the office's goAML reporting entity id (rentity_id)")
    missing.text(settings, "rentity_branch", "settings", "give the office's branch as registered in goAML")
    missing.text(settings, "report_code", "settings", "configure the CTIF-CFI report code for this kind of report")
    code = str(settings.get("reporting_user_code") or "")
    if not 4 <= len(code) <= 50:
        missing.need("settings.reporting_user_code", "give your goAML user code (4 to 50 characters)")
    location = settings.get("location")
    if not isinstance(location, dict) or not location:
        missing.need("settings.location", "give the office's address")
    else:
        _check_address(missing, location, "settings.location")
    missing.text(report, "reason", "report", "write the reason of the report")
    indicators = report.get("indicators")
    if not isinstance(indicators, list) or not [i for i in indicators if isinstance(i, str) and i.strip()]:
        missing.need("report.indicators", "choose at least one indicator")
    if facts.get("subject") not in ("contact", "transaction"):
        missing.need("facts.subject", "say whether the report is about a contact or a transaction")
    parties = facts.get("parties")
    if not isinstance(parties, list) or not parties:
        missing.need("facts.parties", "the report needs at least one party")
        parties = []
    for index, party in enumerate(parties):
        _check_party(missing, party, f"facts.parties.{index}")
    if facts.get("subject") == "transaction":
        transaction = facts.get("transaction") if isinstance(facts.get("transaction"), dict) else {}
        missing.text(transaction, "reference", "facts.transaction", "give the transaction's reference")
        missing.text(transaction, "date", "facts.transaction", "give the transaction's date")
        price = transaction.get("price_cents")
        if not isinstance(price, int) or isinstance(price, bool):
            missing.need("facts.transaction.price_cents", "give the price")
        _check_address(missing, transaction.get("property_address"), "facts.transaction.property_address")
        missing.text(settings, "transmode_code", "settings", "configure the CTIF-CFI code of the way of payment")
        codes = settings.get("party_role_codes") if isinstance(settings.get("party_role_codes"), dict) else {}
        for role in sorted({p.get("role") for p in parties if isinstance(p, dict)} - {None}):
            if not codes.get(role):
                missing.need(f"settings.party_role_codes.{role}", f"configure the CTIF-CFI code of the role {role}")
    return missing.items


def validate(data: dict) -> None:
    missing = check(data)
    if missing:
        first = missing[0]
        more = f" (and {len(missing) - 1} more)" if len(missing) > 1 else ""
        raise DomainError(
            "goaml_incomplete",
            f"The goAML report cannot be produced: {first['field']}: {first['message']}{more}",
            missing=missing,
        )


# ---- building the XML ----------------------------------------------------------------------------


def _el(parent, name: str, text=None):
    node = etree.SubElement(parent, name)
    if text is not None:
        node.text = str(text)
    return node


def _opt(parent, name: str, value, limit: int | None = None):
    if value in (None, "", []):
        return None
    text = str(value)
    return _el(parent, name, text[:limit] if limit else text)


def _datetime(day: str) -> str:
    return f"{day[:10]}T00:00:00"


def _address(parent, name: str, address: dict, settings: dict):
    node = _el(parent, name)
    _el(node, "address_type", settings.get("address_type_code") or "-")
    street = " ".join(part for part in (address.get("street"), address.get("number")) if part)
    if address.get("box"):
        street += f" bus {address['box']}"
    _el(node, "address", street[:100])
    _el(node, "city", address["city"][:255])
    _opt(node, "zip", address.get("postcode"), 10)
    _el(node, "country_code", address["country"])
    return node


def _hit_text(hit: dict, language: str) -> str:
    return TEXTS["hit"][language].format(
        subject=hit.get("subject_id") or "contact",
        name=hit.get("matched_name") or "?",
        list=hit.get("source_title") or hit.get("source") or "?",
        score=f"{float(hit.get('score') or 0):.2f}",
        decision=hit.get("decision") or "open",
    )


def _person(parent, name: str, person: dict, settings: dict, *, hits=(), language="en"):
    node = _el(parent, name)
    if person.get("sex") in ("F", "M"):
        _el(node, "gender", person["sex"])
    _el(node, "first_name", person["first_names"][:100])
    _el(node, "last_name", person["last_name"][:100])
    if person.get("birth_date"):
        _el(node, "birthdate", _datetime(person["birth_date"]))
    _opt(node, "birth_place", person.get("birth_place"), 255)
    _opt(node, "country_of_birth", person.get("birth_country"))
    _opt(node, "ssn", person.get("person_number"), 25)
    nationalities = list(person.get("nationalities") or [])[:3]
    for index, country in enumerate(nationalities, start=1):
        _el(node, f"nationality{index}", country)
    residence = person.get("residence_country") or (person.get("address") or {}).get("country")
    _opt(node, "residence", residence)
    if person.get("address"):
        _address(_el(node, "addresses"), "address", person["address"], settings)
    _opt(node, "email", person.get("email"), 255)
    _opt(node, "occupation", person.get("profession"), 255)
    document = person.get("id_document") or {}
    if document.get("number"):
        ident = _el(node, "identification")
        _el(ident, "type", settings.get("id_type_code") or "-")
        _el(ident, "number", document["number"][:255])
        if document.get("expiry"):
            _el(ident, "expiry_date", _datetime(document["expiry"]))
        _el(ident, "issue_country", document.get("issuing_country") or (nationalities or ["BE"])[0])
    pep = person.get("pep") if isinstance(person.get("pep"), dict) else {}
    pep_hits = [h for h in hits if h.get("list_kind") == "pep"]
    if pep.get("self") or pep_hits:
        peps = _el(node, "peps")
        if pep.get("self"):
            item = _el(peps, "pep")
            _el(item, "pep_country", (nationalities or ["BE"])[0])
            _opt(item, "function_name", (pep.get("function") or "").replace("_", " "), 255)
        for hit in pep_hits:
            item = _el(peps, "pep")
            _el(item, "pep_country", (nationalities or ["BE"])[0])
            _opt(item, "function_name", hit.get("pep_function") or hit.get("matched_name"), 255)
            _el(item, "comments", _hit_text(hit, language))
    _sanctions(node, [h for h in hits if h.get("list_kind") != "pep"], language)
    return node


def _sanctions(node, hits: list[dict], language: str) -> None:
    if not hits:
        return
    lists = _el(node, "sanctions")
    for hit in hits:
        item = _el(lists, "sanction_list")
        _el(item, "provider", (hit.get("source_title") or hit.get("source") or "?")[:255])
        version = f" ({hit['list_version']})" if hit.get("list_version") else ""
        _el(item, "sanction_list_name", f"{hit.get('source') or '?'}{version}"[:255])
        _el(item, "match_criteria", _hit_text(hit, language))
        _opt(item, "sanction_list_attributes", hit.get("programme"), 8000)


def _entity(parent, name: str, party: dict, settings: dict, *, hits=(), related_hits=(), language="en"):
    data = party["data"]
    node = _el(parent, name)
    _el(node, "name", data["name"][:255])
    registration = data.get("enterprise_number") or (data.get("registration") or {}).get("number")
    _opt(node, "incorporation_number", registration, 50)
    _opt(node, "business", data.get("activity"), 255)
    if data.get("seat"):
        _address(_el(node, "addresses"), "address", data["seat"], settings)
    _opt(node, "email", data.get("email"), 255)
    country = (data.get("registration") or {}).get("country") or (data.get("seat") or {}).get("country")
    _opt(node, "incorporation_country_code", country)
    related = []
    for owner in party.get("ubos") or []:
        related.append((owner, settings.get("ubo_role_code") or "UBO", owner.get("percent")))
    for representative in data.get("representatives") or []:
        if representative.get("first_names") and representative.get("last_name"):
            related.append((representative, settings.get("representative_role_code") or "-", None))
    if related:
        persons = _el(node, "related_persons")
        for person, role, percent in related:
            item = _el(persons, "entity_related_person")
            _person(item, "person", person, settings, language=language)
            _el(item, "role", role)
            if percent not in (None, ""):
                share = min(Decimal(str(percent)), Decimal(100)).quantize(Decimal("0.01"))
                _el(item, "share_percentage", str(share))
    _sanctions(node, list(hits), language)
    comments = [_hit_text(hit, language) for hit in related_hits]
    directors = [d.get("name") for d in data.get("directors") or [] if d.get("name")]
    if directors:
        comments.append(TEXTS["directors"][language].format(names=", ".join(directors)))
    _opt(node, "comments", "\n".join(comments), 8000)
    return node


def _party_subject(parent, party: dict, settings: dict, language: str, *, person_tag="person", entity_tag="entity"):
    hits = [h for h in party.get("screening_hits") or [] if h.get("decision") != "false_positive"]
    own = [h for h in hits if (h.get("subject_id") or "contact") == "contact"]
    related = [h for h in hits if (h.get("subject_id") or "contact") != "contact"]
    if party["kind"] == "person":
        return _person(parent, person_tag, party["data"], settings, hits=own, language=language)
    return _entity(parent, entity_tag, party, settings, hits=own, related_hits=related, language=language)


def _party_country(party: dict) -> str:
    data = party["data"]
    if party["kind"] == "person":
        return (data.get("address") or {}).get("country") or (data.get("nationalities") or ["BE"])[0]
    return (data.get("seat") or {}).get("country") or "BE"


def _money(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    return f"{sign}{abs(cents) // 100}.{abs(cents) % 100:02d}"


def _transaction(root, facts: dict, settings: dict, report: dict, language: str) -> None:
    deal = facts["transaction"]
    node = _el(root, "transaction")
    _el(node, "transactionnumber", deal["reference"][:100])
    _opt(node, "internal_ref_number", report.get("id"), 100)
    where = deal.get("property_address") or {}
    location = " ".join(str(where.get(k)) for k in ("street", "number", "postcode", "city") if where.get(k))
    _el(node, "transaction_location", location[:255])
    if where:
        _address(node, "transaction_address", where, settings)
    _el(node, "transaction_description", (deal.get("description") or deal.get("type") or deal["reference"])[:8000])
    _el(node, "date_transaction", _datetime(deal["date"]))
    _el(node, "transmode_code", settings["transmode_code"])
    _opt(node, "transmode_comment", deal.get("payment_terms"), 50)
    _el(node, "amount_local", _money(deal["price_cents"]))
    parties = _el(node, "involved_parties")
    for party in facts["parties"]:
        item = _el(parties, "party")
        _el(item, "role", settings["party_role_codes"][party["role"]])
        _party_subject(item, party, settings, language)
        _el(item, "country", _party_country(party))
    comments = [TEXTS["level"][language].format(level=facts["level"])] if facts.get("level") else []
    if deal.get("cash_cents"):
        comments.append(TEXTS["cash"][language].format(amount=_money(deal["cash_cents"])))
    if deal.get("payment_terms") and len(str(deal["payment_terms"])) > 50:
        comments.append(TEXTS["payment"][language].format(terms=deal["payment_terms"]))
    _opt(node, "comments", "\n".join(comments), 8000)


def _activity(root, facts: dict, settings: dict, language: str) -> None:
    parties = _el(_el(root, "activity"), "report_parties")
    for party in facts["parties"]:
        item = _el(parties, "report_party")
        _party_subject(item, party, settings, language)
        comments = [TEXTS["level"][language].format(level=facts["level"])] if facts.get("level") else []
        comments += [factor.get("text") or factor.get("id") for factor in facts.get("factors") or []]
        _opt(item, "comments", "\n".join(c for c in comments if c), 8000)


def build(data: dict, language: str = "en") -> bytes:
    settings, report, facts = data["settings"], data["report"], data["facts"]
    language = language if language in ("nl", "fr", "en") else "en"
    root = etree.Element("report")
    _el(root, "rentity_id", settings["rentity_id"])
    _el(root, "rentity_branch", settings["rentity_branch"][:255])
    _el(root, "submission_code", "E")
    _el(root, "report_code", settings["report_code"])
    _opt(root, "entity_reference", facts.get("reference"), 255)
    _el(root, "report_date", str(report.get("report_date") or "")[:19] or "1753-01-01T00:00:00")
    _el(root, "currency_code_local", "EUR")
    _el(root, "reporting_user_code", settings["reporting_user_code"])
    _address(root, "location", settings["location"], settings)
    _el(root, "reason", report["reason"][:8000])
    if facts["subject"] == "transaction":
        _transaction(root, facts, settings, report, language)
    else:
        _activity(root, facts, settings, language)
    indicators = _el(root, "report_indicators")
    for code in report["indicators"]:
        if isinstance(code, str) and code.strip():
            _el(indicators, "indicator", code.strip())
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


# ---- validation against the configured XSD ---------------------------------------------------------


def schema_path() -> str:
    path = os.environ.get(XSD_ENV, "").strip()
    if not path:
        raise DomainError(
            "service_unavailable",
            "No goAML schema is configured (GOAML_XSD_PATH): a goAML file cannot be validated",
            service="goaml_schema",
        )
    return path


def schema(path: str | None = None) -> etree.XMLSchema:
    path = path or schema_path()
    with _schemas_lock:
        found = _schemas.get(path)
        if found is None:
            parser = etree.XMLParser(resolve_entities=False, no_network=True)
            try:
                found = etree.XMLSchema(etree.parse(path, parser))
            except (OSError, etree.XMLSchemaParseError, etree.XMLSyntaxError) as exc:
                raise DomainError(
                    "service_unavailable",
                    f"The goAML schema cannot be read: {type(exc).__name__}",
                    service="goaml_schema",
                ) from None
            _schemas[path] = found
        return found


def xsd_errors(content: bytes, path: str | None = None) -> list[dict]:
    """The schema's complaints about a goAML file, as [{line, message}] ([] when it validates)."""
    document = etree.fromstring(content, etree.XMLParser(resolve_entities=False, no_network=True))
    checker = schema(path)
    if checker.validate(document):
        return []
    return [{"line": e.line, "message": e.message} for e in list(checker.error_log)[:MAX_ERRORS]]


def _filename(reference: str) -> str:
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", reference or "report").strip("-")[:60] or "report"
    return f"goaml-{safe}.xml"


def render(data: dict, language: str) -> RenderedDocument:
    validate(data)
    content = build(data, language)
    problems = xsd_errors(content)
    if problems:
        first = problems[0]
        raise DomainError(
            "goaml_invalid",
            f"The goAML file does not validate against the configured schema (line {first['line']}: "
            f"{first['message']})",
            errors=problems,
        )
    reference = f"{data['report'].get('id') or ''}-r{data['report'].get('revision') or 1}"
    return RenderedDocument(content=content, media_type="application/xml", filename=_filename(reference))

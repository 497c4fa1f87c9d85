"""The facts the vigilance rules read, gathered from a contact version, its wizard answers, its
screening and the country lists. Pure: the country lists come in as a function (the screening
engine owns them as versioned data)."""

from __future__ import annotations

from collections.abc import Callable

from aww_aml_workflow.cases.domain import contacts

COUNTRY_LISTS = ("eu_high_risk", "fatf_call_for_action", "fatf_increased_monitoring", "sanctioned")

FACT_NAMES = frozenset(
    {
        "kind",
        "residence_country",
        "person.pep_self",
        "person.pep_function",
        "person.pep_relation",
        "person.nationalities",
        "organisation.legal_form",
        "related.pep_declared",
        "countries.linked",
        *(f"countries.{name}" for name in COUNTRY_LISTS),
        "ubo.fallback",
        "ubo.complex",
        "ubo.circular",
        "ubo.foreign_layers",
        "screening.done",
        "screening.sanctions_true_match",
        "screening.pep_true_match",
        "screening.open_hits",
        "screening.pep_functions",
        "contact.level",
    }
)
ANSWER_PREFIX = "answers."


def linked_countries(kind: str, data: dict) -> list[str]:
    """Every country the contact is linked with: nationality, residence, birth, seat, owners …"""
    found: list[str] = []

    def add(code):
        if code and code not in found:
            found.append(code)

    if kind == "person":
        for code in data.get("nationalities", []):
            add(code)
        add(data.get("address", {}).get("country"))
        add(data.get("birth_country"))
    else:
        add(data.get("seat", {}).get("country"))
        add(data.get("registration", {}).get("country"))
        for entity in (data.get("ownership") or {}).get("entities", []):
            for code in entity.get("nationalities", []):
                add(code)
            add(entity.get("residence_country"))
            add(entity.get("country"))
        for person in data.get("representatives", []) + data.get("senior_managers", []):
            for code in person.get("nationalities", []):
                add(code)
    return found


def gather(
    kind: str,
    data: dict,
    answers: dict,
    *,
    screening: dict | None,
    country_risk: Callable[[str], dict],
    contact_level: str | None = None,
) -> dict:
    facts: dict = {"kind": kind, "residence_country": contacts.residence_country(kind, data)}
    pep = data.get("pep", {}) if kind == "person" else {}
    facts["person.pep_self"] = pep.get("self") if kind == "person" else None
    facts["person.pep_function"] = pep.get("function")
    facts["person.pep_relation"] = pep.get("relation")
    facts["person.nationalities"] = data.get("nationalities", []) if kind == "person" else []
    facts["organisation.legal_form"] = data.get("legal_form") if kind == "organisation" else None

    related = contacts.related_people(kind, data)
    facts["related.pep_declared"] = any(person["entity"].get("pep") for person in related)
    linked = linked_countries(kind, data)
    facts["countries.linked"] = linked
    risks = {code: country_risk(code) or {} for code in linked}
    for name in COUNTRY_LISTS:
        facts[f"countries.{name}"] = [code for code in linked if risks[code].get(name)]

    result = contacts.beneficial_owners(data) if kind == "organisation" else None
    facts["ubo.fallback"] = bool(result and result["fallback_to_senior_managers"])
    facts["ubo.complex"] = bool(result and result["complex"])
    facts["ubo.circular"] = bool(result and result["circular"])
    facts["ubo.foreign_layers"] = result["foreign_layers"] if result else 0

    facts["screening.done"] = screening is not None
    screening = screening or {}
    facts["screening.sanctions_true_match"] = bool(screening.get("sanctions_true_match"))
    facts["screening.pep_true_match"] = bool(screening.get("pep_true_match"))
    facts["screening.open_hits"] = int(screening.get("open_hits") or 0)
    facts["screening.pep_functions"] = list(screening.get("pep_functions") or [])
    facts["contact.level"] = contact_level
    for question_id, value in (answers or {}).items():
        facts[ANSWER_PREFIX + question_id] = value
    return facts


def known(name: str, question_ids: set[str]) -> bool:
    if name.startswith(ANSWER_PREFIX):
        return name[len(ANSWER_PREFIX) :] in question_ids
    return name in FACT_NAMES

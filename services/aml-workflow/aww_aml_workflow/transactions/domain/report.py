"""What a goAML transaction report needs from a transaction (the shape of CaseFacts.report_facts,
documented in officer/README.md, "goAML facts"). Pure: the adapter loads the rows and passes them."""

from __future__ import annotations

from aww_aml_workflow.cases.domain import ubo
from aww_aml_workflow.transactions.domain.model import format_eur, summarise_payment

UBO_FIELDS = ("first_names", "last_name", "birth_date", "nationalities", "residence_country")


def payment_terms_text(price_cents: int, payment: dict) -> str:
    """The payment terms in words for goAML's free text: every method with its amount."""
    summary = summarise_payment(price_cents, payment)
    text = ", ".join(f"{method} {format_eur(cents)}" for method, cents in sorted(summary.by_method.items()))
    note = (payment or {}).get("note")
    return f"{text} ({note})" if note else text


def beneficial_owners(kind: str, data: dict) -> list[dict]:
    """An organisation's UBOs as computed (> 25 %), or its senior managing officials when none."""
    if kind != "organisation":
        return []
    ownership = data.get("ownership")
    owners: list[dict] = []
    fallback = True
    if ownership:
        try:
            result = ubo.compute(ownership, home_country=(data.get("seat") or {}).get("country") or "BE")
        except ubo.OwnershipError:
            result = None
        if result is not None:
            entities = {entity["id"]: entity for entity in ownership.get("entities") or []}
            for owner in result.owners:
                entity = entities.get(owner.entity_id, {})
                person = {key: entity[key] for key in UBO_FIELDS if entity.get(key)}
                pep = entity.get("pep")
                person["pep"] = bool(pep.get("self")) if isinstance(pep, dict) else bool(pep)
                owners.append({"role": "ubo", **person, "percent": owner.as_dict()["percent"]})
            fallback = result.fallback_to_senior_managers
    if fallback and not owners:
        for manager in data.get("senior_managers") or []:
            person = {key: manager[key] for key in UBO_FIELDS if manager.get(key)}
            owners.append({"role": "senior_manager", **person, "pep": False})
    return owners


def screening_hits(run) -> list[dict]:
    """True matches and open hits of the latest screening (false positives left out)."""
    if run is None:
        return []
    hits = []
    for hit in run.hits:
        decision = (hit.decision or {}).get("decision")
        if decision == "false_positive":
            continue
        entry = hit.entry or {}
        hits.append(
            {
                "list_kind": hit.list_kind,
                "source": hit.source,
                "source_title": hit.source_title,
                "list_version": hit.list_version,
                "matched_name": hit.matched_name,
                "subject_id": hit.subject_id,
                "score": hit.score,
                "decision": decision or "open",
                "programme": entry.get("programme"),
                "pep_function": entry.get("pep_function"),
            }
        )
    return hits


def transaction_report_facts(transaction: dict, parties: list[dict], assessment: dict | None) -> dict:
    """transaction: the row as a dict; parties: [{role, contact_id, version_no, kind, data, ubos,
    screening_hits}]; assessment: {level, factors: [{id, title}]} or None."""
    summary = summarise_payment(transaction["price_cents"], transaction["payment"])
    agreed = transaction.get("agreed_on")
    created = transaction["created_at"]
    description = transaction.get("description") or (
        f"{transaction['type'].replace('_', ' ').capitalize()} of the property at "
        + ", ".join(str(v) for v in (transaction["property"] or {}).values() if v)
    )
    return {
        "subject": "transaction",
        "reference": transaction["reference"][:255],
        "level": (assessment or {}).get("level") or transaction.get("level"),
        "factors": [
            {"id": factor["id"], "text": factor.get("title") or factor["id"]}
            for factor in (assessment or {}).get("factors", [])
        ],
        "parties": parties,
        "transaction": {
            "reference": transaction["reference"][:100],
            "type": transaction["type"],
            "date": (agreed.isoformat() if hasattr(agreed, "isoformat") else agreed) or created.date().isoformat(),
            "description": description[:8000],
            "price_cents": transaction["price_cents"],
            "currency": transaction["currency"],
            "cash_cents": summary.cash_cents,
            "cash_must_be_reported": transaction["type"] == "sale" and summary.cash_cents > 0,
            "payment_terms": payment_terms_text(transaction["price_cents"], transaction["payment"]),
            "payment_parts": [dict(part) for part in (transaction["payment"] or {}).get("parts") or []]
            or [{"method": "transfer", "amount_cents": transaction["price_cents"]}],
            "property_address": dict(transaction["property"] or {}),
        },
    }

"""Steps the AML transaction end-to-end tests and the bench share: a contact identified, screened,
accepted and with an accepted risk profile through the API, and a sale between two of them."""

from __future__ import annotations

import uuid

import httpx
from aml_flows import NO_RISK, person_data, upload

PEOPLE = (("79041210162", "1979-04-12"), ("85073003328", "1985-07-30"), ("74091233747", "1974-09-12"))


def profiled_contact(http: httpx.Client, who: dict, last_name: str, *, profile: bool = True, index: int = 0) -> str:
    """A person with proofs, screened, accepted and (unless profile=False) its risk profile accepted."""
    h = who["headers"]
    number, born = PEOPLE[index % len(PEOPLE)]
    data = person_data(last_name, person_number=number, birth_date=born)
    created = http.post("/api/v1/aml/contacts", headers=h, json={"kind": "person", "data": data, "answers": NO_RISK})
    assert created.status_code == 201, created.text
    contact_id = created.json()["contact_id"]
    assert upload(http, who, contact_id).status_code == 201
    screened = http.post(f"/api/v1/aml/contacts/{contact_id}/screening", headers=h)
    assert screened.status_code == 200, screened.text
    for hit in screened.json().get("hits", []):  # a demo list may know a similar name: the employee clears it
        decided = http.post(
            f"/api/v1/aml/screening/hits/{hit['hit_id']}/decision",
            headers=h,
            json={"decision": "false_positive", "reason": "Other birth date and nationality"},
        )
        assert decided.status_code == 200, decided.text
    accepted = http.post(f"/api/v1/aml/contacts/{contact_id}/decision", headers=h, json={"decision": "accept"})
    assert accepted.status_code == 200, accepted.text
    if profile:
        started = http.post(f"/api/v1/aml/contacts/{contact_id}/risk-profiles", headers=h, json={"skip": True})
        assert started.status_code == 201, started.text
        decided = http.post(
            f"/api/v1/aml/risk-profiles/{started.json()['risk_profile_id']}/decision",
            headers=h,
            json={"decision": "accept"},
        )
        assert decided.status_code == 200, decided.text
    return contact_id


def sale(seller: str, buyer: str, reference: str | None = None, **changes) -> dict:
    body = {
        "reference": reference or f"E2E-{uuid.uuid4().hex[:10]}",
        "type": "sale",
        "property": {"street": "Meir", "number": "10", "postcode": "2000", "city": "Antwerpen", "country": "BE"},
        "price_cents": 35_000_000,
        "agreed_on": "2026-11-20",
        "parties": [{"contact_id": seller, "role": "seller"}, {"contact_id": buyer, "role": "buyer"}],
    }
    body.update(changes)
    return body


def pay(http: httpx.Client, who: dict, transaction_id: str, key: str | None = None) -> httpx.Response:
    return http.post(
        f"/api/v1/aml/transactions/{transaction_id}/payment",
        headers={**who["headers"], "Idempotency-Key": key or f"e2e-pay-{uuid.uuid4()}"},
    )

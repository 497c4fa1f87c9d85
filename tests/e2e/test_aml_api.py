"""The AML API end to end: gateway → aml-workflow (→ screening, reporting, organisation events),
as real processes. A person is identified with proofs, screened, accepted, profiled and gets its
acceptance document; refused uploads store nothing; another office sees nothing of it."""

from __future__ import annotations

import uuid

import httpx
import pytest
from aml_flows import NO_RISK, aml_office, person_data, upload
from identity_flows import pki_of

from aww_aml_workflow.cases import samples


@pytest.fixture(scope="module")
def offices(stack):
    with httpx.Client(base_url=stack.base_url, timeout=60) as http:
        yield {"a": aml_office(http, stack, 101, "Immo Alpha"), "b": aml_office(http, stack, 102, "Immo Beta")}


def test_a_person_goes_from_identification_to_the_acceptance_document(http, offices):
    employee = offices["a"]["employee"]
    h = employee["headers"]
    created = http.post(
        "/api/v1/aml/contacts", headers=h, json={"kind": "person", "data": person_data("Janssens"), "answers": NO_RISK}
    )
    assert created.status_code == 201, created.text
    contact = created.json()
    contact_id = contact["contact_id"]
    assert [b["code"] for b in contact["wizard"]["blockers"]] == ["missing_proofs", "not_screened"]

    uploaded = upload(http, employee, contact_id)
    assert uploaded.status_code == 201 and uploaded.json()["media_type"] == "application/pdf"
    document = http.get(f"/api/v1/aml/contacts/{contact_id}/documents/{uploaded.json()['document_id']}", headers=h)
    assert document.status_code == 200 and document.content.startswith(b"%PDF-")
    assert "attachment" in document.headers["content-disposition"]

    run = http.post(f"/api/v1/aml/contacts/{contact_id}/screening", headers=h)
    assert run.status_code == 200, run.text
    accepted = http.post(f"/api/v1/aml/contacts/{contact_id}/decision", headers=h, json={"decision": "accept"})
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["status"] == "accepted" and accepted.json()["level"] == "standard"

    profile = http.post(f"/api/v1/aml/contacts/{contact_id}/risk-profiles", headers=h, json={"skip": True})
    assert profile.status_code == 201, profile.text
    decided = http.post(
        f"/api/v1/aml/risk-profiles/{profile.json()['risk_profile_id']}/decision",
        headers=h,
        json={"decision": "accept"},
    )
    assert decided.status_code == 200 and decided.json()["review_due_on"]

    made = http.post(f"/api/v1/aml/contacts/{contact_id}/acceptance-documents", headers=h, json={"language": "nl"})
    assert made.status_code == 201, made.text
    pdf = http.get(f"/api/v1/aml/contacts/{contact_id}/acceptance-documents/{made.json()['document_id']}", headers=h)
    assert (
        pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf" and pdf.content.startswith(b"%PDF-")
    )

    timeline = http.get(f"/api/v1/aml/contacts/{contact_id}/timeline", headers=h).json()
    assert [e["action"] for e in timeline][-1] == "acceptance_document_generated"
    assert {e["actor_id"] for e in timeline} == {employee["account_id"]}

    found = http.get(
        "/api/v1/aml/contacts", headers=h, params={"q": "JANSSENS", "status": "accepted", "level": "standard"}
    )
    assert [c["contact_id"] for c in found.json()["items"]] == [contact_id]


@pytest.mark.parametrize(
    ("name", "content", "status", "reason"),
    [
        ("setup.pdf", samples.executable(), 415, "not_a_document"),
        ("statutes.docx", samples.plain_zip(), 415, "not_a_document"),
        ("statutes.docx", samples.docx(macros=True), 415, "macros"),
        ("id.pdf", samples.pdf_with_javascript(), 415, "active_content"),
        ("id.pdf", samples.pdf() + b"\0" * (10 * 1024 * 1024 + 1), 413, None),
    ],
)
def test_refused_uploads_are_problems_and_store_nothing(http, offices, name, content, status, reason):
    employee = offices["a"]["employee"]
    contact = http.post(
        "/api/v1/aml/contacts", headers=employee["headers"], json={"kind": "person", "data": person_data("Upload")}
    ).json()
    response = upload(http, employee, contact["contact_id"], name=name, content=content)
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    if reason:
        assert response.json()["reason"] == reason and response.json()["field"] == "file"
    after = http.get(f"/api/v1/aml/contacts/{contact['contact_id']}", headers=employee["headers"]).json()
    assert after["documents"] == []
    timeline = http.get(f"/api/v1/aml/contacts/{contact['contact_id']}/timeline", headers=employee["headers"]).json()
    assert [e["action"] for e in timeline] == ["contact_created"]


def test_bad_identification_data_names_the_field(http, offices):
    h = offices["a"]["employee"]["headers"]
    response = http.post(
        "/api/v1/aml/contacts", headers=h, json={"kind": "person", "data": person_data(person_number="12345678901")}
    )
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "person_number"
    assert "12345678901" not in response.text
    response = http.post("/api/v1/aml/contacts", headers=h, json={"kind": "robot", "data": {}})
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "body.kind"


def test_another_office_gets_not_found_on_every_endpoint(http, offices):
    a, b = offices["a"]["employee"], offices["b"]["employee"]
    contact = http.post(
        "/api/v1/aml/contacts", headers=a["headers"], json={"kind": "person", "data": person_data("Secret")}
    ).json()
    contact_id = contact["contact_id"]
    document_id = upload(http, a, contact_id).json()["document_id"]
    http.post(
        f"/api/v1/aml/contacts/{contact_id}/decision",
        headers=a["headers"],
        json={"decision": "refuse", "reason": "test"},
    )
    made = http.post(f"/api/v1/aml/contacts/{contact_id}/acceptance-documents", headers=a["headers"], json={}).json()
    c = f"/api/v1/aml/contacts/{contact_id}"
    p = f"/api/v1/aml/risk-profiles/{uuid.uuid4()}"
    calls = [
        ("GET", c, None),
        ("PATCH", c, {"data": {"profession": "Spy"}}),
        ("PUT", c + "/answers", {"answers": {"face_to_face": True}}),
        ("POST", c + "/versions", None),
        ("GET", c + "/versions", None),
        ("GET", c + "/timeline", None),
        ("GET", c + f"/documents/{document_id}", None),
        ("DELETE", c + f"/documents/{document_id}", None),
        ("POST", c + "/screening", None),
        ("POST", c + "/decision", {"decision": "refuse", "reason": "x"}),
        ("GET", c + "/risk-profile-questions", None),
        ("POST", c + "/risk-profiles", {"skip": True}),
        ("GET", c + "/risk-profiles", None),
        ("POST", c + "/acceptance-documents", {}),
        ("GET", c + f"/acceptance-documents/{made['document_id']}", None),
        ("GET", p, None),
        ("PUT", p + "/answers", {"answers": {}}),
        ("POST", p + "/decision", {"decision": "accept"}),
        ("POST", p + "/escalation", {"motivation": "x", "proposal": "accept"}),
    ]
    for method, path, body in calls:
        response = http.request(method, path, headers=b["headers"], json=body)
        assert response.status_code == 404, (method, path, response.text)
        assert contact_id not in response.text
    upload_b = upload(http, b, contact_id)
    assert upload_b.status_code == 404
    assert http.get("/api/v1/aml/contacts", headers=b["headers"], params={"q": "Secret"}).json()["items"] == []
    # and without a session, nothing at all
    assert http.get(c).status_code == 401


def test_organisation_filled_in_from_the_company_register_and_person_from_the_eid(http, offices, stack):
    h = offices["a"]["employee"]["headers"]
    found = http.get("/api/v1/aml/prefill/enterprise/0403.019.261", headers=h)
    assert found.status_code == 200, found.text
    assert found.json()["data"]["enterprise_number"] == "0403019261" and found.json()["data"]["directors"]
    assert http.get("/api/v1/aml/prefill/enterprise/0431150351", headers=h).status_code == 400
    card = pki_of(stack.var_dir).issue("Lotte", "Vermeulen", save=False)
    read = http.post("/api/v1/aml/prefill/eid", headers=h, json={"certificate_pem": card.pem})
    assert read.status_code == 200, read.text
    assert (
        read.json()["data"]["last_name"] == "Vermeulen" and read.json()["data"]["person_number"] == card.national_number
    )
    forged = http.post(
        "/api/v1/aml/prefill/eid",
        headers=h,
        json={"certificate_pem": "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----"},
    )
    assert forged.status_code == 400 and forged.json()["errors"][0]["field"] == "certificate"


def test_an_organisation_with_owners_through_a_holding(http, offices):
    h = offices["a"]["employee"]["headers"]
    data = {
        "name": "Holding Test NV",
        "legal_form": "sa_nv",
        "enterprise_number": "0403019261",
        "seat": {"street": "Kunstlaan", "number": "8", "postcode": "1000", "city": "Brussel", "country": "BE"},
        "directors": [{"name": "Els Maes"}],
        "representatives": [{"first_names": "Els", "last_name": "Maes"}],
        "ownership": {
            "entities": [
                {"id": "p", "kind": "person", "first_names": "Jan", "last_name": "Claes"},
                {"id": "h", "kind": "organisation", "name": "Claes Holding", "country": "BE"},
            ],
            "links": [{"holder": "p", "held": "h", "percent": "90"}, {"holder": "h", "held": "self", "percent": "30"}],
        },
    }
    contact = http.post("/api/v1/aml/contacts", headers=h, json={"kind": "organisation", "data": data})
    assert contact.status_code == 201, contact.text
    owners = contact.json()["beneficial_owners"]["owners"]
    assert [(o["entity"]["last_name"], o["percent"], o["indirect"]) for o in owners] == [("Claes", "27", True)]
    wizard = contact.json()["wizard"]
    assert {p["id"] for p in wizard["proofs"]} >= {
        "statutes",
        "directors_publication",
        "representation_powers",
        "ubo_register_extract",
    }

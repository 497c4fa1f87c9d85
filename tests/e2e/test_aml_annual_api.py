"""The AML officer's annual report, the audit log and retention end to end: gateway → aml-workflow
(→ organisation and identity for the office's identification, reporting for the PDF), as real
processes. Records of the year prefill the figures; the officer writes the parts, finalises, and
downloads the archived PDF; employees and other offices get nothing."""

from __future__ import annotations

import io
from datetime import date

import httpx
import pytest
from aml_flows import NO_RISK, aml_office, person_data, upload
from pypdf import PdfReader

YEAR = date.today().year
TEXTS = {
    "risk_assessment": "Main risk this year: rentals paid from abroad.",
    "procedures": "Every client screened before the brokerage agreement.",
    "training": "All employees followed the sector course.",
    "action_plan": "No inspection; plan: review dormant clients.",
}


@pytest.fixture(scope="module")
def offices(stack):
    with httpx.Client(base_url=stack.base_url, timeout=60) as http:
        yield {"a": aml_office(http, stack, 221, "Immo Jaarverslag"), "b": aml_office(http, stack, 222, "Immo Ander")}


def accepted_person(http, employee, last_name: str) -> str:
    h = employee["headers"]
    created = http.post("/api/v1/aml/contacts", headers=h,
                        json={"kind": "person", "data": person_data(last_name), "answers": NO_RISK})  # fmt: skip
    assert created.status_code == 201, created.text
    contact_id = created.json()["contact_id"]
    assert upload(http, employee, contact_id).status_code == 201
    assert http.post(f"/api/v1/aml/contacts/{contact_id}/screening", headers=h).status_code == 200
    decided = http.post(f"/api/v1/aml/contacts/{contact_id}/decision", headers=h, json={"decision": "accept"})
    assert decided.status_code == 200, decided.text
    return contact_id


def test_the_officer_finalises_the_prefilled_annual_report_and_downloads_the_pdf(http, offices):
    office = offices["a"]
    employee, officer = office["employee"]["headers"], office["officer"]["headers"]
    contact_id = accepted_person(http, office["employee"], "Jaarverslag")
    http.get(f"/api/v1/aml/contacts/{contact_id}", headers=employee)
    url = f"/api/v1/aml/annual-reports/{YEAR}"

    assert http.post(url, headers=employee).status_code == 403
    assert http.get(url, headers=officer).status_code == 404
    opened = http.post(url, headers=officer)
    assert opened.status_code == 200, opened.text
    report = opened.json()
    assert report["state"] == "draft" and report["office"]["name"] == "Immo Jaarverslag"
    assert len(report["office"]["enterprise_number"]) == 10 and report["office"]["officer_name"]
    assert report["figures"]["contacts"]["identified"] == 1 and report["figures"]["contacts"]["accepted"] == 1
    assert report["figures"]["vigilance"]["accepted"]["standard"] == 1

    early = http.post(url + "/finalisation", headers=officer, json={"language": "nl"})
    assert early.status_code == 400 and "texts.risk_assessment" in early.json()["detail"]
    bad = http.patch(url, headers=officer, json={"texts": {"training": 5}})
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"].endswith("training")
    edited = http.patch(url, headers=officer, json={"texts": TEXTS, "office": {"senior_responsible": "Marc Dubois"}})
    assert edited.status_code == 200 and edited.json()["missing"] == []
    final = http.post(url + "/finalisation", headers=officer, json={"language": "nl"})
    assert final.status_code == 200, final.text
    assert final.json()["state"] == "final" and final.json()["documents"][0]["language"] == "nl"
    again = http.patch(url, headers=officer, json={"texts": {"training": "changed"}})
    assert again.status_code == 409

    pdf = http.get(url + "/document", headers=officer, params={"language": "fr"})
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Rapport annuel du responsable AML" in text and "Immo Jaarverslag" in text and "Marc Dubois" in text
    listed = http.get("/api/v1/aml/annual-reports", headers=officer).json()
    assert listed[0]["year"] == YEAR and listed[0]["state"] == "final"

    log = http.get("/api/v1/aml/audit-log", headers=officer)
    assert log.status_code == 200, log.text
    lines = [(line["action"], line["subject_kind"]) for line in log.json()["items"]]
    assert ("download", "annual_report") in lines and ("view", "contact") in lines
    assert http.get("/api/v1/aml/audit-log", headers=employee).status_code == 403


def test_retention_of_a_contact_and_the_overview(http, offices):
    office = offices["a"]
    employee, officer = office["employee"]["headers"], office["officer"]["headers"]
    contact_id = accepted_person(http, office["employee"], "Bewaring")
    end = f"/api/v1/aml/contacts/{contact_id}/relationship-end"
    future = http.put(end, headers=employee, json={"ended_on": "2999-01-01"})
    assert future.status_code == 400 and "ended_on" in future.json()["detail"]
    ended = http.put(end, headers=employee, json={"ended_on": "2020-02-29", "reason": "Sale completed"})
    assert ended.status_code == 200, ended.text
    assert ended.json()["retain_until"] == "2030-02-28" and ended.json()["ended_by"] == "office"
    overview = http.get("/api/v1/aml/retention", headers=officer)
    assert overview.status_code == 200 and overview.json()["counts"]["retained"] >= 1
    assert contact_id in [item["contact_id"] for item in overview.json()["upcoming"]]
    assert http.get("/api/v1/aml/retention", headers=employee).status_code == 403
    reopened = http.delete(end, headers=employee)
    assert reopened.status_code == 200 and reopened.json()["retain_until"] is None
    assert http.delete(end, headers=employee).status_code == 409


def test_another_office_sees_nothing_and_bad_years_are_problems(http, offices):
    other = offices["b"]["officer"]["headers"]
    mine = offices["a"]["officer"]["headers"]
    contact_id = http.get("/api/v1/aml/contacts", headers=offices["a"]["employee"]["headers"]).json()["items"][0][
        "contact_id"
    ]
    assert http.get(f"/api/v1/aml/annual-reports/{YEAR}", headers=other).status_code == 404
    assert http.get(f"/api/v1/aml/annual-reports/{YEAR}/document", headers=other).status_code == 404
    assert http.get(f"/api/v1/aml/contacts/{contact_id}/retention", headers=other).status_code == 404
    assert http.put(f"/api/v1/aml/contacts/{contact_id}/relationship-end", headers=other, json={}).status_code == 404
    theirs = http.get("/api/v1/aml/audit-log", headers=other).json()["items"]  # their own searches only
    people_b = {offices["b"][who]["account_id"] for who in ("employee", "officer")}
    assert {line["actor_id"] for line in theirs} <= people_b
    assert contact_id not in {line["subject_id"] for line in theirs}
    for year, status in (("20x5", 400), ("2016", 400), (str(YEAR + 1), 400)):
        answer = http.post(f"/api/v1/aml/annual-reports/{year}", headers=mine)
        assert answer.status_code == status and answer.headers["content-type"] == "application/problem+json", year
    assert http.get("/api/v1/aml/annual-reports").status_code == 401

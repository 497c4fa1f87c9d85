"""The AML officer end to end through the gateway: an employee escalates an enhanced risk profile,
the officer reports it to CTIF-CFI (the case is blocked), the goAML file is validated by reporting
against the goAML XSD before it can be downloaded, the submission and CTIF-CFI's answer are
recorded and the case continues; missing data is named; another office reaches nothing; the
officer's pages answer in every language."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
from aml_flows import NO_RISK, aml_office, person_data, upload
from lxml import etree

XSD = Path("../shared/specs/goaml/goAMLSchema.xsd")
if not XSD.exists():
    XSD = Path(__file__).resolve().parents[3] / "shared" / "specs" / "goaml" / "goAMLSchema.xsd"
OFF = "/api/v1/aml/officer"
SETTINGS = {
    "rentity_id": 777,
    "rentity_branch": "Gent",
    "report_code_activity": "SAR",
    "report_code_transaction": "STR",
    "transmode_code": "-",
    "indicators": [{"code": "-", "label": "Generic indicator"}],
    "location": {"street": "Veldstraat", "number": "1", "postcode": "9000", "city": "Gent", "country": "BE"},
}


@pytest.fixture(scope="module")
def offices(stack):
    with httpx.Client(base_url=stack.base_url, timeout=60) as http:
        yield {"a": aml_office(http, stack, 211, "Immo Officer"), "b": aml_office(http, stack, 212, "Immo Other")}


def escalated(http, office, last_name) -> dict:
    employee = office["employee"]
    h = employee["headers"]
    contact = http.post(
        "/api/v1/aml/contacts", headers=h, json={"kind": "person", "data": person_data(last_name), "answers": NO_RISK}
    ).json()
    contact_id = contact["contact_id"]
    assert upload(http, employee, contact_id).status_code == 201
    assert http.post(f"/api/v1/aml/contacts/{contact_id}/screening", headers=h).status_code == 200
    accepted = http.post(f"/api/v1/aml/contacts/{contact_id}/decision", headers=h, json={"decision": "accept"})
    assert accepted.status_code == 200, accepted.text
    questions = http.get(f"/api/v1/aml/contacts/{contact_id}/risk-profile-questions", headers=h).json()["questions"]
    answers = {q["id"]: False for q in questions if q["type"] == "boolean"} | {"payment_cash": True}
    profile = http.post(f"/api/v1/aml/contacts/{contact_id}/risk-profiles", headers=h, json={"answers": answers})
    assert profile.status_code == 201 and profile.json()["level"] == "enhanced", profile.text
    profile_id = profile.json()["risk_profile_id"]
    up = http.post(
        f"/api/v1/aml/risk-profiles/{profile_id}/escalation",
        headers=h,
        json={"motivation": "The buyer wants to pay part in cash", "proposal": "accept"},
    )
    assert up.status_code == 200, up.text
    return {"contact_id": contact_id, "case_id": profile_id}


def test_report_to_ctif_cfi_from_escalation_to_answer(http, offices):
    office = offices["a"]
    officer, employee = office["officer"]["headers"], office["employee"]["headers"]
    case = escalated(http, office, "Escalated")
    case_url = f"{OFF}/cases/risk_profile/{case['case_id']}"

    assert http.get(f"{OFF}/inbox", headers=employee).status_code == 403
    inbox = http.get(f"{OFF}/inbox", headers=officer)
    assert inbox.status_code == 200 and case["case_id"] in [c["case_id"] for c in inbox.json()["awaiting_decision"]]
    assert http.get(f"{OFF}/counts", headers=officer).json()["awaiting_decision"] >= 1
    view = http.get(case_url, headers=officer).json()
    assert view["can_decide"] and not view["four_eyes"]["applies"]

    reported = http.post(
        f"{case_url}/decision",
        headers=officer,
        json={"decision": "report", "reason": "Cash part of the price", "indicators": ["-"]},
    )
    assert reported.status_code == 400 and "indicators" in reported.text  # none configured yet
    assert http.put(f"{OFF}/settings", headers=officer, json={"settings": SETTINGS}).status_code == 200
    reported = http.post(
        f"{case_url}/decision",
        headers=officer,
        json={"decision": "report", "reason": "Cash part of the price", "indicators": ["-"]},
    )
    assert reported.status_code == 200, reported.text
    report_url = f"{OFF}/reports/{reported.json()['report_id']}"
    assert reported.json()["blocked"]

    blocked = http.post(
        f"/api/v1/aml/risk-profiles/{case['case_id']}/decision", headers=employee, json={"decision": "accept"}
    )
    assert blocked.status_code == 409
    assert http.get(f"{report_url}/file", headers=officer).status_code == 409  # not validated yet

    missing = http.post(f"{report_url}/validation", headers=officer, json={})
    assert missing.status_code == 422, missing.text
    problem = missing.json()
    assert problem["code"] == "goaml_incomplete"
    assert "settings.reporting_user_code" in [m["field"] for m in problem["missing"]]

    assert http.put(f"{OFF}/settings", headers=officer, json={"reporting_user_code": "E2E-OFFICER"}).status_code == 200
    validated = http.post(f"{report_url}/validation", headers=officer, json={"language": "fr"})
    assert validated.status_code == 200 and validated.json()["state"] == "validated", validated.text
    file = http.get(f"{report_url}/file", headers=officer)
    assert file.status_code == 200 and file.headers["content-type"].startswith("application/xml")
    schema = etree.XMLSchema(etree.parse(str(XSD)))
    assert schema.validate(etree.fromstring(file.content)), schema.error_log
    assert etree.fromstring(file.content).findtext("rentity_id") == "777"

    submitted = http.post(f"{report_url}/submission", headers=officer, json={"goaml_reference": "GOAML-E2E-1"})
    assert submitted.status_code == 200 and submitted.json()["state"] == "submitted"
    today = datetime.now(ZoneInfo("Europe/Brussels")).date().isoformat()  # the officer types a Belgian day
    bad_date = http.post(
        f"{report_url}/answer",
        headers=officer,
        json={"answer": "continue", "answer_date": "2999-01-01", "answer_reference": "R"},
    )
    assert bad_date.status_code == 400 and bad_date.json()["errors"][0]["field"] == "answer_date"
    answered = http.post(
        f"{report_url}/answer",
        headers=officer,
        json={"answer": "continue", "answer_date": today, "answer_reference": "CFI-E2E-9"},
    )
    assert answered.status_code == 200 and answered.json()["state"] == "answered"
    profile = http.get(f"/api/v1/aml/risk-profiles/{case['case_id']}", headers=employee).json()
    assert profile["state"] == "accepted"

    timeline = http.get(f"{case_url}/timeline", headers=employee).json()
    cfi = [e["action"] for e in timeline if e["marker"] == "cfi"]
    assert cfi[:2] == ["reported_to_cfi", "cfi_report_drafted"] and cfi[-1] == "cfi_answer_recorded"
    news = http.get(f"{OFF}/notifications", headers=employee).json()
    assert {n["action"] for n in news["items"] if n["case_id"] == case["case_id"]} >= {"officer_report", "cfi_continue"}

    other = offices["b"]["officer"]["headers"]
    assert http.get(case_url, headers=other).status_code == 404
    assert http.get(report_url, headers=other).status_code == 404
    assert http.get(f"{report_url}/file", headers=other).status_code == 404
    assert http.post(f"{case_url}/decision", headers=other, json={"decision": "accept"}).status_code == 404


def test_bad_input_names_the_field(http, offices):
    officer = offices["a"]["officer"]["headers"]
    case = escalated(http, offices["a"], "BadInput")
    case_url = f"{OFF}/cases/risk_profile/{case['case_id']}"
    wrong = http.post(f"{case_url}/decision", headers=officer, json={"decision": "maybe"})
    assert wrong.status_code == 400 and "decision" in wrong.text
    no_reason = http.post(f"{case_url}/decision", headers=officer, json={"decision": "refuse"})
    assert no_reason.status_code == 400 and no_reason.json()["errors"][0]["field"] == "reason"
    assert http.get(f"{OFF}/cases/contact/{case['case_id']}", headers=officer).status_code == 400
    assert http.get(f"{OFF}/reports/not-a-uuid", headers=officer).status_code == 404
    bad = http.put(f"{OFF}/settings", headers=officer, json={"settings": {"rentity_id": "abc"}})
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "rentity_id"


@pytest.mark.parametrize(
    ("language", "title"), [("nl", "goAML-handleiding"), ("fr", "Guide goAML"), ("en", "goAML guide")]
)
def test_the_officer_pages_answer_in_every_language(stack, offices, language, title):
    officer = offices["a"]["officer"]
    cookies = {"aww_session": officer["token"]}
    with httpx.Client(base_url=stack.base_url, timeout=30, cookies=cookies, follow_redirects=True) as web:
        web.get(f"/lang/{language}")
        for path, text in (
            ("/aml/officer", "/aml/officer/guide"),
            ("/aml/officer/settings", 'name="rentity_id"'),
            ("/aml/notifications", 'href="/aml/officer"'),
            ("/aml/officer/guide", "goaml.ctif-cfi.be"),
        ):
            page = web.get(path)
            assert page.status_code == 200 and text in page.text, (path, page.status_code)
        assert title in web.get("/aml/officer/guide").text
        counts = web.get("/aml/officer/counts.json").json()
        assert counts["officer"] is True and counts["total"] >= 0


def test_case_report_and_timeline_pages_render(stack, http, offices):
    office = offices["a"]
    case = escalated(http, office, "Pages")
    assert (
        http.put(f"{OFF}/settings", headers=office["officer"]["headers"], json={"settings": SETTINGS}).status_code
        == 200
    )
    cookies = {"aww_session": office["officer"]["token"]}
    with httpx.Client(base_url=stack.base_url, timeout=30, cookies=cookies, follow_redirects=True) as web:
        web.get("/lang/en")
        page = web.get(f"/aml/officer/cases/risk_profile/{case['case_id']}")
        assert page.status_code == 200 and f"/aml/officer/cases/risk_profile/{case['case_id']}/decision" in page.text
        assert "The buyer wants to pay part in cash" in page.text
        made = http.post(
            f"{OFF}/cases/risk_profile/{case['case_id']}/decision",
            headers=office["officer"]["headers"],
            json={"decision": "report", "reason": "Pages reason", "indicators": ["-"]},
        )
        report = web.get(f"/aml/officer/reports/{made.json()['report_id']}")
        assert report.status_code == 200 and "Produce and validate the goAML file" in report.text
        timeline = web.get(f"/aml/timeline/risk_profile/{case['case_id']}")
        assert timeline.status_code == 200 and "➜ CTIF-CFI" in timeline.text
        contact = web.get(f"/aml/timeline/contact/{case['contact_id']}")
        assert contact.status_code == 200 and "Reported to CTIF-CFI" in contact.text

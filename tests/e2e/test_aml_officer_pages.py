"""The AML officer's pages driven through their forms, as a browser without JavaScript would: the
CSRF token of the page comes back with every post, a post answers 303 to the next page with its
notice, a refused form is shown again with the problem and the field named (never a 500), and the
four-eyes notice appears when the officer proposed the case themselves."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
from aml_flows import NO_RISK, _member, aml_office, person_data, upload
from lxml import etree

from aww_gateway.web import CSRF_COOKIE

XSD = Path(__file__).resolve().parents[3] / "shared" / "specs" / "goaml" / "goAMLSchema.xsd"
SETTINGS_FORM = {
    "reporting_user_code": "PAGES-OFFICER",
    "rentity_id": "4711",
    "rentity_branch": "Antwerpen",
    "location.street": "Meir",
    "location.number": "24",
    "location.postcode": "2000",
    "location.city": "Antwerpen",
    "location.country": "BE",
    "report_code_activity": "SAR",
    "report_code_transaction": "STR",
    "transmode_code": "A",
    "party_role_codes.seller": "A",
    "party_role_codes.buyer": "B",
    "indicators": "- Generic indicator\n",
}


@pytest.fixture(scope="module")
def offices(stack):
    """a: one AML officer; b: two AML officers (four-eyes applies)."""
    with httpx.Client(base_url=stack.base_url, timeout=60) as http:
        a = aml_office(http, stack, 221, "Immo Formulier")
        b = aml_office(http, stack, 222, "Immo Vier Ogen")
        b["second_officer"] = _member(http, stack, b["organisation_id"], b["admin"], "aml_officer", "amlofficer2")
        yield {"a": a, "b": b}


def escalated(http, who: dict, last_name: str) -> str:
    """A contact accepted, its risk profile enhanced (cash payment) and escalated by `who`: the case id."""
    h = who["headers"]
    data = person_data(last_name)
    contact_id = http.post(
        "/api/v1/aml/contacts", headers=h, json={"kind": "person", "data": data, "answers": NO_RISK}
    ).json()["contact_id"]
    assert upload(http, who, contact_id).status_code == 201
    screened = http.post(f"/api/v1/aml/contacts/{contact_id}/screening", headers=h)
    for hit in screened.json().get("hits", []):
        http.post(
            f"/api/v1/aml/screening/hits/{hit['hit_id']}/decision",
            headers=h,
            json={"decision": "false_positive", "reason": "Other birth date and nationality"},
        )
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
        json={"motivation": f"{last_name} pays part of the price in cash", "proposal": "accept"},
    )
    assert up.status_code == 200, up.text
    return profile_id


class Browser:
    """A cookie-carrying client that posts forms with the page's CSRF token, following nothing."""

    def __init__(self, stack, person: dict, language: str = "en"):
        self.client = httpx.Client(base_url=stack.base_url, timeout=60, cookies={"aww_session": person["token"]})
        assert self.client.get(f"/lang/{language}").status_code in (200, 303)

    def get(self, path: str) -> httpx.Response:
        return self.client.get(path)

    def post(self, path: str, data: dict | list, *, csrf: bool = True) -> httpx.Response:
        if not self.client.cookies.get(CSRF_COOKIE):
            self.client.get("/aml/officer/guide")  # any page sets the CSRF cookie
        fields: dict = {}
        for name, value in data.items() if isinstance(data, dict) else data:
            fields.setdefault(name, []).append(value)
        if csrf:
            fields["csrf_token"] = [self.client.cookies[CSRF_COOKIE]]
        return self.client.post(path, data=fields)

    def follow(self, response: httpx.Response) -> httpx.Response:
        assert response.status_code == 303, (response.status_code, response.text[-2000:])
        return self.client.get(response.headers["location"])

    def close(self):
        self.client.close()


@pytest.fixture
def officer_a(stack, offices):
    browser = Browser(stack, offices["a"]["officer"])
    yield browser
    browser.close()


def case_path(case_id: str) -> str:
    return f"/aml/officer/cases/risk_profile/{case_id}"


def state_of(http, who, case_id) -> str:
    return http.get(f"/api/v1/aml/risk-profiles/{case_id}", headers=who["headers"]).json()["state"]


def test_the_officer_reports_downloads_submits_and_records_the_answer_through_the_forms(http, offices, officer_a):
    office = offices["a"]
    case_id = escalated(http, office["employee"], "Formulier")

    saved = officer_a.follow(officer_a.post("/aml/officer/settings", SETTINGS_FORM))
    assert "The settings are saved." in saved.text and 'value="4711"' in saved.text

    inbox = officer_a.get("/aml/officer")
    assert inbox.status_code == 200 and case_path(case_id) in inbox.text
    page = officer_a.get(case_path(case_id))
    assert page.status_code == 200 and "Formulier pays part of the price in cash" in page.text
    assert "four-eyes" not in page.text  # the employee proposed it
    assert 'name="indicators" value="-"' in page.text

    posted = officer_a.post(
        case_path(case_id) + "/decision", [("decision", "report"), ("reason", "Cash in the price"), ("indicators", "-")]
    )
    assert posted.status_code == 303
    report_path = posted.headers["location"].split("?")[0]
    assert re.fullmatch(r"/aml/officer/reports/[0-9a-f-]{36}", report_path), report_path
    report = officer_a.follow(posted)
    assert "reported to CTIF-CFI and blocked" in report.text and "Produce and validate the goAML file" in report.text
    assert state_of(http, office["employee"], case_id) == "reported"
    assert 'aria-current="step" class="current">Draft' in report.text

    validated = officer_a.follow(officer_a.post(report_path + "/validate", {}))
    assert "validates against the goAML schema" in validated.text and f'href="{report_path}/file"' in validated.text
    file = officer_a.get(report_path + "/file")
    assert file.status_code == 200 and file.headers["content-type"].startswith("application/xml")
    document = etree.fromstring(file.content)
    schema = etree.XMLSchema(etree.parse(str(XSD)))
    assert schema.validate(document), schema.error_log
    assert document.findtext("rentity_id") == "4711" and document.findtext("report_code") == "SAR"
    assert document.findtext("reporting_user_code") == "PAGES-OFFICER"

    downloaded = officer_a.get(report_path)
    assert (
        'aria-current="step" class="current">Downloaded' in downloaded.text
        and 'name="goaml_reference"' in downloaded.text
    )
    submitted = officer_a.follow(officer_a.post(report_path + "/submit", {"goaml_reference": "GOAML-PAGES-1"}))
    assert "The submission on the goAML portal is recorded." in submitted.text and 'name="answer"' in submitted.text

    today = datetime.now(ZoneInfo("Europe/Brussels")).date().isoformat()  # the officer types a Belgian day
    answered = officer_a.follow(
        officer_a.post(
            report_path + "/answer",
            {"answer": "continue", "answer_date": today, "answer_reference": "CFI-PAGES-7"},
        )
    )
    assert "CTIF-CFI&#39;s answer is recorded." in answered.text or "CTIF-CFI's answer is recorded." in answered.text
    assert "CFI-PAGES-7" in answered.text
    assert state_of(http, office["employee"], case_id) == "accepted"

    timeline = officer_a.get(f"/aml/timeline/risk_profile/{case_id}")
    assert timeline.status_code == 200 and "Reported to CTIF-CFI" in timeline.text


def test_refused_form_input_is_shown_on_the_page_and_changes_nothing(http, stack, offices, officer_a):
    office = offices["a"]
    case_id = escalated(http, office["employee"], "Weigering")
    decision = case_path(case_id) + "/decision"

    no_reason = officer_a.post(decision, {"decision": "refuse", "reason": ""})
    assert no_reason.status_code == 400 and 'class="field-error"' in no_reason.text
    assert "<h1>" in no_reason.text and 'name="reason"' in no_reason.text  # the case page, shown again
    unknown = officer_a.post(decision, {"decision": "maybe"})
    assert unknown.status_code == 400 and 'class="flash flash-error"' in unknown.text
    assert "choose accept, refuse or report" in unknown.text
    no_csrf = officer_a.post(decision, {"decision": "accept"}, csrf=False)
    assert no_csrf.status_code == 403
    assert state_of(http, office["employee"], case_id) == "awaiting_officer"

    bad_settings = officer_a.post(
        "/aml/officer/settings", {**SETTINGS_FORM, "rentity_id": "abc", "rentity_branch": "X"}
    )
    assert bad_settings.status_code == 400 and 'value="abc"' in bad_settings.text  # what was typed, shown again
    assert "whole number" in bad_settings.text
    short_code = officer_a.post("/aml/officer/settings", {**SETTINGS_FORM, "reporting_user_code": "ab"})
    assert short_code.status_code == 400 and "4 to 50 characters" in short_code.text

    employee = Browser(stack, office["employee"])
    try:
        forbidden = employee.post(decision, {"decision": "accept"})
        assert forbidden.status_code == 403, forbidden.text[-1500:]
        assert employee.get(case_path(case_id)).status_code == 403
    finally:
        employee.close()
    assert state_of(http, office["employee"], case_id) == "awaiting_officer"

    assert officer_a.follow(officer_a.post("/aml/officer/settings", SETTINGS_FORM)).status_code == 200
    report_path = (
        officer_a.post(decision, [("decision", "report"), ("reason", "Cash in the price"), ("indicators", "-")])
        .headers["location"]
        .split("?")[0]
    )
    assert officer_a.get(report_path + "/file").status_code == 409  # not validated yet
    not_yet = officer_a.post(report_path + "/submit", {"goaml_reference": "TOO-EARLY"})
    assert not_yet.status_code == 409 and "<h1>" in not_yet.text
    emptied = officer_a.post(report_path + "/edit", {"reason": ""})
    assert emptied.status_code == 400 and 'class="field-error"' in emptied.text

    officer_a.follow(officer_a.post(report_path + "/validate", {}))
    officer_a.get(report_path + "/file")
    no_reference = officer_a.post(report_path + "/submit", {"goaml_reference": ""})
    assert no_reference.status_code == 400 and 'name="goaml_reference"' in no_reference.text
    officer_a.follow(officer_a.post(report_path + "/submit", {"goaml_reference": "GOAML-PAGES-2"}))
    future = officer_a.post(
        report_path + "/answer", {"answer": "continue", "answer_date": "2999-01-01", "answer_reference": "R-1"}
    )
    assert future.status_code == 400 and 'class="field-error"' in future.text and 'name="answer_date"' in future.text
    assert state_of(http, office["employee"], case_id) == "reported"


def test_missing_goaml_data_is_listed_on_the_report_page(http, stack, offices):
    office = offices["b"]
    officer = Browser(stack, office["second_officer"])
    try:
        case_id = escalated(http, office["employee"], "Onvolledig")
        settings = {k: v for k, v in SETTINGS_FORM.items() if k != "reporting_user_code"}
        officer.follow(officer.post("/aml/officer/settings", {**settings, "reporting_user_code": ""}))
        report_path = (
            officer.post(
                case_path(case_id) + "/decision", [("decision", "report"), ("reason", "Cash"), ("indicators", "-")]
            )
            .headers["location"]
            .split("?")[0]
        )
        missing = officer.post(report_path + "/validate", {})
        assert missing.status_code == 422 and 'id="missing"' in missing.text
        assert "settings.reporting_user_code" in missing.text and 'href="/aml/officer/settings"' in missing.text
        assert officer.get(report_path + "/file").status_code == 409
    finally:
        officer.close()


def test_the_four_eyes_notice_shows_when_the_officer_proposed_the_case(http, stack, offices):
    office = offices["b"]
    proposer, other = Browser(stack, office["officer"]), Browser(stack, office["second_officer"])
    try:
        case_id = escalated(http, office["officer"], "VierOgen")
        own = proposer.get(case_path(case_id))
        assert own.status_code == 200 and 'class="flash flash-warning four-eyes"' in own.text
        assert "another AML officer of the office decides on it" in own.text
        assert 'name="decision"' not in own.text  # no decision form for the proposer
        listed = proposer.get("/aml/officer")
        assert "Four-eyes: another officer decides" in listed.text

        forced = proposer.post(case_path(case_id) + "/decision", {"decision": "accept"})
        assert forced.status_code in (403, 409) and "four-eyes" in forced.text
        assert state_of(http, office["officer"], case_id) == "awaiting_officer"

        theirs = other.get(case_path(case_id))
        assert "four-eyes" not in theirs.text and 'name="decision" value="accept"' in theirs.text
        decided = other.follow(other.post(case_path(case_id) + "/decision", {"decision": "accept"}))
        assert "The decision is recorded." in decided.text
        assert state_of(http, office["officer"], case_id) == "accepted"
    finally:
        proposer.close()
        other.close()


def test_the_only_officer_is_told_they_decide_on_their_own_proposal(http, stack, offices):
    office = offices["a"]
    officer = Browser(stack, office["officer"], language="nl")
    try:
        case_id = escalated(http, office["officer"], "Alleen")
        page = officer.get(case_path(case_id))
        assert page.status_code == 200 and 'class="flash flash-warning four-eyes"' in page.text
        assert "als enige AML-verantwoordelijke van het kantoor beslist u" in page.text
        assert 'name="decision" value="accept"' in page.text
        decided = officer.follow(officer.post(case_path(case_id) + "/decision", {"decision": "accept"}))
        assert decided.status_code == 200
        assert state_of(http, office["officer"], case_id) == "accepted"
    finally:
        officer.close()

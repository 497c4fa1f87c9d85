"""The AML officer through the service's RPC entrypoints, against the real broker and databases
(aml-workflow and reporting, which renders and validates the goAML file against the goAML XSD):
decisions, four-eyes, CTIF-CFI reports from draft to answer, the timeline, notifications, tenant
isolation and bad input."""

from __future__ import annotations

import base64
import time
import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

import kombu
import pytest
from lxml import etree
from nameko.exceptions import RemoteError
from sqlalchemy import create_engine, text
from test_cases_service_support import NO_RISK_ANSWERS, XSD, b64, complete_person

from aww_aml_workflow.cases import samples
from aww_aml_workflow.service import AmlWorkflowService
from aww_contracts.envelope import make_envelope
from servicekit.entrypoints import rpc

pytestmark = pytest.mark.usefixtures("goaml_schema")  # conftest.py: reporting validates against it

OFFICE_A, OFFICE_B, OFFICE_C = (str(uuid.uuid4()) for _ in range(3))
PEOPLE = {
    "a_user": (OFFICE_A, "user"),
    "a_officer": (OFFICE_A, "aml_officer"),
    "a_officer2": (OFFICE_A, "aml_officer"),
    "b_officer": (OFFICE_B, "aml_officer"),
    "c_officer": (OFFICE_C, "aml_officer"),
}
ACCOUNTS = {name: str(uuid.uuid4()) for name in PEOPLE}
SETTINGS = {
    "rentity_id": 4321,
    "rentity_branch": "Antwerpen",
    "report_code_activity": "SAR",
    "report_code_transaction": "STR",
    "transmode_code": "-",
    "party_role_codes": {"seller": "-", "buyer": "-"},
    "indicators": [{"code": "-", "label": "Generic indicator (test schema)"}],
    "location": {"street": "Meir", "number": "10", "postcode": "2000", "city": "Antwerpen", "country": "BE"},
}


class FakeIdentity:
    name = "identity"

    @rpc
    def get_accounts(self, account_ids):
        return [
            {"account_id": a, "email": f"officer-{a[:8]}@office.example", "language": "fr", "status": "active"}
            for a in account_ids
        ]


def belgian_today() -> str:
    """CTIF-CFI's answer date as the officer types it: a day in Belgium."""
    return datetime.now(ZoneInfo("Europe/Brussels")).date().isoformat()


def wait_until(predicate, timeout=15.0, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def publish_access(amqp_uri, *database_urls):
    version = int(time.time() * 1000)
    with kombu.Connection(amqp_uri) as connection:
        producer = connection.Producer(serializer="json")
        for name, (office, role) in PEOPLE.items():
            data = {"organisation_id": office, "account_id": ACCOUNTS[name], "membership_status": "confirmed",
                    "admin": False, "tools": {"aml": role}, "display_name": name.replace("_", " ").title(),
                    "version": version}  # fmt: skip
            producer.publish(make_envelope("organisation", "access_changed", data),
                             exchange="organisation.events", routing_key="access_changed")  # fmt: skip
    for url in database_urls:
        engine = create_engine(url)

        def there(engine=engine):
            with engine.connect() as connection:
                return connection.execute(
                    text("SELECT count(*) FROM organisation_access WHERE account_id = ANY(:ids)"),
                    {"ids": list(ACCOUNTS.values())},
                ).scalar_one() == len(PEOPLE)

        try:
            wait_until(there, what="the access read model")
        finally:
            engine.dispose()


def principal(name):
    return {"principal": {"account_id": ACCOUNTS[name], "session_id": None, "organisation_id": PEOPLE[name][0],
                          "platform_admin": False}, "language": "en"}  # fmt: skip


@pytest.fixture
def aml(container_factory, databases, amqp_uri, rpc_proxy):
    from aww_reporting.service import ReportingService

    container_factory(AmlWorkflowService, databases[0])
    container_factory(ReportingService, databases[1])
    container_factory(FakeIdentity)
    publish_access(amqp_uri, *databases)
    return lambda who="a_user": rpc_proxy("aml_workflow", principal(who), timeout=30)


def refused(call, *args, **kwargs) -> str:
    with pytest.raises(RemoteError) as raised:
        call(*args, **kwargs)
    assert raised.value.exc_type == "DomainError", raised.value
    return raised.value.value


def escalated_profile(aml, who="a_user", last_name=None, proposal="accept") -> dict:
    office_user = who
    contact = aml(office_user).create_contact(
        "person", complete_person(last_name=last_name or f"Officer{uuid.uuid4().hex[:6]}"), NO_RISK_ANSWERS
    )
    aml(office_user).upload_document(contact["contact_id"], "identity_document", "id.pdf", b64(samples.pdf("ID")))
    run = aml(office_user).screen_contact(contact["contact_id"])
    assert run["hits"] == [], "no list is imported in this module"
    aml(office_user).decide_contact(contact["contact_id"], "accept")
    questions = aml(office_user).risk_profile_questions(contact["contact_id"])["questions"]
    answers = {q["id"]: False for q in questions if q["type"] == "boolean"}
    profile = aml(office_user).start_risk_profile(contact["contact_id"], dict(answers, payment_cash=True))
    assert profile["level"] == "enhanced"
    return aml(office_user).escalate_risk_profile(profile["risk_profile_id"], "Buyer wants to pay in cash", proposal)


def test_the_officer_accepts_and_the_employee_sees_it(aml):
    profile = escalated_profile(aml)
    case_id = profile["risk_profile_id"]
    inbox = aml("a_officer").officer_inbox()
    assert case_id in [c["case_id"] for c in inbox["awaiting_decision"]]
    assert aml("a_officer").officer_counts()["awaiting_decision"] >= 1
    assert "Only an AML officer" in refused(aml("a_user").officer_decide, "risk_profile", case_id, "accept")
    assert "Only an AML officer" in refused(aml("a_user").officer_inbox)
    decided = aml("a_officer").officer_decide("risk_profile", case_id, "accept", "Cash explained by a notary letter")
    assert decided["state"] == "accepted" and not decided["can_decide"]
    assert aml("a_user").get_risk_profile(case_id)["state"] == "accepted"
    assert case_id not in [c["case_id"] for c in aml("a_officer").officer_inbox()["awaiting_decision"]]
    timeline = aml("a_user").case_timeline("risk_profile", case_id)
    accepted = [e for e in timeline if e["action"] == "officer_accepted"]
    assert accepted and accepted[0]["marker"] == "officer" and accepted[0]["actor_id"] == ACCOUNTS["a_officer"]
    news = aml("a_user").officer_notifications(mark_read=True)
    assert news["items"][0]["case_id"] == case_id and news["items"][0]["action"] == "officer_accept"
    assert aml("a_user").officer_notifications()["unread"] == 0
    assert "cannot" in refused(aml("a_officer2").officer_decide, "risk_profile", case_id, "refuse", "late")


def test_an_escalation_mails_the_officers_and_lands_in_the_timeline(aml):
    profile = escalated_profile(aml)

    def notified():
        entries = aml("a_officer").case_timeline("risk_profile", profile["risk_profile_id"])
        return [e for e in entries if e["action"] == "officer_notified"]

    wait_until(notified, what="the officers' e-mail")
    entry = notified()[0]
    assert sorted(entry["details"]["officers"]) == sorted([ACCOUNTS["a_officer"], ACCOUNTS["a_officer2"]])
    assert entry["details"]["mailed"] == 2 and entry["actor_role"] == "system"


def test_a_report_blocks_the_case_until_ctif_cfi_answers(aml, databases):
    officer = aml("a_officer")
    officer.save_officer_settings(settings=SETTINGS)
    profile = escalated_profile(aml)
    case_id = profile["risk_profile_id"]
    decided = officer.officer_decide("risk_profile", case_id, "report", "Cash payment refused by the notary", ["-"])
    report_id = decided["report_id"]
    assert decided["state"] == "reported" and decided["blocked"]
    # nothing lets the blocked case continue
    assert "cannot" in refused(aml("a_user").decide_risk_profile, case_id, "accept")
    assert "cannot" in refused(officer.officer_decide, "risk_profile", case_id, "accept")
    assert "cannot" in refused(aml("a_officer2").officer_decide, "risk_profile", case_id, "report", "again")
    assert "not decided" in refused(aml("a_user").start_risk_profile, profile["contact_id"], skip=False)
    assert "Validate" in refused(officer.download_cfi_report, report_id)
    # missing mandatory data is named: this officer has no goAML user code yet
    message = refused(officer.validate_cfi_report, report_id)
    assert "settings.reporting_user_code" in message
    assert officer.cfi_report(report_id)["state"] == "draft"
    officer.save_officer_settings(reporting_user_code="OFFICER-A")
    validated = officer.validate_cfi_report(report_id)
    assert validated["state"] == "validated" and validated["downloadable"]
    assert "Download" in refused(officer.submit_cfi_report, report_id, "GOAML-1")
    file = officer.download_cfi_report(report_id)
    content = base64.b64decode(file["content_b64"])
    schema = etree.XMLSchema(etree.parse(str(XSD)))
    assert schema.validate(etree.fromstring(content)), schema.error_log
    root = etree.fromstring(content)
    assert root.findtext("reason") == "Cash payment refused by the notary"
    assert root.findtext("activity/report_parties/report_party/person/ssn") == "74091233747"
    assert officer.cfi_report(report_id)["state"] == "downloaded"
    assert "answer" in refused(officer.answer_cfi_report, report_id, "continue", "2026-01-01", "R")
    officer.submit_cfi_report(report_id, "GOAML-2026-77")
    assert "no longer changes" in refused(officer.edit_cfi_report, report_id, "other reason")
    assert officer.officer_counts()["awaiting_cfi"] >= 1
    today = belgian_today()
    answered = officer.answer_cfi_report(report_id, "continue", today, "CFI/2026/123")
    assert answered["state"] == "answered" and answered["answer"] == "continue"
    assert aml("a_user").get_risk_profile(case_id)["state"] == "accepted"
    assert "answer" in refused(officer.answer_cfi_report, report_id, "stop", today, "CFI/2026/124")
    actions = [(e["action"], e["marker"]) for e in aml("a_user").case_timeline("risk_profile", case_id)]
    for expected in [("reported_to_cfi", "cfi"), ("cfi_report_drafted", "cfi"), ("cfi_report_validated", "cfi"),
                     ("cfi_report_downloaded", "cfi"), ("cfi_report_submitted", "cfi"),
                     ("cfi_answer_continue", "cfi"), ("cfi_answer_recorded", "cfi")]:  # fmt: skip
        assert expected in actions, expected


def test_the_officers_views_and_the_goaml_download_are_in_the_audit_log(aml):
    officer = aml("a_officer")
    officer.save_officer_settings(settings=SETTINGS, reporting_user_code="OFFICER-A")
    profile = escalated_profile(aml, last_name="Auditcase")
    case_id = profile["risk_profile_id"]
    newest = officer.audit_log(actor_id=ACCOUNTS["a_officer"], limit=1)["items"]
    last = newest[0]["id"] if newest else 0

    inbox = officer.officer_inbox()
    officer.officer_case("risk_profile", case_id)
    timeline = officer.case_timeline("risk_profile", case_id)
    decided = officer.officer_decide("risk_profile", case_id, "report", "Cash refused by the notary", ["-"])
    report_id = decided["report_id"]
    officer.validate_cfi_report(report_id)
    view = officer.cfi_report(report_id)
    file = officer.download_cfi_report(report_id)
    listed = officer.cfi_reports()
    news = officer.officer_notifications()

    log = officer.audit_log(actor_id=ACCOUNTS["a_officer"])["items"]
    lines = [(line["action"], line["subject_kind"], line["subject_id"], line["details"]) for line in log
             if line["id"] > last]  # fmt: skip
    counts = inbox["counts"]
    assert lines == [
        ("view", "officer_notifications", None, {"results": len(news["items"])}),
        ("view", "cfi_report_list", None, {"results": len(listed)}),
        ("download", "cfi_report", report_id, {"sha256": file["sha256"]}),
        (
            "view",
            "cfi_report",
            report_id,
            {"case_kind": "risk_profile", "case_id": case_id, "revision": view["revision"]},
        ),
        ("view", "risk_profile_timeline", case_id, {"entries": len(timeline)}),
        ("view", "risk_profile", case_id, {"officer_case": True}),
        ("view", "officer_inbox", None, {"cases": counts["awaiting_decision"], "reports": counts["awaiting_cfi"]}),
    ]
    assert all(line["actor_role"] == "aml_officer" for line in log)
    assert "Auditcase" not in str(log) and "notary" not in str(log)
    # a view refused (another office's report) leaves no line
    refused(aml("b_officer").cfi_report, report_id)
    assert aml("b_officer").audit_log(subject_kind="cfi_report")["items"] == []


def test_ctif_cfi_saying_stop_refuses_the_case_for_good(aml):
    officer = aml("a_officer2")
    officer.save_officer_settings(settings=SETTINGS, reporting_user_code="OFFICER-A2")
    case_id = escalated_profile(aml)["risk_profile_id"]
    report_id = officer.officer_decide("risk_profile", case_id, "report", "Sanctioned buyer suspected", ["-"])[
        "report_id"
    ]
    officer.validate_cfi_report(report_id)
    officer.download_cfi_report(report_id)
    officer.submit_cfi_report(report_id, "GOAML-9")
    officer.answer_cfi_report(report_id, "stop", belgian_today(), "CFI/STOP/1")
    assert aml("a_user").get_risk_profile(case_id)["state"] == "refused"
    assert "closed for good" in refused(officer.officer_decide, "risk_profile", case_id, "report", "again")
    assert "closed for good" in refused(aml("a_user").decide_risk_profile, case_id, "accept")


def test_editing_a_validated_report_makes_a_new_draft(aml):
    officer = aml("a_officer")
    officer.save_officer_settings(settings=SETTINGS, reporting_user_code="OFFICER-A")
    case_id = escalated_profile(aml)["risk_profile_id"]
    report_id = officer.officer_decide("risk_profile", case_id, "report", "First reason", ["-"])["report_id"]
    first = officer.validate_cfi_report(report_id)
    edited = officer.edit_cfi_report(report_id, "Second reason")
    assert edited["state"] == "draft" and edited["revision"] == 2 and not edited["downloadable"]
    second = officer.validate_cfi_report(report_id)
    assert second["document_id"] != first["document_id"]
    content = base64.b64decode(officer.download_cfi_report(report_id)["content_b64"])
    assert etree.fromstring(content).findtext("reason") == "Second reason"
    assert "is not one of the office's indicators" in refused(officer.edit_cfi_report, report_id, None, ["NOPE"])


def test_four_eyes_an_officer_does_not_decide_on_their_own_proposal(aml):
    profile = escalated_profile(aml, who="a_officer")
    case_id = profile["risk_profile_id"]
    view = aml("a_officer").officer_case("risk_profile", case_id)
    assert view["four_eyes"]["applies"] and not view["can_decide"] and "four-eyes" in view["four_eyes"]["message"]
    for decision in ("accept", "refuse", "report"):
        assert "four-eyes" in refused(aml("a_officer").officer_decide, "risk_profile", case_id, decision, "r")
    assert aml("a_officer2").officer_decide("risk_profile", case_id, "refuse", "Not credible")["state"] == "refused"


def test_the_only_officer_of_an_office_decides_on_their_own_proposal(aml):
    profile = escalated_profile(aml, who="c_officer")
    view = aml("c_officer").officer_case("risk_profile", profile["risk_profile_id"])
    assert view["four_eyes"]["own_proposal"] and not view["four_eyes"]["applies"] and view["can_decide"]
    assert aml("c_officer").officer_decide("risk_profile", profile["risk_profile_id"], "accept")["state"] == "accepted"


def test_another_office_reaches_nothing(aml):
    officer_a = aml("a_officer")
    officer_a.save_officer_settings(settings=SETTINGS, reporting_user_code="OFFICER-A")
    case_id = escalated_profile(aml)["risk_profile_id"]
    report_id = officer_a.officer_decide("risk_profile", case_id, "report", "Reason", ["-"])["report_id"]
    other = aml("b_officer")
    assert case_id not in [c["case_id"] for c in other.officer_inbox()["awaiting_decision"]]
    assert report_id not in [r["report_id"] for r in other.officer_inbox()["awaiting_cfi"]]
    for call, args in (
        (other.officer_case, ("risk_profile", case_id)),
        (other.officer_decide, ("risk_profile", case_id, "accept")),
        (other.case_timeline, ("risk_profile", case_id)),
        (other.cfi_report, (report_id,)),
        (other.validate_cfi_report, (report_id,)),
        (other.download_cfi_report, (report_id,)),
        (other.submit_cfi_report, (report_id, "X-1")),
        (other.answer_cfi_report, (report_id, "continue", "2026-01-01", "R")),
        (other.edit_cfi_report, (report_id, "x")),
    ):
        assert "no such" in refused(call, *args).lower(), call
    assert other.officer_settings()["settings"] == {}
    assert report_id not in [r["report_id"] for r in other.cfi_reports()]


def test_bad_input_is_refused_with_the_field_named(aml):
    officer = aml("a_officer")
    case_id = escalated_profile(aml)["risk_profile_id"]
    assert "decision" in refused(officer.officer_decide, "risk_profile", case_id, "approve")
    assert "reason" in refused(officer.officer_decide, "risk_profile", case_id, "refuse", " ")
    assert "kind" in refused(officer.officer_decide, "contact", case_id, "accept")
    assert "no such" in refused(officer.officer_decide, "risk_profile", "not-a-uuid", "accept")
    assert "no such" in refused(officer.officer_case, "risk_profile", str(uuid.uuid4()))
    assert "rentity_id" in refused(officer.save_officer_settings, settings={"rentity_id": -3})
    assert "reporting_user_code" in refused(officer.save_officer_settings, reporting_user_code="ab")
    assert "state" in refused(officer.cfi_reports, state="lost")
    assert "limit" in refused(officer.officer_notifications, limit=0)
    assert aml("a_user").get_risk_profile(case_id)["state"] == "awaiting_officer"

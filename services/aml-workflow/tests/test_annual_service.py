"""The annual report against the real broker and databases (aml-workflow and reporting): figures
computed from the year's records, a draft the officer edits until it is final, a final report that
never changes, only AML officers, and each office sees only its own report."""

from __future__ import annotations

import base64
import io

import pytest
from nameko.exceptions import RemoteError
from pypdf import PdfReader
from sqlalchemy import text
from test_annual_support import (
    FakeIdentity,
    FakeOrganisation,
    Office,
    import_un_list,
    move_decision,
    pep_person,
    person,
    publish_offices,
    session_for,
)

from aww_aml_workflow.annual import statistics
from aww_aml_workflow.cases import handling
from aww_aml_workflow.service import AmlWorkflowService
from aww_reporting.service import ReportingService

YEAR = handling.today().year
TEXTS = {
    "risk_assessment": "Main risks: foreign buyers paying from third-party accounts.",
    "procedures": "Screening before every brokerage agreement.",
    "training": "Two sessions for all employees.",
    "action_plan": "Re-screen dormant clients.",
}


@pytest.fixture(scope="module")
def database(service_database):
    url = service_database("aww_aml_workflow")
    import_un_list(url)
    return url


@pytest.fixture(scope="module")
def offices():
    return {"a": Office(), "b": Office()}


@pytest.fixture
def stack(container_factory, database, service_database, amqp_uri, offices):
    reporting_db = service_database("aww_reporting")
    container_factory(ReportingService, reporting_db)
    container_factory(FakeOrganisation)
    container_factory(FakeIdentity)
    container = container_factory(AmlWorkflowService, database)
    publish_offices(amqp_uri, list(offices.values()), database, reporting_db)
    return container


@pytest.fixture
def call(rpc_proxy, stack, offices):
    def make(office="a", who="officer", language="en"):
        return rpc_proxy("aml_workflow", offices[office].principal(who, language), timeout=60)

    return make


def refused(call_, *args, **kwargs) -> tuple[str, dict]:
    with pytest.raises(RemoteError) as raised:
        call_(*args, **kwargs)
    assert raised.value.exc_type == "DomainError", raised.value
    return raised.value.value, raised.value


def seed(database, office: Office) -> dict:
    """This year: A accepted (standard), B a PEP accepted (enhanced) whose risk profile is escalated,
    C refused, D left without a decision; E accepted last year."""
    with session_for(database) as session:
        actor = office.actor("user")
        ids = {
            "a": person(session, actor, "Annualis"),
            "b": pep_person(session, actor, "Parlementa"),
            "c": person(session, actor, "Refusa", decide="refuse"),
            "d": person(session, actor, "Drafta", decide=None),
            "e": person(session, actor, "Vorigjaar"),
        }
        profile = handling.start_risk_profile(session, actor, ids["b"], skip=True)
        assert profile["level"] == "enhanced"
        handling.escalate_risk_profile(session, actor, profile["risk_profile_id"], motivation="PEP", proposal="accept")
        move_decision(session, ids["e"], f"{YEAR - 1}-06-15T10:00:00+00:00")
        session.commit()
    return ids


def test_figures_count_the_years_records(database, offices):
    office = offices["a"]
    seed(database, office)
    with session_for(database) as session:
        now = statistics.compute(session, office.id, YEAR)
        before = statistics.compute(session, office.id, YEAR - 1)
    contacts = now["contacts"]
    assert (contacts["created"], contacts["identified"], contacts["accepted"], contacts["refused"]) == (4, 3, 2, 1)
    assert contacts["by_role"] == {"client": 3, "counterparty": 0, "other": 0} and contacts["persons"] == 3
    assert now["vigilance"]["accepted"] == {"simplified": 0, "standard": 1, "enhanced": 1}
    assert sum(now["vigilance"]["refused"].values()) == 1
    assert now["refusals"] == {"contact_versions": 1, "risk_profiles": 0}
    assert now["hits"]["pep"] == 1 and now["hits"]["sanctions"] == 0 and now["hits"]["screenings"] == 3
    assert now["risk_profiles"]["assessed"] == {"simplified": 0, "standard": 0, "enhanced": 1}
    profile_escalation = {"total": 1, "awaiting_officer": 1, "accepted": 0, "refused": 0, "reported": 0}
    no_escalation = {"total": 0, "awaiting_officer": 0, "accepted": 0, "refused": 0, "reported": 0}
    assert now["escalations"] == profile_escalation | {
        "risk_profiles": 1, "transactions": 0,
        "by_kind": {"risk_profiles": profile_escalation, "transactions": no_escalation},
    }  # fmt: skip
    assert now["due_diligence"] == {"incomplete_identifications": 1, "blocked_by_sanctions": 0}
    assert now["transactions"] == {"total": 0, "by_level": {"simplified": 0, "standard": 0, "enhanced": 0},
                                   "refused": 0, "escalated": 0, "cash_flagged": 0}  # fmt: skip
    assert (before["contacts"]["identified"], before["contacts"]["accepted"], before["hits"]["screenings"]) == (1, 1, 1)
    with session_for(database) as session:
        other = statistics.compute(session, offices["b"].id, YEAR)
    assert other["contacts"]["identified"] == 0 and other["escalations"]["total"] == 0


def test_the_officer_edits_a_draft_finalises_it_and_it_never_changes_again(call, database, offices):
    year = YEAR - 1
    draft = call().open_annual_report(year)
    assert draft["state"] == "draft" and draft["year"] == year
    assert draft["office"] == {"name": "Immo Jaarverslag", "enterprise_number": "0403019261", "biv_number": "512345",
                               "officer_name": "Olga Officer", "senior_responsible": ""}  # fmt: skip
    assert draft["missing"] == ["texts.risk_assessment", "texts.procedures", "texts.training", "texts.action_plan"]
    assert call().open_annual_report(year)["report_id"] == draft["report_id"]  # opening again: the same draft

    message, _error = refused(call().finalise_annual_report, year)
    assert "texts.risk_assessment" in message
    edited = call().update_annual_report(year, texts=TEXTS, office={"senior_responsible": "Marc Dubois"})
    assert edited["texts"]["training"] == TEXTS["training"] and edited["missing"] == []
    message, _ = refused(call().update_annual_report, year, office={"enterprise_number": "0431150351"})
    assert "office.enterprise_number" in message
    message, _ = refused(call().update_annual_report, year, texts={"gossip": "x"})
    assert "texts.gossip" in message

    final = call().finalise_annual_report(year, "nl")
    assert final["state"] == "final" and final["finalised_at"] and [d["language"] for d in final["documents"]] == ["nl"]
    figures = final["figures"]
    for attempt in (
        lambda: call().update_annual_report(year, texts={"training": "changed"}),
        lambda: call().finalise_annual_report(year),
    ):
        message, _ = refused(attempt)
        assert "final" in message
    # records that arrive later do not change a final report
    with session_for(database) as session:
        contact_id = person(session, offices["a"].actor("user"), "Laatkomer")
        move_decision(session, contact_id, f"{year}-11-30T10:00:00+00:00")
        session.commit()
    assert call().get_annual_report(year)["figures"] == figures
    assert call().get_annual_report(year)["texts"]["training"] == TEXTS["training"]

    pdf = call().get_annual_report_document(year, "fr")
    read = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(base64.b64decode(pdf["content_b64"]))).pages)
    assert "Rapport annuel du responsable AML" in read and "Immo Jaarverslag" in read and "Marc Dubois" in read
    assert pdf["media_type"] == "application/pdf"
    assert [d["language"] for d in call().get_annual_report(year)["documents"]] == ["fr", "nl"]
    assert call().annual_reports()[0] == {"year": year, "state": "final", "finalised_at": final["finalised_at"]}
    with session_for(database) as session:
        outbox = session.execute(
            text(
                "SELECT envelope FROM outbox WHERE event_type = 'annual_report_finalised' "
                "AND envelope->'data'->>'report_id' = :r"
            ),
            {"r": final["report_id"]},
        ).scalar_one()
    assert outbox["data"]["year"] == year and outbox["data"]["language"] == "nl"


def test_only_aml_officers_and_only_of_their_office(call):
    for who in ("user", "no_role"):
        message, _error = refused(call(who=who).open_annual_report, YEAR)
        assert "role" in message or "member" in message
    call().open_annual_report(YEAR)
    message, _ = refused(call("b").get_annual_report, YEAR)
    assert "no annual report" in message
    assert call("b").annual_reports() == []
    assert call("b").open_annual_report(YEAR)["office"]["name"] == "Immo Jaarverslag"
    assert call("b").get_annual_report(YEAR)["report_id"] != call().get_annual_report(YEAR)["report_id"]
    message, _ = refused(call("b").get_annual_report_document, YEAR - 1)
    assert "not final" in message


@pytest.mark.parametrize("year", [2016, YEAR + 1, "2025", None])
def test_the_year_is_checked(call, year):
    message, _error = refused(call().open_annual_report, year)
    assert message.startswith("year")


def test_ctif_cfi_reports_are_counted_from_the_officers_reports(database):
    office = Office()
    with session_for(database) as session:
        for state, submitted, answered, answer in (
            ("answered", f"{YEAR}-03-01T10:00:00+00:00", f"{YEAR}-04-01T10:00:00+00:00", "continue"),
            ("submitted", f"{YEAR}-05-01T10:00:00+00:00", None, None),
            ("draft", None, None, None),
        ):
            session.execute(
                text(
                    "INSERT INTO aml_cfi_reports (id, organisation_id, case_kind, case_id, title, state, revision, "
                    "reason, indicators, created_at, created_by, updated_at, submitted_at, answered_at, answer) "
                    "VALUES (gen_random_uuid(), :o, 'risk_profile', gen_random_uuid(), 't', :state, 1, 'r', "
                    "'[]'::jsonb, :created, :by, :created, :submitted, :answered, :answer)"
                ),
                {"o": office.id, "state": state, "created": f"{YEAR}-02-01T10:00:00+00:00", "by": office.officer,
                 "submitted": submitted, "answered": answered, "answer": answer},
            )  # fmt: skip
        cfi = statistics.compute(session, office.id, YEAR)["cfi"]
        session.rollback()
    assert cfi == {"reports": 3, "submitted": 2, "answers": 1, "answers_continue": 1, "answers_stop": 0,
                   "source": "cfi_reports"}  # fmt: skip


def test_escalated_transactions_count_with_the_risk_profiles_by_kind(database):
    office = Office()
    moment = f"{YEAR}-02-01T10:00:00+00:00"
    with session_for(database) as session:
        for state, escalated_at in (("awaiting_officer", moment), ("reported", moment), ("refused", moment),
                                    ("accepted", f"{YEAR - 1}-12-01T10:00:00+00:00"), ("accepted", None)):  # fmt: skip
            session.execute(
                text(
                    "INSERT INTO aml_transactions (id, organisation_id, reference, type, state, property, "
                    "price_cents, currency, payment, cash_cents, answers, level, search_text, employee_id, "
                    "created_at, updated_at, assessed_at, escalated_at) VALUES (gen_random_uuid(), :o, "
                    "gen_random_uuid()::text, 'sale', :state, '{}'::jsonb, 100, 'EUR', '{}'::jsonb, 0, '{}'::jsonb, "
                    "'enhanced', '', :e, :at, :at, :at, :escalated)"
                ),
                {"o": office.id, "state": state, "e": office.user, "at": moment, "escalated": escalated_at},
            )
        actor = office.actor("user")
        profile = handling.start_risk_profile(session, actor, pep_person(session, actor, "Escalata"), skip=True)
        handling.escalate_risk_profile(session, actor, profile["risk_profile_id"], motivation="PEP", proposal="accept")
        escalations = statistics.compute(session, office.id, YEAR)["escalations"]
        transactions = statistics.compute(session, office.id, YEAR)["transactions"]
        session.rollback()
    assert escalations["by_kind"]["transactions"] == {
        "total": 3, "awaiting_officer": 1, "accepted": 0, "refused": 1, "reported": 1}  # fmt: skip
    assert escalations["by_kind"]["risk_profiles"] == {
        "total": 1, "awaiting_officer": 1, "accepted": 0, "refused": 0, "reported": 0}  # fmt: skip
    assert (escalations["total"], escalations["risk_profiles"], escalations["transactions"]) == (4, 1, 3)
    assert (escalations["awaiting_officer"], escalations["accepted"], escalations["refused"]) == (2, 0, 1)
    assert escalations["reported"] == 1 and transactions["escalated"] == 3

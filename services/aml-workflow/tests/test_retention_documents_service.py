"""Across aml-workflow and reporting, against the real broker and databases: a contact's acceptance
document and its CTIF-CFI report's goAML files (both revisions, the first one no longer referenced
after the edit) leave reporting's archive when the contact is purged after its retention date, and
the officer's retention overview counts contacts, transactions and the purged documents."""

from __future__ import annotations

import pytest
from nameko.exceptions import RemoteError
from test_annual_support import FakeIdentity, Office, person, publish_offices, session_for
from test_cases_service_support import wait_until
from test_officer_service import SETTINGS

from aww_aml_workflow.annual import retention
from aww_aml_workflow.service import AmlWorkflowService

pytestmark = pytest.mark.usefixtures("goaml_schema")  # conftest.py: reporting validates against it


@pytest.fixture
def office(container_factory, databases, amqp_uri):
    from aww_reporting.service import ReportingService

    container_factory(AmlWorkflowService, databases[0])
    container_factory(ReportingService, databases[1])
    container_factory(FakeIdentity)
    office = Office()
    publish_offices(amqp_uri, [office], *databases)
    return office


def archived(reporting, document_id: str) -> bool:
    """True while reporting hands the document out; False once it answers that it was purged."""
    try:
        reporting.get_document(document_id=document_id)
        return True
    except RemoteError as error:
        assert error.exc_type == "DomainError" and "purged on" in error.value, error
        return False


def test_a_purged_contact_takes_its_archived_documents_along(office, databases, rpc_proxy):
    user = rpc_proxy("aml_workflow", office.principal("user"), timeout=30)
    officer = rpc_proxy("aml_workflow", office.principal("officer"), timeout=30)
    reporting = rpc_proxy("reporting", office.principal("officer"), timeout=30)
    with session_for(databases[0]) as session:
        contact_id = person(session, office.actor(), "Vergeten")
        session.commit()
    acceptance = user.generate_acceptance_document(contact_id, None, "nl")["document_id"]
    questions = user.risk_profile_questions(contact_id)["questions"]
    answers = {q["id"]: False for q in questions if q["type"] == "boolean"}
    profile = user.start_risk_profile(contact_id, dict(answers, payment_cash=True))
    user.escalate_risk_profile(profile["risk_profile_id"], "The buyer pays in cash", "accept")
    officer.save_officer_settings(settings=SETTINGS, reporting_user_code="OFFICER-P")
    report_id = officer.officer_decide("risk_profile", profile["risk_profile_id"], "report", "Cash", ["-"])["report_id"]
    first = officer.validate_cfi_report(report_id)["document_id"]
    officer.edit_cfi_report(report_id, "Cash, and a second reason")
    second = officer.validate_cfi_report(report_id)["document_id"]
    assert len({acceptance, first, second}) == 3 and all(archived(reporting, d) for d in (acceptance, first, second))

    user.end_relationship(contact_id, "2014-06-30", "Sold")
    before = officer.retention_overview()
    assert before["counts"] == {"ongoing": 0, "retained": 0, "due": 1, "purged": 0}
    assert before["transactions"] == {"open": 0, "retained": 0, "due": 0, "purged": 0}
    assert before["documents"] == {"purged": 0, "by_kind": {}, "last_purged_at": None}

    with session_for(databases[0]) as session:
        assert contact_id in retention.purge_due(session, on=retention.today())["contact_ids"]
        session.commit()
    # aml-workflow's relay publishes `documents_expired`; reporting purges what it names
    wait_until(lambda: not any(archived(reporting, d) for d in (acceptance, first, second)), what="reporting's purge")
    with pytest.raises(RemoteError, match="no such document"):  # aml-workflow's reference went with the purge
        user.get_acceptance_document(contact_id, acceptance)
    after = officer.retention_overview()
    assert after["counts"] == {"ongoing": 0, "retained": 0, "due": 0, "purged": 1}
    assert after["documents"]["purged"] == 3 and after["documents"]["last_purged_at"]
    assert after["documents"]["by_kind"] == {"acceptance_document": 1, "goaml_report": 2}
    info = reporting.get_document_info(document_id=first)
    assert info["purged_at"] and info["filename"] == f"purged-{first}.xml"

"""The audit log of views and exports, against the real broker and databases: every entrypoint
that hands out personal data writes one line (ids and counts, never the data or the search text),
the office's AML officers read it, nobody else, and no other office's lines."""

from __future__ import annotations

import json

import pytest
from nameko.exceptions import RemoteError
from test_annual_support import (
    FakeIdentity,
    FakeOrganisation,
    Office,
    import_un_list,
    person,
    publish_offices,
    session_for,
)

from aww_aml_workflow.service import AmlWorkflowService
from aww_reporting.service import ReportingService


@pytest.fixture(scope="module")
def database(service_database):
    url = service_database("aww_aml_workflow")
    import_un_list(url)
    return url


@pytest.fixture(scope="module")
def offices():
    return {"a": Office(), "b": Office()}


@pytest.fixture
def call(container_factory, rpc_proxy, database, service_database, amqp_uri, offices):
    reporting_db = service_database("aww_reporting")
    container_factory(ReportingService, reporting_db)
    container_factory(FakeOrganisation)
    container_factory(FakeIdentity)
    container_factory(AmlWorkflowService, database)
    publish_offices(amqp_uri, list(offices.values()), database, reporting_db)
    return lambda office="a", who="user": rpc_proxy("aml_workflow", offices[office].principal(who), timeout=60)


def test_views_and_exports_are_logged_for_the_officer(call, database, offices):
    office = offices["a"]
    with session_for(database) as session:
        contact_id = person(session, office.actor(), "Auditee")
        session.commit()
    user = call()
    contact = user.get_contact(contact_id)
    user.search_contacts(query="74091233747")
    document_id = contact["documents"][0]["document_id"]
    user.get_document(contact_id, document_id)
    results = user.screening_contact_results(contact_id)
    if results["latest"]:
        user.screening_run(results["latest"]["run_id"])
    made = user.generate_acceptance_document(contact_id, language="en")
    user.get_acceptance_document(contact_id, made["document_id"])

    log = call(who="officer").audit_log(actor_id=office.user)
    lines = [(line["action"], line["subject_kind"], line["subject_id"]) for line in log["items"]]
    expected = [
        ("download", "acceptance_document", made["document_id"]),
        *([("view", "screening_run", results["latest"]["run_id"])] if results["latest"] else []),
        ("view", "screening", contact_id),
        ("download", "document", document_id),
        ("search", "contact_list", None),
        ("view", "contact", contact_id),
    ]
    assert lines == expected
    assert all(line["actor_name"] == "An Employee" and line["actor_role"] == "employee" for line in log["items"])
    assert "74091233747" not in json.dumps(log) and "Auditee" not in json.dumps(log)
    search = next(line for line in log["items"] if line["action"] == "search")
    assert search["details"] == {"query": True, "results": 1}

    about = call(who="officer").audit_log(subject_kind="contact", subject_id=contact_id)["items"]
    assert [line["action"] for line in about] == ["view"]
    page = call(who="officer").audit_log(actor_id=office.user, limit=2)
    assert len(page["items"]) == 2 and page["next"]
    rest = call(who="officer").audit_log(actor_id=office.user, before=page["next"], limit=50)["items"]
    assert [line["id"] for line in page["items"] + rest] == [line["id"] for line in log["items"]]


def test_only_the_offices_officers_read_the_log(call):
    call().search_contacts()
    with pytest.raises(RemoteError) as raised:
        call().audit_log()
    assert "role" in raised.value.value
    assert call("b", "officer").audit_log()["items"] == []
    with pytest.raises(RemoteError) as raised:
        call(who="officer").audit_log(limit=0)
    assert raised.value.value.startswith("limit")


def test_a_refused_view_writes_no_line(call, offices):
    before = call(who="officer").audit_log()["items"]
    with pytest.raises(RemoteError):
        call("b").get_contact(before[0]["subject_id"] if before else "x")
    assert call("b", "officer").audit_log()["items"] == []

"""Tenant isolation of every case-handling RPC: another office gets `not_found` (never a hint that
the record exists), a member without the AML role `forbidden`, an anonymous call
`unauthenticated`; lists from another office never show the first office's contacts."""

from __future__ import annotations

import uuid

import pytest
from nameko.testing.services import entrypoint_hook
from test_cases_service_support import NO_RISK_ANSWERS, b64, complete_person, principal, publish_access

from aww_aml_workflow.cases import samples
from aww_aml_workflow.service import AmlWorkflowService
from aww_contracts.errors import DomainError


@pytest.fixture(scope="module")
def database(service_database):
    return service_database("aww_aml_workflow")


@pytest.fixture
def service(container_factory, database, amqp_uri):
    container = container_factory(AmlWorkflowService, database)
    publish_access(amqp_uri, database)
    return container


def call(service, who, method, *args, **kwargs):
    context = principal(who) if who else {"language": "en"}
    with entrypoint_hook(service, method, context_data=context) as hook:
        return hook(*args, **kwargs)


def refused(service, who, method, *args, **kwargs) -> DomainError:
    with pytest.raises(DomainError) as raised:
        call(service, who, method, *args, **kwargs)
    return raised.value


@pytest.fixture
def office_a(service):
    """A contact of office A with a document, an accepted version and a risk profile."""
    contact = call(
        service, "a_user", "create_contact", "person", complete_person(last_name="Isolated"), NO_RISK_ANSWERS
    )
    contact_id = contact["contact_id"]
    document = call(service, "a_user", "upload_document", contact_id, "identity_document", "id.pdf", b64(samples.pdf()))
    call(service, "a_user", "decide_contact", contact_id, "refuse", "test")
    call(service, "a_user", "new_contact_version", contact_id)
    return {"contact_id": contact_id, "document_id": document["document_id"]}


def matrix(ids):
    contact, document = ids["contact_id"], ids["document_id"]
    profile = str(uuid.uuid4())
    return [
        ("get_contact", (contact,), {}),
        ("get_contact", (contact, 1), {}),
        ("update_contact", (contact, {"profession": "Spy"}), {}),
        ("answer_contact_questions", (contact, {"face_to_face": True}), {}),
        ("new_contact_version", (contact,), {}),
        ("list_contact_versions", (contact,), {}),
        ("contact_timeline", (contact,), {}),
        ("upload_document", (contact, "identity_document", "x.pdf", b64(samples.pdf())), {}),
        ("get_document", (contact, document), {}),
        ("withdraw_document", (contact, document), {}),
        ("screen_contact", (contact,), {}),
        ("decide_contact", (contact, "refuse", "x"), {}),
        ("risk_profile_questions", (contact,), {}),
        ("start_risk_profile", (contact,), {"skip": True}),
        ("list_risk_profiles", (contact,), {}),
        ("generate_acceptance_document", (contact, 1), {}),
        ("get_acceptance_document", (contact, str(uuid.uuid4())), {}),
        ("get_risk_profile", (profile,), {}),
        ("answer_risk_profile", (profile, {"payment_cash": False}), {}),
        ("decide_risk_profile", (profile, "accept"), {}),
        ("escalate_risk_profile", (profile, "why", "accept"), {}),
    ]


def test_another_office_finds_nothing(service, office_a):
    for method, args, kwargs in matrix(office_a):
        error = refused(service, "b_user", method, *args, **kwargs)
        assert error.code == "not_found", method
        assert office_a["contact_id"] not in error.message


def test_a_member_without_the_aml_role_is_forbidden(service, office_a):
    for method, args, kwargs in matrix(office_a):
        assert refused(service, "a_no_role", method, *args, **kwargs).code == "forbidden", method


def test_an_anonymous_call_is_unauthenticated(service, office_a):
    for method, args, kwargs in matrix(office_a):
        assert refused(service, None, method, *args, **kwargs).code == "unauthenticated", method


def test_an_unknown_id_and_another_offices_id_look_the_same(service, office_a):
    other = refused(service, "b_user", "get_contact", office_a["contact_id"])
    missing = refused(service, "b_user", "get_contact", str(uuid.uuid4()))
    garbage = refused(service, "b_user", "get_contact", "not-a-uuid")
    assert other.code == missing.code == garbage.code == "not_found"
    assert other.message == missing.message == garbage.message


def test_lists_of_another_office_hold_none_of_the_first_offices_contacts(service, office_a):
    assert call(service, "b_user", "search_contacts", query="Isolated")["items"] == []
    assert call(service, "b_user", "search_contacts")["items"] == []
    assert call(service, "b_user", "due_reviews", 3660) == []
    mine = call(service, "a_user", "search_contacts", query="Isolated")["items"]
    assert office_a["contact_id"] in [item["contact_id"] for item in mine]
    # the officer of office A sees office A's contacts too
    assert call(service, "a_officer", "get_contact", office_a["contact_id"])["contact_id"] == office_a["contact_id"]

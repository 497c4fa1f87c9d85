"""The acceptance document of a decided contact version, rendered and archived by the real
reporting service and downloaded again through aml-workflow."""

from __future__ import annotations

import base64
import io

import pytest
from pypdf import PdfReader
from test_cases_service import screen_and_clear
from test_cases_service_support import NO_RISK_ANSWERS, b64, complete_person, import_un_list, principal, publish_access

from aww_aml_workflow.cases import samples
from aww_aml_workflow.service import AmlWorkflowService
from aww_reporting.service import ReportingService


@pytest.fixture(scope="module")
def database(service_database):
    url = service_database("aww_aml_workflow")
    import_un_list(url)
    return url


@pytest.fixture
def aml(rpc_proxy, container_factory, database, service_database, amqp_uri):
    reporting_db = service_database("aww_reporting")
    container_factory(AmlWorkflowService, database)
    container_factory(ReportingService, reporting_db)
    publish_access(amqp_uri, database, reporting_db)
    return lambda who="a_user", language="en": rpc_proxy("aml_workflow", principal(who, language), timeout=60)


def test_an_accepted_contact_gets_its_acceptance_document(aml, database):
    contact = aml().create_contact("person", complete_person(last_name="Rukundo"), NO_RISK_ANSWERS)
    contact_id = contact["contact_id"]
    aml().upload_document(contact_id, "identity_document", "id-card.pdf", b64(samples.pdf("ID")))
    run = screen_and_clear(database, aml, contact_id)
    assert run["hits"]
    aml().decide_contact(contact_id, "accept")
    made = aml("a_user", "fr").generate_acceptance_document(contact_id)
    assert made["language"] == "fr" and made["filename"].endswith(".pdf")
    again = aml("a_user", "fr").generate_acceptance_document(contact_id)
    assert again["document_id"] == made["document_id"]

    downloaded = aml().get_acceptance_document(contact_id, made["document_id"])
    content = base64.b64decode(downloaded["content_b64"])
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    assert "Document d'acceptation" in text and "RUKUNDA" in text and "faux positif" in text
    assert "2026.1" in text and "Vigilance standard" in text
    timeline = aml().contact_timeline(contact_id)
    assert timeline[-1]["action"] == "acceptance_document_generated"


def test_another_office_cannot_download_it(aml, database):
    contact = aml().create_contact("person", complete_person(last_name="Private"), NO_RISK_ANSWERS)
    aml().decide_contact(contact["contact_id"], "refuse", "No ID")
    made = aml().generate_acceptance_document(contact["contact_id"])
    from nameko.exceptions import RemoteError

    with pytest.raises(RemoteError) as raised:
        aml("b_user").get_acceptance_document(contact["contact_id"], made["document_id"])
    assert "There is no such contact" in str(raised.value)

"""The reporting core: render once, archive immutably, hand out only to the document's members."""

import base64
import hashlib
import uuid

import pytest
from nameko.exceptions import RemoteError
from reporting_helpers import RECEIPT, new_office_member, principal
from sqlalchemy import create_engine, text


@pytest.fixture
def office(reporting, amqp_uri, rpc_proxy):
    return new_office_member(amqp_uri, rpc_proxy)


def remote_code(call):
    with pytest.raises(RemoteError) as refused:
        call()
    assert refused.value.exc_type == "DomainError"
    return refused.value


def test_rendered_receipt_is_archived_once_and_read_back_by_a_member(office, rpc_proxy):
    organisation, _member, as_member = office
    service = rpc_proxy("reporting")  # a service acting on its own (timer, webhook): no principal
    first = service.render_document(
        kind="receipt", organisation_id=organisation, reference="C-0001", data=RECEIPT, language="nl"
    )
    assert first["media_type"] == "application/pdf"
    again = service.render_document(
        kind="receipt", organisation_id=organisation, reference="C-0001", data=RECEIPT, language="nl"
    )
    assert again == first
    fetched = as_member.get_document(document_id=first["document_id"])
    content = base64.b64decode(fetched["content_b64"])
    assert hashlib.sha256(content).hexdigest() == first["sha256"] == fetched["sha256"]
    assert content.startswith(b"%PDF")
    assert first["sha256"].encode() not in content  # the hash is never inside the document itself
    listed = as_member.list_documents(organisation_id=organisation, kind="receipt")
    assert [d["document_id"] for d in listed] == [first["document_id"]]


def test_same_key_with_other_data_is_a_conflict(office, rpc_proxy):
    organisation, _, _ = office
    service = rpc_proxy("reporting")
    service.render_document(kind="receipt", organisation_id=organisation, reference="C-2", data=RECEIPT, language="fr")
    error = remote_code(
        lambda: service.render_document(
            kind="receipt",
            organisation_id=organisation,
            reference="C-2",
            data=dict(RECEIPT, vat_cents=400, amount_incl_vat_cents=2300),
            language="fr",
        )
    )
    assert "other content" in error.value


def test_outsiders_get_not_found_and_platform_documents_are_for_admins(office, rpc_proxy, amqp_uri):
    organisation, _, _ = office
    service = rpc_proxy("reporting")
    doc = service.render_document(
        kind="receipt", organisation_id=organisation, reference="C-3", data=RECEIPT, language="en"
    )
    outsider = rpc_proxy("reporting", principal(str(uuid.uuid4()), str(uuid.uuid4())))
    assert "no such document" in remote_code(lambda: outsider.get_document(document_id=doc["document_id"])).value
    assert "no such document" in remote_code(lambda: outsider.get_document(document_id="not-a-uuid")).value
    platform_doc = service.render_document(
        kind="receipt", organisation_id=None, reference="P-1", data=RECEIPT, language="en"
    )
    member = office[2]
    assert "no such" in remote_code(lambda: member.get_document(document_id=platform_doc["document_id"])).value
    admin = rpc_proxy("reporting", principal(str(uuid.uuid4()), None, platform_admin=True))
    assert admin.get_document(document_id=platform_doc["document_id"])["sha256"] == platform_doc["sha256"]


def test_a_principal_outside_the_organisation_cannot_render_for_it(office, rpc_proxy):
    organisation, _, _ = office
    outsider = rpc_proxy("reporting", principal(str(uuid.uuid4()), str(uuid.uuid4())))
    error = remote_code(
        lambda: outsider.render_document(
            kind="receipt", organisation_id=organisation, reference="C-4", data=RECEIPT, language="nl"
        )
    )
    assert "may not" in error.value


def test_unknown_kind_and_missing_fields_are_named(office, rpc_proxy):
    organisation, _, _ = office
    service = rpc_proxy("reporting")
    assert (
        "no renderer"
        in remote_code(
            lambda: service.render_document(kind="payslip", organisation_id=organisation, reference="X", data={})
        ).value
    )
    assert (
        "no renderer"
        in remote_code(
            lambda: service.render_document(kind="../etc", organisation_id=organisation, reference="X", data={})
        ).value
    )
    incomplete = {k: v for k, v in RECEIPT.items() if k != "description"}
    error = remote_code(
        lambda: service.render_document(kind="receipt", organisation_id=organisation, reference="X", data=incomplete)
    )
    assert error.value == "data.description: is required"
    assert (
        "language"
        in remote_code(
            lambda: service.render_document(
                kind="receipt", organisation_id=organisation, reference="X", data=RECEIPT, language="de"
            )
        ).value
    )


def test_the_archive_refuses_update_delete_and_truncate_in_the_database(office, rpc_proxy, reporting):
    organisation, _, _ = office
    rpc_proxy("reporting").render_document(
        kind="receipt", organisation_id=organisation, reference="C-5", data=RECEIPT, language="nl"
    )
    engine = create_engine(reporting)
    for statement in (
        "UPDATE documents SET filename = 'x.pdf'",
        "DELETE FROM documents",
        "UPDATE document_blobs SET content = 'x'",
        "DELETE FROM document_blobs",
        "TRUNCATE documents CASCADE",
    ):
        with engine.connect() as conn, pytest.raises(Exception, match="immutable"):
            conn.execute(text(statement))
    with engine.connect() as conn:
        events = conn.execute(text("SELECT count(*) FROM outbox WHERE event_type = 'document_generated'")).scalar_one()
    engine.dispose()
    assert events >= 1


def test_concurrent_renders_of_one_key_archive_one_document(office, amqp_uri):
    import eventlet
    from nameko.standalone.rpc import ClusterRpcProxy

    organisation, _, _ = office

    def render(_):
        # one proxy per green thread: a standalone proxy is not safe to share between them
        with ClusterRpcProxy({"AMQP_URI": amqp_uri}, timeout=20) as cluster:
            return cluster.reporting.render_document(
                kind="receipt", organisation_id=organisation, reference="C-6", data=RECEIPT, language="nl"
            )

    results = list(eventlet.GreenPool(6).imap(render, range(6)))
    assert len({r["document_id"] for r in results}) == 1
    assert len({r["sha256"] for r in results}) == 1

"""The retention purge of archived documents, against the real broker and database: aml-workflow's
`documents_expired` event purges the named documents of its organisation once, keeps content another
document still needs, answers `gone` afterwards, and the database refuses every other change."""

from __future__ import annotations

import base64
import hashlib
import uuid

import kombu
import pytest
from nameko.exceptions import RemoteError, registry
from reporting_helpers import RECEIPT, new_office_member, principal, wait_until
from sqlalchemy import create_engine, text
from test_acceptance_document import DATA

from aww_contracts.envelope import make_envelope
from aww_contracts.errors import DOMAIN_ERROR_PATH


class RemoteDomainError(RemoteError):
    """A DomainError as the standalone proxy receives it, with its code and details."""

    def __init__(self, code, message, details=None):
        super().__init__("DomainError", message)
        self.code, self.details = code, details or {}


@pytest.fixture(scope="module", autouse=True)
def domain_errors_with_codes():
    before = registry.get(DOMAIN_ERROR_PATH)
    registry[DOMAIN_ERROR_PATH] = RemoteDomainError
    yield
    if before is None:
        registry.pop(DOMAIN_ERROR_PATH, None)
    else:
        registry[DOMAIN_ERROR_PATH] = before


@pytest.fixture
def sql(reporting):
    engine = create_engine(reporting)
    yield engine
    engine.dispose()


def _office(amqp_uri, rpc_proxy):
    organisation, _member, as_member = new_office_member(amqp_uri, rpc_proxy)
    return organisation, as_member


@pytest.fixture
def office(reporting, amqp_uri, rpc_proxy):
    return _office(amqp_uri, rpc_proxy)


def render(rpc_proxy, organisation, reference, *, kind="acceptance_document", data=None) -> dict:
    return rpc_proxy("reporting").render_document(
        kind=kind, organisation_id=organisation, reference=reference, data=data or DATA, language="nl"
    )


def expire(amqp_uri, organisation, document_ids, *, event_id=None, record_kind="contact") -> dict:
    envelope = make_envelope(
        "aml_workflow",
        "documents_expired",
        {
            "organisation_id": organisation,
            "record_kind": record_kind,
            "record_id": str(uuid.uuid4()),
            "document_ids": list(document_ids),
            "retention_date": "2025-06-30",
        },
    )
    if event_id:
        envelope["event_id"] = event_id
    with kombu.Connection(amqp_uri) as connection:
        connection.Producer(serializer="json").publish(
            envelope, exchange="aml_workflow.events", routing_key="documents_expired"
        )
    return envelope


def handled(sql, event_id: str) -> bool:
    with sql.connect() as connection:
        return bool(
            connection.execute(
                text("SELECT count(*) FROM processed_events WHERE event_id = :e AND consumer LIKE :c"),
                {"e": event_id, "c": "%on_documents_expired"},
            ).scalar_one()
        )


def purged_row(sql, document_id: str):
    with sql.connect() as connection:
        return connection.execute(
            text("SELECT document_id, record_kind, purged_at FROM document_purges WHERE document_id = :d"),
            {"d": document_id},
        ).first()


def blob(sql, sha256: str):
    with sql.connect() as connection:
        return connection.execute(
            text("SELECT content IS NOT NULL AS has_content, purged_at FROM document_blobs WHERE sha256 = :s"),
            {"s": sha256},
        ).one()


def refused(call) -> RemoteDomainError:
    with pytest.raises(RemoteDomainError) as raised:
        call()
    return raised.value


def test_the_event_purges_the_content_and_the_document_answers_gone(office, rpc_proxy, amqp_uri, sql):
    organisation, member = office
    reference = f"acceptance/{uuid.uuid4()}/v1/nl"
    document = render(rpc_proxy, organisation, reference, data=dict(DATA, reference="gone"))
    assert blob(sql, document["sha256"]).has_content
    envelope = expire(amqp_uri, organisation, [document["document_id"]])
    wait_until(lambda: handled(sql, envelope["event_id"]), what="the purge")

    assert not blob(sql, document["sha256"]).has_content
    info = member.get_document_info(document_id=document["document_id"])
    day = info["purged_at"][:10]
    error = refused(lambda: member.get_document(document_id=document["document_id"]))
    assert error.code == "gone" and f"purged on {day}" in error.value and "retention period" in error.value
    assert error.details == {"document_id": document["document_id"], "purged_at": info["purged_at"],
                             "reason": "retention_purge"}  # fmt: skip
    assert info["sha256"] == document["sha256"] and info["kind"] == "acceptance_document"
    # nothing a caller typed is left: the reference and the filename (it held the person's name) are neutral
    assert (info["reference"], info["filename"]) == (
        f"purged/{document['document_id']}",
        f"purged-{document['document_id']}.pdf",
    )
    assert document["filename"].startswith("acceptance-Rukundo")
    assert "Rukundo" not in str(member.list_documents(organisation_id=organisation))
    with sql.connect() as connection:
        fingerprint = connection.execute(
            text("SELECT data_sha256 FROM documents WHERE document_id = :d"), {"d": document["document_id"]}
        ).scalar_one()
    assert fingerprint == "purged"
    # the same key is refused the same way: the content does not come back under the purged id
    again = refused(lambda: render(rpc_proxy, organisation, reference, data=dict(DATA, reference="gone")))
    assert again.code == "gone" and again.details["purged_at"] == info["purged_at"]
    assert not blob(sql, document["sha256"]).has_content
    summary = member.purged_documents(organisation_id=organisation)
    assert summary == {"organisation_id": organisation, "purged": 1, "by_kind": {"acceptance_document": 1},
                       "by_record_kind": {"contact": 1}, "last_purged_at": info["purged_at"]}  # fmt: skip
    outsider = rpc_proxy("reporting", principal(str(uuid.uuid4()), str(uuid.uuid4())))
    assert "not a confirmed member" in refused(lambda: outsider.purged_documents(organisation_id=organisation)).value


def test_content_another_document_still_names_is_kept_and_goes_with_the_last(office, rpc_proxy, amqp_uri, sql):
    organisation, member = office
    shared = dict(DATA, reference="shared")  # the same data render the same bytes: one blob, two documents
    first = render(rpc_proxy, organisation, f"acceptance/{uuid.uuid4()}/v1/nl", data=shared)
    second = render(rpc_proxy, organisation, f"acceptance/{uuid.uuid4()}/v1/nl", data=shared)
    assert first["sha256"] == second["sha256"] and first["document_id"] != second["document_id"]

    envelope = expire(amqp_uri, organisation, [first["document_id"]])
    wait_until(lambda: handled(sql, envelope["event_id"]), what="the first purge")
    assert blob(sql, first["sha256"]).has_content
    kept = member.get_document(document_id=second["document_id"])
    assert hashlib.sha256(base64.b64decode(kept["content_b64"])).hexdigest() == second["sha256"]
    assert refused(lambda: member.get_document(document_id=first["document_id"])).code == "gone"

    envelope = expire(amqp_uri, organisation, [second["document_id"]], record_kind="transaction")
    wait_until(lambda: handled(sql, envelope["event_id"]), what="the second purge")
    assert not blob(sql, first["sha256"]).has_content and blob(sql, first["sha256"]).purged_at

    # a new document with the very same bytes brings the content back (the trigger checks its sha256)
    third = render(rpc_proxy, organisation, f"acceptance/{uuid.uuid4()}/v1/nl", data=shared)
    assert third["sha256"] == first["sha256"] and blob(sql, first["sha256"]).has_content
    assert member.get_document(document_id=third["document_id"])["sha256"] == first["sha256"]
    assert refused(lambda: member.get_document(document_id=second["document_id"])).code == "gone"
    assert member.purged_documents(organisation_id=organisation)["by_record_kind"] == {"contact": 1, "transaction": 1}


def test_a_duplicate_event_changes_nothing_twice(office, rpc_proxy, amqp_uri, sql):
    organisation, _ = office
    document = render(rpc_proxy, organisation, f"acceptance/{uuid.uuid4()}/v1/nl", data=dict(DATA, reference="dup"))
    envelope = expire(amqp_uri, organisation, [document["document_id"]])
    wait_until(lambda: handled(sql, envelope["event_id"]), what="the purge")
    first = purged_row(sql, document["document_id"])
    expire(amqp_uri, organisation, [document["document_id"]], event_id=envelope["event_id"])  # redelivered
    later = expire(amqp_uri, organisation, [document["document_id"]])  # another record naming it again
    wait_until(lambda: handled(sql, later["event_id"]), what="the second event")
    with sql.connect() as connection:
        processed = connection.execute(
            text("SELECT count(*) FROM processed_events WHERE event_id = :e"), {"e": envelope["event_id"]}
        ).scalar_one()
        purges = connection.execute(
            text("SELECT count(*) FROM document_purges WHERE document_id = :d"), {"d": document["document_id"]}
        ).scalar_one()
    assert processed == 1 and purges == 1
    assert purged_row(sql, document["document_id"]) == first  # the first purge's date and record stay


def test_only_the_organisations_documents_of_aml_kinds_are_purged(office, rpc_proxy, amqp_uri, sql):
    organisation, member = office
    other_organisation, other_member = _office(amqp_uri, rpc_proxy)
    mine = render(rpc_proxy, organisation, f"acceptance/{uuid.uuid4()}/v1/nl", data=dict(DATA, reference="mine"))
    theirs = render(rpc_proxy, other_organisation, f"acceptance/{uuid.uuid4()}/v1/nl",
                    data=dict(DATA, reference="theirs"))  # fmt: skip
    receipt = render(rpc_proxy, organisation, "C-purge", kind="receipt", data=RECEIPT)
    unknown = str(uuid.uuid4())
    envelope = expire(amqp_uri, organisation, [mine["document_id"], theirs["document_id"], receipt["document_id"],
                                               unknown])  # fmt: skip
    wait_until(lambda: handled(sql, envelope["event_id"]), what="the purge")
    assert purged_row(sql, mine["document_id"]) is not None
    for spared in (theirs, receipt):
        assert purged_row(sql, spared["document_id"]) is None and blob(sql, spared["sha256"]).has_content
    assert other_member.get_document(document_id=theirs["document_id"])["sha256"] == theirs["sha256"]
    assert member.get_document(document_id=receipt["document_id"])["sha256"] == receipt["sha256"]
    with sql.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM documents WHERE document_id = :d"),
                                  {"d": unknown}).scalar_one() == 0  # fmt: skip
    assert other_member.purged_documents(organisation_id=other_organisation)["purged"] == 0


def test_the_database_refuses_every_change_outside_the_purge(office, rpc_proxy, amqp_uri, sql):
    organisation, _ = office
    kept = render(rpc_proxy, organisation, f"acceptance/{uuid.uuid4()}/v1/nl", data=dict(DATA, reference="kept"))
    gone = render(rpc_proxy, organisation, f"acceptance/{uuid.uuid4()}/v1/nl", data=dict(DATA, reference="went"))
    envelope = expire(amqp_uri, organisation, [gone["document_id"]])
    wait_until(lambda: handled(sql, envelope["event_id"]), what="the purge")
    refused_statements = (
        # the live document: no change, no delete, no neutralising without a purge record
        "DELETE FROM documents WHERE document_id = :kept",
        "UPDATE documents SET filename = 'x.pdf' WHERE document_id = :kept",
        "UPDATE documents SET reference = archive_purged_reference(document_id), data_sha256 = 'purged', "
        "filename = archive_purged_filename(document_id, filename) WHERE document_id = :kept",
        "DELETE FROM document_blobs WHERE sha256 = :kept_sha",
        "UPDATE document_blobs SET content = NULL, purged_at = now() WHERE sha256 = :kept_sha",
        "UPDATE document_blobs SET content = 'x' WHERE sha256 = :kept_sha",
        # the purged document: its neutral row, its emptied blob and its purge record stay as they are
        "UPDATE documents SET filename = 'Rukundo.pdf' WHERE document_id = :gone",
        "UPDATE documents SET kind = 'receipt' WHERE document_id = :gone",
        "DELETE FROM documents WHERE document_id = :gone",
        "DELETE FROM document_blobs WHERE sha256 = :gone_sha",
        "UPDATE document_blobs SET content = 'not the same bytes', purged_at = NULL WHERE sha256 = :gone_sha",
        "DELETE FROM document_purges WHERE document_id = :gone",
        "UPDATE document_purges SET purged_at = now() WHERE document_id = :gone",
        "TRUNCATE document_purges",
        "TRUNCATE documents CASCADE",
        "TRUNCATE document_blobs CASCADE",
    )
    params = {"kept": kept["document_id"], "kept_sha": kept["sha256"], "gone": gone["document_id"],
              "gone_sha": gone["sha256"]}  # fmt: skip
    for statement in refused_statements:
        with sql.connect() as connection, pytest.raises(Exception, match="immutable"):
            connection.execute(text(statement), params)
    assert blob(sql, kept["sha256"]).has_content and not blob(sql, gone["sha256"]).has_content
    with sql.connect() as connection:
        row = connection.execute(text("SELECT kind, filename FROM documents WHERE document_id = :gone"), params).one()
    assert row == ("acceptance_document", f"purged-{gone['document_id']}.pdf")

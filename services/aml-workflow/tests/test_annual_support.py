"""Shared set-up of the annual-report, retention and audit tests: offices with an employee and an
AML officer each (fed to the read models as organisation.access_changed events on the real
broker), fakes of organisation and identity (outside this service), and records seeded through
the case-handling use cases themselves."""

from __future__ import annotations

import time
import uuid

import kombu
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session
from test_cases_service_support import NO_RISK_ANSWERS, complete_person, import_un_list, wait_until

from aww_aml_workflow.cases import handling, samples
from aww_aml_workflow.screening import api
from aww_aml_workflow.service import AmlWorkflowService
from aww_contracts.envelope import make_envelope
from servicekit.entrypoints import rpc

__all__ = ["import_un_list"]

ENTERPRISE_NUMBER = "0403019261"


class Office:
    """An office of its own (fresh ids): counts in it are exact even in a shared database."""

    def __init__(self):
        self.id = str(uuid.uuid4())
        self.user = str(uuid.uuid4())
        self.officer = str(uuid.uuid4())
        self.no_role = str(uuid.uuid4())

    def members(self):
        return [(self.user, "user", "An Employee"), (self.officer, "aml_officer", "Olga Officer"),
                (self.no_role, "none", "No Role")]  # fmt: skip

    def principal(self, who: str = "officer", language: str = "en") -> dict:
        return {
            "principal": {
                "account_id": getattr(self, who),
                "session_id": None,
                "organisation_id": self.id,
                "platform_admin": False,
            },
            "language": language,
        }

    def actor(self, who: str = "user") -> handling.Actor:
        role = {"user": "user", "officer": "aml_officer"}[who]
        return handling.Actor(uuid.UUID(self.id), uuid.UUID(getattr(self, who)), role, "en")


def publish_offices(amqp_uri: str, offices: list[Office], *database_urls: str) -> None:
    version = time.time_ns() // 1000
    with kombu.Connection(amqp_uri) as connection:
        producer = connection.Producer(serializer="json")
        for office in offices:
            for account, role, name in office.members():
                data = {"organisation_id": office.id, "account_id": account, "membership_status": "confirmed",
                        "admin": False, "tools": {"aml": role}, "display_name": name, "version": version}  # fmt: skip
                producer.publish(make_envelope("organisation", "access_changed", data),
                                 exchange="organisation.events", routing_key="access_changed")  # fmt: skip
    ids = [account for office in offices for account, _, _ in office.members()]
    for url in database_urls:
        engine = create_engine(url)

        def there(engine=engine):
            with engine.connect() as connection:
                return connection.execute(
                    text("SELECT count(*) FROM organisation_access WHERE account_id = ANY(:ids) AND version >= :v"),
                    {"ids": ids, "v": version},
                ).scalar_one() == len(ids)

        try:
            wait_until(there, what="the access read model")
        finally:
            engine.dispose()


def publish_event(amqp_uri: str, producer_name: str, event_type: str, data: dict, event_id: str | None = None) -> dict:
    envelope = make_envelope(producer_name, event_type, data)
    if event_id:
        envelope["event_id"] = event_id
    with kombu.Connection(amqp_uri) as connection:
        connection.Producer(serializer="json").publish(
            envelope, exchange=f"{producer_name}.events", routing_key=event_type
        )
    return envelope


class FakeOrganisation:
    name = "organisation"

    @rpc
    def get_organisation(self, organisation_id):
        return {"organisation_id": organisation_id, "name": "Immo Jaarverslag", "enterprise_number": ENTERPRISE_NUMBER}


class FakeIdentity:
    name = "identity"

    @rpc
    def get_accounts(self, account_ids):
        return [
            {"account_id": a, "first_name": "Olga", "last_name": "Officer", "email": f"o-{a[:8]}@office.example",
             "language": "en", "status": "active", "accreditations": [{"kind": "biv", "number": "512345"}]}
            for a in account_ids
        ]  # fmt: skip


def session_for(url: str) -> Session:
    session = Session(create_engine(url))
    session.info["service"] = "aml_workflow"
    session.info["publishes"] = frozenset(AmlWorkflowService.publishes)
    return session


def _clear_hits(session, actor, run: dict) -> None:
    for hit in run["hits"]:
        api.decide_hit(session, organisation_id=actor.organisation_id, hit_id=hit["hit_id"],
                       decision="false_positive", reason="Other birth date", decided_by=actor.account_id)  # fmt: skip


def person(session, actor, last_name: str, *, decide: str | None = "accept", proofs=("identity_document",),
           **changes) -> str:  # fmt: skip
    """A person contact: created, proofs uploaded, screened with every hit cleared, then decided."""
    data = complete_person(last_name=last_name, **changes)
    contact_id = handling.create_contact(session, actor, kind="person", data=data, answers=NO_RISK_ANSWERS)[
        "contact_id"
    ]
    for proof in proofs:
        handling.upload_document(session, actor, contact_id, proof_kind=proof, filename=f"{proof}.pdf",
                                 content=samples.pdf(f"{proof} {last_name}"), max_bytes=10 * 1024 * 1024)  # fmt: skip
    if decide is None:
        return contact_id
    _clear_hits(session, actor, handling.screen_contact(session, actor, contact_id))
    if decide == "accept":
        handling.decide_contact(session, actor, contact_id, decision="accept")
    else:
        handling.decide_contact(session, actor, contact_id, decision="refuse", reason="No ID card shown")
    return contact_id


def pep_person(session, actor, last_name: str) -> str:
    return person(session, actor, last_name, proofs=("identity_document", "source_of_funds"),
                  pep={"self": True, "function": "member_of_parliament"})  # fmt: skip


def move_decision(session, contact_id: str, when: str) -> None:
    """Age a record: its decision (and creation) happened at `when` (ISO date-time)."""
    session.execute(text("UPDATE aml_contact_versions SET decided_at = :w, created_at = :w WHERE contact_id = :c"),
                    {"w": when, "c": contact_id})  # fmt: skip
    session.execute(text("UPDATE aml_contacts SET created_at = :w WHERE id = :c"), {"w": when, "c": contact_id})
    session.execute(text("UPDATE screening_decisions SET decided_at = :w WHERE contact_id = :c"),
                    {"w": when, "c": contact_id})  # fmt: skip
    session.execute(text("UPDATE screening_runs SET screened_at = :w WHERE contact_id = :c"),
                    {"w": when, "c": contact_id})  # fmt: skip

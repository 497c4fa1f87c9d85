"""Shared set-up of the case-handling service tests: two offices, their members and roles (fed to
the access read model as organisation.access_changed events on the real broker), calls with a
principal, and the UN list imported once."""

from __future__ import annotations

import base64
import time
import uuid
from pathlib import Path

import kombu
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from aww_contracts.envelope import make_envelope

# the goAML schema reporting validates against (tests run from the package or the repository root)
XSD = Path(__file__).resolve().parents[3].parent / "shared" / "specs" / "goaml" / "goAMLSchema.xsd"
UN_LIST = Path(__file__).resolve().parents[3].parent / "shared" / "specs" / "sanctions" / "UN_consolidated.xml"

OFFICE_A, OFFICE_B = str(uuid.uuid4()), str(uuid.uuid4())
PEOPLE = {
    "a_user": (OFFICE_A, "user"),
    "a_officer": (OFFICE_A, "aml_officer"),
    "a_no_role": (OFFICE_A, "none"),
    "b_user": (OFFICE_B, "user"),
}
ACCOUNTS = {name: str(uuid.uuid4()) for name in PEOPLE}


def wait_until(predicate, timeout=15.0, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def publish_access(amqp_uri: str, *database_urls: str) -> None:
    version = int(time.time() * 1000)
    with kombu.Connection(amqp_uri) as connection:
        producer = connection.Producer(serializer="json")
        for name, (office, role) in PEOPLE.items():
            data = {
                "organisation_id": office,
                "account_id": ACCOUNTS[name],
                "membership_status": "confirmed",
                "admin": False,
                "tools": {"aml": role},
                "display_name": name.replace("_", " ").title(),
                "version": version,
            }
            producer.publish(
                make_envelope("organisation", "access_changed", data),
                exchange="organisation.events",
                routing_key="access_changed",
            )
    for database_url in database_urls:
        engine = create_engine(database_url)

        def all_there(engine=engine):
            with engine.connect() as connection:
                count = connection.execute(
                    text("SELECT count(*) FROM organisation_access WHERE account_id = ANY(:ids)"),
                    {"ids": list(ACCOUNTS.values())},
                ).scalar_one()
            return count == len(PEOPLE)

        try:
            wait_until(all_there, what="the access read model")
        finally:
            engine.dispose()


def principal(name: str, language: str = "en") -> dict:
    office = PEOPLE[name][0] if name in PEOPLE else OFFICE_A
    account = ACCOUNTS.get(name, str(uuid.uuid4()))
    return {
        "principal": {"account_id": account, "session_id": None, "organisation_id": office, "platform_admin": False},
        "language": language,
    }


def b64(content: bytes) -> str:
    return base64.b64encode(content).decode()


def import_un_list(database_url: str) -> None:
    from aww_aml_workflow.screening import api

    engine = create_engine(database_url)
    with Session(engine) as session:
        api.import_list(session, source="un", content=UN_LIST.read_bytes(), filename=UN_LIST.name, imported_by=None)
        session.commit()
    engine.dispose()


def complete_person(**changes) -> dict:
    person = {
        "role": "client",
        "first_names": "Michel",
        "last_name": "Rukundo",
        "birth_date": "1974-09-12",
        "birth_place": "Brussels",
        "birth_country": "BE",
        "nationalities": ["BE"],
        "address": {"street": "Rue Haute", "number": "12", "postcode": "1000", "city": "Brussels", "country": "BE"},
        "person_number": "74091233747",
        "id_document": {"type": "id_card", "number": "592-0000001-23", "expiry": "2031-05-01"},
        "profession": "Engineer",
        "pep": {"self": False},
    }
    person.update(changes)
    return person


NO_RISK_ANSWERS = {
    "face_to_face": True,
    "cash_intensive": False,
    "sector": [],
    "unusual_circumstances": False,
    "office_high_risk": False,
}

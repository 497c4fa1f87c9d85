"""Steps the AML end-to-end and browser tests share: an office with the AML tool registered
(allow-listed by the operator), an employee and an AML officer with their roles and the office
as active organisation, and the operator's import of the UN list."""

from __future__ import annotations

import httpx
from organisation_flows import (
    account,
    create_organisation,
    enterprise_number,
    give_tool_role,
    platform_admin,
    wait_for,
)

from aww_aml_workflow.cases import samples

UN_LIST_NAME = "UN_consolidated.xml"


def _member(http, stack, organisation_id: str, admin: dict, role: str, prefix: str) -> dict:
    person = account(http, stack, biv=True, prefix=prefix)
    joined = http.post(
        f"/api/v1/organisations/{organisation_id}/membership-requests",
        headers=person["headers"],
        json={"contact_email": person["email"]},
    )
    assert joined.status_code == 201, joined.text
    decided = http.put(
        f"/api/v1/organisations/{organisation_id}/members/{person['account_id']}/decision",
        headers=admin["headers"],
        json={"approve": True},
    )
    assert decided.status_code == 200, decided.text
    give_tool_role(http, organisation_id, admin, person["account_id"], role)
    active = http.put(
        "/api/v1/me/active-organisation", headers=person["headers"], json={"organisation_id": organisation_id}
    )
    assert active.status_code == 200, active.text
    return person


def aml_office(http: httpx.Client, stack, seed: int, name: str = "Immo AML") -> dict:
    """{organisation_id, admin, employee, officer}: every member ready to use the AML tool."""
    admin = account(http, stack, biv=True, prefix="amladmin")
    number = enterprise_number(seed)
    organisation_id = create_organisation(http, admin, number, name)["organisation_id"]
    operator = platform_admin(http, stack)
    listed = http.post(
        "/api/v1/platform/allow-lists/aml", headers=operator["headers"], json={"enterprise_number": number}
    )
    assert listed.status_code == 201, listed.text
    registered = http.post(
        f"/api/v1/organisations/{organisation_id}/tools", headers=admin["headers"], json={"tool": "aml"}
    )
    assert registered.status_code == 201, registered.text
    officer = _member(http, stack, organisation_id, admin, "aml_officer", "amlofficer")
    employee = _member(http, stack, organisation_id, admin, "user", "amlemployee")
    # the AML service learns roles from organisation.access_changed events
    wait_for(
        lambda: http.get("/api/v1/aml/contacts", headers=employee["headers"]).status_code == 200, what="AML access"
    )
    wait_for(lambda: http.get("/api/v1/aml/contacts", headers=officer["headers"]).status_code == 200, what="AML access")
    return {"organisation_id": organisation_id, "admin": admin, "employee": employee, "officer": officer}


def import_un_list(stack) -> None:
    """The operator imports the UN consolidated list (the real export in shared/specs)."""
    from pathlib import Path

    from sqlalchemy import create_engine
    from sqlalchemy.orm import Session

    from aww_aml_workflow.screening import api

    path = Path(__file__).resolve().parents[3] / "shared" / "specs" / "sanctions" / UN_LIST_NAME
    engine = create_engine(f"postgresql+psycopg://postgres@127.0.0.1:5432/{stack.db_prefix}aml_workflow")
    with Session(engine) as session:
        api.import_list(session, source="un", content=path.read_bytes(), filename=path.name, imported_by=None)
        session.commit()
    engine.dispose()


def person_data(last_name: str = "Peeters", **changes) -> dict:
    data = {
        "role": "client",
        "first_names": "Anne",
        "last_name": last_name,
        "birth_date": "1979-04-12",
        "birth_place": "Antwerpen",
        "nationalities": ["BE"],
        "address": {"street": "Meir", "number": "10", "postcode": "2000", "city": "Antwerpen", "country": "BE"},
        "person_number": "79041210162",
        "id_document": {"type": "id_card", "number": "592-0000101-04", "expiry": "2032-06-30"},
        "profession": "Teacher",
        "pep": {"self": False},
    }
    data.update(changes)
    return data


NO_RISK = {
    "face_to_face": True,
    "cash_intensive": False,
    "sector": [],
    "unusual_circumstances": False,
    "office_high_risk": False,
}


def upload(http, who, contact_id, proof="identity_document", name="id.pdf", content=None):
    return http.post(
        f"/api/v1/aml/contacts/{contact_id}/documents",
        headers=who["headers"],
        files={"file": (name, content if content is not None else samples.pdf("ID card"))},
        data={"proof_kind": proof},
    )

"""Demo organisations, through the real API: the demo office (admin, employee, AML officer, the AML
tool registered after the platform administrator allow-listed it, two branches) and a second office.

Needs the identity seeder's demo.shared["accounts"] (admin, employee, officer, platform_admin: each
with username, password, account_id, token). Leaves demo.shared["organisations"] =
{"demo": {organisation_id, name, enterprise_number}, "second": {...}} and makes the demo office the
active organisation of every demo session. Safe to run again on the same databases.
"""

from __future__ import annotations

from belgian_ids import make_enterprise_number

ORDER = 20

ADDRESS = {"street": "Meir 24", "postcode": "2000", "city": "Antwerpen", "country": "BE"}
SECOND_ADDRESS = {"street": "Veldstraat 10", "postcode": "9000", "city": "Gent", "country": "BE"}


def with_check_digits(first_eight: str) -> str:
    return make_enterprise_number(int(first_eight))


# fictional enterprise numbers with valid check digits (DOMAIN.md §3)
DEMO_NUMBER = with_check_digits("07990001")
SECOND_NUMBER = with_check_digits("07990002")


class DemoError(RuntimeError):
    pass


def _call(demo, method: str, path: str, who: dict | None, expect=(200, 201, 204), **kwargs):
    headers = {"Authorization": f"Bearer {who['token']}"} if who else {}
    response = demo.http.request(method, path, headers=headers, **kwargs)
    if response.status_code not in expect:
        raise DemoError(f"{method} {path}: {response.status_code} {response.text[:300]}")
    return response.json() if response.content else None


def _office(demo, admin: dict, number: str, name: str, address: dict) -> dict:
    for mine in _call(demo, "GET", "/api/v1/me/organisations", admin):
        if mine["enterprise_number"] == number:
            return mine
    return _call(
        demo,
        "POST",
        "/api/v1/organisations",
        admin,
        json={
            "enterprise_number": number,
            "name": name,
            "address": address,
            "vat_liable": True,
            "contact_email": f"{admin['username']}@example.be",
            "job_title": "Zaakvoerder",
            "email": "info@example.be",
            "phone": "+32 3 123 45 67",
        },
    )


def _member(demo, admin: dict, person: dict, organisation_id: str, job_title: str) -> None:
    members = {
        m["account_id"]: m for m in _call(demo, "GET", f"/api/v1/organisations/{organisation_id}/members", admin)
    }
    if person["account_id"] not in members:
        _call(
            demo,
            "POST",
            f"/api/v1/organisations/{organisation_id}/membership-requests",
            person,
            json={"contact_email": f"{person['username']}@example.be", "job_title": job_title},
        )
        members[person["account_id"]] = {"status": "pending"}
    if members[person["account_id"]]["status"] == "pending":
        _call(
            demo,
            "PUT",
            f"/api/v1/organisations/{organisation_id}/members/{person['account_id']}/decision",
            admin,
            json={"approve": True},
        )


def seed(demo) -> list[str]:
    accounts = demo.shared.get("accounts") or {}
    missing = [key for key in ("admin", "employee", "officer", "platform_admin") if key not in accounts]
    if missing:
        return [f"organisation: no demo organisations (demo accounts missing: {', '.join(missing)})"]
    admin, employee, officer, operator = (accounts[k] for k in ("admin", "employee", "officer", "platform_admin"))
    lines: list[str] = []

    office = _office(demo, admin, DEMO_NUMBER, "Immo Demo", ADDRESS)
    second = _office(demo, admin, SECOND_NUMBER, "Immo Tweede", SECOND_ADDRESS)
    office_id, second_id = office["organisation_id"], second["organisation_id"]
    for person, title in ((employee, "Vastgoedmakelaar"), (officer, "Kantoorverantwoordelijke")):
        _member(demo, admin, person, office_id, title)
    _member(demo, admin, employee, second_id, "Vastgoedmakelaar")

    branches = {b["name"] for b in _call(demo, "GET", f"/api/v1/organisations/{office_id}/branches", admin)}
    for name, address in (("Antwerpen", ADDRESS), ("Gent", SECOND_ADDRESS)):
        if name not in branches:
            _call(
                demo,
                "POST",
                f"/api/v1/organisations/{office_id}/branches",
                admin,
                json={"name": name, "address": address},
            )

    listed = {e["enterprise_number"] for e in _call(demo, "GET", "/api/v1/platform/allow-lists/aml", operator)}
    if DEMO_NUMBER not in listed:
        _call(
            demo,
            "POST",
            "/api/v1/platform/allow-lists/aml",
            operator,
            json={"enterprise_number": DEMO_NUMBER, "note": "demo"},
        )
    tools = {t["code"]: t for t in _call(demo, "GET", f"/api/v1/organisations/{office_id}/tools", admin)}
    try:
        if not tools["aml"]["registered"]:
            _call(demo, "POST", f"/api/v1/organisations/{office_id}/tools", admin, json={"tool": "aml"})
        for person, role in ((officer, "aml_officer"), (employee, "user"), (admin, "user")):
            _call(
                demo,
                "PUT",
                f"/api/v1/organisations/{office_id}/tools/aml/members/{person['account_id']}",
                admin,
                json={"role": role},
            )
    except DemoError as exc:  # accreditations come from identity's demo data: say what is missing
        lines.append(f"organisation: AML tool roles incomplete: {exc}")

    for person in (admin, employee, officer):
        _call(demo, "PUT", "/api/v1/me/active-organisation", person, json={"organisation_id": office_id})
        _call(demo, "PUT", "/api/v1/me/default-organisation", person, json={"organisation_id": office_id})

    demo.shared["organisations"] = {
        "demo": {"organisation_id": office_id, "name": "Immo Demo", "enterprise_number": DEMO_NUMBER},
        "second": {"organisation_id": second_id, "name": "Immo Tweede", "enterprise_number": SECOND_NUMBER},
    }
    lines.insert(
        0,
        f"organisations: Immo Demo ({DEMO_NUMBER}: {admin['username']} admin, {employee['username']} employee, "
        f"{officer['username']} AML officer, AML tool registered) and Immo Tweede ({SECOND_NUMBER})",
    )
    return lines

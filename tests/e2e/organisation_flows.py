"""Steps the organisation end-to-end and browser tests share: accounts with accreditations (a test
eID card linked through the ingress header, the accreditation register fake filled first) and
polling for what arrives by event."""

from __future__ import annotations

import time

import httpx
from identity_flows import PASSWORD, ingress_headers, log_in, pki_of, register_and_activate, unique

from aww_devtools.fakes.accreditations import PLATFORM_ADMIN_USERNAME

ADDRESS = {"street": "Meir 1", "postcode": "2000", "city": "Antwerpen", "country": "BE"}


def enterprise_number(seed: int) -> str:
    body = f"0{(30_000_000 + seed * 7919 + time.time_ns() // 1000 % 1_000_000) % 90_000_000:07d}"[:8]
    return body + f"{97 - int(body) % 97:02d}"


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def wait_for(predicate, timeout=15.0, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def account(http: httpx.Client, stack, *, biv: bool = False, sf323: bool = False, eid: bool = False, prefix="member"):
    """A logged-in account; with biv/sf323 it also links a test eID (accreditations need one)."""
    created = register_and_activate(http, stack.var_dir, unique(prefix))
    token = log_in(http, created["username"])
    if biv or sf323 or eid:
        card = pki_of(stack.var_dir).issue("Test", "Person", save=False)
        items = []
        if biv:
            items.append({"kind": "biv", "number": "504321", "valid_until": None})
        if sf323:
            items.append({"kind": "sf323", "number": "SF323-1", "valid_until": None})
        register = f"http://127.0.0.1:{stack.fake_ports['accreditations']}"
        httpx.put(f"{register}/persons/{card.national_number}/accreditations", json={"accreditations": items})
        linked = http.post(
            "/api/v1/account/eid", headers={**bearer(token), **ingress_headers(stack.var_dir, card.header_value())}
        )
        assert linked.status_code == 200, linked.text
    return {**created, "token": token, "headers": bearer(token)}


def give_tool_role(http, organisation_id: str, admin: dict, account_id: str, role: str, tool: str = "aml"):
    """The admin gives a member a role in a tool. Organisation learns a person's accreditations
    from identity's events, so right after the eID link the role may still be refused as
    `accreditation_missing`: ask again until organisation knows them (a person would retry too)."""

    def given():
        response = http.put(
            f"/api/v1/organisations/{organisation_id}/tools/{tool}/members/{account_id}",
            headers=admin["headers"],
            json={"role": role},
        )
        if response.status_code == 409 and response.json()["code"] == "accreditation_missing":
            return None
        assert response.status_code == 200, response.text
        return response

    return wait_for(given, what=f"the {role} role given (organisation knowing the accreditations)")


def create_organisation(http, person, number, name="Immo E2E"):
    response = http.post(
        "/api/v1/organisations",
        headers=person["headers"],
        json={
            "enterprise_number": number,
            "name": name,
            "address": ADDRESS,
            "vat_liable": True,
            "contact_email": person["email"],
        },
    )
    assert response.status_code == 201, response.text
    return response.json()


def platform_admin(http: httpx.Client, stack) -> dict:
    """The stack's platform administrator (identity bootstraps the username given to it)."""
    response = http.post("/api/v1/sessions", json={"username": PLATFORM_ADMIN_USERNAME, "password": PASSWORD})
    if response.status_code != 201:
        register_and_activate(http, stack.var_dir, PLATFORM_ADMIN_USERNAME)
        response = http.post("/api/v1/sessions", json={"username": PLATFORM_ADMIN_USERNAME, "password": PASSWORD})
    assert response.status_code == 201, response.text
    return {"token": response.json()["token"], "headers": bearer(response.json()["token"])}

"""`make run`'s demo data (aww_devtools.demo), seeded through the API of a stack of its own as
`make run` does on every start: the printed logins work, and seeding again over the same
databases (the second `make run`) succeeds and adds nothing."""

import re

import httpx
import pytest

from aww_devtools.demo import seed_all
from aww_devtools.stack import temporary_stack

LOGIN = re.compile(r"^\s+(?P<label>.+?)\s{2,}(?P<username>\S+)\s+/ (?P<password>demo-\S+)\s")


@pytest.fixture(scope="module")
def demo_stack(tmp_path_factory):
    with temporary_stack(tmp_path_factory.mktemp("demo"), RPC_TIMEOUT_SECONDS="10") as started:
        yield started


def logged_in(http: httpx.Client, username: str, password: str) -> dict:
    response = http.post("/api/v1/sessions", json={"username": username, "password": password})
    assert response.status_code == 201, f"{username}: {response.text}"
    return {"Authorization": f"Bearer {response.json()['token']}"}


def working_in_the_demo_office(http: httpx.Client, headers: dict) -> dict:
    mine = http.get("/api/v1/me/organisations", headers=headers).json()
    office = next(o for o in mine if o["name"] == "Immo Demo")
    chosen = http.put(
        "/api/v1/me/active-organisation", headers=headers, json={"organisation_id": office["organisation_id"]}
    )
    assert chosen.status_code == 200, chosen.text
    return headers


def test_the_demo_logins_work_and_a_second_seeding_adds_nothing(demo_stack):
    first = seed_all(demo_stack.base_url, demo_stack.var_dir)
    logins = {m["username"]: m["password"] for m in map(LOGIN.match, first) if m}
    assert set(logins) == {"platform.admin", "office.admin", "office.employee", "aml.officer"}
    with httpx.Client(base_url=demo_stack.base_url, timeout=30) as http:
        employee = working_in_the_demo_office(http, logged_in(http, "office.employee", logins["office.employee"]))
        listed = http.get("/api/v1/aml/contacts", headers=employee)
        assert listed.status_code == 200, listed.text
        contacts = listed.json()["items"]
        transactions = http.get("/api/v1/aml/transactions", headers=employee).json()["items"]
        assert len(contacts) == 4 and len(transactions) == 2
        officer = working_in_the_demo_office(http, logged_in(http, "aml.officer", logins["aml.officer"]))
        inbox = http.get("/api/v1/aml/officer/inbox", headers=officer).json()
        assert [case["kind"] for case in inbox["awaiting_decision"]] == ["risk_profile"]  # the escalated profile

        again = seed_all(demo_stack.base_url, demo_stack.var_dir)
        assert {m["username"]: m["password"] for m in map(LOGIN.match, again) if m} == logins
        assert any("demo contacts already there" in line for line in again)
        assert len(http.get("/api/v1/aml/contacts", headers=employee).json()["items"]) == 4
        assert len(http.get("/api/v1/aml/transactions", headers=employee).json()["items"]) == 2
        for username, password in logins.items():
            logged_in(http, username, password)

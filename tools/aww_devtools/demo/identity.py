"""Demo accounts (development only): a platform administrator, an office admin, an employee and
a future AML officer, each activated, with a test eID card linked and accreditations in the fake
register. Idempotent: a later `make run` logs the same people in again.

Leaves demo.shared["accounts"][role] = {username, password, account_id, token} for the seeders
that run after this one (organisation …).
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from datetime import date

import httpx

from aww_devtools.fakes.accreditations import INGRESS_HEADER, PLATFORM_ADMIN_USERNAME, ingress_secret, register_url
from aww_devtools.fakes.mail import wait_for_mail
from aww_devtools.pki import TestPki, ensure, slug

ORDER = 10


@dataclass(frozen=True)
class DemoPerson:
    role: str
    username: str
    password: str
    first_name: str
    last_name: str
    gender: str
    birth: date
    language: str
    accreditations: tuple[dict, ...]
    label: str


PEOPLE = (
    DemoPerson(
        "platform_admin",
        PLATFORM_ADMIN_USERNAME,
        "demo-platform-2026",
        "Paula",
        "Vermeulen",
        "female",
        date(1979, 3, 14),
        "nl",
        ({"kind": "sf323", "number": "SF323-000117"},),
        "platform administrator",
    ),
    DemoPerson(
        "admin",
        "office.admin",
        "demo-admin-2026",
        "Jan",
        "Peeters",
        "male",
        date(1971, 9, 2),
        "nl",
        ({"kind": "biv", "number": "504117", "valid_until": "2030-12-31"}, {"kind": "cib", "number": "CIB-22871"}),
        "office admin (BIV agent)",
    ),
    DemoPerson(
        "employee",
        "office.employee",
        "demo-employee-2026",
        "Sofie",
        "Claes",
        "female",
        date(1994, 5, 21),
        "fr",
        ({"kind": "sf323", "number": "SF323-104552"},),
        "office employee",
    ),
    DemoPerson(
        "officer",
        "aml.officer",
        "demo-officer-2026",
        "Marc",
        "Dubois",
        "male",
        date(1983, 11, 8),
        "en",
        ({"kind": "biv", "number": "511290", "valid_until": "2029-06-30"},),
        "future AML officer (BIV agent)",
    ),
)


def _card(pki: TestPki, person: DemoPerson):
    name_slug = slug(f"{person.first_name} {person.last_name}")
    if (pki.cards / f"{name_slug}.json").exists():
        return pki.card(name_slug)
    rng = random.Random(f"aww-demo-{person.username}")  # the same fictitious national number every time
    return pki.issue(person.first_name, person.last_name, birth=person.birth, gender=person.gender, rng=rng)


def _register_register(accreditations_url: str | None, number: str, person: DemoPerson) -> None:
    if accreditations_url:
        httpx.put(
            f"{accreditations_url}/persons/{number}/accreditations",
            json={"accreditations": list(person.accreditations)},
            timeout=10,
        ).raise_for_status()


def _log_in(http: httpx.Client, person: DemoPerson) -> dict | None:
    response = http.post("/api/v1/sessions", json={"username": person.username, "password": person.password})
    return response.json() if response.status_code == 201 else None


def _create(http: httpx.Client, demo, person: DemoPerson) -> dict:
    email = f"{person.username}@demo.aww.example"
    response = http.post(
        "/api/v1/accounts",
        json={
            "username": person.username,
            "first_name": person.first_name,
            "last_name": person.last_name,
            "email": email,
            "password": person.password,
            "password_confirmation": person.password,
            "language": person.language,
        },
    )
    if response.status_code != 201:
        raise RuntimeError(f"demo account {person.username}: {response.status_code} {response.text[:300]}")
    mail = wait_for_mail(demo.var_dir / "mail", email, 1)[-1]
    code = re.search(r"\b([A-Z0-9]{4}-[A-Z0-9]{4})\b", mail.text).group(1)
    http.post("/api/v1/accounts/activation", json={"username": person.username, "code": code}).raise_for_status()
    session = _log_in(http, person)
    if session is None:
        raise RuntimeError(f"demo account {person.username} cannot log in")
    return session


def seed(demo) -> list[str]:
    pki = ensure(demo.var_dir / "pki")
    accreditations_url = register_url(demo.var_dir)
    secret = ingress_secret(demo.var_dir)
    accounts: dict = {}
    lines = ["", "Demo accounts (development data; password login, or eID with the test card):"]
    for person in PEOPLE:
        card = _card(pki, person)
        _register_register(accreditations_url, card.national_number, person)
        session = _log_in(demo.http, person) or _create(demo.http, demo, person)
        auth = {"authorization": f"Bearer {session['token']}"}
        profile = demo.http.get("/api/v1/account", headers=auth).json()
        if not profile["eid"]["linked"]:
            demo.http.post(
                "/api/v1/account/eid", headers={**auth, "ssl-client-cert": card.header_value(), INGRESS_HEADER: secret}
            ).raise_for_status()
        accounts[person.role] = {
            "username": person.username,
            "password": person.password,
            "account_id": session["account_id"],
            "token": session["token"],
        }
        lines.append(
            f"  {person.label:<32} {person.username:<16} / {person.password:<20} test card: {pki.cards / card.slug}.p12"
        )
    demo.shared["accounts"] = accounts
    escape = "python3 -c 'import sys,urllib.parse as u;print(u.quote(open(sys.argv[1]).read(),safe=\"\"))'"
    secret_file = demo.var_dir / "ingress-secret"
    lines += [
        f"  Test eID cards: {pki.cards}/ (.p12 password 'test'; trust store {pki.trust_store}).",
        "  Without a card reader, pick a test card on the login page (development only), or play the ingress:",
        f'    curl -X POST {demo.base_url}/api/v1/sessions/eid -H "{INGRESS_HEADER}: $(cat {secret_file})" \\',
        f'         -H "ssl-client-cert: $({escape} {pki.cards}/jan-peeters.pem)"',
        f"  Mails sent by the platform: {demo.base_url}/dev/mailbox (also {demo.var_dir}/mail/).",
    ]
    return lines

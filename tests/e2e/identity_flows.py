"""Steps the identity end-to-end, browser and benchmark code share: register through the API, read
the mail the catcher stored, present a test eID card the way the ingress does."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import httpx

from aww_devtools.fakes.accreditations import INGRESS_HEADER, ingress_secret
from aww_devtools.fakes.mail import wait_for_mail
from aww_devtools.pki import TestPki, ensure

PASSWORD = "a long enough passphrase"


def unique(prefix: str = "user") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def activation_code(var_dir: Path, email: str, count: int = 1) -> str:
    mail = wait_for_mail(Path(var_dir) / "mail", email, count)[-1]
    return re.search(r"\b([A-Z0-9]{4}-[A-Z0-9]{4})\b", mail.text).group(1)


def register_and_activate(http: httpx.Client, var_dir: Path, username: str | None = None, language="en") -> dict:
    username = username or unique()
    email = f"{username}@example.com"
    response = http.post(
        "/api/v1/accounts",
        json={
            "username": username,
            "first_name": "Test",
            "last_name": "Person",
            "email": email,
            "password": PASSWORD,
            "password_confirmation": PASSWORD,
            "language": language,
        },
    )
    assert response.status_code == 201, response.text
    code = activation_code(var_dir, email)
    activated = http.post("/api/v1/accounts/activation", json={"username": username, "code": code})
    assert activated.status_code == 200, activated.text
    return {"username": username, "email": email, "account_id": activated.json()["account_id"]}


def log_in(http: httpx.Client, username: str, password: str = PASSWORD) -> str:
    response = http.post("/api/v1/sessions", json={"username": username, "password": password})
    assert response.status_code == 201, response.text
    return response.json()["token"]


def pki_of(var_dir: Path) -> TestPki:
    return ensure(Path(var_dir) / "pki")


def ingress_headers(var_dir: Path, pem_header_value: str) -> dict[str, str]:
    """What the ingress adds after it verified the client certificate."""
    return {"ssl-client-cert": pem_header_value, INGRESS_HEADER: ingress_secret(var_dir)}


def platform_admin_token(http: httpx.Client, var_dir: Path) -> str:
    """A session of the bootstrapped platform administrator (IDENTITY_PLATFORM_ADMINS of the test
    stack: `platform.admin`), registered on first use. The password must be the one every other
    e2e helper uses (organisation_flows.platform_admin): the stack's database is shared by the run,
    whichever test comes first registers the account."""
    from aww_devtools.fakes.accreditations import PLATFORM_ADMIN_USERNAME

    response = http.post("/api/v1/sessions", json={"username": PLATFORM_ADMIN_USERNAME, "password": PASSWORD})
    if response.status_code != 201:
        register_and_activate(http, var_dir, PLATFORM_ADMIN_USERNAME)
        return log_in(http, PLATFORM_ADMIN_USERNAME)
    return response.json()["token"]

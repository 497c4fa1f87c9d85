"""Identity through the gateway's JSON API, against every process of the platform."""

import concurrent.futures
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

import httpx
from identity_flows import (
    PASSWORD,
    activation_code,
    ingress_headers,
    log_in,
    pki_of,
    platform_admin_token,
    register_and_activate,
    unique,
)

from aww_devtools.fakes.mail import wait_for_mail


def bearer(token):
    return {"authorization": f"Bearer {token}"}


def assert_problem(response, status, code, field=None):
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["code"] == code
    if field:
        assert field in {error["field"] for error in body.get("errors", [])}, body
    return body


def test_register_activate_log_in_and_out(http, stack):
    account = register_and_activate(http, stack.var_dir)
    token = log_in(http, account["username"])
    me = http.get("/api/v1/session", headers=bearer(token)).json()
    assert me["username"] == account["username"] and me["display_name"] == "Test Person"
    profile = http.get("/api/v1/account", headers=bearer(token)).json()
    assert profile["email"] == account["email"] and profile["eid"]["linked"] is False
    assert http.delete("/api/v1/session", headers=bearer(token)).status_code == 204
    assert_problem(http.get("/api/v1/account", headers=bearer(token)), 401, "unauthenticated")


def test_input_errors_are_specific_problems(http, stack):
    weak = {
        "username": unique(),
        "first_name": "A",
        "last_name": "B",
        "email": "a@example.com",
        "password": "short",
        "password_confirmation": "short",
        "language": "nl",
    }
    assert_problem(http.post("/api/v1/accounts", json=weak), 400, "validation_failed", "password")
    bad_mail = dict(weak, password=PASSWORD, password_confirmation=PASSWORD, email="no at sign")
    assert_problem(http.post("/api/v1/accounts", json=bad_mail), 400, "validation_failed", "email")
    account = register_and_activate(http, stack.var_dir)
    taken = dict(weak, username=account["username"], password=PASSWORD, password_confirmation=PASSWORD)
    assert_problem(http.post("/api/v1/accounts", json=taken), 409, "conflict", "username")
    wrong = http.post("/api/v1/accounts/activation", json={"username": account["username"], "code": "AAAA-AAAA"})
    assert_problem(wrong, 400, "invalid_code")
    login = http.post("/api/v1/sessions", json={"username": account["username"], "password": "not it at all"})
    assert_problem(login, 401, "invalid_credentials")
    assert_problem(
        http.post("/api/v1/sessions", json={"username": 1, "password": "x"}), 400, "validation_failed", "body.username"
    )


def test_expired_code_is_gone(http, stack):
    import psycopg

    username = unique()
    http.post(
        "/api/v1/accounts",
        json={
            "username": username,
            "first_name": "A",
            "last_name": "B",
            "email": f"{username}@example.com",
            "password": PASSWORD,
            "password_confirmation": PASSWORD,
            "language": "fr",
        },
    )
    code = activation_code(stack.var_dir, f"{username}@example.com")
    with psycopg.connect(f"host=127.0.0.1 user=postgres dbname={stack.db_prefix}identity", autocommit=True) as conn:
        conn.execute("UPDATE account_codes SET expires_at = now() - interval '1 second'")
    assert_problem(
        http.post("/api/v1/accounts/activation", json={"username": username, "code": code}), 410, "code_expired"
    )


def test_parallel_password_guesses_cannot_pass_the_lockout(http, stack):
    account = register_and_activate(http, stack.var_dir)

    def guess(i):
        with httpx.Client(base_url=stack.base_url, timeout=30) as client:
            return client.post("/api/v1/sessions", json={"username": account["username"], "password": f"guess {i} !!"})

    with concurrent.futures.ThreadPoolExecutor(20) as pool:
        statuses = sorted(r.status_code for r in pool.map(guess, range(20)))
    assert statuses == [401] * 5 + [429] * 15
    locked = http.post("/api/v1/sessions", json={"username": account["username"], "password": PASSWORD})
    assert_problem(locked, 429, "account_locked")


def test_password_reset_answers_the_same_for_unknown_addresses(http, stack):
    account = register_and_activate(http, stack.var_dir)
    known = http.post("/api/v1/password/forgot", json={"email": account["email"]})
    unknown = http.post("/api/v1/password/forgot", json={"email": "nobody-here@example.com"})
    assert known.status_code == unknown.status_code == 202 and known.content == unknown.content == b""
    mail = wait_for_mail(Path(stack.var_dir) / "mail", account["email"], 2)[-1]
    token = re.search(r"token=(\S+)", mail.text).group(1)
    body = {"token": token, "new_password": "brand new passphrase", "new_password_confirmation": "brand new passphrase"}
    assert http.post("/api/v1/password/reset", json=body).status_code == 200
    assert_problem(http.post("/api/v1/password/reset", json=body), 410, "code_expired")
    log_in(http, account["username"], "brand new passphrase")


def test_eid_link_and_login_through_the_ingress_header(http, stack):
    account = register_and_activate(http, stack.var_dir)
    token = log_in(http, account["username"])
    card = pki_of(stack.var_dir).issue("Hanne", "Wouters", save=False)
    no_secret = http.post("/api/v1/account/eid", headers={**bearer(token), "ssl-client-cert": card.header_value()})
    assert assert_problem(no_secret, 400, "eid_refused")["reason"] == "missing"
    linked = http.post(
        "/api/v1/account/eid", headers={**bearer(token), **ingress_headers(stack.var_dir, card.header_value())}
    )
    assert linked.status_code == 200, linked.text
    assert (linked.json()["first_name"], linked.json()["last_name"]) == ("Hanne", "Wouters")
    locked = http.patch("/api/v1/account", headers=bearer(token), json={"last_name": "Other"})
    assert_problem(locked, 409, "profile_locked")
    session = http.post("/api/v1/sessions/eid", headers=ingress_headers(stack.var_dir, card.header_value()))
    assert session.status_code == 201, session.text
    me = http.get("/api/v1/session", headers=bearer(session.json()["token"])).json()
    assert me["account_id"] == account["account_id"]


def test_refused_certificates(http, stack, tmp_path):
    from aww_devtools.pki import ensure

    account = register_and_activate(http, stack.var_dir)
    token = log_in(http, account["username"])
    pki = pki_of(stack.var_dir)
    now = datetime.now(UTC)
    expired = pki.issue(
        "Old", "Card", valid_from=now - timedelta(days=800), valid_until=now - timedelta(days=2), save=False
    )
    stranger = ensure(tmp_path / "elsewhere").issue("Eve", "Else", save=False)
    bad_number = pki.issue("Bad", "Number", number="12345678901", save=False)
    for card, reason in ((expired, "expired"), (stranger, "unknown_ca"), (bad_number, "invalid_national_number")):
        response = http.post(
            "/api/v1/account/eid", headers={**bearer(token), **ingress_headers(stack.var_dir, card.header_value())}
        )
        body = assert_problem(response, 400, "eid_refused")
        assert body["reason"] == reason
        assert card.national_number not in response.text
    genuine = pki.issue("Tim", "Tamper", save=False).pem
    lines = genuine.splitlines()
    lines[4] = lines[4][:10] + ("A" if lines[4][10] != "A" else "B") + lines[4][11:]
    response = http.post(
        "/api/v1/account/eid",
        headers={**bearer(token), **ingress_headers(stack.var_dir, quote("\n".join(lines) + "\n", safe=""))},
    )
    assert assert_problem(response, 400, "eid_refused")["reason"] in ("tampered", "malformed")
    assert http.get("/api/v1/account", headers=bearer(token)).json()["eid"]["linked"] is False


def test_session_list_and_log_out_everywhere(http, stack):
    account = register_and_activate(http, stack.var_dir)
    first, second = log_in(http, account["username"]), log_in(http, account["username"])
    sessions = http.get("/api/v1/sessions", headers=bearer(first)).json()
    assert len(sessions) == 2 and sum(s["current"] for s in sessions) == 1
    other = next(s for s in sessions if not s["current"])
    assert http.delete(f"/api/v1/sessions/{other['session_id']}", headers=bearer(first)).status_code == 204
    assert_problem(http.get("/api/v1/session", headers=bearer(second)), 401, "unauthenticated")
    assert http.delete("/api/v1/sessions", headers=bearer(first)).json() == {"revoked": 1}
    assert_problem(http.get("/api/v1/session", headers=bearer(first)), 401, "unauthenticated")


def test_no_secret_reaches_the_logs(http, stack):
    account = register_and_activate(http, stack.var_dir)
    token = log_in(http, account["username"])
    card = pki_of(stack.var_dir).issue("Log", "Watcher", save=False)
    http.post("/api/v1/account/eid", headers={**bearer(token), **ingress_headers(stack.var_dir, card.header_value())})
    http.post("/api/v1/sessions", json={"username": account["username"], "password": "wrong password here"})
    code = activation_code(stack.var_dir, account["email"])
    logs = "\n".join(path.read_text(errors="replace") for path in Path(stack.log_dir).glob("*.log"))
    for secret in (PASSWORD, "wrong password here", token, code, card.national_number):
        assert secret not in logs


def test_platform_administrators_start_from_configuration_and_grant_the_role(http, stack):
    admin = platform_admin_token(http, stack.var_dir)
    assert http.get("/api/v1/session", headers=bearer(admin)).json()["platform_admin"] is True
    account = register_and_activate(http, stack.var_dir)
    token = log_in(http, account["username"])
    path = f"/api/v1/accounts/{account['account_id']}/platform-admin"
    assert_problem(http.put(path, headers=bearer(token), json={"platform_admin": True}), 403, "forbidden")
    assert http.put(path, headers=bearer(admin), json={"platform_admin": True}).status_code == 204
    assert http.get("/api/v1/session", headers=bearer(token)).json()["platform_admin"] is True
    assert http.put(path, headers=bearer(admin), json={"platform_admin": False}).status_code == 204
    assert_problem(
        http.get("/api/v1/session", headers=bearer(token)), 401, "unauthenticated"
    )  # role removed: logged out

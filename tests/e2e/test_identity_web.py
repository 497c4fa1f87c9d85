"""Identity's web flows over HTTP: the session cookie, CSRF, redirects, and itsme through the fake
OpenID Connect provider (authorization code + PKCE, state and nonce checked)."""

import html
import re
from urllib.parse import urlsplit

import httpx
import pytest
from identity_flows import PASSWORD, ingress_headers, log_in, pki_of, register_and_activate

from aww_gateway.web import CSRF_COOKIE


@pytest.fixture
def browser_like(stack):
    with httpx.Client(base_url=stack.base_url, timeout=30, follow_redirects=False) as client:
        yield client


def web_login(client, username, password=PASSWORD, next_path="/"):
    client.get("/login")
    return client.post(
        "/login",
        data={"username": username, "password": password, "next": next_path, "csrf_token": client.cookies[CSRF_COOKIE]},
    )


def linked_account(http, stack, first="Ines", last="Goossens"):
    account = register_and_activate(http, stack.var_dir)
    token = log_in(http, account["username"])
    card = pki_of(stack.var_dir).issue(first, last, save=False)
    response = http.post(
        "/api/v1/account/eid",
        headers={"authorization": f"Bearer {token}", **ingress_headers(stack.var_dir, card.header_value())},
    )
    assert response.status_code == 200, response.text
    return account, card, token


def approve_at_provider(start_response, national_number, **extra):
    """Play the person in front of the fake itsme: open its page and confirm."""
    assert start_response.status_code == 303, start_response.text
    authorize = start_response.headers["location"]
    page = httpx.get(authorize)
    assert page.status_code == 200, page.text
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page.text))
    fields = {key: html.unescape(value) for key, value in fields.items()}
    assert fields["code_challenge_method"] == "S256" and fields["state"] and fields["nonce"]
    parts = urlsplit(authorize)
    answer = httpx.post(
        f"{parts.scheme}://{parts.netloc}/authorize", data={**fields, "national_number": national_number, **extra}
    )
    assert answer.status_code == 303, answer.text
    callback = urlsplit(answer.headers["location"])
    return f"{callback.path}?{callback.query}"


def test_login_sets_a_secure_session_cookie_and_logout_ends_it(http, stack, browser_like):
    account = register_and_activate(http, stack.var_dir)
    response = web_login(browser_like, account["username"], next_path="/profile")
    assert response.status_code == 303 and response.headers["location"] == "/profile"
    cookie = response.headers["set-cookie"]
    assert "aww_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/" in cookie
    profile = browser_like.get("/profile")
    assert profile.status_code == 200 and account["username"] in profile.text
    assert 'action="/logout"' in profile.text  # the account menu in the header
    out = browser_like.post("/logout", data={"csrf_token": browser_like.cookies[CSRF_COOKIE]})
    assert out.status_code == 303
    assert browser_like.get("/profile").headers["location"].startswith("/login?next=/profile")


def test_forms_without_the_csrf_token_are_refused(http, stack, browser_like):
    account = register_and_activate(http, stack.var_dir)
    browser_like.get("/login")
    response = browser_like.post("/login", data={"username": account["username"], "password": PASSWORD})
    assert response.status_code == 403
    assert "aww_session" not in response.headers.get("set-cookie", "")


def test_next_never_leaves_the_site(http, stack, browser_like):
    account = register_and_activate(http, stack.var_dir)
    response = web_login(browser_like, account["username"], next_path="https://evil.example/")
    assert response.headers["location"] == "/"


def test_wrong_password_page_is_in_the_visitors_language(http, stack, browser_like):
    account = register_and_activate(http, stack.var_dir)
    browser_like.get("/login?lang=fr")
    response = web_login(browser_like, account["username"], password="pas le bon mot de passe")
    assert response.status_code == 400
    assert "Le nom d&#39;utilisateur ou le mot de passe est erroné." in response.text


def test_itsme_link_then_login(http, stack, browser_like):
    account, card, token = linked_account(http, stack)
    web_login(browser_like, account["username"])
    callback = approve_at_provider(browser_like.get("/itsme/start?purpose=link"), card.national_number)
    linked = browser_like.get(callback)
    assert linked.status_code == 303 and linked.headers["location"].startswith("/profile")
    assert http.get("/api/v1/account", headers={"authorization": f"Bearer {token}"}).json()["itsme_linked"] is True

    replay = browser_like.get(callback + "&lang=en")
    assert replay.status_code == 400 and "already used" in replay.text

    with httpx.Client(base_url=stack.base_url, follow_redirects=False) as stranger:
        callback = approve_at_provider(stranger.get("/itsme/start?purpose=login"), card.national_number)
        opened = stranger.get(callback)
        assert opened.status_code == 303 and "aww_session=" in opened.headers["set-cookie"]
        assert account["username"] in stranger.get("/profile").text


def test_itsme_answers_with_a_wrong_nonce_or_another_person_are_refused(http, stack, browser_like):
    account, card, _ = linked_account(http, stack, "Bram", "Jacobs")
    with httpx.Client(base_url=stack.base_url, follow_redirects=False) as client:
        callback = approve_at_provider(
            client.get("/itsme/start?purpose=login"), card.national_number, nonce_override="not-the-nonce"
        )
        refused = client.get(callback + "&lang=en")
        assert refused.status_code == 400 and "does not match this login" in refused.text
        assert "aww_session" not in refused.headers.get("set-cookie", "")
    web_login(browser_like, account["username"])
    other = pki_of(stack.var_dir).issue("Someone", "Else", save=False)
    callback = approve_at_provider(browser_like.get("/itsme/start?purpose=link"), other.national_number)
    refused = browser_like.get(callback + "&lang=en")
    assert refused.status_code == 400 and "not the person of your eID card" in refused.text


def test_itsme_link_needs_the_eid_first(http, stack, browser_like):
    account = register_and_activate(http, stack.var_dir)
    web_login(browser_like, account["username"])
    response = browser_like.get("/itsme/start?purpose=link&lang=en")
    assert response.status_code == 409 and "Link your eID card first." in response.text


def test_development_mailbox_lists_the_mails(http, stack, browser_like):
    account = register_and_activate(http, stack.var_dir)
    page = browser_like.get("/dev/mailbox?lang=en")
    assert page.status_code == 200 and account["email"] in page.text


def test_registration_proposes_a_username_the_person_may_change(http, stack, browser_like):
    proposal = http.get(
        "/api/v1/accounts/username-proposal", params={"first_name": "Élise", "last_name": "Van den Broeck"}
    )
    assert proposal.json() == {"username": "elise.vandenbroeck"}
    browser_like.get("/register?lang=en")
    page = browser_like.post(
        "/register",
        data={
            "first_name": "Élise",
            "last_name": "Van den Broeck",
            "username": "",
            "email": "elise@example.com",
            "password": PASSWORD,
            "password_confirmation": PASSWORD,
            "language": "en",
            "csrf_token": browser_like.cookies[CSRF_COOKIE],
        },
    )
    assert page.status_code == 200
    assert 'value="elise.vandenbroeck"' in page.text and "We propose this username" in page.text


def test_the_owners_browser_still_logs_in_while_strangers_are_locked_out(http, stack, browser_like):
    account = register_and_activate(http, stack.var_dir)
    first = web_login(browser_like, account["username"])
    device_cookie = next(h for h in first.headers.get_list("set-cookie") if h.startswith("aww_device="))
    assert "HttpOnly" in device_cookie and "Path=/login" in device_cookie
    browser_like.post("/logout", data={"csrf_token": browser_like.cookies[CSRF_COOKIE]})
    for _ in range(5):
        http.post("/api/v1/sessions", json={"username": account["username"], "password": "stranger's guess"})
    locked = http.post("/api/v1/sessions", json={"username": account["username"], "password": PASSWORD})
    assert locked.status_code == 429
    again = web_login(browser_like, account["username"])
    assert again.status_code == 303 and "aww_session=" in again.headers["set-cookie"]

"""The active organisation at web login (issue 4 §4): the starred or only organisation is activated at
once, several without a star send the person to the choice page first; password and eID logins
alike. The session's active organisation is read back through the API with the cookie's token."""

import httpx
from identity_flows import PASSWORD, ingress_headers, pki_of
from organisation_flows import account, bearer, create_organisation, enterprise_number

from aww_gateway.context import SESSION_COOKIE
from aww_gateway.web import CSRF_COOKIE


def browser(stack) -> httpx.Client:
    return httpx.Client(base_url=stack.base_url, timeout=30, follow_redirects=False)


def password_login(stack, username: str, next_path: str) -> tuple[httpx.Client, httpx.Response]:
    client = browser(stack)
    client.get("/login")
    answer = client.post(
        "/login",
        data={"username": username, "password": PASSWORD, "next": next_path, "csrf_token": client.cookies[CSRF_COOKIE]},
    )
    assert answer.status_code == 303, answer.text
    return client, answer


def eid_login(stack, card, next_path: str) -> tuple[httpx.Client, httpx.Response]:
    client = browser(stack)
    client.get("/login")
    answer = client.post(
        "/login/eid",
        data={"next": next_path, "csrf_token": client.cookies[CSRF_COOKIE]},
        headers=ingress_headers(stack.var_dir, card.header_value()),
    )
    assert answer.status_code == 303, answer.text
    return client, answer


def active_organisation(http, client: httpx.Client) -> str | None:
    return http.get("/api/v1/session", headers=bearer(client.cookies[SESSION_COOKIE])).json()["organisation_id"]


def star(http, person, organisation_id: str | None) -> None:
    answer = http.put(
        "/api/v1/me/default-organisation", headers=person["headers"], json={"organisation_id": organisation_id}
    )
    assert answer.status_code in (200, 204), answer.text


def test_login_without_an_organisation_goes_straight_on(http, stack):
    person = account(http, stack, prefix="loner")
    client, answer = password_login(stack, person["username"], "/profile")
    assert answer.headers["location"] == "/profile"
    assert active_organisation(http, client) is None


def test_the_only_organisation_is_activated_at_login_even_unstarred(http, stack):
    person = account(http, stack, prefix="single")
    only = create_organisation(http, person, enterprise_number(21), name="Enige")["organisation_id"]
    star(http, person, None)
    client, answer = password_login(stack, person["username"], "/profile")
    assert answer.headers["location"] == "/profile"
    assert active_organisation(http, client) == only


def test_several_organisations_ask_at_login_unless_one_is_starred(http, stack):
    person = account(http, stack, prefix="multi")
    card = pki_of(stack.var_dir).issue("Multi", "Kantoren", save=False)
    linked = http.post(
        "/api/v1/account/eid", headers={**person["headers"], **ingress_headers(stack.var_dir, card.header_value())}
    )
    assert linked.status_code == 200, linked.text
    first = create_organisation(http, person, enterprise_number(22), name="Kantoor Noord")["organisation_id"]
    second = create_organisation(http, person, enterprise_number(23), name="Kantoor Zuid")["organisation_id"]

    # the first one created is starred: used at once
    client, answer = password_login(stack, person["username"], "/profile")
    assert answer.headers["location"] == "/profile"
    assert active_organisation(http, client) == first

    # no star: the choice page, which then goes on to the page asked for
    star(http, person, None)
    client, answer = password_login(stack, person["username"], "/profile")
    assert answer.headers["location"] == "/organisations/choose?next=/profile"
    assert active_organisation(http, client) is None
    page = client.get(answer.headers["location"])
    assert page.status_code == 200 and "Kantoor Noord" in page.text and "Kantoor Zuid" in page.text
    assert 'name="next" value="/profile"' in page.text
    switched = client.post(
        f"/organisations/{second}/switch", data={"next": "/profile", "csrf_token": client.cookies[CSRF_COOKIE]}
    )
    assert switched.status_code == 303 and switched.headers["location"] == "/profile"
    assert active_organisation(http, client) == second

    # eID login follows the same rule
    client, answer = eid_login(stack, card, "/organisations")
    assert answer.headers["location"] == "/organisations/choose?next=/organisations"
    assert active_organisation(http, client) is None
    star(http, person, second)
    client, answer = eid_login(stack, card, "/organisations")
    assert answer.headers["location"] == "/organisations"
    assert active_organisation(http, client) == second

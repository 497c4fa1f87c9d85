"""Forms are refused without the CSRF token that the page gave out."""

import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from aww_gateway.app import EXCEPTION_HANDLERS
from aww_gateway.middleware import GatewayMiddleware
from aww_gateway.settings import Settings
from aww_gateway.web import CSRF_COOKIE, Web, web


async def show_form(request: Request):
    return web(request).render(request, "error.html", {"status": 200, "code": "x", "detail": "form"})


async def submit(request: Request):
    form = await web(request).form(request)
    return PlainTextResponse(f"got {form['name']}")


@pytest.fixture
def client():
    settings = Settings(secret_key="test-secret", cookie_secure=False)
    app = Starlette(
        routes=[Route("/form", show_form), Route("/form", submit, methods=["POST"])],
        middleware=[Middleware(GatewayMiddleware, settings=settings)],
        exception_handlers=EXCEPTION_HANDLERS,
    )
    app.state.web = Web(settings, [])
    app.state.settings = settings
    return TestClient(app, base_url="http://test")


def test_form_with_the_page_token_is_accepted(client):
    client.get("/form")
    token = client.cookies[CSRF_COOKIE]
    response = client.post("/form", data={"name": "Ann", "csrf_token": token})
    assert response.status_code == 200 and response.text == "got Ann"


def test_form_without_token_is_refused(client):
    client.get("/form")
    response = client.post("/form", data={"name": "Ann"})
    assert response.status_code == 403
    assert "expired" in response.text


def test_forged_token_is_refused_even_if_cookie_and_field_agree(client):
    client.cookies.set(CSRF_COOKIE, "forged-token")
    response = client.post("/form", data={"name": "Ann", "csrf_token": "forged-token"})
    assert response.status_code == 403


def test_cookie_is_httponly_and_samesite(client):
    header = client.get("/form").headers["set-cookie"]
    assert "HttpOnly" in header and "SameSite=lax" in header

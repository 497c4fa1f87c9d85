"""Identity's gateway pieces that need no back-end: the ingress header rule and the pages that
exist only in development."""

import pytest
from starlette.requests import Request
from starlette.testclient import TestClient

from aww_gateway.app import create_app
from aww_gateway.auth import client_certificate
from aww_gateway.settings import Settings


def request_with(headers: dict) -> Request:
    raw = [(key.lower().encode(), value.encode()) for key, value in headers.items()]
    return Request({"type": "http", "method": "POST", "path": "/api/v1/sessions/eid", "headers": raw})


@pytest.fixture
def ingress(monkeypatch):
    monkeypatch.setenv("EID_INGRESS_SECRET", "from-the-ingress")
    monkeypatch.setenv("EID_INGRESS_SECRET_HEADER", "x-ingress-secret")
    monkeypatch.setenv("EID_CLIENT_CERT_HEADER", "x-client-cert")


def test_certificate_counts_only_with_the_ingress_secret(ingress):
    pem = "-----BEGIN%20CERTIFICATE-----%0AMIIB%0A-----END%20CERTIFICATE-----%0A"
    assert client_certificate(request_with({"x-client-cert": pem})) is None
    assert client_certificate(request_with({"x-client-cert": pem, "x-ingress-secret": "guessed"})) is None
    found = client_certificate(request_with({"x-client-cert": pem, "x-ingress-secret": "from-the-ingress"}))
    assert found == "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
    # the header name is configuration: the ingress-nginx default is ignored when another is set
    assert client_certificate(request_with({"ssl-client-cert": pem, "x-ingress-secret": "from-the-ingress"})) is None


def test_no_secret_configured_means_no_certificate(monkeypatch):
    monkeypatch.delenv("EID_INGRESS_SECRET", raising=False)
    assert client_certificate(request_with({"ssl-client-cert": "x", "x-aww-ingress-secret": ""})) is None


def test_development_mailbox_does_not_exist_in_production(monkeypatch, tmp_path):
    monkeypatch.setenv("MAIL_CATCHER_DIR", str(tmp_path))
    client = TestClient(create_app(Settings(environment="production", secret_key="x")))
    response = client.get("/dev/mailbox")
    assert response.status_code == 404


def test_identity_operations_are_in_the_openapi_document():
    document = create_app(Settings(secret_key="x")).state.openapi
    for path in (
        "/api/v1/accounts",
        "/api/v1/sessions",
        "/api/v1/sessions/eid",
        "/api/v1/account",
        "/api/v1/account/eid",
        "/api/v1/password/forgot",
    ):
        assert path in document["paths"], path
    login = document["paths"]["/api/v1/sessions"]["post"]
    assert "401" in login["responses"] and "429" in login["responses"]

"""Who is calling: the session token from the API's bearer header or the web's cookie, resolved
by the identity service (which owns sessions). The API never reads the cookie, so the API needs
no CSRF protection; the web never reads the bearer header."""

from __future__ import annotations

import hmac
import os
from urllib.parse import unquote

from starlette.requests import Request

from aww_gateway.context import SESSION_COOKIE, call


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return None


def session_token(request: Request) -> str | None:
    if request.url.path.startswith("/api/"):
        return bearer_token(request)
    return request.cookies.get(SESSION_COOKIE) or None


async def resolve_principal(request: Request) -> dict | None:
    """The principal of this request (cached on it), or None for an anonymous request."""
    if "principal" in request.state._state:
        return request.state.principal
    token = session_token(request)
    principal = None
    if token:
        principal = await call(request, "identity", "resolve_session", token=token)
    request.state.principal = principal
    return principal


# ---- eID client certificates from the ingress ---------------------------------------------------
#
# TLS ends at the ingress, which asks for and verifies the card's certificate and passes it on
# URL-escaped in a header (ingress-nginx: `ssl-client-cert`; the name is configurable since
# ingress-nginx is retired). A browser could send that header itself, so it counts only together
# with the secret the ingress adds (EID_INGRESS_SECRET); identity then re-verifies the chain.


def _ingress_settings() -> tuple[str, str, str]:
    return (
        os.environ.get("EID_INGRESS_SECRET", ""),
        os.environ.get("EID_INGRESS_SECRET_HEADER", "x-aww-ingress-secret").lower(),
        os.environ.get("EID_CLIENT_CERT_HEADER", "ssl-client-cert").lower(),
    )


def client_certificate(request: Request) -> str | None:
    """The PEM the ingress verified and passed on, or None (no card, or not from the ingress)."""
    secret, secret_header, cert_header = _ingress_settings()
    raw = request.headers.get(cert_header)
    if not raw or not secret:
        return None
    presented = request.headers.get(secret_header, "")
    if not hmac.compare_digest(presented.encode(), secret.encode()):
        return None
    return unquote(raw)

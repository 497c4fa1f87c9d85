"""Who is calling: the session token from the API's bearer header or the web's cookie, resolved
by the identity service (which owns sessions). The API never reads the cookie, so the API needs
no CSRF protection; the web never reads the bearer header."""

from __future__ import annotations

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

"""A fake itsme: an OpenID Connect provider over HTTP that signs real ID tokens (RS256, joserfc
from the Authlib project) for the authorization-code flow with PKCE (S256), state and nonce.

    GET  /.well-known/openid-configuration, /jwks
    GET  /authorize   a page where the tester picks a test person (the cards of the test PKI)
    POST /authorize   approve: redirect to redirect_uri with code and state
    POST /token       code + code_verifier + client credentials → {access_token, id_token}

The ID token carries `http://itsme.services/v2/claim/BENationalNumber` (DOMAIN.md §4). Tests can
ask for a wrong nonce (form field `nonce_override`) to see the relying party refuse it.
Differences with the real itsme: client_secret_post instead of private_key_jwt, and no signed
request objects; the flow and the checks the relying party makes are the same.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import html
import json
import secrets
import time
from pathlib import Path
from urllib.parse import urlencode

from joserfc import jwt
from joserfc.jwk import RSAKey
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse
from starlette.routing import Route

from aww_devtools.fakes import Fake

CLIENT_ID = "aww-platform"
NATIONAL_NUMBER_CLAIM = "http://itsme.services/v2/claim/BENationalNumber"


def client_secret(var: str | Path) -> str:
    path = Path(var) / "oidc-client-secret"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(24))
    return path.read_text().strip()


def subject_of(national_number: str) -> str:
    """Stable per person, and not the national number itself (pairwise-style subject)."""
    return hashlib.sha256(f"fake-itsme:{national_number}".encode()).hexdigest()[:32]


def _challenge(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


def app(issuer: str, var: Path) -> Starlette:
    key = RSAKey.generate_key(2048, parameters={"kid": secrets.token_hex(4), "use": "sig", "alg": "RS256"})
    secret = client_secret(var)
    codes: dict[str, dict] = {}
    cards = var / "pki" / "cards"

    async def discovery(request: Request):
        return JSONResponse(
            {
                "issuer": issuer,
                "authorization_endpoint": f"{issuer}/authorize",
                "token_endpoint": f"{issuer}/token",
                "jwks_uri": f"{issuer}/jwks",
                "response_types_supported": ["code"],
                "subject_types_supported": ["pairwise"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "code_challenge_methods_supported": ["S256"],
                "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
                "claims_supported": ["sub", NATIONAL_NUMBER_CLAIM],
            }
        )

    async def jwks(request: Request):
        return JSONResponse({"keys": [key.as_dict(private=False)]})

    def _bad(message: str, status: int = 400):
        return HTMLResponse(f"<h1>fake itsme</h1><p>{html.escape(message)}</p>", status_code=status)

    async def authorize_page(request: Request):
        params = dict(request.query_params)
        if params.get("client_id") != CLIENT_ID or params.get("response_type") != "code":
            return _bad("unknown client or response type")
        if params.get("code_challenge_method") != "S256" or not params.get("code_challenge"):
            return _bad("PKCE (S256) is required")
        if "openid" not in params.get("scope", "").split() or not params.get("state") or not params.get("nonce"):
            return _bad("scope openid, state and nonce are required")
        people = [json.loads(p.read_text()) for p in sorted(cards.glob("*.json"))] if cards.is_dir() else []
        hidden = "".join(
            f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">' for k, v in params.items()
        )
        buttons = "".join(
            f'<li><button name="national_number" value="{html.escape(p["national_number"])}">'
            f"{html.escape(p['first_name'])} {html.escape(p['last_name'])}</button></li>"
            for p in people
        )
        page = (
            "<!doctype html><html><head><title>fake itsme</title></head><body><h1>fake itsme</h1>"
            "<p>Development only: confirm as one of the test people.</p>"
            f'<form method="post" action="/authorize">{hidden}<ul>{buttons}</ul>'
            '<label>Other national number <input name="national_number_other"></label>'
            '<button name="approve" value="other">Confirm</button></form></body></html>'
        )
        return HTMLResponse(page)

    async def authorize_submit(request: Request):
        form = dict(await request.form())
        number = form.get("national_number") or form.get("national_number_other") or ""
        if not number.isdigit() or len(number) != 11:
            return _bad("choose a person")
        code = secrets.token_urlsafe(24)
        codes[code] = {
            "client_id": form.get("client_id"),
            "redirect_uri": form.get("redirect_uri"),
            "nonce": form.get("nonce_override") or form.get("nonce"),
            "challenge": form.get("code_challenge"),
            "national_number": number,
            "expires": time.time() + 120,
        }
        query = urlencode({"code": code, "state": form.get("state", "")})
        return RedirectResponse(f"{form.get('redirect_uri')}?{query}", status_code=303)

    async def token(request: Request):
        form = dict(await request.form())
        client_id, given_secret = form.get("client_id"), form.get("client_secret")
        authorization = request.headers.get("authorization", "")
        if authorization.lower().startswith("basic "):
            client_id, _, given_secret = base64.b64decode(authorization[6:]).decode().partition(":")
        if client_id != CLIENT_ID or not secrets.compare_digest(given_secret or "", secret):
            return JSONResponse({"error": "invalid_client"}, status_code=401)
        grant = codes.pop(form.get("code", ""), None)  # single use
        if grant is None or grant["expires"] < time.time() or form.get("grant_type") != "authorization_code":
            return JSONResponse({"error": "invalid_grant"}, status_code=400)
        if grant["redirect_uri"] != form.get("redirect_uri") or grant["client_id"] != client_id:
            return JSONResponse({"error": "invalid_grant", "error_description": "redirect_uri"}, status_code=400)
        if _challenge(form.get("code_verifier", "")) != grant["challenge"]:
            return JSONResponse({"error": "invalid_grant", "error_description": "PKCE"}, status_code=400)
        now = int(time.time())
        claims = {
            "iss": issuer,
            "aud": CLIENT_ID,
            "sub": subject_of(grant["national_number"]),
            "iat": now,
            "exp": now + 300,
            "nonce": grant["nonce"],
            NATIONAL_NUMBER_CLAIM: grant["national_number"],
        }
        id_token = jwt.encode({"alg": "RS256", "kid": key.kid}, claims, key)
        return JSONResponse(
            {"access_token": secrets.token_urlsafe(24), "token_type": "Bearer", "expires_in": 300, "id_token": id_token}
        )

    async def healthz(request: Request):
        return JSONResponse({"status": "ok"})

    return Starlette(
        routes=[
            Route("/healthz", healthz),
            Route("/.well-known/openid-configuration", discovery),
            Route("/jwks", jwks),
            Route("/authorize", authorize_page, methods=["GET"]),
            Route("/authorize", authorize_submit, methods=["POST"]),
            Route("/token", token, methods=["POST"]),
        ]
    )


def main() -> None:
    import uvicorn

    parser = argparse.ArgumentParser(prog="aww_devtools.fakes.oidc")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--var", default="var")
    args = parser.parse_args()
    issuer = f"http://127.0.0.1:{args.port}"
    uvicorn.run(app(issuer, Path(args.var)), host="127.0.0.1", port=args.port, log_level="warning")


FAKE = Fake(
    name="oidc",
    argv=["-m", "aww_devtools.fakes.oidc", "--port", "{port}", "--var", "{var}"],
    service_env=lambda port, var: {
        "IDENTITY_ITSME_ISSUER": f"http://127.0.0.1:{port}",
        "IDENTITY_ITSME_CLIENT_ID": CLIENT_ID,
        "IDENTITY_ITSME_CLIENT_SECRET": client_secret(var),
        "IDENTITY_ITSME_SERVICE_CODE": "AWW_DEV",
    },
    health_path="/healthz",
)

if __name__ == "__main__":
    main()

"""What identity reaches outside its database: the accreditation registers and itsme (OpenID
Connect). Configuration from the environment; both have fakes speaking the same HTTP protocol
(aww_devtools.fakes.accreditations, aww_devtools.fakes.oidc)."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from functools import cached_property
from urllib.parse import quote

import requests
from authlib.integrations.requests_client import OAuth2Session
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from aww_identity.domain.accreditations import Accreditation, RegisterUnavailable, from_register
from servicekit.config import env, env_float

log = logging.getLogger(__name__)

NATIONAL_NUMBER_CLAIM = "http://itsme.services/v2/claim/BENationalNumber"


class HttpAccreditationRegister:
    """GET <base>/persons/<national number>/accreditations → {"accreditations": [{kind, number, valid_until}]}."""

    def __init__(self, base_url: str, api_key: str = "", timeout: float = 5.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self.timeout = timeout

    def lookup(self, national_number: str) -> list[Accreditation]:
        headers = {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}
        url = f"{self.base_url}/persons/{quote(national_number, safe='')}/accreditations"
        try:
            response = requests.get(url, headers=headers, timeout=self.timeout)
        except requests.RequestException as exc:
            raise RegisterUnavailable(type(exc).__name__) from None
        if response.status_code == 404:
            return []
        if response.status_code != 200:
            raise RegisterUnavailable(f"HTTP {response.status_code}")
        try:
            items = response.json().get("accreditations", [])
        except (ValueError, AttributeError):
            raise RegisterUnavailable("unreadable answer") from None
        return from_register(items if isinstance(items, list) else [])


class NoRegister:
    def lookup(self, national_number: str) -> list[Accreditation]:
        raise RegisterUnavailable("no accreditation register is configured")


def accreditation_register():
    url = env("IDENTITY_ACCREDITATION_REGISTER_URL", "")
    if not url:
        return NoRegister()
    return HttpAccreditationRegister(url, env("IDENTITY_ACCREDITATION_REGISTER_KEY", ""))


class OidcRefused(Exception):
    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


@dataclass(frozen=True)
class OidcIdentity:
    subject: str
    national_number: str | None


class ItsmeClient:
    """The relying party of an itsme-style OpenID Connect provider: authorization-code flow with
    PKCE (S256), state and nonce, through Authlib; ID tokens checked with joserfc against the
    provider's published keys (signature, issuer, audience, expiry, nonce)."""

    def __init__(self, issuer: str, client_id: str, client_secret: str, service_code: str) -> None:
        self.issuer = issuer.rstrip("/")
        self.client_id = client_id
        self.client_secret = client_secret
        self.service_code = service_code
        self._lock = threading.Lock()
        self._keys: KeySet | None = None
        self._keys_fetched = 0.0

    @property
    def configured(self) -> bool:
        return bool(self.issuer and self.client_id)

    @cached_property
    def metadata(self) -> dict:
        response = requests.get(f"{self.issuer}/.well-known/openid-configuration", timeout=5)
        response.raise_for_status()
        document = response.json()
        if document.get("issuer", "").rstrip("/") != self.issuer:
            raise OidcRefused("issuer", "The provider's metadata names another issuer")
        return document

    def _session(self, redirect_uri: str) -> OAuth2Session:
        return OAuth2Session(
            self.client_id,
            self.client_secret,
            scope=f"openid service:{self.service_code} eid",
            redirect_uri=redirect_uri,
            code_challenge_method="S256",
            token_endpoint_auth_method="client_secret_post",  # noqa: S106 - a method name, not a secret
        )

    def authorization_url(self, redirect_uri: str, state: str, nonce: str, code_verifier: str) -> str:
        url, _ = self._session(redirect_uri).create_authorization_url(
            self.metadata["authorization_endpoint"], state=state, nonce=nonce, code_verifier=code_verifier
        )
        return url

    def _key_set(self, refresh: bool = False) -> KeySet:
        with self._lock:
            if self._keys is None or (refresh and time.monotonic() - self._keys_fetched > 10):
                response = requests.get(self.metadata["jwks_uri"], timeout=5)
                response.raise_for_status()
                self._keys = KeySet.import_key_set(response.json())
                self._keys_fetched = time.monotonic()
            return self._keys

    def finish(self, code: str, code_verifier: str, redirect_uri: str, nonce: str) -> OidcIdentity:
        try:
            token = self._session(redirect_uri).fetch_token(
                self.metadata["token_endpoint"], code=code, code_verifier=code_verifier, grant_type="authorization_code"
            )
        except Exception as exc:  # Authlib raises OAuthError subclasses and requests errors
            raise OidcRefused("token", f"The provider refused the code ({type(exc).__name__})") from None
        id_token = token.get("id_token")
        if not id_token:
            raise OidcRefused("id_token", "The provider sent no ID token")
        claims = self._verified_claims(id_token, nonce)
        number = claims.get(NATIONAL_NUMBER_CLAIM)
        return OidcIdentity(str(claims["sub"]), str(number) if number else None)

    def _verified_claims(self, id_token: str, nonce: str) -> dict:
        try:
            try:
                decoded = jwt.decode(id_token, self._key_set(), algorithms=["RS256", "ES256"])
            except JoseError:
                decoded = jwt.decode(id_token, self._key_set(refresh=True), algorithms=["RS256", "ES256"])
        except (JoseError, ValueError):
            raise OidcRefused("signature", "The ID token's signature is not valid") from None
        registry = jwt.JWTClaimsRegistry(
            leeway=30,
            iss={"essential": True, "value": self.issuer},
            aud={"essential": True, "value": self.client_id},
            sub={"essential": True},
            exp={"essential": True},
        )
        try:
            registry.validate(decoded.claims)
        except JoseError as exc:
            raise OidcRefused("claims", f"The ID token is not for us or has expired ({exc.error})") from None
        if decoded.claims.get("nonce") != nonce:
            raise OidcRefused("nonce", "The ID token's nonce does not match this login")
        return decoded.claims


def itsme_client() -> ItsmeClient:
    return ItsmeClient(
        env("IDENTITY_ITSME_ISSUER", ""),
        env("IDENTITY_ITSME_CLIENT_ID", ""),
        env("IDENTITY_ITSME_CLIENT_SECRET", ""),
        env("IDENTITY_ITSME_SERVICE_CODE", "AWW_LOGIN"),
    )


HTTP_TIMEOUT = env_float("IDENTITY_HTTP_TIMEOUT", 5.0)

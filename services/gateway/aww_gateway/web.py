"""Server-rendered pages: one Jinja2 environment per language, CSRF protection for forms, the
navigation areas contribute to, and HTML error pages.

CSRF: a random token signed with the gateway secret lives in the `aww_csrf` cookie and must come
back in the `csrf_token` field of every form (double submit). Pages read forms through
`Web.form`, which refuses a missing or different token; the session cookie is SameSite=Lax as a
second line.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from pathlib import Path
from urllib.parse import quote

from itsdangerous import BadSignature, Signer
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from aww_gateway.context import LANGUAGE_COOKIE, correlation_id_of, language_of
from aww_gateway.i18n import LANGUAGE_NAMES, LANGUAGES, translations
from aww_gateway.problems import Problem
from aww_gateway.settings import Settings

CSRF_COOKIE = "aww_csrf"
CSRF_FIELD = "csrf_token"
TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"


@dataclass(frozen=True)
class NavItem:
    path: str
    label: str  # an English msgid, translated when rendered
    order: int = 50
    visible: Callable[[dict | None], bool] = lambda principal: principal is not None


def _static_version() -> str:
    digest = hashlib.sha256()
    for path in sorted(STATIC.rglob("*")):
        if path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


class Web:
    def __init__(self, settings: Settings, nav: list[NavItem]) -> None:
        self.settings = settings
        self.nav = sorted(nav, key=lambda item: item.order)
        self.signer = Signer(settings.secret_key, salt="csrf")
        self.static_version = _static_version()
        self.environments = {language: self._environment(language) for language in LANGUAGES}

    def _environment(self, language: str) -> Environment:
        env = Environment(
            loader=FileSystemLoader(TEMPLATES),
            autoescape=select_autoescape(["html"]),
            extensions=["jinja2.ext.i18n"],
            trim_blocks=True,
            lstrip_blocks=True,
        )
        env.install_gettext_translations(translations(language), newstyle=True)
        env.globals["static_url"] = lambda path: f"/static/{path}?v={self.static_version}"
        env.globals["language_names"] = LANGUAGE_NAMES
        env.filters["urlquote"] = lambda value: quote(str(value), safe="")
        return env

    # ---- CSRF ------------------------------------------------------------------------------

    def csrf_token(self, request: Request) -> str:
        if "csrf_token" not in request.state._state:
            cookie = request.cookies.get(CSRF_COOKIE, "")
            try:
                self.signer.unsign(cookie)
                request.state.csrf_token = cookie
            except BadSignature:
                request.state.csrf_token = self.signer.sign(secrets.token_urlsafe(24)).decode()
                request.state.csrf_new = True
        return request.state.csrf_token

    async def form(self, request: Request) -> FormData:
        """The submitted form, after the CSRF check; refuses with 403 csrf_failed."""
        form = await request.form(max_part_size=self.settings.max_upload_bytes)
        submitted = form.get(CSRF_FIELD) or request.headers.get("x-csrf-token", "")
        cookie = request.cookies.get(CSRF_COOKIE, "")
        try:
            self.signer.unsign(cookie)
        except BadSignature:
            raise Problem("csrf_failed", "The form has expired; reload the page and try again") from None
        if not isinstance(submitted, str) or not hmac.compare_digest(submitted, cookie):
            raise Problem("csrf_failed", "The form has expired; reload the page and try again")
        return form

    # ---- rendering -------------------------------------------------------------------------

    def render(self, request: Request, template: str, context: dict | None = None, status: int = 200) -> HTMLResponse:
        language = language_of(request)
        principal = getattr(request.state, "principal", None)
        values = {
            "request": request,
            "lang": language,
            "languages": LANGUAGES,
            "principal": principal,
            "nav": [item for item in self.nav if item.visible(principal)],
            "csrf_field": CSRF_FIELD,
            "csrf_token": self.csrf_token(request),
            "current_path": request.url.path,
            "development": self.settings.development,
            "correlation_id": correlation_id_of(request),
            **(context or {}),
        }
        html = self.environments[language].get_template(template).render(values)
        response = HTMLResponse(html, status_code=status)
        self.finish(request, response)
        return response

    def finish(self, request: Request, response: Response) -> Response:
        """Set the cookies a page needs (a new CSRF token, the chosen language)."""
        if getattr(request.state, "csrf_new", False):
            response.set_cookie(
                CSRF_COOKIE, request.state.csrf_token, httponly=True, samesite="lax", secure=self.settings.cookie_secure
            )
        query_lang = request.query_params.get("lang")
        if query_lang in LANGUAGES and request.cookies.get(LANGUAGE_COOKIE) != query_lang:
            response.set_cookie(LANGUAGE_COOKIE, query_lang, max_age=365 * 86400, samesite="lax")
        return response

    def error_page(self, request: Request, problem: Problem) -> HTMLResponse:
        return self.render(
            request,
            "error.html",
            {"status": problem.status, "code": problem.code, "detail": problem.detail},
            problem.status,
        )

    def redirect(self, request: Request, path: str) -> RedirectResponse:
        return self.finish(request, RedirectResponse(safe_next(path), status_code=303))


def safe_next(target: str | None, default: str = "/") -> str:
    """Only same-site relative paths: never an open redirect."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target


def web(request: Request) -> Web:
    return request.app.state.web


def login_required(handler):
    """For pages: anonymous visitors go to the login page and come back afterwards."""

    @wraps(handler)
    async def wrapper(request: Request):
        from aww_gateway.auth import resolve_principal

        if await resolve_principal(request) is None:
            return RedirectResponse(f"/login?next={quote(request.url.path, safe='/')}", status_code=303)
        return await handler(request)

    return wrapper

"""The identity web pages: log in (password, eID, itsme), register, activate, forgotten password,
profile (details, e-mail, password, eID, itsme, accreditations, sessions, privacy), and in
development the mailbox of the mail catcher.

Forms post back to their own page; a refused form is shown again with the reasons next to the
fields, in the visitor's language, and keeps what was typed (never the passwords).
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from aww_gateway.areas.identity import devmail
from aww_gateway.areas.identity.messages import translate_field, translate_problem
from aww_gateway.areas.organisation.landing import after_login
from aww_gateway.auth import client_certificate, resolve_principal
from aww_gateway.context import SESSION_COOKIE, call, language_of
from aww_gateway.i18n import N_, gettext
from aww_gateway.problems import Problem, problem_from_rpc_error
from aww_gateway.rpc_client import RemoteError
from aww_gateway.web import safe_next, web

SLUG = re.compile(r"^[a-z0-9-]{1,80}$")


# ---- helpers -------------------------------------------------------------------------------------


async def attempt(request: Request, method: str, **kwargs) -> tuple[Any, Problem | None]:
    """Call identity; a refusal (4xx) comes back as a Problem to show on the form."""
    try:
        return await call(request, "identity", method, **kwargs), None
    except RemoteError as exc:
        problem = problem_from_rpc_error(exc)
        if problem.status >= 500:
            raise
        return None, problem


def form_state(request: Request, problem: Problem | None, values: dict | None = None) -> dict:
    language = language_of(request)
    errors: dict[str, str] = {}
    message = None
    if problem is not None:
        for item in problem.extra.get("errors", []) or []:
            errors.setdefault(item["field"], translate_field(language, item["message"]))
        if not errors or problem.code != "validation_failed":
            message = translate_problem(language, problem)
    return {"errors": errors, "message": message, "values": values or {}}


def client_info(request: Request) -> dict:
    return {
        "user_agent": request.headers.get("user-agent", "")[:300] or None,
        "client_ip": request.client.host if request.client else None,
    }


DEVICE_COOKIE = "aww_device"


def with_session(request: Request, response: Response, session: dict) -> Response:
    settings = request.app.state.settings
    if session.get("device_token"):  # this browser is now known to the account (its own lockout counter)
        response.set_cookie(
            DEVICE_COOKIE,
            session["device_token"],
            httponly=True,
            secure=settings.cookie_secure,
            samesite="lax",
            max_age=365 * 86400,
            path="/login",
        )
    response.set_cookie(
        SESSION_COOKIE,
        session["token"],
        httponly=True,
        secure=settings.cookie_secure,
        samesite="lax",
        max_age=12 * 3600,
        path="/",
    )
    return response


async def logged_in(request: Request, session: dict, target: str) -> Response:
    """The new session's cookies, and on to the page asked for (through the organisation choice
    when the person works in several organisations and starred none)."""
    landing = await after_login(request, session, target)
    return with_session(request, web(request).redirect(request, landing), session)


def without_session(request: Request, response: Response) -> Response:
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


def flash_redirect(request: Request, path: str, flash: str | None = None) -> Response:
    target = safe_next(path)
    if flash:
        target += ("&" if "?" in target else "?") + f"done={quote(flash)}"
    return web(request).redirect(request, target)


BRUSSELS = ZoneInfo("Europe/Brussels")


def brussels(timestamp: str | None) -> str:
    """Times are stored in UTC and shown in Belgian time (DESIGN.md §6)."""
    if not timestamp:
        return "—"
    return datetime.fromisoformat(timestamp).astimezone(BRUSSELS).strftime("%d/%m/%Y %H:%M")


def to_login(request: Request, back_to: str) -> Response:
    return web(request).redirect(request, f"/login?next={quote(back_to, safe='/')}")


def render(request: Request, template: str, context: dict | None = None, status: int = 200) -> Response:
    return web(request).render(request, template, context or {}, status)


def page_messages(request: Request) -> list[dict]:
    done = request.query_params.get("done")
    text = DONE_MESSAGES.get(done or "")
    return [{"kind": "ok", "text": gettext(language_of(request), text)}] if text else []


DONE_MESSAGES = {
    "activated": N_("Your account is active. Log in now."),
    "registered": N_("We e-mailed you an activation code."),
    "resent": N_("If this account waits for activation, a new code is on its way."),
    "reset-sent": N_("If an account uses this address, we e-mailed it a link to choose a new password."),
    "password-reset": N_("Your new password is set. Log in with it."),
    "password-changed": N_("Your password is changed; your other sessions were logged out."),
    "profile-saved": N_("Your details are saved."),
    "email-sent": N_("We e-mailed a code to your new address. Enter it below."),
    "email-confirmed": N_("Your new e-mail address is confirmed."),
    "eid-linked": N_("Your eID card is linked. Your accreditations were fetched."),
    "accreditations": N_("Your accreditations were fetched again."),
    "itsme-linked": N_("itsme is linked to your account."),
    "itsme-unlinked": N_("itsme is no longer linked to your account."),
    "session-closed": N_("The session is logged out."),
    "logged-out": N_("You are logged out."),
    "deleted": N_("Your account is deleted."),
    "anonymised": N_("Your account is closed and your personal data were removed."),
    "deactivated": N_("Your account is deactivated. Choose a new password to reactivate it."),
}


def test_cards(request: Request) -> list[dict]:
    """Development only: the test PKI's cards, to play the ingress without a card reader."""
    return devmail.test_cards() if request.app.state.settings.development else []


def certificate_from(request: Request, form) -> str | None:
    certificate = client_certificate(request)
    if certificate is None and request.app.state.settings.development:
        chosen = str(form.get("test_card") or "")
        if SLUG.match(chosen):
            certificate = devmail.test_card_pem(chosen)
    return certificate


# ---- log in and out ------------------------------------------------------------------------------


async def login_page(request: Request):
    if await resolve_principal(request):
        return web(request).redirect(request, safe_next(request.query_params.get("next"), "/profile"))
    return render(
        request,
        "identity/login.html",
        {
            "next": safe_next(request.query_params.get("next"), "/"),
            "messages": page_messages(request),
            "test_cards": test_cards(request),
            **form_state(request, None),
        },
    )


async def login_submit(request: Request):
    form = await web(request).form(request)
    target = safe_next(str(form.get("next") or ""), "/")
    username = str(form.get("username") or "")
    session, problem = await attempt(
        request,
        "login",
        username=username,
        password=str(form.get("password") or ""),
        device_token=request.cookies.get(DEVICE_COOKIE),
        **client_info(request),
    )
    if problem is not None:
        status = 429 if problem.code == "account_locked" else 400
        return render(
            request,
            "identity/login.html",
            {"next": target, "test_cards": test_cards(request), **form_state(request, problem, {"username": username})},
            status,
        )
    return await logged_in(request, session, target)


async def login_eid(request: Request):
    form = await web(request).form(request)
    target = safe_next(str(form.get("next") or ""), "/")
    certificate = certificate_from(request, form)
    if certificate is None:
        problem = Problem("eid_refused", "No eID certificate", reason="missing")
        return render(
            request,
            "identity/login.html",
            {"next": target, "test_cards": test_cards(request), **form_state(request, problem)},
            400,
        )
    session, problem = await attempt(request, "login_eid", certificate=certificate, **client_info(request))
    if problem is not None:
        return render(
            request,
            "identity/login.html",
            {"next": target, "test_cards": test_cards(request), **form_state(request, problem)},
            400,
        )
    return await logged_in(request, session, target)


async def logout(request: Request):
    await web(request).form(request)
    if await resolve_principal(request):
        await call(request, "identity", "logout")
    return without_session(request, flash_redirect(request, "/login", "logged-out"))


# ---- register and activate -----------------------------------------------------------------------

REGISTRATION_FIELDS = ("username", "first_name", "last_name", "email", "language")
PROPOSAL_NOTICE = N_("We propose this username. You may change it; it cannot be changed after registration.")


async def register_page(request: Request):
    values = {"language": language_of(request)}
    return render(request, "identity/register.html", form_state(request, None, values))


async def register_submit(request: Request):
    form = await web(request).form(request)
    data = {field: str(form.get(field) or "") for field in REGISTRATION_FIELDS}
    data["password"] = str(form.get("password") or "")
    data["password_confirmation"] = str(form.get("password_confirmation") or "")
    if data["language"] not in ("nl", "fr", "en"):
        data["language"] = language_of(request)
    if not data["username"].strip() and data["first_name"].strip() and data["last_name"].strip():
        proposal = await call(
            request, "identity", "propose_username", first_name=data["first_name"], last_name=data["last_name"]
        )
        values = {field: data[field] for field in REGISTRATION_FIELDS} | proposal
        notice = gettext(language_of(request), PROPOSAL_NOTICE)
        return render(
            request,
            "identity/register.html",
            {**form_state(request, None, values), "messages": [{"kind": "ok", "text": notice}]},
        )
    account, problem = await attempt(request, "register", **data)
    if problem is not None:
        values = {field: data[field] for field in REGISTRATION_FIELDS}
        return render(request, "identity/register.html", form_state(request, problem, values), 400)
    return flash_redirect(request, f"/activate?username={quote(account['username'])}", "registered")


async def activate_page(request: Request):
    values = {"username": request.query_params.get("username", ""), "code": request.query_params.get("code", "")}
    return render(
        request, "identity/activate.html", {"messages": page_messages(request), **form_state(request, None, values)}
    )


async def activate_submit(request: Request):
    form = await web(request).form(request)
    username, code = str(form.get("username") or ""), str(form.get("code") or "")
    if form.get("resend"):
        await attempt(request, "resend_activation", username=username)
        return flash_redirect(request, f"/activate?username={quote(username)}", "resent")
    _, problem = await attempt(request, "activate", username=username, code=code)
    if problem is not None:
        return render(
            request, "identity/activate.html", form_state(request, problem, {"username": username, "code": code}), 400
        )
    return flash_redirect(request, f"/login?next=/profile&username={quote(username)}", "activated")


# ---- forgotten password --------------------------------------------------------------------------


async def forgot_page(request: Request):
    return render(request, "identity/forgot.html", {"messages": page_messages(request), **form_state(request, None)})


async def forgot_submit(request: Request):
    form = await web(request).form(request)
    email = str(form.get("email") or "")
    _, problem = await attempt(request, "request_password_reset", email=email)
    if problem is not None:
        return render(request, "identity/forgot.html", form_state(request, problem, {"email": email}), 400)
    return flash_redirect(request, "/password/forgot", "reset-sent")


async def reset_page(request: Request):
    return render(
        request, "identity/reset.html", {"token": request.query_params.get("token", ""), **form_state(request, None)}
    )


async def reset_submit(request: Request):
    form = await web(request).form(request)
    token = str(form.get("token") or "")
    _, problem = await attempt(
        request,
        "reset_password",
        token=token,
        new_password=str(form.get("new_password") or ""),
        new_password_confirmation=str(form.get("new_password_confirmation") or ""),
    )
    if problem is not None:
        return render(request, "identity/reset.html", {"token": token, **form_state(request, problem)}, 400)
    return flash_redirect(request, "/login", "password-reset")


# ---- profile -------------------------------------------------------------------------------------


async def _profile_page(
    request: Request,
    problem: Problem | None = None,
    section: str | None = None,
    values: dict | None = None,
    status: int = 200,
) -> Response:
    principal = await resolve_principal(request)
    if principal is None:
        return to_login(request, request.url.path)
    profile = await call(request, "identity", "get_profile")
    sessions = [
        item | {"created_local": brussels(item["created_at"]), "last_seen_local": brussels(item["last_seen_at"])}
        for item in await call(request, "identity", "list_sessions")
    ]
    state = form_state(request, problem, values)
    return render(
        request,
        "identity/profile.html",
        {
            "profile": profile,
            "sessions": sessions,
            "section": section,
            "messages": page_messages(request),
            "test_cards": test_cards(request),
            **state,
        },
        status,
    )


async def profile_page(request: Request):
    return await _profile_page(request)


async def _profile_action(
    request: Request,
    section: str,
    method: str,
    done: str,
    fields: tuple[str, ...] = (),
    keep: tuple[str, ...] = (),
    **fixed,
) -> Response:
    if await resolve_principal(request) is None:
        return to_login(request, "/profile")
    form = await web(request).form(request)
    kwargs = {field: str(form.get(field) or "") for field in fields} | fixed
    result, problem = await attempt(request, method, **kwargs)
    if problem is not None:
        values = {field: kwargs.get(field, "") for field in keep}
        return await _profile_page(request, problem, section, values, 400)
    response = flash_redirect(request, f"/profile#{section}", done)
    if isinstance(result, dict) and "token" in result:  # a password change opens a new session
        with_session(request, response, result)
    return response


async def profile_details(request: Request):
    if await resolve_principal(request) is None:
        return to_login(request, "/profile")
    form = await web(request).form(request)
    changes: dict = {"phone": str(form.get("phone") or "") or None}
    if form.get("language") in ("nl", "fr", "en"):
        changes["language"] = form.get("language")
    for field in ("first_name", "last_name"):
        if field in form:
            changes[field] = str(form.get(field) or "")
    if "birth_date" in form:
        changes["birth_date"] = str(form.get("birth_date") or "") or None
    if "gender" in form:
        changes["gender"] = str(form.get("gender") or "") or None
    profile, problem = await attempt(request, "update_profile", **changes)
    if problem is not None:
        return await _profile_page(request, problem, "details", changes, 400)
    response = flash_redirect(request, "/profile#details", "profile-saved")
    from aww_gateway.context import LANGUAGE_COOKIE

    response.set_cookie(LANGUAGE_COOKIE, profile["language"], max_age=365 * 86400, samesite="lax")
    return response


async def profile_password(request: Request):
    return await _profile_action(
        request,
        "password",
        "change_password",
        "password-changed",
        ("current_password", "new_password", "new_password_confirmation"),
        **client_info(request),
    )


async def profile_email(request: Request):
    return await _profile_action(
        request, "email", "request_email_change", "email-sent", ("new_email",), keep=("new_email",)
    )


async def profile_email_confirm(request: Request):
    return await _profile_action(request, "email", "confirm_email_change", "email-confirmed", ("code",))


async def profile_email_cancel(request: Request):
    return await _profile_action(request, "email", "cancel_email_change", "profile-saved")


async def profile_eid(request: Request):
    if await resolve_principal(request) is None:
        return to_login(request, "/profile")
    form = await web(request).form(request)
    certificate = certificate_from(request, form)
    if certificate is None:
        return await _profile_page(
            request, Problem("eid_refused", "No eID certificate", reason="missing"), "eid", status=400
        )
    _, problem = await attempt(request, "link_eid", certificate=certificate)
    if problem is not None:
        return await _profile_page(request, problem, "eid", status=400)
    return flash_redirect(request, "/profile#eid", "eid-linked")


async def profile_accreditations(request: Request):
    return await _profile_action(request, "accreditations", "refresh_accreditations", "accreditations")


async def profile_itsme_unlink(request: Request):
    return await _profile_action(request, "itsme", "unlink_itsme", "itsme-unlinked")


async def profile_session_close(request: Request):
    return await _profile_action(
        request, "sessions", "revoke_session", "session-closed", session_id=request.path_params["session_id"]
    )


async def profile_sessions_close_all(request: Request):
    if await resolve_principal(request) is None:
        return to_login(request, "/profile")
    await web(request).form(request)
    await call(request, "identity", "logout_everywhere")
    return without_session(request, flash_redirect(request, "/login", "logged-out"))


async def profile_privacy(request: Request):
    if await resolve_principal(request) is None:
        return to_login(request, "/profile")
    form = await web(request).form(request)
    action = form.get("action")
    method = {"deactivate": "deactivate_account", "delete": "delete_account"}.get(str(action))
    if method is None:
        raise Problem("validation_failed", "action: choose deactivate or delete")
    result, problem = await attempt(request, method, password=str(form.get("password") or ""))
    if problem is not None:
        return await _profile_page(request, problem, "privacy", status=400)
    done = "deactivated" if method == "deactivate_account" else (result or {}).get("outcome", "deleted")
    return without_session(request, flash_redirect(request, "/login", done))


# ---- itsme ---------------------------------------------------------------------------------------


async def itsme_start(request: Request):
    purpose = request.query_params.get("purpose", "login")
    if purpose == "link" and await resolve_principal(request) is None:
        return to_login(request, "/profile")
    redirect_uri = f"{request.app.state.settings.public_url.rstrip('/')}/itsme/callback"
    result, problem = await attempt(request, "itsme_start", purpose=purpose, redirect_uri=redirect_uri)
    if problem is not None:
        if purpose == "link":
            return await _profile_page(request, problem, "itsme", status=problem.status)
        return render(
            request,
            "identity/login.html",
            {"next": "/", "test_cards": test_cards(request), **form_state(request, problem)},
            problem.status,
        )
    return RedirectResponse(result["authorization_url"], status_code=303)


async def itsme_callback(request: Request):
    await resolve_principal(request)  # a link needs the logged-in account
    params = request.query_params
    if params.get("error"):
        problem = Problem("itsme_refused", "itsme did not confirm", reason="cancelled")
        return render(
            request,
            "identity/login.html",
            {"next": "/", "test_cards": test_cards(request), **form_state(request, problem)},
            400,
        )
    result, problem = await attempt(
        request, "itsme_finish", state=params.get("state", ""), code=params.get("code", ""), **client_info(request)
    )
    if problem is not None:
        return render(
            request,
            "identity/login.html",
            {"next": "/", "test_cards": test_cards(request), **form_state(request, problem)},
            400,
        )
    if result["purpose"] == "link":
        return flash_redirect(request, "/profile#itsme", "itsme-linked")
    return await logged_in(request, result["session"], "/")


# ---- development mailbox -------------------------------------------------------------------------


def _require_development(request: Request) -> Path:
    folder = devmail.mailbox_dir()
    if not request.app.state.settings.development or folder is None:
        raise Problem("not_found", f"Nothing is found at {request.url.path}")
    return folder


async def mailbox_page(request: Request):
    folder = _require_development(request)
    return render(request, "identity/mailbox.html", {"mails": devmail.list_mails(folder)})


async def mail_page(request: Request):
    folder = _require_development(request)
    mail = devmail.read_mail(folder, request.path_params["mail_id"])
    if mail is None:
        raise Problem("not_found", "There is no such mail")
    return render(request, "identity/mail.html", {"mail": mail})

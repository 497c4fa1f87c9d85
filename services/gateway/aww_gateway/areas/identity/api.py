"""The identity part of the JSON API: accounts, sessions, passwords, profile, eID, privacy.

Logging in answers a session token: send it as `Authorization: Bearer <token>`. The web pages
use the same operations of the identity service with a cookie instead (pages.py).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import Field
from pydantic.json_schema import SkipJsonSchema

from aww_gateway.api import ApiCall, ApiModel, omissible, operation_factory
from aww_gateway.auth import client_certificate
from aww_gateway.problems import Problem

Language = Literal["nl", "fr", "en"]
TAG = "identity"


def client_info(call: ApiCall) -> dict:
    request = call.request
    return {
        "user_agent": request.headers.get("user-agent", "")[:300] or None,
        "client_ip": request.client.host if request.client else None,
    }


# ---- models --------------------------------------------------------------------------------------


class Registration(ApiModel):
    username: str = Field(max_length=100, description="Unique, lower case, cannot change later")
    first_name: str = Field(max_length=300, description="As on the identity card")
    last_name: str = Field(max_length=300, description="As on the identity card")
    email: str = Field(max_length=320)
    password: str = Field(max_length=200)
    password_confirmation: str = Field(max_length=200)
    language: Language = "nl"


class RegisteredAccount(ApiModel):
    account_id: str
    username: str
    status: str


class NamesQuery(ApiModel):
    first_name: str = Field(max_length=300)
    last_name: str = Field(max_length=300)


class UsernameProposal(ApiModel):
    username: str


class Activation(ApiModel):
    username: str = Field(max_length=100)
    code: str = Field(max_length=50, description="The code from the activation mail, e.g. ABCD-EF23")


class ActivatedAccount(ApiModel):
    account_id: str
    username: str


class ResendActivation(ApiModel):
    username: str = Field(max_length=100)


class Credentials(ApiModel):
    username: str = Field(max_length=100)
    password: str = Field(max_length=200)
    device_token: str | None = Field(
        default=None,
        max_length=200,
        description="The device_token an earlier login gave this client: failed attempts of strangers elsewhere "
        "then never lock it out",
    )


class Session(ApiModel):
    token: str = Field(description="Send as Authorization: Bearer <token>; store it like a password")
    session_id: str
    account_id: str
    expires_at: str = Field(description="Absolute expiry; the session also ends after idle_timeout_seconds unused")
    idle_timeout_seconds: int
    language: Language
    device_token: str | None = Field(
        default=None, description="Keep it and send it with later password logins (null: keep the one you have)"
    )


class Principal(ApiModel):
    account_id: str
    session_id: str
    organisation_id: str | None
    platform_admin: bool
    username: str
    display_name: str
    language: Language


class SessionInfo(ApiModel):
    session_id: str
    method: Literal["password", "eid", "itsme"]
    created_at: str
    last_seen_at: str
    expires_at: str
    user_agent: str | None
    client_ip: str | None
    current: bool


class Revoked(ApiModel):
    revoked: int


class ForgottenPassword(ApiModel):
    email: str = Field(max_length=320)


class PasswordReset(ApiModel):
    token: str = Field(max_length=200, description="From the link in the reset mail")
    new_password: str = Field(max_length=200)
    new_password_confirmation: str = Field(max_length=200)


class PasswordResetDone(ApiModel):
    username: str


class PasswordChange(ApiModel):
    current_password: str = Field(max_length=200)
    new_password: str = Field(max_length=200)
    new_password_confirmation: str = Field(max_length=200)


class Accreditation(ApiModel):
    kind: str = Field(description="biv (BIV agent number), sf323 (verified employee), cib (CIB member)")
    number: str
    valid_until: str | None


class EidInfo(ApiModel):
    linked: bool
    national_number: str | None = Field(description="Masked: only the last four digits")
    linked_at: str | None
    card_valid_until: str | None


class Profile(ApiModel):
    account_id: str
    username: str
    first_name: str
    last_name: str
    email: str | None
    pending_email: str | None
    birth_date: str | None
    gender: Literal["male", "female"] | None
    phone: str | None
    language: Language
    status: str
    platform_admin: bool
    profile_locked: bool = Field(description="True once the eID is linked: names, birth date and gender are locked")
    eid: EidInfo
    itsme_linked: bool
    accreditations: list[Accreditation]
    created_at: str


class ProfileChange(ApiModel):
    first_name: Annotated[str, Field(max_length=300)] | SkipJsonSchema[None] = omissible()
    last_name: Annotated[str, Field(max_length=300)] | SkipJsonSchema[None] = omissible()
    phone: str | None = Field(default=None, max_length=40, description="null: no phone number")
    language: Language | SkipJsonSchema[None] = omissible()
    birth_date: date | None = None
    gender: Literal["male", "female"] | None = None


class EmailChange(ApiModel):
    new_email: str = Field(max_length=320)


class PendingEmail(ApiModel):
    pending_email: str


class EmailCode(ApiModel):
    code: str = Field(max_length=50)


class ConfirmedEmail(ApiModel):
    email: str


class PasswordConfirmation(ApiModel):
    password: str = Field(max_length=200)


class DeletionOutcome(ApiModel):
    outcome: Literal["deleted", "anonymised"]


class PlatformAdminChange(ApiModel):
    platform_admin: bool


# ---- handlers ------------------------------------------------------------------------------------


async def register(call: ApiCall):
    return await call.rpc("identity", "register", **call.body.model_dump())


async def propose_username(call: ApiCall):
    return await call.rpc(
        "identity", "propose_username", first_name=call.query.first_name, last_name=call.query.last_name
    )


async def activate(call: ApiCall):
    return await call.rpc("identity", "activate", username=call.body.username, code=call.body.code)


async def resend_activation(call: ApiCall):
    await call.rpc("identity", "resend_activation", username=call.body.username)


async def login(call: ApiCall):
    return await call.rpc(
        "identity",
        "login",
        username=call.body.username,
        password=call.body.password,
        device_token=call.body.device_token,
        **client_info(call),
    )


def require_certificate(call: ApiCall) -> str:
    certificate = client_certificate(call.request)
    if certificate is None:
        raise Problem("eid_refused", "No eID certificate came with this request (insert the card)", reason="missing")
    return certificate


async def login_eid(call: ApiCall):
    return await call.rpc("identity", "login_eid", certificate=require_certificate(call), **client_info(call))


async def current_session(call: ApiCall):
    return call.principal


async def logout(call: ApiCall):
    await call.rpc("identity", "logout")


async def list_sessions(call: ApiCall):
    return await call.rpc("identity", "list_sessions")


async def logout_everywhere(call: ApiCall):
    return await call.rpc("identity", "logout_everywhere")


async def revoke_session(call: ApiCall):
    await call.rpc("identity", "revoke_session", session_id=call.path["session_id"])


async def forgot_password(call: ApiCall):
    await call.rpc("identity", "request_password_reset", email=call.body.email)


async def reset_password(call: ApiCall):
    return await call.rpc("identity", "reset_password", **call.body.model_dump())


async def change_password(call: ApiCall):
    return await call.rpc("identity", "change_password", **call.body.model_dump(), **client_info(call))


async def get_profile(call: ApiCall):
    return await call.rpc("identity", "get_profile")


async def update_profile(call: ApiCall):
    changes = call.body.model_dump(exclude_unset=True, mode="json")
    return await call.rpc("identity", "update_profile", **changes)


async def request_email_change(call: ApiCall):
    return await call.rpc("identity", "request_email_change", new_email=call.body.new_email)


async def confirm_email_change(call: ApiCall):
    return await call.rpc("identity", "confirm_email_change", code=call.body.code)


async def link_eid(call: ApiCall):
    return await call.rpc("identity", "link_eid", certificate=require_certificate(call))


async def refresh_accreditations(call: ApiCall):
    return await call.rpc("identity", "refresh_accreditations")


async def deactivate(call: ApiCall):
    await call.rpc("identity", "deactivate_account", password=call.body.password)


async def delete(call: ApiCall):
    return await call.rpc("identity", "delete_account", password=call.body.password)


async def set_platform_admin(call: ApiCall):
    await call.rpc(
        "identity", "set_platform_admin", account_id=call.path["account_id"], platform_admin=call.body.platform_admin
    )


_op = operation_factory(tag=TAG)

CODE_ERRORS = ("invalid_code", "code_expired")

OPERATIONS = [
    _op(
        "POST",
        "/api/v1/accounts",
        "registerAccount",
        "Register an account; an activation code is e-mailed",
        register,
        body=Registration,
        response=RegisteredAccount,
        status=201,
        auth="public",
        errors=("conflict",),
    ),
    _op(
        "GET",
        "/api/v1/accounts/username-proposal",
        "proposeUsername",
        "A free username made from the names, to propose at registration",
        propose_username,
        query=NamesQuery,
        response=UsernameProposal,
        auth="public",
    ),
    _op(
        "POST",
        "/api/v1/accounts/activation",
        "activateAccount",
        "Activate an account with the e-mailed code",
        activate,
        body=Activation,
        response=ActivatedAccount,
        auth="public",
        errors=CODE_ERRORS,
    ),
    _op(
        "POST",
        "/api/v1/accounts/activation/resend",
        "resendActivation",
        "E-mail a new activation code (same answer whether or not the username exists)",
        resend_activation,
        body=ResendActivation,
        status=202,
        auth="public",
    ),
    _op(
        "POST",
        "/api/v1/sessions",
        "logIn",
        "Log in with username and password; answers a session token",
        login,
        body=Credentials,
        response=Session,
        status=201,
        auth="public",
        errors=("invalid_credentials", "account_locked", "account_not_activated", "account_deactivated"),
    ),
    _op(
        "POST",
        "/api/v1/sessions/eid",
        "logInWithEid",
        "Log in with the eID card the ingress verified (header ssl-client-cert)",
        login_eid,
        response=Session,
        status=201,
        auth="public",
        errors=("eid_refused", "eid_unknown", "account_deactivated"),
    ),
    _op(
        "GET",
        "/api/v1/session",
        "getCurrentSession",
        "Who is logged in with this token",
        current_session,
        response=Principal,
        errors=("unauthenticated",),
    ),
    _op("DELETE", "/api/v1/session", "logOut", "Log out: the token stops working at once", logout, status=204),
    _op(
        "GET",
        "/api/v1/sessions",
        "listSessions",
        "The account's open sessions",
        list_sessions,
        response=list[SessionInfo],
    ),
    _op(
        "DELETE",
        "/api/v1/sessions",
        "logOutEverywhere",
        "Close every session of the account, this one too",
        logout_everywhere,
        response=Revoked,
    ),
    _op(
        "DELETE",
        "/api/v1/sessions/{session_id}",
        "closeSession",
        "Close one session of the account",
        revoke_session,
        status=204,
        errors=("not_found",),
    ),
    _op(
        "POST",
        "/api/v1/password/forgot",
        "forgotPassword",
        "E-mail a single-use reset link (same answer whether or not the address is known)",
        forgot_password,
        body=ForgottenPassword,
        status=202,
        auth="public",
    ),
    _op(
        "POST",
        "/api/v1/password/reset",
        "resetPassword",
        "Choose a new password with the link's token",
        reset_password,
        body=PasswordReset,
        response=PasswordResetDone,
        auth="public",
        errors=("code_expired",),
    ),
    _op(
        "PUT",
        "/api/v1/account/password",
        "changePassword",
        "Change the password: every session closes; answers a new session",
        change_password,
        body=PasswordChange,
        response=Session,
    ),
    _op("GET", "/api/v1/account", "getProfile", "The logged-in account's profile", get_profile, response=Profile),
    _op(
        "PATCH",
        "/api/v1/account",
        "updateProfile",
        "Change contact details and language (names, birth date and gender are locked once the eID is linked)",
        update_profile,
        body=ProfileChange,
        response=Profile,
        errors=("profile_locked",),
    ),
    _op(
        "POST",
        "/api/v1/account/email",
        "requestEmailChange",
        "Send a code to a new address; the old one stays in force until confirmed",
        request_email_change,
        body=EmailChange,
        response=PendingEmail,
        status=202,
    ),
    _op(
        "POST",
        "/api/v1/account/email/confirmation",
        "confirmEmailChange",
        "Confirm the new address with its code",
        confirm_email_change,
        body=EmailCode,
        response=ConfirmedEmail,
        errors=CODE_ERRORS,
    ),
    _op(
        "POST",
        "/api/v1/account/eid",
        "linkEid",
        "Link the eID card the ingress verified; names come from the card, accreditations are fetched",
        link_eid,
        response=Profile,
        errors=("eid_refused", "eid_already_linked"),
    ),
    _op(
        "POST",
        "/api/v1/account/accreditations/refresh",
        "refreshAccreditations",
        "Fetch the accreditations again from the registers",
        refresh_accreditations,
        response=list[Accreditation],
        errors=("eid_required", "register_unavailable"),
    ),
    _op(
        "POST",
        "/api/v1/account/deactivation",
        "deactivateAccount",
        "Deactivate the account (privacy)",
        deactivate,
        body=PasswordConfirmation,
        status=204,
    ),
    _op(
        "POST",
        "/api/v1/account/deletion",
        "deleteAccount",
        "Delete the account: never used → deleted, used → anonymised",
        delete,
        body=PasswordConfirmation,
        response=DeletionOutcome,
    ),
    _op(
        "PUT",
        "/api/v1/accounts/{account_id}/platform-admin",
        "setPlatformAdmin",
        "Grant or withdraw the platform administrator role",
        set_platform_admin,
        body=PlatformAdminChange,
        status=204,
        auth="platform_admin",
        errors=("not_found",),
    ),
]

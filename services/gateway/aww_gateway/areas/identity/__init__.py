"""Identity in the gateway: accounts, sessions, passwords, profile, eID, itsme, privacy (issue 3).

JSON operations in api.py, pages in pages.py, templates in templates/identity/, texts in
locale/<lang>/LC_MESSAGES/identity.po.
"""

from __future__ import annotations

from starlette.routing import Route

from aww_gateway.areas import Area
from aww_gateway.areas.identity import pages
from aww_gateway.areas.identity.api import OPERATIONS


def _get(path, endpoint):
    return Route(path, endpoint, methods=["GET"])


def _post(path, endpoint):
    return Route(path, endpoint, methods=["POST"])


AREA = Area(
    name="identity",
    operations=OPERATIONS,
    web_routes=[
        _get("/login", pages.login_page),
        _post("/login", pages.login_submit),
        _post("/login/eid", pages.login_eid),
        _post("/logout", pages.logout),
        _get("/register", pages.register_page),
        _post("/register", pages.register_submit),
        _get("/activate", pages.activate_page),
        _post("/activate", pages.activate_submit),
        _get("/password/forgot", pages.forgot_page),
        _post("/password/forgot", pages.forgot_submit),
        _get("/password/reset", pages.reset_page),
        _post("/password/reset", pages.reset_submit),
        _get("/profile", pages.profile_page),
        _post("/profile", pages.profile_details),
        _post("/profile/password", pages.profile_password),
        _post("/profile/email", pages.profile_email),
        _post("/profile/email/confirm", pages.profile_email_confirm),
        _post("/profile/email/cancel", pages.profile_email_cancel),
        _post("/profile/eid", pages.profile_eid),
        _post("/profile/accreditations", pages.profile_accreditations),
        _post("/profile/itsme/unlink", pages.profile_itsme_unlink),
        _post("/profile/sessions/{session_id}/close", pages.profile_session_close),
        _post("/profile/sessions/close-all", pages.profile_sessions_close_all),
        _post("/profile/privacy", pages.profile_privacy),
        _get("/itsme/start", pages.itsme_start),
        _get("/itsme/callback", pages.itsme_callback),
        _get("/dev/mailbox", pages.mailbox_page),
        _get("/dev/mailbox/{mail_id}", pages.mail_page),
    ],
)

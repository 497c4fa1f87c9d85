"""Where a fresh web login goes (issue 4 §4, DOMAIN.md §1: "a user picks the active organisation at
login, can star a default").

The identity pages call `after_login` once a password, eID or itsme login opened a session: the
starred organisation, or the only one, becomes the session's active organisation at once and the
person goes on to the page they asked for; with several and none starred the choice page asks
first (and then goes on); with none, straight on. The rule itself (starred, else the only one) is
the organisation service's `choose_at_login`.
"""

from __future__ import annotations

import logging
from urllib.parse import quote

from starlette.requests import Request

from aww_gateway.areas.organisation.names import remember
from aww_gateway.context import call
from aww_gateway.rpc_client import RpcError

log = logging.getLogger(__name__)

CHOOSER = "/organisations/choose"


def chooser_url(target: str) -> str:
    return f"{CHOOSER}?next={quote(target, safe='/')}"


async def after_login(request: Request, session: dict, target: str) -> str:
    """The path to send the browser to after `session` (identity's login answer) was opened."""
    principal = {
        "account_id": session["account_id"],
        "session_id": session["session_id"],
        "organisation_id": None,
        "platform_admin": False,
    }
    try:
        chosen = await call(request, "organisation", "choose_at_login", principal=principal)
        if chosen["organisation_id"]:
            active = await call(
                request,
                "organisation",
                "switch_organisation",
                principal=principal,
                organisation_id=chosen["organisation_id"],
            )
            remember(request, active)
            return target
        if chosen["choices"] > 1:
            return chooser_url(target)
    except RpcError as exc:  # the login stands; the header links to the choice page meanwhile
        log.warning("no active organisation chosen at login", extra={"error": type(exc).__name__})
    return target

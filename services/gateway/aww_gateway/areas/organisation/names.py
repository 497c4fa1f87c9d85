"""The active organisation's name in the page header.

The session knows only the active organisation's id (identity keeps it); pages render
synchronously, so the names this gateway process has seen are remembered here (organisation names
are not secret to the member who sees them, and change rarely). A page whose active organisation
the process has not seen yet shows a neutral link to the choice page instead.
"""

from __future__ import annotations

from starlette.requests import Request

MAX_REMEMBERED = 10_000


def _names(request: Request) -> dict:
    state = request.app.state
    if not hasattr(state, "organisation_names"):
        state.organisation_names = {}
    return state.organisation_names


def remember(request: Request, organisation: dict | None) -> None:
    if not organisation or not organisation.get("organisation_id") or not organisation.get("name"):
        return
    names = _names(request)
    if len(names) >= MAX_REMEMBERED:
        names.clear()
    names[organisation["organisation_id"]] = organisation["name"]


def remember_all(request: Request, organisations: list[dict]) -> None:
    for organisation in organisations:
        remember(request, organisation)

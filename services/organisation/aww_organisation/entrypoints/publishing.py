"""The two event streams (contracts/events/organisation.*.json), always with the full current
state and a version from a PostgreSQL sequence taken while the changed rows are locked."""

from __future__ import annotations

from aww_organisation import store
from aww_organisation.domain.catalogue import tool
from aww_organisation.views import address_of
from servicekit.outbox import add_event


def active_tools(session, organisation) -> list[str]:
    """Registered tools whose allow-list condition holds: the tools members can have roles in."""
    allowed = store.allow_listed_tools(session, organisation.enterprise_number)
    found = []
    for code in store.registrations(session, organisation.id):
        tool_ = tool(code)
        if tool_ is not None and (not tool_.requires_allow_list or code in allowed):
            found.append(code)
    return sorted(found)


def publish_access(session, organisation, account_id, tools: list[str] | None = None) -> dict:
    membership = store.membership(session, organisation.id, account_id)
    tools = active_tools(session, organisation) if tools is None else tools
    roles = store.roles_of(session, organisation.id, account_id).get(account_id, {})
    removed = membership.status == "removed"
    data = {
        "organisation_id": str(organisation.id),
        "account_id": str(account_id),
        "membership_status": membership.status,
        "admin": bool(membership.admin) and not removed,
        "tools": {} if removed else {code: roles.get(code, "none") for code in tools},
        "display_name": store.display_name(store.account(session, account_id)),
        "version": store.next_version(session, store.access_version),
    }
    add_event(session, "access_changed", data)
    return data


def publish_access_of_everyone(session, organisation) -> None:
    tools = active_tools(session, organisation)
    for row in store.memberships_of_organisation(session, organisation.id):
        publish_access(session, organisation, row.account_id, tools)


def publish_organisation(session, organisation) -> None:
    add_event(
        session,
        "organisation_changed",
        {
            "organisation_id": str(organisation.id),
            "enterprise_number": organisation.enterprise_number,
            "name": organisation.name,
            "address": address_of(organisation),
            "vat_liable": organisation.vat_liable,
            "vat_number": f"BE{organisation.enterprise_number}" if organisation.vat_liable else None,
            "version": store.next_version(session, store.organisation_version),
        },
    )

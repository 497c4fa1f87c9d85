"""`authorize`: may account A do action X with tool T in organisation O? For other services and
tools that prefer asking over keeping the read model (contracts/SERVICES.md)."""

from __future__ import annotations

from aww_organisation import store
from aww_organisation.domain.catalogue import tool as find_tool
from aww_organisation.domain.rules import Decision, Registration, decide
from servicekit.entrypoints import rpc


class AuthorizationEntrypoints:
    @rpc
    def authorize(self, account_id, organisation_id, tool, action):
        """→ {"allowed": bool, "role": str, "reason": str}; reasons: ok, not_member,
        membership_pending, membership_blocked, unknown_tool, unknown_action, tool_not_registered,
        not_on_allow_list, blocked, no_access, role_insufficient, missing_accreditation, not_admin.
        An organisation that does not exist answers like one the account is not a member of."""
        account = store.as_uuid(account_id)
        organisation_uuid = store.as_uuid(organisation_id)
        tool_ = find_tool(tool) if isinstance(tool, str) else None
        if tool_ is None:
            return Decision(False, "none", "unknown_tool").as_dict()
        if account is None or organisation_uuid is None:
            return Decision(False, "none", "not_member").as_dict()
        organisation = store.get_organisation(self.db, organisation_uuid)
        if organisation is None:
            return Decision(False, "none", "not_member").as_dict()
        member = store.member_of(self.db, organisation_uuid, account)
        registered = tool_.code in store.registrations(self.db, organisation_uuid)
        allow_listed = not tool_.requires_allow_list or store.is_allow_listed(
            self.db, tool_.code, organisation.enterprise_number
        )
        action_ = action if isinstance(action, str) else ""
        return decide(member, tool_.code, action_, Registration(registered, allow_listed)).as_dict()

"""The tool catalogue per organisation, registrations, per-tool roles and the allow-list."""

from __future__ import annotations

from sqlalchemy import delete, insert, select

from aww_contracts.errors import DomainError, field_error
from aww_organisation import store
from aww_organisation.domain.catalogue import AML, missing, tool, tools_in_order
from aww_organisation.domain.identifiers import clean_text, normalise_enterprise_number
from aww_organisation.domain.rules import check_role_change, require_accreditations
from aww_organisation.entrypoints import guards
from aww_organisation.entrypoints.publishing import active_tools, publish_access, publish_access_of_everyone
from aww_organisation.views import gaps_view, tool_view
from servicekit.entrypoints import rpc


def _tool_or_refuse(code):
    found = tool(code) if isinstance(code, str) else None
    if found is None:
        raise field_error("tool", "There is no such tool")
    return found


class ToolEntrypoints:
    @rpc
    def tool_catalogue(self):
        """Every tool with the accreditations it needs (public data)."""
        return [tool_view(t) for t in tools_in_order()]

    @rpc
    def list_tools(self, organisation_id):
        """The catalogue as seen by one organisation: registered or not, allow-listed or not, and
        which confirmed members hold each accreditation the tool asks for."""
        found = guards.seat(self.db, self.context, organisation_id)
        registered = store.registrations(self.db, found.organisation_id)
        allowed = store.allow_listed_tools(self.db, found.organisation.enterprise_number)
        members = store.members_of(self.db, found.organisation_id, ("confirmed",))
        known = store.accounts_by_id(self.db, [store.as_uuid(m.account_id) for m in members])
        me = next((m for m in members if m.account_id == str(found.account_id)), None)
        result = []
        for tool_ in tools_in_order():
            registration = registered.get(tool_.code)
            allow_listed = not tool_.requires_allow_list or tool_.code in allowed
            holders = {
                kind: sorted(
                    filter(
                        None,
                        (
                            store.display_name(known.get(store.as_uuid(m.account_id)))
                            for m in members
                            if m.facts.holds(kind)
                        ),
                    )
                )
                for kind in tool_.accreditation_kinds()
            }
            result.append(
                tool_view(tool_)
                | {
                    "registered": registration is not None,
                    "registered_at": registration.registered_at.isoformat() if registration else None,
                    "registered_by": store.display_name(known.get(registration.registered_by))
                    if registration
                    else None,
                    "allow_listed": allow_listed,
                    "active": registration is not None and allow_listed,
                    "holders": holders,
                    "my_role": me.role(tool_.code) if me and registration else "none",
                    "my_register_gaps": gaps_view(missing(tool_.register_requires, me.facts)) if me else [],
                }
            )
        return result

    @rpc
    def register_tool(self, organisation_id, tool):
        """An admin holding the tool's registration accreditations registers it; the AML tool also
        needs the enterprise number on the operator's allow-list."""
        found = guards.admin_seat(self.db, self.context, organisation_id)
        tool_ = _tool_or_refuse(tool)
        if tool_.code in store.registrations(self.db, found.organisation_id):
            raise DomainError("conflict", f"The {tool_.name} is already registered", reason="already_registered")
        if tool_.requires_allow_list and not store.is_allow_listed(
            self.db, tool_.code, found.organisation.enterprise_number
        ):
            raise DomainError(
                "forbidden",
                f"The enterprise number is not on the platform operator's allow-list for the {tool_.name}: "
                "contact the platform operator",
                reason="not_on_allow_list",
            )
        me = store.member_of(self.db, found.organisation_id, found.account_id)
        require_accreditations(tool_.register_requires, me.facts, "You", f"register the {tool_.name}")
        self.db.execute(
            insert(store.tool_registrations).values(
                organisation_id=found.organisation_id,
                tool_code=tool_.code,
                registered_by=found.account_id,
                registered_at=store.now(),
            )
        )
        store.log_activity(self.db, found.organisation_id, found.account_id, "tool_registered", tool=tool_.code)
        publish_access_of_everyone(self.db, found.organisation)
        return {"tool": tool_.code, "registered": True}

    @rpc
    def tool_members(self, organisation_id, tool):
        """Each confirmed member's role in the tool, and which roles they could be given (with the
        accreditations they lack for the others). For admins."""
        found = guards.seat(self.db, self.context, organisation_id)
        if not found.sees_everyone:
            raise DomainError("forbidden", "Only an admin of the organisation may do this")
        tool_ = _tool_or_refuse(tool)
        members = store.members_of(self.db, found.organisation_id, ("confirmed",))
        known = store.accounts_by_id(self.db, [store.as_uuid(m.account_id) for m in members])
        return [
            {
                "account_id": m.account_id,
                "display_name": store.display_name(known.get(store.as_uuid(m.account_id))),
                "admin": m.admin,
                "role": m.role(tool_.code),
                "missing": {role: gaps_view(missing(tool_.requirement_for(role), m.facts)) for role in tool_.roles},
            }
            for m in members
        ]

    @rpc
    def set_tool_role(self, organisation_id, account_id, tool, role):
        """An admin sets a member's access to a tool; a role whose accreditations the person lacks
        is refused naming them. Setting `aml_officer` is the admin's approval (DOMAIN.md §1)."""
        found = guards.admin_seat(self.db, self.context, organisation_id)
        tool_ = _tool_or_refuse(tool)
        if tool_.code not in active_tools(self.db, found.organisation):
            raise DomainError(
                "conflict", f"The {tool_.name} is not registered for this organisation", reason="tool_inactive"
            )
        row = guards.target_membership(self.db, found, account_id)
        target = store.member_of(self.db, found.organisation_id, row.account_id)
        who = store.display_name(store.account(self.db, row.account_id)) or "This member"
        check_role_change(tool_, target, role, who)
        previous = target.role(tool_.code)
        if previous != role:
            store.set_role(self.db, found.organisation_id, row.account_id, tool_.code, role, found.account_id)
            store.log_activity(
                self.db,
                found.organisation_id,
                found.account_id,
                "tool_role_changed",
                row.account_id,
                tool=tool_.code,
                role=role,
                previous=previous,
            )
            publish_access(self.db, found.organisation, row.account_id)
        if tool_.code == AML and role == "aml_officer":
            store.close_officer_requests(self.db, found.organisation_id, row.account_id, "approved", found.account_id)
        elif tool_.code == AML and role in ("none", "blocked"):
            store.close_officer_requests(self.db, found.organisation_id, row.account_id, "refused", found.account_id)
        return {"account_id": str(row.account_id), "tool": tool_.code, "role": role}

    # ---- the operator's allow-list (platform administrators) ---------------------------------------

    def _platform_admin(self):
        principal = guards.account_of(self.context)
        if not principal.platform_admin:
            raise DomainError("forbidden", "Only platform administrators may do this")
        return principal

    @rpc
    def allow_list(self, tool):
        self._platform_admin()
        tool_ = _tool_or_refuse(tool)
        rows = self.db.execute(
            select(store.allow_list, store.organisations.c.name, store.organisations.c.id.label("organisation_id"))
            .outerjoin(
                store.organisations, store.organisations.c.enterprise_number == store.allow_list.c.enterprise_number
            )
            .where(store.allow_list.c.tool_code == tool_.code)
            .order_by(store.allow_list.c.enterprise_number)
        ).all()
        return [
            {
                "enterprise_number": row.enterprise_number,
                "note": row.note,
                "added_at": row.added_at.isoformat(),
                "organisation_name": row.name,
                "organisation_id": str(row.organisation_id) if row.organisation_id else None,
            }
            for row in rows
        ]

    @rpc
    def add_to_allow_list(self, tool, enterprise_number, note=None):
        principal = self._platform_admin()
        tool_ = _tool_or_refuse(tool)
        if not tool_.requires_allow_list:
            raise field_error("tool", "This tool needs no allow-list")
        number = normalise_enterprise_number(enterprise_number)
        note_ = clean_text(note, "note", required=False, max_length=300)
        if store.is_allow_listed(self.db, tool_.code, number):
            raise DomainError(
                "conflict", "This enterprise number is already on the allow-list", reason="already_listed"
            )
        self.db.execute(
            insert(store.allow_list).values(
                tool_code=tool_.code,
                enterprise_number=number,
                note=note_,
                added_by=store.as_uuid(principal.account_id),
                added_at=store.now(),
            )
        )
        self._allow_list_changed(tool_.code, number, principal, "allow_listed")
        return {"tool": tool_.code, "enterprise_number": number}

    @rpc
    def remove_from_allow_list(self, tool, enterprise_number):
        """Suspends the tool for that organisation: its members' roles stay stored but are no
        longer published (consumers see no role) until the number is listed again."""
        principal = self._platform_admin()
        tool_ = _tool_or_refuse(tool)
        number = normalise_enterprise_number(enterprise_number)
        deleted = self.db.execute(
            delete(store.allow_list).where(
                store.allow_list.c.tool_code == tool_.code, store.allow_list.c.enterprise_number == number
            )
        ).rowcount
        if not deleted:
            raise DomainError("not_found", "This enterprise number is not on the allow-list")
        self._allow_list_changed(tool_.code, number, principal, "allow_list_removed")

    def _allow_list_changed(self, tool_code, number, principal, action) -> None:
        organisation = store.organisation_by_number(self.db, number)
        if organisation is None:
            return
        organisation = store.get_organisation(self.db, organisation.id, lock=True)
        store.log_activity(self.db, organisation.id, store.as_uuid(principal.account_id), action, tool=tool_code)
        if tool_code in store.registrations(self.db, organisation.id):
            publish_access_of_everyone(self.db, organisation)

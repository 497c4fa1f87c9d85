"""Joining, confirming, admins, employee details, blocking and removing members."""

from __future__ import annotations

from aww_contracts.errors import DomainError, field_error
from aww_organisation import store
from aww_organisation.domain.identifiers import clean_email, clean_phone, clean_text
from aww_organisation.domain.rules import Member, check_keeps_an_admin
from aww_organisation.entrypoints import guards
from aww_organisation.entrypoints.publishing import publish_access
from aww_organisation.views import member_view
from servicekit.entrypoints import rpc


def _employee_details(changes: dict, *, required_email: bool) -> dict:
    values = {}
    if "contact_email" in changes or required_email:
        values["contact_email"] = clean_email(changes.get("contact_email"), "contact_email", required=True)
    if "contact_phone" in changes:
        values["contact_phone"] = clean_phone(changes["contact_phone"], "contact_phone")
    if "job_title" in changes:
        values["job_title"] = clean_text(changes["job_title"], "job_title", required=False, max_length=100)
    return values


def _as_member(row) -> Member:
    return Member(str(row.account_id), row.status, row.admin)


class MemberEntrypoints:
    # ---- the person ------------------------------------------------------------------------------

    @rpc
    def request_membership(self, organisation_id, contact_email, contact_phone=None, job_title=None, message=None):
        """Ask to join: the membership waits for an admin ("awaiting confirmation")."""
        principal = guards.account_of(self.context)
        account_id = store.as_uuid(principal.account_id)
        org_id = store.as_uuid(organisation_id)
        organisation = None if org_id is None else store.get_organisation(self.db, org_id, lock=True)
        if organisation is None:
            raise guards.not_found()
        details = _employee_details(
            {"contact_email": contact_email, "contact_phone": contact_phone, "job_title": job_title},
            required_email=True,
        )
        details["message"] = clean_text(message, "message", required=False, max_length=1000)
        existing = store.membership(self.db, org_id, account_id, lock=True)
        if existing is not None and existing.status != "removed":
            reason = {"pending": "already_pending", "confirmed": "already_member", "blocked": "blocked"}[
                existing.status
            ]
            text_ = {
                "already_pending": "You already asked to join; an admin has not decided yet",
                "already_member": "You are already a member of this organisation",
                "blocked": "Your membership of this organisation is blocked",
            }[reason]
            raise DomainError("conflict", text_, reason=reason)
        fresh = {
            "status": "pending",
            "admin": False,
            "is_default": False,
            "ended_reason": None,
            "decided_at": None,
            "decided_by": None,
            "branch_id": None,
            **details,
        }
        if existing is None:
            store.insert_membership(self.db, org_id, account_id, **fresh)
        else:
            store.clear_roles(self.db, org_id, account_id)
            store.update_membership(self.db, org_id, account_id, requested_at=store.now(), **fresh)
        store.log_activity(self.db, org_id, account_id, "join_requested", account_id)
        publish_access(self.db, organisation, account_id)
        self.mail_admins_about_request(organisation, account_id)
        return {"organisation_id": str(org_id), "name": organisation.name, "status": "pending"}

    @rpc
    def withdraw_request(self, organisation_id):
        principal = guards.account_of(self.context)
        account_id = store.as_uuid(principal.account_id)
        org_id = store.as_uuid(organisation_id)
        mine = None if org_id is None else store.membership(self.db, org_id, account_id, lock=True)
        if mine is None or mine.status != "pending":
            raise guards.not_found()
        store.update_membership(self.db, org_id, account_id, status="removed", ended_reason="withdrawn")
        store.log_activity(self.db, org_id, account_id, "join_withdrawn", account_id)
        publish_access(self.db, store.get_organisation(self.db, org_id), account_id)

    @rpc
    def leave_organisation(self, organisation_id):
        found = guards.member_seat(self.db, self.context, organisation_id)
        self._end_membership(found, found.membership, "left")

    # ---- admins --------------------------------------------------------------------------------------

    @rpc
    def list_members(self, organisation_id, statuses=None):
        """Members for pages: colleagues see confirmed members; admins and platform admins see
        pending and blocked ones too."""
        found = guards.seat(self.db, self.context, organisation_id)
        visible = ("pending", "confirmed", "blocked") if found.sees_everyone else ("confirmed",)
        if statuses is not None:
            if not isinstance(statuses, list) or not all(s in visible for s in statuses):
                raise field_error("statuses", f"Choose among {', '.join(visible)}")
            visible = tuple(statuses)
        rows = store.memberships_of_organisation(self.db, found.organisation_id, visible)
        known = store.accounts_by_id(self.db, [row.account_id for row in rows])
        roles = store.roles_of(self.db, found.organisation_id)
        branch_names = {
            row.id: row.name
            for row in self.db.execute(
                store.select(store.branches).where(store.branches.c.organisation_id == found.organisation_id)
            ).all()
        }
        return [
            member_view(row, known.get(row.account_id), roles.get(row.account_id, {}), branch_names, with_contact=True)
            for row in rows
        ]

    @rpc
    def get_member(self, organisation_id, account_id):
        found = guards.seat(self.db, self.context, organisation_id)
        row = guards.target_membership(self.db, found, account_id, lock=False)
        if row.status != "confirmed" and not found.sees_everyone and row.account_id != found.account_id:
            raise DomainError("not_found", "There is no such member in this organisation")
        branch_names = {}
        if row.branch_id:
            branch = self.db.execute(store.select(store.branches).where(store.branches.c.id == row.branch_id)).first()
            branch_names = {branch.id: branch.name}
        return member_view(
            row,
            store.account(self.db, row.account_id),
            store.roles_of(self.db, found.organisation_id, row.account_id).get(row.account_id, {}),
            branch_names,
            with_contact=True,
        )

    @rpc
    def decide_membership(self, organisation_id, account_id, approve):
        """An admin confirms or refuses a request to join; the person is e-mailed the outcome."""
        found = guards.admin_seat(self.db, self.context, organisation_id)
        if not isinstance(approve, bool):
            raise field_error("approve", "true to confirm, false to refuse")
        row = guards.target_membership(self.db, found, account_id)
        if row.status != "pending":
            raise DomainError("conflict", "This person is not awaiting confirmation", reason="not_pending")
        values = {"decided_at": store.now(), "decided_by": found.account_id}
        if approve:
            store.update_membership(self.db, found.organisation_id, row.account_id, status="confirmed", **values)
        else:
            store.update_membership(
                self.db, found.organisation_id, row.account_id, status="removed", ended_reason="refused", **values
            )
        action = "member_confirmed" if approve else "member_refused"
        store.log_activity(self.db, found.organisation_id, found.account_id, action, row.account_id)
        publish_access(self.db, found.organisation, row.account_id)
        self.mail_outcome(found.organisation, row.account_id, approve)
        return {"account_id": str(row.account_id), "status": "confirmed" if approve else "removed"}

    @rpc
    def set_admin(self, organisation_id, account_id, admin):
        """Make a member admin or take the right away; the last admin keeps it. A platform admin may
        appoint an admin (to rescue an organisation whose admins are gone) but not remove one."""
        if not isinstance(admin, bool):
            raise field_error("admin", "true or false")
        found = guards.seat(self.db, self.context, organisation_id, lock=True)
        if not found.is_admin and not (found.principal.platform_admin and admin):
            raise DomainError("forbidden", "Only an admin of the organisation may do this")
        row = guards.target_membership(self.db, found, account_id)
        if row.status != "confirmed":
            raise DomainError("conflict", "Only confirmed members can be admin", reason="not_confirmed")
        if row.admin == admin:
            return {"account_id": str(row.account_id), "admin": admin}
        members = [_as_member(r) for r in store.memberships_of_organisation(self.db, found.organisation_id)]
        check_keeps_an_admin(members, _as_member(row), losing_admin=not admin)
        store.update_membership(self.db, found.organisation_id, row.account_id, admin=admin)
        action = "admin_granted" if admin else "admin_revoked"
        store.log_activity(self.db, found.organisation_id, found.account_id, action, row.account_id)
        publish_access(self.db, found.organisation, row.account_id)
        return {"account_id": str(row.account_id), "admin": admin}

    @rpc
    def update_member(self, organisation_id, account_id, **changes):
        """Employee details for this organisation: by an admin, or by the member themselves (who
        cannot move themselves to another branch)."""
        found = guards.member_seat(self.db, self.context, organisation_id)
        row = guards.target_membership(self.db, found, account_id)
        is_self = row.account_id == found.account_id
        if not found.is_admin and not is_self:
            raise DomainError("forbidden", "Only an admin or the member may change these details")
        allowed = {"contact_email", "contact_phone", "job_title"} | ({"branch_id"} if found.is_admin else set())
        unknown = sorted(set(changes) - allowed)
        if unknown:
            raise field_error(unknown[0], "This field cannot be changed here")
        values = _employee_details(changes, required_email=False)
        if "branch_id" in changes:
            values["branch_id"] = self._branch_of(found, changes["branch_id"])
        if values:
            store.update_membership(self.db, found.organisation_id, row.account_id, **values)
            store.log_activity(
                self.db, found.organisation_id, found.account_id, "member_edited", row.account_id, fields=sorted(values)
            )
        return self.get_member(organisation_id, str(row.account_id))

    @rpc
    def block_member(self, organisation_id, account_id, blocked=True):
        found = guards.admin_seat(self.db, self.context, organisation_id)
        if not isinstance(blocked, bool):
            raise field_error("blocked", "true or false")
        row = guards.target_membership(self.db, found, account_id)
        if row.account_id == found.account_id:
            raise DomainError("conflict", "You cannot block yourself", reason="self")
        wanted, current = ("blocked", "confirmed") if blocked else ("confirmed", "blocked")
        if row.status == wanted:
            return {"account_id": str(row.account_id), "status": wanted}
        if row.status != current:
            raise DomainError("conflict", f"Only a {current} member can be {'blocked' if blocked else 'unblocked'}")
        if blocked:
            members = [_as_member(r) for r in store.memberships_of_organisation(self.db, found.organisation_id)]
            check_keeps_an_admin(members, _as_member(row), losing_admin=True)
        store.update_membership(self.db, found.organisation_id, row.account_id, status=wanted, admin=False)
        action = "member_blocked" if blocked else "member_unblocked"
        store.log_activity(self.db, found.organisation_id, found.account_id, action, row.account_id)
        publish_access(self.db, found.organisation, row.account_id)
        return {"account_id": str(row.account_id), "status": wanted}

    @rpc
    def remove_member(self, organisation_id, account_id):
        found = guards.admin_seat(self.db, self.context, organisation_id)
        row = guards.target_membership(self.db, found, account_id)
        self._end_membership(found, row, "left" if row.account_id == found.account_id else "removed")

    def _end_membership(self, found, row, reason: str) -> None:
        members = [_as_member(r) for r in store.memberships_of_organisation(self.db, found.organisation_id)]
        check_keeps_an_admin(members, _as_member(row), losing_admin=True)
        store.update_membership(
            self.db,
            found.organisation_id,
            row.account_id,
            status="removed",
            admin=False,
            is_default=False,
            ended_reason=reason,
            decided_at=store.now(),
            decided_by=found.account_id,
        )
        store.clear_roles(self.db, found.organisation_id, row.account_id)
        store.close_officer_requests(self.db, found.organisation_id, row.account_id, "withdrawn", found.account_id)
        store.log_activity(self.db, found.organisation_id, found.account_id, f"member_{reason}", row.account_id)
        publish_access(self.db, found.organisation, row.account_id)

    @rpc
    def activity(self, organisation_id, limit=50):
        """Who did what, for the organisation's admins."""
        found = guards.seat(self.db, self.context, organisation_id)
        if not found.sees_everyone:
            raise DomainError("forbidden", "Only an admin of the organisation may do this")
        if not isinstance(limit, int) or not 1 <= limit <= 200:
            raise field_error("limit", "Between 1 and 200")
        rows = store.recent_activity(self.db, found.organisation_id, limit)
        people = store.accounts_by_id(self.db, {r.actor_id for r in rows} | {r.subject_id for r in rows} - {None})
        return [
            {
                "at": row.at.isoformat(),
                "action": row.action,
                "actor": store.display_name(people.get(row.actor_id)),
                "subject": store.display_name(people.get(row.subject_id)),
                "details": row.details,
            }
            for row in rows
        ]

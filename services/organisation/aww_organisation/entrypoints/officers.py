"""The AML officer (DOMAIN.md §1): at least one per office, needs a BIV number and a linked eID,
becomes officer as the first one or with an admin's approval (or by being admin); an admin can end
the role; users of the AML tool without an officer are warned on every AML page."""

from __future__ import annotations

from sqlalchemy import insert

from aww_contracts.errors import DomainError, field_error
from aww_organisation import store
from aww_organisation.domain.catalogue import AML, missing, tool
from aww_organisation.domain.identifiers import clean_text
from aww_organisation.domain.rules import Registration, enrolment_outcome, officer_warning
from aww_organisation.entrypoints import guards
from aww_organisation.entrypoints.publishing import active_tools, publish_access
from aww_organisation.views import gaps_view
from servicekit.entrypoints import rpc


class OfficerEntrypoints:
    def _aml_registration(self, organisation) -> Registration:
        registered = AML in store.registrations(self.db, organisation.id)
        return Registration(registered, AML in active_tools(self.db, organisation) or not registered)

    @rpc
    def aml_officer_status(self, organisation_id):
        """What every AML page shows: the officers, whether the warning applies, and what the
        caller can do (enrol, or approve requests as admin)."""
        found = guards.seat(self.db, self.context, organisation_id)
        members = store.members_of(self.db, found.organisation_id, ("confirmed",))
        known = store.accounts_by_id(self.db, [store.as_uuid(m.account_id) for m in members])
        registration = self._aml_registration(found.organisation)
        me = next((m for m in members if m.account_id == str(found.account_id)), None)
        officers = [m for m in members if m.role(AML) == "aml_officer"]
        requests = store.pending_officer_requests(self.db, found.organisation_id) if found.sees_everyone else []
        my_request = store.officer_request(self.db, found.organisation_id, found.account_id)
        can_enrol, gaps, outcome = False, [], None
        if me is not None and registration.active and me.role(AML) not in ("aml_officer", "blocked") and not my_request:
            gaps = gaps_view(missing(tool(AML).requirement_for("aml_officer"), me.facts))
            can_enrol = not gaps
            outcome = "appointed" if not officers or me.admin else "requested"
        name = lambda account_id: store.display_name(known.get(store.as_uuid(account_id)))  # noqa: E731
        return {
            "organisation_id": str(found.organisation_id),
            "tool_registered": registration.registered,
            "tool_active": registration.active,
            "officers": [{"account_id": m.account_id, "display_name": name(m.account_id)} for m in officers],
            "users": sum(1 for m in members if m.role(AML) == "user"),
            "has_officer": bool(officers),
            "warning": registration.active and officer_warning(members),
            "my_role": me.role(AML) if me else "none",
            "can_enrol": can_enrol,
            "enrol_outcome": outcome,
            "my_missing": gaps,
            "my_request_pending": my_request is not None,
            "pending_requests": [
                {
                    "account_id": str(r.account_id),
                    "display_name": store.display_name(store.account(self.db, r.account_id)),
                    "position": r.position,
                    "requested_at": r.requested_at.isoformat(),
                }
                for r in requests
            ],
        }

    @rpc
    def enrol_aml_officer(self, organisation_id, position, declaration):
        """The short enrolment: the person states their position and declares that they have the
        experience, rank and autonomy the role needs (not a receptionist)."""
        found = guards.member_seat(self.db, self.context, organisation_id)
        position_ = clean_text(position, "position", required=True, max_length=100)
        if declaration is not True:
            raise field_error("declaration", "Confirm that you have the experience, rank and autonomy the role needs")
        members = store.members_of(self.db, found.organisation_id, ("confirmed",))
        me = next(m for m in members if m.account_id == str(found.account_id))
        if store.officer_request(self.db, found.organisation_id, found.account_id) is not None:
            raise DomainError("conflict", "Your request is already waiting for an admin", reason="already_requested")
        outcome = enrolment_outcome(me, members, self._aml_registration(found.organisation), "You")
        status = "approved" if outcome == "appointed" else "pending"
        self.db.execute(
            insert(store.officer_requests).values(
                id=store.new_id(),
                organisation_id=found.organisation_id,
                account_id=found.account_id,
                position=position_,
                status=status,
                requested_at=store.now(),
                decided_by=found.account_id if status == "approved" else None,
                decided_at=store.now() if status == "approved" else None,
            )
        )
        if outcome == "appointed":
            store.set_role(self.db, found.organisation_id, found.account_id, AML, "aml_officer", found.account_id)
            store.log_activity(self.db, found.organisation_id, found.account_id, "officer_appointed", found.account_id)
            publish_access(self.db, found.organisation, found.account_id)
        else:
            store.log_activity(self.db, found.organisation_id, found.account_id, "officer_requested", found.account_id)
            self.mail_admins_about_officer_request(found.organisation, found.account_id)
        return {"outcome": outcome}

    @rpc
    def decide_officer_request(self, organisation_id, account_id, approve):
        found = guards.admin_seat(self.db, self.context, organisation_id)
        if not isinstance(approve, bool):
            raise field_error("approve", "true to approve, false to refuse")
        row = guards.target_membership(self.db, found, account_id)
        if store.officer_request(self.db, found.organisation_id, row.account_id) is None:
            raise DomainError("not_found", "There is no pending AML officer request from this member")
        if not approve:
            store.close_officer_requests(self.db, found.organisation_id, row.account_id, "refused", found.account_id)
            store.log_activity(self.db, found.organisation_id, found.account_id, "officer_refused", row.account_id)
            return {
                "account_id": str(row.account_id),
                "tool": AML,
                "role": store.member_of(self.db, found.organisation_id, row.account_id).role(AML),
            }
        return self.set_tool_role(organisation_id, str(row.account_id), AML, "aml_officer")

    @rpc
    def end_aml_officer(self, organisation_id, account_id):
        """An admin ends someone's officer role, or an officer steps down; they stay a user."""
        found = guards.member_seat(self.db, self.context, organisation_id)
        row = guards.target_membership(self.db, found, account_id)
        if not found.is_admin and row.account_id != found.account_id:
            raise DomainError("forbidden", "Only an admin of the organisation may do this")
        target = store.member_of(self.db, found.organisation_id, row.account_id)
        if target.role(AML) != "aml_officer":
            raise DomainError("conflict", "This member is not an AML officer", reason="not_officer")
        fallback = "user" if not missing(tool(AML).requirement_for("user"), target.facts) else "none"
        store.set_role(self.db, found.organisation_id, row.account_id, AML, fallback, found.account_id)
        store.log_activity(self.db, found.organisation_id, found.account_id, "officer_ended", row.account_id)
        publish_access(self.db, found.organisation, row.account_id)
        members = store.members_of(self.db, found.organisation_id, ("confirmed",))
        return {"account_id": str(row.account_id), "role": fallback, "warning": officer_warning(members)}

    @rpc
    def aml_officers(self, organisation_id):
        """The organisation's AML officers, for the AML workflow (escalations go to them)."""
        found = guards.seat(self.db, self.context, organisation_id)
        members = store.members_of(self.db, found.organisation_id, ("confirmed",))
        known = store.accounts_by_id(self.db, [store.as_uuid(m.account_id) for m in members])
        officers = []
        for m in members:
            if m.role(AML) == "aml_officer":
                row = known.get(store.as_uuid(m.account_id))
                officers.append(
                    {
                        "account_id": m.account_id,
                        "display_name": store.display_name(row),
                        "language": row.language if row is not None else None,
                    }
                )
        return officers

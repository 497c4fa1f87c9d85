"""What identity tells us about accounts (contracts/events/identity.*.json): names for pages,
language for e-mails, accreditations and the eID link for the tool rules, anonymisation.

Identity events carry no version; the envelope's occurred_at orders them, so a late event never
overwrites newer names or accreditations. Each handler runs at most once per event (servicekit)
and is idempotent on its own as well.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, update

from aww_organisation import store
from aww_organisation.domain.catalogue import tool
from aww_organisation.domain.rules import roles_after_accreditations_changed
from aww_organisation.entrypoints.publishing import publish_access
from servicekit.entrypoints import event_handler


def _occurred(envelope) -> datetime:
    return datetime.fromisoformat(envelope["occurred_at"])


class IdentityEventHandlers:
    def _set_names(self, data, envelope, **extra) -> None:
        account_id = store.as_uuid(data["account_id"])
        row = store.account(self.db, account_id)
        if row is not None and row.anonymised:
            return
        values = {"first_name": data["first_name"], "last_name": data["last_name"], **extra}
        if "language" in data:
            values["language"] = data["language"]
        if "username" in data:
            values["username"] = data["username"]
        if row is not None and row.names_at is not None and row.names_at > _occurred(envelope):
            values = {k: v for k, v in values.items() if k in ("username", "eid_linked")}  # older names: keep ours
            if not values:
                return
        else:
            values["names_at"] = _occurred(envelope)
        store.upsert_account(self.db, account_id, values)
        self._republish_account(account_id)

    def _republish_account(self, account_id) -> None:
        """display_name is part of the published access: every live membership tells consumers."""
        for row in store.memberships_of_account(self.db, account_id):
            organisation = store.get_organisation(self.db, row.organisation_id, lock=True)
            publish_access(self.db, organisation, account_id)

    @event_handler("identity", "account_registered")
    def on_account_registered(self, data, envelope):
        self._set_names(data, envelope)

    @event_handler("identity", "account_profile_changed")
    def on_account_profile_changed(self, data, envelope):
        self._set_names(data, envelope)

    @event_handler("identity", "eid_linked")
    def on_eid_linked(self, data, envelope):
        # the names now come from the card; the eID flag itself travels with accreditations_changed
        self._set_names(data, envelope)

    @event_handler("identity", "accreditations_changed")
    def on_accreditations_changed(self, data, envelope):
        account_id = store.as_uuid(data["account_id"])
        row = store.account(self.db, account_id)
        if row is not None and (
            row.anonymised or (row.accreditations_at is not None and row.accreditations_at > _occurred(envelope))
        ):
            return
        store.upsert_account(
            self.db,
            account_id,
            {
                "eid_linked": data["eid_linked"],
                "accreditations": data["accreditations"],
                "accreditations_at": _occurred(envelope),
            },
        )
        # a role whose accreditations are gone steps down at once (DOMAIN.md §1: the AML officer
        # needs a valid BIV number)
        for membership in store.memberships_of_account(self.db, account_id):
            organisation = store.get_organisation(self.db, membership.organisation_id, lock=True)
            member = store.member_of(self.db, organisation.id, account_id)
            changed = roles_after_accreditations_changed(member)
            for code, role in changed.items():
                store.set_role(self.db, organisation.id, account_id, code, role, None)
                store.log_activity(
                    self.db,
                    organisation.id,
                    None,
                    "tool_role_changed",
                    account_id,
                    tool=code,
                    role=role,
                    previous=member.role(code),
                    reason="accreditation_missing",
                )
                if tool(code) is not None and member.role(code) == "aml_officer":
                    self.mail_admins_about_lost_officer(organisation, account_id)
            if changed:
                publish_access(self.db, organisation, account_id)

    @event_handler("identity", "account_anonymised")
    def on_account_anonymised(self, data, envelope):
        """The person's memberships end and their details are wiped; the rows stay (who decided
        what in an organisation is part of its records)."""
        account_id = store.as_uuid(data["account_id"])
        store.upsert_account(
            self.db,
            account_id,
            {
                "anonymised": True,
                "username": None,
                "first_name": None,
                "last_name": None,
                "language": None,
                "accreditations": [],
                "eid_linked": False,
                "names_at": _occurred(envelope),
                "accreditations_at": _occurred(envelope),
            },
        )
        rows = self.db.execute(
            store.select(store.memberships).where(
                store.memberships.c.account_id == account_id,
                or_(
                    store.memberships.c.status != "removed",
                    store.memberships.c.contact_email.is_not(None),
                    store.memberships.c.contact_phone.is_not(None),
                    store.memberships.c.job_title.is_not(None),
                    store.memberships.c.message.is_not(None),
                ),
            )
        ).all()
        for row in rows:
            organisation = store.get_organisation(self.db, row.organisation_id, lock=True)
            ending = row.status != "removed"
            values = {
                "contact_email": None,
                "contact_phone": None,
                "job_title": None,
                "message": None,
                "admin": False,
                "is_default": False,
            }
            if ending:
                values |= {"status": "removed", "ended_reason": "anonymised", "decided_at": store.now()}
            self.db.execute(
                update(store.memberships)
                .where(
                    store.memberships.c.organisation_id == row.organisation_id,
                    store.memberships.c.account_id == account_id,
                )
                .values(**values)
            )
            store.clear_roles(self.db, row.organisation_id, account_id)
            store.close_officer_requests(self.db, row.organisation_id, account_id, "withdrawn", None)
            if ending:
                store.log_activity(self.db, row.organisation_id, None, "member_anonymised", account_id)
            publish_access(self.db, organisation, account_id)

"""Create, find, read and edit organisations; the caller's memberships, default and active one."""

from __future__ import annotations

from sqlalchemy import insert, text, update

from aww_contracts.errors import DomainError, field_error
from aww_organisation import store
from aww_organisation.domain.identifiers import (
    clean_address,
    clean_email,
    clean_phone,
    clean_text,
    normalise_enterprise_number,
)
from aww_organisation.entrypoints import guards
from aww_organisation.entrypoints.publishing import active_tools, publish_access, publish_organisation
from aww_organisation.views import organisation_view
from servicekit.entrypoints import rpc

SEARCH_LIMIT = 20


def _vat_liable(raw) -> bool:
    if not isinstance(raw, bool):
        raise field_error("vat_liable", "Say whether the organisation is liable for VAT (true or false)")
    return raw


def _website(raw) -> str | None:
    value = clean_text(raw, "website", required=False, max_length=200)
    if value and not value.lower().startswith(("http://", "https://")):
        value = "https://" + value
    return value


class OrganisationEntrypoints:
    @rpc
    def create_organisation(
        self,
        enterprise_number,
        name,
        address,
        vat_liable,
        contact_email,
        contact_phone=None,
        job_title=None,
        email=None,
        phone=None,
        website=None,
    ):
        """The creator becomes the organisation's first admin (DOMAIN.md §1)."""
        principal = guards.account_of(self.context)
        account_id = store.as_uuid(principal.account_id)
        values = {
            "enterprise_number": normalise_enterprise_number(enterprise_number),
            "name": clean_text(name, "name", required=True),
            **{k: v for k, v in clean_address(address).items()},
            "vat_liable": _vat_liable(vat_liable),
            "email": clean_email(email, "email"),
            "phone": clean_phone(phone, "phone"),
            "website": _website(website),
        }
        employee = {
            "contact_email": clean_email(contact_email, "contact_email", required=True),
            "contact_phone": clean_phone(contact_phone, "contact_phone"),
            "job_title": clean_text(job_title, "job_title", required=False, max_length=100),
        }
        # one organisation per enterprise number; the advisory lock makes two simultaneous
        # creations queue instead of one failing on the unique index with a server error
        self.db.execute(text("SELECT pg_advisory_xact_lock(hashtext(:n))"), {"n": values["enterprise_number"]})
        if store.organisation_by_number(self.db, values["enterprise_number"]) is not None:
            raise DomainError(
                "conflict",
                "An organisation with this enterprise number already exists: ask its admins to let you join",
                reason="enterprise_number_taken",
                errors=[{"field": "enterprise_number", "message": "Already registered on the platform"}],
            )
        organisation_id = store.new_id()
        moment = store.now()
        self.db.execute(
            insert(store.organisations).values(
                id=organisation_id, created_by=account_id, created_at=moment, updated_at=moment, **values
            )
        )
        has_default = any(row.is_default for row in store.memberships_of_account(self.db, account_id))
        store.insert_membership(
            self.db,
            organisation_id,
            account_id,
            status="confirmed",
            admin=True,
            decided_at=moment,
            decided_by=account_id,
            is_default=not has_default,
            **employee,
        )
        store.log_activity(self.db, organisation_id, account_id, "organisation_created")
        organisation = store.get_organisation(self.db, organisation_id)
        publish_organisation(self.db, organisation)
        publish_access(self.db, organisation, account_id)
        return organisation_view(organisation, store.membership(self.db, organisation_id, account_id))

    @rpc
    def search_organisations(self, query, limit=SEARCH_LIMIT):
        """Find an organisation to join, by (part of) its name or enterprise number."""
        principal = guards.account_of(self.context)
        text_ = clean_text(query, "query", required=True, max_length=100)
        if len(text_) < 2:
            raise field_error("query", "Type at least 2 characters")
        if not isinstance(limit, int) or not 1 <= limit <= 50:
            raise field_error("limit", "Between 1 and 50")
        mine = {row.organisation_id: row for row in store.memberships_of_account(self.db, principal.account_id)}
        return [
            {
                "organisation_id": str(row.id),
                "name": row.name,
                "enterprise_number": row.enterprise_number,
                "city": row.city,
                "my_status": mine[row.id].status if row.id in mine else None,
            }
            for row in store.search_organisations(self.db, text_, limit)
        ]

    @rpc
    def my_organisations(self):
        """The caller's memberships (not the ended ones), with which one is active and starred."""
        principal = guards.account_of(self.context)
        return [
            {
                "organisation_id": str(row.organisation_id),
                "name": row.name,
                "enterprise_number": row.enterprise_number,
                "city": row.city,
                "status": row.status,
                "admin": row.admin,
                "is_default": row.is_default,
                "active": str(row.organisation_id) == (principal.organisation_id or ""),
            }
            for row in store.memberships_of_account(self.db, principal.account_id)
        ]

    @rpc
    def get_organisation(self, organisation_id):
        found = guards.seat(self.db, self.context, organisation_id)
        return organisation_view(found.organisation, found.membership, active_tools(self.db, found.organisation))

    @rpc
    def update_organisation(self, organisation_id, **changes):
        """Admins edit name, address, VAT status and the optional fields; the enterprise number stays."""
        found = guards.admin_seat(self.db, self.context, organisation_id)
        allowed = {"name", "address", "vat_liable", "email", "phone", "website"}
        unknown = sorted(set(changes) - allowed)
        if unknown:
            raise field_error(unknown[0], "This field cannot be changed here")
        values: dict = {}
        if "name" in changes:
            values["name"] = clean_text(changes["name"], "name", required=True)
        if "address" in changes:
            values.update(clean_address(changes["address"]))
        if "vat_liable" in changes:
            values["vat_liable"] = _vat_liable(changes["vat_liable"])
        if "email" in changes:
            values["email"] = clean_email(changes["email"], "email")
        if "phone" in changes:
            values["phone"] = clean_phone(changes["phone"], "phone")
        if "website" in changes:
            values["website"] = _website(changes["website"])
        if values:
            self.db.execute(
                update(store.organisations)
                .where(store.organisations.c.id == found.organisation_id)
                .values(updated_at=store.now(), **values)
            )
            store.log_activity(
                self.db, found.organisation_id, found.account_id, "organisation_edited", fields=sorted(values)
            )
            organisation = store.get_organisation(self.db, found.organisation_id)
            publish_organisation(self.db, organisation)
        organisation = store.get_organisation(self.db, found.organisation_id)
        return organisation_view(organisation, found.membership, active_tools(self.db, organisation))

    @rpc
    def set_default_organisation(self, organisation_id=None):
        """Star the organisation used by default at login (None: no default)."""
        principal = guards.account_of(self.context)
        account_id = store.as_uuid(principal.account_id)
        target = None
        if organisation_id is not None:
            org_id = store.as_uuid(organisation_id)
            target = None if org_id is None else store.membership(self.db, org_id, account_id)
            if target is None or target.status == "removed":
                raise guards.not_found()
            if target.status != "confirmed":
                raise DomainError("conflict", "Only an organisation you are a confirmed member of can be the default")
        self.db.execute(
            update(store.memberships)
            .where(store.memberships.c.account_id == account_id, store.memberships.c.is_default)
            .values(is_default=False)
        )
        if target is not None:
            store.update_membership(self.db, target.organisation_id, account_id, is_default=True)
        return {"default_organisation_id": str(target.organisation_id) if target is not None else None}

    @rpc
    def switch_organisation(self, organisation_id):
        """Make the organisation the active one of the caller's session (identity keeps it)."""
        principal = guards.account_of(self.context)
        if not principal.session_id:
            raise DomainError("conflict", "Only a logged-in session has an active organisation")
        org_id = store.as_uuid(organisation_id)
        mine = None if org_id is None else store.membership(self.db, org_id, store.as_uuid(principal.account_id))
        if mine is None or mine.status == "removed":
            raise guards.not_found()
        if mine.status != "confirmed":
            raise DomainError("forbidden", "You can only work in an organisation that confirmed your membership")
        self.identity.set_session_organisation(session_id=principal.session_id, organisation_id=str(org_id))
        organisation = store.get_organisation(self.db, org_id)
        return {"organisation_id": str(org_id), "name": organisation.name}

    @rpc
    def choose_at_login(self):
        """Which organisation a fresh session should work in: the starred one, else the only one.

        Answers {"organisation_id": id | None, "choices": n}; the gateway switches to it or shows
        the choice page.
        """
        principal = guards.account_of(self.context)
        confirmed = [r for r in store.memberships_of_account(self.db, principal.account_id) if r.status == "confirmed"]
        chosen = next((r for r in confirmed if r.is_default), None)
        if chosen is None and len(confirmed) == 1:
            chosen = confirmed[0]
        return {"organisation_id": str(chosen.organisation_id) if chosen else None, "choices": len(confirmed)}

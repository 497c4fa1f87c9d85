"""Branches (vestigingen) of an organisation: create, edit, list; members are attached to one."""

from __future__ import annotations

from sqlalchemy import func, insert, select, update

from aww_contracts.errors import DomainError, field_error
from aww_organisation import store
from aww_organisation.domain.identifiers import clean_address, clean_email, clean_phone, clean_text
from aww_organisation.entrypoints import guards
from aww_organisation.views import branch_view
from servicekit.entrypoints import rpc


def _branch_values(changes: dict, *, creating: bool) -> dict:
    values: dict = {}
    if creating or "name" in changes:
        values["name"] = clean_text(changes.get("name"), "name", required=True, max_length=100)
    if creating or "address" in changes:
        values.update(clean_address(changes.get("address")))
    if "email" in changes:
        values["email"] = clean_email(changes["email"], "email")
    if "phone" in changes:
        values["phone"] = clean_phone(changes["phone"], "phone")
    return values


class BranchEntrypoints:
    @rpc
    def list_branches(self, organisation_id):
        found = guards.seat(self.db, self.context, organisation_id)
        rows = self.db.execute(
            select(store.branches)
            .where(store.branches.c.organisation_id == found.organisation_id)
            .order_by(func.lower(store.branches.c.name))
        ).all()
        counts = dict(
            self.db.execute(
                select(store.memberships.c.branch_id, func.count())
                .where(
                    store.memberships.c.organisation_id == found.organisation_id,
                    store.memberships.c.status == "confirmed",
                )
                .group_by(store.memberships.c.branch_id)
            ).all()
        )
        return [branch_view(row) | {"members": counts.get(row.id, 0)} for row in rows]

    @rpc
    def create_branch(self, organisation_id, name, address, email=None, phone=None):
        found = guards.admin_seat(self.db, self.context, organisation_id)
        values = _branch_values({"name": name, "address": address, "email": email, "phone": phone}, creating=True)
        self._refuse_duplicate_name(found, values["name"])
        branch_id = store.new_id()
        self.db.execute(
            insert(store.branches).values(
                id=branch_id, organisation_id=found.organisation_id, created_at=store.now(), **values
            )
        )
        store.log_activity(self.db, found.organisation_id, found.account_id, "branch_created", name=values["name"])
        return branch_view(self._branch_row(found, branch_id))

    @rpc
    def update_branch(self, organisation_id, branch_id, **changes):
        found = guards.admin_seat(self.db, self.context, organisation_id)
        row = self._branch_row(found, branch_id)
        unknown = sorted(set(changes) - {"name", "address", "email", "phone"})
        if unknown:
            raise field_error(unknown[0], "This field cannot be changed here")
        values = _branch_values(changes, creating=False)
        if "name" in values and values["name"].lower() != row.name.lower():
            self._refuse_duplicate_name(found, values["name"])
        if values:
            self.db.execute(update(store.branches).where(store.branches.c.id == row.id).values(**values))
            store.log_activity(self.db, found.organisation_id, found.account_id, "branch_edited", name=row.name)
        return branch_view(self._branch_row(found, row.id))

    def _refuse_duplicate_name(self, found, name: str) -> None:
        taken = self.db.execute(
            select(store.branches.c.id).where(
                store.branches.c.organisation_id == found.organisation_id,
                func.lower(store.branches.c.name) == name.lower(),
            )
        ).first()
        if taken is not None:
            raise DomainError(
                "conflict",
                "A branch with this name already exists",
                errors=[{"field": "name", "message": "Already used by another branch"}],
            )

    def _branch_row(self, found, branch_id):
        wanted = store.as_uuid(branch_id)
        row = None
        if wanted is not None:
            row = self.db.execute(
                select(store.branches).where(
                    store.branches.c.id == wanted, store.branches.c.organisation_id == found.organisation_id
                )
            ).first()
        if row is None:
            raise DomainError("not_found", "There is no such branch in this organisation")
        return row

    def _branch_of(self, found, branch_id):
        """The id of one of this organisation's branches, or None to detach."""
        if branch_id in (None, ""):
            return None
        row = None
        wanted = store.as_uuid(branch_id)
        if wanted is not None:
            row = self.db.execute(
                select(store.branches).where(
                    store.branches.c.id == wanted, store.branches.c.organisation_id == found.organisation_id
                )
            ).first()
        if row is None:
            raise field_error("branch_id", "Choose one of the organisation's branches")
        return row.id

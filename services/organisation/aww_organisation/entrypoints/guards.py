"""Who may see and change what, checked inside the service (DESIGN.md §7).

An organisation the caller has no relation with answers `not_found`, exactly as an id that does
not exist: nothing tells an outsider whether an organisation id is real. Pending and blocked
members know the organisation exists (they asked to join or worked there) and get `forbidden`.
"""

from __future__ import annotations

from dataclasses import dataclass

from aww_contracts.errors import DomainError
from aww_organisation import store
from servicekit.context import Principal

NOT_FOUND = "There is no such organisation"


def not_found() -> DomainError:
    return DomainError("not_found", NOT_FOUND)


def account_of(context) -> Principal:
    return context.require_principal()


@dataclass(frozen=True)
class Seat:
    """The caller's place in an organisation: the organisation row and their membership row."""

    principal: Principal
    organisation: object
    membership: object | None

    @property
    def account_id(self):
        return store.as_uuid(self.principal.account_id)

    @property
    def organisation_id(self):
        return self.organisation.id

    @property
    def is_admin(self) -> bool:
        return self.membership is not None and self.membership.status == "confirmed" and self.membership.admin

    @property
    def is_member(self) -> bool:
        return self.membership is not None and self.membership.status == "confirmed"

    @property
    def sees_everyone(self) -> bool:
        return self.is_admin or self.principal.platform_admin


def seat(session, context, organisation_id, *, lock: bool = False, allow_platform_admin: bool = True) -> Seat:
    """A confirmed member's (or a platform admin's) view of the organisation; refuses the others."""
    principal = account_of(context)
    org_id = store.as_uuid(organisation_id)
    if org_id is None:
        raise not_found()
    organisation = store.get_organisation(session, org_id, lock=lock)
    if organisation is None:
        raise not_found()
    mine = store.membership(session, org_id, store.as_uuid(principal.account_id))
    if mine is not None and mine.status == "confirmed":
        return Seat(principal, organisation, mine)
    if principal.platform_admin and allow_platform_admin:
        return Seat(principal, organisation, mine)
    if mine is not None and mine.status == "pending":
        raise DomainError("forbidden", "Your request to join is still awaiting confirmation by an admin")
    if mine is not None and mine.status == "blocked":
        raise DomainError("forbidden", "Your membership of this organisation is blocked")
    raise not_found()


def admin_seat(session, context, organisation_id) -> Seat:
    """A confirmed admin of the organisation; the organisation row is locked for the change, so
    rules over all members (the last admin, the first AML officer) hold under concurrency."""
    found = seat(session, context, organisation_id, lock=True)
    if not found.is_admin:
        raise DomainError("forbidden", "Only an admin of the organisation may do this")
    return found


def member_seat(session, context, organisation_id, *, lock: bool = True) -> Seat:
    """A confirmed member (platform admins are not members: they only read)."""
    found = seat(session, context, organisation_id, lock=lock)
    if not found.is_member:
        raise DomainError("forbidden", "Only members of the organisation may do this")
    return found


def target_membership(session, found: Seat, account_id, *, lock: bool = True):
    """A member of the caller's organisation, named by account id; other ids are not found."""
    target_id = store.as_uuid(account_id)
    row = None if target_id is None else store.membership(session, found.organisation_id, target_id, lock=lock)
    if row is None or row.status == "removed":
        raise DomainError("not_found", "There is no such member in this organisation")
    return row

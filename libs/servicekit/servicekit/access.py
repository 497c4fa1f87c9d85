"""Who may do what in which organisation, as a local read model of the organisation service's
`access_changed` events (contracts/events/organisation.access_changed.v1.json).

Services that check a tool role on every request (wallet, aml-workflow, reporting) keep this
table in their own database instead of calling the organisation service each time: the check is
one indexed row read in the worker's own transaction. Each event carries the member's full
current access and a version that only grows, so a late or repeated event never overwrites a
newer state.

Use: inherit `AccessReadModel` in the service class (it adds the event handler), create the table
in a migration with `create_tables(op.get_bind())`, and call `require_tool_role` / `require_member`
at the start of each RPC that touches tenant data. Refusals never say whether the organisation or
the record exists (no cross-organisation leak).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    MetaData,
    PrimaryKeyConstraint,
    Table,
    Text,
    Uuid,
    bindparam,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB

from aww_contracts.errors import DomainError
from servicekit.context import Principal
from servicekit.entrypoints import event_handler
from servicekit.migrations import run_ddl

metadata = MetaData()

access_table = Table(
    "organisation_access",
    metadata,
    Column("organisation_id", Uuid, nullable=False),
    Column("account_id", Uuid, nullable=False),
    Column("membership_status", Text, nullable=False),
    Column("admin", Boolean, nullable=False),
    Column("tools", JSONB, nullable=False),
    Column("display_name", Text),
    Column("version", BigInteger, nullable=False),
    PrimaryKeyConstraint("organisation_id", "account_id"),
)

ROLES_THAT_USE = ("user", "aml_officer")


# The read model's table as the services' migrations create it, frozen (see outbox.DDL_V1).
DDL_V1 = (
    """CREATE TABLE IF NOT EXISTS organisation_access (
        organisation_id UUID NOT NULL,
        account_id UUID NOT NULL,
        membership_status TEXT NOT NULL,
        admin BOOLEAN NOT NULL,
        tools JSONB NOT NULL,
        display_name TEXT,
        version BIGINT NOT NULL,
        PRIMARY KEY (organisation_id, account_id)
    )""",
)


def create_tables(bind) -> None:
    run_ddl(bind, DDL_V1)


@dataclass(frozen=True)
class Access:
    organisation_id: str
    account_id: str
    membership_status: str
    admin: bool
    tools: dict
    display_name: str | None

    def role(self, tool: str) -> str:
        return self.tools.get(tool, "none")


def apply_access_changed(session, data: dict) -> bool:
    """Upsert one member's access if the event is newer than what is held; True if applied."""
    row = session.execute(
        text(
            "INSERT INTO organisation_access "
            "(organisation_id, account_id, membership_status, admin, tools, display_name, version) "
            "VALUES (:organisation_id, :account_id, :membership_status, :admin, CAST(:tools AS jsonb), "
            ":display_name, :version) "
            "ON CONFLICT (organisation_id, account_id) DO UPDATE SET "
            "membership_status = excluded.membership_status, admin = excluded.admin, tools = excluded.tools, "
            "display_name = excluded.display_name, version = excluded.version "
            "WHERE organisation_access.version < excluded.version RETURNING 1"
        ),
        {
            "organisation_id": data["organisation_id"],
            "account_id": data["account_id"],
            "membership_status": data["membership_status"],
            "admin": data["admin"],
            "tools": json.dumps(data["tools"]),
            "display_name": data.get("display_name"),
            "version": data["version"],
        },
    ).first()
    return row is not None


# Built once: every request of every tool reads one row with it, and building a Core statement
# costs about as much CPU as running it.
_ACCESS_OF = select(access_table).where(
    access_table.c.organisation_id == bindparam("organisation_id"),
    access_table.c.account_id == bindparam("account_id"),
)


def access_of(session, organisation_id: str, account_id: str) -> Access | None:
    row = session.execute(_ACCESS_OF, {"organisation_id": organisation_id, "account_id": account_id}).first()
    return None if row is None else _access(row)


def _access(row) -> Access:
    return Access(
        str(row.organisation_id),
        str(row.account_id),
        row.membership_status,
        row.admin,
        dict(row.tools),
        row.display_name,
    )


def _active_organisation(principal: Principal | None) -> tuple[Principal, str]:
    if principal is None:
        raise DomainError("unauthenticated", "This operation needs a logged-in account")
    if not principal.organisation_id:
        raise DomainError("forbidden", "Choose an active organisation first")
    return principal, principal.organisation_id


def require_member(session, principal: Principal | None) -> Access:
    """A confirmed member of the principal's active organisation."""
    principal, organisation_id = _active_organisation(principal)
    access = access_of(session, organisation_id, principal.account_id)
    if access is None or access.membership_status != "confirmed":
        raise DomainError("forbidden", "You are not a confirmed member of this organisation")
    return access


def require_tool_role(
    session, principal: Principal | None, tool: str, roles: tuple[str, ...] = ROLES_THAT_USE
) -> Access:
    """A confirmed member whose role for `tool` is one of `roles`."""
    access = require_member(session, principal)
    if access.role(tool) not in roles:
        raise DomainError("forbidden", f"Your role does not allow this in the {tool} tool", tool=tool)
    return access


def members_with_role(session, organisation_id: str, tool: str, role: str) -> list[Access]:
    rows = session.execute(
        select(access_table).where(
            access_table.c.organisation_id == organisation_id,
            access_table.c.membership_status == "confirmed",
            access_table.c.tools[tool].astext == role,
        )
    ).all()
    return [_access(row) for row in rows]


class AccessReadModel:
    """Mixin for a service class: keeps organisation_access up to date from the event stream."""

    @event_handler("organisation", "access_changed")
    def on_access_changed(self, data, envelope):
        apply_access_changed(self.db, data)

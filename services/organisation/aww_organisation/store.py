"""Tables of the organisation database and the repository functions the service uses."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Identity,
    Index,
    MetaData,
    PrimaryKeyConstraint,
    Sequence,
    Table,
    Text,
    Uuid,
    and_,
    func,
    insert,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql import insert as pg_insert

from aww_organisation.domain.catalogue import Facts
from aww_organisation.domain.rules import Member
from servicekit.mail import metadata as mail_metadata
from servicekit.outbox import metadata as outbox_metadata

metadata = MetaData()

# Versions of the published full states (contracts/events/organisation.*.json): taken while the
# changed rows are locked, so for one member (or organisation) a later commit has a larger value.
access_version = Sequence("access_version_seq", metadata=metadata)
organisation_version = Sequence("organisation_version_seq", metadata=metadata)

organisations = Table(
    "organisations",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("enterprise_number", Text, nullable=False, unique=True),
    Column("name", Text, nullable=False),
    Column("street", Text, nullable=False),
    Column("postcode", Text, nullable=False),
    Column("city", Text, nullable=False),
    Column("country", Text, nullable=False),
    Column("vat_liable", Boolean, nullable=False),
    Column("email", Text),
    Column("phone", Text),
    Column("website", Text),
    Column("created_by", Uuid, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Index("organisations_name_search", func.lower(text("name"))),
)

# What identity told us about accounts (events identity.*): names for pages, language for
# e-mails, accreditations and the eID link for the tool rules.
accounts = Table(
    "accounts",
    metadata,
    Column("account_id", Uuid, primary_key=True),
    Column("username", Text),
    Column("first_name", Text),
    Column("last_name", Text),
    Column("language", Text),
    Column("eid_linked", Boolean, nullable=False, server_default=text("false")),
    Column("accreditations", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    Column("anonymised", Boolean, nullable=False, server_default=text("false")),
    Column("names_at", DateTime(timezone=True)),
    Column("accreditations_at", DateTime(timezone=True)),
)

branches = Table(
    "branches",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("organisation_id", Uuid, ForeignKey("organisations.id"), nullable=False, index=True),
    Column("name", Text, nullable=False),
    Column("street", Text, nullable=False),
    Column("postcode", Text, nullable=False),
    Column("city", Text, nullable=False),
    Column("country", Text, nullable=False),
    Column("email", Text),
    Column("phone", Text),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

memberships = Table(
    "memberships",
    metadata,
    Column("organisation_id", Uuid, ForeignKey("organisations.id"), nullable=False),
    Column("account_id", Uuid, nullable=False),
    Column("status", Text, nullable=False),  # pending | confirmed | blocked | removed
    Column("admin", Boolean, nullable=False, server_default=text("false")),
    Column("contact_email", Text),
    Column("contact_phone", Text),
    Column("job_title", Text),
    Column("message", Text),
    Column("branch_id", Uuid, ForeignKey("branches.id")),
    Column("is_default", Boolean, nullable=False, server_default=text("false")),
    Column("ended_reason", Text),  # refused | removed | left | withdrawn | anonymised
    Column("requested_at", DateTime(timezone=True), nullable=False),
    Column("decided_at", DateTime(timezone=True)),
    Column("decided_by", Uuid),
    PrimaryKeyConstraint("organisation_id", "account_id"),
    Index("memberships_by_account", "account_id"),
    Index("one_default_organisation", "account_id", unique=True, postgresql_where=text("is_default")),
)

tool_registrations = Table(
    "tool_registrations",
    metadata,
    Column("organisation_id", Uuid, ForeignKey("organisations.id"), nullable=False),
    Column("tool_code", Text, nullable=False),
    Column("registered_by", Uuid, nullable=False),
    Column("registered_at", DateTime(timezone=True), nullable=False),
    PrimaryKeyConstraint("organisation_id", "tool_code"),
)

tool_roles = Table(
    "tool_roles",
    metadata,
    Column("organisation_id", Uuid, nullable=False),
    Column("account_id", Uuid, nullable=False),
    Column("tool_code", Text, nullable=False),
    Column("role", Text, nullable=False),
    Column("updated_by", Uuid),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    PrimaryKeyConstraint("organisation_id", "account_id", "tool_code"),
    ForeignKeyConstraint(["organisation_id", "account_id"], ["memberships.organisation_id", "memberships.account_id"]),
)

officer_requests = Table(
    "officer_requests",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("organisation_id", Uuid, ForeignKey("organisations.id"), nullable=False),
    Column("account_id", Uuid, nullable=False),
    Column("position", Text, nullable=False),
    Column("status", Text, nullable=False),  # pending | approved | refused | withdrawn
    Column("requested_at", DateTime(timezone=True), nullable=False),
    Column("decided_by", Uuid),
    Column("decided_at", DateTime(timezone=True)),
    Index(
        "one_pending_officer_request",
        "organisation_id",
        "account_id",
        unique=True,
        postgresql_where=text("status = 'pending'"),
    ),
)

allow_list = Table(
    "allow_list",
    metadata,
    Column("tool_code", Text, nullable=False),
    Column("enterprise_number", Text, nullable=False),
    Column("note", Text),
    Column("added_by", Uuid, nullable=False),
    Column("added_at", DateTime(timezone=True), nullable=False),
    PrimaryKeyConstraint("tool_code", "enterprise_number"),
)

# Who did what in an organisation, shown to its admins.
activity = Table(
    "activity",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("organisation_id", Uuid, nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("actor_id", Uuid),
    Column("action", Text, nullable=False),
    Column("subject_id", Uuid),
    Column("details", JSONB, nullable=False, server_default=text("'{}'::jsonb")),
    Index("activity_by_organisation", "organisation_id", "id"),
)

# Alembic compares against all three: the service's own tables, the outbox/processed-events tables
# and the mail outbox.
target_metadata = [metadata, outbox_metadata, mail_metadata]


def now() -> datetime:
    return datetime.now(UTC)


def new_id() -> uuid.UUID:
    return uuid.uuid4()


def as_uuid(value) -> uuid.UUID | None:
    """A UUID from text, or None when it is not one (then nothing can match it)."""
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError, AttributeError):
        return None


# ---- organisations -------------------------------------------------------------------------------


def get_organisation(session, organisation_id, *, lock: bool = False):
    query = select(organisations).where(organisations.c.id == organisation_id)
    if lock:
        query = query.with_for_update()
    return session.execute(query).first()


def organisation_by_number(session, enterprise_number: str):
    return session.execute(select(organisations).where(organisations.c.enterprise_number == enterprise_number)).first()


def search_organisations(session, query: str, limit: int):
    digits = "".join(ch for ch in query if ch.isdigit())
    conditions = [func.lower(organisations.c.name).contains(query.lower(), autoescape=True)]
    if len(digits) >= 4:
        conditions.append(organisations.c.enterprise_number.contains(digits, autoescape=True))
    return session.execute(
        select(organisations).where(or_(*conditions)).order_by(func.lower(organisations.c.name)).limit(limit)
    ).all()


def next_version(session, sequence: Sequence) -> int:
    return int(session.execute(select(sequence.next_value())).scalar_one())


# ---- accounts (identity's facts) -----------------------------------------------------------------


def account(session, account_id):
    return session.execute(select(accounts).where(accounts.c.account_id == account_id)).first()


def accounts_by_id(session, account_ids) -> dict:
    ids = list(account_ids)
    if not ids:
        return {}
    rows = session.execute(select(accounts).where(accounts.c.account_id.in_(ids))).all()
    return {row.account_id: row for row in rows}


def upsert_account(session, account_id, values: dict) -> None:
    statement = pg_insert(accounts).values(account_id=account_id, **values)
    session.execute(statement.on_conflict_do_update(index_elements=[accounts.c.account_id], set_=values))


def facts_of(row) -> Facts:
    if row is None:
        return Facts()
    return Facts.of(row.eid_linked, row.accreditations)


def display_name(row) -> str | None:
    if row is None or row.anonymised:
        return None
    names = " ".join(part for part in (row.first_name, row.last_name) if part)
    return names or row.username


# ---- memberships ---------------------------------------------------------------------------------


def membership(session, organisation_id, account_id, *, lock: bool = False):
    query = select(memberships).where(
        memberships.c.organisation_id == organisation_id, memberships.c.account_id == account_id
    )
    if lock:
        query = query.with_for_update()
    return session.execute(query).first()


def memberships_of_organisation(session, organisation_id, statuses=("pending", "confirmed", "blocked")):
    return session.execute(
        select(memberships)
        .where(memberships.c.organisation_id == organisation_id, memberships.c.status.in_(statuses))
        .order_by(memberships.c.requested_at)
    ).all()


def memberships_of_account(session, account_id):
    return session.execute(
        select(memberships, organisations.c.name, organisations.c.enterprise_number, organisations.c.city)
        .join(organisations, organisations.c.id == memberships.c.organisation_id)
        .where(memberships.c.account_id == account_id, memberships.c.status != "removed")
        .order_by(func.lower(organisations.c.name))
    ).all()


def roles_of(session, organisation_id, account_id=None) -> dict:
    """{account_id: {tool_code: role}} (of one account if given)."""
    query = select(tool_roles).where(tool_roles.c.organisation_id == organisation_id)
    if account_id is not None:
        query = query.where(tool_roles.c.account_id == account_id)
    found: dict = {}
    for row in session.execute(query).all():
        found.setdefault(row.account_id, {})[row.tool_code] = row.role
    return found


def member_of(session, organisation_id, account_id, *, lock: bool = False) -> Member | None:
    row = membership(session, organisation_id, account_id, lock=lock)
    if row is None:
        return None
    return Member(
        str(account_id),
        row.status,
        row.admin,
        roles_of(session, organisation_id, account_id).get(row.account_id, {}),
        facts_of(account(session, account_id)),
    )


def members_of(session, organisation_id, statuses=("pending", "confirmed", "blocked")) -> list[Member]:
    rows = memberships_of_organisation(session, organisation_id, statuses)
    roles = roles_of(session, organisation_id)
    known = accounts_by_id(session, [row.account_id for row in rows])
    return [
        Member(
            str(row.account_id),
            row.status,
            row.admin,
            roles.get(row.account_id, {}),
            facts_of(known.get(row.account_id)),
        )
        for row in rows
    ]


def insert_membership(session, organisation_id, account_id, **values) -> None:
    session.execute(
        insert(memberships).values(organisation_id=organisation_id, account_id=account_id, requested_at=now(), **values)
    )


def update_membership(session, organisation_id, account_id, **values) -> None:
    session.execute(
        update(memberships)
        .where(memberships.c.organisation_id == organisation_id, memberships.c.account_id == account_id)
        .values(**values)
    )


def set_role(session, organisation_id, account_id, tool_code: str, role: str, actor) -> None:
    values = {"role": role, "updated_by": actor, "updated_at": now()}
    statement = pg_insert(tool_roles).values(
        organisation_id=organisation_id, account_id=account_id, tool_code=tool_code, **values
    )
    session.execute(
        statement.on_conflict_do_update(
            index_elements=[tool_roles.c.organisation_id, tool_roles.c.account_id, tool_roles.c.tool_code], set_=values
        )
    )


def clear_roles(session, organisation_id, account_id) -> None:
    session.execute(
        tool_roles.delete().where(
            tool_roles.c.organisation_id == organisation_id, tool_roles.c.account_id == account_id
        )
    )


# ---- tools and the allow-list --------------------------------------------------------------------


def registrations(session, organisation_id) -> dict:
    rows = session.execute(select(tool_registrations).where(tool_registrations.c.organisation_id == organisation_id))
    return {row.tool_code: row for row in rows}


def is_allow_listed(session, tool_code: str, enterprise_number: str) -> bool:
    return (
        session.execute(
            select(allow_list.c.tool_code).where(
                allow_list.c.tool_code == tool_code, allow_list.c.enterprise_number == enterprise_number
            )
        ).first()
        is not None
    )


def allow_listed_tools(session, enterprise_number: str) -> set[str]:
    rows = session.execute(select(allow_list.c.tool_code).where(allow_list.c.enterprise_number == enterprise_number))
    return {row.tool_code for row in rows}


def officer_request(session, organisation_id, account_id):
    return session.execute(
        select(officer_requests).where(
            officer_requests.c.organisation_id == organisation_id,
            officer_requests.c.account_id == account_id,
            officer_requests.c.status == "pending",
        )
    ).first()


def pending_officer_requests(session, organisation_id):
    return session.execute(
        select(officer_requests)
        .where(officer_requests.c.organisation_id == organisation_id, officer_requests.c.status == "pending")
        .order_by(officer_requests.c.requested_at)
    ).all()


def close_officer_requests(session, organisation_id, account_id, status: str, actor) -> None:
    session.execute(
        update(officer_requests)
        .where(
            and_(
                officer_requests.c.organisation_id == organisation_id,
                officer_requests.c.account_id == account_id,
                officer_requests.c.status == "pending",
            )
        )
        .values(status=status, decided_by=actor, decided_at=now())
    )


def log_activity(session, organisation_id, actor, action: str, subject=None, **details) -> None:
    session.execute(
        insert(activity).values(
            organisation_id=organisation_id,
            at=now(),
            actor_id=actor,
            action=action,
            subject_id=subject,
            details=details,
        )
    )


def recent_activity(session, organisation_id, limit: int = 50):
    return session.execute(
        select(activity)
        .where(activity.c.organisation_id == organisation_id)
        .order_by(activity.c.id.desc())
        .limit(limit)
    ).all()

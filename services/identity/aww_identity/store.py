"""Tables of the identity database and the repository functions the service uses."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    Table,
    Text,
    Uuid,
    delete,
    func,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import JSONB

from servicekit.mail import metadata as mail_metadata
from servicekit.outbox import metadata as outbox_metadata

metadata = MetaData()

accounts = Table(
    "accounts",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("username", Text, nullable=False, unique=True),
    Column("email", Text),  # null once anonymised
    Column("pending_email", Text),  # a new address waiting for its code; the old one stays in force
    Column("first_name", Text, nullable=False),
    Column("last_name", Text, nullable=False),
    Column("birth_date", Date),
    Column("gender", Text),
    Column("phone", Text),
    Column("language", Text, nullable=False),
    Column("status", Text, nullable=False),  # pending, active, deactivated, anonymised
    Column("password_hash", Text),
    Column("platform_admin", Boolean, nullable=False, server_default=text("false")),
    Column("failed_logins", Integer, nullable=False, server_default=text("0")),
    Column("locked_until", DateTime(timezone=True)),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=text("now()")),
    Column("activated_at", DateTime(timezone=True)),
    Column("last_login_at", DateTime(timezone=True)),
    Column("national_number", Text, unique=True),  # the linked eID card's holder; never in logs or events
    Column("eid_card", JSONB),  # certificate serial, issuer, validity of the linked card
    Column("eid_linked_at", DateTime(timezone=True)),
    Column("itsme_subject", Text, unique=True),
    Column("itsme_linked_at", DateTime(timezone=True)),
    Column("accreditations_checked_at", DateTime(timezone=True)),
)

codes = Table(
    "account_codes",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("account_id", Uuid, ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False),
    Column("purpose", Text, nullable=False),  # activation, email_change, password_reset
    Column("code_hash", LargeBinary, nullable=False),
    Column("email", Text),  # the address the code was sent to
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=text("now()")),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("attempts", Integer, nullable=False, server_default=text("0")),
    Column("used_at", DateTime(timezone=True)),
    Index("account_codes_live", "account_id", "purpose", postgresql_where=text("used_at IS NULL")),
    Index("account_codes_hash", "code_hash"),
)

sessions = Table(
    "sessions",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("account_id", Uuid, ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False),
    Column("token_hash", LargeBinary, nullable=False, unique=True),
    Column("method", Text, nullable=False),  # password, eid, itsme
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=text("now()")),
    Column("last_seen_at", DateTime(timezone=True), nullable=False, server_default=text("now()")),
    Column("expires_at", DateTime(timezone=True), nullable=False),  # absolute expiry
    Column("revoked_at", DateTime(timezone=True)),
    Column("organisation_id", Uuid),  # the active organisation, set by the organisation service
    Column("user_agent", Text),
    Column("client_ip", Text),
    Index("sessions_of_account", "account_id", postgresql_where=text("revoked_at IS NULL")),
)

accreditations = Table(
    "accreditations",
    metadata,
    Column("account_id", Uuid, ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False),
    Column("kind", Text, nullable=False),
    Column("number", Text, nullable=False),
    Column("valid_until", Date),
    PrimaryKeyConstraint("account_id", "kind", "number"),
)

trusted_devices = Table(
    "trusted_devices",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("account_id", Uuid, ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False),
    Column("token_hash", LargeBinary, nullable=False, unique=True),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=text("now()")),
    Column("last_used_at", DateTime(timezone=True), nullable=False, server_default=text("now()")),
    Column("failed_logins", Integer, nullable=False, server_default=text("0")),
    Column("locked_until", DateTime(timezone=True)),
)

oidc_flows = Table(
    "oidc_flows",
    metadata,
    Column("state_hash", LargeBinary, primary_key=True),
    Column("purpose", Text, nullable=False),  # login, link
    Column("account_id", Uuid),
    Column("session_id", Uuid),
    Column("nonce", Text, nullable=False),
    Column("code_verifier", Text, nullable=False),
    Column("redirect_uri", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=text("now()")),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("used_at", DateTime(timezone=True)),
)

# Alembic compares against all: the service's own tables, the outbox and the mail outbox.
target_metadata = [metadata, outbox_metadata, mail_metadata]


# ---- repository functions ------------------------------------------------------------------


def new_id() -> uuid.UUID:
    return uuid.uuid4()


def account_by_id(db, account_id, *, for_update: bool = False):
    query = select(accounts).where(accounts.c.id == account_id)
    if for_update:
        query = query.with_for_update()
    return db.execute(query).first()


def account_by_username(db, username: str):
    return db.execute(select(accounts).where(accounts.c.username == username)).first()


def accounts_by_email(db, email: str):
    return db.execute(
        select(accounts).where(
            func.lower(accounts.c.email) == email.lower(), accounts.c.status.in_(("active", "deactivated", "pending"))
        )
    ).all()


def account_by_national_number(db, number: str):
    return db.execute(select(accounts).where(accounts.c.national_number == number)).first()


def account_by_itsme_subject(db, subject: str):
    return db.execute(select(accounts).where(accounts.c.itsme_subject == subject)).first()


def update_account(db, account_id, **values) -> None:
    db.execute(update(accounts).where(accounts.c.id == account_id).values(**values))


def username_taken(db, username: str) -> bool:
    return db.execute(select(accounts.c.id).where(accounts.c.username == username)).first() is not None


def insert_account(db, **values) -> None:
    db.execute(insert(accounts).values(**values))


# -- password attempts: counted before the hash is checked, so parallel guesses cannot slip past


def reserve_login_attempt(db, account_id, max_failures: int, lock_seconds: int) -> int | None:
    """Count one attempt atomically; None when the account is locked. The attempt that reaches
    `max_failures` locks the account for `lock_seconds` (a success unlocks it at once)."""
    row = db.execute(
        text(
            "UPDATE accounts SET "
            "failed_logins = (CASE WHEN locked_until IS NOT NULL AND locked_until <= now() THEN 0 "
            "ELSE failed_logins END) + 1, "
            "locked_until = CASE WHEN (CASE WHEN locked_until IS NOT NULL AND locked_until <= now() THEN 0 "
            "ELSE failed_logins END) + 1 >= :max THEN now() + make_interval(secs => :lock) ELSE NULL END "
            "WHERE id = :id AND (locked_until IS NULL OR locked_until <= now()) "
            "RETURNING failed_logins"
        ),
        {"id": account_id, "max": max_failures, "lock": lock_seconds},
    ).first()
    return None if row is None else row.failed_logins


_RESERVE = (
    "UPDATE {table} SET "
    "failed_logins = (CASE WHEN locked_until IS NOT NULL AND locked_until <= now() THEN 0 "
    "ELSE failed_logins END) + 1, "
    "locked_until = CASE WHEN (CASE WHEN locked_until IS NOT NULL AND locked_until <= now() THEN 0 "
    "ELSE failed_logins END) + 1 >= :max THEN now() + make_interval(secs => :lock) ELSE NULL END "
    "WHERE id = :id AND (locked_until IS NULL OR locked_until <= now()) "
    "RETURNING failed_logins"
)


def reserve_device_attempt(db, device_id, max_failures: int, lock_seconds: int) -> int | None:
    """As reserve_login_attempt, on a device the account once logged in from (its own counter)."""
    row = db.execute(
        text(_RESERVE.format(table="trusted_devices")), {"id": device_id, "max": max_failures, "lock": lock_seconds}
    ).first()
    return None if row is None else row.failed_logins


def trusted_device(db, account_id, token_hash: bytes):
    return db.execute(
        select(trusted_devices).where(
            trusted_devices.c.account_id == account_id, trusted_devices.c.token_hash == token_hash
        )
    ).first()


def trust_device(db, account_id, token_hash: bytes, keep: int = 20) -> None:
    """Remember a device; an account keeps its `keep` most recently used ones."""
    db.execute(insert(trusted_devices).values(id=new_id(), account_id=account_id, token_hash=token_hash))
    db.execute(
        text(
            "DELETE FROM trusted_devices WHERE account_id = :a AND id NOT IN "
            "(SELECT id FROM trusted_devices WHERE account_id = :a ORDER BY last_used_at DESC, created_at DESC "
            "LIMIT :keep)"
        ),
        {"a": account_id, "keep": keep},
    )


def device_succeeded(db, device_id) -> None:
    db.execute(
        update(trusted_devices)
        .where(trusted_devices.c.id == device_id)
        .values(failed_logins=0, locked_until=None, last_used_at=func.now())
    )


def forget_devices(db, account_id) -> None:
    db.execute(delete(trusted_devices).where(trusted_devices.c.account_id == account_id))


def login_succeeded(db, account_id) -> None:
    db.execute(
        update(accounts)
        .where(accounts.c.id == account_id)
        .values(failed_logins=0, locked_until=None, last_login_at=func.now())
    )


def lock_remaining_seconds(db, account_id) -> int:
    row = db.execute(
        text("SELECT greatest(0, extract(epoch FROM locked_until - now()))::int AS s FROM accounts WHERE id = :id"),
        {"id": account_id},
    ).first()
    return int(row.s or 0) if row else 0


# -- codes


def insert_code(db, account_id, purpose: str, code_hash: bytes, email: str | None, expires_at: datetime) -> None:
    db.execute(
        update(codes)
        .where(codes.c.account_id == account_id, codes.c.purpose == purpose, codes.c.used_at.is_(None))
        .values(used_at=func.now())
    )  # one live code per purpose: a new one replaces the old
    db.execute(
        insert(codes).values(
            id=new_id(), account_id=account_id, purpose=purpose, code_hash=code_hash, email=email, expires_at=expires_at
        )
    )


def live_code(db, account_id, purpose: str):
    return db.execute(
        select(codes)
        .where(codes.c.account_id == account_id, codes.c.purpose == purpose, codes.c.used_at.is_(None))
        .order_by(codes.c.created_at.desc())
        .limit(1)
        .with_for_update()
    ).first()


def code_by_hash(db, purpose: str, code_hash: bytes):
    return db.execute(
        select(codes).where(codes.c.purpose == purpose, codes.c.code_hash == code_hash).with_for_update()
    ).first()


def count_code_attempt(db, code_id) -> int:
    return db.execute(
        update(codes).where(codes.c.id == code_id).values(attempts=codes.c.attempts + 1).returning(codes.c.attempts)
    ).scalar_one()


def use_code(db, code_id) -> None:
    db.execute(update(codes).where(codes.c.id == code_id).values(used_at=func.now()))


# -- sessions


def insert_session(db, **values) -> None:
    db.execute(insert(sessions).values(**values))


def live_sessions(db, account_id, idle_seconds: int):
    return db.execute(
        text(
            "SELECT id, method, created_at, last_seen_at, expires_at, user_agent, client_ip, organisation_id "
            "FROM sessions WHERE account_id = :a AND revoked_at IS NULL AND expires_at > now() "
            "AND last_seen_at > now() - make_interval(secs => :idle) ORDER BY last_seen_at DESC"
        ),
        {"a": account_id, "idle": idle_seconds},
    ).all()


def revoke_sessions(db, account_id, *, session_id=None, except_session=None) -> int:
    query = update(sessions).where(sessions.c.account_id == account_id, sessions.c.revoked_at.is_(None))
    if session_id is not None:
        query = query.where(sessions.c.id == session_id)
    if except_session is not None:
        query = query.where(sessions.c.id != except_session)
    return db.execute(query.values(revoked_at=func.now())).rowcount


def set_session_organisation(db, session_id, organisation_id) -> int:
    return db.execute(
        update(sessions)
        .where(sessions.c.id == session_id, sessions.c.revoked_at.is_(None))
        .values(organisation_id=organisation_id)
    ).rowcount


def clear_active_organisation(db, account_id, organisation_id) -> int:
    return db.execute(
        update(sessions)
        .where(sessions.c.account_id == account_id, sessions.c.organisation_id == organisation_id)
        .values(organisation_id=None)
    ).rowcount


# -- accreditations


def accreditations_of(db, account_ids: list) -> dict:
    rows = db.execute(
        select(accreditations)
        .where(accreditations.c.account_id.in_(account_ids))
        .order_by(accreditations.c.kind, accreditations.c.number)
    ).all()
    found: dict = {}
    for row in rows:
        found.setdefault(row.account_id, []).append(
            {
                "kind": row.kind,
                "number": row.number,
                "valid_until": row.valid_until.isoformat() if row.valid_until else None,
            }
        )
    return found


def replace_accreditations(db, account_id, items: list) -> None:
    db.execute(delete(accreditations).where(accreditations.c.account_id == account_id))
    if items:
        db.execute(
            insert(accreditations),
            [
                {"account_id": account_id, "kind": a.kind, "number": a.number, "valid_until": a.valid_until}
                for a in items
            ],
        )


# -- OIDC flows


def insert_oidc_flow(db, **values) -> None:
    db.execute(text("DELETE FROM oidc_flows WHERE expires_at < now() - interval '1 day'"))
    db.execute(insert(oidc_flows).values(**values))


def take_oidc_flow(db, state_hash: bytes):
    return db.execute(select(oidc_flows).where(oidc_flows.c.state_hash == state_hash).with_for_update()).first()


def use_oidc_flow(db, state_hash: bytes) -> None:
    db.execute(update(oidc_flows).where(oidc_flows.c.state_hash == state_hash).values(used_at=func.now()))


def stale_registrations(db, days: int, limit: int = 500) -> list:
    rows = db.execute(
        select(accounts.c.id)
        .where(
            accounts.c.status == "pending", accounts.c.created_at < func.now() - text(f"interval '{int(days)} days'")
        )
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    return [row.id for row in rows]


def delete_account(db, account_id) -> None:
    db.execute(delete(accounts).where(accounts.c.id == account_id))


def today() -> date:
    return date.today()

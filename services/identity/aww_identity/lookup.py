"""The session lookup behind every authenticated request, kept to one database round trip.

The worker's `db` session costs four round trips for a read (pool pre-ping, BEGIN, SELECT,
COMMIT). `resolve_session` runs on every authenticated request of the platform, so it gets its
own small autocommit engine without pre-ping: one SELECT (plus, at most once a minute per
session, the UPDATE of last_seen_at). A connection that died (database restart) is discarded and
the statement retried once on a fresh one.
"""

from __future__ import annotations

from nameko.extensions import DependencyProvider
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

RESOLVE = text(
    "SELECT s.id, s.account_id, s.organisation_id, "
    "(s.last_seen_at < now() - interval '60 seconds') AS stale, "
    "a.username, a.first_name, a.last_name, a.language, a.platform_admin "
    "FROM sessions s JOIN accounts a ON a.id = s.account_id "
    "WHERE s.token_hash = :h AND s.revoked_at IS NULL AND s.expires_at > now() "
    "AND s.last_seen_at > now() - make_interval(secs => :idle) AND a.status = 'active'"
)
TOUCH = text("UPDATE sessions SET last_seen_at = now() WHERE id = :id")


class SessionLookup:
    def __init__(self, engine) -> None:
        self.engine = engine

    def _run(self, statement, params, fetch: bool):
        for attempt in (1, 2):
            try:
                with self.engine.connect() as conn:
                    result = conn.execute(statement, params)
                    return result.first() if fetch else None
            except DBAPIError as exc:
                if attempt == 2 or not exc.connection_invalidated:
                    raise
        return None

    def resolve(self, token_hash: bytes, idle_seconds: int):
        return self._run(RESOLVE, {"h": token_hash, "idle": idle_seconds}, fetch=True)

    def touch(self, session_id) -> None:
        self._run(TOUCH, {"id": session_id}, fetch=False)


class FastSessions(DependencyProvider):
    def setup(self):
        config = self.container.config
        self.engine = create_engine(
            config["DATABASE_URL"],
            pool_size=int(config.get("max_workers", 10)),
            max_overflow=4,
            isolation_level="AUTOCOMMIT",
            pool_pre_ping=False,
        )
        self.lookup = SessionLookup(self.engine)

    def stop(self):
        self.engine.dispose()

    def kill(self):
        self.engine.dispose()

    def get_dependency(self, worker_ctx):
        return self.lookup

"""The session lookup behind every authenticated request, kept to one database round trip.

The worker's `db` session costs four round trips for a read (pool pre-ping, BEGIN, SELECT,
COMMIT). `resolve_session` runs on every authenticated request of the platform, so it gets its
own few autocommit psycopg connections: one SELECT (plus, at most once a minute per session, the
UPDATE of last_seen_at), each a prepared statement. They are plain psycopg connections, kept in a
list, not an SQLAlchemy engine: the engine's pool and result layers cost about twice the CPU of
the statement itself. A connection that died (database restart) is discarded and the statement
retried once on a fresh one; if that fails too, the error is SQLAlchemy's DBAPIError marked
`connection_invalidated`, which the RPC entrypoint answers as `service_unavailable`, as for any
other lost database connection. Other database errors are wrapped in DBAPIError too, as before.
"""

from __future__ import annotations

import psycopg
from nameko.extensions import DependencyProvider
from psycopg.rows import namedtuple_row
from sqlalchemy import make_url
from sqlalchemy.exc import DBAPIError

RESOLVE = (
    "SELECT s.id, s.account_id, s.organisation_id, "
    "(s.last_seen_at < now() - interval '60 seconds') AS stale, "
    "a.username, a.first_name, a.last_name, a.language, a.platform_admin "
    "FROM sessions s JOIN accounts a ON a.id = s.account_id "
    "WHERE s.token_hash = %(h)s AND s.revoked_at IS NULL AND s.expires_at > now() "
    "AND s.last_seen_at > now() - make_interval(secs => %(idle)s) AND a.status = 'active'"
)
TOUCH = "UPDATE sessions SET last_seen_at = now() WHERE id = %(id)s"


class SessionLookup:
    """At most `keep` idle connections are kept; each worker takes one for its statement."""

    def __init__(self, conninfo: str, keep: int) -> None:
        self.conninfo = conninfo
        self.keep = keep
        self._idle: list[psycopg.Connection] = []
        self._closed = False

    def _connect(self) -> psycopg.Connection:
        return psycopg.connect(self.conninfo, autocommit=True, row_factory=namedtuple_row)

    def _release(self, conn: psycopg.Connection) -> None:
        if self._closed or conn.closed or len(self._idle) >= self.keep:
            conn.close()
        else:
            self._idle.append(conn)

    def _run(self, statement: str, params: dict, fetch: bool):
        for attempt in (1, 2):
            try:
                conn = self._idle.pop() if self._idle else self._connect()
            except psycopg.Error as exc:  # as the engine reported it: not a lost connection
                raise DBAPIError.instance(statement, params, exc, psycopg.Error) from exc
            try:
                cursor = conn.execute(statement, params, prepare=True)
                row = cursor.fetchone() if fetch else None
            except psycopg.Error as exc:
                if not (conn.broken or conn.closed):
                    self._release(conn)  # autocommit: a failed statement leaves no transaction behind
                    raise DBAPIError.instance(statement, params, exc, psycopg.Error) from exc
                conn.close()
                if attempt == 2:
                    raise DBAPIError.instance(
                        statement, params, exc, psycopg.Error, connection_invalidated=True
                    ) from exc
                continue
            except BaseException:
                conn.close()  # e.g. the worker was killed in the middle of the statement
                raise
            self._release(conn)
            return row
        return None

    def resolve(self, token_hash: bytes, idle_seconds: int):
        return self._run(RESOLVE, {"h": token_hash, "idle": idle_seconds}, fetch=True)

    def touch(self, session_id) -> None:
        self._run(TOUCH, {"id": session_id}, fetch=False)

    def close(self) -> None:
        self._closed = True
        while self._idle:
            self._idle.pop().close()


def conninfo_of(database_url: str) -> str:
    """The libpq connection string of an SQLAlchemy URL (postgresql+psycopg://…)."""
    url = make_url(database_url).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


class FastSessions(DependencyProvider):
    def setup(self):
        config = self.container.config
        self.lookup = SessionLookup(conninfo_of(config["DATABASE_URL"]), keep=int(config.get("max_workers", 10)))

    def stop(self):
        self.lookup.close()

    def kill(self):
        self.lookup.close()

    def get_dependency(self, worker_ctx):
        return self.lookup

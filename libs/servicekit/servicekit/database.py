"""The Database dependency: one SQLAlchemy engine per container, one session per worker.

Nameko sends an RPC reply (or acks an event) *before* it calls the dependencies' worker_result,
so committing there could reply "done" for a change that then fails to commit. servicekit's
entrypoints (servicekit.entrypoints) therefore call `finish` before they reply or ack; a reply
always means the change is durable. worker_result only finishes what no entrypoint finished.
"""

from __future__ import annotations

import logging
import sys
from weakref import WeakKeyDictionary

from nameko.extensions import DependencyProvider
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from servicekit.outbox import OutboxRelay
from servicekit.psycopg_guard import ensure_green_psycopg

log = logging.getLogger(__name__)


def make_engine(url: str, pool_size: int):
    # No pre-ping: it costs a round trip on every worker. After a database restart the first
    # statement on a dead connection fails, SQLAlchemy invalidates the whole pool, and that one
    # worker ends in a retryable error (RPC: 503 service_unavailable, event: requeued).
    return create_engine(url, pool_size=pool_size, max_overflow=4, pool_timeout=10)


class Database(DependencyProvider):
    relay = OutboxRelay()  # shared per container: nudged after a commit that added events

    def setup(self):
        ensure_green_psycopg()  # also for containers started without servicekit.runner
        config = self.container.config
        self.engine = make_engine(config["DATABASE_URL"], int(config.get("max_workers", 10)) + 2)
        self.sessions: WeakKeyDictionary = WeakKeyDictionary()

    def stop(self):
        self.engine.dispose()

    def kill(self):
        self.engine.dispose()

    def get_dependency(self, worker_ctx):
        session = Session(bind=self.engine, expire_on_commit=False, autoflush=True)
        session.info["service"] = self.container.service_name
        session.info["publishes"] = frozenset(getattr(self.container.service_cls, "publishes", ()))
        self.sessions[worker_ctx] = session
        return session

    def ping(self) -> None:
        with self.engine.connect() as conn:
            conn.execute(text("SELECT 1"))

    def finish(self, worker_ctx, result, exc_info):
        """Commit on success, roll back on error; a failed commit becomes the worker's error."""
        session = self.sessions.get(worker_ctx)
        if session is None or session.info.get("finished"):
            return result, exc_info
        session.info["finished"] = True
        if exc_info is not None:
            session.rollback()
            return result, exc_info
        if session.in_transaction():  # not when nothing was read or written since the last commit
            try:
                session.commit()
            except Exception:
                session.rollback()
                log.exception("commit failed")
                return None, sys.exc_info()
        # also after a worker's own commit (a chunked job): its events must not wait for the sweep
        if session.info.pop("outbox_pending", False):
            self.relay.nudge()
        return result, exc_info

    def worker_result(self, worker_ctx, result=None, exc_info=None):
        self.finish(worker_ctx, result, exc_info)

    def worker_teardown(self, worker_ctx):
        session = self.sessions.pop(worker_ctx, None)
        if session is not None:
            session.close()

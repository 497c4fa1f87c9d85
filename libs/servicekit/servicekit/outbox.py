"""The transactional outbox: events are rows written in the same transaction as the change that
causes them, then relayed to the producer's topic exchange with publisher confirms.

- `add_event(session, ...)` (or `add_events` for many of one type) inside a worker's transaction;
- the relay takes pending rows oldest first, `FOR UPDATE SKIP LOCKED` so several replicas can
  relay side by side, marks them published (the time it took them) and commits that mark only
  after the broker confirmed every message of the batch. A crash between confirm and commit
  publishes again: consumers deduplicate on event_id.
- after a commit that added events, the Database dependency nudges the relay, so an event does not
  wait for the next sweep of the `relay_outbox` timer (servicekit.service).
"""

from __future__ import annotations

import json
import logging
import threading
import time
from datetime import UTC, datetime

import kombu
from amqp import Message
from nameko.extensions import SharedExtension
from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Identity,
    Index,
    MetaData,
    PrimaryKeyConstraint,
    Table,
    Text,
    Uuid,
    create_engine,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB

from aww_contracts.envelope import EventContractError, make_envelope
from aww_contracts.rpc import context_header, events_exchange
from servicekit import logs, metrics
from servicekit.broker import close_connection, open_channel
from servicekit.frames import coalesced_writes

log = logging.getLogger(__name__)

metadata = MetaData()

outbox_table = Table(
    "outbox",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("event_id", Uuid, nullable=False, unique=True),
    Column("event_type", Text, nullable=False),
    Column("envelope", JSONB, nullable=False),
    Column("occurred_at", DateTime(timezone=True), nullable=False),
    Column("published_at", DateTime(timezone=True)),
    Index("outbox_unpublished", "id", postgresql_where=text("published_at IS NULL")),
)

processed_events_table = Table(
    "processed_events",
    metadata,
    Column("consumer", Text, nullable=False),
    Column("event_id", Uuid, nullable=False),
    Column("processed_at", DateTime(timezone=True), nullable=False, server_default=text("now()")),
    PrimaryKeyConstraint("consumer", "event_id"),
)


def create_tables(bind) -> None:
    """Used by the first migration of every service."""
    metadata.create_all(bind=bind, checkfirst=True)


# one statement over arrays: psycopg's executemany sends one INSERT per row, and under eventlet
# each costs a green wait; a bulk of 500 took twice the CPU. Built once (building the clause
# parses its SQL: ~30 µs on every write of the platform).
_INSERT_EVENTS = text(
    "INSERT INTO outbox (event_id, event_type, envelope, occurred_at) "
    "SELECT event_id, :event_type, envelope, occurred_at FROM unnest("
    "CAST(:event_ids AS uuid[]), CAST(:envelopes AS jsonb[]), CAST(:occurred_at AS timestamptz[])"
    ") AS event(event_id, envelope, occurred_at)"
)


def add_event(session, event_type: str, data: dict, *, schema_version: int = 1) -> str:
    """Record an event in the worker's transaction; it leaves only if the transaction commits."""
    return add_events(session, event_type, [data], schema_version=schema_version)[0]


def add_events(session, event_type: str, items: list[dict], *, schema_version: int = 1) -> list[str]:
    """Record many events of one type in one statement (bulk work: imports, re-screens)."""
    producer = session.info["service"]
    if event_type not in session.info.get("publishes", ()):
        raise EventContractError(f"{producer} does not declare {event_type!r} in its `publishes`")
    correlation_id = logs.correlation_id.get()
    envelopes = [
        make_envelope(producer, event_type, data, correlation_id=correlation_id, schema_version=schema_version)
        for data in items
    ]
    if not envelopes:
        return []
    session.execute(
        _INSERT_EVENTS,
        {
            "event_type": event_type,
            "event_ids": [envelope["event_id"] for envelope in envelopes],
            "envelopes": [json.dumps(envelope, ensure_ascii=False) for envelope in envelopes],
            "occurred_at": [datetime.fromisoformat(envelope["occurred_at"]) for envelope in envelopes],
        },
    )
    session.info["outbox_pending"] = True
    return [envelope["event_id"] for envelope in envelopes]


_CLAIM_ONE = text(
    "INSERT INTO processed_events (consumer, event_id) VALUES (:consumer, :event_id) "
    "ON CONFLICT DO NOTHING RETURNING event_id"
)
_CLAIM_MANY = text(
    "INSERT INTO processed_events (consumer, event_id) "
    "SELECT :consumer, event_id FROM unnest(CAST(:event_ids AS uuid[])) AS event_id ORDER BY event_id "
    "ON CONFLICT DO NOTHING RETURNING event_id"
)


def claim_events(session, consumer: str, event_ids: list[str]) -> set[str]:
    """Record in one statement that `consumer` handles these events; return the ids it had not
    handled yet (the others are redeliveries).

    Runs in the handler's own transaction, so the marks and the handler's effects commit together.
    A concurrent duplicate waits on the primary key until the first commits, then sees the
    conflict; the ids are claimed in sorted order, so two batches that share ids cannot deadlock.
    """
    event_ids = sorted(set(event_ids))
    if not event_ids:
        return set()
    # a batch of one, as every event at a low rate: the plain insert measured ~0.5 ms less from
    # commit to handled than the array form (bench/events_bench.py, BENCH_RATE=50)
    if len(event_ids) == 1:
        rows = session.execute(_CLAIM_ONE, {"consumer": consumer, "event_id": event_ids[0]})
    else:
        rows = session.execute(_CLAIM_MANY, {"consumer": consumer, "event_ids": event_ids})
    return {str(event_id) for event_id in rows.scalars()}


class PublishNotConfirmed(RuntimeError):
    pass


class ConfirmingPublisher:
    """Publishes batches on one channel in confirm mode and waits until the broker acked them all.

    Waiting per batch instead of per message (what kombu's confirm_publish does) keeps the relay
    fast; a nack or a lost connection fails the whole batch, which stays pending in the outbox.
    """

    def __init__(self, amqp_uri: str, exchange: str) -> None:
        self.amqp_uri = amqp_uri
        self.exchange = exchange
        self._connection: kombu.Connection | None = None
        self._channel = None
        self._unconfirmed: set[int] = set()
        self._nacked = False
        self._next_tag = 1

    def _on_ack(self, tag: int, multiple: bool) -> None:
        if multiple:
            self._unconfirmed = {t for t in self._unconfirmed if t > tag}
        else:
            self._unconfirmed.discard(tag)

    def _on_nack(self, tag: int, multiple: bool) -> None:
        self._nacked = True
        self._on_ack(tag, multiple)

    def _ensure_channel(self):
        if self._channel is not None:
            return self._channel
        connection, channel = open_channel(self.amqp_uri)
        channel.exchange_declare(self.exchange, "topic", durable=True, auto_delete=False)
        channel.confirm_select()
        channel.events["basic_ack"].add(self._on_ack)
        channel.events["basic_nack"].add(self._on_nack)
        self._connection, self._channel = connection, channel
        self._next_tag = 1
        return channel

    def publish(self, messages: list[tuple[str, bytes, dict]], timeout: float = 10.0) -> None:
        """messages: (routing_key, body, properties)."""
        try:
            channel = self._ensure_channel()
            self._nacked = False
            with coalesced_writes(self._connection.connection.transport):
                for routing_key, body, properties in messages:
                    channel.basic_publish(Message(body, **properties), exchange=self.exchange, routing_key=routing_key)
                    self._unconfirmed.add(self._next_tag)
                    self._next_tag += 1
            deadline = time.monotonic() + timeout
            while self._unconfirmed:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise PublishNotConfirmed(f"{len(self._unconfirmed)} events not confirmed in {timeout} s")
                self._connection.connection.drain_events(timeout=remaining)
            if self._nacked:
                raise PublishNotConfirmed("the broker refused (nacked) part of the batch")
        except Exception:
            self.close(graceful=False)
            raise

    def close(self, graceful: bool = True) -> None:
        connection, self._connection, self._channel = self._connection, None, None
        self._unconfirmed = set()
        close_connection(connection, graceful)


def _message(row) -> tuple[str, bytes, dict]:
    """The outbox row as it goes on the wire: the envelope's JSON text as stored, not parsed and
    written again."""
    properties = {
        "content_type": "application/json",
        "content_encoding": "utf-8",
        "delivery_mode": 2,
        "message_id": str(row.event_id),
        "application_headers": {context_header("correlation_id"): row.correlation_id},
    }
    return row.event_type, row.body.encode(), properties


_TAKE_PENDING = text(
    "UPDATE outbox SET published_at = clock_timestamp() WHERE id IN ("
    "SELECT id FROM outbox WHERE published_at IS NULL ORDER BY id LIMIT :limit FOR UPDATE SKIP LOCKED) "
    "RETURNING id, event_id, event_type, envelope->>'correlation_id' AS correlation_id, "
    "envelope::text AS body, occurred_at"
)


class OutboxRelay(SharedExtension):
    batch_size = 500

    def setup(self):
        config = self.container.config
        self.service = self.container.service_name
        # no pre-ping (a round trip per pass): a pass on a connection the database dropped fails,
        # the connection is discarded, and the next nudge or sweep takes a new one
        self.engine = create_engine(config["DATABASE_URL"], pool_size=2, max_overflow=0)
        self.publisher = ConfirmingPublisher(
            config.get("OUTBOX_AMQP_URI") or config["AMQP_URI"], events_exchange(self.service)
        )
        self.confirm_timeout = float(config.get("OUTBOX_CONFIRM_TIMEOUT", 10.0))
        self._lock = threading.Lock()  # green under eventlet: one relay pass at a time per container
        self._wake = threading.Event()
        self._running = False

    def start(self):
        self._running = True
        self.container.spawn_managed_thread(self._nudged_loop, identifier="outbox-relay")

    def stop(self):
        self._running = False
        self._wake.set()
        self.publisher.close()
        self.engine.dispose()

    def kill(self):
        self.stop()

    def nudge(self) -> None:
        self._wake.set()

    def _nudged_loop(self) -> None:
        while self._running:
            self._wake.wait()
            self._wake.clear()  # a nudge during the pass below sets it again: no nudge is lost
            if not self._running:
                return
            try:
                self.publish_pending()
            except Exception as exc:  # the timer sweep retries; the events stay in the outbox
                log.warning("outbox relay pass failed: %s", exc)

    def publish_pending(self) -> int:
        """Publish every pending event; return how many were published."""
        total = 0
        with self._lock:
            while True:
                try:
                    published = self._publish_batch()
                except Exception:
                    metrics.OUTBOX_PUBLISH_FAILURES.labels(self.service).inc()
                    raise
                total += published
                if published < self.batch_size:
                    return total

    def _publish_batch(self) -> int:
        # one statement takes the oldest pending rows and marks them; the mark commits only after
        # the broker confirmed them all, so a failed publish leaves them pending (rolled back).
        # Every round trip here costs the producer CPU on every commit that nudges the relay.
        with self.engine.begin() as conn:
            rows = conn.execute(_TAKE_PENDING, {"limit": self.batch_size}).all()
            if not rows:
                return 0
            rows.sort(key=lambda row: row.id)  # RETURNING keeps no order: publish oldest first
            self.publisher.publish([_message(row) for row in rows], timeout=self.confirm_timeout)
        now = datetime.now(UTC)
        metrics.OUTBOX_PUBLISHED.labels(self.service).inc(len(rows))
        for row in rows:
            metrics.OUTBOX_DELAY.labels(self.service).observe((now - row.occurred_at).total_seconds())
        return len(rows)

    def measure_lag(self) -> tuple[int, float]:
        with self.engine.connect() as conn:
            pending, lag = conn.execute(
                text(
                    "SELECT count(*), coalesce(extract(epoch FROM now() - min(occurred_at)), 0) "
                    "FROM outbox WHERE published_at IS NULL"
                )
            ).one()
        metrics.OUTBOX_PENDING.labels(self.service).set(pending)
        metrics.OUTBOX_LAG.labels(self.service).set(float(lag))
        return int(pending), float(lag)

    def prune(self, keep_days: int = 7) -> None:
        """Published events and processed marks older than the window are no longer needed."""
        with self.engine.begin() as conn:
            conn.execute(
                text("DELETE FROM outbox WHERE published_at < now() - make_interval(days => :d)"), {"d": keep_days}
            )
            conn.execute(
                text("DELETE FROM processed_events WHERE processed_at < now() - make_interval(days => :d)"),
                {"d": keep_days * 4},
            )

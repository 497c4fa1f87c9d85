"""Small services that exercise servicekit for real: a producer with an outbox, an idempotent
consumer, and a caller of the producer (servicekit.calls). Used by servicekit's tests and by
bench/events_bench.py; not part of the platform."""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path
from typing import ClassVar

import eventlet
from sqlalchemy import (
    Column,
    DateTime,
    Integer,
    MetaData,
    Table,
    Text,
    Uuid,
    create_engine,
    func,
    insert,
    select,
    text,
)
from sqlalchemy.orm import Session

from aww_contracts.envelope import register_schema_dir
from aww_contracts.errors import DomainError
from servicekit import logs
from servicekit.calls import ServiceRpc
from servicekit.entrypoints import event_handler, rpc
from servicekit.outbox import add_event, add_events, create_tables
from servicekit.service import ServiceBase

register_schema_dir(Path(__file__).parent / "schemas")

probe_metadata = MetaData()
notes = Table("notes", probe_metadata, Column("id", Integer, primary_key=True), Column("text", Text, nullable=False))
applied = Table(
    "applied",
    probe_metadata,
    Column("id", Integer, primary_key=True),
    Column("event_id", Uuid, nullable=False),
    Column("note_id", Integer, nullable=False),
    Column("correlation_id", Text),
    Column("occurred_at", DateTime(timezone=True)),
    Column("handled_at", DateTime(timezone=True), server_default=text("clock_timestamp()")),
)


# Built once, like the platform's handlers' statements: building a Core statement per event cost as
# much CPU as running it, and without RETURNING nobody waits for the generated id.
_APPLY = text(
    "INSERT INTO applied (event_id, note_id, correlation_id, occurred_at) "
    "VALUES (:event_id, :note_id, :correlation_id, :occurred_at)"
)


def create_probe_tables(url: str) -> None:
    engine = create_engine(url)
    probe_metadata.create_all(engine)
    create_tables(engine)
    engine.dispose()


class ProducerService(ServiceBase):
    name = "probe_producer"
    publishes = ("note_written",)

    @rpc
    def write_note(self, text, fail_after_write=False):
        note_id = self.db.execute(insert(notes).values(text=text).returning(notes.c.id)).scalar_one()
        add_event(self.db, "note_written", {"note_id": note_id, "text": text})
        if fail_after_write:
            raise RuntimeError("failing after the write, on purpose")
        return note_id

    @rpc
    def write_notes(self, count):
        texts = [f"bulk {i}" for i in range(count)]
        rows = self.db.execute(insert(notes).returning(notes.c.id, notes.c.text), [{"text": t} for t in texts]).all()
        add_events(self.db, "note_written", [{"note_id": row.id, "text": row.text} for row in rows])
        return count

    @rpc
    def write_notes_steadily(self, rate, seconds, prefix="steady"):
        """Single-note transactions at a steady rate, committed from inside the producer (each with
        its event, then the relay nudged, as the Database dependency does after a worker): the
        events bench measures commit → handled without an RPC per event, whose cost is not part of
        the event path. Returns how many were committed."""
        engine = self.db.get_bind()
        count = int(rate * seconds)
        started = time.monotonic()
        for index in range(count):
            eventlet.sleep(max(0.0, started + index / rate - time.monotonic()))
            with Session(bind=engine, info=dict(self.db.info)) as session:
                text = f"{prefix} {index}"
                note_id = session.execute(insert(notes).values(text=text).returning(notes.c.id)).scalar_one()
                add_event(session, "note_written", {"note_id": note_id, "text": text})
                session.commit()
            self.outbox.nudge()
        return count

    @rpc
    def write_note_committing_itself(self, text):
        """A note and its event committed by the worker itself, nothing done after (as a chunked
        job's last chunk does): the relay is still nudged when the worker ends."""
        note_id = self.db.execute(insert(notes).values(text=text).returning(notes.c.id)).scalar_one()
        add_event(self.db, "note_written", {"note_id": note_id, "text": text})
        self.db.commit()
        return note_id

    @rpc
    def count_notes(self):
        return self.db.execute(select(func.count()).select_from(notes)).scalar_one()

    @rpc
    def echo_context(self):
        return {
            "correlation_id": self.context.correlation_id,
            "language": self.context.language,
            "principal": self.context.principal.as_header() if self.context.principal else None,
        }

    @rpc
    def refuse(self):
        raise DomainError("conflict", "refused on purpose", reason="probe")

    @rpc
    def refuse_with(self, details):
        raise DomainError("conflict", "refused on purpose", **details)

    @rpc
    def unserializable(self):
        return {"answer": object()}

    @rpc
    def answer_after(self, seconds, answer):
        eventlet.sleep(seconds)
        return answer


class ConsumerService(ServiceBase):
    name = "probe_consumer"

    failures_wanted: ClassVar[Counter] = Counter()  # note text → how many times to fail first

    @event_handler("probe_producer", "note_written")
    def on_note_written(self, data, envelope):
        text = data["text"]
        if text == "domain-error":
            raise DomainError("conflict", "this note can never be applied")
        if self.failures_wanted[text] > 0:
            self.failures_wanted[text] -= 1
            if text.startswith("unavailable"):  # what servicekit.calls raises when a service is down
                raise DomainError("service_unavailable", "a service this handler needs is down, on purpose")
            raise RuntimeError("transient failure, on purpose")
        self.db.execute(
            _APPLY,
            {
                "event_id": envelope["event_id"],
                "note_id": data["note_id"],
                "correlation_id": logs.correlation_id.get(),
                "occurred_at": envelope["occurred_at"],
            },
        )
        if text.startswith("slow"):
            time.sleep(1.0)  # after its write: the transaction stays open, not yet committed

    @rpc
    def applied_for(self, note_id):
        rows = self.db.execute(select(applied).where(applied.c.note_id == note_id)).all()
        return [{"event_id": str(r.event_id), "correlation_id": r.correlation_id} for r in rows]

    @rpc
    def applied_count(self):
        return self.db.execute(select(func.count()).select_from(applied)).scalar_one()


class CallerService(ServiceBase):
    """Calls the producer through servicekit.calls.ServiceRpc, as services call each other."""

    name = "probe_caller"

    producer = ServiceRpc("probe_producer", timeout=2)
    nobody = ServiceRpc("probe_nobody", timeout=30)  # a service that never ran on this broker

    @rpc
    def call_producer(self, method_name, *args, timeout=None, **kwargs):
        producer = self.producer if timeout is None else self.producer.with_timeout(timeout)
        return getattr(producer, method_name)(*args, **kwargs)

    @rpc
    def call_nobody(self):
        return self.nobody.ping()

    @rpc
    def replies_awaited(self):
        """How many replies the container's reply listener still keeps a waiting place for."""
        return len(self.producer._provider.rpc_reply_listener._reply_events)

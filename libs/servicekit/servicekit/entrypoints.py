"""Nameko entrypoints that commit the worker's transaction before they answer.

- `rpc`: replies only after the commit (on the container's reply channel, servicekit.replies);
  DomainError is an expected error (logged as a warning).
- `timer`: commits before the next tick is scheduled.
- `event_handler`: the idempotent consumer. It deduplicates on (consumer, event_id) in the
  handler's own transaction, acks after the commit, requeues on error with a growing pause, and
  dead-letters poison messages (invalid envelope, a DomainError that is not temporary, or too many
  failed attempts) to `<queue>.dlq` through the `aww.dead-letter` exchange. Events that arrive
  while others are being handled are handled in batches: one worker, one claim statement, one
  transaction and one commit for all of them. A batch that fails is rolled back and its events are
  handled one by one, so only the failing event is retried or dead-lettered.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import logging
import uuid
from collections import Counter, deque
from dataclasses import dataclass

import eventlet
import eventlet.event
import eventlet.semaphore
import kombu
from nameko import containers as nameko_containers
from nameko import events as nameko_events
from nameko import rpc as nameko_rpc
from nameko import timer as nameko_timer
from nameko.containers import WorkerContext
from nameko.exceptions import ContainerBeingKilled, IncorrectSignature
from nameko.log_helpers import make_timing_logger
from nameko.messaging import QueueConsumer
from sqlalchemy.exc import DBAPIError

from aww_contracts.envelope import EventContractError, validate_envelope
from aww_contracts.errors import DomainError
from servicekit import metrics
from servicekit.context import RequestContext
from servicekit.database import Database
from servicekit.frames import coalesced_writes
from servicekit.outbox import claim_events
from servicekit.replies import RpcConsumer

log = logging.getLogger(__name__)

DEAD_LETTER_EXCHANGE = "aww.dead-letter"


def _timing_only_when_debugging(logger: logging.Logger):
    """Nameko's container times four steps of every worker with a generator context manager that
    formats and logs a DEBUG line even when DEBUG is off; this one times them only when the line
    would be written (with replies.RpcConsumer's lookup by routing key: 7 % less CPU in the service
    per gateway request, 7 Dec)."""
    timed = make_timing_logger(logger)
    untimed = contextlib.nullcontext()

    def log_time(msg, *args):
        return timed(msg, *args) if logger.isEnabledFor(logging.DEBUG) else untimed

    return log_time


nameko_containers._log_time = _timing_only_when_debugging(nameko_containers._log)


class _CommitsFirst:
    def finish_transaction(self, worker_ctx, result, exc_info):
        for provider in self.container.dependencies:
            if isinstance(provider, Database):
                result, exc_info = provider.finish(worker_ctx, result, exc_info)
        return result, exc_info


class Rpc(_CommitsFirst, nameko_rpc.Rpc):
    rpc_consumer = RpcConsumer()  # replies on the container's own channel (servicekit.replies)

    def __init__(self, **kwargs):
        kwargs.setdefault("expected_exceptions", DomainError)
        super().__init__(**kwargs)

    def setup(self):
        super().setup()
        method = getattr(self.container.service_cls, self.method_name)
        self.signature = inspect.signature(method, follow_wrapped=False)  # as getcallargs: the method itself

    def check_signature(self, args, kwargs):
        """Nameko's check, with the method's signature read once (it re-read it on every call:
        inspect.getcallargs, ~4 % of a bare RPC's CPU)."""
        try:
            self.signature.bind(None, *args, **kwargs)  # None: the unbound method's `self`
        except TypeError as exc:
            raise IncorrectSignature(str(exc)) from None

    def handle_result(self, message, worker_ctx, result, exc_info):
        result, exc_info = self.finish_transaction(worker_ctx, result, exc_info)
        if exc_info is not None and _lost_database_connection(exc_info[1]):
            error = DomainError("service_unavailable", "The service lost its database connection; try again")
            exc_info = (DomainError, error, exc_info[2])
        return super().handle_result(message, worker_ctx, result, exc_info)


def _lost_database_connection(exc: BaseException) -> bool:
    return isinstance(exc, DBAPIError) and bool(exc.connection_invalidated)


class Timer(_CommitsFirst, nameko_timer.Timer):
    def handle_result(self, worker_ctx, result, exc_info):
        result, exc_info = self.finish_transaction(worker_ctx, result, exc_info)
        return super().handle_result(worker_ctx, result, exc_info)


rpc = Rpc.decorator
timer = Timer.decorator


class EventQueueConsumer(QueueConsumer):
    """The event handlers' own broker connection. Its prefetch holds a few batches, so deliveries
    wait here while a batch runs and the next batch takes them all at once (RPC keeps the shared
    consumer, whose prefetch is max_workers)."""

    @property
    def prefetch_count(self) -> int:
        return batch_size(self.container.config) * batches_in_flight(self.container.config)


def batch_size(config) -> int:
    return int(config.get("EVENT_BATCH_SIZE", 100))


def batches_in_flight(config) -> int:
    return int(config.get("EVENT_BATCHES_IN_FLIGHT", 2))


@dataclass
class Delivery:
    envelope: dict
    message: kombu.Message
    context_data: dict  # the message's nameko.* headers: correlation id, language, principal
    alone: bool = False  # set when its batch failed: handle it in a batch of its own

    @functools.cached_property
    def event_id(self) -> str:
        return str(uuid.UUID(self.envelope["event_id"]))  # the form PostgreSQL returns


@dataclass
class EventBatch:
    """Deliveries that one worker handles in one transaction: claimed in one statement, each
    handler run with its own event's context, committed once, then acknowledged."""

    entrypoint: IdempotentEventHandler
    deliveries: list[Delivery]
    worker_ctx: WorkerContext | None = None
    duplicates: int = 0

    def apply(self, service, fn) -> None:
        version = self.entrypoint.schema_version
        current = [d for d in self.deliveries if d.envelope["schema_version"] == version]
        fresh = claim_events(service.db, self.entrypoint.consumer_name, [d.event_id for d in current])
        for delivery in current:
            if delivery.event_id not in fresh:  # a redelivery, or a second copy in this batch
                self.duplicates += 1
                continue
            fresh.discard(delivery.event_id)
            self._enter(service, delivery)
            fn(service, delivery.envelope["data"], delivery.envelope)

    def _enter(self, service, delivery: Delivery) -> None:
        """The worker context of this event: its correlation id in the logs, on the RPCs the
        handler makes and in the events it adds, as if it had a worker of its own."""
        self.worker_ctx.data = dict(delivery.context_data)
        for provider in self.entrypoint.container.dependencies:
            if isinstance(provider, RequestContext):
                setattr(service, provider.attr_name, provider.get_dependency(self.worker_ctx))


class IdempotentEventHandler(_CommitsFirst, nameko_events.EventHandler):
    """Deliveries wait in `pending`; a dispatcher hands whatever is there (up to EVENT_BATCH_SIZE)
    to a worker as soon as one of EVENT_BATCHES_IN_FLIGHT slots is free (container config keys;
    100 and 2 by default). At a low rate every event runs alone at once; under load the events
    that arrived while the slots were busy share one worker and one transaction. A failed batch is
    rolled back and its events run one by one, so only the failing event is retried or
    dead-lettered."""

    queue_consumer = EventQueueConsumer()

    def __init__(self, source_service, event_type, schema_version=1, max_attempts=5, **kwargs):
        kwargs.setdefault("expected_exceptions", DomainError)
        super().__init__(
            source_service,
            event_type,
            handler_type=nameko_events.SERVICE_POOL,
            reliable_delivery=True,
            requeue_on_error=True,
            **kwargs,
        )
        self.schema_version = schema_version
        self.max_attempts = max_attempts
        self.failures: Counter = Counter()

    def setup(self):
        if not isinstance(getattr(self.container.service_cls, "db", None), Database):
            raise TypeError(f"{self.container.service_name}: an event_handler needs a Database named `db`")
        super().setup()
        self.queue.queue_arguments = {
            "x-dead-letter-exchange": DEAD_LETTER_EXCHANGE,
            "x-dead-letter-routing-key": self.queue.name,
        }
        self._declare_dead_letter_queue()
        self.batch_size = batch_size(self.container.config)
        self.slots = eventlet.semaphore.Semaphore(batches_in_flight(self.container.config))
        self.pending: deque[Delivery] = deque()
        self.arrived = eventlet.event.Event()
        self.dispatching = False

    def _declare_dead_letter_queue(self):
        exchange = kombu.Exchange(DEAD_LETTER_EXCHANGE, type="direct", durable=True)
        queue = kombu.Queue(f"{self.queue.name}.dlq", exchange=exchange, routing_key=self.queue.name, durable=True)
        with kombu.Connection(self.container.config["AMQP_URI"], connect_timeout=5) as connection:
            queue(connection.default_channel).declare()

    def start(self):
        self.dispatching = True
        self.container.spawn_managed_thread(self._dispatch, identifier=f"{self.consumer_name}.dispatch")

    def stop(self):
        # deliveries still pending are never acknowledged: the broker requeues them when the
        # connection closes
        self._stop_dispatching()
        super().stop()

    def kill(self):
        self._stop_dispatching()

    def _stop_dispatching(self):
        self.dispatching = False
        self._wake()

    @property
    def consumer_name(self) -> str:
        return f"{self.container.service_name}.{self.method_name}"

    def handle_message(self, body, message):
        try:
            validate_envelope(body)
        except (EventContractError, TypeError, KeyError) as exc:
            log.error("dead-lettering an invalid event on %s: %s", self.queue.name, exc)
            self._dead_letter(message)
            return
        self.pending.append(Delivery(body, message, self.unpack_message_headers(message)))
        self._wake()

    def _wake(self):
        if not self.arrived.ready():
            self.arrived.send()

    def _dispatch(self):
        while self.dispatching:
            if not self.pending:
                self.arrived.wait()
                self.arrived.reset()
                continue
            self.slots.acquire()  # here deliveries pile up while every slot is busy
            if self.dispatching and self.pending:
                self._spawn(self._next_batch())
            else:
                self.slots.release()

    def _next_batch(self) -> EventBatch:
        deliveries = [self.pending.popleft()]
        if not self._runs_alone(deliveries[0]):
            while self.pending and len(deliveries) < self.batch_size and not self._runs_alone(self.pending[0]):
                deliveries.append(self.pending.popleft())
        return EventBatch(self, deliveries)

    def _runs_alone(self, delivery: Delivery) -> bool:
        # an event that failed before is retried alone, so it cannot hold other events back
        return delivery.alone or delivery.event_id in self.failures

    def _spawn(self, batch: EventBatch) -> None:
        try:
            # spawn_worker only schedules the worker's green thread: the batch knows its worker
            # context before the worker runs
            batch.worker_ctx = self.container.spawn_worker(
                self,
                (batch,),
                {},
                context_data=dict(batch.deliveries[0].context_data),
                handle_result=functools.partial(self.handle_result, batch),
            )
        except ContainerBeingKilled:
            for delivery in batch.deliveries:
                self.queue_consumer.requeue_message(delivery.message)
            self.slots.release()

    def handle_result(self, batch, worker_ctx, result, exc_info):
        try:
            result, exc_info = self.finish_transaction(worker_ctx, result, exc_info)
        finally:
            self.slots.release()  # the acks and a retry's pause below hold no other event back
        if exc_info is None:
            self._acknowledge(batch)
            worker_ctx.settled_events = len(batch.deliveries)
        elif len(batch.deliveries) > 1:
            log.warning(
                "a batch of %d events failed (%s); handling them one by one", len(batch.deliveries), exc_info[1]
            )
            for delivery in batch.deliveries:
                delivery.alone = True
            self.pending.extendleft(reversed(batch.deliveries))
            self._wake()
            worker_ctx.settled_events = 0  # each counts when it is settled alone
        else:
            worker_ctx.settled_events = 1
            self._retry_or_dead_letter(batch.deliveries[0], exc_info)
        return result, exc_info

    def _acknowledge(self, batch: EventBatch) -> None:
        """After the commit: every delivery of the batch is done, applied or not."""
        for delivery in batch.deliveries:
            self.failures.pop(delivery.event_id, None)
        with _one_write(batch.deliveries):
            for delivery in batch.deliveries:
                self.queue_consumer.ack_message(delivery.message)
        if batch.duplicates:
            metrics.EVENTS_DUPLICATES.labels(self.container.service_name, self.method_name).inc(batch.duplicates)

    def _retry_or_dead_letter(self, delivery: Delivery, exc_info) -> None:
        event_id = delivery.event_id
        self.failures[event_id] += 1
        attempts = self.failures[event_id]
        # a DomainError is for good, unless a service it needed was down or slow (503, 504)
        permanent = isinstance(exc_info[1], DomainError) and not exc_info[1].temporary
        if permanent or attempts >= self.max_attempts:
            log.error("dead-lettering event %s after %d attempt(s): %s", event_id, attempts, exc_info[1])
            self.failures.pop(event_id, None)
            self._dead_letter(delivery.message)
        else:
            eventlet.sleep(min(0.05 * 2**attempts, 2.0))  # a pause, so a failing dependency can recover
            self.queue_consumer.requeue_message(delivery.message)

    def _dead_letter(self, message):
        metrics.EVENTS_DEAD_LETTERED.labels(self.container.service_name, self.method_name).inc()
        if message.channel.connection:
            message.reject(requeue=False)


def _one_write(deliveries: list[Delivery]):
    """A batch's acks leave in one socket write (they all travel on the handlers' connection)."""
    connection = deliveries[0].message.channel.connection
    if len(deliveries) == 1 or connection is None:
        return contextlib.nullcontext()
    return coalesced_writes(connection.transport)


def event_handler(source_service: str, event_type: str, *, schema_version: int = 1, max_attempts: int = 5):
    """Decorate `handler(self, data, envelope)`; it runs at most once per event and consumer.

    Events of another schema version on the same routing key are acknowledged and ignored.
    """

    def decorate(fn):
        @functools.wraps(fn)
        def handle(self, batch: EventBatch):
            batch.apply(self, fn)

        return IdempotentEventHandler.decorator(
            source_service, event_type, schema_version=schema_version, max_attempts=max_attempts
        )(handle)

    return decorate

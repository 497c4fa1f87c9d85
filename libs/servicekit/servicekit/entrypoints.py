"""Nameko entrypoints that commit the worker's transaction before they answer.

- `rpc`: replies only after the commit; DomainError is an expected error (logged as a warning).
- `timer`: commits before the next tick is scheduled.
- `event_handler`: the idempotent consumer. It deduplicates on (consumer, event_id) in the
  handler's own transaction, acks after the commit, requeues on error with a growing pause, and
  dead-letters poison messages (invalid envelope, a DomainError, or too many failed attempts) to
  `<queue>.dlq` through the `aww.dead-letter` exchange.
"""

from __future__ import annotations

import functools
import logging
from collections import Counter

import eventlet
import kombu
from nameko import events as nameko_events
from nameko import rpc as nameko_rpc
from nameko import timer as nameko_timer
from sqlalchemy.exc import DBAPIError

from aww_contracts.envelope import EventContractError, validate_envelope
from aww_contracts.errors import DomainError
from servicekit import metrics
from servicekit.database import Database
from servicekit.outbox import claim_event

log = logging.getLogger(__name__)

DEAD_LETTER_EXCHANGE = "aww.dead-letter"


def _json_native(value):
    """JSON values as they are (Nameko's own serializer turns numbers and booleans into strings)."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, dict):
        return {str(key): _json_native(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_json_native(item) for item in value]
    return str(value)


_nameko_serialize = nameko_rpc.serialize


def _serialize(exc):
    """DomainError details keep their JSON types on the wire (contracts/RPC.md: "missing_cents": 1230)."""
    data = _nameko_serialize(exc)
    if isinstance(exc, DomainError):
        data["exc_args"] = [exc.code, exc.message, _json_native(exc.details)]
    return data


nameko_rpc.serialize = _serialize  # the name nameko.rpc.Responder uses when it sends an error reply


class _CommitsFirst:
    def finish_transaction(self, worker_ctx, result, exc_info):
        for provider in self.container.dependencies:
            if isinstance(provider, Database):
                result, exc_info = provider.finish(worker_ctx, result, exc_info)
        return result, exc_info


class Rpc(_CommitsFirst, nameko_rpc.Rpc):
    def __init__(self, **kwargs):
        kwargs.setdefault("expected_exceptions", DomainError)
        super().__init__(**kwargs)

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


class IdempotentEventHandler(_CommitsFirst, nameko_events.EventHandler):
    def __init__(self, source_service, event_type, max_attempts=5, **kwargs):
        kwargs.setdefault("expected_exceptions", DomainError)
        super().__init__(
            source_service,
            event_type,
            handler_type=nameko_events.SERVICE_POOL,
            reliable_delivery=True,
            requeue_on_error=True,
            **kwargs,
        )
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

    def _declare_dead_letter_queue(self):
        exchange = kombu.Exchange(DEAD_LETTER_EXCHANGE, type="direct", durable=True)
        queue = kombu.Queue(f"{self.queue.name}.dlq", exchange=exchange, routing_key=self.queue.name, durable=True)
        with kombu.Connection(self.container.config["AMQP_URI"], connect_timeout=5) as connection:
            queue(connection.default_channel).declare()

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
        super().handle_message(body, message)

    def handle_result(self, message, worker_ctx, result, exc_info):
        result, exc_info = self.finish_transaction(worker_ctx, result, exc_info)
        event_id = worker_ctx.args[0]["event_id"]
        if exc_info is None:
            self.failures.pop(event_id, None)
            self.queue_consumer.ack_message(message)
            return result, exc_info
        self.failures[event_id] += 1
        attempts = self.failures[event_id]
        if isinstance(exc_info[1], DomainError) or attempts >= self.max_attempts:
            log.error("dead-lettering event %s after %d attempt(s): %s", event_id, attempts, exc_info[1])
            self.failures.pop(event_id, None)
            self._dead_letter(message)
        else:
            eventlet.sleep(min(0.05 * 2**attempts, 2.0))  # a pause, so a failing dependency can recover
            self.queue_consumer.requeue_message(message)
        return result, exc_info

    def _dead_letter(self, message):
        metrics.EVENTS_DEAD_LETTERED.labels(self.container.service_name, self.method_name).inc()
        if message.channel.connection:
            message.reject(requeue=False)


def event_handler(source_service: str, event_type: str, *, schema_version: int = 1, max_attempts: int = 5):
    """Decorate `handler(self, data, envelope)`; it runs at most once per event and consumer.

    Events of another schema version on the same routing key are acknowledged and ignored.
    """

    def decorate(fn):
        @functools.wraps(fn)
        def handle(self, envelope):
            if envelope["schema_version"] != schema_version:
                return None
            consumer = f"{self.name}.{fn.__name__}"
            if not claim_event(self.db, consumer, envelope["event_id"]):
                metrics.EVENTS_DUPLICATES.labels(self.name, fn.__name__).inc()
                return None
            return fn(self, envelope["data"], envelope)

        return IdempotentEventHandler.decorator(source_service, event_type, max_attempts=max_attempts)(handle)

    return decorate

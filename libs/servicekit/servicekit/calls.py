"""Calls from one service to another: Nameko's RpcProxy with a deadline and typed errors.

Nameko 2.14's RpcProxy waits for an answer without a limit. A request to a service that stopped
waits in that service's queue until it comes back, and the calling worker waits with it, holding
its database transaction open; when the service comes back it runs a request its caller gave up on
long ago. And a DomainError the callee raises reaches the caller as Nameko's RemoteError, which the
gateway can only answer with a 500.

`ServiceRpc(target, timeout=…)` is the dependency to use instead:
- a target with no consumer on its request queue (stopped, or never started) fails at once with
  DomainError("service_unavailable") (503); a target that had consumers is asked again after a
  second, one that had none at every call;
- the request carries `expiration` = the deadline, so the broker drops a request nobody took in
  time instead of running it after its caller gave up;
- the caller waits at most the deadline, then raises DomainError("upstream_timeout") (504);
- the callee's DomainError is raised again as the same DomainError (code, message, details), so it
  reaches the gateway with its own status; other remote errors stay Nameko's RemoteError.

`self.reporting.with_timeout(5).purged_documents(…)` waits less (or more) for one call.
"""

from __future__ import annotations

import logging
import time
import uuid

import eventlet
import eventlet.semaphore
from amqp.exceptions import NotFound
from nameko import rpc as nameko_rpc
from nameko.amqp.publish import UndeliverableMessage
from nameko.exceptions import deserialize
from nameko.extensions import SharedExtension
from nameko.rpc import get_rpc_exchange

from aww_contracts.errors import DomainError, domain_error_from_wire
from aww_contracts.rpc import routing_key, service_queue
from servicekit.broker import close_connection, open_channel

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT_SECONDS = 10.0
CONSUMERS_CHECKED_EVERY_SECONDS = 1.0


def unavailable(service: str) -> DomainError:
    return DomainError("service_unavailable", f"The {service} service is not available; try again", service=service)


def too_late(service: str, method: str, timeout: float) -> DomainError:
    return DomainError(
        "upstream_timeout", f"The {service} service did not answer {method} within {timeout:g} s", service=service
    )


class TargetConsumers(SharedExtension):
    """Whether each target's request queue has a consumer, asked of the broker (a passive declare).
    A target that had one is asked again after CONSUMERS_CHECKED_EVERY_SECONDS; one that had none
    at every call, so a service that comes back is called at once."""

    def setup(self):
        self.amqp_uri = self.container.config["AMQP_URI"]
        self.answered_at: dict[str, float] = {}
        self._connection = self._channel = None  # its own: a 404 would spoil a pooled one
        self._asking = eventlet.semaphore.Semaphore()

    def answering(self, service: str) -> bool:
        now = time.monotonic()
        answered_at = self.answered_at.get(service)
        if answered_at is not None:
            if now - answered_at < CONSUMERS_CHECKED_EVERY_SECONDS:
                return True
            self.answered_at[service] = now  # calls made while the broker answers keep the old answer
        if self._count(service) > 0:
            self.answered_at[service] = time.monotonic()
            return True
        self.answered_at.pop(service, None)
        return False

    def stop(self):
        close_connection(self._connection, graceful=True)

    def kill(self):
        close_connection(self._connection, graceful=False)

    def _count(self, service: str) -> int:
        with self._asking:  # one conversation at a time on the connection
            try:
                if self._connection is None:
                    self._connection, self._channel = open_channel(self.amqp_uri)
                return self._channel.queue_declare(queue=service_queue(service), passive=True).consumer_count
            except NotFound:
                return 0  # no request queue: the service never started on this broker (py-amqp reopens the channel)
            except Exception as exc:  # the broker is in trouble: the publish will tell
                log.warning("could not count %s's consumers: %s", service, exc)
                close_connection(self._connection, graceful=False)
                self._connection = self._channel = None
                return 1


class ServiceRpc(nameko_rpc.RpcProxy):
    consumers = TargetConsumers()

    def __init__(self, target_service: str, timeout: float = DEFAULT_TIMEOUT_SECONDS) -> None:
        super().__init__(target_service)
        self.timeout = timeout

    def get_dependency(self, worker_ctx):
        return ServiceCaller(worker_ctx, self, self.timeout)


class ServiceCaller:
    """`caller.method(*args, **kwargs)` calls the target and waits at most the caller's timeout."""

    def __init__(self, worker_ctx, provider: ServiceRpc, timeout: float) -> None:
        self._worker_ctx = worker_ctx
        self._provider = provider
        self.timeout = timeout

    def with_timeout(self, seconds: float) -> ServiceCaller:
        return ServiceCaller(self._worker_ctx, self._provider, seconds)

    def __getattr__(self, method: str) -> DeadlineMethodProxy:
        if method.startswith("_"):
            raise AttributeError(method)
        provider = self._provider
        return DeadlineMethodProxy(
            self._worker_ctx, provider.target_service, method, provider.rpc_reply_listener, provider.consumers,
            self.timeout,
        )  # fmt: skip


class DeadlineMethodProxy(nameko_rpc.MethodProxy):
    def __init__(self, worker_ctx, service, method, reply_listener, consumers: TargetConsumers, timeout: float):
        super().__init__(worker_ctx, service, method, reply_listener, expiration=timeout)
        self.consumers = consumers
        self.timeout = timeout

    def __call__(self, *args, **kwargs):
        if not self.consumers.answering(self.service_name):
            raise unavailable(self.service_name)
        correlation_id, reply_event = self._publish(args, kwargs)
        body = None
        with eventlet.Timeout(self.timeout, False):
            body = reply_event.wait()
        if body is None:
            # the listener keeps a waiting place until the answer comes; an expired request has none
            self.reply_listener._reply_events.pop(correlation_id, None)
            raise too_late(self.service_name, self.method_name, self.timeout)
        error = body.get("error")
        if error:
            raise domain_error_from_wire(error) or deserialize(error)
        return body["result"]

    def _publish(self, args, kwargs):
        """Nameko's request (MethodProxy._call), with its waiting place given up when the request
        cannot be published (Nameko leaves it behind)."""
        correlation_id = str(uuid.uuid4())
        reply_event = self.reply_listener.get_reply_event(correlation_id)
        try:
            self.publisher.publish(
                {"args": args, "kwargs": kwargs},
                exchange=get_rpc_exchange(self.container.config),
                routing_key=routing_key(self.service_name, self.method_name),
                mandatory=True,  # with the publisher's confirm: a request no queue takes is returned
                reply_to=self.reply_listener.routing_key,
                correlation_id=correlation_id,
                extra_headers=self.get_message_headers(self.worker_ctx),
            )
        except BaseException as exc:
            self.reply_listener._reply_events.pop(correlation_id, None)
            if isinstance(exc, UndeliverableMessage):
                raise unavailable(self.service_name) from None
            raise
        return correlation_id, reply_event

    def call_async(self, *args, **kwargs):
        raise TypeError("ServiceRpc calls wait for their answer: call the method")

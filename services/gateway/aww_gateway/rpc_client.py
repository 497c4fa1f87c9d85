"""An asyncio client of Nameko's RPC protocol over pika (contracts/RPC.md).

One connection and one channel per process, one exclusive reply queue, futures keyed by
correlation id. Requests carry `expiration` = the timeout, so a request nobody took in time is
dropped instead of running late, and `mandatory`, so a request to a service that never declared
its queue comes back at once. A probe task reads each service queue's consumer count every
second: calls to a service with no consumer fail fast with ServiceUnavailable instead of waiting
for the timeout.
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from typing import Any

import pika
from pika.adapters.asyncio_connection import AsyncioConnection
from pika.exceptions import ChannelClosedByBroker

from aww_contracts.rpc import RPC_EXCHANGE, context_header, routing_key, service_queue

log = logging.getLogger(__name__)


class RpcError(Exception):
    pass


class ServiceUnavailable(RpcError):
    def __init__(self, service: str, reason: str) -> None:
        super().__init__(f"{service} is not available: {reason}")
        self.service = service
        self.reason = reason


class RpcTimeout(RpcError):
    def __init__(self, service: str, method: str, timeout: float) -> None:
        super().__init__(f"{service}.{method} did not answer within {timeout:g} s")
        self.service = service
        self.method = method


class RemoteError(RpcError):
    """The service answered with an error (Nameko's {exc_type, exc_path, exc_args, value})."""

    def __init__(self, service: str, method: str, error: dict) -> None:
        super().__init__(f"{service}.{method} failed: {error.get('exc_type')}")
        self.service = service
        self.method = method
        self.error = error


class _ChannelClosed(Exception):
    pass


class _CoalescingConnection(AsyncioConnection):
    """pika writes every AMQP frame with its own socket send: three for a request (method, header
    and body frames). On this platform a send to the broker costs far more than building the
    frames, so the frames written during one turn of the event loop are joined and handed to the
    transport at once, in the order they were written, at the end of that turn (`call_soon`)."""

    def __init__(self, *args, **kwargs) -> None:
        self._outgoing: list[bytes] = []
        super().__init__(*args, **kwargs)

    def _adapter_emit_data(self, data: bytes) -> None:
        self._outgoing.append(data)
        if len(self._outgoing) == 1:
            self.ioloop.call_soon(self._flush_outgoing)

    def _flush_outgoing(self) -> None:
        data = b"".join(self._outgoing)
        self._outgoing.clear()
        if self._transport is not None:  # None once the connection is lost: its frames are moot
            super()._adapter_emit_data(data)


class RpcClient:
    def __init__(self, amqp_uri: str, services: tuple[str, ...], timeout: float = 10.0, probe_interval: float = 1.0):
        self.amqp_uri = amqp_uri
        self.services = services
        self.timeout = timeout
        self.probe_interval = probe_interval
        self.reply_queue = f"rpc.reply-gateway-{uuid.uuid4()}"
        self.consumers: dict[str, int] = {}
        self._connection: AsyncioConnection | None = None
        self._channel = None
        self._probe_channel = None
        self._pending: dict[str, tuple[asyncio.Future, str]] = {}
        self._waiters: dict[int, set[asyncio.Future]] = {}
        self._closing = False
        self._connected = asyncio.Event()
        self._tasks: list[asyncio.Task] = []

    # ---- lifecycle -------------------------------------------------------------------------

    async def start(self, wait: float = 10.0) -> None:
        self._tasks.append(asyncio.create_task(self._keep_connected()))
        self._tasks.append(asyncio.create_task(self._probe_loop()))
        try:
            await asyncio.wait_for(self._connected.wait(), wait)
            await self.probe_services()
        except TimeoutError:
            log.warning("message broker not reachable yet; calls fail with 503 until it is")

    async def close(self) -> None:
        self._closing = True
        for task in self._tasks:
            task.cancel()
        if self._connection is not None and not self._connection.is_closed:
            self._connection.close()

    @property
    def connected(self) -> bool:
        return self._connected.is_set()

    async def _keep_connected(self) -> None:
        delay = 0.2
        while not self._closing:
            if not self._connected.is_set():
                try:
                    await self._connect()
                    delay = 0.2
                except Exception as exc:
                    log.warning("broker connection failed: %s; retrying in %.1f s", exc, delay)
                    await asyncio.sleep(delay)
                    delay = min(delay * 2, 5.0)
                    continue
            await asyncio.sleep(0.2)

    async def _connect(self) -> None:
        loop = asyncio.get_running_loop()
        opened: asyncio.Future = loop.create_future()
        parameters = pika.URLParameters(self.amqp_uri)
        parameters.heartbeat = 30
        parameters.blocked_connection_timeout = 10

        def on_open(connection):
            if not opened.done():
                opened.set_result(connection)

        def on_open_error(connection, error):
            if not opened.done():
                opened.set_exception(ConnectionError(str(error)))

        _CoalescingConnection(
            parameters,
            on_open_callback=on_open,
            on_open_error_callback=on_open_error,
            on_close_callback=self._on_connection_closed,
            custom_ioloop=loop,
        )
        self._connection = await asyncio.wait_for(opened, 10)
        channel = await self._open_channel()
        await self._op(channel, "exchange_declare", exchange=RPC_EXCHANGE, exchange_type="topic", durable=True)
        await self._op(channel, "queue_declare", queue=self.reply_queue, exclusive=True, auto_delete=True)
        await self._op(
            channel, "queue_bind", queue=self.reply_queue, exchange=RPC_EXCHANGE, routing_key=self.reply_queue
        )
        channel.add_on_return_callback(self._on_return)
        channel.basic_consume(self.reply_queue, self._on_reply, auto_ack=True)
        self._channel = channel
        self._probe_channel = None
        self._connected.set()
        log.info("connected to the message broker")

    def _on_connection_closed(self, connection, reason) -> None:
        self._connected.clear()
        self._channel = None
        self._probe_channel = None
        for future, service in list(self._pending.values()):
            if not future.done():
                future.set_exception(ServiceUnavailable(service, "the message broker connection was lost"))
        self._pending.clear()
        if not self._closing:
            log.warning("broker connection closed: %s", reason)

    async def _open_channel(self):
        loop = asyncio.get_running_loop()
        opened: asyncio.Future = loop.create_future()
        self._connection.channel(on_open_callback=lambda ch: opened.done() or opened.set_result(ch))
        channel = await asyncio.wait_for(opened, 5)
        self._waiters[channel.channel_number] = set()
        channel.add_on_close_callback(self._on_channel_closed)
        return channel

    def _on_channel_closed(self, channel, reason) -> None:
        for waiter in self._waiters.pop(channel.channel_number, set()):
            if not waiter.done():
                waiter.set_exception(_ChannelClosed(str(reason)))
        if channel is self._probe_channel:
            self._probe_channel = None
        elif channel is self._channel and self._connection is not None and self._connection.is_open:
            log.error("RPC channel closed by the broker (%s); reconnecting", reason)
            self._connection.close()

    def _op(self, channel, method: str, **kwargs) -> asyncio.Future:
        """Run a pika channel operation and await its confirmation frame."""
        future = asyncio.get_running_loop().create_future()
        self._waiters.setdefault(channel.channel_number, set()).add(future)

        def done(frame):
            if not future.done():
                future.set_result(frame)

        getattr(channel, method)(callback=done, **kwargs)
        future.add_done_callback(lambda f: self._waiters.get(channel.channel_number, set()).discard(f))
        return future

    # ---- service liveness ------------------------------------------------------------------

    async def _probe_loop(self) -> None:
        while not self._closing:
            await asyncio.sleep(self.probe_interval)
            if self._connected.is_set():
                try:
                    await self.probe_services()
                except Exception as exc:  # the next round tries again
                    log.warning("service probe failed: %s", exc)

    async def probe_services(self) -> dict[str, int]:
        for service in self.services:
            self.consumers[service] = await self._consumer_count(service)
        return dict(self.consumers)

    async def _consumer_count(self, service: str) -> int:
        if self._probe_channel is None:
            self._probe_channel = await self._open_channel()
        try:
            frame = await asyncio.wait_for(
                self._op(self._probe_channel, "queue_declare", queue=service_queue(service), passive=True), 2
            )
        except (_ChannelClosed, ChannelClosedByBroker):
            return 0  # the queue does not exist: the service never started
        return frame.method.consumer_count

    def unavailable_reason(self, service: str) -> str | None:
        if service not in self.services:
            return "unknown service"
        if not self._connected.is_set():
            return "the message broker is not reachable"
        if self.consumers.get(service, 0) == 0:
            return "no instance is running"
        return None

    # ---- calls -----------------------------------------------------------------------------

    async def call(
        self,
        service: str,
        method: str,
        kwargs: dict[str, Any] | None = None,
        *,
        context: dict[str, Any] | None = None,
        timeout: float | None = None,
    ) -> Any:
        reason = self.unavailable_reason(service)
        if reason:
            raise ServiceUnavailable(service, reason)
        timeout = timeout or self.timeout
        correlation_id = uuid.uuid4().hex
        future = asyncio.get_running_loop().create_future()
        self._pending[correlation_id] = (future, service)
        headers = {context_header("call_id_stack"): [f"gateway.{method}.{correlation_id}"]}
        for key, value in (context or {}).items():
            if value is not None:
                headers[context_header(key)] = value
        properties = pika.BasicProperties(
            content_type="application/json",
            reply_to=self.reply_queue,
            correlation_id=correlation_id,
            headers=headers,
            expiration=str(max(int(timeout * 1000), 1)),
        )
        body = json.dumps({"args": [], "kwargs": kwargs or {}}, separators=(",", ":"), default=str)
        try:
            self._channel.basic_publish(RPC_EXCHANGE, routing_key(service, method), body, properties, mandatory=True)
            reply = await asyncio.wait_for(future, timeout)
        except TimeoutError:
            raise RpcTimeout(service, method, timeout) from None
        finally:
            self._pending.pop(correlation_id, None)
        if reply.get("error"):
            raise RemoteError(service, method, reply["error"])
        return reply.get("result")

    def _on_reply(self, channel, method, properties, body) -> None:
        entry = self._pending.pop(properties.correlation_id, None)
        if entry is None:
            return  # the caller gave up (timeout) before the reply came
        future, _ = entry
        if not future.done():
            future.set_result(json.loads(body))

    def _on_return(self, channel, method, properties, body) -> None:
        entry = self._pending.pop(properties.correlation_id, None)
        if entry and not entry[0].done():
            entry[0].set_exception(ServiceUnavailable(entry[1], "no queue takes its requests"))

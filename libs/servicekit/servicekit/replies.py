"""RPC replies on one broker channel per container, without publisher confirms.

Nameko's Responder takes a producer from kombu's pool for every reply (building a kombu
Connection to find it), serializes the result twice and waits for the broker's confirm: about
half of the CPU a bare RPC costs the service (py-spy on identity.ping, 7 Dec). Without the confirm
a reply is lost only if its connection dies in the instant between the write and the broker
reading it; with the confirm, that failure made the publish raise, which killed the container and
ran the request a second time (its committed work included). Wire format and persistence as
before (contracts/RPC.md): the same exchange, routing key `reply_to`, correlation id, content
type, body, delivery mode 2 (Nameko callers' reply queues are durable: their replies outlive a
broker restart).

A dead connection is not written to again: py-amqp reads what the broker sent before every
publish (a connection.close, the end of the stream) and raises, and its socket settings (TCP
keepalive after 60 s idle, TCP_USER_TIMEOUT 1 s) turn a silent peer into an error; the channel is
then reopened and the reply sent on the new one.
"""

from __future__ import annotations

import logging
import sys

import amqp
import eventlet.semaphore
import kombu
import kombu.serialization
from nameko import rpc as nameko_rpc
from nameko.constants import AMQP_URI_CONFIG_KEY
from nameko.exceptions import MethodNotFound, UnserializableValueError
from nameko.extensions import SharedExtension

from aww_contracts.errors import DomainError
from servicekit.broker import close_connection, open_channel

log = logging.getLogger(__name__)

PUBLISH_ATTEMPTS = 3  # a dropped connection is reopened and the reply sent again


class RpcReplies(SharedExtension):
    """The container's reply channel: opened on the first reply, reopened when it was lost."""

    def setup(self):
        config = self.container.config
        self.amqp_uri = config.get("RPC_REPLY_AMQP_URI") or config[AMQP_URI_CONFIG_KEY]
        self.exchange = nameko_rpc.get_rpc_exchange(config).name
        self._lock = eventlet.semaphore.Semaphore()  # one writer at a time: a message's frames stay together
        self._connection: kombu.Connection | None = None
        self._channel = None

    def stop(self):
        self._close(graceful=True)

    def kill(self):
        self._close(graceful=False)

    def send(self, message, result, exc_info):
        """Reply to `message` (a kombu request message) with the worker's result or error; return
        them as the caller sees them (an unserializable result becomes an error)."""
        content_type, content_encoding, body, result, exc_info = _reply_body(message, result, exc_info)
        reply_to = message.properties.get("reply_to")
        if not reply_to:
            return result, exc_info  # the caller asked for no reply
        reply = amqp.Message(
            body,
            content_type=content_type,
            content_encoding=content_encoding,
            correlation_id=message.properties.get("correlation_id"),
            delivery_mode=2,  # as Nameko: costs nothing on the gateway's non-durable queue
        )
        self._publish(reply, reply_to)
        return result, exc_info

    def _publish(self, reply: amqp.Message, routing_key: str) -> None:
        with self._lock:
            for attempt in range(1, PUBLISH_ATTEMPTS + 1):
                try:
                    self._open_channel().basic_publish(reply, exchange=self.exchange, routing_key=routing_key)
                    return
                except (OSError, amqp.exceptions.AMQPError, kombu.exceptions.OperationalError) as exc:
                    self._close(graceful=False)
                    if attempt == PUBLISH_ATTEMPTS:
                        raise
                    log.warning("RPC reply channel lost (%s); reopening it", exc)

    def _open_channel(self):
        if self._channel is None:
            self._connection, self._channel = open_channel(self.amqp_uri)
        return self._channel

    def _close(self, graceful: bool) -> None:
        connection, self._connection, self._channel = self._connection, None, None
        close_connection(connection, graceful)


def _json_native(value):
    """JSON values as they are (Nameko's own serializer turns numbers and booleans into strings)."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, dict):
        return {str(key): _json_native(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_json_native(item) for item in value]
    return str(value)


def serialize_error(exc: BaseException) -> dict:
    """Nameko's error shape; DomainError details keep their JSON types on the wire
    (contracts/RPC.md: "missing_cents": 1230)."""
    data = nameko_rpc.serialize(exc)
    if isinstance(exc, DomainError):
        data["exc_args"] = [exc.code, exc.message, _json_native(exc.details)]
    return data


def _reply_body(message, result, exc_info):
    """The reply's body, serialized once, as the request was (Nameko's rule)."""
    serializer = kombu.serialization.registry.type_to_name[message.properties["content_type"]]
    error = serialize_error(exc_info[1]) if exc_info is not None else None
    try:
        content_type, content_encoding, body = kombu.serialization.dumps({"result": result, "error": error}, serializer)
    except Exception:
        exc_info = sys.exc_info()
        error = serialize_error(UnserializableValueError(result))  # always serializable
        result = None
        content_type, content_encoding, body = kombu.serialization.dumps({"result": None, "error": error}, serializer)
    return content_type, content_encoding, body, result, exc_info


class RpcConsumer(nameko_rpc.RpcConsumer):
    replies = RpcReplies()

    def setup(self):
        super().setup()
        self._by_routing_key: dict = {}

    def get_provider_for_method(self, routing_key):
        """The entrypoint of `<service>.<method>`, looked up in a dict (Nameko formatted the key of
        every entrypoint in turn until one matched: 22 formats per call to identity.ping)."""
        provider = self._by_routing_key.get(routing_key)
        if provider is None or provider not in self._providers:  # providers come and go at start and stop
            service = self.container.service_name
            self._by_routing_key = {f"{service}.{p.method_name}": p for p in self._providers}
            provider = self._by_routing_key.get(routing_key)
            if provider is None:
                raise MethodNotFound(routing_key.split(".")[-1])
        return provider

    def handle_result(self, message, result, exc_info):
        result, exc_info = self.replies.send(message, result, exc_info)
        self.queue_consumer.ack_message(message)
        return result, exc_info

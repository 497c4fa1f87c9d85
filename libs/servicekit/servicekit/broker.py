"""servicekit's own publishing connections (the outbox relay, RPC replies): a raw py-amqp channel
on a kombu connection, and a close that never waits long."""

from __future__ import annotations

import contextlib

import eventlet
import kombu

CLOSE_SECONDS = 2.0


def open_channel(amqp_uri: str):
    """A new connection and a channel on it (no heartbeats: py-amqp's TCP keepalive and
    TCP_USER_TIMEOUT find a dead peer)."""
    connection = kombu.Connection(amqp_uri, heartbeat=0, connect_timeout=5)
    connection.connect()
    return connection, connection.connection.channel()


def close_connection(connection: kombu.Connection | None, graceful: bool) -> None:
    """graceful: the AMQP close handshake, for at most CLOSE_SECONDS (py-amqp waits for the
    broker's close-ok without a limit); otherwise, or after that, just the socket (a broken
    connection would wait for an answer that never comes)."""
    if connection is None:
        return
    if graceful:
        with contextlib.suppress(Exception), eventlet.Timeout(CLOSE_SECONDS, False):
            connection.release()
            return
    with contextlib.suppress(Exception):  # the connection is already gone; nothing to release
        connection.collect()

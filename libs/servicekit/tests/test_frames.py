"""Frames gathered by coalesced_writes reach the real broker together, whole and in order."""

import uuid

import kombu
from amqp import Message

from servicekit.frames import coalesced_writes


def _waiting(amqp_uri, queue) -> int:
    with kombu.Connection(amqp_uri) as other:
        return other.default_channel.queue_declare(queue, passive=True).message_count


def test_frames_leave_when_the_block_ends_in_the_order_written(amqp_uri):
    queue = f"frames-{uuid.uuid4().hex[:8]}"
    with kombu.Connection(amqp_uri) as connection:
        channel = connection.default_channel
        channel.queue_declare(queue, auto_delete=False)
        channel.confirm_select()
        with coalesced_writes(connection.connection.transport):
            for number in range(50):
                channel.basic_publish(Message(f"message {number}".encode() * 100), exchange="", routing_key=queue)
            # nothing has left yet: the broker has not seen a single frame
            assert _waiting(amqp_uri, queue) == 0
        connection.connection.drain_events(timeout=5)  # the confirms answer the one write
        received = []
        while (message := channel.basic_get(queue, no_ack=True)) is not None:
            received.append(message.body)
        channel.queue_delete(queue)
    assert received == [f"message {number}".encode() * 100 for number in range(50)]


def test_frames_written_before_an_error_still_leave(amqp_uri):
    queue = f"frames-{uuid.uuid4().hex[:8]}"
    with kombu.Connection(amqp_uri) as connection:
        channel = connection.default_channel
        channel.queue_declare(queue, auto_delete=False)
        try:
            with coalesced_writes(connection.connection.transport):
                channel.basic_publish(Message(b"before"), exchange="", routing_key=queue)
                raise ValueError("stops the block")
        except ValueError:
            pass
        channel.basic_publish(Message(b"after"), exchange="", routing_key=queue)  # the socket still works
        received = []
        for _ in range(50):
            message = channel.basic_get(queue, no_ack=True)
            if message is not None:
                received.append(message.body)
            if len(received) == 2:
                break
        channel.queue_delete(queue)
    assert received == [b"before", b"after"]

import json
import time
import uuid

import kombu


def wait_until(predicate, timeout=10.0, interval=0.05, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def drain_queue(amqp_uri, queue):
    """Take every message waiting in a durable queue (a dead-letter queue): their payloads."""
    with kombu.Connection(amqp_uri) as conn:
        simple = conn.SimpleQueue(queue, no_ack=True, queue_opts={"durable": True}, exchange_opts={"durable": True})
        found = []
        try:
            while True:
                found.append(simple.get(timeout=0.5).payload)
        except simple.Empty:
            pass
        finally:
            simple.close()
    return found


def call_service_on_the_wire(amqp_uri, service, method, **kwargs):
    """One request published by hand; the reply read off a reply queue of our own."""
    reply_queue = f"test-replies-{uuid.uuid4().hex[:8]}"
    correlation_id = uuid.uuid4().hex
    with kombu.Connection(amqp_uri) as connection:
        channel = connection.channel()
        exchange = kombu.Exchange("nameko-rpc", type="topic", durable=True)
        queue = kombu.Queue(reply_queue, exchange=exchange, routing_key=reply_queue, exclusive=True)
        queue(channel).declare()
        kombu.Producer(channel).publish(
            json.dumps({"args": [], "kwargs": kwargs}),
            exchange=exchange,
            routing_key=f"{service}.{method}",
            content_type="application/json",
            reply_to=reply_queue,
            correlation_id=correlation_id,
        )
        reply = wait_until(lambda: queue(channel).get(no_ack=True), what="the reply")
    assert reply.properties["correlation_id"] == correlation_id
    assert reply.content_type == "application/json"
    assert reply.properties["delivery_mode"] == 2  # persistent, as Nameko's replies (contracts/RPC.md)
    return json.loads(reply.body)

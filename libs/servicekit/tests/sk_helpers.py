import time

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

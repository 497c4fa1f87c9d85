"""The batching idempotent consumer, against the real RabbitMQ and PostgreSQL.

The consumers here run one batch at a time (EVENT_BATCHES_IN_FLIGHT=1) and the first event of a
burst is a "slow" note that holds its worker: the rest of the burst piles up meanwhile and is
handled as one batch, in one transaction.
"""

import uuid

import kombu
import psycopg
from prometheus_client import REGISTRY
from sk_helpers import drain_queue, wait_until

from aww_contracts.envelope import make_envelope
from aww_contracts.rpc import context_header
from servicekit.testing.probe import ConsumerService

CONSUMER = "probe_consumer.on_note_written"
QUEUE = "evt-probe_producer-note_written--probe_consumer.on_note_written"


def note(text, *, schema_version=1, correlation_id=None):
    """A note event of no real note (id -1: the producer's notes, counted from 1, never meet it)."""
    return make_envelope(
        "probe_producer",
        "note_written",
        {"note_id": -1, "text": text},
        schema_version=schema_version,
        correlation_id=correlation_id,
    )


def publish(amqp_uri, envelopes):
    """As the relay does: one message per envelope, the correlation id as a Nameko header."""
    with kombu.Connection(amqp_uri) as conn:
        producer = conn.Producer(serializer="json")
        for envelope in envelopes:
            producer.publish(
                envelope,
                exchange="probe_producer.events",
                routing_key="note_written",
                headers={context_header("correlation_id"): envelope["correlation_id"]},
            )


def one_batch_at_a_time(container_factory, probe_databases):
    return container_factory(ConsumerService, probe_databases["consumer"], EVENT_BATCHES_IN_FLIGHT=1)


def sql(url, query, *params):
    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as conn:
        return conn.execute(query, params).fetchall()


def applied_times(url, envelopes):
    """event_id → how many times the consumer applied it."""
    ids = [uuid.UUID(e["event_id"]) for e in envelopes]
    rows = sql(url, "SELECT event_id, count(*) FROM applied WHERE event_id = ANY(%s) GROUP BY event_id", ids)
    return {str(event_id): count for event_id, count in rows}


def transaction_sizes(url, envelopes):
    """How many of these events each consumer transaction claimed (processed_at is now(): the
    start of the claiming transaction)."""
    ids = [uuid.UUID(e["event_id"]) for e in envelopes]
    rows = sql(
        url,
        "SELECT count(*) FROM processed_events WHERE consumer = %s AND event_id = ANY(%s) GROUP BY processed_at",
        CONSUMER,
        ids,
    )
    return sorted(count for (count,) in rows)


def counter(name, **labels):
    return REGISTRY.get_sample_value(name, labels) or 0.0


def handled_ok():
    return counter(
        "aww_service_requests_total", service="probe_consumer", kind="event", method="on_note_written", outcome="ok"
    )


def handler_errors():
    return counter(
        "aww_service_errors_total",
        service="probe_consumer",
        kind="event",
        method="on_note_written",
        error_type="RuntimeError",
    )


def duplicates():
    return counter("aww_events_duplicates_total", service="probe_consumer", consumer="on_note_written")


def dead_letters(amqp_uri):
    return drain_queue(amqp_uri, f"{QUEUE}.dlq")


def messages_in_queue(amqp_uri):
    with kombu.Connection(amqp_uri) as conn:
        return conn.default_channel.queue_declare(QUEUE, passive=True).message_count


def open_transactions(url, last_query="INSERT INTO applied%", older_than=0.0):
    """Consumer transactions that wrote and now wait (a "slow" note sleeps after its write)."""
    return sql(
        "postgresql://postgres@127.0.0.1:5432/postgres",
        "SELECT pid FROM pg_stat_activity WHERE datname = %s AND state = 'idle in transaction' "
        "AND query LIKE %s AND state_change < now() - make_interval(secs => %s)",
        url.rsplit("/", 1)[1],
        last_query,
        older_than,
    )


def while_the_consumer_is_busy(url, amqp_uri, envelopes):
    """Publish the envelopes while a slow note holds the one batch slot: they pile up and are
    handled together, as one batch. Returns the slow note."""
    slow = note("slow first", correlation_id=f"cid-slow-{uuid.uuid4()}")
    publish(amqp_uri, [slow])
    wait_until(lambda: open_transactions(url), what="the slow note holding the batch slot")
    publish(amqp_uri, envelopes)
    return slow


def test_events_that_arrive_while_a_batch_runs_share_the_next_batch_and_apply_once(
    container_factory, probe_databases, amqp_uri
):
    one_batch_at_a_time(container_factory, probe_databases)
    url = probe_databases["consumer"]
    ok_before = handled_ok()
    burst = [note(f"burst {i}") for i in range(30)]
    slow = while_the_consumer_is_busy(url, amqp_uri, burst)
    wait_until(lambda: len(applied_times(url, [slow, *burst])) == 31, what="the burst applied")
    assert set(applied_times(url, [slow, *burst]).values()) == {1}
    assert transaction_sizes(url, burst) == [30]  # one transaction claimed them all
    wait_until(lambda: handled_ok() - ok_before == 31, what="every event counted as handled")


def test_one_failing_event_in_a_batch_is_retried_alone_and_the_others_apply_once(
    container_factory, probe_databases, amqp_uri, caplog
):
    one_batch_at_a_time(container_factory, probe_databases)
    url = probe_databases["consumer"]
    tag = uuid.uuid4().hex[:8]
    flaky, poison = f"flaky {tag}", f"poison {tag}"
    ConsumerService.failures_wanted[flaky] = 2
    ConsumerService.failures_wanted[poison] = 1000
    fine = [note(f"fine {i}") for i in range(10)]
    flaky_note, poison_note = note(flaky), note(poison)
    ok_before, errors_before = handled_ok(), handler_errors()
    while_the_consumer_is_busy(url, amqp_uri, [*fine[:5], flaky_note, poison_note, *fine[5:]])

    found = wait_until(lambda: dead_letters(amqp_uri), timeout=20, what="the poison event dead-lettered")
    assert [letter["event_id"] for letter in found] == [poison_note["event_id"]]
    wait_until(lambda: len(applied_times(url, [*fine, flaky_note])) == 11, what="the others applied")
    assert applied_times(url, [*fine, flaky_note, poison_note]) == {e["event_id"]: 1 for e in [*fine, flaky_note]}
    assert "a batch of 12 events failed" in caplog.text
    assert ConsumerService.failures_wanted[flaky] == 0
    # the flaky note failed first in the batch, so the poison one ran alone only, max_attempts times
    assert 1000 - ConsumerService.failures_wanted[poison] == 5
    # each event counts by its own outcome: the failed batch counts for none of them
    assert handled_ok() - ok_before == 1 + 10 + 1
    assert handler_errors() - errors_before == 1 + 5


def test_duplicates_in_one_batch_and_across_batches_are_acknowledged_without_effect(
    container_factory, probe_databases, amqp_uri
):
    one_batch_at_a_time(container_factory, probe_databases)
    url = probe_databases["consumer"]
    thrice = note("sent three times in one burst")
    others = [note(f"around the copies {i}") for i in range(6)]
    duplicates_before, ok_before = duplicates(), handled_ok()
    while_the_consumer_is_busy(url, amqp_uri, [*others[:3], thrice, thrice, thrice, *others[3:]])
    wait_until(lambda: len(applied_times(url, [thrice, *others])) == 7, what="the burst applied")
    assert transaction_sizes(url, [thrice, *others]) == [7]
    wait_until(lambda: duplicates() - duplicates_before == 2, what="two copies counted as duplicates")

    publish(amqp_uri, [thrice])  # a redelivery long after: another batch
    wait_until(lambda: duplicates() - duplicates_before == 3, what="the late copy counted as a duplicate")
    assert applied_times(url, [thrice]) == {thrice["event_id"]: 1}
    wait_until(lambda: handled_ok() - ok_before == 1 + 9 + 1, what="every delivery acknowledged and counted")


def test_events_of_another_schema_version_in_a_batch_are_acknowledged_and_ignored(
    container_factory, probe_databases, amqp_uri
):
    consumer = one_batch_at_a_time(container_factory, probe_databases)
    url = probe_databases["consumer"]
    ok_before = handled_ok()
    v1 = [note(f"version one {i}") for i in range(6)]
    v2 = note("version two", schema_version=2)
    while_the_consumer_is_busy(url, amqp_uri, [*v1[:3], v2, *v1[3:]])
    wait_until(lambda: handled_ok() - ok_before == 1 + 7, what="every delivery settled")
    assert transaction_sizes(url, v1) == [6]
    consumer.kill()  # whatever it had not acknowledged is now back in the queue
    assert messages_in_queue(amqp_uri) == 0
    assert applied_times(url, [v2]) == {}
    assert sql(url, "SELECT count(*) FROM processed_events WHERE event_id = %s", uuid.UUID(v2["event_id"])) == [(0,)]
    assert dead_letters(amqp_uri) == []


def test_each_event_of_a_batch_is_handled_with_its_own_correlation_id(container_factory, probe_databases, amqp_uri):
    one_batch_at_a_time(container_factory, probe_databases)
    url = probe_databases["consumer"]
    burst = [note(f"traced {i}", correlation_id=f"cid-{i}-{uuid.uuid4()}") for i in range(8)]
    slow = while_the_consumer_is_busy(url, amqp_uri, burst)
    wait_until(lambda: len(applied_times(url, burst)) == 8, what="the burst applied")
    assert transaction_sizes(url, burst) == [8]
    ids = [uuid.UUID(e["event_id"]) for e in [slow, *burst]]
    seen = dict(sql(url, "SELECT event_id::text, correlation_id FROM applied WHERE event_id = ANY(%s)", ids))
    assert seen == {e["event_id"]: e["correlation_id"] for e in [slow, *burst]}


def test_a_batch_whose_commit_fails_is_not_acknowledged_and_every_event_applies_once(
    container_factory, probe_databases, amqp_uri, caplog
):
    """The last note of the batch is slow: it sleeps after its write, so the batch's effects wait
    for the commit when the test cuts the connection. Had the batch been acknowledged before its
    commit, its events would be lost."""
    one_batch_at_a_time(container_factory, probe_databases)
    url = probe_databases["consumer"]
    batch = [*(note(f"before the cut {i}") for i in range(5)), note("slow last")]
    slow = while_the_consumer_is_busy(url, amqp_uri, batch)
    wait_until(lambda: applied_times(url, [slow]), what="the first slow note committed")
    cut = wait_until(
        lambda: sql(
            "postgresql://postgres@127.0.0.1:5432/postgres",
            "SELECT pg_terminate_backend(pid) FROM unnest(%s::int[]) AS pid",
            [pid for (pid,) in open_transactions(url, older_than=0.2)],
        ),
        what="the batch waiting for its commit",
    )
    assert cut == [(True,)]
    wait_until(lambda: len(applied_times(url, batch)) == 6, timeout=20, what="every event applied")
    assert set(applied_times(url, [slow, *batch]).values()) == {1}
    assert "a batch of 6 events failed" in caplog.text
    assert dead_letters(amqp_uri) == []


def test_a_consumer_stopped_during_a_batch_commits_it_and_leaves_what_waits_to_the_next_one(
    container_factory, probe_databases, amqp_uri
):
    consumer = one_batch_at_a_time(container_factory, probe_databases)
    url = probe_databases["consumer"]
    waiting = [note(f"waiting at the stop {i}") for i in range(5)]
    slow = while_the_consumer_is_busy(url, amqp_uri, waiting)
    consumer.stop()  # graceful: the running batch finishes, the waiting deliveries never start
    assert applied_times(url, [slow, *waiting]) == {slow["event_id"]: 1}
    wait_until(lambda: messages_in_queue(amqp_uri) == 5, what="the waiting deliveries back in the queue")

    one_batch_at_a_time(container_factory, probe_databases)
    wait_until(lambda: len(applied_times(url, waiting)) == 5, what="the next consumer applied them")
    assert set(applied_times(url, [slow, *waiting]).values()) == {1}

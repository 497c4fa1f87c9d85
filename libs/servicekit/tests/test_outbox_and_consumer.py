"""The outbox and the idempotent consumer, against the real RabbitMQ and PostgreSQL."""

import json
import random
import time
import uuid

import kombu
import pytest
from nameko.exceptions import RemoteError
from sk_helpers import drain_queue, wait_until
from sqlalchemy import create_engine, text

from servicekit.testing.proxy import CuttableProxy


def outbox_rows(url):
    engine = create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT envelope, published_at FROM outbox ORDER BY id")).all()
    engine.dispose()
    return rows


def test_event_is_published_after_commit_and_applied_once(producer, consumer, rpc_proxy):
    from nameko.testing.services import entrypoint_waiter

    text = f"hello {uuid.uuid4()}"

    def handled_this_note(worker_ctx, result, exc_info):
        (batch,) = worker_ctx.args
        return exc_info is None and any(d.envelope["data"]["text"] == text for d in batch.deliveries)

    with entrypoint_waiter(consumer, "on_note_written", callback=handled_this_note, timeout=10):
        note_id = rpc_proxy("probe_producer").write_note(text)
    # the handler's worker has ended: its transaction is committed
    assert len(rpc_proxy("probe_consumer").applied_for(note_id)) == 1


def test_events_added_in_bulk_each_leave_once_with_their_own_id(producer, consumer, rpc_proxy, probe_databases):
    before = rpc_proxy("probe_consumer").applied_count()
    assert rpc_proxy("probe_producer").write_notes(120) == 120
    wait_until(lambda: rpc_proxy("probe_consumer").applied_count() == before + 120, what="120 events applied")
    envelopes = [envelope for envelope, _ in outbox_rows(probe_databases["producer"])]
    bulk = [envelope for envelope in envelopes if envelope["data"]["text"].startswith("bulk ")]
    assert len({envelope["event_id"] for envelope in bulk}) == len(bulk) >= 120
    assert {envelope["data"]["text"] for envelope in bulk[-120:]} == {f"bulk {i}" for i in range(120)}


def test_steady_writes_commit_one_note_and_its_event_per_transaction_and_all_arrive(
    producer, consumer, rpc_proxy, probe_databases
):
    """The events bench's steady run: each note in its own transaction, each event relayed after
    its own commit (the relay nudged), none waiting for the one-second sweep."""
    before = rpc_proxy("probe_consumer").applied_count()
    prefix = f"steady-{uuid.uuid4().hex[:6]}"
    assert rpc_proxy("probe_producer").write_notes_steadily(50, 2.0, prefix) == 100
    wait_until(lambda: rpc_proxy("probe_consumer").applied_count() == before + 100, what="100 events applied")
    with create_engine(probe_databases["producer"]).connect() as conn:
        transactions = conn.execute(
            text("SELECT count(DISTINCT xmin::text) FROM notes WHERE text LIKE :p"), {"p": f"{prefix} %"}
        ).scalar_one()
        slowest_relay = conn.execute(
            text("SELECT max(published_at - occurred_at) FROM outbox WHERE envelope->'data'->>'text' LIKE :p"),
            {"p": f"{prefix} %"},
        ).scalar_one()
    assert transactions == 100
    # over 2 s of writes, the one-second sweep alone would leave one of them waiting almost 1 s
    assert slowest_relay.total_seconds() < 0.6


def test_events_a_worker_committed_itself_are_relayed_when_it_ends_not_at_the_next_sweep(
    producer, consumer, rpc_proxy, probe_databases
):
    prefix = f"self-committed-{uuid.uuid4().hex[:6]}"
    for index in range(8):
        rpc_proxy("probe_producer").write_note_committing_itself(f"{prefix} {index}")
        time.sleep(random.uniform(0.05, 0.3))  # spread over the one-second sweep's phases
    wait_until(
        lambda: len([r for r in outbox_rows(probe_databases["producer"]) if r.published_at and
                     r.envelope["data"]["text"].startswith(prefix)]) == 8,
        what="8 events published",
    )  # fmt: skip
    with create_engine(probe_databases["producer"]).connect() as conn:
        slowest_relay = conn.execute(
            text("SELECT max(published_at - occurred_at) FROM outbox WHERE envelope->'data'->>'text' LIKE :p"),
            {"p": f"{prefix} %"},
        ).scalar_one()
    # waiting for the sweep, 8 events spread over it would take ~0.5 s on average
    assert slowest_relay.total_seconds() < 0.3


def test_failing_handler_after_write_leaves_no_row_and_no_event(producer, consumer, rpc_proxy, probe_databases):
    before = len(outbox_rows(probe_databases["producer"]))
    notes_before = rpc_proxy("probe_producer").count_notes()
    with pytest.raises(RemoteError) as failure:
        rpc_proxy("probe_producer").write_note("doomed", fail_after_write=True)
    assert failure.value.exc_type == "RuntimeError"
    assert rpc_proxy("probe_producer").count_notes() == notes_before
    assert len(outbox_rows(probe_databases["producer"])) == before


def test_redelivered_event_is_acknowledged_without_effect(producer, consumer, rpc_proxy, probe_databases, amqp_uri):
    note_id = rpc_proxy("probe_producer").write_note("once only")
    wait_until(lambda: rpc_proxy("probe_consumer").applied_for(note_id), what="first delivery")
    envelope = next(
        r.envelope for r in outbox_rows(probe_databases["producer"]) if r.envelope["data"]["note_id"] == note_id
    )
    with kombu.Connection(amqp_uri) as conn:
        producer_ = conn.Producer(serializer="json")
        for _ in range(3):
            producer_.publish(envelope, exchange="probe_producer.events", routing_key="note_written")
    time.sleep(0.5)
    assert len(rpc_proxy("probe_consumer").applied_for(note_id)) == 1


def test_transient_handler_errors_are_retried_until_applied(producer, consumer, rpc_proxy):
    from servicekit.testing.probe import ConsumerService

    ConsumerService.failures_wanted["flaky"] = 2
    note_id = rpc_proxy("probe_producer").write_note("flaky")
    applied = wait_until(lambda: rpc_proxy("probe_consumer").applied_for(note_id), timeout=15, what="retried event")
    assert len(applied) == 1
    assert ConsumerService.failures_wanted["flaky"] == 0


DLQ = "evt-probe_producer-note_written--probe_consumer.on_note_written.dlq"


def test_invalid_envelope_goes_to_the_dead_letter_queue(consumer, amqp_uri):
    poison = {"event_type": "note_written", "data": {"note_id": "not a number"}}
    with kombu.Connection(amqp_uri) as conn:
        conn.Producer(serializer="json").publish(poison, exchange="probe_producer.events", routing_key="note_written")
    found = wait_until(lambda: drain_queue(amqp_uri, DLQ), what="dead letter")
    assert found == [poison]


def test_domain_error_in_handler_dead_letters_without_retries(producer, consumer, rpc_proxy, amqp_uri):
    note_id = rpc_proxy("probe_producer").write_note("domain-error")
    found = wait_until(lambda: drain_queue(amqp_uri, DLQ), what="dead letter")
    assert [letter["data"]["note_id"] for letter in found] == [note_id]
    assert rpc_proxy("probe_consumer").applied_for(note_id) == []


def test_event_committed_while_broker_unreachable_arrives_once_it_is_back(
    container_factory, probe_databases, consumer, rpc_proxy
):
    from servicekit.testing.probe import ProducerService

    proxy = CuttableProxy("127.0.0.1", 5672)
    try:
        from urllib.parse import urlparse

        amqp = consumer.config["AMQP_URI"]
        parsed = urlparse(amqp)
        through_proxy = f"amqp://guest:guest@127.0.0.1:{proxy.port}{parsed.path}"
        container_factory(
            ProducerService, probe_databases["producer"], OUTBOX_AMQP_URI=through_proxy, OUTBOX_CONFIRM_TIMEOUT=1
        )
        proxy.cut("refuse")
        note_id = rpc_proxy("probe_producer").write_note("while the broker is away")
        time.sleep(1.5)
        assert rpc_proxy("probe_consumer").applied_for(note_id) == []
        proxy.restore()
        applied = wait_until(lambda: rpc_proxy("probe_consumer").applied_for(note_id), what="event after reconnect")
        assert len(applied) == 1
    finally:
        proxy.close()


def start_producer_relaying_through(proxy, container_factory, probe_databases, consumer, rpc_proxy):
    """A producer whose outbox relay publishes through `proxy` (confirm timeout 1 s), its relay
    connection open and idle after one event went through."""
    from urllib.parse import urlparse

    from servicekit.testing.probe import ProducerService

    through_proxy = f"amqp://guest:guest@127.0.0.1:{proxy.port}{urlparse(consumer.config['AMQP_URI']).path}"
    container_factory(
        ProducerService, probe_databases["producer"], OUTBOX_AMQP_URI=through_proxy, OUTBOX_CONFIRM_TIMEOUT=1
    )
    warm = rpc_proxy("probe_producer").write_note("warm up the relay connection")
    wait_until(lambda: rpc_proxy("probe_consumer").applied_for(warm), what="warm-up event")
    time.sleep(0.2)  # its confirm is back: the relay holds an open, idle connection


def test_connection_lost_before_confirm_publishes_again_and_consumer_applies_once(
    container_factory, probe_databases, consumer, rpc_proxy
):
    proxy = CuttableProxy("127.0.0.1", 5672)
    try:
        start_producer_relaying_through(proxy, container_factory, probe_databases, consumer, rpc_proxy)
        proxy.cut("swallow_replies")  # the broker gets the publish, the relay never hears the confirm
        note_id = rpc_proxy("probe_producer").write_note("confirm lost")
        wait_until(lambda: rpc_proxy("probe_consumer").applied_for(note_id), what="first copy applied")
        proxy.cut("refuse")
        proxy.restore()
        rows = wait_until(
            lambda: [
                r
                for r in outbox_rows(probe_databases["producer"])
                if r.envelope["data"]["note_id"] == note_id and r.published_at is not None
            ],
            timeout=15,
            what="event marked published after the retry",
        )
        assert len(rows) == 1
        time.sleep(0.5)  # the second copy has reached the consumer by now
        assert len(rpc_proxy("probe_consumer").applied_for(note_id)) == 1
    finally:
        proxy.close()


def test_a_relay_connection_that_went_silent_is_given_up_and_the_event_still_leaves(
    container_factory, probe_databases, consumer, rpc_proxy
):
    """py-amqp's close handshake waits for the broker's close-ok without a limit: after a confirm
    timeout the relay drops the connection without it, or the relay would hang with its lock."""
    proxy = CuttableProxy("127.0.0.1", 5672)
    try:
        start_producer_relaying_through(proxy, container_factory, probe_databases, consumer, rpc_proxy)
        proxy.cut("blackhole")  # nothing crosses any more, and nothing closes
        note_id = rpc_proxy("probe_producer").write_note("into the black hole")
        time.sleep(1.5)  # the confirm did not come within 1 s: the relay gave the connection up
        proxy.restore()
        applied = wait_until(
            lambda: rpc_proxy("probe_consumer").applied_for(note_id), timeout=10, what="event on a new connection"
        )
        assert len(applied) == 1
    finally:
        proxy.close()


def test_correlation_id_follows_the_call_into_the_event_and_the_handler(producer, consumer, amqp_uri):
    from nameko.standalone.rpc import ServiceRpcProxy

    cid = f"test-{uuid.uuid4()}"
    with ServiceRpcProxy("probe_producer", {"AMQP_URI": amqp_uri}, context_data={"correlation_id": cid}) as proxy:
        note_id = proxy.write_note("traced")
        assert proxy.echo_context()["correlation_id"] == cid
    with ServiceRpcProxy("probe_consumer", {"AMQP_URI": amqp_uri}) as proxy:
        applied = wait_until(lambda: proxy.applied_for(note_id), what="traced event")
    assert applied[0]["correlation_id"] == cid


def test_principal_and_language_reach_the_worker(producer, amqp_uri):
    from nameko.standalone.rpc import ServiceRpcProxy

    principal = {"account_id": "a-1", "session_id": "s-1", "organisation_id": "o-1", "platform_admin": False}
    context = {"principal": principal, "language": "fr"}
    with ServiceRpcProxy("probe_producer", {"AMQP_URI": amqp_uri}, context_data=context) as proxy:
        seen = proxy.echo_context()
    assert seen["principal"] == principal
    assert seen["language"] == "fr"


def test_domain_error_crosses_the_wire_with_code_message_and_details(producer, rpc_proxy):
    with pytest.raises(RemoteError) as failure:
        rpc_proxy("probe_producer").refuse()
    assert failure.value.exc_type == "DomainError"
    assert json.loads(json.dumps(failure.value.value)) == "refused on purpose"


def test_health_reports_the_outbox(producer, rpc_proxy):
    health = rpc_proxy("probe_producer").health()
    assert health["service"] == "probe_producer"
    assert health["status"] == "ok"
    assert health["outbox_pending"] >= 0


def test_lost_database_connections_cost_one_retryable_error_then_recover(producer, rpc_proxy, probe_databases):
    import psycopg

    name = probe_databases["producer"].rsplit("/", 1)[1]
    rpc_proxy("probe_producer").count_notes()  # the pool holds a live connection
    with psycopg.connect("host=127.0.0.1 user=postgres dbname=postgres", autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,))
    outcomes = []
    for _ in range(3):
        try:
            rpc_proxy("probe_producer").count_notes()
            outcomes.append("ok")
        except RemoteError as error:
            outcomes.append(error.exc_type)
            assert "lost its database connection" in str(error.value)
    assert outcomes == ["DomainError", "ok", "ok"]

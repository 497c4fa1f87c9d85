"""Calls between services (servicekit.calls.ServiceRpc), against the real RabbitMQ: the probe
caller calls the probe producer as the platform's services call each other."""

import time

import pytest
from nameko.exceptions import RemoteError
from nameko.standalone.rpc import ServiceRpcProxy
from sk_helpers import call_service_on_the_wire, wait_until

from servicekit import calls
from servicekit.testing.probe import CallerService


@pytest.fixture
def caller(container_factory, probe_databases):
    return container_factory(CallerService, probe_databases["consumer"])


def refusal(amqp_uri, **kwargs) -> dict:
    """The caller's error as it goes on the wire to its own caller (the gateway)."""
    reply = call_service_on_the_wire(amqp_uri, "probe_caller", "call_producer", **kwargs)
    assert reply["result"] is None
    return reply["error"]


def timed(call):
    started = time.monotonic()
    try:
        call()
    except RemoteError as error:
        return error, time.monotonic() - started
    raise AssertionError("the call did not fail")


def test_a_call_answers_with_the_callees_result_and_carries_the_callers_context(producer, caller, amqp_uri):
    principal = {"account_id": "a-1", "session_id": "s-1", "organisation_id": "o-1", "platform_admin": False}
    context = {"principal": principal, "language": "fr", "correlation_id": "calls-test-1"}
    with ServiceRpcProxy("probe_caller", {"AMQP_URI": amqp_uri}, context_data=context) as proxy:
        assert proxy.call_producer("answer_after", 0, {"n": [1, 2]}) == {"n": [1, 2]}
        seen = proxy.call_producer("echo_context")
    assert seen == {"correlation_id": "calls-test-1", "language": "fr", "principal": principal}


def test_the_callees_domain_error_reaches_the_callers_caller_whole(producer, caller, amqp_uri):
    details = {"missing_cents": 1230, "errors": [{"field": "x", "message": "wrong"}]}
    error = refusal(amqp_uri, method_name="refuse_with", details=details)
    # before servicekit.calls the caller failed with Nameko's RemoteError: a 500 at the gateway
    assert error["exc_path"] == "aww_contracts.errors.DomainError"
    assert error["exc_args"] == ["conflict", "refused on purpose", details]


def test_a_callee_that_is_not_running_fails_at_once_and_is_called_again_as_soon_as_it_is_back(
    container_factory, probe_databases, producer, caller, rpc_proxy, amqp_uri
):
    from servicekit.testing.probe import ProducerService

    assert rpc_proxy("probe_caller").call_producer("ping")["status"] == "ok"
    producer.stop()  # its request queue stays, without a consumer
    time.sleep(calls.CONSUMERS_CHECKED_EVERY_SECONDS + 0.1)  # what the caller knew is now stale
    error, seconds = timed(lambda: rpc_proxy("probe_caller").call_producer("write_note", "never written", timeout=30))
    assert error.exc_type == "DomainError" and "probe_producer service is not available" in error.value
    assert seconds < 5  # not the 30 s of the call's deadline
    wire = refusal(amqp_uri, method_name="ping")
    assert wire["exc_args"][0] == "service_unavailable" and wire["exc_args"][2] == {"service": "probe_producer"}
    container_factory(ProducerService, probe_databases["producer"])
    assert rpc_proxy("probe_caller").call_producer("ping")["status"] == "ok"  # at once, not a second later


def test_a_service_that_never_ran_fails_at_once_with_service_unavailable(caller, rpc_proxy):
    for _ in range(2):  # the broker's answer (no such queue), then the count it left
        error, seconds = timed(lambda: rpc_proxy("probe_caller").call_nobody())
        assert "probe_nobody service is not available" in error.value and seconds < 5
    assert rpc_proxy("probe_caller").replies_awaited() == 0


def test_a_request_no_queue_takes_is_returned_and_answered_service_unavailable(
    producer, caller, rpc_proxy, amqp_uri, monkeypatch
):
    import kombu

    monkeypatch.setattr(calls, "CONSUMERS_CHECKED_EVERY_SECONDS", 60.0)  # what the caller knows stays fresh
    assert rpc_proxy("probe_caller").call_producer("ping")["status"] == "ok"  # it knows the producer answers
    producer.kill()
    with kombu.Connection(amqp_uri) as connection:  # and its queue goes: the next request is unroutable
        connection.default_channel.queue_delete("rpc-probe_producer")
    error, _ = timed(lambda: rpc_proxy("probe_caller").call_producer("ping"))
    assert "probe_producer service is not available" in error.value
    assert rpc_proxy("probe_caller").replies_awaited() == 0  # Nameko's own proxy leaves one behind


def test_a_slow_callee_times_out_and_the_caller_forgets_the_reply(producer, caller, rpc_proxy, amqp_uri):
    error, seconds = timed(lambda: rpc_proxy("probe_caller").call_producer("answer_after", 3, "late", timeout=0.5))
    assert error.exc_type == "DomainError" and "did not answer answer_after within 0.5 s" in error.value
    assert 0.5 <= seconds < 2.5
    wire = refusal(amqp_uri, method_name="answer_after", seconds=3, answer="late", timeout=0.5)
    assert wire["exc_args"] == ["upstream_timeout", error.value, {"service": "probe_producer"}]
    assert rpc_proxy("probe_caller").replies_awaited() == 0  # no waiting place left behind
    time.sleep(3)  # the late replies come and find nobody waiting: nothing breaks
    assert rpc_proxy("probe_caller").call_producer("answer_after", 0, "on time") == "on time"


def test_a_request_that_waited_past_its_deadline_is_never_run(container_factory, probe_databases, caller, rpc_proxy):
    from servicekit.testing.probe import ProducerService

    container_factory(ProducerService, probe_databases["producer"], max_workers=1)  # one call at a time
    producer = rpc_proxy("probe_producer", timeout=30)
    before = producer.count_notes()
    busy = rpc_proxy("probe_caller", timeout=30)
    import eventlet

    holding = eventlet.spawn(busy.call_producer, "answer_after", 2, "done", timeout=10)  # the only worker
    time.sleep(0.3)
    error, _ = timed(lambda: rpc_proxy("probe_caller").call_producer("write_note", "too late", timeout=0.5))
    assert "did not answer write_note" in error.value
    assert holding.wait() == "done"  # the worker is free again; the expired request was dropped
    time.sleep(0.5)
    assert producer.count_notes() == before


def test_an_event_handler_whose_dependency_is_down_retries_instead_of_dead_lettering(
    producer, consumer, rpc_proxy, amqp_uri
):
    from sk_helpers import drain_queue

    from servicekit.testing.probe import ConsumerService

    ConsumerService.failures_wanted["unavailable-then-fine"] = 2
    note_id = rpc_proxy("probe_producer").write_note("unavailable-then-fine")
    applied = wait_until(lambda: rpc_proxy("probe_consumer").applied_for(note_id), timeout=15, what="retried event")
    assert len(applied) == 1 and ConsumerService.failures_wanted["unavailable-then-fine"] == 0
    assert drain_queue(amqp_uri, "evt-probe_producer-note_written--probe_consumer.on_note_written.dlq") == []

"""RPC replies (servicekit.replies), against the real RabbitMQ: the same wire format as Nameko's
own Responder, on one channel per container that is reopened when the broker drops it."""

import json
import logging
import re
import subprocess
import time
from urllib.parse import urlparse

import kombu
import pytest
from nameko.exceptions import IncorrectSignature, RemoteError
from nameko.standalone.rpc import ServiceRpcProxy
from sk_helpers import call_service_on_the_wire, wait_until

from servicekit.replies import RpcReplies
from servicekit.testing.probe import ProducerService
from servicekit.testing.proxy import CuttableProxy


def call_on_the_wire(amqp_uri, method, **kwargs):
    return call_service_on_the_wire(amqp_uri, "probe_producer", method, **kwargs)


def test_replies_carry_the_result_as_contracts_rpc_md_describes(producer, amqp_uri):
    assert call_on_the_wire(amqp_uri, "ping") == {
        "result": {"service": "probe_producer", "status": "ok"},
        "error": None,
    }


def test_domain_error_details_keep_their_json_types(producer, amqp_uri):
    details = {"missing_cents": 1230, "final": True, "ratio": 0.5, "ids": [1, 2], "note": None}
    reply = call_on_the_wire(amqp_uri, "refuse_with", details=details)
    assert reply["result"] is None
    assert reply["error"]["exc_type"] == "DomainError"
    assert reply["error"]["exc_args"] == ["conflict", "refused on purpose", details]


def test_a_result_that_cannot_be_serialized_is_answered_with_an_error(producer, rpc_proxy):
    with pytest.raises(RemoteError) as failure:
        rpc_proxy("probe_producer").unserializable()
    assert failure.value.exc_type == "UnserializableValueError"
    assert rpc_proxy("probe_producer").ping()["status"] == "ok"  # the service goes on answering


def test_a_request_without_reply_to_is_done_once_and_acknowledged(producer, rpc_proxy, amqp_uri):
    before = rpc_proxy("probe_producer").count_notes()
    with kombu.Connection(amqp_uri) as connection:
        kombu.Producer(connection.channel()).publish(
            json.dumps({"args": ["nobody waits for this"], "kwargs": {}}),
            exchange=kombu.Exchange("nameko-rpc", type="topic", durable=True),
            routing_key="probe_producer.write_note",
            content_type="application/json",
        )
    wait_until(lambda: rpc_proxy("probe_producer").count_notes() == before + 1, what="the note written")
    with kombu.Connection(amqp_uri) as connection:
        _, waiting, _ = connection.channel().queue_declare("rpc-probe_producer", passive=True)
    assert waiting == 0
    assert rpc_proxy("probe_producer").count_notes() == before + 1


def test_a_reply_connection_cut_under_it_is_reopened_and_the_reply_sent_again(
    container_factory, probe_databases, amqp_uri, rpc_proxy
):
    proxy = CuttableProxy("127.0.0.1", 5672)
    try:
        through_proxy = f"amqp://guest:guest@127.0.0.1:{proxy.port}{urlparse(amqp_uri).path}"
        container_factory(ProducerService, probe_databases["producer"], RPC_REPLY_AMQP_URI=through_proxy)
        caller = rpc_proxy("probe_producer", timeout=3)
        assert caller.ping()["status"] == "ok"
        proxy.cut("refuse")  # closes the reply connection
        proxy.restore()
        time.sleep(0.5)  # the service's end of it has seen the close
        for _ in range(3):
            assert caller.ping()["status"] == "ok"
    finally:
        proxy.close()


def reply_connection_port(container) -> int:
    (replies,) = [extension for extension in container.extensions if isinstance(extension, RpcReplies)]
    return replies._connection.connection.sock.getsockname()[1]


def test_a_reply_connection_the_broker_closes_is_not_written_to_again(producer, rpc_proxy):
    """The broker closes a connection (an operator, a node going down) by sending connection.close,
    then ignores what the client still sends: a reply written there would be lost without an
    error, and the caller would time out. The channel is checked before every reply."""
    caller = rpc_proxy("probe_producer", timeout=3)
    assert caller.ping()["status"] == "ok"
    port = reply_connection_port(producer)
    listed = subprocess.run(
        ["rabbitmqctl", "-q", "list_connections", "pid", "peer_port"], capture_output=True, text=True, check=True
    ).stdout
    (pid,) = [line.split()[0] for line in listed.splitlines() if line.split()[1:] == [str(port)]]
    subprocess.run(["rabbitmqctl", "-q", "close_connection", pid, "closed by the test"], check=True)
    time.sleep(0.3)  # the close frame has reached the service
    for _ in range(3):
        assert caller.ping()["status"] == "ok"
    assert reply_connection_port(producer) != port


@pytest.mark.parametrize(
    "args, kwargs",
    [((), {}), (("a", "b", "c"), {}), (("a",), {"colour": "red"}), ((), {"txt": "a"})],
    ids=["missing", "too many", "unknown keyword", "misspelt keyword"],
)
def test_arguments_that_do_not_fit_the_method_are_refused_before_it_runs(producer, rpc_proxy, args, kwargs):
    before = rpc_proxy("probe_producer").count_notes()
    with pytest.raises(IncorrectSignature):  # Nameko's own error, rebuilt by the caller
        rpc_proxy("probe_producer").write_note(*args, **kwargs)
    assert rpc_proxy("probe_producer").count_notes() == before
    assert rpc_proxy("probe_producer").write_note("a", fail_after_write=False) > 0  # fitting ones still run


def test_a_container_stops_even_when_its_reply_connection_went_silent(container_factory, probe_databases, amqp_uri):
    """py-amqp waits for the broker's close-ok without a limit: the close handshake is bounded."""
    proxy = CuttableProxy("127.0.0.1", 5672)
    try:
        through_proxy = f"amqp://guest:guest@127.0.0.1:{proxy.port}{urlparse(amqp_uri).path}"
        container = container_factory(ProducerService, probe_databases["producer"], RPC_REPLY_AMQP_URI=through_proxy)
        with ServiceRpcProxy("probe_producer", {"AMQP_URI": amqp_uri}, timeout=3) as caller:
            assert caller.ping()["status"] == "ok"  # the reply connection is open
        proxy.cut("blackhole")
        started = time.monotonic()
        container.stop()
        assert time.monotonic() - started < 10
    finally:
        proxy.close()


def test_each_method_is_routed_to_its_own_entrypoint_and_an_unknown_one_is_named(producer, amqp_uri):
    assert call_on_the_wire(amqp_uri, "ping")["result"] == {"service": "probe_producer", "status": "ok"}
    assert isinstance(call_on_the_wire(amqp_uri, "count_notes")["result"], int)
    assert set(call_on_the_wire(amqp_uri, "echo_context")["result"]) == {"correlation_id", "language", "principal"}
    assert call_on_the_wire(amqp_uri, "refuse")["error"]["exc_type"] == "DomainError"
    unknown = call_on_the_wire(amqp_uri, "no_such_method")
    assert unknown["result"] is None
    assert unknown["error"]["exc_type"] == "MethodNotFound"
    assert unknown["error"]["value"] == "no_such_method"
    assert call_on_the_wire(amqp_uri, "ping")["error"] is None  # the unknown name left the lookup intact


def test_worker_steps_are_still_timed_in_the_debug_log(producer, rpc_proxy, caplog):
    with caplog.at_level(logging.DEBUG, logger="nameko.containers"):
        rpc_proxy("probe_producer").ping()
    timed = [record.getMessage() for record in caplog.records if record.name == "nameko.containers"]
    assert any(re.fullmatch(r"ran handler for <WorkerContext .*ping.*> in \d+\.\d{3}s", line) for line in timed), timed
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="nameko.containers"):
        rpc_proxy("probe_producer").ping()
    assert not [record for record in caplog.records if record.name == "nameko.containers"]

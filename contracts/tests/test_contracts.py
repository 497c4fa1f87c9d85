"""The wire contracts hold together: schemas, the AsyncAPI document, the services' declarations."""

import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from aww_contracts.catalogue import event_schemas, render_asyncapi
from aww_contracts.envelope import EventContractError, make_envelope, validate_envelope
from aww_contracts.errors import DomainError, FieldErrors, domain_error_from_wire, error_spec, known_error_codes

CONTRACTS = Path(__file__).resolve().parents[1]


def platform_services():
    import importlib

    from aww_devtools.stack import SERVICES

    for spec in SERVICES:
        module, cls = spec.entry.split(":")
        yield getattr(importlib.import_module(module), cls)


def test_committed_asyncapi_document_matches_the_schemas():
    committed = (CONTRACTS / "asyncapi.yaml").read_text(encoding="utf-8")
    assert committed == render_asyncapi(), "run `make contracts` to regenerate contracts/asyncapi.yaml"


@pytest.mark.parametrize("path", sorted((CONTRACTS / "events").glob("*.json")), ids=lambda p: p.name)
def test_every_schema_is_valid_json_schema_2020_12(path):
    schema = json.loads(path.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    assert schema.get("type") == "object"
    if path.name != "envelope.v1.json":
        assert schema.get("additionalProperties") is False, "event data must not carry undeclared fields"
        assert schema.get("title"), "every event schema says what happened"


def test_every_declared_event_has_a_schema_and_every_schema_a_producer():
    declared = {(service.name, event_type) for service in platform_services() for event_type in service.publishes}
    schemas = {(schema.producer, schema.event_type) for schema in event_schemas()}
    assert declared - schemas == set(), "declared events without a schema in contracts/events"
    assert schemas - declared == set(), "schemas no service declares in `publishes`"


def test_envelope_round_trip_and_refusals():
    import servicekit.testing.probe  # noqa: F401  registers the probe schemas
    from aww_contracts.envelope import register_schema_dir

    envelope = make_envelope("probe_producer", "note_written", {"note_id": 1, "text": "x"}, correlation_id="c-1")
    validate_envelope(envelope)
    with pytest.raises(EventContractError, match="note_id"):
        make_envelope("probe_producer", "note_written", {"note_id": "1", "text": "x"})
    with pytest.raises(EventContractError, match="no schema"):
        make_envelope("probe_producer", "never_declared", {})
    broken = dict(envelope, extra="field")
    with pytest.raises(EventContractError, match="envelope"):
        validate_envelope(broken)
    assert register_schema_dir  # the helper tools use to add their own schemas


def test_domain_errors_must_be_documented():
    assert error_spec("insufficient_funds")["status"] == 402
    with pytest.raises(ValueError, match="undocumented"):
        DomainError("made_up_code", "nobody documented this")
    error = DomainError("conflict", "already there", field="username")
    assert error.args == ("conflict", "already there", {"field": "username"})
    assert error.status == 409


def test_a_domain_error_comes_back_whole_from_the_wire():
    wire = {  # as contracts/RPC.md shows it
        "exc_type": "DomainError",
        "exc_path": "aww_contracts.errors.DomainError",
        "exc_args": ["insufficient_funds", "The wallet lacks EUR 12.30", {"missing_cents": 1230}],
        "value": "The wallet lacks EUR 12.30",
    }
    received = domain_error_from_wire(wire)
    assert isinstance(received, DomainError)
    assert (received.code, received.status) == ("insufficient_funds", 402)
    assert received.message == "The wallet lacks EUR 12.30"
    assert received.details == {"missing_cents": 1230}
    assert received.args == tuple(wire["exc_args"])


def test_what_is_not_a_documented_domain_error_is_not_rebuilt_as_one():
    from nameko.exceptions import serialize

    assert domain_error_from_wire(serialize(ValueError("boom"))) is None
    undocumented = {"exc_path": "aww_contracts.errors.DomainError", "exc_args": ["made_up_code", "?", {}]}
    assert domain_error_from_wire(undocumented) is None
    bare = domain_error_from_wire({"exc_path": undocumented["exc_path"], "exc_args": ["conflict"], "value": "v"})
    assert (bare.code, bare.message, bare.details) == ("conflict", "v", {})


def test_only_an_unavailable_or_slow_service_makes_a_domain_error_temporary():
    temporary = {code for code in known_error_codes() if DomainError(code, "x").temporary}
    assert {"service_unavailable", "upstream_timeout"} <= temporary
    assert all(error_spec(code)["status"] in (503, 504) for code in temporary)
    assert not DomainError("conflict", "x").temporary and not DomainError("internal_error", "x").temporary


def test_every_error_code_has_a_client_or_server_status():
    for code in known_error_codes():
        assert 400 <= error_spec(code)["status"] <= 599


def test_field_errors_name_every_problem_of_a_request():
    errors = FieldErrors()
    errors.raise_if_any()  # nothing collected: nothing raised
    errors.add("email", "is not an e-mail address")
    errors.add("birth_date", "is in the future")
    with pytest.raises(DomainError) as refused:
        errors.raise_if_any()
    assert refused.value.code == "validation_failed" and refused.value.status == 400
    assert refused.value.message == "email: is not an e-mail address (and 1 more)"
    assert [item["field"] for item in refused.value.details["errors"]] == ["email", "birth_date"]

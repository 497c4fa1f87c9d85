"""The compiled validators (fastjsonschema) enforce exactly the contract jsonschema reads in the
schemas: every valid event passes, and any change to one makes both accept or both refuse."""

import json
import uuid
from datetime import UTC, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator, FormatChecker

from aww_contracts.envelope import EventContractError, _check, _validator, make_envelope, validate_envelope

CONTRACTS = Path(__file__).resolve().parents[1]
SCHEMAS = sorted((CONTRACTS / "events").glob("*.json"))

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**40), 2**40) | st.floats(allow_nan=False) | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=6,
) | st.sampled_from(["2026-02-30", "2026-12-07", "2026-12-07T10:00:00", "2026-12-07T10:00:00+0100", "not-a-uuid"])


KNOWN_KEYWORDS = {
    "$schema", "$id", "title", "description", "type", "enum", "format", "pattern", "minLength", "maxLength",
    "minimum", "properties", "required", "additionalProperties", "items", "minItems", "maxItems", "uniqueItems",
}  # fmt: skip
ZONES = [UTC, timezone(timedelta(hours=1)), timezone(timedelta(hours=-9, minutes=-30))]
FORMATS = {
    "uuid": st.uuids().map(str),
    "date": st.dates().map(lambda d: d.isoformat()),
    "date-time": st.datetimes(timezones=st.sampled_from(ZONES)).map(lambda d: d.isoformat()),
}


def from_schema(schema: dict) -> st.SearchStrategy:
    """Valid instances of the small part of JSON Schema our event schemas use (a schema that uses
    more fails here, so the agreement below is never checked on a part it cannot generate)."""
    assert set(schema) <= KNOWN_KEYWORDS, f"teach from_schema about {set(schema) - KNOWN_KEYWORDS}"
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
    return st.one_of([_of_type(kind, schema) for kind in types])


def _of_type(kind: str, schema: dict) -> st.SearchStrategy:
    if kind == "null":
        return st.none()
    if kind == "boolean":
        return st.booleans()
    if kind == "integer":
        return st.integers(min_value=schema.get("minimum"), max_value=2**53)
    if kind == "string":
        if "format" in schema:
            return FORMATS[schema["format"]]
        if "pattern" in schema:
            return st.from_regex(schema["pattern"], fullmatch=True)
        return st.text(min_size=schema.get("minLength", 0), max_size=schema.get("maxLength", 40))
    if kind == "array":
        return st.lists(
            from_schema(schema.get("items", {"type": "string"})),
            min_size=schema.get("minItems", 0),
            max_size=schema.get("maxItems", 3),
            unique_by=(lambda item: json.dumps(item, sort_keys=True)) if schema.get("uniqueItems") else None,
        )
    assert kind == "object", kind
    properties = schema.get("properties", {})
    required = set(schema.get("required", ()))
    return st.fixed_dictionaries(
        {name: from_schema(sub) for name, sub in properties.items() if name in required},
        optional={name: from_schema(sub) for name, sub in properties.items() if name not in required},
    )


def _paths(value, prefix=()):
    """Every place inside a JSON value where a mutation can happen."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield (*prefix, key)
            yield from _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield (*prefix, index)
            yield from _paths(item, (*prefix, index))


@st.composite
def mutated(draw, schema):
    instance = draw(from_schema(schema))
    paths = list(_paths(instance))
    how = draw(st.sampled_from(["replace", "delete", "add"] if paths else ["add"]))
    if how == "add":
        instance[draw(st.text(min_size=1, max_size=8))] = draw(json_values)
        return instance
    path = draw(st.sampled_from(paths))
    parent = instance
    for step in path[:-1]:
        parent = parent[step]
    if how == "delete":
        del parent[path[-1]]
    else:
        parent[path[-1]] = draw(json_values)
    return instance


def _compiled_accepts(name, instance) -> bool:
    try:
        _check(_validator(name), instance, name)
    except EventContractError:
        return False
    return True


@pytest.mark.parametrize("path", SCHEMAS, ids=lambda p: p.name)
def test_compiled_validator_agrees_with_jsonschema(path):
    schema = json.loads(path.read_text(encoding="utf-8"))
    reference = Draft202012Validator(schema, format_checker=FormatChecker())

    @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(valid=from_schema(schema), changed=mutated(schema))
    def agree(valid, changed):
        assert reference.is_valid(valid) and _compiled_accepts(path.name, valid)
        assert _compiled_accepts(path.name, changed) == reference.is_valid(changed), changed

    agree()


def test_refusals_name_the_place_and_the_rule():
    envelope = make_envelope("identity", "account_activated", {"account_id": str(uuid.uuid4())})
    with pytest.raises(EventContractError, match=r"^event envelope is invalid at event_id: must be uuid$"):
        validate_envelope(dict(envelope, event_id="nope"))
    with pytest.raises(EventContractError, match=r"^event envelope is invalid at \(root\): must be object$"):
        validate_envelope([])
    with pytest.raises(
        EventContractError, match=r"^identity.account_activated v1 is invalid at account_id: must be uuid$"
    ):
        validate_envelope(dict(envelope, data={"account_id": "nope"}))

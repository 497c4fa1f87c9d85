"""The event envelope and validation of event payloads against their schemas.

Schemas live in contracts/events/<producer>.<event_type>.v<N>.json (installed as the package
`aww_contracts.events`). Tests and tools can add directories of their own schemas with
`register_schema_dir` (for probe events that are not part of the platform).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

import fastjsonschema
from jsonschema import Draft202012Validator, FormatChecker

ENVELOPE_KEYS = (
    "event_id",
    "event_type",
    "schema_version",
    "occurred_at",
    "producer",
    "correlation_id",
    "data",
)

_extra_dirs: list[Path] = []

_format_checker = FormatChecker()


def _format(name: str) -> Callable[[str], bool]:
    return lambda value: _format_checker.conforms(value, name)


# formats mean what jsonschema's FormatChecker says (fastjsonschema's own regexes differ at the
# edges: a 30 February, a time zone without its colon)
_FORMATS = {name: _format(name) for name in ("uuid", "date", "date-time")}


class EventContractError(ValueError):
    """An event does not match its contract (unknown type or invalid payload)."""


def register_schema_dir(path: str | Path) -> None:
    _extra_dirs.append(Path(path))
    _validator.cache_clear()


def schema_name(producer: str, event_type: str, version: int) -> str:
    return f"{producer}.{event_type}.v{version}.json"


def _schema_text(name: str) -> str | None:
    resource = files("aww_contracts.events").joinpath(name)
    if resource.is_file():
        return resource.read_text(encoding="utf-8")
    for folder in _extra_dirs:
        if (folder / name).is_file():
            return (folder / name).read_text(encoding="utf-8")
    return None


@cache
def _validator(name: str) -> Callable[[Any], Any]:
    """The schema compiled to Python code (fastjsonschema): a consumer validates every event it
    receives, and the interpreted jsonschema validator cost ~190 µs per envelope, a third of the
    consumer's CPU per event. jsonschema still checks that the schema itself is valid 2020-12."""
    text = _schema_text(name)
    if text is None:
        raise EventContractError(f"no schema {name}: every event type needs one in contracts/events")
    schema = json.loads(text)
    Draft202012Validator.check_schema(schema)
    return fastjsonschema.compile(schema, formats=_FORMATS)


def has_schema(producer: str, event_type: str, version: int = 1) -> bool:
    return _schema_text(schema_name(producer, event_type, version)) is not None


def _check(validate: Callable[[Any], Any], instance: Any, what: str) -> None:
    try:
        validate(instance)
    except fastjsonschema.JsonSchemaValueException as error:
        # error.name is the failing value's path as "data.field.0.x"; error.message starts with it
        path = error.path[1:] if error.path else []
        where = "/".join(str(part) for part in path) or "(root)"
        rule = error.message.removeprefix(error.name).strip()
        raise EventContractError(f"{what} is invalid at {where}: {rule}") from None


def validate_event(producer: str, event_type: str, version: int, data: Any) -> None:
    """Raise EventContractError unless `data` validates against its event schema."""
    _check(_validator(schema_name(producer, event_type, version)), data, f"{producer}.{event_type} v{version}")


def validate_envelope(envelope: Any) -> None:
    """Check the envelope itself, then its data against the event's schema."""
    _check(_validator("envelope.v1.json"), envelope, "event envelope")
    validate_event(envelope["producer"], envelope["event_type"], envelope["schema_version"], envelope["data"])


def make_envelope(
    producer: str,
    event_type: str,
    data: dict[str, Any],
    *,
    correlation_id: str | None = None,
    schema_version: int = 1,
    occurred_at: datetime | None = None,
) -> dict[str, Any]:
    validate_event(producer, event_type, schema_version, data)
    return {
        "event_id": str(uuid.uuid4()),
        "event_type": event_type,
        "schema_version": schema_version,
        "occurred_at": (occurred_at or datetime.now(UTC)).isoformat(),
        "producer": producer,
        "correlation_id": correlation_id or str(uuid.uuid4()),
        "data": data,
    }

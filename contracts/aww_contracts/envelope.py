"""The event envelope and validation of event payloads against their schemas.

Schemas live in contracts/events/<producer>.<event_type>.v<N>.json (installed as the package
`aww_contracts.events`). Tests and tools can add directories of their own schemas with
`register_schema_dir` (for probe events that are not part of the platform).
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

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
def _validator(name: str) -> Draft202012Validator:
    text = _schema_text(name)
    if text is None:
        raise EventContractError(f"no schema {name}: every event type needs one in contracts/events")
    schema = json.loads(text)
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=FormatChecker())


def has_schema(producer: str, event_type: str, version: int = 1) -> bool:
    return _schema_text(schema_name(producer, event_type, version)) is not None


def _check(validator: Draft202012Validator, instance: Any, what: str) -> None:
    errors = sorted(validator.iter_errors(instance), key=lambda e: list(e.absolute_path))
    if errors:
        first = errors[0]
        where = "/".join(str(p) for p in first.absolute_path) or "(root)"
        raise EventContractError(f"{what} is invalid at {where}: {first.message}")


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

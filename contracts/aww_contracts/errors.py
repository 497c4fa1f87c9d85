"""Typed domain errors that cross the RPC wire and map to HTTP once, in the gateway."""

from __future__ import annotations

from functools import lru_cache
from importlib.resources import files
from typing import Any

import yaml

# Nameko serialises an exception as {exc_type, exc_path, exc_args, value}; the gateway
# recognises ours by this path and reads exc_args = [code, message, details].
DOMAIN_ERROR_PATH = "aww_contracts.errors.DomainError"


@lru_cache(maxsize=1)
def _table() -> dict[str, dict[str, Any]]:
    text = files("aww_contracts").joinpath("errors.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def known_error_codes() -> frozenset[str]:
    return frozenset(_table())


def error_spec(code: str) -> dict[str, Any]:
    """The documented status and title of an error code."""
    try:
        return _table()[code]
    except KeyError:
        raise ValueError(f"undocumented error code {code!r}: add it to errors.yaml") from None


class DomainError(Exception):
    """A rule of the domain refused the request.

    `details` must be JSON-serialisable; it reaches the client as extra problem+json members
    (for example `errors` for field errors or `missing_cents` for insufficient funds).
    """

    def __init__(self, code: str, message: str, **details: Any) -> None:
        error_spec(code)  # refuses undocumented codes early, where they are raised
        super().__init__(code, message, details)
        self.code = code
        self.message = message
        self.details = details

    @property
    def status(self) -> int:
        return int(error_spec(self.code)["status"])

    @property
    def temporary(self) -> bool:
        """The same request may succeed later (a service down or too slow): worth retrying."""
        return self.status in (503, 504)

    def __str__(self) -> str:
        return self.message


def domain_error_from_wire(error: dict) -> DomainError | None:
    """The DomainError a Nameko error body carries ({exc_path, exc_args: [code, message, details]},
    contracts/RPC.md), or None when it carries another exception or an undocumented code."""
    if error.get("exc_path") != DOMAIN_ERROR_PATH:
        return None
    args = list(error.get("exc_args") or [])
    code = args[0] if args else None
    if code not in known_error_codes():
        return None
    message = str(args[1]) if len(args) > 1 else str(error.get("value", ""))
    details = args[2] if len(args) > 2 and isinstance(args[2], dict) else {}
    return DomainError(code, message, **details)


def field_error(field: str, message: str) -> DomainError:
    """A validation failure on one named field."""
    return DomainError("validation_failed", f"{field}: {message}", errors=[{"field": field, "message": message}])


class FieldErrors:
    """Collects every field problem of one request, so the answer names them all."""

    def __init__(self) -> None:
        self.items: list[dict[str, str]] = []

    def add(self, field: str, message: str) -> None:
        self.items.append({"field": field, "message": message})

    def raise_if_any(self) -> None:
        if self.items:
            first = self.items[0]
            more = f" (and {len(self.items) - 1} more)" if len(self.items) > 1 else ""
            raise DomainError("validation_failed", f"{first['field']}: {first['message']}{more}", errors=self.items)

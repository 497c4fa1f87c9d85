"""Accreditations of a person (DOMAIN.md §1): BIV agent number, "verified employee" through form
SF323, CIB membership … They come from external registers, looked up by national number through
an `AccreditationRegister` adapter (aww_identity.adapters)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Protocol

KINDS = ("biv", "sf323", "cib")


@dataclass(frozen=True, order=True)
class Accreditation:
    kind: str
    number: str
    valid_until: date | None = None

    def as_dict(self) -> dict:
        return {
            "kind": self.kind,
            "number": self.number,
            "valid_until": self.valid_until.isoformat() if self.valid_until else None,
        }


class AccreditationRegister(Protocol):
    def lookup(self, national_number: str) -> list[Accreditation]:
        """Every accreditation the registers hold for the person; raises RegisterUnavailable."""


class RegisterUnavailable(Exception):
    pass


def from_register(items: list[dict]) -> list[Accreditation]:
    """Keeps what is well formed and of a known kind; the register is outside our control."""
    found = set()
    for item in items:
        if not isinstance(item, dict):
            continue
        kind, number = item.get("kind"), item.get("number")
        if kind not in KINDS or not isinstance(number, str) or not number.strip() or len(number) > 64:
            continue
        valid_until = None
        if item.get("valid_until"):
            try:
                valid_until = date.fromisoformat(str(item["valid_until"]))
            except ValueError:
                continue
        found.add(Accreditation(kind, number.strip(), valid_until))
    return sorted(found)


def current(accreditations: list[Accreditation], today: date) -> list[Accreditation]:
    return [a for a in accreditations if a.valid_until is None or a.valid_until >= today]

"""Helpers of the organisation service tests: people known to identity (published as real
identity events), principals, and what the service published (its outbox)."""

from __future__ import annotations

import contextlib
import re
import time
import uuid
from dataclasses import dataclass, field

import kombu
import pytest
from nameko import exceptions as nameko_exceptions
from sqlalchemy import create_engine, text

from aww_contracts.envelope import make_envelope
from aww_contracts.errors import DomainError
from belgian_ids import make_enterprise_number
from servicekit.entrypoints import rpc

# the standalone proxy raises our DomainError itself (code, message, details) instead of RemoteError
nameko_exceptions.registry["aww_contracts.errors.DomainError"] = lambda code, message, details=None: DomainError(
    code, message, **(details or {})
)

VALID_NUMBERS = ["0403019261", "0428759497", "0202239951", "0207437468", "0417497106", "0203201340"]


def enterprise_number(seed: int) -> str:
    """A valid enterprise number (check digits) that no other test uses."""
    first = 20_000_000 + seed * 7919 % 9_000_000
    return make_enterprise_number(int(f"0{first:07d}"[:8]))


def wait_until(predicate, timeout=10.0, interval=0.05, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def publish_identity(amqp_uri: str, event_type: str, data: dict, occurred_at=None) -> dict:
    envelope = make_envelope("identity", event_type, data, occurred_at=occurred_at)
    with kombu.Connection(amqp_uri) as conn:
        exchange = kombu.Exchange("identity.events", type="topic", durable=True)
        conn.Producer(serializer="json").publish(
            envelope, exchange=exchange, routing_key=event_type, declare=[exchange], delivery_mode=2
        )
    return envelope


class Database:
    def __init__(self, url: str) -> None:
        self.engine = create_engine(url)

    def scalar(self, sql: str, **params):
        with self.engine.connect() as conn:
            return conn.execute(text(sql), params).scalar()

    def rows(self, sql: str, **params):
        with self.engine.connect() as conn:
            return conn.execute(text(sql), params).all()

    def events(self, event_type: str, **match) -> list[dict]:
        """Data of the published events of a type, oldest first, whose fields equal `match`."""
        found = []
        for (envelope,) in self.rows("SELECT envelope FROM outbox WHERE event_type = :t ORDER BY id", t=event_type):
            data = envelope["data"]
            if all(data.get(k) == v for k, v in match.items()):
                found.append(data)
        return found

    def last_access(self, organisation_id: str, account_id: str) -> dict | None:
        events = self.events("access_changed", organisation_id=organisation_id, account_id=account_id)
        return events[-1] if events else None

    def mails(self, to: str) -> list:
        return self.rows("SELECT subject, body_text FROM mail_outbox WHERE recipient = :to ORDER BY id", to=to)


@dataclass
class Person:
    """An account identity told us about; `call` runs an RPC of the organisation service as them."""

    name: str
    account_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    session_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    organisation_id: str | None = None
    platform_admin: bool = False
    language: str = "nl"
    proxy_factory: object = None

    def principal(self) -> dict:
        return {
            "account_id": self.account_id,
            "session_id": self.session_id,
            "organisation_id": self.organisation_id,
            "platform_admin": self.platform_admin,
        }

    @property
    def rpc(self):
        return self.proxy_factory("organisation", {"principal": self.principal(), "language": self.language})

    @property
    def email(self) -> str:
        return f"{self.name.lower().replace(' ', '.')}@example.be"


class StandInIdentity:
    """Only identity's set_session_organisation, recording calls (identity may not exist yet when
    this service is tested; the end-to-end tests use the real one)."""

    name = "identity"
    calls: list = []  # noqa: RUF012 - shared on purpose: the test reads what the worker recorded
    refusal: tuple[str, str] | None = None  # (code, message) to refuse the next calls with

    @rpc
    def set_session_organisation(self, session_id, organisation_id):
        if type(self).refusal:
            raise DomainError(*type(self).refusal)
        type(self).calls.append((session_id, organisation_id))
        return {"session_id": session_id, "organisation_id": organisation_id}


@contextlib.contextmanager
def refused(code: str, match: str | None = None):
    """The call fails with a DomainError of this code (and a message matching `match`)."""
    with pytest.raises(DomainError) as failure:
        yield failure
    assert failure.value.code == code, f"expected {code}, got {failure.value.code}: {failure.value}"
    if match is not None:
        assert re.search(match, str(failure.value)), f"{match!r} not in {failure.value}"

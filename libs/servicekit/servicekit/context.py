"""Who is calling, in which language, under which correlation id.

The gateway sets these as `nameko.*` headers (contracts/RPC.md); Nameko copies them into the worker
context and onto every RPC the worker makes. Outbox events take the correlation id along too.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from nameko.extensions import DependencyProvider

from aww_contracts.errors import DomainError
from servicekit import logs

LANGUAGES = ("nl", "fr", "en")


@dataclass(frozen=True)
class Principal:
    account_id: str
    session_id: str | None = None
    organisation_id: str | None = None
    platform_admin: bool = False

    @classmethod
    def from_header(cls, value: Any) -> Principal | None:
        if not isinstance(value, dict) or not value.get("account_id"):
            return None
        return cls(
            account_id=str(value["account_id"]),
            session_id=value.get("session_id"),
            organisation_id=value.get("organisation_id"),
            platform_admin=bool(value.get("platform_admin", False)),
        )

    def as_header(self) -> dict[str, Any]:
        return {
            "account_id": self.account_id,
            "session_id": self.session_id,
            "organisation_id": self.organisation_id,
            "platform_admin": self.platform_admin,
        }


@dataclass(frozen=True)
class CallContext:
    correlation_id: str
    language: str
    principal: Principal | None

    def require_principal(self) -> Principal:
        if self.principal is None:
            raise DomainError("unauthenticated", "This operation needs a logged-in account")
        return self.principal


class RequestContext(DependencyProvider):
    """Gives the worker its CallContext and puts the correlation id into the log context."""

    def get_dependency(self, worker_ctx):
        data = worker_ctx.data
        cid = data.get("correlation_id") or str(uuid.uuid4())
        data["correlation_id"] = cid  # propagated to the RPCs this worker makes
        logs.correlation_id.set(cid)  # the worker runs in its own greenlet, with its own context
        language = data.get("language") if data.get("language") in LANGUAGES else "nl"
        return CallContext(cid, language, Principal.from_header(data.get("principal")))

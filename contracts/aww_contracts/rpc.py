"""Constants of the RPC wire protocol (Nameko's own), described in contracts/RPC.md."""

from __future__ import annotations

RPC_EXCHANGE = "nameko-rpc"
HEADER_PREFIX = "nameko"

# Context headers we add next to Nameko's call_id_stack.
CONTEXT_CORRELATION_ID = "correlation_id"
CONTEXT_PRINCIPAL = "principal"
CONTEXT_LANGUAGE = "language"


def routing_key(service: str, method: str) -> str:
    return f"{service}.{method}"


def service_queue(service: str) -> str:
    """The durable queue a Nameko service consumes its RPC requests from."""
    return f"rpc-{service}"


def context_header(key: str) -> str:
    return f"{HEADER_PREFIX}.{key}"


def events_exchange(producer: str) -> str:
    return f"{producer}.events"

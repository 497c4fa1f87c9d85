"""What a request carries to the services: correlation id, language, principal."""

from __future__ import annotations

import time
from typing import Any

from starlette.requests import Request

from aww_gateway import metrics
from aww_gateway.i18n import negotiate
from aww_gateway.rpc_client import RemoteError, RpcClient, RpcTimeout, ServiceUnavailable

LANGUAGE_COOKIE = "aww_lang"
SESSION_COOKIE = "aww_session"


def language_of(request: Request) -> str:
    if "language" not in request.state._state:
        request.state.language = negotiate(
            request.query_params.get("lang"),
            request.cookies.get(LANGUAGE_COOKIE),
            request.headers.get("accept-language"),
        )
    return request.state.language


def correlation_id_of(request: Request) -> str:
    return request.scope["state"]["correlation_id"]


def rpc_client(request: Request) -> RpcClient:
    return request.app.state.rpc


async def call(request: Request, service: str, method: str, *, principal: dict | None = None, **kwargs) -> Any:
    """One RPC on behalf of this request, with its context headers and metrics."""
    context = {
        "correlation_id": correlation_id_of(request),
        "language": language_of(request),
        "principal": principal if principal is not None else getattr(request.state, "principal", None),
    }
    started = time.perf_counter()
    outcome = "ok"
    try:
        return await rpc_client(request).call(service, method, kwargs, context=context)
    except ServiceUnavailable:
        outcome = "unavailable"
        raise
    except RpcTimeout:
        outcome = "timeout"
        raise
    except RemoteError:
        outcome = "error"
        raise
    finally:
        metrics.child(metrics.RPC_CALLS, service, method, outcome).inc()
        metrics.child(metrics.RPC_DURATION, service).observe(time.perf_counter() - started)

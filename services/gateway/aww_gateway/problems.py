"""RFC 9457 problem+json responses and the one mapping of errors to HTTP statuses."""

from __future__ import annotations

import logging
from typing import Any

from starlette.responses import JSONResponse

from aww_contracts.errors import DOMAIN_ERROR_PATH, domain_error_from_wire, error_spec
from aww_gateway.rpc_client import RemoteError, RpcError, RpcTimeout, ServiceUnavailable

log = logging.getLogger(__name__)

PROBLEM_BASE = "https://aww.example/problems/"
MEDIA_TYPE = "application/problem+json"
_RESERVED = {"type", "title", "status", "detail", "instance", "code", "correlation_id"}


class Problem(Exception):
    """Raised inside the gateway to answer with a problem document."""

    def __init__(self, code: str, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail
        self.extra = extra
        self.status = int(error_spec(code)["status"])


def problem_body(code: str, detail: str, correlation_id: str | None = None, **extra: Any) -> dict:
    spec = error_spec(code)
    body = {
        "type": PROBLEM_BASE + code,
        "title": spec["title"],
        "status": int(spec["status"]),
        "detail": detail,
        "code": code,
    }
    for key, value in extra.items():
        if key not in _RESERVED:
            body[key] = value
    if correlation_id:
        body["correlation_id"] = correlation_id
    return body


def problem_response(code: str, detail: str, correlation_id: str | None = None, headers=None, **extra) -> JSONResponse:
    body = problem_body(code, detail, correlation_id, **extra)
    return JSONResponse(body, status_code=body["status"], media_type=MEDIA_TYPE, headers=headers)


def problem_from_rpc_error(exc: RpcError) -> Problem:
    if isinstance(exc, ServiceUnavailable):
        return Problem("service_unavailable", str(exc), service=exc.service)
    if isinstance(exc, RpcTimeout):
        return Problem("upstream_timeout", str(exc), service=exc.service)
    if isinstance(exc, RemoteError):
        return _problem_from_remote(exc)
    return Problem("internal_error", "An unexpected error occurred")


def _problem_from_remote(exc: RemoteError) -> Problem:
    error = exc.error
    exc_type = error.get("exc_type")
    domain = domain_error_from_wire(error)
    if domain is not None:
        return Problem(domain.code, domain.message, **domain.details)
    if error.get("exc_path") == DOMAIN_ERROR_PATH:
        log.error("undocumented domain error %r from %s.%s", error.get("exc_args"), exc.service, exc.method)
        return Problem("internal_error", "An unexpected error occurred")
    if exc_type in ("IncorrectSignature", "MalformedRequest"):
        return Problem("invalid_arguments", f"{exc.service}.{exc.method} refused the call's arguments")
    if exc_type == "MethodNotFound":
        log.error("gateway called a method that does not exist: %s.%s", exc.service, exc.method)
        return Problem("bad_gateway", "The gateway called an operation the service does not offer")
    log.error("unexpected %s from %s.%s: %s", exc_type, exc.service, exc.method, error.get("value"))
    return Problem("internal_error", "An unexpected error occurred")

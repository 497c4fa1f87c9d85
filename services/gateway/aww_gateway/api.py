"""The JSON API, declared once: each Operation gives its route, its validation and its part of
the OpenAPI 3.1 document (aww_gateway.openapi), so the document cannot drift from the code.

Request bodies are pydantic models that forbid unknown fields and validate strictly from JSON
("12" is not an integer). Every failure is an RFC 9457 problem naming the field.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from aww_gateway.auth import resolve_principal
from aww_gateway.context import call
from aww_gateway.problems import Problem

AUTH_LEVELS = ("public", "account", "organisation", "platform_admin")


def _without_default(schema: dict) -> None:
    schema.pop("default", None)


def omissible() -> Any:
    """A field of a partial update that may be left out (it stays as it is) but not emptied: type
    it `X | SkipJsonSchema[None]`, so the document offers no null; a null sent anyway reaches the
    service, which names the field. Constraints go inside X (`Annotated[str, Field(max_length=…)]`):
    on the union they would be applied to the null too."""
    return Field(default=None, json_schema_extra=_without_default)


class ApiModel(BaseModel):
    """Base of request and response bodies: unknown fields are refused, JSON types are strict."""

    model_config = ConfigDict(extra="forbid", strict=True)


@dataclass
class ApiCall:
    """What an operation handler receives."""

    request: Request
    body: Any
    query: Any
    path: dict[str, str]
    principal: dict | None

    async def rpc(self, service: str, method: str, **kwargs) -> Any:
        return await call(self.request, service, method, **kwargs)


@dataclass
class Operation:
    method: str
    path: str
    operation_id: str
    summary: str
    handler: Callable[[ApiCall], Awaitable[Any]]
    tag: str
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    response: Any = None  # a pydantic model, a TypeAdapter-able type, or None for no content
    status: int = 200
    auth: str = "account"
    errors: tuple[str, ...] = ()
    description: str = ""
    extra_responses: dict[int, dict] = field(default_factory=dict)
    # extra header parameters for the OpenAPI document, e.g. {"name": "Idempotency-Key", "required": True, ...}
    headers: tuple[dict, ...] = ()
    # the OpenAPI `content` of a body the handler reads itself (a form, an upload): documented only
    raw_body: dict[str, dict] | None = None
    # JSON Schemas of path parameters where text (or a UUID for `…_id`) says too little, e.g. a year
    path_parameters: dict[str, dict] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.auth not in AUTH_LEVELS:
            raise ValueError(f"{self.operation_id}: auth must be one of {AUTH_LEVELS}")
        if not inspect.iscoroutinefunction(self.handler):
            raise TypeError(f"{self.operation_id}: the handler must be async")


def operation_factory(**defaults: Any) -> Callable[..., Operation]:
    """`op(method, path, operation_id, summary, handler, **fields)` with an area's defaults (tag,
    auth, errors, …); each call may override them."""

    def make(method: str, path: str, operation_id: str, summary: str, handler, **fields: Any) -> Operation:
        return Operation(
            method=method,
            path=path,
            operation_id=operation_id,
            summary=summary,
            handler=handler,
            **{**defaults, **fields},
        )

    return make


def _field_errors(exc: ValidationError, where: str) -> list[dict[str, str]]:
    errors = []
    for error in exc.errors(include_url=False, include_input=False):
        location = ".".join(str(part) for part in error["loc"]) or "(root)"
        errors.append({"field": f"{where}.{location}" if location != "(root)" else where, "message": error["msg"]})
    return errors


def _invalid(errors: list[dict[str, str]]) -> Problem:
    first = errors[0]
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return Problem("validation_failed", f"{first['field']}: {first['message']}{more}", errors=errors)


async def parse_body(request: Request, model: type[BaseModel]) -> BaseModel:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/json":
        raise Problem("unsupported_media_type", "Send the request body as application/json")
    raw = await request.body()
    try:
        return model.model_validate_json(raw or b"")
    except ValidationError as exc:
        if any(error["type"] == "json_invalid" for error in exc.errors()):
            raise Problem("malformed_json", "The request body is not valid JSON") from None
        raise _invalid(_field_errors(exc, "body")) from None


def parse_query(request: Request, model: type[BaseModel]) -> BaseModel:
    values: dict[str, Any] = {}
    for key in request.query_params:
        items = request.query_params.getlist(key)
        values[key] = items if len(items) > 1 else items[0]
    try:
        # query strings are text: lax mode lets "20" become 20, strict forbid of unknown keys stays
        return model.model_validate(values, strict=False)
    except ValidationError as exc:
        raise _invalid(_field_errors(exc, "query")) from None


async def require_auth(request: Request, level: str) -> dict | None:
    if level == "public":
        return await resolve_principal(request) if request.headers.get("authorization") else None
    principal = await resolve_principal(request)
    if principal is None:
        raise Problem("unauthenticated", "Log in first: send Authorization: Bearer <session token>")
    if level == "organisation" and not principal.get("organisation_id"):
        raise Problem("forbidden", "Choose an active organisation first")
    if level == "platform_admin" and not principal.get("platform_admin"):
        raise Problem("forbidden", "Only platform administrators may do this")
    return principal


def _render(operation: Operation, result: Any) -> Response:
    if isinstance(result, Response):
        return result
    if operation.status == 204 or (result is None and operation.response is None):
        return Response(status_code=204 if operation.status in (200, 204) else operation.status)
    if isinstance(result, BaseModel):
        result = result.model_dump(mode="json")
    return JSONResponse(result, status_code=operation.status)


def endpoint(operation: Operation):
    async def handle(request: Request) -> Response:
        principal = await require_auth(request, operation.auth)
        query = parse_query(request, operation.query) if operation.query else None
        body = await parse_body(request, operation.body) if operation.body else None
        api_call = ApiCall(request, body, query, dict(request.path_params), principal)
        return _render(operation, await operation.handler(api_call))

    handle.__name__ = operation.operation_id
    return handle


def routes(operations: list[Operation]) -> list[Route]:
    return [Route(op.path, endpoint(op), methods=[op.method]) for op in operations]

"""The OpenAPI 3.1 document, built from the declared operations: the one place where the API is
documented."""

from __future__ import annotations

import re
from typing import Any

from pydantic import TypeAdapter

from aww_contracts.errors import error_spec
from aww_gateway.api import Operation

REF = "#/components/schemas/{model}"

PROBLEM_SCHEMA = {
    "type": "object",
    "description": "RFC 9457 problem details; extra members depend on the code.",
    "required": ["type", "title", "status", "detail", "code"],
    "properties": {
        "type": {"type": "string", "format": "uri"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "code": {"type": "string"},
        "correlation_id": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
            },
        },
    },
}

# Every operation can answer these; operations list their own domain errors on top.
COMMON_ERRORS = ("validation_failed", "malformed_json", "payload_too_large", "service_unavailable", "upstream_timeout")


def _schemas(operations: list[Operation]) -> tuple[dict, dict]:
    """The JSON Schema of every response (as serialised) and body (as validated), all generated
    together so pydantic names the components once for the whole document: two areas' models of
    the same name (an AML `Questionnaire` and a transaction `Questionnaire`) get names of their own,
    and a model that reads differently as input than as output gets one schema for each."""
    inputs = []
    for operation in operations:
        if operation.response is not None:
            inputs.append(((operation.operation_id, "response"), "serialization", TypeAdapter(operation.response)))
        if operation.body is not None:
            inputs.append(((operation.operation_id, "body"), "validation", TypeAdapter(operation.body)))
    by_key, definitions = TypeAdapter.json_schemas(inputs, ref_template=REF)
    return {key: schema for (key, _mode), schema in by_key.items()}, definitions.get("$defs", {})


def path_parameter_schema(operation: Operation, name: str) -> dict:
    """What the operation declares for it, else a UUID for every `…_id` (the platform's
    identifiers), else text."""
    if name in operation.path_parameters:
        return operation.path_parameters[name]
    return {"type": "string", "format": "uuid"} if name.endswith("_id") else {"type": "string"}


def _parameters(operation: Operation) -> list[dict]:
    parameters = [
        {"name": name, "in": "path", "required": True, "schema": path_parameter_schema(operation, name)}
        for name in re.findall(r"{(\w+)(?::\w+)?}", operation.path)
    ]
    if operation.query is not None:
        schema = operation.query.model_json_schema()
        required = set(schema.get("required", []))
        for name, prop in schema.get("properties", {}).items():
            parameters.append(
                {
                    "name": name,
                    "in": "query",
                    "required": name in required,
                    "schema": prop,
                    "description": prop.get("description", ""),
                }
            )
    parameters.extend({"in": "header", **header} for header in operation.headers)
    return parameters


def _success(operation: Operation, schemas: dict) -> dict[str, Any]:
    if any(200 <= status < 300 for status in operation.extra_responses):
        return {}  # the operation describes its success itself (a file, a bare acknowledgement)
    if operation.response is None or operation.status == 204:
        return {str(operation.status if operation.status != 200 else 204): {"description": "Done"}}
    return {
        str(operation.status): {
            "description": "Success",
            "content": {"application/json": {"schema": schemas[operation.operation_id, "response"]}},
        }
    }


def _responses(operation: Operation, schemas: dict) -> dict:
    responses = _success(operation, schemas)
    codes = list(COMMON_ERRORS) + list(operation.errors)
    if operation.body is not None:
        codes.append("unsupported_media_type")
    if operation.auth != "public":
        codes.append("unauthenticated")
    if operation.auth in ("organisation", "platform_admin"):
        codes.append("forbidden")
    for code in dict.fromkeys(codes):
        status = str(error_spec(code)["status"])
        entry = responses.setdefault(
            status,
            {
                "description": "",
                "content": {"application/problem+json": {"schema": {"$ref": REF.format(model="Problem")}}},
            },
        )
        entry["description"] = "; ".join(filter(None, [entry["description"], f"`{code}`: {error_spec(code)['title']}"]))
    for status, spec in operation.extra_responses.items():
        responses[str(status)] = spec
    return responses


def build_document(operations: list[Operation], version: str, server_url: str) -> dict:
    schemas, definitions = _schemas(operations)
    components: dict[str, Any] = {"Problem": PROBLEM_SCHEMA, **definitions}
    paths: dict[str, dict] = {}
    tags: dict[str, None] = {}
    for operation in operations:
        tags[operation.tag] = None
        path = re.sub(r"{(\w+):\w+}", r"{\1}", operation.path)
        entry: dict[str, Any] = {
            "operationId": operation.operation_id,
            "summary": operation.summary,
            "tags": [operation.tag],
            "parameters": _parameters(operation),
            "responses": _responses(operation, schemas),
        }
        if operation.description:
            entry["description"] = operation.description
        if operation.auth != "public":
            entry["security"] = [{"bearer": []}]
        if operation.body is not None:
            entry["requestBody"] = {
                "required": True,
                "content": {"application/json": {"schema": schemas[operation.operation_id, "body"]}},
            }
        elif operation.raw_body is not None:
            entry["requestBody"] = {"required": True, "content": operation.raw_body}
        paths.setdefault(path, {})[operation.method.lower()] = entry
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "AML platform API",
            "version": version,
            "description": (
                "The HTTP API of the AML platform for Belgian real-estate offices. Authenticate with "
                "`Authorization: Bearer <session token>`; errors are RFC 9457 problem documents "
                "(`application/problem+json`) whose `code` names the problem. State-changing calls "
                "that move money accept an `Idempotency-Key` header."
            ),
        },
        "servers": [{"url": server_url}],
        "tags": [{"name": tag} for tag in tags],
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "description": "A session token"}},
        },
    }

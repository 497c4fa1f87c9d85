"""How the API treats requests, on a small app built from the gateway's own pieces (no broker is
involved: these operations make no RPC)."""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.testclient import TestClient

from aww_gateway.api import ApiCall, ApiModel, Operation, routes
from aww_gateway.app import EXCEPTION_HANDLERS
from aww_gateway.middleware import GatewayMiddleware
from aww_gateway.settings import Settings


class Address(ApiModel):
    street: str
    postcode: str


class Registration(ApiModel):
    name: str
    age: int
    address: Address
    tags: list[str] = []  # noqa: RUF012 - pydantic copies field defaults


async def echo(call: ApiCall):
    return {"name": call.body.name, "age": call.body.age}


OPERATION = Operation(
    method="POST",
    path="/api/v1/echo",
    operation_id="echo",
    summary="echo",
    handler=echo,
    tag="test",
    body=Registration,
    auth="public",
)


async def forget(call: ApiCall):
    return None


# a second operation on the same path: a 405 there lists the methods of both
FORGET = Operation(
    method="DELETE",
    path="/api/v1/echo",
    operation_id="forget",
    summary="forget",
    handler=forget,
    tag="test",
    auth="public",
)


@pytest.fixture
def client():
    app = Starlette(
        routes=routes([OPERATION, FORGET]),
        middleware=[Middleware(GatewayMiddleware, settings=Settings(max_body_bytes=2048))],
        exception_handlers=EXCEPTION_HANDLERS,
    )
    return TestClient(app, base_url="http://test")


VALID = {"name": "Ann", "age": 40, "address": {"street": "Rue Haute 1", "postcode": "1000"}}


def post(client, body: bytes | str, content_type="application/json"):
    return client.post("/api/v1/echo", content=body, headers={"content-type": content_type})


def assert_problem(response, status, code):
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["code"] == code and problem["status"] == status
    assert problem["detail"]
    return problem


def test_valid_body_passes(client):
    response = post(client, json.dumps(VALID))
    assert response.status_code == 200
    assert response.json() == {"name": "Ann", "age": 40}


def test_malformed_json_is_named(client):
    assert_problem(post(client, '{"name": "Ann",'), 400, "malformed_json")


def test_wrong_type_names_the_field(client):
    problem = assert_problem(post(client, json.dumps(dict(VALID, age="40"))), 400, "validation_failed")
    assert problem["errors"][0]["field"] == "body.age"


def test_unknown_field_is_refused_and_named(client):
    problem = assert_problem(post(client, json.dumps(dict(VALID, admin=True))), 400, "validation_failed")
    assert problem["errors"][0]["field"] == "body.admin"


def test_nested_missing_field_is_named(client):
    body = dict(VALID, address={"street": "x"})
    problem = assert_problem(post(client, json.dumps(body)), 400, "validation_failed")
    assert problem["errors"][0]["field"] == "body.address.postcode"


def test_oversized_body_is_refused_before_parsing(client):
    big = json.dumps(dict(VALID, name="x" * 5000))
    assert_problem(post(client, big), 413, "payload_too_large")


def test_oversized_chunked_body_is_refused(client):
    def chunks():
        yield b'{"name": "'
        for _ in range(10):
            yield b"x" * 1000
        yield b'"}'

    response = client.post("/api/v1/echo", content=chunks(), headers={"content-type": "application/json"})
    assert_problem(response, 413, "payload_too_large")


def test_form_encoding_is_refused_for_json_operations(client):
    assert_problem(post(client, "name=Ann", "application/x-www-form-urlencoded"), 415, "unsupported_media_type")


def test_unknown_path_and_method_are_problems(client):
    assert_problem(client.get("/api/v1/nothing-here"), 404, "not_found")
    assert_problem(client.get("/api/v1/echo"), 405, "method_not_allowed")


def test_a_method_not_allowed_names_the_methods_that_are(client):
    response = client.request("TRACE", "/api/v1/echo")
    problem = assert_problem(response, 405, "method_not_allowed")
    assert response.headers["allow"] == "DELETE, POST"  # RFC 9110: a 405 says what is allowed
    assert problem["allowed"] == ["DELETE", "POST"] and "use DELETE, POST" in problem["detail"]
    assert client.delete("/api/v1/echo").status_code == 204


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(body=json_values | st.binary(max_size=300).map(lambda b: b.decode("latin-1")))
def test_no_input_produces_a_server_error(client, body):
    raw = body if isinstance(body, str) else json.dumps(body)
    response = post(client, raw.encode("utf-8", "surrogatepass"))
    assert response.status_code < 500, response.text
    if response.status_code != 200:
        assert response.headers["content-type"] == "application/problem+json"

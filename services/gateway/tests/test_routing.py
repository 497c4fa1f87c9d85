"""The gateway's route lookup picks the route Starlette's own lookup picks, trying fewer."""

import re
import uuid

import pytest
from starlette.applications import Starlette
from starlette.convertors import FloatConvertor, IntegerConvertor, PathConvertor, UUIDConvertor
from starlette.responses import PlainTextResponse
from starlette.routing import Match, Mount, Route
from starlette.testclient import TestClient

from aww_gateway.app import create_app
from aww_gateway.routing import PrefixIndexedRouter, literal_prefix

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def starlette_pick(routes, scope):
    """Starlette's Router.app lookup: the first full match, else the first partial one."""
    partial = None
    for route in routes:
        found, child_scope = route.matches(scope)
        if found is Match.FULL:
            return route, child_scope
        if found is Match.PARTIAL and partial is None:
            partial = route, child_scope
    return partial


def sample_value(convertor) -> str:
    if isinstance(convertor, IntegerConvertor):
        return "7"
    if isinstance(convertor, FloatConvertor):
        return "1.5"
    if isinstance(convertor, UUIDConvertor):
        return str(uuid.UUID(int=7))
    if isinstance(convertor, PathConvertor):
        return "a/b.css"
    return "x7"


def sample_paths(route) -> list[str]:
    path = re.sub(r"{(\w+)}", lambda m: sample_value(route.param_convertors[m.group(1)]), route.path_format)
    return [path, path + "/", path.rstrip("/") + "x", path + "/extra"]


def http_scope(method: str, path: str) -> dict:
    return {"type": "http", "method": method, "path": path, "root_path": "", "headers": [], "query_string": b""}


@pytest.fixture(scope="module")
def gateway_router():
    app = create_app()
    assert isinstance(app.router, PrefixIndexedRouter)
    return app.router


def test_every_route_of_the_gateway_is_found_as_starlette_finds_it(gateway_router):
    routes = gateway_router.routes
    assert len(routes) > 200  # the whole gateway, API and web pages
    checked = 0
    for route in routes:
        for path in sample_paths(route):
            for method in METHODS:
                scope = http_scope(method, path)
                expected = starlette_pick(routes, scope)
                found = gateway_router.match(scope)
                assert (found and found[0]) is (expected and expected[0]), (method, path)
                assert (found and found[1]) == (expected and expected[1]), (method, path)
                checked += 1
    assert checked == len(routes) * 4 * len(METHODS)


def test_a_path_no_route_takes_is_found_by_neither(gateway_router):
    for path in ("/nothing-here", "/apiv1/status/identity", "/api/v2/status/identity"):
        assert starlette_pick(gateway_router.routes, http_scope("GET", path)) is None
        assert gateway_router.match(http_scope("GET", path)) is None


def test_literal_prefix_is_the_path_up_to_its_first_parameter():
    endpoint = PlainTextResponse("x")
    assert literal_prefix(Route("/api/v1/cases/{case_id:uuid}/notes", endpoint)) == "/api/v1/cases/"
    assert literal_prefix(Route("/healthz", endpoint)) == "/healthz"
    assert literal_prefix(Mount("/static", routes=[])) == "/static/"


async def item(request):
    return PlainTextResponse(f"item {request.path_params['item_id']}")


async def item_notes(request):
    return PlainTextResponse(f"notes of {request.path_params['item_id']}")


async def everything(request):
    return PlainTextResponse(f"anything {request.path_params['rest']}")


@pytest.fixture
def client():
    routes = [
        Route("/items/{item_id:int}", item),
        Route("/items/{item_id:int}/notes", item_notes, methods=["POST"]),
        Route("/items/{rest:path}", everything),
    ]
    app = Starlette(routes=routes)
    app.router = PrefixIndexedRouter(routes)
    return TestClient(app, base_url="http://test")


def test_requests_reach_the_route_starlette_would_choose(client):
    assert client.get("/items/5").text == "item 5"
    assert client.get("/items/five").text == "anything five"  # the int route does not take it
    assert client.post("/items/5/notes").text == "notes of 5"
    response = client.get("/items/5/notes")  # the POST-only route is passed over for the catch-all
    assert response.text == "anything 5/notes"


def test_a_known_path_with_another_method_is_405_and_unknown_paths_404(client):
    assert client.delete("/items/5").status_code == 405
    assert client.get("/elsewhere").status_code == 404


def test_a_trailing_slash_redirects_as_in_starlette():
    routes = [Route("/items/{item_id:int}", item)]
    app = Starlette(routes=routes)
    app.router = PrefixIndexedRouter(routes)
    response = TestClient(app, base_url="http://test").get("/items/5/", follow_redirects=False)
    assert response.status_code == 307
    assert response.headers["location"] == "http://test/items/5"


def test_routes_added_after_start_are_found(client):
    client.app.router.routes.append(Route("/late", item_notes))
    client.app.router.routes.append(Route("/late/{item_id:int}", item))
    assert client.get("/late/3").text == "item 3"

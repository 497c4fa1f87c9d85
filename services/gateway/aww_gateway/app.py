"""The gateway application: areas, API, web, health, metrics, docs."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from pathlib import Path

import swagger_ui_bundle
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from aww_gateway import areas as areas_module
from aww_gateway.context import correlation_id_of
from aww_gateway.middleware import GatewayMiddleware
from aww_gateway.openapi import build_document
from aww_gateway.problems import Problem, problem_from_rpc_error, problem_response
from aww_gateway.routing import PrefixIndexedRouter, allowed_methods
from aww_gateway.rpc_client import RpcClient, RpcError
from aww_gateway.settings import Settings
from aww_gateway.web import STATIC, Web

log = logging.getLogger(__name__)

API_VERSION = "1.0.0"
SWAGGER_DIR = Path(swagger_ui_bundle.__file__).parent / "vendor" / "swagger-ui-4.15.5"


def is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


async def healthz(request: Request) -> JSONResponse:
    return JSONResponse({"status": "alive"})


async def readyz(request: Request) -> JSONResponse:
    """Ready when the broker is reachable and every back-end service answers its health RPC."""
    settings: Settings = request.app.state.settings
    rpc: RpcClient = request.app.state.rpc
    checks: dict[str, str] = {"broker": "ok" if rpc.connected else "unreachable"}

    async def check(service: str) -> None:
        try:
            await rpc.call(service, "health", timeout=settings.readiness_timeout)
            checks[service] = "ok"
        except RpcError as exc:
            checks[service] = str(exc)

    await asyncio.gather(*(check(service) for service in settings.services))
    down = sorted(name for name, state in checks.items() if state != "ok")
    body = {"status": "ready" if not down else "not ready", "down": down, "checks": checks}
    return JSONResponse(body, status_code=200 if not down else 503)


async def metrics_endpoint(request: Request) -> Response:
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)


async def openapi_json(request: Request) -> JSONResponse:
    return JSONResponse(request.app.state.openapi)


async def api_docs(request: Request) -> HTMLResponse:
    html = (Path(__file__).parent / "templates" / "swagger.html").read_text(encoding="utf-8")
    return HTMLResponse(html)


def _problem_or_page(request: Request, problem: Problem, headers: dict[str, str] | None = None) -> Response:
    if is_api(request):
        return problem_response(
            problem.code, problem.detail, correlation_id_of(request), headers=headers, **problem.extra
        )
    if problem.code == "unauthenticated":
        return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
    page = request.app.state.web.error_page(request, problem)
    page.headers.update(headers or {})
    return page


async def on_problem(request: Request, exc: Problem) -> Response:
    return _problem_or_page(request, exc)


async def on_rpc_error(request: Request, exc: RpcError) -> Response:
    return _problem_or_page(request, problem_from_rpc_error(exc))


async def on_http_exception(request: Request, exc: HTTPException) -> Response:
    headers = None
    if exc.status_code == 404:
        problem = Problem("not_found", f"Nothing is found at {request.url.path}")
    elif exc.status_code == 405:
        allowed = allowed_methods(request.app.router, request.scope)
        problem = Problem(
            "method_not_allowed",
            f"{request.method} is not allowed on {request.url.path}; use {', '.join(allowed)}",
            allowed=allowed,
        )
        headers = {"Allow": ", ".join(allowed)}
    elif exc.status_code == 400:
        problem = Problem("validation_failed", str(exc.detail))
    else:
        problem = Problem("internal_error", "An unexpected error occurred")
    return _problem_or_page(request, problem, headers)


EXCEPTION_HANDLERS = {Problem: on_problem, RpcError: on_rpc_error, HTTPException: on_http_exception}


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or Settings()
    areas = areas_module.discover()
    operations = [operation for area in areas for operation in area.operations]
    from aww_gateway.api import routes as api_routes

    routes = [
        Route("/healthz", healthz),
        Route("/readyz", readyz),
        Route("/metrics", metrics_endpoint),
        Route("/api/v1/openapi.json", openapi_json),
        Route("/api/docs", api_docs),
        Mount("/static/swagger", StaticFiles(directory=SWAGGER_DIR), name="swagger"),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
        *api_routes(operations),
        *[route for area in areas for route in area.web_routes],
    ]

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette):
        rpc = RpcClient(settings.amqp_uri, settings.services, timeout=settings.rpc_timeout)
        app.state.rpc = rpc
        await rpc.start()
        try:
            yield
        finally:
            await rpc.close()

    app = Starlette(
        routes=routes,
        middleware=[Middleware(GatewayMiddleware, settings=settings)],
        exception_handlers=EXCEPTION_HANDLERS,
        lifespan=lifespan,
    )
    app.router = PrefixIndexedRouter(routes, lifespan=lifespan)  # before the first request builds the stack
    app.state.settings = settings
    app.state.web = Web(settings, [item for area in areas for item in area.nav])
    app.state.operations = operations
    app.state.openapi = build_document(operations, API_VERSION, settings.public_url)
    return app

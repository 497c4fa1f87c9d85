"""The platform itself: home page, language switch, service status."""

from __future__ import annotations

from starlette.requests import Request
from starlette.routing import Route

from aww_gateway.api import ApiCall, ApiModel, Operation
from aww_gateway.areas import Area
from aww_gateway.auth import resolve_principal
from aww_gateway.context import LANGUAGE_COOKIE
from aww_gateway.i18n import LANGUAGES
from aww_gateway.problems import Problem
from aww_gateway.web import safe_next, web


class ServiceStatus(ApiModel):
    service: str
    status: str


async def service_status(call: ApiCall) -> ServiceStatus:
    service = call.path["service"]
    if service not in call.request.app.state.settings.services:
        raise Problem("not_found", f"There is no service called {service!r}")
    result = await call.rpc(service, "ping")
    return ServiceStatus(service=result["service"], status=result["status"])


async def home(request: Request):
    await resolve_principal(request)
    return web(request).render(request, "platform/home.html")


async def switch_language(request: Request):
    code = request.path_params["code"]
    target = safe_next(request.query_params.get("next"))
    response = web(request).redirect(request, target)
    if code in LANGUAGES:
        response.set_cookie(LANGUAGE_COOKIE, code, max_age=365 * 86400, samesite="lax")
    return response


AREA = Area(
    name="platform",
    operations=[
        Operation(
            method="GET",
            path="/api/v1/status/{service}",
            operation_id="getServiceStatus",
            summary="Whether a back-end service answers (one RPC round trip)",
            handler=service_status,
            tag="platform",
            response=ServiceStatus,
            auth="public",
            errors=("not_found",),
        ),
    ],
    web_routes=[
        Route("/", home, methods=["GET"]),
        Route("/lang/{code}", switch_language, methods=["GET"]),
    ],
)

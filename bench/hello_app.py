"""A bare Starlette "hello" for the baseline: the same server settings as the gateway."""

from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route


async def hello(request):
    return JSONResponse({"service": "hello", "status": "ok"})


app = Starlette(routes=[Route("/hello", hello)])

"""python -m aww_gateway: serve the gateway with uvicorn (PORT, default 8000; WEB_CONCURRENCY workers)."""

from __future__ import annotations

import os

import uvicorn

from servicekit import logs
from servicekit.config import env, env_int

# An idle keep-alive connection must be closed by the client side, never by the gateway: when the
# gateway closes it just as a client (or the ingress: nginx keeps upstream connections 60 s) sends
# its next request on it, that request is lost ("server disconnected without sending a response")
# and a POST is not retried. uvicorn's default is 5 s, the same as httpx's client-side expiry.
KEEP_ALIVE_SECONDS = 75


def server_options() -> dict:
    """uvicorn's settings from the environment; a bad value stops the gateway naming the variable."""
    return {
        "host": env("HOST", "127.0.0.1"),
        "port": env_int("PORT", 8000, minimum=1),
        "workers": env_int("WEB_CONCURRENCY", 1, minimum=1),
        "timeout_keep_alive": env_int("GATEWAY_KEEP_ALIVE_SECONDS", KEEP_ALIVE_SECONDS, minimum=1),
        "log_config": None,
        "access_log": False,
        "proxy_headers": False,
        "server_header": False,
        "lifespan": "on",
        "http": "aww_gateway.http_protocol:GatewayHttpProtocol",  # httptools; a response in one send
    }


def main() -> None:
    logs.configure("gateway", os.environ.get("LOG_LEVEL", "INFO"))
    uvicorn.run("aww_gateway.asgi:app", **server_options())


if __name__ == "__main__":
    main()

"""python -m aww_gateway: serve the gateway with uvicorn (PORT, default 8000; WEB_CONCURRENCY workers)."""

from __future__ import annotations

import os

import uvicorn

from servicekit import logs


def main() -> None:
    logs.configure("gateway", os.environ.get("LOG_LEVEL", "INFO"))
    uvicorn.run(
        "aww_gateway.asgi:app",
        host=os.environ.get("HOST", "127.0.0.1"),
        port=int(os.environ.get("PORT", "8000")),
        workers=int(os.environ.get("WEB_CONCURRENCY", "1")),
        log_config=None,
        access_log=False,
        proxy_headers=False,
        server_header=False,
        lifespan="on",
        http="aww_gateway.http_protocol:GatewayHttpProtocol",  # httptools; a response in one send
    )


if __name__ == "__main__":
    main()

"""How the gateway's uvicorn is configured: from the environment, checked at start, and with idle
keep-alive connections held longer than clients and the ingress hold theirs."""

import asyncio
import time

import pytest
import uvicorn

from aww_gateway.__main__ import server_options
from servicekit.testing.infra import free_port

NGINX_UPSTREAM_KEEPALIVE_SECONDS = 60
HTTPX_KEEPALIVE_EXPIRY_SECONDS = 5


def test_defaults_keep_idle_connections_longer_than_the_ingress_and_clients(monkeypatch):
    for name in ("HOST", "PORT", "WEB_CONCURRENCY", "GATEWAY_KEEP_ALIVE_SECONDS"):
        monkeypatch.delenv(name, raising=False)
    options = server_options()
    assert (options["host"], options["port"], options["workers"]) == ("127.0.0.1", 8000, 1)
    assert options["timeout_keep_alive"] > NGINX_UPSTREAM_KEEPALIVE_SECONDS
    assert options["timeout_keep_alive"] > HTTPX_KEEPALIVE_EXPIRY_SECONDS


def test_settings_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("HOST", "0.0.0.0")
    monkeypatch.setenv("PORT", "8123")
    monkeypatch.setenv("WEB_CONCURRENCY", "2")
    monkeypatch.setenv("GATEWAY_KEEP_ALIVE_SECONDS", "120")
    options = server_options()
    assert (options["host"], options["port"], options["workers"], options["timeout_keep_alive"]) == (
        "0.0.0.0",
        8123,
        2,
        120,
    )


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("GATEWAY_KEEP_ALIVE_SECONDS", "soon", "GATEWAY_KEEP_ALIVE_SECONDS must be an integer, got 'soon'"),
        ("GATEWAY_KEEP_ALIVE_SECONDS", "0", "GATEWAY_KEEP_ALIVE_SECONDS must be at least 1, got 0"),
        ("PORT", "eighty", "PORT must be an integer, got 'eighty'"),
        ("WEB_CONCURRENCY", "0", "WEB_CONCURRENCY must be at least 1, got 0"),
    ],
)
def test_a_bad_setting_stops_the_gateway_naming_it(monkeypatch, name, value, message):
    monkeypatch.setenv(name, value)
    with pytest.raises(SystemExit, match=message):
        server_options()


async def hello(scope, receive, send):
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"2")]})
    await send({"type": "http.response.body", "body": b"ok"})


def test_a_connection_idle_longer_than_uvicorns_default_still_takes_the_next_request(monkeypatch):
    """uvicorn's own default (5 s) closed it: the request sent next on it was lost."""
    monkeypatch.delenv("GATEWAY_KEEP_ALIVE_SECONDS", raising=False)
    options = server_options()
    port = free_port()
    options.update(port=port, lifespan="off", log_level="warning")
    del options["workers"]
    server = uvicorn.Server(uvicorn.Config(hello, **options))
    request = f"GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode()

    async def scenario():
        serving = asyncio.create_task(server.serve())
        while not server.started:
            await asyncio.sleep(0.01)
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(request)
            first = await reader.readuntil(b"ok")
            idle_from = time.monotonic()
            await asyncio.sleep(HTTPX_KEEPALIVE_EXPIRY_SECONDS + 0.5)
            assert not reader.at_eof(), f"closed after {time.monotonic() - idle_from:.1f} s idle"
            writer.write(request)
            second = await asyncio.wait_for(reader.readuntil(b"ok"), 5)
            writer.close()
            return first, second
        finally:
            server.should_exit = True
            await serving

    first, second = asyncio.run(scenario())
    assert first.startswith(b"HTTP/1.1 200") and second.startswith(b"HTTP/1.1 200")

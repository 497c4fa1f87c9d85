"""The gateway's HTTP protocol on a real uvicorn server and socket (no broker involved): a response
leaves in one socket write, and every kind of response still arrives whole."""

import asyncio

import httpx
import uvicorn

from aww_gateway.http_protocol import GatewayHttpProtocol
from servicekit.testing.infra import free_port

WRITES: list[bytes] = []


class RecordingProtocol(GatewayHttpProtocol):
    """Records what reaches the real transport."""

    def connection_made(self, transport) -> None:
        write = transport.write

        class Recorder:
            def write(self, data):
                WRITES.append(bytes(data))
                write(data)

            def __getattr__(self, name):
                return getattr(transport, name)

        super().connection_made(Recorder())


async def app(scope, receive, send):
    if scope["type"] != "http":
        return
    if scope["path"] == "/stream":
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
        for part in (b"one ", b"two ", b"three"):
            await send({"type": "http.response.body", "body": part, "more_body": True})
            await asyncio.sleep(0.01)
        await send({"type": "http.response.body", "body": b""})
        return
    body = b'{"hello":"world"}'
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def test_responses_leave_in_one_write_and_arrive_whole():
    port = free_port()
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, http=RecordingProtocol, loop="uvloop", lifespan="off", log_level="warning"
    )
    server = uvicorn.Server(config)

    async def scenario():
        serving = asyncio.create_task(server.serve())
        while not server.started:
            await asyncio.sleep(0.01)
        try:
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
                WRITES.clear()
                kept = [await client.get("/json") for _ in range(3)]  # one keep-alive connection
                writes_per_response = len(WRITES)
                head = await client.head("/json")
                closing = await client.get("/json", headers={"connection": "close"})
                streamed = await client.get("/stream")
            return kept, writes_per_response, head, closing, streamed
        finally:
            server.should_exit = True
            await serving

    kept, writes, head, closing, streamed = asyncio.run(scenario())
    for response in (*kept, closing):
        assert response.status_code == 200
        assert response.json() == {"hello": "world"}
        assert response.headers["content-length"] == "17"
    assert writes == 3  # status line, headers and body of each response in one write
    assert head.status_code == 200 and head.content == b"" and head.headers["content-length"] == "17"
    assert closing.headers["connection"] == "close"
    assert streamed.text == "one two three"

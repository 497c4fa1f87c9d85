"""The gateway's RPC client against the real broker and a real service (stack fixture)."""

import asyncio

from aww_gateway.rpc_client import RpcClient


def test_calls_made_in_one_turn_of_the_loop_leave_in_one_socket_write(stack):
    async def scenario():
        client = RpcClient(stack.amqp_uri, ("identity", "wallet"), timeout=10, probe_interval=3600)
        await client.start()
        try:
            transport = client._connection._transport
            writes = []
            write = transport.write

            def recording_write(data):
                writes.append(bytes(data))
                write(data)

            transport.write = recording_write
            services = ["identity", "wallet"] * 3
            answers = await asyncio.gather(*(client.call(service, "ping") for service in services))
            transport.write = write
            return answers, writes
        finally:
            await client.close()

    answers, writes = asyncio.run(scenario())
    # every call got its own answer: the frames were neither lost nor mixed up
    assert answers == [{"service": service, "status": "ok"} for service in ["identity", "wallet"] * 3]
    # six requests of three frames each (method, header, body), all in one write
    assert len(writes) == 1
    assert writes[0].count(b'{"args":[],"kwargs":{}}') == 6

"""Bare Nameko RPC round trips from a standalone proxy (no gateway), printed as JSON.

python bench/nameko_roundtrip.py <amqp_uri> <service> <calls> <concurrency>
"""

import os
import sys

os.environ.setdefault("PSYCOPG_WAIT_FUNC", "wait_select")
import eventlet

eventlet.monkey_patch()

import json  # noqa: E402
import time  # noqa: E402

from nameko.standalone.rpc import ClusterRpcProxy  # noqa: E402


def main():
    amqp_uri, service, calls, concurrency = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    latencies = []
    # one standalone proxy per green thread: a standalone proxy serves one caller at a time
    proxies = [ClusterRpcProxy({"AMQP_URI": amqp_uri}, timeout=10) for _ in range(concurrency)]
    targets = [getattr(proxy.start(), service) for proxy in proxies]
    for target in targets:
        for _ in range(20):
            target.ping()

    def worker(target, count):
        for _ in range(count):
            started = time.perf_counter()
            target.ping()
            latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    threads = [eventlet.spawn(worker, target, calls // concurrency) for target in targets]
    for thread in threads:
        thread.wait()
    elapsed = time.perf_counter() - started
    for proxy in proxies:
        proxy.stop()
    calls = len(latencies)
    latencies.sort()
    print(
        json.dumps(
            {
                "rps": calls / elapsed,
                "p50_ms": latencies[len(latencies) // 2] * 1000,
                "p99_ms": latencies[int(len(latencies) * 0.99)] * 1000,
            }
        )
    )


if __name__ == "__main__":
    main()

"""Issue 3 figures: password logins per second (argon2id) and authenticated gateway requests per
second (session lookup included).

    .venv/bin/python bench/identity_bench.py

Starts its own platform (private vhost and databases). Prints:
- the argon2id parameters and the time of one hash on one core, and hashes/s on two threads;
- password logins through the gateway (POST /api/v1/sessions: gateway → identity → argon2id in a
  thread → session row) at concurrency 4 and 16: logins/s, p50, p99;
- authenticated requests (GET /api/v1/session with a bearer token: gateway → identity
  resolve_session → one indexed read) with wrk at concurrency 1, 8 and 32, gateway with 1 and 2
  uvicorn workers.
Everything runs on this machine's cores: the load generator competes with the platform.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "e2e"))
from common import percentile, table, wrk
from identity_flows import PASSWORD, log_in, register_and_activate

from aww_devtools.stack import temporary_stack


def argon2_figures() -> dict:
    from aww_identity.domain.passwords import HASHER, hash_password, verify_password

    stored = hash_password(PASSWORD)
    for _ in range(3):
        verify_password(stored, PASSWORD)
    rounds = 40
    started = time.perf_counter()
    for _ in range(rounds):
        verify_password(stored, PASSWORD)
    one_core = (time.perf_counter() - started) / rounds
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        started = time.perf_counter()
        list(pool.map(lambda _: verify_password(stored, PASSWORD), range(rounds * 2)))
        two_threads = rounds * 2 / (time.perf_counter() - started)
    return {
        "parameters": f"argon2id m={HASHER.memory_cost} KiB t={HASHER.time_cost} p={HASHER.parallelism}",
        "ms_per_hash_one_core": round(one_core * 1000, 1),
        "hashes_per_s_two_threads": round(two_threads, 1),
    }


async def _logins(base_url: str, usernames: list[str], concurrency: int, total: int) -> dict:
    latencies: list[float] = []
    failures = 0
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as client:
        queue = list(range(total))

        async def worker(index: int):
            nonlocal failures
            while queue:
                n = queue.pop()
                started = time.perf_counter()
                response = await client.post(
                    "/api/v1/sessions", json={"username": usernames[n % len(usernames)], "password": PASSWORD}
                )
                latencies.append(time.perf_counter() - started)
                failures += response.status_code != 201

        started = time.perf_counter()
        await asyncio.gather(*(worker(i) for i in range(concurrency)))
        elapsed = time.perf_counter() - started
    return {
        "concurrency": concurrency,
        "logins": total,
        "logins_per_s": round(total / elapsed, 1),
        "p50_ms": round(percentile(latencies, 0.5) * 1000, 1),
        "p99_ms": round(percentile(latencies, 0.99) * 1000, 1),
        "failures": failures,
    }


def main() -> None:
    report: dict = {"argon2": argon2_figures()}
    print(json.dumps(report["argon2"]), flush=True)
    with tempfile.TemporaryDirectory() as var_dir:
        for workers in (1, 2):
            with temporary_stack(Path(var_dir), gateway_workers=workers, LOG_LEVEL="WARNING") as stack:
                with httpx.Client(base_url=stack.base_url, timeout=30) as http:
                    accounts = [register_and_activate(http, stack.var_dir) for _ in range(8)]
                    token = log_in(http, accounts[0]["username"])
                usernames = [a["username"] for a in accounts]
                if workers == 1:
                    print("password logins …", flush=True)
                    report["logins"] = [asyncio.run(_logins(stack.base_url, usernames, c, 240)) for c in (4, 16)]
                url = f"{stack.base_url}/api/v1/session"
                headers = {"Authorization": f"Bearer {token}"}
                for _ in range(200):
                    httpx.get(url, headers=headers)
                print(f"authenticated requests, gateway with {workers} worker(s) …", flush=True)
                report[f"session_{workers}"] = [wrk(url, c, 8, headers) for c in (1, 8, 32)]
    print()
    print(
        f"{report['argon2']['parameters']}: {report['argon2']['ms_per_hash_one_core']} ms per hash on one core, "
        f"{report['argon2']['hashes_per_s_two_threads']} hashes/s on two threads"
    )
    print(table("Password logins through the gateway (POST /api/v1/sessions)", report["logins"]))
    for workers in (1, 2):
        print(
            table(f"Authenticated GET /api/v1/session ({workers} gateway worker(s), wrk)", report[f"session_{workers}"])
        )
    if os.environ.get("BENCH_JSON"):
        Path(os.environ["BENCH_JSON"]).write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()

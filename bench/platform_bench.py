"""Issue 2 figures: RPC through the gateway vs a bare Starlette app and a bare Nameko round trip.

    .venv/bin/python bench/platform_bench.py

Starts its own platform (private vhost and databases), measures with wrk (closed loop, one
thread) at concurrency 1, 8 and 32 and with an open-loop client at 200 requests/s, and prints a
table. Everything runs on this machine's cores: the load generator competes with the platform.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).parent))
from common import fixed_rate, table, wrk

from aww_devtools.stack import free_port, temporary_stack

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable


def wait_http(url: str, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer")


def bare_starlette() -> list[dict]:
    port = free_port()
    server = subprocess.Popen(
        [
            PYTHON,
            "-m",
            "uvicorn",
            "hello_app:app",
            "--port",
            str(port),
            "--no-access-log",
            "--log-level",
            "warning",
            "--loop",
            "uvloop",
            "--http",
            "httptools",
        ],
        cwd=Path(__file__).parent,
    )
    try:
        url = f"http://127.0.0.1:{port}/hello"
        wait_http(url)
        return [wrk(url, c) for c in (1, 8, 32)]
    finally:
        server.terminate()
        server.wait(10)


def bare_nameko(amqp_uri: str) -> list[dict]:
    rows = []
    for concurrency in (1, 8, 32):
        out = subprocess.run(
            [
                PYTHON,
                str(Path(__file__).parent / "nameko_roundtrip.py"),
                amqp_uri,
                "identity",
                "4000",
                str(concurrency),
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        figures = json.loads(out.strip().splitlines()[-1])
        rows.append(
            {
                "concurrency": concurrency,
                "rps": round(figures["rps"]),
                "p50_ms": round(figures["p50_ms"], 2),
                "p99_ms": round(figures["p99_ms"], 2),
                "non_2xx": 0,
            }
        )
    return rows


def main() -> None:
    report = {}
    print("bare Starlette hello on uvicorn …", flush=True)
    report["starlette"] = bare_starlette()
    with tempfile.TemporaryDirectory() as var_dir:
        for workers in (1, 2):
            with temporary_stack(Path(var_dir), gateway_workers=workers, LOG_LEVEL="WARNING") as stack:
                url = f"{stack.base_url}/api/v1/status/identity"
                for _ in range(300):
                    httpx.get(url)
                if workers == 1:
                    print("bare Nameko RPC round trip …", flush=True)
                    report["nameko"] = bare_nameko(stack.amqp_uri)
                print(f"gateway with {workers} worker(s) …", flush=True)
                report[f"gateway_{workers}"] = [wrk(url, c) for c in (1, 8, 32)]
                report[f"gateway_{workers}_200rps"] = fixed_rate(url, 200, 10)
    print()
    print(table("Bare Starlette hello (uvicorn, 1 worker)", report["starlette"]))
    print(table("Bare Nameko RPC round trip (standalone proxy → identity.ping)", report["nameko"]))
    for workers in (1, 2):
        print(
            table(f"HTTP → gateway ({workers} uvicorn worker(s)) → identity.ping → reply", report[f"gateway_{workers}"])
        )
        fixed = report[f"gateway_{workers}_200rps"]
        print(
            f"  open loop at 200 requests/s for 10 s: p50 {fixed['p50_ms']} ms, p99 {fixed['p99_ms']} ms, "
            f"failures {fixed['failures']}"
        )
    c32 = {row["concurrency"]: row for row in report["gateway_1"]}[32]
    hello32 = {row["concurrency"]: row for row in report["starlette"]}[32]
    nameko32 = {row["concurrency"]: row for row in report["nameko"]}[32]
    print(
        f"\nratios at concurrency 32 (1 gateway worker): gateway/hello = {c32['rps'] / hello32['rps']:.2f}, "
        f"gateway/bare Nameko = {c32['rps'] / nameko32['rps']:.2f}"
    )
    if os.environ.get("BENCH_JSON"):
        Path(os.environ["BENCH_JSON"]).write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()

"""The CPU one Nameko RPC costs on this stack, per process: the floor under every request.

    .venv/bin/python bench/rpc_cpu_bench.py          # RPC_BENCH_CALLS=4000, RPC_BENCH_CONCURRENCY=8

Starts the platform (private vhost and databases), then calls identity's `ping` (no database, no
work) from standalone Nameko proxies (bench/nameko_roundtrip.py, a separate process) and prints the
CPU per call of the service, of RabbitMQ and of the calling process. Every RPC of the platform pays
at least this: the request and reply messages (the reply on the service's own reply channel, since
7 Dec without publisher confirms: servicekit.replies), the ack, and
Nameko's worker around the method.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from common import cpu_used_between, process_cpu_seconds

from aww_devtools.stack import temporary_stack

CALLS = int(os.environ.get("RPC_BENCH_CALLS", "4000"))
CONCURRENCY = int(os.environ.get("RPC_BENCH_CONCURRENCY", "8"))
ROUND_TRIP = str(Path(__file__).parent / "nameko_roundtrip.py")


def call_ping(amqp_uri: str, calls: int) -> tuple[str, float]:
    """Runs the calls in their own process; returns its JSON line and the CPU seconds it used."""
    before = os.times()
    result = subprocess.run(
        [sys.executable, ROUND_TRIP, amqp_uri, "identity", str(calls), str(CONCURRENCY)],
        capture_output=True,
        text=True,
        check=True,
    )
    after = os.times()
    used = (after.children_user - before.children_user) + (after.children_system - before.children_system)
    return result.stdout.strip().splitlines()[-1], used


def main() -> None:
    with (
        tempfile.TemporaryDirectory() as var_dir,
        temporary_stack(Path(var_dir), LOG_LEVEL="WARNING") as stack,
    ):
        processes = {name: [process.pid] for name, process in stack.processes.items()}
        call_ping(stack.amqp_uri, 200)  # warm-up: queues, connections
        time.sleep(1)
        before = process_cpu_seconds(processes)
        figures, caller_cpu = call_ping(stack.amqp_uri, CALLS)
        used = cpu_used_between(before, process_cpu_seconds(processes))
    print(f"identity.ping from standalone proxies, {CALLS} calls at concurrency {CONCURRENCY}: {figures}")
    print(f"  CPU per call (ms): calling process {caller_cpu * 1000 / CALLS:.3f}", end="")
    for name in ("identity", "rabbitmq", "postgresql (all)"):
        print(f", {name} {used[name] * 1000 / CALLS:.3f}", end="")
    print()


if __name__ == "__main__":
    main()

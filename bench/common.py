"""Load generators and reporting shared by the benchmarks."""

from __future__ import annotations

import asyncio
import os
import re
import statistics
import subprocess
import time
from pathlib import Path
from urllib.parse import urlsplit


def _ms(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def wrk(url: str, connections: int, seconds: int = 8, headers: dict | None = None) -> dict:
    """Closed-loop load with `connections` concurrent keep-alive connections (wrk, one thread)."""
    argv = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", url]
    for name, value in (headers or {}).items():
        argv += ["-H", f"{name}: {value}"]
    out = subprocess.run(argv, capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    percentiles = dict(re.findall(r"^\s+(50|99)%\s+(\S+)", out, re.M))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "concurrency": connections,
        "rps": round(rps),
        "p50_ms": round(_ms(percentiles["50"]), 2),
        "p99_ms": round(_ms(percentiles["99"]), 2),
        "non_2xx": int(errors.group(1)) if errors else 0,
    }


class _KeepAliveGet:
    """A minimal HTTP/1.1 GET over keep-alive connections, for the open-loop load: httpx spent
    ~2.6 ms of CPU per request here, so at 200 requests/s against a bare "hello" its own delays made
    p99 45 ms, and it could not keep up with 300/s at all."""

    IDLE_SECONDS = 4.0  # below the servers' keep-alive (uvicorn's default: 5 s)

    def __init__(self, url: str, headers: dict | None) -> None:
        parts = urlsplit(url)
        self.host, self.port = parts.hostname, parts.port or 80
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        lines = [f"GET {target} HTTP/1.1", f"Host: {parts.netloc}"]
        lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
        self.request = ("\r\n".join(lines) + "\r\n\r\n").encode()
        self.idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter, float]] = []
        self.opened: list[asyncio.StreamWriter] = []

    async def status(self) -> int:
        """The response's status. A kept connection the server closed meanwhile (its keep-alive
        ran out) is replaced and the GET sent again, as browsers do."""
        while self.idle:
            reader, writer, since = self.idle.pop()
            if time.monotonic() - since < self.IDLE_SECONDS:
                try:
                    return await self._exchange(reader, writer)
                except (ConnectionError, asyncio.IncompleteReadError):
                    writer.close()
            else:
                writer.close()
        return await self._exchange(*await self._open())

    async def _exchange(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> int:
        writer.write(self.request)
        head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").lower()
        status = int(head.split(" ", 2)[1])
        length = re.search(r"\r\ncontent-length: *(\d+)", head)
        if length is None:  # chunked or close-delimited: not what the gateway sends
            raise RuntimeError(f"response without content-length: {head[:200]!r}")
        await reader.readexactly(int(length.group(1)))
        if "\r\nconnection: close" not in head:
            self.idle.append((reader, writer, time.monotonic()))
        return status

    async def _open(self):
        reader, writer = await asyncio.open_connection(self.host, self.port)
        self.opened.append(writer)
        return reader, writer

    def close(self) -> None:
        for writer in self.opened:
            writer.close()


async def _fixed_rate(url: str, rate: float, seconds: float, headers: dict | None) -> dict:
    latencies: list[float] = []
    failures = 0
    client = _KeepAliveGet(url, headers)
    started = time.perf_counter()
    total = int(rate * seconds)

    async def one(index: int):
        nonlocal failures
        scheduled = started + index / rate
        await asyncio.sleep(max(0.0, scheduled - time.perf_counter()))
        try:
            status = await client.status()
        except (OSError, asyncio.IncompleteReadError, RuntimeError, ValueError):
            status = 599
        # measured from the scheduled time: a late start counts (no coordinated omission)
        latencies.append(time.perf_counter() - scheduled)
        if status >= 400:
            failures += 1

    try:
        await asyncio.gather(*(one(i) for i in range(total)))
    finally:
        client.close()
    latencies.sort()
    return {
        "rate": rate,
        "requests": len(latencies),
        "p50_ms": round(latencies[len(latencies) // 2] * 1000, 2),
        "p99_ms": round(latencies[int(len(latencies) * 0.99)] * 1000, 2),
        "failures": failures,
    }


def fixed_rate(url: str, rate: float = 200, seconds: float = 10, headers: dict | None = None) -> dict:
    """Open-loop load at a fixed request rate; latency from each request's scheduled time."""
    return asyncio.run(_fixed_rate(url, rate, seconds, headers))


def _process_cpu(pid: int) -> float:
    """User + system CPU seconds a process has used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _shared_servers() -> dict[str, list[int]]:
    """PostgreSQL's and RabbitMQ's processes: they do part of the work measured too."""
    found: dict[str, list[int]] = {"postgresql (all)": [], "rabbitmq": []}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "comm").read_text().strip()
        except OSError:
            continue
        if command in ("postgres", "postmaster"):
            found["postgresql (all)"].append(int(entry.name))
        elif command in ("beam.smp", "erl_child_setup", "epmd"):
            found["rabbitmq"].append(int(entry.name))
    return found


LOAD_GENERATOR = "load generator (this bench)"


def process_cpu_seconds(processes: dict[str, list[int]]) -> dict[str, float]:
    """CPU seconds used so far by each named group of processes, by PostgreSQL, by RabbitMQ and by
    this load generator (the machine's cores are shared by all of them)."""
    used = {}
    for name, pids in (processes | _shared_servers()).items():
        total = 0.0
        for pid in pids:
            try:
                total += _process_cpu(pid)
            except (OSError, IndexError, ValueError):
                continue  # a PostgreSQL backend that ended in between: its CPU is lost to the count
        used[name] = total
    used[LOAD_GENERATOR] = time.process_time()
    return used


def cpu_used_between(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    return {name: after[name] - before.get(name, 0.0) for name in after}


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(int(len(ordered) * fraction), len(ordered) - 1)]


def mean(values: list[float]) -> float:
    return statistics.fmean(values)


def table(title: str, rows: list[dict]) -> str:
    if not rows:
        return f"{title}: no rows"
    columns = list(rows[0])
    widths = {c: max(len(c), *(len(str(r[c])) for r in rows)) for c in columns}
    lines = [title, "  " + "  ".join(c.ljust(widths[c]) for c in columns)]
    lines += ["  " + "  ".join(str(r[c]).ljust(widths[c]) for c in columns) for r in rows]
    return "\n".join(lines)

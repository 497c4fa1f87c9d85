"""Issue 2 figures: events through outbox → RabbitMQ → idempotent consumer.

    .venv/bin/python bench/events_bench.py
    BENCH_CONSUMERS=2 (consumer replicas), BENCH_MAX_WORKERS=40 (workers per process, default 20),
    BENCH_RATE=50 (events/s of the latency run, default 200)

Runs the probe producer and consumer (servicekit.testing.probe) as two service processes with
servicekit.runner on a private vhost and private databases, then measures
- commit-to-handled latency: single-event transactions at a steady 200/s (BENCH_RATE) for 10 s; latency =
  the consumer's commit time − the event's occurred_at (taken just before the producer commits).
  The producer commits them itself (one RPC starts the run); BENCH_VIA_RPC=1 sends one RPC per
  event instead, as before 7 Dec (on 2 cores that RPC load alone nearly saturated the machine);
- sustained throughput: 20,000 events committed in batches of 500, from the first commit to the
  last event handled.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("PSYCOPG_WAIT_FUNC", "wait_select")
import eventlet
import eventlet.queue

eventlet.monkey_patch()

import psycopg  # noqa: E402
from nameko.standalone.rpc import ClusterRpcProxy  # noqa: E402

sys.path.insert(0, str(Path(__file__).parent))
from common import cpu_used_between, percentile, process_cpu_seconds  # noqa: E402

from servicekit.testing.infra import create_database, create_vhost, delete_vhost, drop_database, new_run_id  # noqa: E402
from servicekit.testing.probe import create_probe_tables  # noqa: E402

VIA_RPC = os.environ.get("BENCH_VIA_RPC") == "1"


def pg_url(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


def start(entry: str, env: dict, log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "servicekit.runner", entry], env=env, stdout=open(log, "ab"), stderr=subprocess.STDOUT
    )


class ProxyPool:
    """Standalone Nameko proxies serve one caller at a time: one per concurrent caller."""

    def __init__(self, amqp: str, size: int) -> None:
        self.proxies = [ClusterRpcProxy({"AMQP_URI": amqp}, timeout=60) for _ in range(size)]
        self.free = eventlet.queue.LightQueue()
        for proxy in self.proxies:
            self.free.put(proxy.start())

    def call(self, service: str, method: str, *args):
        cluster = self.free.get()
        try:
            return getattr(getattr(cluster, service), method)(*args)
        finally:
            self.free.put(cluster)

    def stop(self) -> None:
        for proxy in self.proxies:
            proxy.stop()


def applied(conn) -> int:
    return conn.execute("SELECT count(*) FROM applied").fetchone()[0]


def main() -> None:
    run = new_run_id()
    vhost = f"awwt-{run}"
    amqp = create_vhost(vhost)
    urls = {k: create_database(f"awwt_{run}_probe_{k}") for k in ("producer", "consumer")}
    for url in urls.values():
        create_probe_tables(url)
    env = dict(
        os.environ,
        AMQP_URI=amqp,
        LOG_LEVEL="WARNING",
        MAX_WORKERS=os.environ.get("BENCH_MAX_WORKERS", "20"),
        PROBE_PRODUCER_DATABASE_URL=urls["producer"],
        PROBE_CONSUMER_DATABASE_URL=urls["consumer"],
    )
    logs = Path(tempfile.mkdtemp())
    # BENCH_CONSUMERS=2 runs two consumer replicas on the same queue, as the deployments do
    consumers = int(os.environ.get("BENCH_CONSUMERS", "1"))
    processes = [  # BENCH_PROFILE=1 prints their pids for py-spy
        start("servicekit.testing.probe:ProducerService", env, logs / "producer.log"),
        *(start("servicekit.testing.probe:ConsumerService", env, logs / f"consumer{i}.log") for i in range(consumers)),
    ]
    groups = {"producer (relay included)": [processes[0].pid], "consumer(s)": [p.pid for p in processes[1:]]}
    if os.environ.get("BENCH_PROFILE"):
        print("pids", [p.pid for p in processes], flush=True)
    try:
        consumer_db = psycopg.connect(pg_url(urls["consumer"]), autocommit=True)
        pool_of_proxies = ProxyPool(amqp, 20)
        with ClusterRpcProxy({"AMQP_URI": amqp}, timeout=30) as cluster:
            deadline = time.monotonic() + 30
            while True:
                try:
                    cluster.probe_producer.ping()
                    cluster.probe_consumer.ping()
                    break
                except Exception:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.2)
            # warm up: queues exist, connections open
            for _ in range(50):
                cluster.probe_producer.write_note("warm-up")
            while applied(consumer_db) < 50:
                time.sleep(0.05)
            consumer_db.execute("TRUNCATE applied")

            # 1. latency at a steady rate
            rate, seconds = int(os.environ.get("BENCH_RATE", "200")), 10
            steady_cpu_before, steady_started = process_cpu_seconds(groups), time.perf_counter()
            if VIA_RPC:  # one RPC per event: the bench's calls load the producer and the broker too
                pool = eventlet.GreenPool(20)
                started = time.perf_counter()
                for i in range(rate * seconds):
                    eventlet.sleep(max(0.0, started + i / rate - time.perf_counter()))
                    pool.spawn_n(pool_of_proxies.call, "probe_producer", "write_note", f"steady {i}")
                pool.waitall()
            else:
                pool_of_proxies.call("probe_producer", "write_notes_steadily", rate, seconds)
            steady_cpu = cpu_used_between(steady_cpu_before, process_cpu_seconds(groups))
            # the run lasts longer than `seconds` when the producer falls behind its schedule
            steady_seconds = time.perf_counter() - steady_started
            while applied(consumer_db) < rate * seconds:
                time.sleep(0.05)
            latencies = [
                row[0] * 1000
                for row in consumer_db.execute("SELECT extract(epoch FROM handled_at - occurred_at) FROM applied")
            ]
            with psycopg.connect(pg_url(urls["producer"])) as producer_db:
                published = dict(
                    producer_db.execute(
                        "SELECT event_id, published_at FROM outbox WHERE envelope->'data'->>'text' LIKE 'steady%'"
                    ).fetchall()
                )
                relay = [
                    row[0] * 1000
                    for row in producer_db.execute(
                        "SELECT extract(epoch FROM published_at - occurred_at) FROM outbox "
                        "WHERE envelope->'data'->>'text' LIKE 'steady%'"
                    )
                ]
            delivery = [
                (handled - published[event_id]).total_seconds() * 1000
                for event_id, handled in consumer_db.execute("SELECT event_id, handled_at FROM applied")
            ]
            consumer_db.execute("TRUNCATE applied")

            # 2. sustained throughput
            total, batch = 20_000, 500
            pool = eventlet.GreenPool(4)
            cpu_before = process_cpu_seconds(groups)
            started = time.perf_counter()
            list(
                pool.imap(lambda _: pool_of_proxies.call("probe_producer", "write_notes", batch), range(total // batch))
            )
            committed = time.perf_counter() - started
            while applied(consumer_db) < total:
                time.sleep(0.02)
            elapsed = time.perf_counter() - started
            cpu = cpu_used_between(cpu_before, process_cpu_seconds(groups))
        pool_of_proxies.stop()
        duplicates = consumer_db.execute("SELECT count(*) - count(DISTINCT event_id) FROM applied").fetchone()[0]
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(15)
        for k in urls:
            drop_database(f"awwt_{run}_probe_{k}")
        delete_vhost(vhost)

    print(f"Events: outbox → RabbitMQ → idempotent consumer (probe producer, {consumers} consumer process(es))")
    print(
        f"  the steady run's transactions: {'one RPC each, from the bench' if VIA_RPC else 'committed by the producer'}"
    )
    print(
        f"  commit-to-handled at {rate} events/s for {seconds} s: p50 {percentile(latencies, 0.5):.1f} ms, "
        f"p95 {percentile(latencies, 0.95):.1f} ms, p99 {percentile(latencies, 0.99):.1f} ms"
    )
    print(
        f"    of which commit → taken by the relay: p50 {percentile(relay, 0.5):.1f} ms, "
        f"p95 {percentile(relay, 0.95):.1f} ms; taken by the relay → handled: p50 {percentile(delivery, 0.5):.1f} ms, "
        f"p95 {percentile(delivery, 0.95):.1f} ms"
    )
    print(
        f"  sustained: {total} events committed in {committed:.1f} s, all handled after {elapsed:.1f} s "
        f"→ {total / elapsed:.0f} events/s end to end; duplicates applied: {duplicates}"
    )
    busy = {name: used * 100 / steady_seconds for name, used in steady_cpu.items() if used > 0.05}
    print(
        f"  CPU busy during the {rate}/s run (% of one core): "
        + ", ".join(f"{name} {value:.0f}" for name, value in sorted(busy.items(), key=lambda kv: -kv[1]))
        + f"; all {sum(busy.values()):.0f} of {(os.cpu_count() or 1) * 100} (over {steady_seconds:.1f} s: "
        + f"{sum(steady_cpu.values()) * 1000 / (rate * seconds):.2f} ms CPU per event, one per transaction)"
    )
    # the machine's cores are shared by every process below: CPU per event is the cost that does
    # not depend on what else runs, and cores / that cost is the ceiling of a CPU-bound run
    per_event = {name: seconds_used * 1000 / total for name, seconds_used in cpu.items() if seconds_used > 0.05}
    print(
        "  CPU per event during the sustained run (ms): "
        + ", ".join(f"{name} {value:.3f}" for name, value in sorted(per_event.items(), key=lambda kv: -kv[1]))
    )
    all_ms = sum(per_event.values())
    print(
        f"    all processes {all_ms:.3f} ms per event → at most {(os.cpu_count() or 1) * 1000 / all_ms:.0f} events/s "
        f"on {os.cpu_count()} cores when CPU-bound"
    )


if __name__ == "__main__":
    main()

"""Prometheus metrics of every RPC, event handler and timer, plus the outbox.

One process runs one service, so the default registry is enough; the `service` label keeps
several containers in one test process apart.
"""

from __future__ import annotations

import time
from weakref import WeakKeyDictionary

from nameko.events import EventHandler
from nameko.extensions import DependencyProvider
from nameko.rpc import Rpc
from nameko.timer import Timer
from prometheus_client import Counter, Gauge, Histogram

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)

REQUESTS = Counter(
    "aww_service_requests_total",
    "Workers run, by entrypoint kind (rpc, event, timer), method and outcome",
    ["service", "kind", "method", "outcome"],
)
DURATION = Histogram(
    "aww_service_request_duration_seconds",
    "Worker duration, commit included",
    ["service", "kind", "method"],
    buckets=LATENCY_BUCKETS,
)
ERRORS = Counter(
    "aww_service_errors_total",
    "Workers that ended in an error, by error type (DomainError codes count as their code)",
    ["service", "kind", "method", "error_type"],
)
OUTBOX_PENDING = Gauge("aww_outbox_pending_events", "Events committed but not yet published", ["service"])
OUTBOX_LAG = Gauge("aww_outbox_lag_seconds", "Age of the oldest unpublished event", ["service"])
OUTBOX_PUBLISHED = Counter("aww_outbox_published_total", "Events published with a broker confirm", ["service"])
OUTBOX_PUBLISH_FAILURES = Counter(
    "aww_outbox_publish_failures_total", "Relay batches that failed and will be retried", ["service"]
)
OUTBOX_DELAY = Histogram(
    "aww_outbox_commit_to_publish_seconds",
    "Time from an event's commit to its broker confirm",
    ["service"],
    buckets=LATENCY_BUCKETS,
)
EVENTS_DEAD_LETTERED = Counter(
    "aww_events_dead_lettered_total", "Events sent to the dead-letter queue", ["service", "consumer"]
)
EVENTS_DUPLICATES = Counter(
    "aww_events_duplicates_total", "Redelivered events acknowledged without effect", ["service", "consumer"]
)


def entrypoint_kind(entrypoint) -> str:
    if isinstance(entrypoint, Rpc):
        return "rpc"
    if isinstance(entrypoint, EventHandler):
        return "event"
    if isinstance(entrypoint, Timer):
        return "timer"
    return type(entrypoint).__name__.lower()


def error_type(exc: BaseException) -> str:
    code = getattr(exc, "code", None)
    return code if isinstance(code, str) else type(exc).__name__


class WorkerMetrics(DependencyProvider):
    def setup(self):
        self.started: WeakKeyDictionary = WeakKeyDictionary()
        # each entrypoint's labelled series, looked up once: labels() takes a lock and builds a key
        self.series: dict = {}

    def worker_setup(self, worker_ctx):
        self.started[worker_ctx] = time.perf_counter()

    def _series_of(self, entrypoint) -> tuple:
        series = self.series.get(entrypoint)
        if series is None:
            labels = (self.container.service_name, entrypoint_kind(entrypoint), entrypoint.method_name)
            series = (DURATION.labels(*labels), REQUESTS.labels(*labels, "ok"), REQUESTS.labels(*labels, "error"))
            self.series[entrypoint] = series
        return series

    def worker_result(self, worker_ctx, result=None, exc_info=None):
        started = self.started.pop(worker_ctx, None)
        # an event batch counts as the events it settled; a batch handed back to run one by one
        # counts as none, its events count when they are settled alone
        count = getattr(worker_ctx, "settled_events", 1)
        if count == 0:
            return
        duration, succeeded, failed = self._series_of(worker_ctx.entrypoint)
        if started is not None:
            elapsed = time.perf_counter() - started
            for _ in range(count):
                duration.observe(elapsed)
        if exc_info is None:
            succeeded.inc(count)
            return
        failed.inc(count)
        entrypoint = worker_ctx.entrypoint
        service, kind = self.container.service_name, entrypoint_kind(entrypoint)
        ERRORS.labels(service, kind, entrypoint.method_name, error_type(exc_info[1])).inc(count)

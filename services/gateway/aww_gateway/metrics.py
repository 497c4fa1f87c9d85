"""RED metrics of the HTTP side."""

from prometheus_client import Counter, Histogram

BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)

HTTP_REQUESTS = Counter("aww_http_requests_total", "HTTP requests", ["method", "route", "status"])
HTTP_DURATION = Histogram(
    "aww_http_request_duration_seconds", "HTTP request duration", ["method", "route"], buckets=BUCKETS
)
RPC_CALLS = Counter("aww_gateway_rpc_calls_total", "RPC calls from the gateway", ["service", "method", "outcome"])
RPC_DURATION = Histogram(
    "aww_gateway_rpc_duration_seconds", "RPC round trip from the gateway", ["service"], buckets=BUCKETS
)

_children: dict = {}


def child(metric, *labels: str):
    """`metric.labels(*labels)`, looked up once per process: prometheus_client returns the same
    child for the same label values, and its `labels()` (validation, lock) costs more than the
    `inc()` or `observe()` that follows. Every label value comes from a bounded set (HTTP methods,
    route templates, statuses, service and method names)."""
    key = (metric, labels)
    found = _children.get(key)
    if found is None:
        found = _children[key] = metric.labels(*labels)
    return found

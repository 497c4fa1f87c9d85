"""A stopped or frozen service: /readyz says which, calls fail fast or time out, never hang."""

import os
import signal
import time

import httpx
import pytest

pytestmark = pytest.mark.fault


def wait_for(predicate, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def test_stopped_service_is_named_by_readyz_and_fails_fast(isolated_stack):
    client = httpx.Client(base_url=isolated_stack.base_url, timeout=30)
    isolated_stack.stop_process("wallet")
    assert wait_for(lambda: "wallet" in client.get("/readyz").json()["down"])
    readiness = client.get("/readyz")
    assert readiness.status_code == 503
    assert readiness.json()["down"] == ["wallet"]

    started = time.monotonic()
    response = client.get("/api/v1/status/wallet")
    elapsed = time.monotonic() - started
    assert response.status_code == 503
    assert response.json()["code"] == "service_unavailable"
    assert elapsed < 0.5, f"took {elapsed:.2f} s: a stopped service must fail fast"

    isolated_stack.start_service("wallet")
    isolated_stack.wait_service_ready("wallet")
    assert wait_for(lambda: client.get("/readyz").status_code == 200)
    assert client.get("/api/v1/status/wallet").status_code == 200


def test_frozen_service_times_out_with_504(isolated_stack):
    client = httpx.Client(base_url=isolated_stack.base_url, timeout=30)
    process = isolated_stack.processes["reporting"]
    os.killpg(process.pid, signal.SIGSTOP)
    try:
        started = time.monotonic()
        response = client.get("/api/v1/status/reporting")
        elapsed = time.monotonic() - started
        assert response.status_code == 504
        assert response.json()["code"] == "upstream_timeout"
        assert 1.5 < elapsed < 4, elapsed  # the gateway's RPC timeout in this stack is 2 s
    finally:
        os.killpg(process.pid, signal.SIGCONT)
    assert wait_for(lambda: client.get("/api/v1/status/reporting").status_code == 200)

"""No service runs with a psycopg that blocks the eventlet hub (servicekit.psycopg_guard)."""

import os
import subprocess
import sys

import pytest

from servicekit.psycopg_guard import GreenPsycopgRequired
from servicekit.testing.probe import ProducerService


def test_the_runner_refuses_to_start_without_wait_select():
    env = {key: value for key, value in os.environ.items() if key != "PSYCOPG_WAIT_FUNC"}
    started = subprocess.run(
        [sys.executable, "-m", "servicekit.runner", "servicekit.testing.probe:ProducerService"],
        env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert started.returncode == 2
    assert "refusing to start: set PSYCOPG_WAIT_FUNC=wait_select" in started.stderr


def test_a_container_started_another_way_refuses_too(container_factory, probe_databases, monkeypatch):
    monkeypatch.setenv("PSYCOPG_WAIT_FUNC", "wait_c")
    with pytest.raises(GreenPsycopgRequired, match="PSYCOPG_WAIT_FUNC=wait_select must be set"):
        container_factory(ProducerService, probe_databases["producer"])

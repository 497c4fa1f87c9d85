"""Configuration from the environment, with safe defaults for a local run."""

from __future__ import annotations

import os

DEFAULT_AMQP_URI = "amqp://guest:guest@127.0.0.1:5672/aww"


def env(name: str, default: str) -> str:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = env(name, str(default))
    try:
        value = int(raw)
    except ValueError:
        raise SystemExit(f"configuration error: {name} must be an integer, got {raw!r}") from None
    if minimum is not None and value < minimum:
        raise SystemExit(f"configuration error: {name} must be at least {minimum}, got {value}")
    return value


def env_float(name: str, default: float) -> float:
    raw = env(name, str(default))
    try:
        return float(raw)
    except ValueError:
        raise SystemExit(f"configuration error: {name} must be a number, got {raw!r}") from None


def env_prefix(service: str) -> str:
    return service.upper().replace("-", "_")


def database_name(service: str) -> str:
    """Each service owns one database; AWW_DB_PREFIX keeps test runs apart."""
    return env("AWW_DB_PREFIX", "aww_") + service.replace("-", "_")


def database_url(service: str) -> str:
    explicit = os.environ.get(f"{env_prefix(service)}_DATABASE_URL")
    if explicit:
        return explicit
    host = env("PGHOST", "127.0.0.1")
    port = env("PGPORT", "5432")
    user = env("PGUSER", "postgres")
    return f"postgresql+psycopg://{user}@{host}:{port}/{database_name(service)}"


def amqp_uri() -> str:
    return env("AMQP_URI", DEFAULT_AMQP_URI)


def nameko_config(service: str) -> dict:
    """The container config of one service process."""
    return {
        "AMQP_URI": amqp_uri(),
        "DATABASE_URL": database_url(service),
        "max_workers": env_int("MAX_WORKERS", 10, minimum=1),
        "serializer": "json",
        "HEARTBEAT": env_int("AMQP_HEARTBEAT", 60),
        # events handled in one transaction, and how many such batches run at once per handler
        "EVENT_BATCH_SIZE": env_int("EVENT_BATCH_SIZE", 100, minimum=1),
        "EVENT_BATCHES_IN_FLIGHT": env_int("EVENT_BATCHES_IN_FLIGHT", 2, minimum=1),
    }

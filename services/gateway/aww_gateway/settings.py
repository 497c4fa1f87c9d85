"""Gateway configuration from the environment, with safe defaults for a local run."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field

BACKEND_SERVICES = ("identity", "organisation", "wallet", "aml_workflow", "reporting")


def _env(name: str, default: str) -> str:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def _flag(name: str, default: bool) -> bool:
    return _env(name, "1" if default else "0").lower() in ("1", "true", "yes", "on")


@dataclass(frozen=True)
class Settings:
    amqp_uri: str = field(default_factory=lambda: _env("AMQP_URI", "amqp://guest:guest@127.0.0.1:5672/aww"))
    services: tuple[str, ...] = BACKEND_SERVICES
    rpc_timeout: float = field(default_factory=lambda: float(_env("RPC_TIMEOUT_SECONDS", "10")))
    readiness_timeout: float = field(default_factory=lambda: float(_env("READINESS_TIMEOUT_SECONDS", "2")))
    max_body_bytes: int = field(default_factory=lambda: int(_env("MAX_BODY_BYTES", str(1024 * 1024))))
    max_upload_bytes: int = field(default_factory=lambda: int(_env("MAX_UPLOAD_BYTES", str(10 * 1024 * 1024))))
    # signs CSRF tokens; a random one per process is safe but breaks forms across restarts/replicas
    secret_key: str = field(default_factory=lambda: _env("GATEWAY_SECRET_KEY", secrets.token_urlsafe(32)))
    cookie_secure: bool = field(default_factory=lambda: _flag("COOKIE_SECURE", True))
    public_url: str = field(default_factory=lambda: _env("PUBLIC_URL", "http://127.0.0.1:8000"))
    environment: str = field(default_factory=lambda: _env("AWW_ENVIRONMENT", "production"))

    @property
    def development(self) -> bool:
        return self.environment == "development"

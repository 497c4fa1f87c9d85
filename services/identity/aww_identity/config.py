"""Identity's configuration from the environment, with safe defaults for a local run."""

from __future__ import annotations

from functools import cache

from servicekit.config import env, env_int

SESSION_IDLE_SECONDS = env_int("IDENTITY_SESSION_IDLE_MINUTES", 60) * 60
SESSION_ABSOLUTE_SECONDS = env_int("IDENTITY_SESSION_HOURS", 12) * 3600
MAX_FAILED_LOGINS = env_int("IDENTITY_MAX_FAILED_LOGINS", 5)
LOCK_SECONDS = env_int("IDENTITY_LOCK_MINUTES", 15) * 60
ACTIVATION_CODE_HOURS = env_int("IDENTITY_ACTIVATION_CODE_HOURS", 24)
RESET_LINK_HOURS = env_int("IDENTITY_RESET_LINK_HOURS", 1)
CODE_ATTEMPTS = env_int("IDENTITY_CODE_ATTEMPTS", 5)
UNACTIVATED_DAYS = env_int("IDENTITY_UNACTIVATED_DAYS", 7)  # never-activated registrations are deleted after
OIDC_FLOW_SECONDS = 600


def public_url() -> str:
    return env("PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")


def platform_admin_usernames() -> frozenset[str]:
    """The operator's first administrators, by username (IDENTITY_PLATFORM_ADMINS, comma-separated)."""
    return frozenset(u.strip().lower() for u in env("IDENTITY_PLATFORM_ADMINS", "").split(",") if u.strip())


@cache
def trust_store():
    """eID trust anchors: IDENTITY_EID_TRUST_STORE, paths (files or folders of PEM), separated by ':'.
    Production points it at the Belgian root and citizen CA certificates; empty = eID disabled."""
    from aww_identity.domain.eid import TrustStore

    paths = [p for p in env("IDENTITY_EID_TRUST_STORE", "").split(":") if p]
    return TrustStore.from_paths(paths) if paths else TrustStore([])

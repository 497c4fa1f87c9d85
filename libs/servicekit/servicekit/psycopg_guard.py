"""Refuse to run with a psycopg that blocks the eventlet hub.

Measured on this stack (DESIGN.md §5): 10 concurrent pg_sleep(0.5) took 5.1 s with psycopg's
default C wait function and 0.56 s with PSYCOPG_WAIT_FUNC=wait_select. The variable is read when
psycopg is imported, so it must be in the environment before anything imports psycopg.
"""

from __future__ import annotations

import os

REQUIRED_WAIT_FUNC = "wait_select"


class GreenPsycopgRequired(RuntimeError):
    pass


def ensure_green_psycopg() -> None:
    if os.environ.get("PSYCOPG_WAIT_FUNC") != REQUIRED_WAIT_FUNC:
        raise GreenPsycopgRequired(
            f"PSYCOPG_WAIT_FUNC={REQUIRED_WAIT_FUNC} must be set in the environment before the "
            "service starts: psycopg's default wait function blocks every green thread"
        )
    import psycopg.waiting

    if psycopg.waiting.wait is not psycopg.waiting.wait_select:
        raise GreenPsycopgRequired("psycopg was imported before PSYCOPG_WAIT_FUNC was set; it does not use wait_select")

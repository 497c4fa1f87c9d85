"""Start one service without the `nameko` command (2.14.1's imports pkg_resources, gone from
setuptools >= 81).

    python -m servicekit.runner aww_identity.service:IdentityService [--migrate]

Environment: PSYCOPG_WAIT_FUNC=wait_select (required), AMQP_URI, <SERVICE>_DATABASE_URL or
AWW_DB_PREFIX, OPS_PORT (metrics/health/readiness; 0 = off), LOG_LEVEL, MAX_WORKERS,
EVENT_BATCH_SIZE (events per transaction, 100), EVENT_BATCHES_IN_FLIGHT (per handler, 2).
"""

from __future__ import annotations

import os
import sys


def _refuse_without_green_psycopg() -> None:
    if os.environ.get("PSYCOPG_WAIT_FUNC") != "wait_select":
        sys.stderr.write(
            "refusing to start: set PSYCOPG_WAIT_FUNC=wait_select (psycopg's default wait "
            "function blocks every green thread; see DESIGN.md §5)\n"
        )
        raise SystemExit(2)


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    _refuse_without_green_psycopg()
    import eventlet

    eventlet.monkey_patch()

    import argparse
    import importlib
    import logging
    import signal

    from nameko.runners import ServiceRunner

    from servicekit import config, logs, migrations
    from servicekit.heap import freeze_startup_objects
    from servicekit.ops_http import OpsServer
    from servicekit.psycopg_guard import ensure_green_psycopg

    parser = argparse.ArgumentParser(prog="servicekit.runner")
    parser.add_argument("service", help="module:Class of the Nameko service")
    parser.add_argument("--migrate", action="store_true", help="upgrade the service database first")
    args = parser.parse_args(argv)

    ensure_green_psycopg()
    module_name, class_name = args.service.split(":")
    service_cls = getattr(importlib.import_module(module_name), class_name)
    logs.configure(service_cls.name, config.env("LOG_LEVEL", "INFO"))
    log = logging.getLogger("servicekit.runner")

    container_config = config.nameko_config(service_cls.name)
    if args.migrate:
        migrations.upgrade(module_name.split(".")[0], container_config["DATABASE_URL"])
        log.info("database migrated")

    runner = ServiceRunner(container_config)
    runner.add_service(service_cls)
    container = next(iter(runner.containers))

    def readiness() -> dict:
        from servicekit.database import Database

        checks = {}
        for provider in container.dependencies:
            if isinstance(provider, Database):
                try:
                    provider.ping()
                    checks["database"] = True
                except Exception as exc:
                    checks["database"] = f"unreachable: {type(exc).__name__}"
        return checks

    ops_port = config.env_int("OPS_PORT", 0)
    ops = OpsServer(service_cls.name, ops_port, readiness)
    if ops_port:
        ops.serve()

    def shut_down(signum, frame):
        log.info("stopping on signal %s", signum)
        eventlet.spawn_n(runner.stop)

    signal.signal(signal.SIGTERM, shut_down)
    signal.signal(signal.SIGINT, shut_down)

    runner.start()
    freeze_startup_objects()
    ops.started = True
    log.info("service started", extra={"ops_port": ops_port})
    try:
        runner.wait()
    except Exception:
        log.exception("service crashed")
        runner.kill()
        raise SystemExit(1) from None


if __name__ == "__main__":
    main()

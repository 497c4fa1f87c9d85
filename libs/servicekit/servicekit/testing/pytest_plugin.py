"""pytest plugin for service tests against the real broker and database.

Load it with `-p servicekit.testing.pytest_plugin`: it monkey-patches eventlet before the test
modules import anything, gives each test run (and each xdist worker) its own RabbitMQ vhost and
its own databases, and starts Nameko containers that are killed after each test.
"""

from __future__ import annotations

import os

import pytest


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(early_config, parser, args):
    os.environ.setdefault("PSYCOPG_WAIT_FUNC", "wait_select")
    import warnings

    warnings.filterwarnings("ignore", message="Eventlet is deprecated")
    import eventlet

    eventlet.monkey_patch()
    # Hypothesis's pytest plugin imports hypothesis lazily in its end-of-run summary; pytest then
    # rewrites (ast-parses) those modules while Nameko/tpool threads still run, and CPython
    # 3.11.7's AST recursion counter is not thread-safe (cpython#106905): the run crashed with
    # "AST constructor recursion depth mismatch" after every test had passed. Import it now,
    # while this is the only thread.
    import hypothesis  # noqa: F401


def _worker_suffix(request) -> str:
    worker = getattr(request.config, "workerinput", {}).get("workerid", "gw")
    return worker


@pytest.fixture(scope="session")
def run_id(request):
    from servicekit.testing.infra import new_run_id

    return f"{new_run_id()}{_worker_suffix(request)}"


@pytest.fixture(scope="session")
def amqp_uri(run_id):
    from servicekit.testing.infra import create_vhost, delete_vhost

    vhost = f"awwt-{run_id}"
    uri = create_vhost(vhost)
    yield uri
    delete_vhost(vhost)


@pytest.fixture(scope="session")
def service_database(run_id):
    """service_database("aww_identity") → URL of a migrated database private to this run."""
    from servicekit import migrations
    from servicekit.testing.infra import create_database, drop_database

    made: dict[str, str] = {}

    def make(package: str, *, migrate: bool = True) -> str:
        if package not in made:
            name = f"awwt_{run_id}_{package}"
            url = create_database(name)
            if migrate:
                migrations.upgrade(package, url)
            made[package] = url
        return made[package]

    yield make
    for package in made:
        drop_database(f"awwt_{run_id}_{package}")


@pytest.fixture
def container_factory(amqp_uri):
    """container_factory(ServiceClass, database_url, **extra_config) → a started container."""
    from nameko.containers import ServiceContainer

    containers = []

    def make(service_cls, database_url: str | None = None, **extra):
        config = {"AMQP_URI": amqp_uri, "serializer": "json", "max_workers": 10, **extra}
        if database_url:
            config["DATABASE_URL"] = database_url
        container = ServiceContainer(service_cls, config)
        containers.append(container)
        container.start()
        return container

    yield make
    for container in reversed(containers):
        container.kill()


@pytest.fixture
def rpc_proxy(amqp_uri):
    """rpc_proxy("identity") → a standalone ClusterRpcProxy-style caller for one service."""
    from nameko.standalone.rpc import ClusterRpcProxy

    proxies = {}

    def make(service: str, context_data: dict | None = None, timeout: float = 10):
        key = (repr(sorted((context_data or {}).items())), timeout)
        if key not in proxies:
            proxy = ClusterRpcProxy({"AMQP_URI": amqp_uri}, context_data=context_data, timeout=timeout)
            proxies[key] = (proxy, proxy.start())
        return getattr(proxies[key][1], service)

    yield make
    for proxy, _ in proxies.values():
        proxy.stop()

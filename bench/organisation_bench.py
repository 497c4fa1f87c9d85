"""Authorization checks as the AML workflow makes them, two ways (contracts/SERVICES.md):

1. the `organisation_access` read model (servicekit.access.require_tool_role): one indexed read in
   the worker's own database session, here inside a Nameko worker of a probe service that holds
   the table (as aml-workflow does);
2. the organisation service's `authorize` RPC, called from another Nameko worker over RabbitMQ.

Prints checks per second and latency percentiles for 1 and 10 concurrent callers. Standalone:
    .venv/bin/python bench/organisation_bench.py
It creates a private vhost and databases and drops them afterwards.
"""

from __future__ import annotations

import os

os.environ.setdefault("PSYCOPG_WAIT_FUNC", "wait_select")
import warnings

warnings.filterwarnings("ignore")
import eventlet  # noqa: E402

eventlet.monkey_patch()

import statistics  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402

from nameko.containers import ServiceContainer  # noqa: E402
from nameko.rpc import RpcProxy  # noqa: E402
from nameko.standalone.rpc import ClusterRpcProxy  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402

from aww_organisation.service import OrganisationService  # noqa: E402
from servicekit import access, migrations  # noqa: E402
from servicekit.context import Principal  # noqa: E402
from servicekit.entrypoints import rpc  # noqa: E402
from servicekit.outbox import create_tables  # noqa: E402
from servicekit.service import ServiceBase  # noqa: E402
from servicekit.testing.infra import create_database, create_vhost, delete_vhost, drop_database, new_run_id  # noqa: E402

MEMBERS = 2000
CHECKS = int(os.environ.get("BENCH_CHECKS", "3000"))


class AccessProbe(access.AccessReadModel, ServiceBase):
    """What aml-workflow does per request, measured inside its worker."""

    name = "access_probe"
    organisation = RpcProxy("organisation")

    @rpc
    def read_model_checks(self, organisation_id, account_ids, count):
        latencies = []
        for i in range(count):
            principal = Principal(account_ids[i % len(account_ids)], organisation_id=organisation_id)
            started = time.perf_counter()
            access.require_tool_role(self.db, principal, "aml")
            latencies.append(time.perf_counter() - started)
        return latencies

    @rpc
    def rpc_checks(self, organisation_id, account_ids, count):
        latencies = []
        for i in range(count):
            started = time.perf_counter()
            decision = self.organisation.authorize(
                account_id=account_ids[i % len(account_ids)], organisation_id=organisation_id, tool="aml", action="use"
            )
            latencies.append(time.perf_counter() - started)
            assert decision["allowed"], decision
        return latencies


def seed(org_url: str, probe_url: str) -> tuple[str, list[str]]:
    """One office with MEMBERS users of the AML tool, in the organisation database (as the service
    would have written it) and in the probe's read model."""
    organisation_id = str(uuid.uuid4())
    accounts = [str(uuid.uuid4()) for _ in range(MEMBERS)]
    org = create_engine(org_url)
    with org.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO organisations (id, enterprise_number, name, street, postcode, city, country, vat_liable, "
                "created_by, created_at, updated_at) VALUES (:id, '0403019261', 'Bench', 'Meir 1', '2000', "
                "'Antwerpen', 'BE', true, :id, now(), now())"
            ),
            {"id": organisation_id},
        )
        conn.execute(
            text("INSERT INTO allow_list VALUES ('aml', '0403019261', null, :id, now())"), {"id": organisation_id}
        )
        conn.execute(text("INSERT INTO tool_registrations VALUES (:o, 'aml', :o, now())"), {"o": organisation_id})
        for account_id in accounts:
            conn.execute(
                text(
                    "INSERT INTO accounts (account_id, first_name, last_name, eid_linked, accreditations) "
                    'VALUES (:a, \'Bench\', \'User\', true, \'[{"kind": "biv", "number": "1"}]\')'
                ),
                {"a": account_id},
            )
            conn.execute(
                text(
                    "INSERT INTO memberships (organisation_id, account_id, status, admin, requested_at) "
                    "VALUES (:o, :a, 'confirmed', false, now())"
                ),
                {"o": organisation_id, "a": account_id},
            )
            conn.execute(
                text("INSERT INTO tool_roles VALUES (:o, :a, 'aml', 'user', null, now())"),
                {"o": organisation_id, "a": account_id},
            )
    org.dispose()
    probe = create_engine(probe_url)
    with probe.begin() as conn:
        for version, account_id in enumerate(accounts, start=1):
            access.apply_access_changed(
                conn,
                {
                    "organisation_id": organisation_id,
                    "account_id": account_id,
                    "membership_status": "confirmed",
                    "admin": False,
                    "tools": {"aml": "user"},
                    "display_name": "Bench User",
                    "version": version,
                },
            )
    probe.dispose()
    return organisation_id, accounts


def report(label: str, latencies: list[float], elapsed: float) -> None:
    ordered = sorted(latencies)
    p = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000  # noqa: E731
    print(
        f"{label:<48} {len(latencies) / elapsed:>8.0f} checks/s   "
        f"p50 {p(0.50):6.2f} ms   p99 {p(0.99):6.2f} ms   mean {statistics.mean(latencies) * 1000:6.2f} ms",
        flush=True,
    )


def run(proxy, method: str, organisation_id: str, accounts: list[str], callers: int) -> None:
    per_caller = CHECKS // callers
    started = time.perf_counter()
    # each caller is its own worker of the probe service; replies are collected afterwards
    pending = [
        getattr(proxy.access_probe, method).call_async(organisation_id, accounts[i::callers], per_caller)
        for i in range(callers)
    ]
    results = [reply.result() for reply in pending]
    elapsed = time.perf_counter() - started
    label = {"read_model_checks": "read model (servicekit.access), in the worker", "rpc_checks": "authorize RPC"}
    report(f"{label[method]}, {callers} concurrent", [x for chunk in results for x in chunk], elapsed)


def main() -> None:
    run_id = new_run_id()
    vhost = f"awwb-{run_id}"
    amqp = create_vhost(vhost)
    org_db, probe_db = f"awwb_{run_id}_organisation", f"awwb_{run_id}_probe"
    org_url, probe_url = create_database(org_db), create_database(probe_db)
    containers = []
    try:
        migrations.upgrade("aww_organisation", org_url)
        engine = create_engine(probe_url)
        create_tables(engine)
        access.create_tables(engine)
        engine.dispose()
        organisation_id, accounts = seed(org_url, probe_url)
        for cls, url in ((OrganisationService, org_url), (AccessProbe, probe_url)):
            container = ServiceContainer(
                cls, {"AMQP_URI": amqp, "DATABASE_URL": url, "serializer": "json", "max_workers": 10, "SMTP_PORT": "1"}
            )
            container.start()
            containers.append(container)
        print(f"{MEMBERS} members, {CHECKS} checks per run, 2 cores; PostgreSQL and RabbitMQ on this machine")
        with ClusterRpcProxy({"AMQP_URI": amqp}, timeout=120) as proxy:
            proxy.access_probe.read_model_checks(organisation_id, accounts[:10], 50)  # warm up
            proxy.access_probe.rpc_checks(organisation_id, accounts[:10], 50)
            if os.environ.get("BENCH_DIAG"):
                for name, call in (
                    ("ping", lambda: proxy.organisation.ping()),
                    (
                        "authorize",
                        lambda: proxy.organisation.authorize(
                            account_id=accounts[0], organisation_id=organisation_id, tool="aml", action="use"
                        ),
                    ),
                ):
                    t = time.perf_counter()
                    for _ in range(100):
                        call()
                    print(name, (time.perf_counter() - t) * 10, "ms each")
            for method in ("read_model_checks", "rpc_checks"):
                for callers in (1, 10):
                    run(proxy, method, organisation_id, accounts, callers)
    finally:
        for container in containers:
            container.kill()
        drop_database(org_db)
        drop_database(probe_db)
        delete_vhost(vhost)


if __name__ == "__main__":
    main()

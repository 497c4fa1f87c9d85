"""The whole platform as local processes: fakes, the five services and the gateway.

Used by `make run` (aww_devtools.run), by the end-to-end and browser tests and by the benchmarks,
so all three exercise the same start-up path a deployment uses (servicekit.runner --migrate,
python -m aww_gateway).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import psycopg

from aww_devtools import fakes as fakes_module
from servicekit.testing.infra import PG_ADMIN_DSN, free_port, rabbitmqctl


@dataclass(frozen=True)
class ServiceSpec:
    name: str  # the Nameko service name
    package: str
    entry: str  # module:Class


SERVICES = (
    ServiceSpec("identity", "aww_identity", "aww_identity.service:IdentityService"),
    ServiceSpec("organisation", "aww_organisation", "aww_organisation.service:OrganisationService"),
    ServiceSpec("wallet", "aww_wallet", "aww_wallet.service:WalletService"),
    ServiceSpec("aml_workflow", "aww_aml_workflow", "aww_aml_workflow.service:AmlWorkflowService"),
    ServiceSpec("reporting", "aww_reporting", "aww_reporting.service:ReportingService"),
)


def ensure_vhost(vhost: str) -> None:
    listed = subprocess.run(["rabbitmqctl", "-q", "list_vhosts"], capture_output=True, text=True, timeout=60)
    if vhost not in listed.stdout.split():
        rabbitmqctl("add_vhost", vhost)
    rabbitmqctl("set_permissions", "-p", vhost, "guest", ".*", ".*", ".*")


def ensure_databases(prefix: str) -> None:
    with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as conn:
        existing = {row[0] for row in conn.execute("SELECT datname FROM pg_database")}
        for spec in SERVICES:
            name = prefix + spec.name
            if name not in existing:
                conn.execute(f'CREATE DATABASE "{name}"')


@contextlib.contextmanager
def signals_held(*signums: int):
    """Signals that arrive inside the block are handled when it ends, so the block runs whole.

    Spawning a process and registering it must not be cut in two by Ctrl-C: a KeyboardInterrupt
    while Popen waits for the child's exec leaves a child that no one knows of, so no one stops
    it. Only the main thread can change signal handlers; elsewhere the block runs as is."""
    arrived: list[int] = []
    previous: dict[int, object] = {}
    try:
        for signum in signums:
            previous[signum] = signal.signal(signum, lambda signum, frame: arrived.append(signum))
    except ValueError:  # not the main thread (threading.main_thread() cannot tell under eventlet)
        pass
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        for signum in arrived:
            handler = previous[signum]
            if callable(handler):
                handler(signum, None)
            elif handler == signal.SIG_DFL:
                signal.raise_signal(signum)


class Stack:
    def __init__(
        self,
        var_dir: Path,
        *,
        db_prefix: str = "aww_",
        vhost: str = "aww",
        port: int = 8000,
        ops_ports: dict[str, int] | None = None,
        environment: str = "development",
        extra_env: dict[str, str] | None = None,
        gateway_workers: int = 1,
    ) -> None:
        self.var_dir = Path(var_dir)
        self.log_dir = self.var_dir / "log"
        self.db_prefix = db_prefix
        self.vhost = vhost
        self.port = port
        self.ops_ports = ops_ports or {spec.name: free_port() for spec in SERVICES}
        self.environment = environment
        self.extra_env = extra_env or {}
        self.gateway_workers = gateway_workers
        self.processes: dict[str, subprocess.Popen] = {}
        self.fake_ports: dict[str, int] = {}
        self.fakes = fakes_module.discover()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def amqp_uri(self) -> str:
        return f"amqp://guest:guest@127.0.0.1:5672/{self.vhost}"

    def _secret(self) -> str:
        path = self.var_dir / "gateway-secret"
        if not path.exists():
            path.write_text(secrets.token_urlsafe(32))
        return path.read_text().strip()

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            {
                "PSYCOPG_WAIT_FUNC": "wait_select",
                "AMQP_URI": self.amqp_uri,
                "AWW_DB_PREFIX": self.db_prefix,
                "AWW_ENVIRONMENT": self.environment,
                "AWW_VAR_DIR": str(self.var_dir),
                "PUBLIC_URL": self.base_url,
                "COOKIE_SECURE": "0" if self.environment == "development" else "1",
                "GATEWAY_SECRET_KEY": self._secret(),
                "PYTHONUNBUFFERED": "1",
                # reporting validates goAML files against the schema the office configures; locally the UNODC one
                "GOAML_XSD_PATH": os.environ.get("GOAML_XSD_PATH")
                or str(Path(__file__).resolve().parents[2].parent / "shared" / "specs" / "goaml" / "goAMLSchema.xsd"),
            }
        )
        for fake in self.fakes:
            env.update(fake.service_env(self.fake_ports[fake.name], str(self.var_dir)))
        env.update(self.extra_env)
        return env

    def _spawn(self, name: str, argv: list[str], env: dict[str, str]) -> subprocess.Popen:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        with open(self.log_dir / f"{name}.log", "ab") as log, signals_held(signal.SIGINT, signal.SIGTERM):
            process = subprocess.Popen(
                [sys.executable, *argv], env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
            self.processes[name] = process
        return process

    # ---- start -----------------------------------------------------------------------------

    def prepare(self) -> None:
        self.var_dir.mkdir(parents=True, exist_ok=True)
        ensure_vhost(self.vhost)
        ensure_databases(self.db_prefix)

    def start(self, timeout: float = 120.0) -> None:
        self.prepare()
        for fake in self.fakes:
            self.fake_ports[fake.name] = free_port()
        for fake in self.fakes:
            argv = [part.format(port=self.fake_ports[fake.name], var=self.var_dir) for part in fake.argv]
            self._spawn(f"fake-{fake.name}", argv, self.env())
        for fake in self.fakes:
            if fake.health_path:
                self._wait_http(
                    f"http://127.0.0.1:{self.fake_ports[fake.name]}{fake.health_path}", 30, f"fake-{fake.name}"
                )
        for spec in SERVICES:
            self.start_service(spec.name)
        self.start_gateway()
        self.wait_ready(timeout)

    def start_service(self, name: str) -> None:
        spec = next(s for s in SERVICES if s.name == name)
        env = self.env() | {"OPS_PORT": str(self.ops_ports[name])}
        self._spawn(name, ["-m", "servicekit.runner", spec.entry, "--migrate"], env)

    def start_gateway(self) -> None:
        env = self.env() | {"PORT": str(self.port), "WEB_CONCURRENCY": str(self.gateway_workers)}
        self._spawn("gateway", ["-m", "aww_gateway"], env)

    def _wait_http(self, url: str, timeout: float, name: str, expect: int = 200) -> None:
        deadline = time.monotonic() + timeout
        last = "no answer"
        while time.monotonic() < deadline:
            self._check_alive()
            try:
                response = httpx.get(url, timeout=2)
                if response.status_code == expect:
                    return
                last = f"{response.status_code} {response.text[:300]}"
            except httpx.HTTPError as exc:
                last = str(exc)
            time.sleep(0.2)
        raise RuntimeError(f"{name} not ready after {timeout:.0f} s: {last}\n{self.tail_logs()}")

    def wait_ready(self, timeout: float = 120.0) -> None:
        self._wait_http(f"{self.base_url}/readyz", timeout, "the platform")

    def wait_service_ready(self, name: str, timeout: float = 60.0) -> None:
        self._wait_http(f"http://127.0.0.1:{self.ops_ports[name]}/readyz", timeout, name)

    def _check_alive(self) -> None:
        for name, process in self.processes.items():
            if process.poll() is not None and not getattr(process, "stopped_on_purpose", False):
                raise RuntimeError(f"{name} exited with code {process.returncode}\n{self.tail_logs(name)}")

    def tail_logs(self, only: str | None = None, lines: int = 25) -> str:
        out = []
        for path in sorted(self.log_dir.glob("*.log")):
            if only and path.stem != only:
                continue
            text = path.read_text(errors="replace").splitlines()[-lines:]
            out.append(f"--- {path.name}\n" + "\n".join(text))
        return "\n".join(out)

    # ---- stop ------------------------------------------------------------------------------

    def stop_process(self, name: str, sig: int = signal.SIGTERM, timeout: float = 15.0) -> None:
        self.stop_processes([name], sig, timeout)

    def stop_processes(self, names: list[str], sig: int = signal.SIGTERM, timeout: float = 15.0) -> None:
        """Signal them all, then wait for them side by side; what is still running after `timeout`
        is killed."""
        signalled = []
        for name in names:
            process = self.processes.get(name)
            if process is None or process.poll() is not None:
                continue
            process.stopped_on_purpose = True
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, sig)
                signalled.append(process)
        deadline = time.monotonic() + timeout
        for process in signalled:
            try:
                process.wait(max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(5)

    def stop(self) -> None:
        """The gateway first (no new requests), then the services side by side (a Nameko service
        takes 2–3 s to stop gracefully: one after the other, a stack took 13 s), the fakes last."""
        self.stop_process("gateway")
        self.stop_processes([spec.name for spec in SERVICES])
        self.stop_processes([f"fake-{fake.name}" for fake in self.fakes])


@contextlib.contextmanager
def temporary_stack(var_dir: Path, *, gateway_workers: int = 1, **extra_env: str):
    """A whole platform on a private vhost, private databases and a free port, removed afterwards."""
    from servicekit.testing.infra import delete_vhost, drop_databases_with_prefix, new_run_id

    run = new_run_id()
    stack = Stack(
        Path(var_dir) / f"stack-{run}",
        db_prefix=f"awwt_{run}_",
        vhost=f"awwt-{run}",
        port=free_port(),
        environment="development",
        extra_env={"OUTBOX_SWEEP_SECONDS": "0.5", **extra_env},
        gateway_workers=gateway_workers,
    )
    try:
        stack.start()
        yield stack
    finally:
        stack.stop()
        drop_databases_with_prefix(stack.db_prefix)
        delete_vhost(stack.vhost)

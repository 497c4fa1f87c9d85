"""Wallet figures (issue 5): charges per second on one hot wallet and across 100 wallets, with p99
and an anomaly count, next to pgbench's single-row UPDATE throughput on the same PostgreSQL in the
same run; and bank-statement import speed for a generated 10,000-entry camt.053 file.

The wallet runs as its own process (servicekit.runner, as deployed) on a private vhost and
database; this process calls its RPCs as other services do (nameko.principal of a member), each
caller in a closed loop on its own RPC proxy. Receipts are queued in the wallet's database as usual
but not rendered during the run (no reporting service; WALLET_DOCUMENT_SWEEP_SECONDS=3600), so the
figures are the money path alone.

Anomalies counted after each run: a charge answered twice with different ids, a settled count or a
balance that differs from what the answers say, any reconciliation failure (ledger sum, unbalanced
entries, wallet vs postings, negative balances, revenue vs sales …), any error but
insufficient_funds.

    .venv/bin/python bench/wallet_bench.py   # BENCH_CHARGES=2000 BENCH_CALLERS=10 BENCH_ROUNDS=2 BENCH_ENTRIES=10000

The machine is shared: each round prints the load average before it, so noisy rounds show.
"""

from __future__ import annotations

import os

os.environ.setdefault("PSYCOPG_WAIT_FUNC", "wait_select")
import warnings

warnings.filterwarnings("ignore")
import eventlet  # noqa: E402

eventlet.monkey_patch()

import base64  # noqa: E402
import re  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402
from pathlib import Path  # noqa: E402

import httpx  # noqa: E402
from nameko.exceptions import RemoteError  # noqa: E402
from nameko.standalone.rpc import ClusterRpcProxy  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "services" / "wallet" / "tests"))
from wallet_helpers import camt053, context  # noqa: E402

from aww_devtools.stack import free_port  # noqa: E402
from aww_wallet import store  # noqa: E402
from aww_wallet.domain.statements import parse_statement  # noqa: E402
from servicekit import access  # noqa: E402
from servicekit.testing.infra import create_database, create_vhost, delete_vhost, drop_database, new_run_id  # noqa: E402

PRODUCT = "aml_transaction_assessment"
PRICE = 2299
CHARGES = int(os.environ.get("BENCH_CHARGES", "2000"))
CALLERS = int(os.environ.get("BENCH_CALLERS", "10"))
ENTRIES = int(os.environ.get("BENCH_ENTRIES", "10000"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "2"))
WALLETS = 100


def ms(seconds: float) -> float:
    return round(seconds * 1000, 2)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


# ---- pgbench: the database's own limit for one hot row ------------------------------------------


def pgbench(database: str, rows: int, clients: int, seconds: int = 8) -> dict:
    base = ["-h", "127.0.0.1", "-U", "postgres", database]
    psql = ["psql", "-q", "-h", "127.0.0.1", "-U", "postgres", "-d", database, "-c"]
    subprocess.run(
        [
            *psql,
            f"DROP TABLE IF EXISTS hot; CREATE TABLE hot (id int PRIMARY KEY, n bigint NOT NULL DEFAULT 0); "
            f"INSERT INTO hot (id) SELECT generate_series(1, {rows})",
        ],
        check=True,
        capture_output=True,
    )
    with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as script:
        script.write(f"\\set id random(1, {rows})\nUPDATE hot SET n = n + 1 WHERE id = :id;\n")
    out = subprocess.run(
        ["pgbench", "-n", "-f", script.name, "-c", str(clients), "-j", "2", "-T", str(seconds), "-r", *base],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    os.unlink(script.name)
    tps = float(re.search(r"tps = ([\d.]+)", out).group(1))
    latency = float(re.search(r"latency average = ([\d.]+) ms", out).group(1))
    return {"rows": rows, "clients": clients, "tps": round(tps), "latency_avg_ms": latency}


# ---- the wallet as a process ----------------------------------------------------------------------


def start_wallet(amqp: str, url: str, ops_port: int, log_path: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "PSYCOPG_WAIT_FUNC": "wait_select",
        "AMQP_URI": amqp,
        "WALLET_DATABASE_URL": url,
        "OPS_PORT": str(ops_port),
        "WALLET_DOCUMENT_SWEEP_SECONDS": "3600",
        "LOG_LEVEL": "WARNING",
    }
    log = open(log_path, "ab")  # noqa: SIM115 - the child writes to it until it exits
    process = subprocess.Popen(
        [sys.executable, "-m", "servicekit.runner", "aww_wallet.service:WalletService", "--migrate"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the wallet exited: {log_path.read_text()[-2000:]}")
        try:
            if httpx.get(f"http://127.0.0.1:{ops_port}/readyz", timeout=2).status_code == 200:
                return process
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError("the wallet did not become ready")


def members(url: str, account_id: str, organisations: list[str]) -> None:
    """What organisation.access_changed would write: the bench account uses the AML tool in each."""
    engine = create_engine(url)
    with engine.begin() as conn:
        for version, organisation_id in enumerate(organisations, start=1):
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
    engine.dispose()


def ogms(amqp: str, account_id: str, organisations: list[str]) -> dict[str, str]:
    found = {}
    for organisation_id in organisations:
        with ClusterRpcProxy({"AMQP_URI": amqp}, context_data=context(account_id, organisation_id)) as proxy:
            communication = proxy.wallet.get_wallet()["bank_transfer"]["communication"]
        found[organisation_id] = re.sub(r"\D", "", communication)
    return found


def import_file(amqp: str, content: bytes, name: str) -> tuple[dict, float]:
    admin = context(str(uuid.uuid4()), None, platform_admin=True)
    with ClusterRpcProxy({"AMQP_URI": amqp}, context_data=admin, timeout=900) as proxy:
        started = time.perf_counter()
        result = proxy.wallet.import_statement(filename=name, content_b64=base64.b64encode(content).decode())
        return result, time.perf_counter() - started


def fund(amqp: str, wallet_ogms: dict[str, str], cents_each: dict[str, int]) -> None:
    entries = []
    for organisation_id, cents in cents_each.items():
        while cents > 0:
            chunk = min(cents, 500_000)
            entries.append((wallet_ogms[organisation_id], chunk, "EUR", "CRDT"))
            cents -= chunk
    result, _ = import_file(amqp, camt053(entries), "bench-funding.xml")
    assert result["booked"] == len(entries), result


# ---- charges ------------------------------------------------------------------------------------


def run_charges(amqp: str, account_id: str, targets: list[str], label: str) -> dict:
    """CHARGES charges, CALLERS closed-loop callers; charge i goes to targets[i % len(targets)]."""
    latencies: list[float] = []
    answers: dict[str, dict] = {}
    errors: dict[str, int] = {}
    run = uuid.uuid4().hex[:8]

    def caller(index: int) -> None:
        with ClusterRpcProxy({"AMQP_URI": amqp}, context_data=context(account_id, None), timeout=60) as proxy:
            for i in range(index, CHARGES, CALLERS):
                key = f"bench-{run}-{i}"
                started = time.perf_counter()
                try:
                    answers[key] = proxy.wallet.charge(
                        organisation_id=targets[i % len(targets)],
                        product=PRODUCT,
                        reference=f"BENCH-{i}",
                        idempotency_key=key,
                    )
                except RemoteError as exc:
                    code = "insufficient_funds" if "lacks" in (exc.value or "") else f"{exc.exc_type}: {exc.value}"[:80]
                    errors[code] = errors.get(code, 0) + 1
                latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    pool = eventlet.GreenPool(CALLERS)
    for index in range(CALLERS):
        pool.spawn(caller, index)
    pool.waitall()
    elapsed = time.perf_counter() - started
    return {
        "run": label,
        "charges": CHARGES,
        "callers": CALLERS,
        "per_s": round(len(latencies) / elapsed),
        "p50_ms": ms(pct(latencies, 0.50)),
        "p99_ms": ms(pct(latencies, 0.99)),
        "settled": len(answers),
        "errors": errors,
        "_answers": answers,
        "_run": run,
    }


def anomalies(url: str, amqp: str, account_id: str, result: dict, funded: dict[str, int]) -> list[str]:
    found = []
    answers, run = result.pop("_answers"), result.pop("_run")
    if len({a["charge_id"] for a in answers.values()}) != len(answers):
        found.append("a charge id answered twice")
    if any(a["status"] != "settled" or a["amount_cents"] != PRICE for a in answers.values()):
        found.append("a charge answered with another status or amount")
    if set(result["errors"]) - {"insufficient_funds"}:
        found.append(f"unexpected errors {result['errors']}")
    # replaying a sample of keys must answer the same charge
    with ClusterRpcProxy({"AMQP_URI": amqp}, context_data=context(account_id, None)) as proxy:
        for key, answer in list(answers.items())[:: max(len(answers) // 20, 1)]:
            again = proxy.wallet.charge(
                organisation_id=answer_org(url, answer["charge_id"]),
                product=PRODUCT,
                reference=answer["reference"],
                idempotency_key=key,
            )
            if again["charge_id"] != answer["charge_id"]:
                found.append(f"replay of {key} answered another charge")
    engine = create_engine(url)
    with Session(engine) as session:
        check = store.reconciliation(session)
        if not check["ok"]:
            found.append(f"reconciliation: {check['failures']}")
        for organisation_id, cents in funded.items():
            settled = session.execute(
                text("SELECT count(*) FROM charges WHERE organisation_id = :o AND status = 'settled'"),
                {"o": organisation_id},
            ).scalar_one()
            balance = session.execute(
                text("SELECT balance_cents FROM wallets WHERE organisation_id = :o"), {"o": organisation_id}
            ).scalar_one()
            if balance != cents - settled * PRICE or balance < 0:
                found.append(f"wallet {organisation_id[:8]}: balance {balance}, {settled} settled of {cents}")
        total = session.execute(
            text("SELECT count(*) FROM charges WHERE idempotency_key LIKE :k AND status = 'settled'"),
            {"k": f"bench-{run}-%"},
        ).scalar_one()
        if total != len(answers):
            found.append(f"{total} settled in the database, {len(answers)} answered")
    engine.dispose()
    return found


_ORG_OF: dict[str, str] = {}


def answer_org(url: str, charge_id: str) -> str:
    if charge_id not in _ORG_OF:
        engine = create_engine(url)
        with engine.connect() as conn:
            _ORG_OF[charge_id] = str(
                conn.execute(
                    text("SELECT organisation_id FROM charges WHERE charge_id = :c"), {"c": charge_id}
                ).scalar_one()
            )
        engine.dispose()
    return _ORG_OF[charge_id]


# ---- statement import -----------------------------------------------------------------------------


def statement_entries(wallet_ogms: dict[str, str], count: int) -> list[tuple]:
    """9 in 10 credits with a wallet's communication (booked), the rest half unmatched credits
    (review queue) and half debits (ignored)."""
    codes = list(wallet_ogms.values())
    entries = []
    for i in range(count):
        if i % 10 == 9:
            entries.append((None, 1_000 + i, "EUR", "CRDT" if i % 20 == 9 else "DBIT"))
        else:
            entries.append((codes[i % len(codes)], 5_000 + i % 1000, "EUR", "CRDT"))
    return entries


def main() -> None:
    run_id = new_run_id()
    vhost = f"awwb-{run_id}"
    amqp = create_vhost(vhost)
    db_name = f"awwb_{run_id}_wallet"
    url = create_database(db_name)
    log_path = Path(tempfile.gettempdir()) / f"wallet-bench-{run_id}.log"
    process = None
    try:
        process = start_wallet(amqp, url, free_port(), log_path)
        account_id = str(uuid.uuid4())
        print(f"wallet charges: {CHARGES} per run, {CALLERS} concurrent callers over RPC, 2 shared cores;", flush=True)
        print("PostgreSQL and RabbitMQ on this machine; pgbench in the same run, on the same server", flush=True)
        rows = []
        for round_ in range(1, ROUNDS + 1):
            # fresh wallets each round: the hot one holds money for 90 % of the charges (the last
            # tenth meets an empty wallet), each of the 100 others for all its charges and two more
            hot = str(uuid.uuid4())
            spread = [str(uuid.uuid4()) for _ in range(WALLETS)]
            members(url, account_id, [hot, *spread])
            wallet_ogms = ogms(amqp, account_id, [hot, *spread])
            funded = {hot: (CHARGES * 9 // 10) * PRICE}
            funded |= {org: (CHARGES // WALLETS + 2) * PRICE for org in spread}
            fund(amqp, wallet_ogms, funded)
            load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
            print(f"\nround {round_} (load average before: {load})", flush=True)
            for label, targets, accounts in (
                ("one hot wallet", [hot], {hot: funded[hot]}),
                (f"{WALLETS} wallets", spread, {org: funded[org] for org in spread}),
            ):
                result = run_charges(amqp, account_id, targets, label)
                found = anomalies(url, amqp, account_id, result, accounts)
                result["anomalies"] = len(found)
                rows.append(result)
                print(
                    f"{label:<16} {result['per_s']:>5} charges/s   p50 {result['p50_ms']:7.2f} ms   "
                    f"p99 {result['p99_ms']:7.2f} ms   settled {result['settled']}   refused {result['errors']}   "
                    f"anomalies {len(found)} {found[:3] if found else ''}",
                    flush=True,
                )

        print("\npgbench, UPDATE of one row (random among N rows), -c clients, 8 s each:", flush=True)
        for rows_, clients in ((1, 1), (1, CALLERS), (WALLETS, CALLERS)):
            figures = pgbench(db_name, rows_, clients)
            print(
                f"  {rows_:>3} row(s), {clients:>2} clients: {figures['tps']:>6} updates/s  "
                f"(latency avg {figures['latency_avg_ms']} ms)",
                flush=True,
            )
            if (rows_, clients) == (1, CALLERS):
                hot_limit = figures["tps"]
        print(
            f"  one hot wallet reaches {max(r['per_s'] for r in rows if r['run'] == 'one hot wallet') / hot_limit:.1%} "
            "of the database's single-row update rate (best round)",
            flush=True,
        )

        print(f"\nstatement import: generated camt.053 with {ENTRIES} entries", flush=True)
        content = camt053(statement_entries(wallet_ogms, ENTRIES), statement_id=f"BENCH-{run_id}")
        started = time.perf_counter()
        parsed = parse_statement(content, "bench.xml")
        parse_seconds = time.perf_counter() - started
        result, seconds = import_file(amqp, content, "bench-10000.xml")
        again, seconds_again = import_file(amqp, content, "bench-10000.xml")
        engine = create_engine(url)
        with Session(engine) as session:
            check = store.reconciliation(session)
        engine.dispose()
        print(
            f"  {len(content) / 1e6:.1f} MB; parse alone {parse_seconds:.2f} s "
            f"({len(parsed.entries) / parse_seconds:,.0f} entries/s)\n"
            f"  import over RPC {seconds:.1f} s = {ENTRIES / seconds:,.0f} entries/s "
            f"(booked {result['booked']}, review {result['queued']}, ignored {result['ignored']})\n"
            f"  the same file again: {seconds_again:.2f} s, booked {again['booked']} (duplicate={again['duplicate']})\n"
            f"  reconciliation after import: {'ok' if check['ok'] else check['failures']}",
            flush=True,
        )
    finally:
        if process is not None:
            process.terminate()
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()
        drop_database(db_name)
        delete_vhost(vhost)


if __name__ == "__main__":
    main()

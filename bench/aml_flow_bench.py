"""Issue 7 figure: end-to-end AML flows per second through the gateway, p95 per step, at concurrency
16 (target ≥ 20 flows/s).

    .venv/bin/python bench/aml_flow_bench.py          # AML_FLOW_BENCH_FLOWS=160, _CONCURRENCY=16

Starts its own platform (private vhost and databases; AML_FLOW_BENCH_UN_LIST=1 imports the real
UN list first, so screening does real work). One office with an employee; its wallet is funded by
bank transfers (camt.053 imported by the platform administrator). One flow =
  for each of 2 contacts: create → upload the ID proof → screen (clear any hit) → accept →
  risk profile (skipped questionnaire) → accept the profile;
  then: create the sale with both parties → quote → pay (wallet charge, Idempotency-Key) → accept.
16 flows run at once (asyncio, one HTTP client); prints flows/s and p50/p95 per step, the number
of requests, and checks the wallet was charged exactly once per flow. Everything runs on this
machine's cores: the load generator competes with the platform. It also prints the CPU each process
used per flow, PostgreSQL's and RabbitMQ's included, and the flows/s these cores would allow at that
cost (cores / CPU seconds per flow): the ceiling when the run is CPU-bound.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "e2e"))
from aml_flows import NO_RISK, aml_office
from common import LOAD_GENERATOR, cpu_used_between, percentile, process_cpu_seconds, table
from organisation_flows import platform_admin
from wallet_flows import balance, fund_by_transfer

from aww_aml_workflow.cases import samples
from aww_devtools.stack import temporary_stack
from belgian_ids import make_person_number

FLOWS = int(os.environ.get("AML_FLOW_BENCH_FLOWS", "160"))
CONCURRENCY = int(os.environ.get("AML_FLOW_BENCH_CONCURRENCY", "16"))
UN_LIST = os.environ.get("AML_FLOW_BENCH_UN_LIST", "1") == "1"
MAX_WORKERS = os.environ.get("AML_FLOW_BENCH_MAX_WORKERS", "10")  # Nameko workers per service process
PRICE = 2299
PROOF = samples.pdf("ID card")


class FlowFailed(RuntimeError):
    pass


def person(index: int, side: int) -> dict:
    born = date(1960 + index % 40, 1 + index % 12, 1 + index % 28)
    serial = 2 * (index % 499) + side + 1
    return {
        "role": "client" if side == 0 else "counterparty",
        "first_names": "Bench",
        "last_name": f"Flowtest{index}x{side}",
        "birth_date": born.isoformat(),
        "birth_place": "Antwerpen",
        "nationalities": ["BE"],
        "address": {"street": "Meir", "number": str(index), "postcode": "2000", "city": "Antwerpen", "country": "BE"},
        "person_number": make_person_number(born, serial),
        "id_document": {"type": "id_card", "number": f"592-{index:07d}-{side:02d}", "expiry": "2032-06-30"},
        "profession": "Teacher",
        "pep": {"self": False},
    }


async def timed(steps: dict, name: str, request) -> httpx.Response:
    started = time.perf_counter()
    response = await request
    steps.setdefault(name, []).append(time.perf_counter() - started)
    if response.status_code >= 400:
        raise FlowFailed(f"{name}: {response.status_code} {response.text[:200]}")
    return response


async def contact(client: httpx.AsyncClient, steps: dict, index: int, side: int) -> str:
    created = await timed(
        steps,
        "contact: create",
        client.post("/api/v1/aml/contacts", json={"kind": "person", "data": person(index, side), "answers": NO_RISK}),
    )
    contact_id = created.json()["contact_id"]
    await timed(
        steps,
        "contact: upload proof",
        client.post(
            f"/api/v1/aml/contacts/{contact_id}/documents",
            files={"file": ("id.pdf", PROOF)},
            data={"proof_kind": "identity_document"},
        ),
    )
    run = await timed(steps, "contact: screen", client.post(f"/api/v1/aml/contacts/{contact_id}/screening"))
    for hit in run.json().get("hits", []):
        await timed(
            steps,
            "contact: clear hit",
            client.post(
                f"/api/v1/aml/screening/hits/{hit['hit_id']}/decision",
                json={"decision": "false_positive", "reason": "Other birth date"},
            ),
        )
    await timed(
        steps,
        "contact: accept",
        client.post(f"/api/v1/aml/contacts/{contact_id}/decision", json={"decision": "accept"}),
    )
    profile = await timed(
        steps,
        "contact: risk profile",
        client.post(f"/api/v1/aml/contacts/{contact_id}/risk-profiles", json={"skip": True}),
    )
    await timed(
        steps,
        "contact: accept profile",
        client.post(
            f"/api/v1/aml/risk-profiles/{profile.json()['risk_profile_id']}/decision", json={"decision": "accept"}
        ),
    )
    return contact_id


async def flow(client: httpx.AsyncClient, steps: dict, index: int) -> None:
    seller, buyer = await asyncio.gather(contact(client, steps, index, 0), contact(client, steps, index, 1))
    body = {
        "reference": f"BENCH-{index}-{uuid.uuid4().hex[:6]}",
        "type": "sale",
        "property": {"street": "Meir", "number": str(index), "postcode": "2000", "city": "Antwerpen"},
        "price_cents": 35_000_000,
        "parties": [{"contact_id": seller, "role": "seller"}, {"contact_id": buyer, "role": "buyer"}],
    }
    created = await timed(steps, "transaction: create", client.post("/api/v1/aml/transactions", json=body))
    tid = created.json()["transaction_id"]
    await timed(steps, "transaction: quote", client.get(f"/api/v1/aml/transactions/{tid}/payment"))
    paid = await timed(
        steps,
        "transaction: pay and assess",
        client.post(f"/api/v1/aml/transactions/{tid}/payment", headers={"Idempotency-Key": f"bench-{tid}"}),
    )
    if paid.json()["state"] != "assessed":
        raise FlowFailed(f"pay: {paid.json()['state']}")
    await timed(
        steps,
        "transaction: accept",
        client.post(f"/api/v1/aml/transactions/{tid}/decision", json={"decision": "accept"}),
    )


async def run_flows(base_url: str, headers: dict, count: int, concurrency: int, first: int) -> dict:
    steps: dict[str, list[float]] = {}
    flow_times: list[float] = []
    failures: list[str] = []
    queue = iter(range(first, first + count))
    limits = httpx.Limits(max_connections=concurrency * 2, max_keepalive_connections=concurrency * 2)
    async with httpx.AsyncClient(base_url=base_url, headers=headers, timeout=120, limits=limits) as client:

        async def worker():
            for index in queue:
                started = time.perf_counter()
                try:
                    await flow(client, steps, index)
                    flow_times.append(time.perf_counter() - started)
                except (FlowFailed, httpx.HTTPError) as exc:
                    failures.append(str(exc))

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    return {"steps": steps, "flow_times": flow_times, "failures": failures, "elapsed": elapsed}


def cpu_seconds(stack) -> dict[str, float]:
    """CPU seconds used so far by each process of the platform, the database and the broker."""
    return process_cpu_seconds({name: [process.pid] for name, process in stack.processes.items()})


def main() -> None:
    with (
        tempfile.TemporaryDirectory() as var_dir,
        temporary_stack(Path(var_dir), LOG_LEVEL="WARNING", MAX_WORKERS=MAX_WORKERS) as stack,
    ):
        with httpx.Client(base_url=stack.base_url, timeout=120) as http:
            office = aml_office(http, stack, 707, "Immo Bench")
            employee = office["employee"]
            if UN_LIST:
                from aml_flows import import_un_list

                import_un_list(stack)
            operator = platform_admin(http, stack)
            needed = (FLOWS + 8) * PRICE
            while balance(http, employee) < needed:
                fund_by_transfer(http, operator, employee, min(500_000, needed - balance(http, employee)))
            before = balance(http, employee)
        headers = employee["headers"]
        asyncio.run(run_flows(stack.base_url, headers, 4, 4, 0))  # warm-up (connections, caches)
        with httpx.Client(base_url=stack.base_url, timeout=120) as http:
            before = balance(http, employee)
        cpu_before = cpu_seconds(stack)
        result = asyncio.run(run_flows(stack.base_url, headers, FLOWS, CONCURRENCY, 1000))
        used = cpu_used_between(cpu_before, cpu_seconds(stack))
        with httpx.Client(base_url=stack.base_url, timeout=120) as http:
            charged = before - balance(http, employee)
    done = len(result["flow_times"])
    rows = [
        {
            "step": name,
            "calls": len(values),
            "p50_ms": round(percentile(values, 0.50) * 1000, 1),
            "p95_ms": round(percentile(values, 0.95) * 1000, 1),
        }
        for name, values in result["steps"].items()
    ]
    rows.append(
        {
            "step": "whole flow",
            "calls": done,
            "p50_ms": round(percentile(result["flow_times"], 0.50) * 1000, 1) if done else None,
            "p95_ms": round(percentile(result["flow_times"], 0.95) * 1000, 1) if done else None,
        }
    )
    requests = sum(len(values) for values in result["steps"].values())
    summary = {
        "flows": FLOWS,
        "concurrency": CONCURRENCY,
        "un_list_imported": UN_LIST,
        "max_workers_per_service": int(MAX_WORKERS),
        "completed": done,
        "failed": len(result["failures"]),
        "seconds": round(result["elapsed"], 1),
        "flows_per_s": round(done / result["elapsed"], 2),
        "requests_per_s": round(requests / result["elapsed"], 1),
        "charged_cents": charged,
        "charged_once_per_flow": charged == done * PRICE,
        "cpu_cores": os.cpu_count(),
    }
    cpu = [
        {
            "process": name,
            "cpu_s": round(used[name], 1),
            "ms_per_flow": round(used[name] * 1000 / max(done, 1), 1),
            "busy_pct": round(used[name] * 100 / result["elapsed"]),
        }
        for name in sorted(used)
        if used[name] > 0.05
    ]
    total_cpu = sum(used.values())
    summary["cpu_ms_per_flow_all_processes"] = round(total_cpu * 1000 / max(done, 1), 1)
    summary["flows_per_s_if_cpu_bound"] = round(done * (os.cpu_count() or 1) / total_cpu, 2) if total_cpu else None
    # the load generator shares the cores here; on its own machine the platform would have them all
    platform_cpu = total_cpu - used[LOAD_GENERATOR]
    summary["cpu_ms_per_flow_platform_only"] = round(platform_cpu * 1000 / max(done, 1), 1)
    summary["flows_per_s_if_cpu_bound_platform_only"] = (
        round(done * (os.cpu_count() or 1) / platform_cpu, 2) if platform_cpu else None
    )
    print(table(f"AML flows through the gateway at concurrency {CONCURRENCY} (p50/p95 per step)", rows))
    print(table("CPU used by the platform's processes during the run", cpu))
    print(json.dumps(summary, indent=2))
    if result["failures"]:
        print("first failures:", *result["failures"][:3], sep="\n  ")


if __name__ == "__main__":
    main()

"""Money under faults: the wallet service killed (SIGKILL) or its broker connection dropped in the
middle of charges and payment webhooks. Clients retry with the same idempotency key, as they must;
after the restart no money is lost or created: exactly as many charges settle as the money allows,
every paid payment is credited once, the reconciliation finds nothing, the outbox drains."""

from __future__ import annotations

import base64
import signal
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "e2e"))
from aml_flows import aml_office
from organisation_flows import platform_admin, wait_for
from wallet_flows import balance, camt053, ogm_of, pay_at_provider

from servicekit.testing.proxy import CuttableProxy

pytestmark = pytest.mark.fault

PRODUCT = "aml_transaction_assessment"
PRICE = 2299  # EUR 19.00 + 21 % VAT
FINAL = (201, 402)  # settled, or refused for lack of money: anything else is retried


@pytest.fixture(scope="module")
def client(isolated_stack):
    with httpx.Client(base_url=isolated_stack.base_url, timeout=30) as http:
        yield http


@pytest.fixture(scope="module")
def operator(client, isolated_stack):
    return platform_admin(client, isolated_stack)


def new_office(client, stack, seed: int, cents: int, operator) -> dict:
    office = aml_office(client, stack, seed, f"Immo Fout {seed}")
    person = office["employee"]
    if cents:
        content = camt053([(ogm_of(client, person), cents, "EUR", "CRDT")])
        funded = client.post(
            "/api/v1/wallet/admin/statements",
            headers=operator["headers"],
            json={"filename": "fault.xml", "content_base64": base64.b64encode(content).decode()},
        )
        assert funded.status_code == 200 and funded.json()["booked"] == 1, funded.text
    return person


def charge(stack, person: dict, key: str) -> tuple[int, dict]:
    try:
        with httpx.Client(base_url=stack.base_url, timeout=15) as http:
            response = http.post(
                "/api/v1/wallet/charges",
                headers={**person["headers"], "Idempotency-Key": key},
                json={"product": PRODUCT, "reference": f"TX-{key[-8:]}"},
            )
            return response.status_code, response.json()
    except (httpx.HTTPError, ValueError) as exc:
        return 599, {"error": type(exc).__name__}


def charges_during(stack, person: dict, keys: list[str], fault, after: int = 5) -> dict[str, tuple[int, dict]]:
    """Fire the charges 8 at a time; `fault()` runs once `after` of them have answered."""
    answered = []
    lock = threading.Lock()
    struck = threading.Event()

    def one(key):
        result = charge(stack, person, key)
        with lock:
            answered.append(key)
            strike = len(answered) >= after and not struck.is_set()
            if strike:
                struck.set()
        if strike:
            fault()
        return key, result

    with ThreadPoolExecutor(8) as pool:
        return dict(pool.map(one, keys))


def retry_until_final(stack, person: dict, results: dict, timeout: float = 90.0) -> dict[str, tuple[int, dict]]:
    """What a well-behaved client does after 503/504/connection errors: the same call, same key."""
    deadline = time.monotonic() + timeout
    pending = [key for key, (status, _) in results.items() if status not in FINAL]
    while pending and time.monotonic() < deadline:
        for key in list(pending):
            results[key] = charge(stack, person, key)
            if results[key][0] in FINAL:
                pending.remove(key)
        if pending:
            time.sleep(0.5)
    assert not pending, {key: results[key] for key in pending}
    return results


def reconciled(client, operator) -> dict:
    response = client.get("/api/v1/wallet/admin/reconciliation", headers=operator["headers"])
    assert response.status_code == 200, response.text
    return response.json()


def unsent_events(stack) -> int:
    engine = create_engine(f"postgresql+psycopg://postgres@127.0.0.1:5432/{stack.db_prefix}wallet")
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT count(*) FROM outbox WHERE published_at IS NULL")).scalar_one()
    finally:
        engine.dispose()


def assert_exactly_twenty_settled(client, stack, operator, person, results) -> None:
    settled = [body for status, body in results.values() if status == 201]
    refused = [body for status, body in results.values() if status == 402]
    assert len(settled) == 20, [r for r in results.values() if r[0] != 402][:25]
    assert len({body["charge_id"] for body in settled}) == 20  # each key its own charge, none twice
    assert len(refused) == len(results) - 20
    assert all(body["code"] == "insufficient_funds" for body in refused)
    assert balance(client, person) == 0
    listed = client.get("/api/v1/wallet/operations", headers=person["headers"], params={"type": "charge"}).json()
    assert listed["total"] == 20 and sum(item["debit_cents"] for item in listed["items"]) == 20 * PRICE
    check = reconciled(client, operator)
    assert check["failures"] == [], check
    wait_for(lambda: unsent_events(stack) == 0, timeout=30, what="the outbox to drain")


def test_killing_the_wallet_mid_charges_neither_loses_nor_creates_money(client, isolated_stack, operator):
    person = new_office(client, isolated_stack, 401, 20 * PRICE, operator)
    keys = [f"fault-kill-{uuid.uuid4()}" for _ in range(40)]

    results = charges_during(
        isolated_stack, person, keys, lambda: isolated_stack.stop_process("wallet", signal.SIGKILL)
    )
    assert any(status not in FINAL for status, _ in results.values()), "the kill came too late to matter"
    isolated_stack.start_service("wallet")
    isolated_stack.wait_service_ready("wallet")

    assert_exactly_twenty_settled(
        client, isolated_stack, operator, person, retry_until_final(isolated_stack, person, results)
    )


def test_dropping_the_broker_mid_charges_and_webhooks_neither_loses_nor_creates_money(client, isolated_stack, operator):
    person = new_office(client, isolated_stack, 402, 20 * PRICE, operator)
    payer = new_office(client, isolated_stack, 404, 0, operator)
    topups = [start_topup(client, payer, cents) for cents in (5_000, 7_500)]
    keys = [f"fault-broker-{uuid.uuid4()}" for _ in range(40)]
    proxy = CuttableProxy("127.0.0.1", 5672)
    isolated_stack.extra_env["AMQP_URI"] = f"amqp://guest:guest@127.0.0.1:{proxy.port}/{isolated_stack.vhost}"
    try:
        isolated_stack.stop_process("wallet")
        isolated_stack.start_service("wallet")  # now reaches the broker only through the proxy
        isolated_stack.wait_service_ready("wallet")
        wait_for(lambda: client.get("/readyz").status_code == 200, timeout=30, what="the platform")

        def drop_for_three_seconds():
            proxy.cut("refuse")
            started = time.monotonic()
            for topup in topups:  # paid while the wallet cannot hear the webhook
                pay_at_provider(topup["checkout_url"], "paid")
            time.sleep(max(0.0, 3 - (time.monotonic() - started)))
            proxy.restore()

        results = charges_during(isolated_stack, person, keys, drop_for_three_seconds)
        assert any(status not in FINAL for status, _ in results.values()), "the drop came too late to matter"
        wait_for(lambda: client.get("/readyz").status_code == 200, timeout=60, what="the wallet to reconnect")
        assert_exactly_twenty_settled(
            client, isolated_stack, operator, person, retry_until_final(isolated_stack, person, results)
        )
        wait_for(lambda: balance(client, payer) == 12_500, timeout=60, what="the retried webhooks")
        for topup in topups:
            seen = client.get(f"/api/v1/wallet/topups/{topup['topup_id']}", headers=payer["headers"]).json()
            assert seen["status"] == "paid"
        assert reconciled(client, operator)["failures"] == []
    finally:
        isolated_stack.extra_env.pop("AMQP_URI", None)
        isolated_stack.stop_process("wallet")
        isolated_stack.start_service("wallet")
        isolated_stack.wait_service_ready("wallet")
        proxy.close()


def start_topup(client, person: dict, cents: int) -> dict:
    response = client.post(
        "/api/v1/wallet/topups",
        headers={**person["headers"], "Idempotency-Key": f"fault-topup-{uuid.uuid4()}"},
        json={"amount_cents": cents, "method": "bancontact"},
    )
    assert response.status_code == 201, response.text
    return response.json()


def test_killing_the_wallet_while_webhooks_arrive_credits_every_paid_payment_once(client, isolated_stack, operator):
    person = new_office(client, isolated_stack, 403, 0, operator)
    amounts = [5_000, 6_000, 7_000, 8_000, 9_000, 10_000]
    outcomes = ["paid", "paid", "paid", "failed", "paid", "canceled"]
    started = [start_topup(client, person, cents) for cents in amounts]

    # the first two are paid while the wallet runs; then it is killed while the others are paid,
    # so their webhooks fail (503) and the provider retries them later, as Mollie does
    for topup, outcome in zip(started[:2], outcomes[:2], strict=True):
        pay_at_provider(topup["checkout_url"], outcome)
    isolated_stack.stop_process("wallet", signal.SIGKILL)
    for topup, outcome in zip(started[2:], outcomes[2:], strict=True):
        pay_at_provider(topup["checkout_url"], outcome)
    # a duplicate webhook for an already credited payment, while the wallet is down
    assert client.post("/api/v1/wallet/payments/webhook", data={"id": _payment_id(started[0])}).status_code == 503
    # other pages still work; the balance in their header just stays empty
    cookies = {"aww_session": person["token"]}
    assert client.get("/aml/contacts", cookies=cookies).status_code == 200
    assert client.get("/wallet/balance.json", cookies=cookies).status_code == 204
    isolated_stack.start_service("wallet")
    isolated_stack.wait_service_ready("wallet")
    wait_for(lambda: client.get("/readyz").status_code == 200, timeout=30, what="the gateway to see the wallet")

    paid = sum(cents for cents, outcome in zip(amounts, outcomes, strict=True) if outcome == "paid")
    wait_for(lambda: balance(client, person) == paid, timeout=60, what="the retried webhooks to credit the wallet")
    for _ in range(3):  # and the provider repeats itself: nothing changes
        for topup in started:
            assert client.post("/api/v1/wallet/payments/webhook", data={"id": _payment_id(topup)}).status_code == 200
    assert balance(client, person) == paid
    for topup, outcome in zip(started, outcomes, strict=True):
        seen = client.get(f"/api/v1/wallet/topups/{topup['topup_id']}", headers=person["headers"]).json()
        assert seen["status"] == outcome, (topup, seen)
    listed = client.get("/api/v1/wallet/operations", headers=person["headers"], params={"type": "topup"}).json()
    assert listed["total"] == 4 and sum(item["credit_cents"] for item in listed["items"]) == paid
    check = reconciled(client, operator)
    assert check["failures"] == [], check


def _payment_id(topup: dict) -> str:
    return topup["checkout_url"].rstrip("/").rsplit("/", 1)[-1]

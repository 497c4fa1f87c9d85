"""The wallet end to end: gateway → wallet (→ fake Mollie over HTTP, reporting, organisation
events), as real processes. Top up at the provider, pay, get receipts, export, import statements;
bad input gets a problem naming the field and books nothing; another office sees nothing."""

from __future__ import annotations

import base64
import csv
import io

import httpx
import pytest
from aml_flows import aml_office
from organisation_flows import platform_admin, wait_for
from wallet_flows import activate, balance, camt053, fund_by_transfer, key, ogm_of, top_up

from aww_gateway.web import CSRF_COOKIE

PRODUCT = "aml_transaction_assessment"


@pytest.fixture(scope="module")
def offices(stack):
    with httpx.Client(base_url=stack.base_url, timeout=60) as http:
        a, b = aml_office(http, stack, 301, "Immo Portefeuille"), aml_office(http, stack, 302, "Immo Leeg")
        for office in (a, b):  # creating an office does not make it the creator's active organisation
            activate(http, office["admin"], office["organisation_id"])
        yield {"a": a, "b": b, "operator": platform_admin(http, stack)}


def test_top_up_at_the_provider_then_pay_a_calculation_and_download_its_receipt(http, offices):
    employee = offices["a"]["employee"]
    started = top_up(http, employee, 10_000)
    wait_for(lambda: balance(http, employee) == 10_000, what="the webhook to credit the wallet")
    topup = http.get(f"/api/v1/wallet/topups/{started['topup_id']}", headers=employee["headers"]).json()
    assert topup["status"] == "paid" and topup["receipt_document_id"]

    quote = http.get("/api/v1/wallet/quote", headers=employee["headers"]).json()
    assert (quote["gross_cents"], quote["vat_cents"], quote["missing_cents"]) == (2299, 399, 0)
    headers = {**employee["headers"], **key()}
    charged = http.post("/api/v1/wallet/charges", headers=headers, json={"product": PRODUCT, "reference": "TX-1"})
    assert charged.status_code == 201, charged.text
    assert charged.json()["balance_cents"] == 10_000 - 2299
    again = http.post("/api/v1/wallet/charges", headers=headers, json={"product": PRODUCT, "reference": "TX-1"})
    assert again.json() == charged.json()
    other = http.post("/api/v1/wallet/charges", headers=headers, json={"product": PRODUCT, "reference": "TX-2"})
    assert other.status_code == 409 and other.json()["code"] == "conflict"

    receipt = wait_for(
        lambda: (lambda r: r if r.status_code == 200 else None)(
            http.get(f"/api/v1/wallet/documents/{charged.json()['receipt_document_id']}", headers=employee["headers"])
        ),
        timeout=30,
        what="the receipt",
    )
    assert receipt.headers["content-type"] == "application/pdf" and receipt.content.startswith(b"%PDF")
    stranger = offices["b"]["employee"]
    hidden = http.get(f"/api/v1/wallet/documents/{charged.json()['receipt_document_id']}", headers=stranger["headers"])
    assert hidden.status_code == 404


def test_insufficient_funds_is_402_with_the_amount_missing(http, offices):
    poor = offices["b"]["employee"]
    response = http.post(
        "/api/v1/wallet/charges",
        headers={**poor["headers"], **key()},
        json={"product": PRODUCT, "reference": "TX-POOR"},
    )
    assert response.status_code == 402
    body = response.json()
    assert body["code"] == "insufficient_funds"
    assert (body["missing_cents"], body["price_cents"]) == (2299 - body["balance_cents"], 2299)
    assert response.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"amount_cents": "5000", "method": "bancontact"}, "body.amount_cents"),
        ({"amount_cents": 50.5, "method": "bancontact"}, "body.amount_cents"),
        ({"amount_cents": 5000, "method": "bancontact", "currency": "USD"}, "body.currency"),
        ({"amount_cents": 5000, "method": "paypal"}, "body.method"),
        ({"amount_cents": 0, "method": "bancontact"}, "amount_cents"),
        ({"amount_cents": -5000, "method": "bancontact"}, "amount_cents"),
        ({"amount_cents": 4999, "method": "bancontact"}, "amount_cents"),
        ({"amount_cents": 500_001, "method": "bancontact"}, "amount_cents"),
    ],
)
def test_bad_top_up_requests_name_the_field_and_book_nothing(http, offices, body, field):
    person = offices["b"]["admin"]
    before = balance(http, person)
    response = http.post("/api/v1/wallet/topups", headers={**person["headers"], **key()}, json=body)
    assert response.status_code == 400, response.text
    assert field in {e["field"] for e in response.json().get("errors", [])} or field in response.json()["detail"]
    assert balance(http, person) == before


def test_money_moving_calls_require_an_idempotency_key(http, offices):
    person = offices["a"]["employee"]
    response = http.post(
        "/api/v1/wallet/topups", headers=person["headers"], json={"amount_cents": 5000, "method": "bancontact"}
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "header.Idempotency-Key"
    document = http.get("/api/v1/openapi.json").json()
    parameters = document["paths"]["/api/v1/wallet/topups"]["post"]["parameters"]
    assert {"Idempotency-Key"} <= {p["name"] for p in parameters if p["in"] == "header"}


def test_webhook_answers_without_telling_anything(http):
    assert http.post("/api/v1/wallet/payments/webhook", data={"id": "tr_unknown123"}).status_code == 200
    assert http.post("/api/v1/wallet/payments/webhook", data={}).status_code == 400


def test_bank_statement_import_books_once_and_queues_the_rest(http, offices):
    operator, person = offices["operator"], offices["a"]["admin"]
    before = balance(http, person)
    content = camt053(
        [
            (ogm_of(http, person), 15_000, "EUR", "CRDT"),
            (None, 9_900, "EUR", "CRDT"),
            (ogm_of(http, person), 700_000, "EUR", "CRDT"),
            (None, 5_000, "EUR", "DBIT"),
        ]
    )
    body = {"filename": "e2e.xml", "content_base64": base64.b64encode(content).decode()}
    first = http.post("/api/v1/wallet/admin/statements", headers=operator["headers"], json=body)
    assert first.status_code == 200, first.text
    assert (first.json()["booked"], first.json()["queued"], first.json()["ignored"]) == (1, 2, 1)
    second = http.post("/api/v1/wallet/admin/statements", headers=operator["headers"], json=body)
    assert second.json()["duplicate"] is True
    assert balance(http, person) == before + 15_000
    forbidden = http.post("/api/v1/wallet/admin/statements", headers=person["headers"], json=body)
    assert forbidden.status_code == 403
    hostile = http.post(
        "/api/v1/wallet/admin/statements",
        headers=operator["headers"],
        json={
            "filename": "x.xml",
            "content_base64": base64.b64encode(
                b'<!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]><d>&x;</d>'
            ).decode(),
        },
    )
    assert hostile.status_code == 400 and hostile.json()["errors"][0]["field"] == "file"
    queue = http.get("/api/v1/wallet/admin/review-queue", headers=operator["headers"]).json()
    over = next(e for e in queue if e["reason"] == "over_limit")
    resolved = http.post(
        f"/api/v1/wallet/admin/review-queue/{over['entry_id']}",
        headers=operator["headers"],
        json={"action": "dismiss", "note": "refunded"},
    )
    assert resolved.status_code == 200
    reconciliation = http.get("/api/v1/wallet/admin/reconciliation", headers=operator["headers"]).json()
    assert reconciliation["failures"] == []


def test_subscription_then_operations_export_as_safe_csv(http, offices):
    person, operator = offices["a"]["officer"], offices["operator"]
    fund_by_transfer(http, operator, person, 60_000)
    bought = http.post("/api/v1/wallet/subscriptions", headers={**person["headers"], **key()}, json={"plan": "silver"})
    assert bought.status_code == 201, bought.text
    assert bought.json()["amount_cents"] == 53_240 and bought.json()["allowance"] == 100
    covered = http.post(
        "/api/v1/wallet/charges",
        headers={**person["headers"], **key()},
        json={"product": PRODUCT, "reference": "=cmd|' /C calc'!A0"},
    )
    assert covered.json()["paid_by"] == "subscription" and covered.json()["amount_cents"] == 0
    listed = http.get("/api/v1/wallet/operations", headers=person["headers"], params={"type": "subscription"}).json()
    assert listed["total"] == 1
    exported = http.get("/api/v1/wallet/operations.csv", headers=person["headers"])
    assert exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig")), delimiter=";"))
    assert any(row[3] == "'=cmd|' /C calc'!A0" for row in rows)
    bad = http.get("/api/v1/wallet/operations", headers=person["headers"], params={"date_from": "2026-13-01"})
    assert bad.status_code == 400 and "date_from" in bad.json()["detail"]


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("nl", ("Saldo", "Verrichtingen", "Facturen", "Betaalde dienst")),
        ("fr", ("Solde", "Opérations", "Factures", "Service payant")),
        ("en", ("Balance", "Operations", "Invoices", "Paid service")),
    ],
)
def test_wallet_page_in_each_language_filters_sorts_and_refuses_a_bad_date_without_500(http, offices, language, words):
    person, operator = offices["b"]["employee"], offices["operator"]
    if not http.get("/api/v1/wallet/operations", headers=person["headers"], params={"type": "charge"}).json()["total"]:
        fund_by_transfer(http, operator, person, 5_000)
        paid = http.post(
            "/api/v1/wallet/charges",
            headers={**person["headers"], **key()},
            json={"product": PRODUCT, "reference": "TX-PAGE"},
        )
        assert paid.status_code == 201, paid.text
    cookies = {"aww_session": person["token"]}
    page = http.get("/wallet", params={"lang": language, "sort": "amount", "order": "asc"}, cookies=cookies)
    assert page.status_code == 200
    assert all(word in page.text for word in words), [w for w in words if w not in page.text]
    assert "TX-PAGE" in page.text and "/wallet/operations.csv?sort=amount&amp;order=asc" in page.text
    only_topups = http.get("/wallet", params={"lang": language, "type": "topup"}, cookies=cookies)
    assert "TX-PAGE" not in only_topups.text and 'value="topup" selected' in only_topups.text
    bad = http.get("/wallet", params={"lang": language, "date_from": "2026-13-01"}, cookies=cookies)
    assert bad.status_code == 200 and "date_from" in bad.text and "TX-PAGE" in bad.text


def test_operator_imports_a_statement_on_the_payments_page(stack, offices):
    operator, person = offices["operator"], offices["a"]["admin"]
    with httpx.Client(base_url=stack.base_url, timeout=60, cookies={"aww_session": operator["token"]}) as web:
        page = web.get("/wallet/admin", params={"lang": "en"})
        assert page.status_code == 200 and "Import a bank statement" in page.text
        with httpx.Client(base_url=stack.base_url, timeout=30) as http:
            before, ogm = balance(http, person), ogm_of(http, person)
        content = camt053([(ogm, 12_345, "EUR", "CRDT"), (None, 777, "EUR", "CRDT")])
        imported = web.post(
            "/wallet/admin/statements",
            params={"lang": "en"},
            data={"csrf_token": web.cookies[CSRF_COOKIE]},
            files={"file": ("statement.xml", content, "application/xml")},
        )
        assert imported.status_code == 200, imported.text[:500]
        assert "2 entries: 1 booked, 1 to review, 0 ignored" in imported.text
        assert "7.77" in imported.text  # the unmatched transfer waits in the review queue
        with httpx.Client(base_url=stack.base_url, timeout=30) as http:
            assert balance(http, person) == before + 12_345
        without_token = web.post("/wallet/admin/statements", files={"file": ("s.xml", content, "application/xml")})
        assert without_token.status_code == 403

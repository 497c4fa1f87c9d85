"""AML transactions end to end: gateway → aml-workflow → wallet (→ reporting for the receipt), as real
processes. Two profiled contacts → a sale → the price incl. VAT → Pay without money (402 with the
missing amount) → funded by bank transfer → Pay (idempotent) → level and factors → decision;
cash in a sale; parties without an accepted profile; bad input; another office sees nothing; the
pages in three languages."""

from __future__ import annotations

import uuid

import httpx
import pytest
from aml_flows import aml_office
from aml_transaction_flows import pay, profiled_contact, sale
from organisation_flows import platform_admin
from wallet_flows import balance, fund_by_transfer

from aww_gateway.web import CSRF_COOKIE

PRICE = 2299


@pytest.fixture(scope="module")
def offices(stack):
    with httpx.Client(base_url=stack.base_url, timeout=60) as http:
        a = aml_office(http, stack, 201, "Immo Transactie")
        b = aml_office(http, stack, 202, "Immo Ailleurs")
        employee = a["employee"]
        a["seller"] = profiled_contact(http, employee, "Verkoper", index=0)
        a["buyer"] = profiled_contact(http, employee, "Koper", index=1)
        yield {"a": a, "b": b}


def create(http, who, body) -> dict:
    response = http.post("/api/v1/aml/transactions", headers=who["headers"], json=body)
    assert response.status_code == 201, response.text
    return response.json()


def test_pay_then_assess_with_the_missing_amount_explained_and_no_double_charge(http, stack, offices):
    a = offices["a"]
    employee, h = a["employee"], a["employee"]["headers"]
    transaction = create(http, employee, sale(a["seller"], a["buyer"]))
    tid = transaction["transaction_id"]
    assert transaction["state"] == "draft" and transaction["missing"] == [] and transaction["cash_flag"] is None

    quote = http.get(f"/api/v1/aml/transactions/{tid}/payment", headers=h)
    assert quote.status_code == 200, quote.text
    assert quote.json()["quote"]["gross_cents"] == PRICE and quote.json()["quote"]["net_cents"] == 1900

    before = balance(http, employee)
    if before < PRICE:
        poor = pay(http, employee, tid)
        assert poor.status_code == 402, poor.text
        assert poor.headers["content-type"].startswith("application/problem+json")
        assert poor.json()["code"] == "insufficient_funds" and poor.json()["missing_cents"] == PRICE - before
        assert http.get(f"/api/v1/aml/transactions/{tid}", headers=h).json()["state"] == "draft"
        fund_by_transfer(http, platform_admin(http, stack), employee, PRICE)

    key = f"e2e-{uuid.uuid4()}"
    paid = pay(http, employee, tid, key)
    assert paid.status_code == 200, paid.text
    body = paid.json()
    assert body["state"] == "assessed" and body["level"] == "standard"
    assert body["payment_status"]["paid_by"] == "wallet" and body["payment_status"]["amount_cents"] == PRICE
    assert body["assessment"]["rules_version"] == "tx-2026.1" and body["allowed_actions"] == ["accept", "refuse"]
    after = balance(http, employee)
    again = pay(http, employee, tid, key)
    assert again.status_code == 200 and again.json()["payment_status"] == body["payment_status"]
    assert balance(http, employee) == after  # the repeat charged nothing
    assert pay(http, employee, tid).status_code == 409  # another key: the calculation is done

    accepted = http.post(f"/api/v1/aml/transactions/{tid}/decision", headers=h, json={"decision": "accept"})
    assert accepted.status_code == 200 and accepted.json()["state"] == "accepted"
    timeline = http.get(f"/api/v1/aml/transactions/{tid}/timeline", headers=h).json()
    assert [e["action"] for e in timeline] == [
        "transaction_created",
        "party_added",
        "party_added",
        *(["payment_started", "payment_refused"] if before < PRICE else []),
        "payment_started",
        "transaction_assessed",
        "transaction_accepted",
    ]
    found = http.get("/api/v1/aml/transactions", headers=h, params={"q": "verkoper", "status": "accepted"})
    assert tid in [item["transaction_id"] for item in found.json()["items"]]


def test_cash_in_a_sale_is_flagged_enhanced_and_escalated(http, stack, offices):
    a = offices["a"]
    employee, h = a["employee"], a["employee"]["headers"]
    payment = {
        "parts": [{"method": "transfer", "amount_cents": 34_500_000}, {"method": "cash", "amount_cents": 500_000}]
    }
    transaction = create(http, employee, sale(a["seller"], a["buyer"], payment=payment))
    tid = transaction["transaction_id"]
    assert transaction["cash_flag"]["code"] == "cash_in_sale" and transaction["cash_flag"]["must_report"]
    if balance(http, employee) < PRICE:
        fund_by_transfer(http, platform_admin(http, stack), employee, PRICE)
    paid = pay(http, employee, tid)
    assert paid.status_code == 200, paid.text
    assert paid.json()["level"] == "enhanced"
    assert paid.json()["assessment"]["factors"][0]["id"] == "cash_in_sale"
    refused = http.post(f"/api/v1/aml/transactions/{tid}/decision", headers=h, json={"decision": "accept"})
    assert refused.status_code == 409 and "enhanced vigilance" in refused.json()["detail"]
    escalated = http.post(
        f"/api/v1/aml/transactions/{tid}/escalation",
        headers=h,
        json={"motivation": "Cash announced for the agent's fee", "proposal": "refuse"},
    )
    assert escalated.status_code == 200 and escalated.json()["state"] == "awaiting_officer"


def test_a_party_without_an_accepted_profile_and_bad_input_are_named(http, offices):
    a = offices["a"]
    employee, h = a["employee"], a["employee"]["headers"]
    bare = profiled_contact(http, employee, "Zonderprofiel", profile=False, index=2)
    response = http.post("/api/v1/aml/transactions", headers=h, json=sale(a["seller"], bare))
    assert response.status_code == 409, response.text
    assert "Zonderprofiel" in response.json()["detail"] and "no risk profile" in response.json()["detail"]
    assert response.json()["errors"][0]["field"] == "parties.1.contact_id"

    bad = http.post("/api/v1/aml/transactions", headers=h, json=sale(a["seller"], a["buyer"], price_cents="lots"))
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"].endswith("price_cents")
    mismatch = sale(a["seller"], a["buyer"], payment={"parts": [{"method": "transfer", "amount_cents": 1}]})
    bad = http.post("/api/v1/aml/transactions", headers=h, json=mismatch)
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "payment.parts"
    transaction = create(http, employee, sale(a["seller"], a["buyer"]))
    no_key = http.post(f"/api/v1/aml/transactions/{transaction['transaction_id']}/payment", headers=h)
    assert no_key.status_code == 400 and no_key.json()["errors"][0]["field"] == "header.Idempotency-Key"
    wrong_role = http.post(
        f"/api/v1/aml/transactions/{transaction['transaction_id']}/parties",
        headers=h,
        json={"contact_id": a["buyer"], "role": "tenant"},
    )
    assert wrong_role.status_code == 400 and wrong_role.json()["errors"][0]["field"] == "role"
    listed = http.get("/api/v1/aml/transactions", headers=h, params={"status": "closed"})
    assert listed.status_code == 400


def test_another_office_reaches_nothing(http, offices):
    a, b = offices["a"], offices["b"]
    transaction = create(http, a["employee"], sale(a["seller"], a["buyer"]))
    tid, h = transaction["transaction_id"], b["employee"]["headers"]
    key = {"Idempotency-Key": f"e2e-{uuid.uuid4()}"}
    for method, path, body, extra in [
        ("GET", f"/api/v1/aml/transactions/{tid}", None, {}),
        ("PATCH", f"/api/v1/aml/transactions/{tid}", {"description": "mine"}, {}),
        ("PUT", f"/api/v1/aml/transactions/{tid}/answers", {"answers": {"quick_resale": True}}, {}),
        ("POST", f"/api/v1/aml/transactions/{tid}/parties", {"contact_id": a["seller"], "role": "seller"}, {}),
        ("DELETE", f"/api/v1/aml/transactions/{tid}/parties/{a['seller']}/seller", None, {}),
        ("GET", f"/api/v1/aml/transactions/{tid}/payment", None, {}),
        ("POST", f"/api/v1/aml/transactions/{tid}/payment", None, key),
        ("POST", f"/api/v1/aml/transactions/{tid}/decision", {"decision": "accept"}, {}),
        ("POST", f"/api/v1/aml/transactions/{tid}/escalation", {"motivation": "x", "proposal": "accept"}, {}),
        ("GET", f"/api/v1/aml/transactions/{tid}/timeline", None, {}),
    ]:
        response = http.request(method, path, headers={**h, **extra}, json=body)
        assert response.status_code == 404, (method, path, response.status_code, response.text)
    listed = http.get("/api/v1/aml/transactions", headers=h, params={"q": transaction["reference"]})
    assert listed.json()["items"] == []
    assert http.get("/api/v1/aml/transaction-parties", headers=h).json() == []
    theirs = http.post("/api/v1/aml/transactions", headers=h, json=sale(a["seller"], a["buyer"]))
    assert theirs.status_code == 404 and theirs.json()["detail"] == "There is no such contact"


def test_the_api_is_documented(http):
    spec = http.get("/api/v1/openapi.json").json()
    operations = {op["operationId"] for path in spec["paths"].values() for op in path.values() if "operationId" in op}
    assert {
        "listAmlTransactions",
        "createAmlTransaction",
        "payAmlTransaction",
        "quoteAmlTransactionPayment",
        "decideAmlTransaction",
        "escalateAmlTransaction",
        "getAmlTransactionTimeline",
    } <= operations
    payment = spec["paths"]["/api/v1/aml/transactions/{transaction_id}/payment"]["post"]
    assert "402" in payment["responses"] and any(p["name"] == "Idempotency-Key" for p in payment["parameters"])


@pytest.mark.parametrize(
    ("language", "title", "pay_text"),
    [("nl", "Transacties", "Prijs incl. btw"), ("fr", "Transactions", "Prix TVA comprise"),
     ("en", "Transactions", "Price incl. VAT")],
)  # fmt: skip
def test_the_pages_in_three_languages(stack, offices, language, title, pay_text):
    a = offices["a"]
    with httpx.Client(base_url=stack.base_url, timeout=60, cookies={"aww_session": a["employee"]["token"]}) as web:
        listing = web.get("/aml/transactions", params={"lang": language})
        assert listing.status_code == 200 and title in listing.text
        form = web.get("/aml/transactions/new")
        assert form.status_code == 200 and "Meir" not in form.text and 'name="party.0.contact_id"' in form.text
        created = web.post(
            "/aml/transactions",
            data={
                "csrf_token": web.cookies[CSRF_COOKIE],
                "reference": f"WEB-{uuid.uuid4().hex[:8]}",
                "type": "sale",
                "property.street": "Meir",
                "property.postcode": "2000",
                "property.city": "Antwerpen",
                "property.country": "BE",
                "price": "250000",
                "payment.0.method": "transfer",
                "payment.0.amount": "240000",
                "payment.1.method": "cash",
                "payment.1.amount": "10000",
                "party.0.contact_id": a["seller"],
                "party.0.role": "seller",
                "party.1.contact_id": a["buyer"],
                "party.1.role": "buyer",
            },
        )
        assert created.status_code == 303, created.text
        page = web.get(created.headers["location"])
        assert page.status_code == 200 and 'id="cash-flag"' in page.text and 'data-code="cash_in_sale"' in page.text
        pay_page = web.get(created.headers["location"].split("?")[0] + "/pay")
        assert pay_page.status_code == 200 and pay_text in pay_page.text and 'id="pay-button"' in pay_page.text
        missing = web.post(
            "/aml/transactions",
            data={"csrf_token": web.cookies[CSRF_COOKIE], "reference": "", "type": "sale", "price": "abc"},
        )
        assert missing.status_code == 400 and 'aria-invalid="true"' in missing.text


def test_pay_page_without_money_says_what_is_missing_and_links_to_the_top_up(http, stack, offices):
    b = offices["b"]  # its wallet stays empty
    seller = profiled_contact(http, b["employee"], "Eigenaar", index=0)
    buyer = profiled_contact(http, b["employee"], "Nieuwe", index=1)
    transaction = create(http, b["employee"], sale(seller, buyer))
    base = f"/aml/transactions/{transaction['transaction_id']}"
    with httpx.Client(base_url=stack.base_url, timeout=60, cookies={"aww_session": b["employee"]["token"]}) as web:
        page = web.get(base + "/pay", params={"lang": "en"})
        assert page.status_code == 200 and "€22.99" in page.text and "is missing" in page.text
        form = {"csrf_token": web.cookies[CSRF_COOKIE], "idempotency_key": f"web-{uuid.uuid4()}"}
        poor = web.post(base + "/pay", data=form)
        assert poor.status_code == 402 and 'id="topup-link"' in poor.text and 'href="/wallet#topup-form"' in poor.text
        assert "€22.99 is missing" in poor.text
        edit = web.get(base + "/edit")
        assert edit.status_code == 200 and 'value="350000.00"' in edit.text
        saved = web.post(
            base + "/edit",
            data={
                "csrf_token": web.cookies[CSRF_COOKIE],
                "reference": transaction["reference"],
                "type": "sale",
                "property.street": "Meir",
                "property.number": "12",
                "property.postcode": "2000",
                "property.city": "Antwerpen",
                "property.country": "BE",
                "price": "360000",
            },
        )
        assert saved.status_code == 303, saved.text
        assert "Meir 12" in web.get(base).text
    assert (
        http.get(f"/api/v1/aml/transactions/{transaction['transaction_id']}", headers=b["employee"]["headers"]).json()[
            "price_cents"
        ]
        == 36_000_000
    )


def test_the_result_and_the_decision_forms_on_the_page(http, stack, offices):
    a = offices["a"]
    employee = a["employee"]
    normal = create(http, employee, sale(a["seller"], a["buyer"]))
    cash = {
        "parts": [{"method": "transfer", "amount_cents": 34_000_000}, {"method": "cash", "amount_cents": 1_000_000}]
    }
    enhanced = create(http, employee, sale(a["seller"], a["buyer"], payment=cash))
    if balance(http, employee) < 2 * PRICE:
        fund_by_transfer(http, platform_admin(http, stack), employee, 2 * PRICE)
    with httpx.Client(base_url=stack.base_url, timeout=60, cookies={"aww_session": employee["token"]}) as web:
        web.get("/aml/transactions", params={"lang": "fr"})
        paid = web.post(
            f"/aml/transactions/{normal['transaction_id']}/pay",
            data={"csrf_token": web.cookies[CSRF_COOKIE], "idempotency_key": f"web-{uuid.uuid4()}"},
        )
        assert paid.status_code == 303 and paid.headers["location"].endswith("#result")
        page = web.get(paid.headers["location"])
        assert page.status_code == 200 and 'data-level="standard"' in page.text and "Vigilance standard" in page.text
        assert "Accepter la transaction" in page.text and "Vigilance calculée (payée)" in page.text
        decided = web.post(
            f"/aml/transactions/{normal['transaction_id']}/decision",
            data={"csrf_token": web.cookies[CSRF_COOKIE], "decision": "accept", "reason": ""},
        )
        assert decided.status_code == 303
        assert 'data-state="accepted"' in web.get(decided.headers["location"]).text

        assert pay(http, employee, enhanced["transaction_id"]).status_code == 200
        page = web.get(f"/aml/transactions/{enhanced['transaction_id']}")
        assert 'data-factor="cash_in_sale"' in page.text and 'id="escalation-form"' in page.text
        empty = web.post(
            f"/aml/transactions/{enhanced['transaction_id']}/escalation",
            data={"csrf_token": web.cookies[CSRF_COOKIE], "motivation": "", "proposal": "accept"},
        )
        assert empty.status_code == 400 and "motivation" in empty.text
        sent = web.post(
            f"/aml/transactions/{enhanced['transaction_id']}/escalation",
            data={"csrf_token": web.cookies[CSRF_COOKIE], "motivation": "Espèces annoncées", "proposal": "refuse"},
        )
        assert sent.status_code == 303
        page = web.get(sent.headers["location"])
        assert 'data-state="awaiting_officer"' in page.text and "marker-officer" in page.text
        assert "marker-cfi" in page.text  # the calculation that found cash to report

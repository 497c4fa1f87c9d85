"""Steps the wallet end-to-end, browser, fault tests and the bench share: an office whose members
may use the AML tool (aml_flows.aml_office), topping up at the fake provider, funding by bank
statement, and a camt.053 writer."""

from __future__ import annotations

import base64
import re
import uuid

import httpx


def key() -> dict:
    return {"Idempotency-Key": f"e2e-{uuid.uuid4()}"}


def activate(http: httpx.Client, person: dict, organisation_id: str) -> None:
    """Make the office the person's active organisation (the wallet is always the active one's)."""
    response = http.put(
        "/api/v1/me/active-organisation", headers=person["headers"], json={"organisation_id": organisation_id}
    )
    assert response.status_code == 200, response.text


def pay_at_provider(checkout_url: str, outcome: str = "paid") -> httpx.Response:
    """What the payer's browser does at the fake provider: open the checkout page, choose."""
    with httpx.Client(timeout=30, follow_redirects=False) as browser:
        assert browser.get(checkout_url).status_code == 200
        return browser.post(checkout_url, data={"status": outcome})


def top_up(http: httpx.Client, person: dict, cents: int, outcome: str = "paid") -> dict:
    started = http.post(
        "/api/v1/wallet/topups",
        headers={**person["headers"], **key()},
        json={"amount_cents": cents, "method": "bancontact"},
    )
    assert started.status_code == 201, started.text
    pay_at_provider(started.json()["checkout_url"], outcome)
    return started.json()


def camt053(entries, statement_id: str | None = None) -> bytes:
    """entries: (ogm digits or None, cents, currency, CRDT|DBIT)."""
    statement_id = statement_id or f"E2E-{uuid.uuid4()}"
    body = []
    for index, (ogm, cents, currency, direction) in enumerate(entries):
        remittance = (
            "<Strd><CdtrRefInf><Tp><CdOrPrtry><Cd>SCOR</Cd></CdOrPrtry><Issr>BBA</Issr></Tp>"
            f"<Ref>{ogm}</Ref></CdtrRefInf></Strd>"
            if ogm
            else "<Ustrd>no reference</Ustrd>"
        )
        body.append(
            f'<Ntry><Amt Ccy="{currency}">{cents // 100}.{cents % 100:02d}</Amt><CdtDbtInd>{direction}</CdtDbtInd>'
            f"<Sts>BOOK</Sts><BookgDt><Dt>2026-11-02</Dt></BookgDt><AcctSvcrRef>{statement_id}-{index}</AcctSvcrRef>"
            f"<NtryDtls><TxDtls><RltdPties><Dbtr><Nm>Payer {index}</Nm></Dbtr></RltdPties><RmtInf>{remittance}"
            "</RmtInf></TxDtls></NtryDtls></Ntry>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">'
        f"<BkToCstmrStmt><GrpHdr><MsgId>{statement_id}</MsgId><CreDtTm>2026-11-02T08:00:00Z</CreDtTm></GrpHdr>"
        f"<Stmt><Id>{statement_id}</Id><Acct><Id><IBAN>BE68539007547034</IBAN></Id></Acct>{''.join(body)}"
        "</Stmt></BkToCstmrStmt></Document>"
    ).encode()


def ogm_of(http: httpx.Client, person: dict) -> str:
    wallet = http.get("/api/v1/wallet", headers=person["headers"]).json()
    return re.sub(r"\D", "", wallet["bank_transfer"]["communication"])


def fund_by_transfer(http: httpx.Client, operator: dict, person: dict, cents: int) -> dict:
    content = camt053([(ogm_of(http, person), cents, "EUR", "CRDT")])
    response = http.post(
        "/api/v1/wallet/admin/statements",
        headers=operator["headers"],
        json={"filename": "e2e.xml", "content_base64": base64.b64encode(content).decode()},
    )
    assert response.status_code == 200, response.text
    assert response.json()["booked"] == 1, response.json()
    return response.json()


def balance(http: httpx.Client, person: dict) -> int:
    response = http.get("/api/v1/wallet/balance", headers=person["headers"])
    assert response.status_code == 200, response.text
    return response.json()["balance_cents"]

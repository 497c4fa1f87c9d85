"""Demo wallet data, through the real API: the demo office's wallet gets money by a card top-up at
the fake payment provider (its checkout page, as a person would) and by a bank transfer with its
structured communication (a camt.053 statement imported by the platform administrator, with one
unmatched transfer left in the review queue); the second office's wallet stays empty, so both
"pay from the wallet" and "insufficient funds" can be tried.

Needs demo.shared["accounts"] (admin, platform_admin) and demo.shared["organisations"] (demo,
second). Safe to run again: it tops up only an empty wallet and imports the same statement once.
"""

from __future__ import annotations

import base64
import re

import httpx

ORDER = 30
CARD_TOPUP_CENTS = 250_00
TRANSFER_CENTS = 120_00


class DemoError(RuntimeError):
    pass


def _call(demo, method: str, path: str, who: dict, expect=(200, 201), **kwargs):
    headers = {"Authorization": f"Bearer {who['token']}", **kwargs.pop("headers", {})}
    response = demo.http.request(method, path, headers=headers, **kwargs)
    if response.status_code not in expect:
        raise DemoError(f"{method} {path}: {response.status_code} {response.text[:300]}")
    return response.json() if response.content else None


def _statement(ogm_digits: str) -> bytes:
    """A small camt.053 of the platform's account: one transfer with the wallet's communication,
    one without (it goes to the review queue)."""

    def entry(index: int, cents: int, remittance: str) -> str:
        return (
            f'<Ntry><Amt Ccy="EUR">{cents // 100}.{cents % 100:02d}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>'
            "<BookgDt><Dt>2026-11-02</Dt></BookgDt><ValDt><Dt>2026-11-02</Dt></ValDt>"
            f"<AcctSvcrRef>DEMO-2026-11-02-{index}</AcctSvcrRef><NtryDtls><TxDtls><RltdPties><Dbtr>"
            f"<Nm>Demo payer {index}</Nm></Dbtr></RltdPties><RmtInf>{remittance}</RmtInf></TxDtls></NtryDtls></Ntry>"
        )

    structured = (
        "<Strd><CdtrRefInf><Tp><CdOrPrtry><Cd>SCOR</Cd></CdOrPrtry><Issr>BBA</Issr></Tp>"
        f"<Ref>{ogm_digits}</Ref></CdtrRefInf></Strd>"
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">'
        "<BkToCstmrStmt><GrpHdr><MsgId>DEMO-STATEMENT-1</MsgId><CreDtTm>2026-11-02T08:00:00Z</CreDtTm></GrpHdr>"
        "<Stmt><Id>DEMO-STATEMENT-1</Id><Acct><Id><IBAN>BE68539007547034</IBAN></Id></Acct>"
        + entry(1, TRANSFER_CENTS, structured)
        + entry(2, 75_00, "<Ustrd>wallet top-up Immo Tweede</Ustrd>")
        + "</Stmt></BkToCstmrStmt></Document>"
    ).encode()


def seed(demo) -> list[str]:
    accounts = demo.shared.get("accounts") or {}
    organisations = demo.shared.get("organisations") or {}
    if "admin" not in accounts or "demo" not in organisations:
        return ["wallet: no demo wallet (demo accounts or organisations missing)"]
    admin, operator = accounts["admin"], accounts.get("platform_admin")
    wallet = _call(demo, "GET", "/api/v1/wallet", admin)
    lines = []
    if wallet["balance_cents"] == 0:
        topup = _call(
            demo,
            "POST",
            "/api/v1/wallet/topups",
            admin,
            json={"amount_cents": CARD_TOPUP_CENTS, "method": "bancontact"},
            headers={"Idempotency-Key": "demo-card-topup-0001"},
        )
        if topup["status"] == "open":
            # pay at the fake provider's checkout page, as the browser would
            with httpx.Client(timeout=30, follow_redirects=False) as browser:
                browser.get(topup["checkout_url"])
                browser.post(topup["checkout_url"], data={"status": "paid"})
            _call(demo, "GET", f"/api/v1/wallet/topups/{topup['topup_id']}?refresh=true", admin)
    if operator:
        ogm = re.sub(r"\D", "", wallet["bank_transfer"]["communication"])
        _call(
            demo,
            "POST",
            "/api/v1/wallet/admin/statements",
            operator,
            json={"filename": "demo-camt053.xml", "content_base64": base64.b64encode(_statement(ogm)).decode()},
        )
    balance = _call(demo, "GET", "/api/v1/wallet/balance", admin)["balance_cents"]
    lines.append(
        f"wallet: Immo Demo holds EUR {balance / 100:.2f} (card top-up at the fake provider, bank transfer "
        f"{wallet['bank_transfer']['communication']}); Immo Tweede's wallet is empty; "
        "one unmatched transfer waits at /wallet/admin"
    )
    return lines

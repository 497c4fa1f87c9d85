"""Demo transactions of the AML tool, through the real API, in the demo office: the sale of a house
by Anne Peeters to Patrimonium Vastgoed NV, paid from the wallet and assessed (it waits for the
employee's decision), and a second sale still a draft whose payment terms include cash (the cash
flag is visible; paying it would give enhanced vigilance and send it to the AML officer).

Needs the AML contacts seeder (aml.py, ORDER 40: both parties with an accepted risk profile), the
wallet seeder (money in the demo office's wallet) and demo.shared["accounts"]["employee"]. Safe to
run again: transactions that exist already (by reference) are left as they are.
"""

from __future__ import annotations

import uuid

ORDER = 45
SELLER, BUYER = "Peeters, Anne", "Patrimonium Vastgoed NV"
PROPERTY = {"street": "Lange Nieuwstraat", "number": "21", "postcode": "2000", "city": "Antwerpen", "country": "BE"}


class DemoError(RuntimeError):
    pass


def _api(demo, who: dict):
    headers = {"Authorization": f"Bearer {who['token']}"}

    def call(method: str, path: str, expect=(200, 201), **kwargs):
        extra = kwargs.pop("headers", {})
        response = demo.http.request(method, f"/api/v1/aml{path}", headers={**headers, **extra}, **kwargs)
        if response.status_code not in expect:
            raise DemoError(f"{method} {path}: {response.status_code} {response.text[:300]}")
        return response.json() if response.content else None

    return call


def _party(call, name: str) -> str | None:
    for contact in call("GET", "/transaction-parties", params={"q": name.split(",")[0], "limit": 10}):
        if contact["name"] == name:
            return contact["contact_id"]
    return None


def _exists(call, reference: str) -> bool:
    found = call("GET", "/transactions", params={"q": reference, "limit": 5})["items"]
    return any(item["reference"] == reference for item in found)


def seed(demo) -> list[str]:
    employee = (demo.shared.get("accounts") or {}).get("employee")
    if not employee or not demo.shared.get("organisations"):
        return ["aml transactions: none (the identity and organisation demo data are missing)"]
    call = _api(demo, employee)
    made = []
    try:
        seller, buyer = _party(call, SELLER), _party(call, BUYER)
        if not seller or not buyer:
            return [f"aml transactions: none ({SELLER} and {BUYER} need an accepted risk profile first)"]
        parties = [{"contact_id": seller, "role": "seller"}, {"contact_id": buyer, "role": "buyer"}]
        if not _exists(call, "DEMO-2026-001"):
            created = call(
                "POST",
                "/transactions",
                json={
                    "reference": "DEMO-2026-001",
                    "type": "sale",
                    "property": PROPERTY,
                    "price_cents": 485_000_00,
                    "agreed_on": "2026-11-20",
                    "description": "Sale of a town house with garden",
                    "answers": {"unusual_price": False, "third_party_payer": False, "funds_from_abroad": False},
                    "parties": parties,
                },
            )
            paid = call(
                "POST",
                f"/transactions/{created['transaction_id']}/payment",
                expect=(200, 402),
                headers={"Idempotency-Key": f"demo-{uuid.uuid4()}"},
            )
            if "state" in paid:
                made.append(f"DEMO-2026-001 (paid, {paid['level']} vigilance, waits for your decision)")
            else:
                made.append(f"DEMO-2026-001 (draft: the wallet lacks {paid.get('missing_cents', 0) / 100:.2f} EUR)")
        if not _exists(call, "DEMO-2026-002"):
            call(
                "POST",
                "/transactions",
                json={
                    "reference": "DEMO-2026-002",
                    "type": "sale",
                    "property": {**PROPERTY, "number": "23"},
                    "price_cents": 310_000_00,
                    "payment": {
                        "parts": [
                            {"method": "transfer", "amount_cents": 302_500_00},
                            {"method": "cash", "amount_cents": 7_500_00, "note": "part of the agent's fee"},
                        ]
                    },
                    "parties": parties,
                },
            )
            made.append("DEMO-2026-002 (draft with cash in the sale price: flagged)")
    except DemoError as exc:
        return [f"aml transactions: incomplete: {exc}"]
    if not made:
        return ["aml transactions: demo transactions already there (Transactions page of Immo Demo)"]
    return ["aml transactions in Immo Demo: " + "; ".join(made)]

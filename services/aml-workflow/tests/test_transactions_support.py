"""Shared set-up of the transaction service tests: a fresh office per test (its members fed to the
access read models of aml-workflow and the wallet as organisation.access_changed events on the
real broker), parties with accepted risk profiles made through the real entrypoints, and money
put in the wallet the way it really arrives (a bank statement imported by a platform admin)."""

from __future__ import annotations

import base64
import time
import uuid
from dataclasses import dataclass, field

import kombu
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session
from test_cases_service_support import NO_RISK_ANSWERS, b64, complete_person, wait_until

from aww_aml_workflow.cases import samples
from aww_contracts.envelope import make_envelope

PRICE = 2299  # EUR 19.00 + 21 % VAT
NO_RISK_PROFILE = {  # answers to the risk-profile questionnaire that raise nothing
    "payment_cash": False,
    "funds_from_abroad": False,
    "unknown_third_party": False,
    "funds_origin_unclear": False,
    "crypto_assets": False,
    "acts_for_someone_else": False,
    "unusual_transaction": False,
}


@dataclass
class Office:
    organisation_id: str
    accounts: dict[str, str] = field(default_factory=dict)  # name → account id

    def ctx(self, who: str = "user", language: str = "en") -> dict:
        return {
            "principal": {
                "account_id": self.accounts[who],
                "session_id": None,
                "organisation_id": self.organisation_id,
                "platform_admin": False,
            },
            "language": language,
        }


def new_office(amqp_uri: str, *database_urls: str, roles=None) -> Office:
    roles = roles or {"user": "user", "officer": "aml_officer", "no_role": "none"}
    office = Office(str(uuid.uuid4()), {name: str(uuid.uuid4()) for name in roles})
    version = time.time_ns() // 1000
    with kombu.Connection(amqp_uri) as connection:
        producer = connection.Producer(serializer="json")
        for name, role in roles.items():
            data = {
                "organisation_id": office.organisation_id,
                "account_id": office.accounts[name],
                "membership_status": "confirmed",
                "admin": False,
                "tools": {"aml": role},
                "display_name": f"{name.title()} Agent",
                "version": version,
            }
            producer.publish(
                make_envelope("organisation", "access_changed", data),
                exchange="organisation.events",
                routing_key="access_changed",
            )
    for url in database_urls:
        engine = create_engine(url)

        def there(engine=engine):
            with engine.connect() as connection:
                return connection.execute(
                    text("SELECT count(*) FROM organisation_access WHERE organisation_id = :o"),
                    {"o": office.organisation_id},
                ).scalar_one() == len(roles)

        try:
            wait_until(there, what="the access read model")
        finally:
            engine.dispose()
    return office


def clear_hits(database: str, run: dict, decided_by: str) -> None:
    from aww_aml_workflow.screening import api

    engine = create_engine(database)
    with Session(engine) as session:
        for hit in run["hits"]:
            api.decide_hit(
                session,
                organisation_id=run["organisation_id"],
                hit_id=hit["hit_id"],
                decision="false_positive",
                reason="Other birth date and nationality",
                decided_by=decided_by,
            )
        session.commit()
    engine.dispose()


def accepted_party(aml, database: str, office: Office, last_name: str, *, profile: bool = True, **changes) -> str:
    """A person contact identified, screened, accepted and (unless profile=False) with an accepted
    risk profile — through the service's own entrypoints. Returns the contact id."""
    call = aml(office.ctx())
    contact = call.create_contact("person", complete_person(last_name=last_name, **changes), NO_RISK_ANSWERS)
    contact_id = contact["contact_id"]
    call.upload_document(contact_id, "identity_document", "id-card.pdf", b64(samples.pdf("ID card")))
    clear_hits(database, call.screen_contact(contact_id), office.accounts["user"])
    decided = call.decide_contact(contact_id, "accept")
    assert decided["status"] == "accepted", decided
    if profile:
        started = call.start_risk_profile(contact_id, skip=True)
        call.decide_risk_profile(started["risk_profile_id"], "accept")
    return contact_id


def sale_data(reference: str | None = None, **changes) -> dict:
    data = {
        "reference": reference or f"T-{uuid.uuid4().hex[:8]}",
        "type": "sale",
        "property": {"street": "Meir", "number": "10", "postcode": "2000", "city": "Antwerpen", "country": "BE"},
        "price_cents": 35_000_000,
        "payment": {"parts": [{"method": "transfer", "amount_cents": 35_000_000}]},
        "agreed_on": "2026-11-20",
    }
    data.update(changes)
    return data


def camt053(entries, statement_id: str | None = None) -> bytes:
    """A camt.053 statement with entries (ogm digits, cents): the layout the wallet imports."""
    statement_id = statement_id or f"TX-{uuid.uuid4()}"
    body = []
    for index, (ogm, cents) in enumerate(entries):
        body.append(
            f'<Ntry><Amt Ccy="EUR">{cents // 100}.{cents % 100:02d}</Amt><CdtDbtInd>CRDT</CdtDbtInd>'
            f"<Sts>BOOK</Sts><BookgDt><Dt>2026-11-02</Dt></BookgDt><AcctSvcrRef>{statement_id}-{index}</AcctSvcrRef>"
            "<NtryDtls><TxDtls><RltdPties><Dbtr><Nm>Payer</Nm></Dbtr></RltdPties><RmtInf><Strd><CdtrRefInf><Tp>"
            f"<CdOrPrtry><Cd>SCOR</Cd></CdOrPrtry><Issr>BBA</Issr></Tp><Ref>{ogm}</Ref></CdtrRefInf></Strd></RmtInf>"
            "</TxDtls></NtryDtls></Ntry>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">'
        f"<BkToCstmrStmt><GrpHdr><MsgId>{statement_id}</MsgId><CreDtTm>2026-11-02T08:00:00Z</CreDtTm></GrpHdr>"
        f"<Stmt><Id>{statement_id}</Id><Acct><Id><IBAN>BE68539007547034</IBAN></Id></Acct>{''.join(body)}"
        "</Stmt></BkToCstmrStmt></Document>"
    ).encode()


def fund(rpc_proxy, wallet_database: str, office: Office, cents: int) -> None:
    """Credit the office's wallet by a bank transfer with its structured communication."""
    rpc_proxy("wallet", office.ctx()).get_wallet()  # the wallet (and its communication) exists
    engine = create_engine(wallet_database)
    with engine.connect() as connection:
        ogm = connection.execute(
            text("SELECT ogm FROM wallets WHERE organisation_id = :o"), {"o": office.organisation_id}
        ).scalar_one()
    engine.dispose()
    admin = {
        "principal": {"account_id": str(uuid.uuid4()), "session_id": None, "organisation_id": None,
                      "platform_admin": True},
        "language": "en",
    }  # fmt: skip
    content = camt053([(ogm, cents)])
    result = rpc_proxy("wallet", admin).import_statement(
        filename="funding.xml", content_b64=base64.b64encode(content).decode()
    )
    assert result["booked"] == 1, result


def balance(rpc_proxy, office: Office) -> int:
    return rpc_proxy("wallet", office.ctx()).get_wallet()["balance_cents"]


def charges_of(wallet_database: str, office: Office) -> list:
    engine = create_engine(wallet_database)
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT status, paid_by, reference, idempotency_key FROM charges WHERE organisation_id = :o"),
            {"o": office.organisation_id},
        ).all()
    engine.dispose()
    return rows

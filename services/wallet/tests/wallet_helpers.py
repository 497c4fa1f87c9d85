"""Shared helpers of the wallet service tests: feed the read models, call as someone, wait."""

from __future__ import annotations

import time
import uuid

import kombu
from nameko.standalone.rpc import ClusterRpcProxy

from aww_contracts.envelope import make_envelope


def publish(amqp_uri, event_type, data):
    envelope = make_envelope("organisation", event_type, data)
    with kombu.Connection(amqp_uri) as conn:
        conn.Producer(serializer="json").publish(envelope, exchange="organisation.events", routing_key=event_type)


def publish_access(
    amqp_uri, organisation_id, account_id, *, status="confirmed", tools=None, admin=False, name="Test Member"
):
    publish(
        amqp_uri,
        "access_changed",
        {
            "organisation_id": organisation_id,
            "account_id": account_id,
            "membership_status": status,
            "admin": admin,
            "tools": tools if tools is not None else {"aml": "user"},
            "display_name": name,
            "version": time.time_ns() // 1000,
        },
    )


def publish_organisation(amqp_uri, organisation_id, name="Immo Test", enterprise_number="0403019261"):
    publish(
        amqp_uri,
        "organisation_changed",
        {
            "organisation_id": organisation_id,
            "enterprise_number": enterprise_number,
            "name": name,
            "address": {"street": "Meir 1", "postcode": "2000", "city": "Antwerpen", "country": "BE"},
            "vat_liable": True,
            "vat_number": "BE" + enterprise_number,
            "version": time.time_ns() // 1000,
        },
    )


def context(account_id, organisation_id=None, platform_admin=False, language="nl"):
    return {
        "principal": {
            "account_id": account_id,
            "session_id": str(uuid.uuid4()),
            "organisation_id": organisation_id,
            "platform_admin": platform_admin,
        },
        "language": language,
    }


def wait_until(predicate, timeout=15.0, what="condition"):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            last = predicate()
            if last:
                return last
        except Exception as exc:  # the condition may not hold yet
            last = exc
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}: {last!r}")


def call(amqp_uri, service, method, ctx=None, timeout=30, **kwargs):
    """One call on its own proxy: safe from many green threads at once."""
    with ClusterRpcProxy({"AMQP_URI": amqp_uri}, context_data=ctx, timeout=timeout) as cluster:
        return getattr(getattr(cluster, service), method)(**kwargs)


def camt053(entries, statement_id=None, iban="BE68539007547034") -> bytes:
    """A camt.053.001.02 statement (the layout of the real samples in shared/specs/camt) with
    entries (ogm_digits or None, cents, currency, "CRDT"/"DBIT"). Used by tests and the bench."""
    statement_id = statement_id or f"STMT-{uuid.uuid4()}"
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt>',
        f"<GrpHdr><MsgId>{statement_id}</MsgId><CreDtTm>2026-11-02T08:00:00Z</CreDtTm></GrpHdr>",
        f"<Stmt><Id>{statement_id}</Id><CreDtTm>2026-11-02T08:00:00Z</CreDtTm>",
        f"<Acct><Id><IBAN>{iban}</IBAN></Id></Acct>",
    ]
    for index, (ogm, cents, currency, direction) in enumerate(entries):
        reference = (
            "<RmtInf><Strd><CdtrRefInf><Tp><CdOrPrtry><Cd>SCOR</Cd></CdOrPrtry><Issr>BBA</Issr></Tp>"
            f"<Ref>{ogm}</Ref></CdtrRefInf></Strd></RmtInf>"
            if ogm
            else "<RmtInf><Ustrd>no reference</Ustrd></RmtInf>"
        )
        parts.append(
            f'<Ntry><NtryRef>{index}</NtryRef><Amt Ccy="{currency}">{cents // 100}.{cents % 100:02d}</Amt>'
            f"<CdtDbtInd>{direction}</CdtDbtInd><Sts>BOOK</Sts><BookgDt><Dt>2026-11-02</Dt></BookgDt>"
            f"<ValDt><Dt>2026-11-02</Dt></ValDt><AcctSvcrRef>{statement_id}-{index}</AcctSvcrRef>"
            f"<NtryDtls><TxDtls><RltdPties><Dbtr><Nm>Payer {index}</Nm></Dbtr></RltdPties>{reference}</TxDtls>"
            "</NtryDtls></Ntry>"
        )
    parts.append("</Stmt></BkToCstmrStmt></Document>")
    return "".join(parts).encode()

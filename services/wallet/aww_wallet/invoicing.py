"""Issuing the monthly summary invoices: used by the service's timer and RPC and by the
operator command (python -m aww_wallet.ops invoices --period YYYY-MM). Runs in one transaction
of the caller's session: the invoice rows, their gapless numbers and the marks on the invoiced
charges and subscriptions commit together or not at all."""

from __future__ import annotations

import uuid
from datetime import datetime

from aww_wallet import store
from aww_wallet.base import document_id
from aww_wallet.config import Seller
from aww_wallet.domain.invoicing import Period, Usage, invoice_lines, invoice_number, rate_text, totals
from servicekit.outbox import add_event


def issue_invoices(
    session, period: Period, seller: Seller, now: datetime, language: str = "nl", publish: bool = True
) -> dict:
    start, end = period.utc_bounds()
    # one run at a time (timer on several replicas, operator command): the later one waits, then
    # finds the invoices issued and issues nothing twice
    session.execute(store.text("SELECT pg_advisory_xact_lock(7205001)"))
    issued, skipped = [], []
    for organisation_id in store.organisations_to_invoice(session, start, end):
        if store.invoice_for(session, organisation_id, period.start) is not None:
            continue
        buyer = store.organisation(session, organisation_id)
        if buyer is None:
            skipped.append({"organisation_id": organisation_id, "reason": "no invoice address known yet"})
            continue
        usage_rows = store.usage_of(session, organisation_id, start, end)
        if not usage_rows:
            continue
        usages = [Usage(r.product_code, dict(r.names), r.net_cents, r.vat_rate_bp, r.gross_cents) for r in usage_rows]
        lines = invoice_lines(usages)
        sums = totals(lines)
        sequence = store.next_invoice_sequence(session, now.year)  # numbered per year of issue
        number = invoice_number(now.year, sequence)
        invoice_id = str(uuid.uuid4())
        pdf_id = document_id("invoice", organisation_id, number)
        ubl_id = document_id("invoice_ubl", organisation_id, number)
        prepaid = sum(u.gross_cents for u in usages)
        data = {
            "number": number,
            "issue_date": now.astimezone(period_timezone()).date().isoformat(),
            "due_date": now.astimezone(period_timezone()).date().isoformat(),
            "issued_at": now.isoformat(),
            "period": {"start": period.start.isoformat(), "end": period.end.isoformat()},
            "seller": seller.as_party(),
            "buyer": {
                "name": buyer.name,
                "enterprise_number": buyer.enterprise_number,
                "vat_number": buyer.vat_number if buyer.vat_liable else None,
                "address": dict(buyer.address),
            },
            "lines": [
                {
                    "description": line.names,
                    "quantity": line.quantity,
                    "unit_price_cents": line.unit_price_cents,
                    "net_cents": line.net_cents,
                    "vat_rate": rate_text(line.vat_rate_bp),
                    "vat_cents": line.vat_cents,
                }
                for line in lines
            ],
            "totals": sums,
            "prepaid_cents": prepaid,
            "note": {
                "nl": "Reeds betaald uit de portefeuille.",
                "fr": "Déjà payé par le portefeuille.",
                "en": "Already paid from the wallet.",
            },
        }
        store.insert_invoice(
            session,
            {
                "invoice_id": invoice_id,
                "organisation_id": organisation_id,
                "period_start": period.start,
                "period_end": period.end,
                "year": now.year,
                "sequence": sequence,
                "number": number,
                "issue_date": data["issue_date"],
                "net_cents": sums["net_cents"],
                "vat_cents": sums["vat_cents"],
                "gross_cents": sums["gross_cents"],
                "prepaid_cents": prepaid,
                "pdf_document_id": pdf_id,
                "ubl_document_id": ubl_id,
                "usage_ids": [(r.source, str(r.id)) for r in usage_rows],
            },
        )
        for kind, doc in (("invoice", pdf_id), ("invoice_ubl", ubl_id)):
            store.request_document(
                session,
                document_id=doc,
                kind=kind,
                organisation_id=organisation_id,
                reference=number,
                language=language,
                data=data,
            )
        if publish:
            add_event(
                session,
                "invoice_issued",
                {
                    "invoice_id": invoice_id,
                    "organisation_id": organisation_id,
                    "number": number,
                    "period": period.label,
                    "net_cents": sums["net_cents"],
                    "vat_cents": sums["vat_cents"],
                    "gross_cents": sums["gross_cents"],
                    "pdf_document_id": pdf_id,
                    "ubl_document_id": ubl_id,
                },
            )
        issued.append({"organisation_id": organisation_id, "number": number, "gross_cents": sums["gross_cents"]})
    return {"period": period.label, "issued": issued, "skipped": skipped}


def period_timezone():
    from aww_wallet.domain.invoicing import BRUSSELS

    return BRUSSELS

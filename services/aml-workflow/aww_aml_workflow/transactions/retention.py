"""Retention of a transaction's records (law of 18 Sept 2017, art. 60): ten years after the
transaction — its decision (accepted or refused), else its deal date, else its creation; a
transaction still open (draft, paying, assessed, awaiting the officer, reported) has no date.

The purge (run by annual.retention.purge_due, the service's timer and the operator command) removes
the personal data of the transaction's own tables and keeps the anonymous skeleton the annual
figures are computed from (type, state, level, dates, price and currency, the payment methods and
amounts, the cash amount, factor ids, who of the office did what):

| table / column | purged to |
|---|---|
| aml_transactions.property (the address) | `{"purged": true}` |
| .reference (free text, may name a party) | `— <transaction id>` (unique per office, as the column must be) |
| .description, .decision_reason, .motivation | NULL |
| .answers | `{}` |
| .payment | the parts' method and amount only (the notes go) |
| .search_text | empty |
| aml_transaction_parties.display_name | `—` (the contact id, role and level stay) |
| aml_transaction_calculations.facts / .factors | `{}` / ids and effects only (parameters may hold names) |
| .charge's `reference` (`AML transaction <reference>`) | removed (the charge id, amounts, receipt id stay) |
| aml_timeline lines of the transaction | details reduced to TIMELINE_KEEPS (no names, references, reasons, answers) |

The wallet's charge (charge id, amounts, receipt) is the office's bill, not a party's data: kept, without
the reference it repeats. The transaction's CTIF-CFI reports and their goAML files in reporting's archive
go with it (officer/retention.py, annual/retention.py's `documents_expired` event).
"""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import select, text, update

from aww_aml_workflow.transactions import store
from aww_aml_workflow.transactions.domain.retention import (
    PURGED_NAME,
    TIMELINE_KEEPS,
    factor_residue,
    payment_residue,
    purged_reference,
)

# the day after which a transaction's records may go; NULL while the transaction is open
RETAIN_UNTIL_SQL = (
    "(CASE WHEN t.state IN ('accepted', 'refused') THEN "
    "(COALESCE((t.decided_at AT TIME ZONE 'Europe/Brussels')::date, t.agreed_on, "
    "(t.created_at AT TIME ZONE 'Europe/Brussels')::date) + interval '10 years')::date END)"
)


def due_transactions(session, on, limit: int) -> list[tuple[uuid.UUID, uuid.UUID, date]]:
    """Transactions past their retention date and not purged yet: (id, office, the date); locked, other
    replicas skip them."""
    rows = session.execute(
        text(
            f"""
            SELECT t.id, t.organisation_id, {RETAIN_UNTIL_SQL} AS until FROM aml_transactions t
            LEFT JOIN aml_retention r ON r.record_kind = 'transaction' AND r.record_id = t.id
            WHERE {RETAIN_UNTIL_SQL} < :today AND r.purged_at IS NULL
            ORDER BY t.id LIMIT :limit
            FOR UPDATE OF t SKIP LOCKED
            """
        ),
        {"today": on, "limit": limit},
    ).all()
    return [(row.id, row.organisation_id, row.until) for row in rows]


def purge_transaction(session, transaction_id: uuid.UUID) -> None:
    """Remove the personal data of one transaction's own tables (the caller records the purge)."""
    t, p, c = store.transactions, store.parties, store.calculations
    payment = session.execute(select(t.c.payment).where(t.c.id == transaction_id)).scalar_one()
    session.execute(
        update(t)
        .where(t.c.id == transaction_id)
        .values(
            reference=purged_reference(transaction_id),
            property={"purged": True},
            description=None,
            answers={},
            payment=payment_residue(payment),
            search_text="",
            decision_reason=None,
            motivation=None,
        )
    )
    session.execute(update(p).where(p.c.transaction_id == transaction_id).values(display_name=PURGED_NAME))
    for calculation in session.execute(
        select(c.c.id, c.c.factors, c.c.charge).where(c.c.transaction_id == transaction_id)
    ).all():
        session.execute(
            update(c)
            .where(c.c.id == calculation.id)
            .values(
                facts={},
                factors=None if calculation.factors is None else factor_residue(calculation.factors),
                charge=_charge_residue(calculation.charge),
            )
        )
    session.execute(
        text(
            "UPDATE aml_timeline SET details = (SELECT coalesce(jsonb_object_agg(key, value), '{}'::jsonb) "
            "FROM jsonb_each(details) WHERE key = ANY(:keeps)) WHERE transaction_id = :t"
        ),
        {"keeps": list(TIMELINE_KEEPS), "t": transaction_id},
    )


def _charge_residue(charge: dict | None) -> dict | None:
    """The wallet's answer without its `reference`, which repeats the transaction's (typed) reference."""
    return None if charge is None else {key: value for key, value in charge.items() if key != "reference"}

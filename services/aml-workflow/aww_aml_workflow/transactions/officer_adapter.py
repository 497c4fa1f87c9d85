"""The transactions' side of the AML officer's work: a CaseAdapter (officer/subjects.py) for kind
"transaction", registered at import. The officer package decides (four-eyes, reports, answers);
this adapter loads a transaction as CaseFacts and applies the lifecycle moves to it."""

from __future__ import annotations

import uuid

from sqlalchemy import select, update

from aww_aml_workflow.cases import store as case_store
from aww_aml_workflow.cases.handling import Actor
from aww_aml_workflow.officer import subjects
from aww_aml_workflow.transactions import handling, store
from aww_aml_workflow.transactions.domain import lifecycle, report
from aww_contracts.errors import DomainError

_TIMELINE = {
    "officer_accept": ("transaction_officer_accepted", "officer"),
    "officer_refuse": ("transaction_officer_refused", "officer"),
    "report_to_cfi": ("transaction_reported_to_cfi", "cfi"),
    "cfi_cleared": ("transaction_cfi_cleared", "cfi"),
    "cfi_refused": ("transaction_cfi_refused", "cfi"),
}


def _officer(actor) -> Actor:
    return Actor(
        organisation_id=uuid.UUID(str(actor.organisation_id)),
        account_id=uuid.UUID(str(actor.account_id)),
        role="aml_officer",
        language=getattr(actor, "language", "nl") or "nl",
    )


def _party_facts(session, organisation_id, party) -> dict:
    from aww_aml_workflow.screening import api as screening

    version = session.execute(
        select(case_store.versions.c.data, case_store.contacts.c.kind)
        .join(case_store.contacts, case_store.contacts.c.id == case_store.versions.c.contact_id)
        .where(
            case_store.versions.c.contact_id == party.contact_id,
            case_store.versions.c.version_no == party.version_no,
            case_store.versions.c.organisation_id == organisation_id,
        )
    ).first()
    data = dict(version.data) if version else {}
    kind = version.kind if version else "person"
    return {
        "role": party.role,
        "contact_id": str(party.contact_id),
        "version_no": party.version_no,
        "kind": kind,
        "name": party.display_name,
        "data": data,
        "ubos": report.beneficial_owners(kind, data),
        "screening_hits": report.screening_hits(screening.latest_run(session, organisation_id, str(party.contact_id))),
    }


class TransactionAdapter:
    kind = "transaction"

    def _row(self, session, organisation_id, case_id, *, lock: bool = False):
        try:
            transaction_id = uuid.UUID(str(case_id))
            organisation = uuid.UUID(str(organisation_id))
        except ValueError:
            raise DomainError("not_found", "There is no such transaction") from None
        query = select(store.transactions).where(
            store.transactions.c.id == transaction_id, store.transactions.c.organisation_id == organisation
        )
        row = session.execute(query.with_for_update() if lock else query).first()
        if row is None:
            raise DomainError("not_found", "There is no such transaction")
        return row

    def _facts(self, session, row) -> subjects.CaseFacts:
        parties = handling._parties(session, row.id)
        calculation = handling._calculation(session, row.calculation_id)
        assessment = handling.explain(calculation, "en")
        report_facts = report.transaction_report_facts(
            dict(row._mapping), [_party_facts(session, row.organisation_id, p) for p in parties], assessment
        )
        return subjects.CaseFacts(
            kind=self.kind,
            case_id=str(row.id),
            organisation_id=str(row.organisation_id),
            state=row.state,
            level=row.level or "standard",
            title=f"{row.reference} — {handling.address_line(row.property or {})}",
            proposed_by=str(row.escalated_by) if row.escalated_by else None,
            proposal=row.proposal,
            motivation=row.motivation,
            contact_ids=tuple(dict.fromkeys(str(p.contact_id) for p in parties)),
            report_facts=report_facts,
        )

    def load(self, session, organisation_id: str, case_id: str) -> subjects.CaseFacts:
        return self._facts(session, self._row(session, organisation_id, case_id))

    def apply(self, session, actor, case_id: str, action: str, note: str | None) -> subjects.CaseFacts:
        if action not in lifecycle.OFFICER_ACTIONS:
            raise DomainError("conflict", f"{action} is not a decision of the AML officer")
        officer = _officer(actor)
        row = self._row(session, officer.organisation_id, case_id, lock=True)
        target = lifecycle.move(row.state, action)
        moment = handling.now()
        values = {"state": target, "updated_at": moment}
        if target in ("accepted", "refused"):
            values |= {"decided_at": moment, "decided_by": officer.account_id, "decision_reason": note}
        session.execute(update(store.transactions).where(store.transactions.c.id == row.id).values(**values))
        timeline_action, marker = _TIMELINE[action]
        handling.record(
            session,
            officer,
            timeline_action,
            row.id,
            details={"from": row.state, "to": target, "note": note, "reference": row.reference},
            marker=marker,
        )
        handling._decided_event(session, officer, row, target, action, moment)
        return self._facts(session, self._row(session, officer.organisation_id, row.id))

    def awaiting(self, session, organisation_id: str, limit: int = 100) -> list[subjects.CaseFacts]:
        rows = session.execute(
            select(store.transactions)
            .where(
                store.transactions.c.organisation_id == uuid.UUID(str(organisation_id)),
                store.transactions.c.state == "awaiting_officer",
            )
            .order_by(store.transactions.c.escalated_at)
            .limit(limit)
        ).all()
        return [self._facts(session, row) for row in rows]


ADAPTER = subjects.register(TransactionAdapter())

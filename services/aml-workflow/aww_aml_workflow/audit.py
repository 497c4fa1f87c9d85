"""The audit log of who viewed or exported which personal data of the AML tool (issue 7, §9).

Entrypoints that show or hand out personal data call `record(...)` inside their own transaction,
after the access check and the read succeeded: the line exists exactly when the data left the
service. A line holds ids and counts only — never names, numbers or search terms (the search
text of a contact search may be a national number, so only whether one was given is kept).

What is logged (action, subject kind, subject id, details):

| entrypoint | line |
|---|---|
| get_contact / search_contacts / get_document / screening / acceptance document | see cases and screening |
| get_transaction | view, transaction, its id, {parties} |
| search_transactions | search, transaction_list, —, {query: given or not, results} |
| eligible_parties (contacts offered as parties) | search, contact_list, —, {query, results, purpose} |
| transaction_timeline | view, transaction_timeline, its id, {entries} |
| officer_case | view, transaction or risk_profile, the case id, {officer_case: true} |
| case_timeline | view, transaction_timeline or risk_profile_timeline, the case id, {entries} |
| officer_inbox | view, officer_inbox, —, {cases, reports} |
| officer_notifications | view, officer_notifications, —, {results} |
| cfi_reports | view, cfi_report_list, —, {results} |
| cfi_report | view, cfi_report, its id, {case_kind, case_id, revision} |
| download_cfi_report (the goAML XML) | download, cfi_report, its id, {sha256} |

The log belongs to the office's AML records (kept with them, readable by its AML officers).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import insert, select

from aww_aml_workflow.annual.store import anonymised_accounts, audit_log
from aww_contracts.errors import field_error
from servicekit.access import access_table

ACTIONS = ("view", "search", "download", "export")
SUBJECTS = (
    "contact",
    "contact_list",
    "document",
    "acceptance_document",
    "screening",
    "screening_run",
    "annual_report",
    "audit_log",
    "retention",
    # transactions and the AML officer (their data name parties, addresses, prices, reasons)
    "transaction",
    "transaction_list",
    "transaction_timeline",
    "risk_profile",
    "risk_profile_timeline",
    "officer_inbox",
    "officer_notifications",
    "cfi_report",
    "cfi_report_list",
)
MAX_PAGE = 200


def _role_name(role: str) -> str:
    return "aml_officer" if role == "aml_officer" else "employee"


def record(session, *, organisation_id, account_id, role: str, action: str, subject_kind: str, subject_id=None,
           details: dict | None = None) -> None:  # fmt: skip
    """One line: `account_id` (with tool role `role`) did `action` on `subject_kind` `subject_id`."""
    if action not in ACTIONS or subject_kind not in SUBJECTS:
        raise ValueError(f"unknown audit action {action!r} on {subject_kind!r}")
    session.execute(
        insert(audit_log).values(
            organisation_id=uuid.UUID(str(organisation_id)),
            at=datetime.now(UTC),
            actor_id=uuid.UUID(str(account_id)),
            actor_role=_role_name(role),
            action=action,
            subject_kind=subject_kind,
            subject_id=None if subject_id is None else str(subject_id)[:100],
            details=details or {},
        )
    )


def record_for(session, actor, action: str, subject_kind: str, subject_id=None, details: dict | None = None) -> None:
    """`record` for a cases.handling.Actor (organisation_id, account_id, role)."""
    record(
        session,
        organisation_id=actor.organisation_id,
        account_id=actor.account_id,
        role=actor.role,
        action=action,
        subject_kind=subject_kind,
        subject_id=subject_id,
        details=details,
    )


def record_for_access(session, access, action: str, subject_kind: str, subject_id=None, details=None) -> None:
    """`record` for a servicekit.access.Access of the AML tool."""
    record(
        session,
        organisation_id=access.organisation_id,
        account_id=access.account_id,
        role=access.role("aml"),
        action=action,
        subject_kind=subject_kind,
        subject_id=subject_id,
        details=details,
    )


def entries(session, organisation_id, *, actor_id=None, subject_kind=None, subject_id=None, before=None,
            limit: int = 50) -> dict:  # fmt: skip
    """The office's audit log, newest first, with the actors' names as the office knows them
    (an account identity anonymised shows as anonymised). `before` is the `next` cursor."""
    if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= MAX_PAGE:
        raise field_error("limit", f"give a number from 1 to {MAX_PAGE}")
    if subject_kind is not None and subject_kind not in SUBJECTS:
        raise field_error("subject_kind", f"one of {', '.join(SUBJECTS)}")
    query = (
        select(
            audit_log,
            access_table.c.display_name,
            anonymised_accounts.c.account_id.label("anonymised"),
        )
        .outerjoin(
            access_table,
            (access_table.c.organisation_id == audit_log.c.organisation_id)
            & (access_table.c.account_id == audit_log.c.actor_id),
        )
        .outerjoin(anonymised_accounts, anonymised_accounts.c.account_id == audit_log.c.actor_id)
        .where(audit_log.c.organisation_id == uuid.UUID(str(organisation_id)))
    )
    if actor_id:
        query = query.where(audit_log.c.actor_id == _uuid(actor_id, "actor_id"))
    if subject_kind:
        query = query.where(audit_log.c.subject_kind == subject_kind)
    if subject_id:
        query = query.where(audit_log.c.subject_id == str(subject_id)[:100])
    if before is not None:
        if not isinstance(before, int | str) or not str(before).isdigit():
            raise field_error("before", "give the `next` value of the previous page")
        query = query.where(audit_log.c.id < int(before))
    rows = session.execute(query.order_by(audit_log.c.id.desc()).limit(limit + 1)).all()
    items = [
        {
            "id": row.id,
            "at": row.at.isoformat(),
            "actor_id": str(row.actor_id),
            "actor_name": None if row.anonymised else row.display_name,
            "actor_anonymised": row.anonymised is not None,
            "actor_role": row.actor_role,
            "action": row.action,
            "subject_kind": row.subject_kind,
            "subject_id": row.subject_id,
            "details": row.details,
        }
        for row in rows[:limit]
    ]
    return {"items": items, "next": str(items[-1]["id"]) if len(rows) > limit else None}


def _uuid(value, field: str) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise field_error(field, "must be a UUID") from None

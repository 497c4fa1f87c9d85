"""Retention of AML records (law art. 60): the end of a relationship, each contact's retention
date, the office's overview, and the purge after the date.

The ten years run from the end of the relationship: the day the office marks it ended (employee
or officer, with a reason), or the refusal of the contact's current version. A contact that is a
party to a transaction is kept at least as long as that transaction (ten years after its decision,
else its deal date; no date while the transaction is open). Before the date nothing is deleted;
the purge (a timer of the service and the operator command
`python -m aww_aml_workflow.annual.ops purge`) then removes the personal data — identification
data, answers, proof documents, free texts, names in screening records — and keeps the anonymous
skeleton (kinds, states, dates, levels, factor ids, list kinds, decisions) that the annual
figures are computed from, so the report of an old year keeps its numbers.

The same purge removes, past their own date, the personal data of transactions (ten years after
the decision; what goes and stays: transactions/retention.py) with their CTIF-CFI reports and
officer notifications (officer/retention.py); a contact's purge takes its risk profiles' CTIF-CFI
reports and notifications along. Queued e-mails (servicekit's mail_outbox: the officer mails name the
case, so they hold personal data) older than the ten years are deleted: the relay prunes sent mail
after a week, but a mail given up on (failed) would otherwise stay for ever; a mail cannot be tied to
one record, and no mail is an AML record (the timeline's `officer_notified` line is), so its own
creation date counts.

The documents a purged record had reporting render and archive — its acceptance-document PDFs and
the goAML XML files of its CTIF-CFI reports, every revision — name the person too. Before the purge
removes the references to them, it collects their ids and adds, in the same transaction, the event
`documents_expired` {organisation_id, record_kind, record_id, document_ids, retention_date} (ids and
a date only); reporting purges those documents of that organisation from its archive (README.md).
"""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, date, datetime

from sqlalchemy import delete, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert

from aww_aml_workflow.annual import domain
from aww_aml_workflow.annual.store import retention
from aww_aml_workflow.cases import store as cases
from aww_aml_workflow.domain.dates import local_date
from aww_aml_workflow.officer import retention as officer_retention
from aww_aml_workflow.screening import store as screening
from aww_aml_workflow.transactions import retention as transaction_retention
from aww_contracts.errors import DomainError, field_error
from servicekit.outbox import add_events

log = logging.getLogger(__name__)

PURGED_NAME = "—"
MAX_PAGE = 200
DOCUMENTS_EXPIRED = "documents_expired"
MAX_DOCUMENTS_PER_EVENT = 500  # the event's schema allows 1000; a record with more sends several
PURGED_COUNT_TIMEOUT_SECONDS = 5  # the overview shows what aml-workflow knows without it


def now() -> datetime:
    return datetime.now(UTC)


def today() -> date:
    return local_date(now())


# one row per contact: its explicit end, its refusal day, its purge
STATE_SQL = """
SELECT c.id, c.organisation_id, c.kind, c.display_name, c.status,
       r.relationship_ended_on, r.end_reason, r.ended_by, r.purged_at,
       CASE WHEN c.status = 'refused' THEN (v.decided_at AT TIME ZONE 'Europe/Brussels')::date END AS refused_on
FROM aml_contacts c
JOIN aml_contact_versions v ON v.contact_id = c.id AND v.version_no = c.current_version
LEFT JOIN aml_retention r ON r.record_kind = 'contact' AND r.record_id = c.id
"""
RETAIN_UNTIL_SQL = "(COALESCE(r.relationship_ended_on, CASE WHEN c.status = 'refused' THEN " \
    "(v.decided_at AT TIME ZONE 'Europe/Brussels')::date END) + interval '10 years')::date"  # fmt: skip


# a transaction's own retention runs from its end (the decision, else the deal date); a transaction
# still open keeps its parties with no date at all
TRANSACTION_UNTIL_SQL = f"""
SELECT p.contact_id,
       bool_or(t.state NOT IN ('accepted', 'refused')) AS open,
       max({transaction_retention.RETAIN_UNTIL_SQL}) AS until
FROM aml_transaction_parties p JOIN aml_transactions t ON t.id = p.transaction_id
WHERE p.contact_id = ANY(:ids) GROUP BY p.contact_id
"""


def _linked(session, contact_ids: list) -> dict:
    """contact id → (a transaction is still open, the latest retention date of its transactions)."""
    from aww_aml_workflow.annual.statistics import table_exists

    if not contact_ids or not table_exists(session, "aml_transaction_parties"):
        return {}
    return {row.contact_id: (row.open, row.until) for row in session.execute(text(TRANSACTION_UNTIL_SQL),
                                                                             {"ids": list(contact_ids)})}  # fmt: skip


def _state_dict(row, linked: tuple | None = None) -> dict:
    state = domain.retention_state(row.relationship_ended_on, row.refused_on, linked[1] if linked else None)
    if linked and linked[0] and row.purged_at is None:  # a party to a transaction still open: no date yet
        state = domain.RetentionState(state.ended_on, state.ended_by, None)
    return {
        "contact_id": str(row.id),
        "display_name": row.display_name,
        "kind": row.kind,
        "status": row.status,
        "relationship_ended_on": state.ended_on.isoformat() if state.ended_on else None,
        "ended_by": state.ended_by,
        "end_reason": row.end_reason,
        "retain_until": state.retain_until.isoformat() if state.retain_until else None,
        "purged_at": row.purged_at.isoformat() if row.purged_at else None,
    }


def _contact_state(session, organisation_id, contact_id):
    try:
        wanted = uuid.UUID(str(contact_id))
    except ValueError:
        raise DomainError("not_found", "There is no such contact") from None
    row = session.execute(
        text(STATE_SQL + " WHERE c.id = :id AND c.organisation_id = :o"), {"id": wanted, "o": organisation_id}
    ).first()
    if row is None:
        raise DomainError("not_found", "There is no such contact")
    return row


def retention_of(session, actor, contact_id) -> dict:
    row = _contact_state(session, actor.organisation_id, contact_id)
    return _state_dict(row, _linked(session, [row.id]).get(row.id))


def end_relationship(session, actor, contact_id, *, ended_on=None, reason=None) -> dict:
    """Mark the end of the business relationship with a contact: the ten years start then."""
    row = _contact_state(session, actor.organisation_id, contact_id)
    if row.purged_at is not None:
        raise DomainError("conflict", "This contact's records were purged after their retention date")
    day = domain.check_end_date(ended_on if ended_on is not None else today(), today())
    if reason is not None and (not isinstance(reason, str) or len(reason) > domain.MAX_END_REASON):
        raise field_error("reason", f"must be a text of at most {domain.MAX_END_REASON} characters")
    values = {
        "organisation_id": actor.organisation_id,
        "relationship_ended_on": day,
        "ended_by": actor.account_id,
        "ended_at": now(),
        "end_reason": (reason or "").strip() or None,
    }
    session.execute(
        pg_insert(retention)
        .values(record_kind="contact", record_id=row.id, **values)
        .on_conflict_do_update(index_elements=["record_kind", "record_id"], set_=values)
    )
    _timeline(session, actor, row.id, "relationship_ended", {"ended_on": day.isoformat()})
    return retention_of(session, actor, row.id)


def reopen_relationship(session, actor, contact_id) -> dict:
    """The relationship goes on after all (only before the purge): the retention date is lifted."""
    row = _contact_state(session, actor.organisation_id, contact_id)
    if row.purged_at is not None:
        raise DomainError("conflict", "This contact's records were purged after their retention date")
    if row.relationship_ended_on is None:
        raise DomainError("conflict", "The relationship with this contact was not marked as ended")
    session.execute(
        update(retention)
        .where(retention.c.record_kind == "contact", retention.c.record_id == row.id)
        .values(relationship_ended_on=None, ended_by=actor.account_id, ended_at=now(), end_reason=None)
    )
    _timeline(session, actor, row.id, "relationship_reopened", {})
    return retention_of(session, actor, row.id)


def _timeline(session, actor, contact_id, action: str, details: dict) -> None:
    from aww_aml_workflow.cases import handling

    handling.record(session, actor, action, contact_id=contact_id, details=details)


def overview(session, actor, *, limit: int = 50, on: date | None = None, reporting=None) -> dict:
    """Counts of contacts (ongoing, retained until a date, due for purge, purged), of transactions
    (open, retained, due, purged) and of the archived documents reporting purged, and the contacts'
    next dates. `documents` is None when reporting is not given or does not answer in time: the
    page then says so instead of failing."""
    if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= MAX_PAGE:
        raise field_error("limit", f"give a number from 1 to {MAX_PAGE}")
    day = on or today()
    p = {"o": actor.organisation_id, "today": day}
    counts = _record_counts(
        session,
        RETAIN_UNTIL_SQL,
        "aml_contacts c JOIN aml_contact_versions v ON v.contact_id = c.id AND v.version_no = c.current_version"
        " LEFT JOIN aml_retention r ON r.record_kind = 'contact' AND r.record_id = c.id WHERE c.organisation_id = :o",
        p,
    )
    upcoming = session.execute(
        text(
            STATE_SQL + f" WHERE c.organisation_id = :o AND {RETAIN_UNTIL_SQL} IS NOT NULL AND r.purged_at IS NULL"
            f" ORDER BY {RETAIN_UNTIL_SQL}, c.id LIMIT :limit"
        ),
        p | {"limit": limit},
    ).all()
    linked = _linked(session, [row.id for row in upcoming])
    return {
        "today": day.isoformat(),
        "retention_years": domain.RETENTION_YEARS,
        "counts": {"ongoing": counts.pop("undated")} | counts,
        "transactions": _transaction_counts(session, actor.organisation_id, day),
        "documents": _purged_documents(reporting, actor.organisation_id),
        "upcoming": [_state_dict(row, linked.get(row.id)) for row in upcoming],
    }


def _transaction_counts(session, organisation_id, day: date) -> dict:
    """Transactions still open (no date yet), kept until their date, past it, purged."""
    if not _exists(session, "aml_transactions"):
        return {"open": 0, "retained": 0, "due": 0, "purged": 0}
    counts = _record_counts(
        session,
        transaction_retention.RETAIN_UNTIL_SQL,
        "aml_transactions t LEFT JOIN aml_retention r ON r.record_kind = 'transaction' AND r.record_id = t.id"
        " WHERE t.organisation_id = :o",
        {"o": organisation_id, "today": day},
    )
    return {"open": counts.pop("undated")} | counts


def _record_counts(session, until_sql: str, records_sql: str, params: dict) -> dict:
    """Records without a retention date yet, kept until their date, past it, purged (`r` is the
    record's aml_retention row)."""
    row = session.execute(
        text(
            f"""
            SELECT count(*) FILTER (WHERE {until_sql} IS NULL) AS undated,
                   count(*) FILTER (WHERE {until_sql} >= :today AND r.purged_at IS NULL) AS retained,
                   count(*) FILTER (WHERE {until_sql} < :today AND r.purged_at IS NULL) AS due,
                   count(*) FILTER (WHERE r.purged_at IS NOT NULL) AS purged
            FROM {records_sql}
            """
        ),
        params,
    ).one()
    return dict(row._mapping)


def _purged_documents(reporting, organisation_id) -> dict | None:
    """Reporting's count of the office's purged documents ({purged, by_kind, last_purged_at})."""
    if reporting is None:
        return None
    try:
        counter = reporting.with_timeout(PURGED_COUNT_TIMEOUT_SECONDS)
        found = counter.purged_documents(organisation_id=str(organisation_id))
    except Exception as exc:  # the overview still shows what aml-workflow knows
        log.warning("retention overview: no purged-document count from reporting (%s)", type(exc).__name__)
        return None
    return {key: found[key] for key in ("purged", "by_kind", "last_purged_at")}


# ---- the purge -------------------------------------------------------------------------------------


def due_contacts(session, on: date, limit: int) -> list[tuple[uuid.UUID, uuid.UUID, date]]:
    """Contacts past their own retention date and not purged: (id, office, the date), locked."""
    rows = session.execute(
        text(
            f"""
            SELECT c.id, c.organisation_id, {RETAIN_UNTIL_SQL} AS until FROM aml_contacts c
            JOIN aml_contact_versions v ON v.contact_id = c.id AND v.version_no = c.current_version
            LEFT JOIN aml_retention r ON r.record_kind = 'contact' AND r.record_id = c.id
            WHERE {RETAIN_UNTIL_SQL} < :today AND r.purged_at IS NULL
            ORDER BY c.id LIMIT :limit
            FOR UPDATE OF c SKIP LOCKED
            """
        ),
        {"today": on, "limit": limit},
    ).all()
    return [(row.id, row.organisation_id, row.until) for row in rows]


def purge_due(session, *, on: date | None = None, limit: int = 100) -> dict:
    """Purge up to `limit` contacts and `limit` transactions whose retention date has passed, and the
    queued e-mails older than the retention (safe with several replicas: the rows are locked, others
    skip them). `documents`: how many archived document ids went to reporting in `documents_expired`."""
    day = on or today()
    purged = []
    documents = 0
    due = due_contacts(session, day, limit)
    linked = _linked(session, [contact_id for contact_id, _, _ in due])
    for contact_id, organisation_id, own_until in due:
        is_open, until = linked.get(contact_id, (False, None))
        if is_open or (until is not None and until >= day):
            continue  # a transaction it is a party to is kept longer: the contact waits for it
        documents += purge_contact(session, contact_id, organisation_id, max(own_until, until or own_until))
        purged.append(str(contact_id))
    transactions = []
    if _exists(session, "aml_transactions"):
        for transaction_id, organisation_id, until in transaction_retention.due_transactions(session, day, limit):
            documents += purge_transaction(session, transaction_id, organisation_id, until)
            transactions.append(str(transaction_id))
    mails = purge_mails(session, day)
    return {
        "on": day.isoformat(),
        "purged": len(purged) + len(transactions),
        "contacts": len(purged),
        "contact_ids": purged,
        "transactions": len(transactions),
        "transaction_ids": transactions,
        "mails": mails,
        "documents": documents,
    }


def _exists(session, table: str) -> bool:
    from aww_aml_workflow.annual.statistics import table_exists

    return table_exists(session, table)


def purge_transaction(session, transaction_id: uuid.UUID, organisation_id: uuid.UUID, retention_date: date) -> int:
    """Purge one transaction; returns the number of archived document ids handed to reporting."""
    documents = set()
    if _exists(session, "aml_cfi_reports"):
        documents = officer_retention.case_documents(session, organisation_id, "transaction", [transaction_id])
    transaction_retention.purge_transaction(session, transaction_id)
    if _exists(session, "aml_cfi_reports"):
        officer_retention.purge_case(session, organisation_id, "transaction", [transaction_id])
    _mark_purged(session, "transaction", transaction_id, organisation_id)
    session.execute(
        text(
            "INSERT INTO aml_timeline (organisation_id, transaction_id, at, actor_role, action, details) "
            "VALUES (:o, :t, :at, 'system', 'personal_data_purged', '{}'::jsonb)"
        ),
        {"o": organisation_id, "t": transaction_id, "at": now()},
    )
    return documents_expired(session, organisation_id, "transaction", transaction_id, documents, retention_date)


def purge_mails(session, on: date) -> int:
    """Delete queued e-mails (sent, failed or stuck) made more than the retention years before `on`."""
    if not _exists(session, "mail_outbox"):
        return 0
    return session.execute(
        text("DELETE FROM mail_outbox WHERE created_at < CAST(:limit AS date)"),
        {"limit": domain.add_years(on, -domain.RETENTION_YEARS)},
    ).rowcount


def _mark_purged(session, kind: str, record_id: uuid.UUID, organisation_id: uuid.UUID) -> None:
    session.execute(
        pg_insert(retention)
        .values(record_kind=kind, record_id=record_id, organisation_id=organisation_id, purged_at=now())
        .on_conflict_do_update(index_elements=["record_kind", "record_id"], set_={"purged_at": now()})
    )


def documents_expired(session, organisation_id, record_kind: str, record_id, document_ids, retention_date) -> int:
    """Hand the ids of a purged record's archived documents to reporting (in this transaction)."""
    ids = sorted(str(document_id) for document_id in set(document_ids))
    if not ids:
        return 0
    add_events(
        session,
        DOCUMENTS_EXPIRED,
        [
            {
                "organisation_id": str(organisation_id),
                "record_kind": record_kind,
                "record_id": str(record_id),
                "document_ids": ids[start : start + MAX_DOCUMENTS_PER_EVENT],
                "retention_date": retention_date.isoformat(),
            }
            for start in range(0, len(ids), MAX_DOCUMENTS_PER_EVENT)
        ],
    )
    return len(ids)


def contact_documents(session, contact_id: uuid.UUID, organisation_id: uuid.UUID) -> set[uuid.UUID]:
    """The contact's documents in reporting's archive: its acceptance documents (every version and
    language) and the goAML files of its risk profiles' CTIF-CFI reports."""
    found = set(
        session.execute(
            select(cases.acceptance_documents.c.document_id).where(
                cases.acceptance_documents.c.contact_id == contact_id,
                cases.acceptance_documents.c.organisation_id == organisation_id,
            )
        ).scalars()
    )
    if _exists(session, "aml_cfi_reports"):
        profile_ids = _profile_ids(session, contact_id)
        found |= officer_retention.case_documents(session, organisation_id, "risk_profile", profile_ids)
    return found


def _profile_ids(session, contact_id: uuid.UUID) -> list[uuid.UUID]:
    profiles = cases.risk_profiles.c
    return list(session.execute(select(profiles.id).where(profiles.contact_id == contact_id)).scalars())


def purge_contact(session, contact_id: uuid.UUID, organisation_id: uuid.UUID, retention_date: date) -> int:
    """Purge one contact; returns the number of archived document ids handed to reporting."""
    documents = contact_documents(session, contact_id, organisation_id)  # before their references go
    kind = session.execute(select(cases.contacts.c.kind).where(cases.contacts.c.id == contact_id)).scalar_one()
    for version in session.execute(
        select(cases.versions.c.version_no, cases.versions.c.data).where(cases.versions.c.contact_id == contact_id)
    ).all():
        data = version.data or {}
        count = data.get("beneficial_owner_count", 0) if data.get("purged") else _ubo_count(kind, data)
        session.execute(
            update(cases.versions)
            .where(cases.versions.c.contact_id == contact_id, cases.versions.c.version_no == version.version_no)
            .values(data=domain.version_residue(kind, data, count), answers={}, decision_reason=None)
        )
    session.execute(
        update(cases.contacts)
        .where(cases.contacts.c.id == contact_id)
        .values(display_name=PURGED_NAME, number=None, search_text="", sort_name="")
    )
    blob_ids = set(
        session.execute(select(cases.documents.c.blob_id).where(cases.documents.c.contact_id == contact_id)).scalars()
    )
    session.execute(delete(cases.documents).where(cases.documents.c.contact_id == contact_id))
    if blob_ids:
        still_used = set(
            session.execute(select(cases.documents.c.blob_id).where(cases.documents.c.blob_id.in_(blob_ids))).scalars()
        )
        if blob_ids - still_used:
            session.execute(delete(cases.blobs).where(cases.blobs.c.id.in_(blob_ids - still_used)))
    for assessment in session.execute(
        select(cases.assessments.c.id, cases.assessments.c.factors).where(cases.assessments.c.contact_id == contact_id)
    ).all():
        session.execute(
            update(cases.assessments)
            .where(cases.assessments.c.id == assessment.id)
            .values(facts={}, factors=domain.factor_residue(assessment.factors))
        )
    session.execute(
        update(cases.risk_profiles)
        .where(cases.risk_profiles.c.contact_id == contact_id)
        .values(answers={}, decision_reason=None, motivation=None)
    )
    session.execute(
        text(
            "UPDATE aml_timeline SET details = (SELECT coalesce(jsonb_object_agg(key, value), '{}'::jsonb) "
            "FROM jsonb_each(details) WHERE key = ANY(:keeps)) WHERE contact_id = :c"
        ),
        {"keeps": list(domain.TIMELINE_KEEPS), "c": contact_id},
    )
    session.execute(delete(cases.acceptance_documents).where(cases.acceptance_documents.c.contact_id == contact_id))
    _purge_screening(session, str(contact_id), organisation_id)
    if _exists(session, "aml_cfi_reports"):
        officer_retention.purge_case(session, organisation_id, "risk_profile", _profile_ids(session, contact_id))
    _mark_purged(session, "contact", contact_id, organisation_id)
    session.execute(
        text(
            "INSERT INTO aml_timeline (organisation_id, contact_id, at, actor_role, action, details) "
            "VALUES (:o, :c, :at, 'system', 'personal_data_purged', '{}'::jsonb)"
        ),
        {"o": organisation_id, "c": contact_id, "at": now()},
    )
    return documents_expired(session, organisation_id, "contact", contact_id, documents, retention_date)


def _purge_screening(session, contact_id: str, organisation_id) -> None:
    where = lambda table: (table.c.organisation_id == organisation_id) & (table.c.contact_id == contact_id)  # noqa: E731
    session.execute(update(screening.runs).where(where(screening.runs)).values(subjects=[]))
    session.execute(
        update(screening.hits)
        .where(where(screening.hits))
        .values(query_name="", matched_name="", entry_summary={}, explanation={}, subject_fingerprint="")
    )
    session.execute(
        update(screening.decisions).where(where(screening.decisions)).values(reason="", subject_fingerprint="")
    )
    session.execute(update(screening.monitoring).where(where(screening.monitoring)).values(monitored=False))


def _ubo_count(kind: str, data: dict) -> int:
    from aww_aml_workflow.annual.statistics import _ubo_count as count

    return count(kind, data)

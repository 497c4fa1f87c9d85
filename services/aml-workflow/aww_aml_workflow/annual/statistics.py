"""The statistics queries of the annual report: one office, one calendar year (Belgian time).

They read the skeleton of the records that a retention purge keeps (kinds, states, dates, levels,
factor ids, list kinds, decisions), so a year whose records were purged keeps its figures. The
parts of other packages (transactions, the officer's CTIF-CFI reports) are read through SQL only
when their tables exist in this database.
"""

from __future__ import annotations

import uuid

from sqlalchemy import text

from aww_aml_workflow.annual import domain
from aww_aml_workflow.annual.figures import Rows, figures
from aww_aml_workflow.cases.domain import contacts as contact_rules


def _ubo_count(kind: str, data: dict | None) -> int:
    if kind != "organisation" or not data:
        return 0
    if data.get("purged"):
        return int(data.get("beneficial_owner_count") or 0)
    try:
        found = contact_rules.beneficial_owners(data)
    except (KeyError, TypeError, ValueError):  # an ownership the rules cannot read counts nobody
        return 0
    if not found:
        return 0
    if found.get("fallback_to_senior_managers"):
        return len(data.get("senior_managers") or [])
    return len(found["owners"])


DECISIONS = text(
    """
    SELECT v.contact_id, c.kind, v.state, v.data->>'role' AS role, a.level,
           (SELECT array_agg(f->>'id') FROM jsonb_array_elements(a.factors) f) AS factor_ids,
           CASE WHEN c.kind = 'organisation' AND v.state = 'accepted' THEN v.data END AS org_data
    FROM aml_contact_versions v
    JOIN aml_contacts c ON c.id = v.contact_id
    LEFT JOIN aml_assessments a ON a.id = v.assessment_id
    WHERE v.organisation_id = :o AND v.decided_at >= :start AND v.decided_at < :end
    ORDER BY v.decided_at, v.contact_id, v.version_no
    """
)


def table_exists(session, name: str) -> bool:
    return session.execute(text("SELECT to_regclass(:name) IS NOT NULL"), {"name": name}).scalar_one()


def gather(session, organisation_id, year: int) -> Rows:
    start, end = domain.year_bounds(year)
    o = uuid.UUID(str(organisation_id))
    p = {"o": o, "start": start, "end": end}
    rows = Rows()
    rows.decisions = [
        {
            "contact_id": str(row.contact_id),
            "kind": row.kind,
            "state": row.state,
            "role": row.role,
            "level": row.level,
            "factors": list(row.factor_ids or ()),
            "ubos": _ubo_count(row.kind, row.org_data),
        }
        for row in session.execute(DECISIONS, p)
    ]
    one = lambda sql: session.execute(text(sql), p).scalar_one()  # noqa: E731
    rows.contacts_created = one(
        "SELECT count(*) FROM aml_contacts WHERE organisation_id = :o AND created_at >= :start AND created_at < :end"
    )
    rows.versions_left_incomplete = one(
        "SELECT count(*) FROM aml_contact_versions WHERE organisation_id = :o AND created_at >= :start "
        "AND created_at < :end AND (decided_at IS NULL OR decided_at >= :end)"
    )
    rows.screening_runs = one(
        "SELECT count(*) FROM screening_runs WHERE organisation_id = :o AND screened_at >= :start "
        "AND screened_at < :end AND trigger = 'request'"
    )
    rows.hit_decisions = [
        dict(row._mapping)
        for row in session.execute(
            text(
                "SELECT h.list_kind, d.decision, count(*) AS count FROM screening_decisions d "
                "JOIN screening_hits h ON h.id = d.hit_id WHERE d.organisation_id = :o "
                "AND d.decided_at >= :start AND d.decided_at < :end GROUP BY 1, 2"
            ),
            p,
        )
    ]
    group = lambda sql: {row[0]: row[1] for row in session.execute(text(sql), p)}  # noqa: E731
    rows.profiles_assessed = group(
        "SELECT level, count(*) FROM aml_risk_profiles WHERE organisation_id = :o AND created_at >= :start "
        "AND created_at < :end GROUP BY 1"
    )
    rows.profiles_decided = group(
        "SELECT state, count(*) FROM aml_risk_profiles WHERE organisation_id = :o AND decided_at >= :start "
        "AND decided_at < :end AND state IN ('accepted', 'refused') GROUP BY 1"
    )
    rows.escalations = group(
        "SELECT state, count(*) FROM aml_risk_profiles WHERE organisation_id = :o AND escalated_at >= :start "
        "AND escalated_at < :end GROUP BY 1"
    )
    if table_exists(session, "aml_transactions"):
        rows.transaction_escalations = group(
            "SELECT state, count(*) FROM aml_transactions WHERE organisation_id = :o AND escalated_at >= :start "
            "AND escalated_at < :end GROUP BY 1"
        )
    rows.cfi = _cfi(session, p)
    rows.transactions = _transactions(session, p)
    return rows


def _cfi(session, p) -> dict:
    """CTIF-CFI reports of the year from the officer package's aml_cfi_reports (reports made,
    submitted on goAML, answers received); before that table exists, from timeline entries marked
    `cfi` (the lifecycle moves of cases.domain.lifecycle: report_to_cfi, cfi_cleared, cfi_refused)."""
    if table_exists(session, "aml_cfi_reports"):
        row = session.execute(
            text(
                """
                SELECT count(*) FILTER (WHERE created_at >= :start AND created_at < :end) AS reports,
                       count(*) FILTER (WHERE submitted_at >= :start AND submitted_at < :end) AS submitted,
                       count(*) FILTER (WHERE answered_at >= :start AND answered_at < :end) AS answers,
                       count(*) FILTER (WHERE answered_at >= :start AND answered_at < :end
                                        AND answer = 'continue') AS answers_continue,
                       count(*) FILTER (WHERE answered_at >= :start AND answered_at < :end
                                        AND answer = 'stop') AS answers_stop
                FROM aml_cfi_reports WHERE organisation_id = :o
                """
            ),
            p,
        ).one()
        return dict(row._mapping) | {"source": "cfi_reports"}
    counts = {
        row[0]: row[1]
        for row in session.execute(
            text(
                "SELECT action, count(*) FROM aml_timeline WHERE organisation_id = :o AND marker = 'cfi' "
                "AND at >= :start AND at < :end GROUP BY 1"
            ),
            p,
        )
    }
    reports = counts.get("report_to_cfi", 0)
    cont, stop = counts.get("cfi_cleared", 0), counts.get("cfi_refused", 0)
    return {"reports": reports, "submitted": reports, "answers": cont + stop, "answers_continue": cont,
            "answers_stop": stop, "source": "timeline"}  # fmt: skip


def _transactions(session, p) -> dict | None:
    """Transactions of the year from the transactions package's aml_transactions (assessed in the
    year, by level; refused and escalated in the year; a part of the price paid in cash); None
    while that table does not exist (the report then says the figures are not available)."""
    if not table_exists(session, "aml_transactions"):
        return None
    row = session.execute(
        text(
            """
            SELECT count(*) FILTER (WHERE assessed_at >= :start AND assessed_at < :end) AS total,
                   count(*) FILTER (WHERE assessed_at >= :start AND assessed_at < :end
                                    AND level = 'simplified') AS simplified,
                   count(*) FILTER (WHERE assessed_at >= :start AND assessed_at < :end
                                    AND level = 'standard') AS standard,
                   count(*) FILTER (WHERE assessed_at >= :start AND assessed_at < :end
                                    AND level = 'enhanced') AS enhanced,
                   count(*) FILTER (WHERE decided_at >= :start AND decided_at < :end AND state = 'refused') AS refused,
                   count(*) FILTER (WHERE escalated_at >= :start AND escalated_at < :end) AS escalated,
                   count(*) FILTER (WHERE assessed_at >= :start AND assessed_at < :end AND cash_cents > 0)
                       AS cash_flagged
            FROM aml_transactions WHERE organisation_id = :o
            """
        ),
        p,
    ).one()
    return {
        "total": row.total,
        "by_level": {"simplified": row.simplified, "standard": row.standard, "enhanced": row.enhanced},
        "refused": row.refused,
        "escalated": row.escalated,
        "cash_flagged": row.cash_flagged,
    }


def compute(session, organisation_id, year: int) -> dict:
    return figures(gather(session, organisation_id, year))

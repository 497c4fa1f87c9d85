"""Use cases of the annual report: open (a draft prefilled from the records and the office's
identification), edit the officer's parts while it is a draft, finalise (figures frozen, PDF
rendered and archived by reporting), download. Only the office's AML officers call these (the
entrypoints check the role); every query is scoped by the officer's organisation.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from aww_aml_workflow.annual import domain, statistics
from aww_aml_workflow.annual.store import annual_reports
from aww_aml_workflow.cases.domain.identifiers import normalise_enterprise_number
from aww_contracts.errors import DomainError, field_error
from servicekit.access import access_of
from servicekit.context import LANGUAGES
from servicekit.outbox import add_event

REPORTING_TIMEOUT_SECONDS = 60
KIND = "annual_report"


def now() -> datetime:
    return datetime.now(UTC)


def _row(session, actor, year: int, *, lock: bool = False):
    query = select(annual_reports).where(
        annual_reports.c.organisation_id == actor.organisation_id, annual_reports.c.year == year
    )
    return session.execute(query.with_for_update() if lock else query).first()


def _view(session, row, figures: dict | None = None) -> dict:
    return {
        "report_id": str(row.id),
        "year": row.year,
        "state": row.state,
        "office": row.office,
        "texts": {key: row.texts.get(key, "") for key in domain.OFFICER_TEXTS},
        "figures": row.figures if row.state == "final" else figures,
        "missing": domain.missing_for_final(row.office, row.texts) if row.state == "draft" else [],
        "created_at": row.created_at.isoformat(),
        "updated_at": row.updated_at.isoformat(),
        "updated_by": str(row.updated_by),
        "finalised_at": row.finalised_at.isoformat() if row.finalised_at else None,
        "finalised_by": str(row.finalised_by) if row.finalised_by else None,
        "documents": [
            {"language": language, **document} for language, document in sorted((row.documents or {}).items())
        ],
    }


def list_reports(session, actor) -> list[dict]:
    rows = session.execute(
        select(annual_reports.c.year, annual_reports.c.state, annual_reports.c.finalised_at)
        .where(annual_reports.c.organisation_id == actor.organisation_id)
        .order_by(annual_reports.c.year.desc())
    ).all()
    return [
        {"year": r.year, "state": r.state, "finalised_at": r.finalised_at.isoformat() if r.finalised_at else None}
        for r in rows
    ]


def get_report(session, actor, year) -> dict:
    """The report of a year: the stored one, or (not stored yet) an unsaved draft preview."""
    year = domain.check_year(year, now().date())
    row = _row(session, actor, year)
    if row is None:
        raise DomainError("not_found", "There is no annual report for this year yet", year=year)
    return _view(
        session, row, None if row.state == "final" else statistics.compute(session, actor.organisation_id, year)
    )


def open_report(session, actor, year, prefill: Callable[[], dict]) -> dict:
    """The year's report, made as a draft (office identification prefilled) if there is none."""
    year = domain.check_year(year, now().date())
    row = _row(session, actor, year)
    if row is None:
        office = {key: "" for key in domain.OFFICE_FIELDS} | {
            key: value for key, value in (prefill() or {}).items() if key in domain.OFFICE_FIELDS and value
        }
        moment = now()
        try:
            with session.begin_nested():
                session.execute(
                    insert(annual_reports).values(
                        id=uuid.uuid4(),
                        organisation_id=actor.organisation_id,
                        year=year,
                        state="draft",
                        office=office,
                        texts={key: "" for key in domain.OFFICER_TEXTS},
                        created_at=moment,
                        created_by=actor.account_id,
                        updated_at=moment,
                        updated_by=actor.account_id,
                        documents={},
                    )
                )
        except IntegrityError:  # another officer opened it at the same moment: use theirs
            pass
    return get_report(session, actor, year)


def update_report(session, actor, year, *, office=None, texts=None) -> dict:
    year = domain.check_year(year, now().date())
    if office is None and texts is None:
        raise field_error("texts", "give the parts to change")
    cleaned_texts = domain.clean_texts(texts) if texts is not None else {}
    cleaned_office = domain.clean_office(office, normalise_enterprise_number) if office is not None else {}
    row = _row(session, actor, year, lock=True)
    if row is None:
        raise DomainError("not_found", "There is no annual report for this year yet", year=year)
    domain.require_draft(row.state)
    session.execute(
        update(annual_reports)
        .where(annual_reports.c.id == row.id)
        .values(
            office=dict(row.office) | cleaned_office,
            texts=dict(row.texts) | cleaned_texts,
            updated_at=now(),
            updated_by=actor.account_id,
        )
    )
    return get_report(session, actor, year)


def _name_of(session, organisation_id, account_id) -> str:
    found = access_of(session, str(organisation_id), str(account_id))
    return (found.display_name if found else None) or str(account_id)[:8]


def document_data(session, row, figures: dict) -> dict:
    _start, end = domain.year_bounds(row.year)
    period_end = min(end, row.finalised_at) if row.finalised_at else end
    return {
        "reference": f"annual/{row.year}",
        "issued_at": row.finalised_at.isoformat(),
        "year": row.year,
        "period": {"from": f"{row.year}-01-01", "to": f"{row.year}-12-31", "figures_until": period_end.isoformat()},
        "office": row.office,
        "texts": {key: row.texts.get(key, "") for key in domain.OFFICER_TEXTS},
        "figures": figures,
        "finalised_by": _name_of(session, row.organisation_id, row.finalised_by),
    }


def _render(session, row, language: str, reporting) -> dict:
    data = document_data(session, row, row.figures)
    rendered = reporting.with_timeout(REPORTING_TIMEOUT_SECONDS).render_document(
        kind=KIND,
        organisation_id=str(row.organisation_id),
        reference=f"annual/{row.year}/{language}",
        data=data,
        language=language,
    )
    return {key: rendered[key] for key in ("document_id", "sha256", "filename", "size_bytes")}


def _language(language) -> str:
    if language not in LANGUAGES:
        raise field_error("language", "must be nl, fr or en")
    return language


def finalise(session, actor, year, language, reporting) -> dict:
    year = domain.check_year(year, now().date())
    language = _language(language)
    row = _row(session, actor, year, lock=True)
    if row is None:
        raise DomainError("not_found", "There is no annual report for this year yet", year=year)
    domain.require_draft(row.state)
    domain.check_complete(row.office, row.texts)
    moment = now()
    figures = statistics.compute(session, actor.organisation_id, year)
    session.execute(
        update(annual_reports)
        .where(annual_reports.c.id == row.id)
        .values(
            state="final",
            figures=figures,
            finalised_at=moment,
            finalised_by=actor.account_id,
            updated_at=moment,
            updated_by=actor.account_id,
        )
    )
    row = _row(session, actor, year)
    document = _render(session, row, language, reporting)
    session.execute(update(annual_reports).where(annual_reports.c.id == row.id).values(documents={language: document}))
    add_event(
        session,
        "annual_report_finalised",
        {
            "organisation_id": str(actor.organisation_id),
            "year": year,
            "report_id": str(row.id),
            "document_id": document["document_id"],
            "sha256": document["sha256"],
            "language": language,
            "finalised_by": str(actor.account_id),
            "finalised_at": moment.isoformat(),
        },
    )
    return get_report(session, actor, year)


def document(session, actor, year, language, reporting) -> dict:
    """The final report's PDF in a language (rendered from the frozen content on first ask)."""
    year = domain.check_year(year, now().date())
    language = _language(language)
    row = _row(session, actor, year, lock=True)
    if row is None or row.state != "final":
        raise DomainError("not_found", "This year's annual report is not final yet", year=year)
    found = (row.documents or {}).get(language)
    if found is None:
        found = _render(session, row, language, reporting)
        session.execute(
            update(annual_reports)
            .where(annual_reports.c.id == row.id)
            .values(documents=dict(row.documents or {}) | {language: found})
        )
    content = reporting.with_timeout(REPORTING_TIMEOUT_SECONDS).get_document(document_id=found["document_id"])
    return content | {"document_id": found["document_id"], "language": language}

"""Retention of the officer's own records about a case: its CTIF-CFI reports and the employees'
notifications. They go with the case (law of 18 Sept 2017, art. 60): a transaction's when the
transaction is purged, a risk profile's when its contact is (annual.retention.purge_due calls this).

What is personal data here and goes:
- aml_cfi_reports.title (the contact's name, or the transaction's reference and property address) → `—`;
- .reason (the officer's free text about the case) → empty;
- .document_id (the archived goAML XML in reporting, which holds every party's identification) → NULL.
  The files themselves are purged by reporting: `case_documents` names them (read before this purge)
  and the annual purge hands them over in its `documents_expired` event.
- aml_officer_notifications.title → `—`.

What stays (not personal on its own, and the proof that the office did report): the state and its
dates, who of the office acted, the revision, the indicator codes, the file's sha256 and filename
(`goaml-<report id>…`, no name), CTIF-CFI's goAML reference, its answer, answer date and answer
reference. The annual figures (reports, submitted, answers) are counted from those dates and answers.
"""

from __future__ import annotations

import uuid

from sqlalchemy import select, update

from aww_aml_workflow.officer import store

PURGED_NAME = "—"

# Reporting derives a document's id from its natural key (kind, organisation, reference) with this
# uuid5 namespace (contracts/SERVICES.md "Documents in reporting's archive"; aww_reporting.domain).
REPORTING_DOCUMENT_NAMESPACE = uuid.UUID("6f4d1c2e-4a57-4b8f-9a53-2b1f0c7d9e10")
GOAML_KIND = "goaml_report"


def reporting_document_id(kind: str, organisation_id, reference: str) -> uuid.UUID:
    return uuid.uuid5(REPORTING_DOCUMENT_NAMESPACE, f"{kind}\x1f{organisation_id or '-'}\x1f{reference}")


def goaml_document_id(organisation_id, report_id, revision: int) -> uuid.UUID:
    """The archived goAML file of one revision of a report (handling.validate_report renders it under
    the reference `goaml/<report id>/r<revision>`)."""
    return reporting_document_id(GOAML_KIND, organisation_id, f"goaml/{report_id}/r{revision}")


def case_documents(session, organisation_id, case_kind: str, case_ids: list) -> set[uuid.UUID]:
    """The goAML files in reporting's archive of these cases' reports: the validated one the report
    names and every earlier revision's (an edit drops the report's reference to the file it had, the
    file stays archived). Revisions never validated have no file: reporting ignores their ids."""
    if not case_ids:
        return set()
    r = store.reports.c
    found: set[uuid.UUID] = set()
    for row in session.execute(
        select(r.id, r.revision, r.document_id).where(
            r.organisation_id == organisation_id, r.case_kind == case_kind, r.case_id.in_(case_ids)
        )
    ):
        if row.document_id is not None:
            found.add(row.document_id)
        found.update(goaml_document_id(organisation_id, row.id, n) for n in range(1, row.revision + 1))
    return found


def purge_case(session, organisation_id, case_kind: str, case_ids: list) -> int:
    """Purge the reports and notifications of these cases; returns the number of reports touched."""
    if not case_ids:
        return 0
    r, n = store.reports.c, store.notifications.c
    done = session.execute(
        update(store.reports)
        .where(r.organisation_id == organisation_id, r.case_kind == case_kind, r.case_id.in_(case_ids))
        .values(title=PURGED_NAME, reason="", document_id=None)
    ).rowcount
    session.execute(
        update(store.notifications)
        .where(n.organisation_id == organisation_id, n.case_kind == case_kind, n.case_id.in_(case_ids))
        .values(title=PURGED_NAME)
    )
    return done

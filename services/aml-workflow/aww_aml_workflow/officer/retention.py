"""Retention of the officer's own records about a case: its CTIF-CFI reports and the employees'
notifications. They go with the case (law of 18 Sept 2017, art. 60): a transaction's when the
transaction is purged, a risk profile's when its contact is (annual.retention.purge_due calls this).

What is personal data here and goes:
- aml_cfi_reports.title (the contact's name, or the transaction's reference and property address) → `—`;
- .reason (the officer's free text about the case) → empty;
- .document_id (the archived goAML XML in reporting, which holds every party's identification) → NULL:
  the file itself sits in reporting's immutable archive, which has no purge yet (as the acceptance
  documents); the reference to it is removed here so the tool no longer offers it.
- aml_officer_notifications.title → `—`.

What stays (not personal on its own, and the proof that the office did report): the state and its
dates, who of the office acted, the revision, the indicator codes, the file's sha256 and filename
(`goaml-<report id>…`, no name), CTIF-CFI's goAML reference, its answer, answer date and answer
reference. The annual figures (reports, submitted, answers) are counted from those dates and answers.
"""

from __future__ import annotations

from sqlalchemy import update

from aww_aml_workflow.officer import store

PURGED_NAME = "—"


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

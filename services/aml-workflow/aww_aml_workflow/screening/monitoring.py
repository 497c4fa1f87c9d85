"""Ongoing monitoring: after a list import, every monitored contact is screened again, in chunks.

An import leaves a row in screening_rescreen_jobs. The service's timer calls `rescreen_step`,
which takes the job row with FOR UPDATE SKIP LOCKED (replicas never work on the same chunk),
screens the next CHUNK contacts after the job's cursor against the lists then in force (the
matching itself runs off the eventlet hub) and commits; the next tick goes on from the cursor, so
a restart loses at most one chunk of work and other requests keep being served between chunks.
A contact's subjects are those of its latest screening. Hits that the previous run did not have
and that no remembered decision covers are new: they give an alert and a `screening_new_hits`
event for the office.
"""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime

from sqlalchemy import select, tuple_, update

from aww_aml_workflow.screening import store
from aww_aml_workflow.screening.api import _current_snapshots, _match_all, _record_runs, _RunInput
from aww_aml_workflow.screening.domain.matching import DEFAULT_THRESHOLD
from aww_aml_workflow.screening.domain.model import Subject
from aww_aml_workflow.screening.engine import index_for, offload
from servicekit.outbox import add_event

log = logging.getLogger(__name__)

CHUNK = 500
NEW_HITS_EVENT = "screening_new_hits"


def _screen_chunk(index, work: list[tuple], threshold: float) -> list[list]:
    return [_match_all(index, subjects, threshold) for _, _, subjects in work]


def rescreen_step(session, *, chunk: int = CHUNK, publish: bool = True) -> dict | None:
    """Process one chunk of the oldest pending re-screen job; None when there is nothing to do."""
    jobs = session.execute(
        select(store.rescreen_jobs)
        .where(store.rescreen_jobs.c.status == "pending")
        .order_by(store.rescreen_jobs.c.created_at.desc())
        .with_for_update(skip_locked=True)
    ).all()
    if not jobs:
        return None
    job, older = jobs[0], jobs[1:]
    now = datetime.now(UTC)
    if older:  # a newer import came in: one pass over the lists now in force does for all of them
        session.execute(
            update(store.rescreen_jobs)
            .where(store.rescreen_jobs.c.id.in_([j.id for j in older]))
            .values(status="done", finished_at=now)
        )
    query = select(store.monitoring.c.organisation_id, store.monitoring.c.contact_id).where(
        store.monitoring.c.monitored
    )
    if job.after_organisation is not None:
        query = query.where(
            tuple_(store.monitoring.c.organisation_id, store.monitoring.c.contact_id)
            > tuple_(job.after_organisation, job.after_contact)
        )
    contacts = session.execute(
        query.order_by(store.monitoring.c.organisation_id, store.monitoring.c.contact_id).limit(chunk)
    ).all()
    if not contacts:
        session.execute(
            update(store.rescreen_jobs).where(store.rescreen_jobs.c.id == job.id).values(status="done", finished_at=now)
        )
        log.info(
            "re-screen after snapshot %s done: %d contacts, %d new hits", job.snapshot_id, job.processed, job.new_hits
        )
        return {"job_id": str(job.id), "processed": 0, "new_hits": 0, "done": True}
    pairs = [(row.organisation_id, row.contact_id) for row in contacts]
    latest = session.execute(
        select(store.runs.c.organisation_id, store.runs.c.contact_id, store.runs.c.subjects, store.runs.c.threshold)
        .where(tuple_(store.runs.c.organisation_id, store.runs.c.contact_id).in_(pairs))
        .order_by(store.runs.c.organisation_id, store.runs.c.contact_id, store.runs.c.screened_at.desc())
        .distinct(store.runs.c.organisation_id, store.runs.c.contact_id)
    ).all()
    work = [(row.organisation_id, row.contact_id, [Subject.from_record(s) for s in row.subjects]) for row in latest]
    snapshots = _current_snapshots(session)
    index = index_for(session, [str(row.id) for row in snapshots])
    found = offload(_screen_chunk, index, work, DEFAULT_THRESHOLD)
    inputs = [
        _RunInput(organisation, contact_id, subjects, None, "monitoring", matches)
        for (organisation, contact_id, subjects), matches in zip(work, found, strict=True)
    ]
    if inputs:
        _record_runs(session, inputs, snapshots=snapshots, threshold=DEFAULT_THRESHOLD)
    new_hits = 0
    for item in inputs:
        if not item.new_hit_ids:
            continue
        new_hits += len(item.new_hit_ids)
        data = {
            "organisation_id": str(item.organisation),
            "contact_id": item.contact_id,
            "run_id": str(item.run_id),
            "snapshot_id": str(job.snapshot_id),
            "new_hits": len(item.new_hit_ids),
            "hit_ids": [str(h) for h in item.new_hit_ids],
            "sources": sorted({m.entry.source for m in item.matches}),
        }
        event_id = add_event(session, NEW_HITS_EVENT, data) if publish else None
        session.execute(
            store.alerts.insert().values(
                id=uuid.uuid4(),
                organisation_id=item.organisation,
                contact_id=item.contact_id,
                run_id=item.run_id,
                snapshot_id=job.snapshot_id,
                new_hits=len(item.new_hit_ids),
                created_at=now,
                event_id=event_id,
            )
        )
    last = pairs[-1]
    session.execute(
        update(store.rescreen_jobs)
        .where(store.rescreen_jobs.c.id == job.id)
        .values(
            after_organisation=last[0],
            after_contact=last[1],
            processed=store.rescreen_jobs.c.processed + len(inputs),
            new_hits=store.rescreen_jobs.c.new_hits + new_hits,
        )
    )
    return {"job_id": str(job.id), "processed": len(inputs), "new_hits": new_hits, "done": False}

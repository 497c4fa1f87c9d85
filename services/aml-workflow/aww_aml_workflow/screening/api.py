"""The screening engine as the rest of the aml-workflow service uses it (Python calls, the worker's
session first). Every function that reads or writes tenant data takes the organisation id and finds
nothing outside it: a run or hit of another organisation is `not_found`.

    screen(session, organisation_id=, contact_id=, subjects=[Subject(...)], screened_by=) -> ScreeningRun
    decide_hit(session, organisation_id=, hit_id=, decision=, reason=, decided_by=) -> Hit
    latest_run(session, organisation_id, contact_id) -> ScreeningRun | None
    run(session, organisation_id, run_id) -> ScreeningRun
    screening_facts(session, organisation_id, contact_id) -> dict
    country_risk(session, iso2) -> dict
    country_risks(session) -> (iso2 -> dict)   (the lists read once)
    set_monitored(session, organisation_id=, contact_id=, monitored=)
    import_list(session, source=, content=, filename=, imported_by=) -> dict   (platform administrators)
    import_country_list(session, content=, imported_by=) -> dict
"""

from __future__ import annotations

import gzip
import hashlib
import io
import re
import uuid
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sqlalchemy import bindparam, func, insert, select, tuple_, update

from aww_aml_workflow.screening import store
from aww_aml_workflow.screening.domain import countries as country_lists
from aww_aml_workflow.screening.domain.matching import DEFAULT_THRESHOLD, ENGINE_VERSION
from aww_aml_workflow.screening.domain.model import KINDS, PEP, SANCTIONS, SOURCE_TITLES, SOURCES, Match, Subject
from aww_aml_workflow.screening.domain.parsers import ListFormatError, parse_list
from aww_aml_workflow.screening.engine import index_for, offload
from aww_contracts.errors import DomainError, field_error

__all__ = [
    "DECISIONS",
    "DEFAULT_THRESHOLD",
    "Hit",
    "ScreeningRun",
    "Subject",
    "country_risk",
    "country_risks",
    "decide_hit",
    "import_country_list",
    "import_list",
    "latest_run",
    "list_snapshots",
    "run",
    "screen",
    "screening_facts",
    "set_monitored",
]

DECISIONS = ("true_match", "false_positive")
MAX_SUBJECTS = 100
MAX_NAMES = 20
MAX_UPLOAD_BYTES = 200 * 1024 * 1024  # after decompression
_ISO2 = re.compile(r"^[A-Z]{2}$")


def _now() -> datetime:
    return datetime.now(UTC)


def _uuid(value, field_name: str) -> uuid.UUID:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except (ValueError, TypeError, AttributeError):
        raise field_error(field_name, "must be a UUID") from None


# ---- results ------------------------------------------------------------------------------------


@dataclass
class Hit:
    hit_id: str
    run_id: str
    subject_id: str
    source: str
    source_title: str
    list_kind: str  # sanctions | pep
    snapshot_id: str
    list_version: str | None  # the publisher's date of the snapshot
    entry_id: str
    entry_hash: str
    entry: dict  # what the list says: names, birth dates, nationalities, programme, PEP function
    query_name: str
    matched_name: str
    score: float
    explanation: dict
    decision: dict | None  # {decision, reason, decided_by, decided_at, reapplied}
    is_new: bool

    def as_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass
class ScreeningRun:
    run_id: str
    organisation_id: str
    contact_id: str
    trigger: str
    screened_by: str | None
    screened_at: str
    threshold: float
    engine_version: str
    list_versions: list[dict]
    subjects: list[dict]
    hits: list[Hit] = field(default_factory=list)

    @property
    def open_hits(self) -> list[Hit]:
        return [h for h in self.hits if h.decision is None]

    def as_dict(self) -> dict:
        values = dict(self.__dict__)
        values["hits"] = [h.as_dict() for h in self.hits]
        values["open_hit_count"] = len(self.open_hits)
        return values


# ---- validation of what the caller screens ----------------------------------------------------


def _check_subjects(subjects: list[Subject]) -> None:
    if not subjects:
        raise field_error("subjects", "screen at least one subject")
    if len(subjects) > MAX_SUBJECTS:
        raise field_error("subjects", f"at most {MAX_SUBJECTS} subjects per screening")
    seen = set()
    for number, subject in enumerate(subjects):
        where = f"subjects[{number}]"
        if not isinstance(subject, Subject):
            raise field_error(where, "must be a screening Subject")
        if not subject.subject_id or subject.subject_id in seen:
            raise field_error(f"{where}.subject_id", "must be given and unique")
        seen.add(subject.subject_id)
        if subject.kind not in KINDS:
            raise field_error(f"{where}.kind", "must be person or organisation")
        names = [n for n in subject.names if isinstance(n, str) and n.strip()]
        if not names:
            raise field_error(f"{where}.names", "at least one name is needed")
        if len(subject.names) > MAX_NAMES or any(len(n) > 300 for n in names):
            raise field_error(f"{where}.names", f"at most {MAX_NAMES} names of at most 300 characters")
        for key in ("nationalities", "countries"):
            for code in getattr(subject, key):
                if not isinstance(code, str) or not _ISO2.match(code.upper()):
                    raise field_error(f"{where}.{key}", "must be ISO 3166-1 alpha-2 codes")
        if subject.birth_year is not None and not (1850 <= subject.birth_year <= 2100):
            raise field_error(f"{where}.birth_year", "is not a plausible year")
        if subject.birth_date is not None and not isinstance(subject.birth_date, date):
            raise field_error(f"{where}.birth_date", "must be a date")


# ---- list snapshots ---------------------------------------------------------------------------


# read on every screening and assessment: built once (building a statement costs about as much CPU
# as running it)
_CURRENT_SNAPSHOTS = (
    select(store.snapshots).where(store.snapshots.c.status == "current").order_by(store.snapshots.c.source)
)
_CURRENT_COUNTRY_LISTS = select(store.country_lists).where(store.country_lists.c.status == "current")
_LATEST_RUN = (
    select(store.runs)
    .where(
        store.runs.c.organisation_id == bindparam("organisation_id"),
        store.runs.c.contact_id == bindparam("contact_id"),
    )
    .order_by(store.runs.c.screened_at.desc())
    .limit(1)
)


def _current_snapshots(session) -> list:
    return session.execute(_CURRENT_SNAPSHOTS).all()


def _snapshot_summary(row) -> dict:
    return {
        "snapshot_id": str(row.id),
        "source": row.source,
        "source_title": SOURCE_TITLES.get(row.source, row.source),
        "list_kind": row.list_kind,
        "list_date": row.list_date,
        "imported_at": row.imported_at.isoformat(),
        "imported_by": str(row.imported_by) if row.imported_by else None,
        "filename": row.filename,
        "checksum": row.checksum,
        "entry_count": row.entry_count,
        "counts": row.counts,
        "status": row.status,
        "superseded_at": row.superseded_at.isoformat() if row.superseded_at else None,
    }


def list_snapshots(session, *, limit: int = 100) -> list[dict]:
    rows = session.execute(
        select(store.snapshots).order_by(store.snapshots.c.imported_at.desc()).limit(max(1, min(limit, 500)))
    ).all()
    return [_snapshot_summary(row) for row in rows]


def _unpack(content: bytes, filename: str | None) -> bytes:
    """Uploads may be gzip- or zip-compressed (the EU file is large, FPS Finance publishes a ZIP)."""
    if content[:2] == b"\x1f\x8b":
        try:
            with gzip.GzipFile(fileobj=io.BytesIO(content)) as packed:
                data = packed.read(MAX_UPLOAD_BYTES + 1)
        except (OSError, EOFError):
            raise field_error("content", "the gzip file is damaged") from None
        if len(data) > MAX_UPLOAD_BYTES:
            raise DomainError("payload_too_large", "The list is larger than 200 MB once decompressed")
        return data
    if content[:4] == b"PK\x03\x04":
        try:
            archive = zipfile.ZipFile(io.BytesIO(content))
            members = [
                m
                for m in archive.infolist()
                if not m.is_dir() and m.filename.lower().endswith((".xml", ".csv", ".json"))
            ]
        except zipfile.BadZipFile:
            raise field_error("content", "the ZIP file is damaged") from None
        if len(members) != 1:
            raise field_error("content", "the ZIP file must hold exactly one .xml, .csv or .json file")
        if members[0].file_size > MAX_UPLOAD_BYTES:
            raise DomainError("payload_too_large", "The list is larger than 200 MB once decompressed")
        with archive.open(members[0]) as member:
            data = member.read(MAX_UPLOAD_BYTES + 1)
        if len(data) > MAX_UPLOAD_BYTES:
            raise DomainError("payload_too_large", "The list is larger than 200 MB once decompressed")
        return data
    return content


def import_list(session, *, source: str, content: bytes, filename: str | None, imported_by) -> dict:
    """Parse an official list file and make it the snapshot in force for its source.

    All of it happens in the caller's transaction: if anything fails (a parse error, a constraint,
    the database going away halfway through the entries) nothing is kept and the previous
    snapshot stays in force. Importing the very file already in force changes nothing.
    """
    if source not in SOURCES:
        raise field_error("source", f"must be one of {', '.join(SOURCES)}")
    if not content:
        raise field_error("content", "the file is empty")
    checksum = hashlib.sha256(content).hexdigest()
    current = session.execute(
        select(store.snapshots).where(store.snapshots.c.source == source, store.snapshots.c.status == "current")
    ).first()
    if current is not None and current.checksum == checksum:
        return _snapshot_summary(current) | {"unchanged": True}
    data = _unpack(content, filename)
    try:
        parsed = offload(parse_list, source, data)
    except ListFormatError as exc:
        raise field_error("content", str(exc)) from None
    records = offload(_records, parsed.entries)
    counts = {
        "persons": sum(1 for e in parsed.entries if e.kind == "person"),
        "organisations": sum(1 for e in parsed.entries if e.kind == "organisation"),
        "names": sum(len(e.names) + len(e.weak_names) for e in parsed.entries),
    }
    now = _now()
    snapshot_id = uuid.uuid4()
    if current is not None:
        session.execute(
            update(store.snapshots)
            .where(store.snapshots.c.id == current.id)
            .values(status="superseded", superseded_at=now)
        )
    session.execute(
        insert(store.snapshots).values(
            id=snapshot_id,
            source=source,
            list_kind=SOURCES[source],
            list_date=parsed.list_date,
            imported_at=now,
            imported_by=_uuid(imported_by, "imported_by") if imported_by else None,
            filename=(filename or "")[:200] or None,
            checksum=checksum,
            entry_count=len(parsed.entries),
            counts=counts,
            status="current",
        )
    )
    for start in range(0, len(records), 2000):
        session.execute(
            insert(store.entries), [dict(r, snapshot_id=snapshot_id) for r in records[start : start + 2000]]
        )
    # every monitored contact is re-screened against the new lists, in the background
    session.execute(
        insert(store.rescreen_jobs).values(id=uuid.uuid4(), snapshot_id=snapshot_id, created_at=now, status="pending")
    )
    row = session.execute(select(store.snapshots).where(store.snapshots.c.id == snapshot_id)).one()
    return _snapshot_summary(row) | {"unchanged": False}


def _records(entries) -> list[dict]:
    return [
        {
            "entry_id": e.entry_id,
            "kind": e.kind,
            "primary_name": e.primary_name[:500],
            "record": e.to_record(),
            "content_hash": e.content_hash(),
        }
        for e in entries
    ]


# ---- country lists ----------------------------------------------------------------------------


def import_country_list(session, *, content: bytes, imported_by) -> dict:
    try:
        parsed, document = country_lists.load_country_list_bytes(content)
    except country_lists.CountryListError as exc:
        raise field_error("content", str(exc)) from None
    checksum = hashlib.sha256(content).hexdigest()
    now = _now()
    session.execute(
        update(store.country_lists)
        .where(store.country_lists.c.list_name == parsed.name, store.country_lists.c.status == "current")
        .values(status="superseded")
    )
    session.execute(
        insert(store.country_lists).values(
            id=uuid.uuid4(),
            list_name=parsed.name,
            version=parsed.version,
            in_force_from=parsed.in_force_from,
            document=document,
            checksum=checksum,
            imported_at=now,
            imported_by=_uuid(imported_by, "imported_by") if imported_by else None,
            status="current",
        )
    )
    return parsed.summary() | {"checksum": checksum}


def _country_lists(session) -> dict[str, country_lists.CountryList]:
    lists = dict(country_lists.shipped_lists())
    for row in session.execute(_CURRENT_COUNTRY_LISTS):
        lists[row.list_name] = country_lists.parse_country_list(row.document)
    return lists


def country_lists_in_force(session) -> list[dict]:
    return [
        parsed.summary() | {"title": parsed.title, "categories": {k: sorted(v) for k, v in parsed.categories.items()}}
        for parsed in _country_lists(session).values()
    ]


def country_risk(session, iso2: str) -> dict:
    return country_risks(session)(iso2)


def country_risks(session):
    """`country_risk` for the lists in force now, read once: a function of the ISO code (one
    request asks for every country a contact is linked with)."""
    lists = _country_lists(session)

    def risk(iso2: str) -> dict:
        code = (iso2 or "").strip().upper()
        if not _ISO2.match(code):
            raise field_error("iso2", "must be an ISO 3166-1 alpha-2 code")
        return country_lists.country_risk(code, lists)

    return risk


# ---- screening --------------------------------------------------------------------------------


def _match_all(index, subjects: list[Subject], threshold: float) -> list[Match]:
    found = []
    for subject in subjects:
        found.extend(index.screen(subject, threshold))
    return found


def _entry_summary(match: Match) -> dict:
    entry = match.entry
    return {
        "kind": entry.kind,
        "primary_name": entry.primary_name,
        "names": list(entry.names[:12]),
        "weak_names": list(entry.weak_names[:6]),
        "birth_dates": [b.as_text() for b in entry.birth_dates],
        "nationalities": list(entry.nationalities),
        "countries": list(entry.countries),
        "programme": entry.programme,
        "listed_on": entry.listed_on,
        "pep_function": entry.pep_function,
        "pep_category": entry.pep_category,
        "pep_relation": entry.pep_relation,
        "remarks": entry.remarks,
    }


@dataclass
class _RunInput:
    organisation: uuid.UUID
    contact_id: str
    subjects: list[Subject]
    screened_by: uuid.UUID | None
    trigger: str
    matches: list[Match]
    run_id: uuid.UUID = field(default_factory=uuid.uuid4)
    new_hit_ids: list[uuid.UUID] = field(default_factory=list)


def _latest_decisions(session, contacts: set[tuple[uuid.UUID, str]]) -> dict:
    """The newest decision per (organisation, contact, source, entry_id) of these contacts."""
    if not contacts:
        return {}
    rows = session.execute(
        select(store.decisions)
        .where(tuple_(store.decisions.c.organisation_id, store.decisions.c.contact_id).in_(list(contacts)))
        .order_by(store.decisions.c.decided_at)
    ).all()
    return {(row.organisation_id, row.contact_id, row.source, row.entry_id): row for row in rows}


def _previous_hit_keys(session, contacts: set[tuple[uuid.UUID, str]]) -> dict:
    """For each contact already screened, the hits of its latest run as (fingerprint, source, entry, hash)."""
    if not contacts:
        return {}
    latest = session.execute(
        select(store.runs.c.id, store.runs.c.organisation_id, store.runs.c.contact_id)
        .where(tuple_(store.runs.c.organisation_id, store.runs.c.contact_id).in_(list(contacts)))
        .order_by(store.runs.c.organisation_id, store.runs.c.contact_id, store.runs.c.screened_at.desc())
        .distinct(store.runs.c.organisation_id, store.runs.c.contact_id)
    ).all()
    keys: dict[tuple[uuid.UUID, str], set] = {(row.organisation_id, row.contact_id): set() for row in latest}
    by_run = {row.id: (row.organisation_id, row.contact_id) for row in latest}
    if by_run:
        for row in session.execute(
            select(
                store.hits.c.run_id,
                store.hits.c.subject_fingerprint,
                store.hits.c.source,
                store.hits.c.entry_id,
                store.hits.c.entry_hash,
            ).where(store.hits.c.run_id.in_(list(by_run)))
        ):
            keys[by_run[row.run_id]].add((row.subject_fingerprint, row.source, row.entry_id, row.entry_hash))
    return keys


def screen(
    session,
    *,
    organisation_id,
    contact_id: str,
    subjects: list[Subject],
    screened_by,
    threshold: float | None = None,
) -> ScreeningRun:
    """Screen a contact and its related persons against the lists in force; record the run."""
    organisation = _uuid(organisation_id, "organisation_id")
    if not contact_id or not isinstance(contact_id, str) or len(contact_id) > 200:
        raise field_error("contact_id", "must be a non-empty text of at most 200 characters")
    _check_subjects(subjects)
    threshold = DEFAULT_THRESHOLD if threshold is None else float(threshold)
    if not 0.5 <= threshold <= 1.0:
        raise field_error("threshold", "must lie between 0.5 and 1")
    snapshots = _current_snapshots(session)
    index = index_for(session, [str(row.id) for row in snapshots])
    matches = offload(_match_all, index, subjects, threshold)
    screened = _RunInput(organisation, contact_id, subjects, _uuid(screened_by, "screened_by"), "request", matches)
    row = _record_runs(session, [screened], snapshots=snapshots, threshold=threshold)
    return _run_from_row(row, _run_hits(session, row))  # the run as stored (RETURNING), its hits read


_RUN_INSERT = insert(store.runs).returning(store.runs)


def _record_runs(session, inputs: list[_RunInput], *, snapshots, threshold: float):
    """Write runs and their hits in a few statements, whatever the number of contacts (monitoring
    re-screens thousands at a time); remembered decisions are re-applied on the way. A single run
    (a screening asked for) comes back as its stored row."""
    now = _now()
    with_matches = {(i.organisation, i.contact_id) for i in inputs if i.matches}
    decided = _latest_decisions(session, with_matches)
    previous = _previous_hit_keys(session, with_matches)
    snapshot_of = {row.source: row for row in snapshots}
    list_versions = [
        {
            "snapshot_id": str(r.id),
            "source": r.source,
            "list_date": r.list_date,
            "checksum": r.checksum,
            "entry_count": r.entry_count,
        }
        for r in snapshots
    ]
    run_rows, hit_rows = [], []
    for item in inputs:
        fingerprints = {s.subject_id: s.fingerprint() for s in item.subjects} if item.matches else {}
        earlier = previous.get((item.organisation, item.contact_id))
        for match in item.matches:
            fingerprint = fingerprints[match.subject_id]
            decision = decided.get((item.organisation, item.contact_id, match.entry.source, match.entry.entry_id))
            reapplied = (
                decision is not None
                and decision.entry_hash == match.entry_hash
                and decision.subject_fingerprint == fingerprint
            )
            key = (fingerprint, match.entry.source, match.entry.entry_id, match.entry_hash)
            is_new = not reapplied and earlier is not None and key not in earlier
            hit_id = uuid.uuid4()
            if is_new:
                item.new_hit_ids.append(hit_id)
            hit_rows.append(
                {
                    "id": hit_id,
                    "run_id": item.run_id,
                    "organisation_id": item.organisation,
                    "contact_id": item.contact_id,
                    "subject_id": match.subject_id,
                    "subject_fingerprint": fingerprint,
                    "source": match.entry.source,
                    "list_kind": SOURCES[match.entry.source],
                    "snapshot_id": snapshot_of[match.entry.source].id,
                    "entry_id": match.entry.entry_id,
                    "entry_hash": match.entry_hash,
                    "entry_summary": _entry_summary(match),
                    "query_name": match.query_name,
                    "matched_name": match.matched_name,
                    "score": round(match.score, 4),
                    "explanation": match.explanation(),
                    "decision_id": decision.id if reapplied else None,
                    "decision_reapplied": reapplied,
                    "is_new": is_new,
                }
            )
        run_rows.append(
            {
                "id": item.run_id,
                "organisation_id": item.organisation,
                "contact_id": item.contact_id,
                "trigger": item.trigger,
                "screened_by": item.screened_by,
                "screened_at": now,
                "threshold": threshold,
                "engine_version": ENGINE_VERSION,
                "list_versions": list_versions,
                "subjects": [s.to_record() for s in item.subjects],
                "hit_count": len(item.matches),
                "new_hit_count": len(item.new_hit_ids),
            }
        )
    stored = None
    if len(run_rows) == 1:
        stored = session.execute(_RUN_INSERT, run_rows[0]).one()
    else:
        session.execute(insert(store.runs), run_rows)
    if hit_rows:
        session.execute(insert(store.hits), hit_rows)
    return stored


# ---- reading runs -----------------------------------------------------------------------------


def _decision_dict(row) -> dict:
    return {
        "decision_id": str(row.id),
        "decision": row.decision,
        "reason": row.reason,
        "decided_by": str(row.decided_by),
        "decided_at": row.decided_at.isoformat(),
        "hit_id": str(row.hit_id),
    }


def _hits_of(session, run_ids: list[uuid.UUID]) -> dict[uuid.UUID, list[Hit]]:
    rows = session.execute(
        select(store.hits, store.snapshots.c.list_date)
        .join(store.snapshots, store.snapshots.c.id == store.hits.c.snapshot_id)
        .where(store.hits.c.run_id.in_(run_ids))
        .order_by(store.hits.c.score.desc(), store.hits.c.source, store.hits.c.entry_id)
    ).all()
    decision_ids = {row.decision_id for row in rows if row.decision_id}
    decisions = {}
    if decision_ids:
        decisions = {
            row.id: row
            for row in session.execute(select(store.decisions).where(store.decisions.c.id.in_(decision_ids)))
        }
    found: dict[uuid.UUID, list[Hit]] = {run_id: [] for run_id in run_ids}
    for row in rows:
        decision = None
        if row.decision_id in decisions:
            decision = _decision_dict(decisions[row.decision_id]) | {"reapplied": row.decision_reapplied}
        found[row.run_id].append(
            Hit(
                hit_id=str(row.id),
                run_id=str(row.run_id),
                subject_id=row.subject_id,
                source=row.source,
                source_title=SOURCE_TITLES.get(row.source, row.source),
                list_kind=row.list_kind,
                snapshot_id=str(row.snapshot_id),
                list_version=row.list_date,
                entry_id=row.entry_id,
                entry_hash=row.entry_hash,
                entry=row.entry_summary,
                query_name=row.query_name,
                matched_name=row.matched_name,
                score=row.score,
                explanation=row.explanation,
                decision=decision,
                is_new=row.is_new,
            )
        )
    return found


def _run_hits(session, row) -> list[Hit]:
    """The hits of a run row: read only when it has any (hit_count is written with the hits, which
    are never removed, so a run without hits needs no second query)."""
    return _hits_of(session, [row.id])[row.id] if row.hit_count else []


def _run_from_row(row, hits: list[Hit]) -> ScreeningRun:
    return ScreeningRun(
        run_id=str(row.id),
        organisation_id=str(row.organisation_id),
        contact_id=row.contact_id,
        trigger=row.trigger,
        screened_by=str(row.screened_by) if row.screened_by else None,
        screened_at=row.screened_at.isoformat(),
        threshold=row.threshold,
        engine_version=row.engine_version,
        list_versions=row.list_versions,
        subjects=row.subjects,
        hits=hits,
    )


def run(session, organisation_id, run_id) -> ScreeningRun:
    organisation = _uuid(organisation_id, "organisation_id")
    try:
        run_uuid = run_id if isinstance(run_id, uuid.UUID) else uuid.UUID(str(run_id))
    except ValueError:
        raise DomainError("not_found", "There is no such screening") from None
    row = session.execute(
        select(store.runs).where(store.runs.c.id == run_uuid, store.runs.c.organisation_id == organisation)
    ).first()
    if row is None:
        raise DomainError("not_found", "There is no such screening")
    return _run_from_row(row, _run_hits(session, row))


def latest_run(session, organisation_id, contact_id: str) -> ScreeningRun | None:
    organisation = _uuid(organisation_id, "organisation_id")
    row = session.execute(_LATEST_RUN, {"organisation_id": organisation, "contact_id": contact_id}).first()
    if row is None:
        return None
    return _run_from_row(row, _run_hits(session, row))


def runs_of_contact(session, organisation_id, contact_id: str, limit: int = 50) -> list[dict]:
    """The audit trail of a contact's screenings, newest first (without their hits)."""
    organisation = _uuid(organisation_id, "organisation_id")
    rows = session.execute(
        select(store.runs)
        .where(store.runs.c.organisation_id == organisation, store.runs.c.contact_id == contact_id)
        .order_by(store.runs.c.screened_at.desc())
        .limit(limit)
    ).all()
    return [
        {
            "run_id": str(r.id),
            "trigger": r.trigger,
            "screened_by": str(r.screened_by) if r.screened_by else None,
            "screened_at": r.screened_at.isoformat(),
            "threshold": r.threshold,
            "list_versions": r.list_versions,
            "hit_count": r.hit_count,
            "new_hit_count": r.new_hit_count,
        }
        for r in rows
    ]


def hit_decisions(session, organisation_id, contact_id: str) -> list[dict]:
    """Every decision taken on this contact's hits, oldest first: who decided what and when."""
    organisation = _uuid(organisation_id, "organisation_id")
    rows = session.execute(
        select(store.decisions)
        .where(store.decisions.c.organisation_id == organisation, store.decisions.c.contact_id == contact_id)
        .order_by(store.decisions.c.decided_at)
    ).all()
    return [_decision_dict(r) | {"source": r.source, "entry_id": r.entry_id} for r in rows]


# ---- decisions --------------------------------------------------------------------------------


def decide_hit(session, *, organisation_id, hit_id, decision: str, reason: str, decided_by) -> Hit:
    organisation = _uuid(organisation_id, "organisation_id")
    if decision not in DECISIONS:
        raise field_error("decision", "must be true_match or false_positive")
    reason = (reason or "").strip()
    if not reason:
        raise field_error("reason", "say why (for example which data differ)")
    if len(reason) > 2000:
        raise field_error("reason", "at most 2000 characters")
    decider = _uuid(decided_by, "decided_by")
    try:
        hit_uuid = hit_id if isinstance(hit_id, uuid.UUID) else uuid.UUID(str(hit_id))
    except ValueError:
        raise DomainError("not_found", "There is no such hit") from None
    hit = session.execute(
        select(store.hits)
        .where(store.hits.c.id == hit_uuid, store.hits.c.organisation_id == organisation)
        .with_for_update()
    ).first()
    if hit is None:
        raise DomainError("not_found", "There is no such hit")
    decision_id = uuid.uuid4()
    session.execute(
        insert(store.decisions).values(
            id=decision_id,
            organisation_id=organisation,
            contact_id=hit.contact_id,
            source=hit.source,
            entry_id=hit.entry_id,
            entry_hash=hit.entry_hash,
            subject_fingerprint=hit.subject_fingerprint,
            hit_id=hit.id,
            decision=decision,
            reason=reason,
            decided_by=decider,
            decided_at=_now(),
        )
    )
    session.execute(
        update(store.hits).where(store.hits.c.id == hit.id).values(decision_id=decision_id, decision_reapplied=False)
    )
    hits = _hits_of(session, [hit.run_id])[hit.run_id]
    return next(h for h in hits if h.hit_id == str(hit.id))


# ---- what the vigilance rules read --------------------------------------------------------------


def screening_facts(session, organisation_id, contact_id: str) -> dict:
    latest = latest_run(session, organisation_id, contact_id)
    if latest is None:
        return {
            "screened": False,
            "run_id": None,
            "sanctions_true_match": False,
            "pep_true_match": False,
            "open_hits": 0,
            "pep_functions": [],
            "list_versions": [],
        }
    true_matches = [h for h in latest.hits if h.decision and h.decision["decision"] == "true_match"]
    return {
        "screened": True,
        "run_id": latest.run_id,
        "screened_at": latest.screened_at,
        "sanctions_true_match": any(h.list_kind == SANCTIONS for h in true_matches),
        "pep_true_match": any(h.list_kind == PEP for h in true_matches),
        "open_hits": len(latest.open_hits),
        "pep_functions": sorted(
            {
                h.entry.get("pep_function")
                + (
                    f" ({h.entry['pep_relation'].replace('_', ' ')})"
                    if h.entry.get("pep_relation") not in (None, "self")
                    else ""
                )
                for h in true_matches
                if h.list_kind == PEP and h.entry.get("pep_function")
            }
        ),
        "list_versions": latest.list_versions,
    }


# ---- ongoing monitoring -----------------------------------------------------------------------


def _set_monitored_statement():
    from sqlalchemy.dialects.postgresql import insert as pg_insert

    statement = pg_insert(store.monitoring)
    return statement.on_conflict_do_update(
        index_elements=["organisation_id", "contact_id"],
        set_={"monitored": statement.excluded.monitored, "changed_at": statement.excluded.changed_at},
    )


_SET_MONITORED = _set_monitored_statement()  # built once: every decision on a contact runs it


def set_monitored(session, *, organisation_id, contact_id: str, monitored: bool) -> None:
    organisation = _uuid(organisation_id, "organisation_id")
    session.execute(
        _SET_MONITORED,
        {"organisation_id": organisation, "contact_id": contact_id, "monitored": bool(monitored), "changed_at": _now()},
    )


def alerts(session, organisation_id, limit: int = 50) -> list[dict]:
    organisation = _uuid(organisation_id, "organisation_id")
    rows = session.execute(
        select(store.alerts)
        .where(store.alerts.c.organisation_id == organisation)
        .order_by(store.alerts.c.created_at.desc())
        .limit(limit)
    ).all()
    return [
        {
            "alert_id": str(r.id),
            "contact_id": r.contact_id,
            "run_id": str(r.run_id),
            "new_hits": r.new_hits,
            "created_at": r.created_at.isoformat(),
        }
        for r in rows
    ]


def monitored_count(session) -> int:
    return session.execute(
        select(func.count()).select_from(store.monitoring).where(store.monitoring.c.monitored)
    ).scalar_one()


__all__ += ["alerts", "country_lists_in_force", "hit_decisions", "monitored_count", "runs_of_contact"]

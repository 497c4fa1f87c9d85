"""Use cases of the AML officer: each takes the worker's session and the acting member (cases'
Actor), checks the role and the tenant, calls officer.domain and the case adapters, writes the
store. The Nameko entrypoints only unpack arguments and call these.

Every query is scoped by the actor's organisation; a case or report of another office is
`not_found`, exactly as one that does not exist.
"""

from __future__ import annotations

import base64
import uuid
from datetime import UTC, datetime

from sqlalchemy import func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert

from aww_aml_workflow.cases import store as cases_store
from aww_aml_workflow.domain.dates import local_date
from aww_aml_workflow.officer import domain, store, subjects
from aww_contracts.errors import DomainError, field_error
from servicekit.access import access_of, members_with_role
from servicekit.outbox import add_event

TOOL = "aml"
MAX_PAGE = 200


def now() -> datetime:
    return datetime.now(UTC)


def _uuid(value, what: str) -> uuid.UUID:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except (ValueError, TypeError, AttributeError):
        raise DomainError("not_found", f"There is no such {what}") from None


def _kind(kind) -> str:
    if kind not in subjects.KINDS:
        raise field_error("kind", f"choose one of {', '.join(subjects.KINDS)}")
    return kind


def officer_ids(session, organisation_id) -> list[str]:
    return [o.account_id for o in members_with_role(session, str(organisation_id), TOOL, domain.OFFICER_ROLE)]


def _name(session, organisation_id, account_id) -> str | None:
    if not account_id:
        return None
    found = access_of(session, str(organisation_id), str(account_id))
    return (found.display_name if found else None) or str(account_id)[:8]


# ---- the timeline (the service's shared aml_timeline) ------------------------------------------------


def note(session, actor, facts: subjects.CaseFacts, action: str, details: dict, marker: str | None) -> None:
    """A timeline line on the case: through its adapter when it has `note`, else on the shared
    timeline by transaction id (the column cases keeps for transactions)."""
    adapter = subjects.adapter_for(facts.kind)
    if callable(getattr(adapter, "note", None)):
        adapter.note(session, actor, facts.case_id, action, details, marker)
        return
    session.execute(
        insert(cases_store.timeline).values(
            organisation_id=actor.organisation_id,
            transaction_id=_uuid(facts.case_id, "case") if facts.kind == "transaction" else None,
            contact_id=_uuid(facts.contact_ids[0], "contact") if facts.kind != "transaction" else None,
            at=now(),
            actor_id=actor.account_id,
            actor_role=actor.actor_role,
            action=action,
            details=details,
            marker=marker,
        )
    )


def case_timeline(session, actor, kind, case_id) -> list[dict]:
    """Who did what and when on a case; any member of the office may read it (employees see their
    own cases' history, officer steps marked `officer`, CTIF-CFI steps `cfi`)."""
    facts = subjects.adapter_for(_kind(kind)).load(session, str(actor.organisation_id), case_id)
    t = cases_store.timeline.c
    where = [t.organisation_id == actor.organisation_id]
    if facts.kind == "transaction":
        where.append(t.transaction_id == _uuid(facts.case_id, "case"))
    else:
        where.append(t.contact_id == _uuid(facts.contact_ids[0], "contact"))
    rows = session.execute(select(cases_store.timeline).where(*where).order_by(t.id)).all()
    names: dict = {}
    entries = []
    for row in rows:
        if row.actor_id and row.actor_id not in names:
            names[row.actor_id] = _name(session, actor.organisation_id, row.actor_id)
        entries.append(
            {
                "at": row.at.isoformat(),
                "actor_id": str(row.actor_id) if row.actor_id else None,
                "actor_name": names.get(row.actor_id),
                "actor_role": row.actor_role,
                "action": row.action,
                "details": row.details,
                "marker": row.marker,
                "risk_profile_id": str(row.risk_profile_id) if row.risk_profile_id else None,
            }
        )
    return entries


# ---- notifications of employees ----------------------------------------------------------------------


def _notify_employee(session, actor, facts: subjects.CaseFacts, action: str) -> None:
    if not facts.proposed_by or str(facts.proposed_by) == str(actor.account_id):
        return
    session.execute(
        insert(store.notifications).values(
            organisation_id=actor.organisation_id,
            recipient_id=_uuid(facts.proposed_by, "account"),
            case_kind=facts.kind,
            case_id=_uuid(facts.case_id, "case"),
            title=facts.title[:300],
            action=action,
            actor_id=actor.account_id,
            at=now(),
        )
    )


def notifications(session, actor, *, limit: int = 50, mark_read: bool = False) -> dict:
    """What the officer did on the cases this member proposed, newest first."""
    if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= MAX_PAGE:
        raise field_error("limit", f"between 1 and {MAX_PAGE}")
    n = store.notifications.c
    mine = [n.organisation_id == actor.organisation_id, n.recipient_id == actor.account_id]
    rows = session.execute(select(store.notifications).where(*mine).order_by(n.id.desc()).limit(limit)).all()
    items = [
        {
            "id": row.id,
            "kind": row.case_kind,
            "case_id": str(row.case_id),
            "title": row.title,
            "action": row.action,
            "actor_id": str(row.actor_id) if row.actor_id else None,
            "actor_name": _name(session, actor.organisation_id, row.actor_id),
            "at": row.at.isoformat(),
            "unread": row.read_at is None,
        }
        for row in rows
    ]
    if mark_read:
        session.execute(update(store.notifications).where(*mine, n.read_at.is_(None)).values(read_at=now()))
    return {"items": items, "unread": sum(1 for item in items if item["unread"])}


# ---- inbox and counts ----------------------------------------------------------------------------------


def _open_reports(session, organisation_id, limit: int = MAX_PAGE):
    r = store.reports.c
    return session.execute(
        select(store.reports)
        .where(r.organisation_id == organisation_id, r.state != "answered")
        .order_by(r.created_at, r.id)
        .limit(limit)
    ).all()


def counts(session, actor) -> dict:
    """For the navigation: what waits for the officer, and the member's unread notifications."""
    n = store.notifications.c
    unread = session.execute(
        select(func.count()).where(
            n.organisation_id == actor.organisation_id, n.recipient_id == actor.account_id, n.read_at.is_(None)
        )
    ).scalar_one()
    result = {"officer": actor.role == domain.OFFICER_ROLE, "unread": unread, "awaiting_decision": 0, "awaiting_cfi": 0}
    if actor.role == domain.OFFICER_ROLE:
        result["awaiting_decision"] = sum(len(_awaiting(session, actor, kind)) for kind in subjects.ADAPTERS)
        result["awaiting_cfi"] = session.execute(
            select(func.count()).where(
                store.reports.c.organisation_id == actor.organisation_id, store.reports.c.state != "answered"
            )
        ).scalar_one()
    result["total"] = result["awaiting_decision"] + result["awaiting_cfi"]
    return result


def _awaiting(session, actor, kind: str) -> list[subjects.CaseFacts]:
    adapter = subjects.ADAPTERS[kind]
    if not callable(getattr(adapter, "awaiting", None)):
        return []
    return adapter.awaiting(session, str(actor.organisation_id), MAX_PAGE)


def _case_summary(session, actor, facts: subjects.CaseFacts, officers: list[str]) -> dict:
    return {
        "kind": facts.kind,
        "case_id": facts.case_id,
        "title": facts.title,
        "state": facts.state,
        "level": facts.level,
        "proposal": facts.proposal,
        "motivation": facts.motivation,
        "proposed_by": facts.proposed_by,
        "proposed_by_name": _name(session, actor.organisation_id, facts.proposed_by),
        "contact_ids": list(facts.contact_ids),
        "four_eyes": domain.four_eyes(facts.proposed_by, str(actor.account_id), officers),
    }


def inbox(session, actor) -> dict:
    """Everything that waits for the AML officer: cases to decide, reports awaiting CTIF-CFI."""
    domain.require_officer(actor.role)
    officers = officer_ids(session, actor.organisation_id)
    cases = [
        _case_summary(session, actor, facts, officers)
        for kind in sorted(subjects.ADAPTERS)
        for facts in _awaiting(session, actor, kind)
    ]
    reports = [_report_dict(row) for row in _open_reports(session, actor.organisation_id)]
    return {
        "awaiting_decision": cases,
        "awaiting_cfi": reports,
        "counts": {"awaiting_decision": len(cases), "awaiting_cfi": len(reports), "total": len(cases) + len(reports)},
    }


# ---- one case ---------------------------------------------------------------------------------------------


def get_case(session, actor, kind, case_id) -> dict:
    domain.require_officer(actor.role)
    facts = subjects.adapter_for(_kind(kind)).load(session, str(actor.organisation_id), case_id)
    officers = officer_ids(session, actor.organisation_id)
    r = store.reports.c
    reports = session.execute(
        select(store.reports)
        .where(
            r.organisation_id == actor.organisation_id, r.case_kind == facts.kind, r.case_id == _uuid(case_id, "case")
        )
        .order_by(r.created_at)
    ).all()
    view = _case_summary(session, actor, facts, officers)
    view["reports"] = [_report_dict(row) for row in reports]
    view["can_decide"] = facts.state == "awaiting_officer" and not view["four_eyes"]["applies"]
    view["can_report"] = facts.state in ("awaiting_officer", "accepted") and not view["four_eyes"]["applies"]
    view["blocked"] = facts.state == "reported"
    view["parties"] = [
        {
            "role": p.get("role"),
            "kind": p.get("kind"),
            "contact_id": p.get("contact_id"),
            "hits": len(p.get("screening_hits") or []),
        }
        for p in facts.report_facts.get("parties", [])
    ]
    view["factors"] = facts.report_facts.get("factors", [])
    return view


def decide(session, actor, kind, case_id, *, decision, reason=None, indicators=None) -> dict:
    """The officer accepts, refuses or reports the case to CTIF-CFI (which blocks it)."""
    domain.require_officer(actor.role)
    action, reason = domain.check_decision(decision, reason)
    adapter = subjects.adapter_for(_kind(kind))
    facts = adapter.load(session, str(actor.organisation_id), case_id)
    rule = domain.four_eyes(facts.proposed_by, str(actor.account_id), officer_ids(session, actor.organisation_id))
    domain.check_four_eyes(rule)
    chosen = []
    if action == "report_to_cfi":
        chosen = domain.check_indicators(
            indicators, _settings_row(session, actor.organisation_id)[0].get("indicators", [])
        )
    after = adapter.apply(session, actor, facts.case_id, action, reason)
    moment = now()
    report = None
    if action == "report_to_cfi":
        report_id = uuid.uuid4()
        session.execute(
            insert(store.reports).values(
                id=report_id,
                organisation_id=actor.organisation_id,
                case_kind=after.kind,
                case_id=_uuid(after.case_id, "case"),
                title=after.title[:300],
                state="draft",
                revision=1,
                reason=reason,
                indicators=chosen,
                created_at=moment,
                created_by=actor.account_id,
                updated_at=moment,
            )
        )
        report = str(report_id)
        note(session, actor, after, "cfi_report_drafted", {"report_id": report}, "cfi")
    _notify_employee(session, actor, after, f"officer_{decision}")
    add_event(
        session,
        "officer_decided",
        {
            "organisation_id": str(actor.organisation_id),
            "kind": after.kind,
            "case_id": after.case_id,
            "decision": decision,
            "state": after.state,
            "report_id": report,
            "decided_by": str(actor.account_id),
            "decided_at": moment.isoformat(),
        },
    )
    view = get_case(session, actor, after.kind, after.case_id)
    view["report_id"] = report
    return view


# ---- CTIF-CFI reports ------------------------------------------------------------------------------------


def _report_dict(row) -> dict:
    def iso(value):
        return value.isoformat() if value else None

    return {
        "report_id": str(row.id),
        "kind": row.case_kind,
        "case_id": str(row.case_id),
        "title": row.title,
        "state": row.state,
        "revision": row.revision,
        "reason": row.reason,
        "indicators": list(row.indicators),
        "document_id": str(row.document_id) if row.document_id else None,
        "sha256": row.sha256,
        "filename": row.filename,
        "created_at": iso(row.created_at),
        "created_by": str(row.created_by),
        "validated_at": iso(row.validated_at),
        "downloaded_at": iso(row.downloaded_at),
        "submitted_at": iso(row.submitted_at),
        "goaml_reference": row.goaml_reference,
        "answered_at": iso(row.answered_at),
        "answer": row.answer,
        "answer_date": iso(row.answer_date),
        "answer_reference": row.answer_reference,
        "downloadable": row.state in ("validated", "downloaded") and row.document_id is not None,
    }


def _report(session, actor, report_id, *, lock: bool = False):
    domain.require_officer(actor.role)
    query = select(store.reports).where(
        store.reports.c.id == _uuid(report_id, "report"), store.reports.c.organisation_id == actor.organisation_id
    )
    row = session.execute(query.with_for_update() if lock else query).first()
    if row is None:
        raise DomainError("not_found", "There is no such report")
    return row


def get_report(session, actor, report_id) -> dict:
    row = _report(session, actor, report_id)
    settings, _ = _settings_row(session, actor.organisation_id)
    labels = {item["code"]: item["label"] for item in settings.get("indicators", [])}
    view = _report_dict(row)
    view["indicator_choices"] = settings.get("indicators", [])
    view["indicator_labels"] = [{"code": c, "label": labels.get(c, c)} for c in view["indicators"]]
    return view


def list_reports(session, actor, *, state=None, limit: int = 100) -> list[dict]:
    domain.require_officer(actor.role)
    r = store.reports.c
    where = [r.organisation_id == actor.organisation_id]
    if state is not None:
        if state not in domain.REPORT_STATES:
            raise field_error("state", f"choose one of {', '.join(domain.REPORT_STATES)}")
        where.append(r.state == state)
    if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= MAX_PAGE:
        raise field_error("limit", f"between 1 and {MAX_PAGE}")
    rows = session.execute(select(store.reports).where(*where).order_by(r.created_at.desc()).limit(limit)).all()
    return [_report_dict(row) for row in rows]


def _facts_of(session, actor, row) -> subjects.CaseFacts:
    return subjects.adapter_for(row.case_kind).load(session, str(actor.organisation_id), row.case_id)


def edit_report(session, actor, report_id, *, reason=None, indicators=None) -> dict:
    row = _report(session, actor, report_id, lock=True)
    target = domain.report_move(row.state, "edit")
    settings, _ = _settings_row(session, actor.organisation_id)
    values = {"state": target, "revision": row.revision + 1, "updated_at": now(), "document_id": None,
              "sha256": None, "filename": None, "validated_at": None, "validated_by": None}  # fmt: skip
    if reason is not None:
        values["reason"] = domain.text(reason, "reason", required=True)
    if indicators is not None:
        values["indicators"] = domain.check_indicators(indicators, settings.get("indicators", []))
    session.execute(update(store.reports).where(store.reports.c.id == row.id).values(**values))
    note(session, actor, _facts_of(session, actor, row), "cfi_report_edited",
         {"report_id": str(row.id), "revision": row.revision + 1}, "cfi")  # fmt: skip
    return get_report(session, actor, row.id)


def validate_report(session, actor, report_id, reporting, language: str = "nl") -> dict:
    """Render the goAML file and validate it against the office's goAML XSD (in reporting); only a
    file that validates is archived and offered for download. Missing data → goaml_incomplete with
    every missing item; a schema complaint → goaml_invalid with the schema's messages."""
    row = _report(session, actor, report_id, lock=True)
    target = domain.report_move(row.state, "validate")
    facts = _facts_of(session, actor, row)
    settings, user_codes = _settings_row(session, actor.organisation_id)
    data = domain.goaml_data(
        kind=row.case_kind,
        facts=facts.report_facts,
        settings=settings,
        user_code=user_codes.get(str(actor.account_id)),
        report={"id": row.id, "revision": row.revision, "reason": row.reason, "indicators": row.indicators},
        at=now(),
    )
    rendered = reporting.render_document(
        kind="goaml_report",
        organisation_id=str(actor.organisation_id),
        reference=f"goaml/{row.id}/r{row.revision}",
        data=data,
        language=language,
    )
    moment = now()
    session.execute(
        update(store.reports)
        .where(store.reports.c.id == row.id)
        .values(
            state=target,
            document_id=uuid.UUID(rendered["document_id"]),
            sha256=rendered["sha256"],
            filename=rendered["filename"],
            validated_at=moment,
            validated_by=actor.account_id,
            updated_at=moment,
        )
    )
    note(session, actor, facts, "cfi_report_validated",
         {"report_id": str(row.id), "revision": row.revision, "sha256": rendered["sha256"]}, "cfi")  # fmt: skip
    return get_report(session, actor, row.id)


def download_report(session, actor, report_id, reporting) -> dict:
    """The validated goAML file (base64); the first download moves the report to `downloaded`."""
    row = _report(session, actor, report_id, lock=True)
    target = domain.report_move(row.state, "download")
    if row.document_id is None:
        raise DomainError("conflict", "Validate the report before downloading it", state=row.state)
    found = reporting.get_document(document_id=str(row.document_id))
    if base64.b64decode(found["content_b64"]) and found.get("sha256") != row.sha256:
        raise DomainError("conflict", "The archived file is not the validated one", state=row.state)
    if row.state != target:
        moment = now()
        session.execute(
            update(store.reports)
            .where(store.reports.c.id == row.id)
            .values(state=target, downloaded_at=moment, downloaded_by=actor.account_id, updated_at=moment)
        )
        note(session, actor, _facts_of(session, actor, row), "cfi_report_downloaded",
             {"report_id": str(row.id), "revision": row.revision}, "cfi")  # fmt: skip
    return {
        "content_b64": found["content_b64"],
        "media_type": found.get("media_type", "application/xml"),
        "filename": row.filename,
        "sha256": row.sha256,
    }


def submit_report(session, actor, report_id, *, goaml_reference) -> dict:
    """The officer confirms the upload on the goAML portal, with the reference goAML gave."""
    row = _report(session, actor, report_id, lock=True)
    reference = domain.text(goaml_reference, "goaml_reference", required=True, limit=100)
    target = domain.report_move(row.state, "submit")
    moment = now()
    session.execute(
        update(store.reports)
        .where(store.reports.c.id == row.id)
        .values(
            state=target,
            submitted_at=moment,
            submitted_by=actor.account_id,
            goaml_reference=reference,
            updated_at=moment,
        )
    )
    note(session, actor, _facts_of(session, actor, row), "cfi_report_submitted",
         {"report_id": str(row.id), "goaml_reference": reference}, "cfi")  # fmt: skip
    return get_report(session, actor, row.id)


def answer_report(session, actor, report_id, *, answer, answer_date, answer_reference) -> dict:
    """CTIF-CFI's answer: continue (the case is accepted again) or stop (refused for good)."""
    row = _report(session, actor, report_id, lock=True)
    target = domain.report_move(row.state, "answer")
    cleaned = domain.check_answer(
        answer,
        answer_date,
        answer_reference,
        today=local_date(now()),
        submitted_on=local_date(row.submitted_at),
    )
    adapter = subjects.adapter_for(row.case_kind)
    after = adapter.apply(
        session, actor, str(row.case_id), cleaned["case_action"], f"CTIF-CFI {cleaned['answer_reference']}"
    )
    moment = now()
    session.execute(
        update(store.reports)
        .where(store.reports.c.id == row.id)
        .values(
            state=target,
            answered_at=moment,
            answered_by=actor.account_id,
            answer=cleaned["answer"],
            answer_date=cleaned["answer_date"],
            answer_reference=cleaned["answer_reference"],
            updated_at=moment,
        )
    )
    note(session, actor, after, "cfi_answer_recorded",
         {"report_id": str(row.id), "answer": cleaned["answer"], "answer_date": cleaned["answer_date"].isoformat(),
          "answer_reference": cleaned["answer_reference"]}, "cfi")  # fmt: skip
    _notify_employee(session, actor, after, f"cfi_{cleaned['answer']}")
    add_event(
        session,
        "report_answered",
        {
            "organisation_id": str(actor.organisation_id),
            "report_id": str(row.id),
            "kind": row.case_kind,
            "case_id": str(row.case_id),
            "answer": cleaned["answer"],
            "answer_date": cleaned["answer_date"].isoformat(),
            "state": after.state,
        },
    )
    return get_report(session, actor, row.id)


# ---- settings -----------------------------------------------------------------------------------------------


def _settings_row(session, organisation_id) -> tuple[dict, dict]:
    row = session.execute(
        select(store.settings).where(store.settings.c.organisation_id == _uuid(organisation_id, "organisation"))
    ).first()
    return (dict(row.settings), dict(row.user_codes)) if row else ({}, {})


def get_settings(session, actor) -> dict:
    domain.require_officer(actor.role)
    settings, user_codes = _settings_row(session, actor.organisation_id)
    return {
        "settings": settings,
        "defaults": domain.CODE_DEFAULTS,
        "party_roles": list(domain.PARTY_ROLES),
        "reporting_user_code": user_codes.get(str(actor.account_id)),
    }


def save_settings(session, actor, *, settings=None, reporting_user_code=None) -> dict:
    domain.require_officer(actor.role)
    current, user_codes = _settings_row(session, actor.organisation_id)
    if settings is not None:
        current = domain.clean_settings(settings)
    if reporting_user_code is not None:
        user_codes[str(actor.account_id)] = domain.check_user_code(reporting_user_code)
    statement = pg_insert(store.settings).values(
        organisation_id=actor.organisation_id,
        settings=current,
        user_codes=user_codes,
        updated_at=now(),
        updated_by=actor.account_id,
    )
    session.execute(
        statement.on_conflict_do_update(
            index_elements=["organisation_id"],
            set_={
                "settings": statement.excluded.settings,
                "user_codes": statement.excluded.user_codes,
                "updated_at": statement.excluded.updated_at,
                "updated_by": statement.excluded.updated_by,
            },
        )
    )
    return get_settings(session, actor)

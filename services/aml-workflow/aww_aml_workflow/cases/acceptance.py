"""The acceptance document of a decided contact version: identification, proofs, screening (list
versions, hits and decisions), vigilance level with its factors, and the decision. Rendered and
archived by the reporting service (kind `acceptance_document`); this side gathers the data and
keeps which document belongs to which version."""

from __future__ import annotations

import uuid

from sqlalchemy import insert, select

from aww_aml_workflow.cases import handling, store
from aww_aml_workflow.cases.domain import contacts as contact_rules
from aww_aml_workflow.cases.domain import rules
from aww_contracts.errors import DomainError, field_error
from servicekit.access import access_of
from servicekit.context import LANGUAGES


def _name_of(session, organisation_id, account_id) -> str:
    if account_id is None:
        return ""
    found = access_of(session, str(organisation_id), str(account_id))
    return (found.display_name if found else None) or str(account_id)[:8]


def document_data(session, actor: handling.Actor, contact, version, language: str) -> dict:
    assessment = handling._load_assessment(session, version.assessment_id)
    explained = handling.explain_assessment(assessment, language)
    book = rules.rulebook(assessment["rules_version"])
    documents = [
        {
            "proof_kind": document["proof_kind"],
            "proof_label": (book.proof(document["proof_kind"]) or {})
            .get("label", {})
            .get(language, document["proof_kind"]),
            "filename": document["filename"],
            "sha256": document["sha256"],
            "uploaded_at": document["uploaded_at"],
        }
        for document in handling._documents_of(session, contact.id, version.version_no)
        if not document["withdrawn"]
    ]
    screening = None
    if version.screening_run_id:
        run = handling._screening_api().run(session, actor.organisation_id, version.screening_run_id)
        screening = {
            "screened_at": run.screened_at,
            "threshold": run.threshold,
            "engine_version": run.engine_version,
            "list_versions": [
                {"source": v.get("source"), "list_date": v.get("list_date"), "checksum": v.get("checksum")}
                for v in run.list_versions
            ],
            "subjects": len(run.subjects),
            "hits": [
                {
                    "subject_id": hit.subject_id,
                    "source": hit.source_title,
                    "matched_name": hit.matched_name,
                    "query_name": hit.query_name,
                    "score": round(hit.score, 3),
                    "decision": (hit.decision or {}).get("decision"),
                    "reason": (hit.decision or {}).get("reason"),
                    "decided_at": (hit.decision or {}).get("decided_at"),
                    "decided_by": _name_of(session, actor.organisation_id, (hit.decision or {}).get("decided_by")),
                }
                for hit in run.hits
            ],
        }
    owners = None
    if contact.kind == "organisation":
        result = contact_rules.beneficial_owners(version.data)
        if result:
            owners = {
                "owners": [
                    {"name": contact_rules.person_name(o["entity"]), "percent": o["percent"], "reasons": o["reasons"]}
                    for o in result["owners"]
                ],
                "fallback_to_senior_managers": result["fallback_to_senior_managers"],
                "senior_managers": [contact_rules.person_name(m) for m in version.data.get("senior_managers", [])],
            }
    return {
        "reference": f"{contact.id}/v{version.version_no}",
        "issued_at": version.decided_at.isoformat(),
        "contact": {
            "contact_id": str(contact.id),
            "kind": contact.kind,
            "display_name": contact_rules.display_name(contact.kind, version.data),
            "version_no": version.version_no,
        },
        "identification": version.data,
        "answers": version.answers,
        "documents": documents,
        "beneficial_owners": owners,
        "screening": screening,
        "assessment": {
            "level": explained["level"],
            "level_label": explained["level_label"],
            "rules_version": explained["rules_version"],
            "why": explained["why"],
            "factors": [
                {"effect": f["effect"], "title": f["title"], "explanation": f["explanation"], "basis": f["basis"]}
                for f in explained["factors"]
            ],
        },
        "decision": {
            "decision": version.state,
            "decided_at": version.decided_at.isoformat(),
            "decided_by": _name_of(session, actor.organisation_id, version.decided_by),
            "reason": version.decision_reason,
        },
    }


def generate(session, actor: handling.Actor, contact_id, version_no, language: str, reporting) -> dict:
    if language not in LANGUAGES:
        raise field_error("language", "must be nl, fr or en")
    contact = handling._contact(session, actor, contact_id)
    version = handling._version(session, contact, version_no)
    if version.state == "draft":
        raise DomainError("conflict", "The acceptance document is made once the contact is accepted or refused")
    existing = session.execute(
        select(store.acceptance_documents).where(
            store.acceptance_documents.c.contact_id == contact.id,
            store.acceptance_documents.c.version_no == version.version_no,
            store.acceptance_documents.c.language == language,
        )
    ).first()
    if existing is not None:
        return _dict(existing)
    data = document_data(session, actor, contact, version, language)
    rendered = reporting.render_document(
        kind="acceptance_document",
        organisation_id=str(actor.organisation_id),
        reference=f"acceptance/{contact.id}/v{version.version_no}/{language}",
        data=data,
        language=language,
    )
    row_id = uuid.uuid4()
    session.execute(
        insert(store.acceptance_documents).values(
            id=row_id,
            organisation_id=actor.organisation_id,
            contact_id=contact.id,
            version_no=version.version_no,
            language=language,
            document_id=uuid.UUID(rendered["document_id"]),
            sha256=rendered["sha256"],
            filename=rendered["filename"],
            size_bytes=rendered["size_bytes"],
            generated_at=handling.now(),
            generated_by=actor.account_id,
        )
    )
    handling.record(
        session,
        actor,
        "acceptance_document_generated",
        contact_id=contact.id,
        details={
            "version_no": version.version_no,
            "language": language,
            "document_id": rendered["document_id"],
            "sha256": rendered["sha256"],
        },
    )
    row = session.execute(select(store.acceptance_documents).where(store.acceptance_documents.c.id == row_id)).one()
    return _dict(row)


def _dict(row) -> dict:
    return {
        "document_id": str(row.document_id),
        "version_no": row.version_no,
        "language": row.language,
        "sha256": row.sha256,
        "filename": row.filename,
        "size_bytes": row.size_bytes,
        "generated_at": row.generated_at.isoformat(),
    }


def list_for(session, actor, contact_id) -> list[dict]:
    contact = handling._contact(session, actor, contact_id)
    rows = session.execute(
        select(store.acceptance_documents)
        .where(store.acceptance_documents.c.contact_id == contact.id)
        .order_by(store.acceptance_documents.c.generated_at)
    ).all()
    return [_dict(row) for row in rows]


def download(session, actor, contact_id, document_id, reporting) -> dict:
    contact = handling._contact(session, actor, contact_id)
    try:
        wanted = uuid.UUID(str(document_id))
    except ValueError:
        raise DomainError("not_found", "There is no such document") from None
    row = session.execute(
        select(store.acceptance_documents).where(
            store.acceptance_documents.c.contact_id == contact.id,
            store.acceptance_documents.c.organisation_id == actor.organisation_id,
            store.acceptance_documents.c.document_id == wanted,
        )
    ).first()
    if row is None:
        raise DomainError("not_found", "There is no such document")
    return reporting.get_document(document_id=str(row.document_id))

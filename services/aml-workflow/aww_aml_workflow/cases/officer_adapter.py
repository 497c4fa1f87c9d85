"""The risk profile as the AML officer sees it: the CaseAdapter of kind "risk_profile".

It loads an escalated (or reported) risk profile with the goAML facts of its contact (officer/
README.md, "goAML facts") and applies the officer's moves with cases' own lifecycle table, a row
lock and a timeline entry, exactly as the employee's moves in cases.handling do.
"""

from __future__ import annotations

import uuid

from sqlalchemy import select, update

from aww_aml_workflow.cases import handling, store
from aww_aml_workflow.cases.domain import contacts as contact_rules
from aww_aml_workflow.cases.domain import lifecycle, rules
from aww_aml_workflow.officer import subjects
from aww_contracts.errors import DomainError

FACTS_LANGUAGE = "en"  # factor texts inside the goAML file; CTIF-CFI reads the officer's own reason first

TIMELINE_ACTIONS = {
    "officer_accept": ("officer_accepted", "officer"),
    "officer_refuse": ("officer_refused", "officer"),
    "report_to_cfi": ("reported_to_cfi", "cfi"),
    "cfi_cleared": ("cfi_answer_continue", "cfi"),
    "cfi_refused": ("cfi_answer_stop", "cfi"),
}


def _uuid(value) -> uuid.UUID:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except (ValueError, TypeError, AttributeError):
        raise DomainError("not_found", "There is no such risk profile") from None


def _ubos(kind: str, data: dict) -> list[dict]:
    if kind != "organisation":
        return []
    result = contact_rules.beneficial_owners(data)
    if result is None:
        return []
    owners = []
    for owner in result["owners"]:
        entity = owner["entity"]
        if entity.get("kind") == "organisation":
            continue
        owners.append(
            {
                "role": "ubo",
                "ref": f"ubo:{owner['entity_id']}",
                **{k: entity[k] for k in ("first_names", "last_name", "birth_date", "nationalities") if k in entity},
                "residence_country": entity.get("residence_country"),
                "percent": owner["percent"],
                "pep": bool(entity.get("pep")),
            }
        )
    if result["fallback_to_senior_managers"]:
        for index, manager in enumerate(data.get("senior_managers", [])):
            owners.append(
                {
                    "role": "senior_manager",
                    "ref": f"manager:{index}",
                    **{
                        k: manager[k]
                        for k in ("first_names", "last_name", "birth_date", "nationalities")
                        if k in manager
                    },
                }
            )
    return owners


def _hits(session, organisation_id, contact_id) -> list[dict]:
    run = handling._screening_api().latest_run(session, organisation_id, str(contact_id))
    if run is None:
        return []
    found = []
    for hit in run.hits:
        decision = (hit.decision or {}).get("decision")
        if decision == "false_positive":
            continue
        found.append(
            {
                "list_kind": hit.list_kind,
                "source": hit.source,
                "source_title": hit.source_title,
                "list_version": hit.list_version,
                "matched_name": hit.matched_name,
                "subject_id": hit.subject_id,
                "score": round(float(hit.score), 4),
                "decision": decision,
                "programme": hit.entry.get("programme"),
                "pep_function": hit.entry.get("pep_function"),
            }
        )
    return found


def party_facts(session, organisation_id, contact_id, version_no: int, role: str) -> dict:
    """One contact version as a goAML party (public: the transactions adapter may reuse it)."""
    contact = session.execute(
        select(store.contacts).where(
            store.contacts.c.id == contact_id, store.contacts.c.organisation_id == organisation_id
        )
    ).first()
    version = session.execute(
        select(store.versions).where(
            store.versions.c.contact_id == contact_id, store.versions.c.version_no == version_no
        )
    ).first()
    if contact is None or version is None:
        raise DomainError("not_found", "There is no such contact")
    return {
        "role": role,
        "contact_id": str(contact.id),
        "version_no": version.version_no,
        "kind": contact.kind,
        "data": dict(version.data),
        "ubos": _ubos(contact.kind, version.data),
        "screening_hits": _hits(session, organisation_id, contact.id),
    }


class RiskProfileAdapter:
    kind = "risk_profile"

    def _row(self, session, organisation_id, case_id, *, lock: bool = False):
        query = select(store.risk_profiles).where(
            store.risk_profiles.c.id == _uuid(case_id),
            store.risk_profiles.c.organisation_id == _uuid(organisation_id),
        )
        row = session.execute(query.with_for_update() if lock else query).first()
        if row is None:
            raise DomainError("not_found", "There is no such risk profile")
        return row

    def _facts(self, session, row) -> subjects.CaseFacts:
        contact = session.execute(select(store.contacts).where(store.contacts.c.id == row.contact_id)).first()
        party = party_facts(session, row.organisation_id, row.contact_id, row.version_no, "subject")
        assessment = handling._load_assessment(session, row.assessment_id)
        book = rules.rulebook(assessment["rules_version"])
        factors = []
        for factor in assessment["factors"]:
            explained = book.explain(factor, FACTS_LANGUAGE, format_value=handling._format_value)
            factors.append({"id": factor["id"], "text": explained.get("title") or factor["id"]})
        return subjects.CaseFacts(
            kind=self.kind,
            case_id=str(row.id),
            organisation_id=str(row.organisation_id),
            state=row.state,
            level=row.level,
            title=contact.display_name,
            proposed_by=str(row.escalated_by) if row.escalated_by else None,
            proposal=row.proposal,
            motivation=row.motivation,
            contact_ids=(str(row.contact_id),),
            report_facts={
                "subject": "contact",
                "reference": f"{contact.display_name} v{row.version_no}"[:255],
                "level": row.level,
                "factors": factors,
                "parties": [party],
            },
        )

    def load(self, session, organisation_id, case_id) -> subjects.CaseFacts:
        return self._facts(session, self._row(session, organisation_id, case_id))

    def awaiting(self, session, organisation_id, limit: int = 100) -> list[subjects.CaseFacts]:
        """Risk profiles escalated to the officer, oldest first (light facts: no goAML party data)."""
        rows = session.execute(
            select(store.risk_profiles, store.contacts.c.display_name)
            .join(store.contacts, store.contacts.c.id == store.risk_profiles.c.contact_id)
            .where(
                store.risk_profiles.c.organisation_id == _uuid(organisation_id),
                store.risk_profiles.c.state == "awaiting_officer",
            )
            .order_by(store.risk_profiles.c.escalated_at, store.risk_profiles.c.id)
            .limit(limit)
        ).all()
        return [
            subjects.CaseFacts(
                kind=self.kind,
                case_id=str(row.id),
                organisation_id=str(row.organisation_id),
                state=row.state,
                level=row.level,
                title=row.display_name,
                proposed_by=str(row.escalated_by) if row.escalated_by else None,
                proposal=row.proposal,
                motivation=row.motivation,
                contact_ids=(str(row.contact_id),),
            )
            for row in rows
        ]

    def apply(self, session, actor, case_id, action: str, note: str | None) -> subjects.CaseFacts:
        if action not in TIMELINE_ACTIONS:
            raise DomainError("conflict", f"The officer cannot {action} a risk profile")
        row = self._row(session, actor.organisation_id, case_id, lock=True)
        target = lifecycle.move(row.state, action)
        moment = handling.now()
        values = {"state": target, "updated_at": moment}
        review = None
        if target in ("accepted", "refused"):
            if target == "accepted":
                rules_version = handling._load_assessment(session, row.assessment_id)["rules_version"]
                review = rules.rulebook(rules_version).review_date(row.level, moment.date())
            values |= {
                "decided_at": moment,
                "decided_by": actor.account_id,
                "decision_reason": note,
                "review_due_on": review,
            }
        session.execute(update(store.risk_profiles).where(store.risk_profiles.c.id == row.id).values(**values))
        handling._refresh_contact_profile(session, row.contact_id)
        timeline_action, marker = TIMELINE_ACTIONS[action]
        self.note(
            session,
            actor,
            row.id,
            timeline_action,
            {
                "level": row.level,
                "state": target,
                "reason": note,
                "review_due_on": review.isoformat() if review else None,
            },
            marker,
            contact_id=row.contact_id,
        )
        return self.load(session, actor.organisation_id, row.id)

    def note(self, session, actor, case_id, action: str, details: dict, marker: str | None, contact_id=None):
        """A timeline line on the contact of this risk profile (officer and CTIF-CFI steps)."""
        if contact_id is None:
            contact_id = self._row(session, actor.organisation_id, case_id).contact_id
        handling.record(
            session,
            actor,
            action,
            contact_id=contact_id,
            risk_profile_id=_uuid(case_id),
            details=details,
            marker=marker,
        )


ADAPTER = subjects.register(RiskProfileAdapter())

"""Where a contact's identification stands: the wizard's steps, what each still needs, and
whether the contact may be accepted now.

Steps: identification data → proofs → questions → screening → decision. The questions shown and
the proofs asked for follow the answers (the rulebook's show_if and required_if conditions), so
the wizard adapts as the employee goes.
"""

from __future__ import annotations

from datetime import date

from aww_aml_workflow.cases.domain import contacts
from aww_aml_workflow.cases.domain.rules import Assessment, Rulebook

STEPS = ("identification", "proofs", "questions", "screening", "decision")


def state(
    *,
    rulebook: Rulebook,
    kind: str,
    data: dict,
    answers: dict,
    proof_kinds: set[str],
    facts: dict,
    assessment: Assessment | None,
    version_state: str,
    today: date,
) -> dict:
    missing = contacts.missing_fields(kind, data, today)
    required = rulebook.proofs_for(kind, facts)
    proofs = [{"id": proof["id"], "present": proof["id"] in proof_kinds} for proof in required]
    missing_proofs = [proof["id"] for proof in proofs if not proof["present"]]
    questions = rulebook.questions_for("contact", kind, facts)
    unanswered = [question["id"] for question in questions if question["id"] not in answers]

    blockers: list[dict] = []
    if missing:
        blockers.append({"code": "missing_fields", "fields": [item["field"] for item in missing]})
    if missing_proofs:
        blockers.append({"code": "missing_proofs", "proofs": missing_proofs})
    if unanswered:
        blockers.append({"code": "unanswered_questions", "questions": unanswered})
    if not facts.get("screening.done"):
        blockers.append({"code": "not_screened"})
    elif facts.get("screening.open_hits"):
        blockers.append({"code": "open_hits", "count": facts["screening.open_hits"]})
    if assessment is not None and assessment.blocks_acceptance:
        blockers.append(
            {"code": "blocking_factor", "factors": [f.id for f in assessment.factors if f.blocks_acceptance]}
        )

    steps = [
        {"id": "identification", "complete": not missing, "missing": missing},
        {"id": "proofs", "complete": not missing_proofs, "required": proofs, "missing": missing_proofs},
        {
            "id": "questions",
            "complete": not unanswered,
            "shown": [q["id"] for q in questions],
            "unanswered": unanswered,
        },
        {
            "id": "screening",
            "complete": bool(facts.get("screening.done")) and not facts.get("screening.open_hits"),
            "done": bool(facts.get("screening.done")),
            "open_hits": facts.get("screening.open_hits", 0),
        },
        {"id": "decision", "complete": version_state != "draft", "state": version_state},
    ]
    next_step = next((step["id"] for step in steps if not step["complete"]), None)
    return {
        "steps": steps,
        "next_step": next_step,
        "blockers": blockers,
        "can_accept": version_state == "draft" and not blockers,
        "can_refuse": version_state == "draft",
    }

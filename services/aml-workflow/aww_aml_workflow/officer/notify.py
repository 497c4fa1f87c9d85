"""E-mails to the AML officers when a case needs them (an escalation), with a timeline line.

Triggered by the service's own escalation events (risk_profile_escalated, transaction_escalated),
so the package that escalates does not mail officers itself. Four-eyes: when the proposer is an
officer and another officer exists, the proposer is not asked to decide and gets no mail.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from aww_aml_workflow.cases.entrypoints import mail_accounts, officer_accounts
from aww_aml_workflow.officer import handling, subjects

MAIL_TEXTS = {
    "nl": (
        "Beslissing nodig van de AML-verantwoordelijke: {title}",
        "{title} wacht op uw beslissing (verhoogde waakzaamheid, voorstel: {proposal}).\n"
        "Open de inbox van de AML-verantwoordelijke in de AML-tool: {link}",
    ),
    "fr": (
        "Décision requise du responsable AML : {title}",
        "{title} attend votre décision (vigilance renforcée, proposition : {proposal}).\n"
        "Ouvrez la boîte de réception du responsable AML dans l'outil AML : {link}",
    ),
    "en": (
        "AML officer decision needed: {title}",
        "{title} waits for your decision (enhanced vigilance, proposal: {proposal}).\n"
        "Open the AML officer's inbox in the AML tool: {link}",
    ),
}
INBOX_PATH = "/aml/officer"


@dataclass(frozen=True)
class SystemActor:
    """The service acting on its own (an event), for timeline lines."""

    organisation_id: uuid.UUID
    account_id: None = None
    role: str = "system"
    language: str = "nl"

    @property
    def actor_role(self) -> str:
        return "system"


def case_needs_officer(session, identity_rpc, organisation_id, kind: str, case_id, public_url: str = "") -> int:
    """Mail the officers who may decide on the case; returns how many mails were queued."""
    adapter = subjects.adapter_for(kind)
    facts = adapter.load(session, str(organisation_id), str(case_id))
    if facts.state != "awaiting_officer":
        return 0  # decided already (a late or repeated event)
    officers, accounts = officer_accounts(session, identity_rpc, organisation_id)
    ids = [officer.account_id for officer in officers]
    if facts.proposed_by and len(set(ids) - {str(facts.proposed_by)}) > 0:
        accounts = [a for a in accounts if str(a.get("account_id")) != str(facts.proposed_by)]
    mailed = mail_accounts(
        session,
        accounts,
        MAIL_TEXTS,
        title=facts.title,
        proposal=facts.proposal or "-",
        link=f"{public_url.rstrip('/')}{INBOX_PATH}",
    )
    handling.note(
        session,
        SystemActor(organisation_id=uuid.UUID(str(organisation_id))),
        facts,
        "officer_notified",
        {"officers": ids, "mailed": mailed},
        "officer",
    )
    return mailed

"""States of a transaction and the moves between them.

    draft ──pay──▶ payment_pending ──assess──▶ assessed ──accept──▶ accepted
      ▲                 │                         │ ──refuse──▶ refused (closed for good)
      └─payment_refused─┘                         │ ──escalate (proposal accept, or cash to report)──▶ awaiting_officer
                                                  │ ──escalate (proposal refuse)──▶ refused

A transaction is edited (data, parties, questionnaire) only as a draft. "pay" records the
calculation as paid-pending with its idempotency key *before* the wallet is charged, so a failure
after payment leaves a transaction in payment_pending that the next attempt finishes with the same
key (the wallet answers the first charge again: nothing is paid twice, nothing paid is lost).
The officer's moves are the ones of risk profiles (cases.domain.lifecycle.PROFILE_MOVES); a
reported transaction is blocked until CTIF-CFI answers.
"""

from __future__ import annotations

from aww_aml_workflow.cases.domain import lifecycle as profile_lifecycle
from aww_contracts.errors import DomainError

STATES = ("draft", "payment_pending", *profile_lifecycle.PROFILE_STATES)
FINAL_STATES = ("refused",)
OPEN_STATES = ("draft", "payment_pending", "assessed", "awaiting_officer", "reported")
OFFICER_ACTIONS = ("officer_accept", "officer_refuse", "report_to_cfi", "cfi_cleared", "cfi_refused")

MOVES: dict[str, tuple[tuple[str, ...], str]] = {
    "edit": (("draft",), "draft"),
    "pay": (("draft", "payment_pending"), "payment_pending"),
    "payment_refused": (("payment_pending",), "draft"),
    "assess": (("payment_pending",), "assessed"),
    "accept": (("assessed",), "accepted"),
    "refuse": (("assessed",), "refused"),
    "escalate": (("assessed",), "awaiting_officer"),
    "escalate_refusal": (("assessed",), "refused"),
    **{action: profile_lifecycle.PROFILE_MOVES[action] for action in OFFICER_ACTIONS},
}

_WHY = {
    "refused": "This transaction was refused and is closed for good",
    "reported": "This transaction was reported to CTIF-CFI: it is blocked until CTIF-CFI answers",
    "awaiting_officer": "This transaction waits for the AML officer's decision",
    "accepted": "This transaction was accepted and no longer changes",
    "assessed": "The vigilance of this transaction was calculated: its data no longer changes; decide on it",
    "payment_pending": "The vigilance calculation of this transaction is being paid: finish the payment first",
}


def move(state: str, action: str) -> str:
    """The state after `action`, or DomainError conflict that says why not."""
    if action not in MOVES:
        raise ValueError(f"unknown action {action!r}")
    allowed, target = MOVES[action]
    if state not in allowed:
        reason = _WHY.get(state, f"A transaction that is {state} cannot be changed this way")
        raise DomainError("conflict", reason, state=state, action=action)
    return target


def escalation_target(proposal: str, must_report: bool) -> str:
    """A proposal to accept goes to the officer; a proposal to refuse closes the transaction for good
    — unless the cash rule applies: only the officer reports to CTIF-CFI, so it goes to them too."""
    if proposal not in profile_lifecycle.PROPOSALS:
        raise DomainError(
            "validation_failed",
            "proposal: propose accept or refuse",
            errors=[{"field": "proposal", "message": "propose accept or refuse"}],
        )
    if proposal == "accept" or must_report:
        return MOVES["escalate"][1]
    return MOVES["escalate_refusal"][1]


def check_employee_decision(level: str, action: str) -> None:
    """Normal vigilance: the employee accepts or refuses. Enhanced: the employee escalates."""
    if level == "enhanced" and action in ("accept", "refuse"):
        raise DomainError(
            "conflict",
            "This transaction calls for enhanced vigilance: write your motivation and a proposal for the AML officer",
            level=level,
        )
    if level != "enhanced" and action == "escalate":
        raise DomainError("conflict", "Only a transaction with enhanced vigilance is escalated", level=level)


def check_not_blocking(must_report: bool, action: str) -> None:
    """Cash in a sale price must be reported: the employee cannot simply accept it."""
    if must_report and action == "accept":
        raise DomainError(
            "conflict", "Cash in a sale price must be reported to CTIF-CFI: escalate it to the AML officer"
        )

"""States of contact versions and risk profiles, and the moves between them.

A contact version is a `draft` until the employee decides: `accepted` or `refused`. A decided
version never changes again; "Edit" makes a new draft version (a copy) on which screening and the
risk profile are redone.

A risk profile is `assessed` once its questionnaire is answered (or skipped, for a new contact);
with normal vigilance the employee accepts or refuses it, and a refused profile is closed for
good; with enhanced vigilance the employee escalates it to the AML officer with a motivation and
a proposal, and it waits in `awaiting_officer`. The officer's moves (part 2 of the AML tool) are
in the table already, so the states are one closed set that every part shares.
"""

from __future__ import annotations

from aww_contracts.errors import DomainError

VERSION_STATES = ("draft", "accepted", "refused")

PROFILE_STATES = (
    "assessed",  # level computed, waits for the employee
    "accepted",  # by the employee (normal vigilance) or by the officer
    "refused",  # closed for good
    "awaiting_officer",  # escalated with the employee's motivation and proposal
    "reported",  # the officer prepared a CTIF-CFI report: work is blocked until CTIF-CFI answers
)
FINAL_PROFILE_STATES = ("refused",)

# action → (states it may start from, state it leads to)
PROFILE_MOVES: dict[str, tuple[tuple[str, ...], str]] = {
    "reassess": (("assessed",), "assessed"),
    "accept": (("assessed",), "accepted"),
    "refuse": (("assessed",), "refused"),
    "escalate": (("assessed",), "awaiting_officer"),
    # the AML officer (part 2)
    "officer_accept": (("awaiting_officer",), "accepted"),
    "officer_refuse": (("awaiting_officer",), "refused"),
    "report_to_cfi": (("awaiting_officer", "accepted"), "reported"),
    "cfi_cleared": (("reported",), "accepted"),
    "cfi_refused": (("reported",), "refused"),
}
PROPOSALS = ("accept", "refuse")


def move(state: str, action: str) -> str:
    allowed, target = PROFILE_MOVES[action]
    if state not in allowed:
        if state in FINAL_PROFILE_STATES:
            raise DomainError("conflict", "This risk profile was refused and is closed for good", state=state)
        raise DomainError("conflict", f"A risk profile that is {state} cannot be {action}ed", state=state)
    return target


def check_employee_decision(level: str, action: str) -> None:
    """Normal vigilance: the employee decides. Enhanced: only the AML officer, after escalation."""
    if level == "enhanced" and action in ("accept", "refuse"):
        raise DomainError(
            "conflict",
            "This risk profile calls for enhanced vigilance: escalate it to the AML officer with your motivation",
            level=level,
        )
    if level != "enhanced" and action == "escalate":
        raise DomainError("conflict", "Only a risk profile with enhanced vigilance is escalated", level=level)


def require_draft(state: str) -> None:
    if state != "draft":
        raise DomainError(
            "conflict", "This version was decided and no longer changes: use Edit to make a new version", state=state
        )

"""What the AML officer decides on: escalated risk profiles and transactions, behind one interface.

The officer's inbox, decisions, four-eyes rule and CTIF-CFI reports (this package) work the same
for every kind of case; each kind lives in its own package and registers an adapter here, so the
officer's code never reads another package's tables and the other packages never re-implement the
officer's rules.

Lifecycle actions an adapter must accept in `apply` (the same names as
`cases.domain.lifecycle.PROFILE_MOVES`):
    officer_accept   awaiting_officer → accepted   (work continues)
    officer_refuse   awaiting_officer → refused    (closed for good)
    report_to_cfi    awaiting_officer | accepted → reported  (blocked until CTIF-CFI answers)
    cfi_cleared      reported → accepted           (CTIF-CFI: the work may continue)
    cfi_refused      reported → refused            (CTIF-CFI: do not continue)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from aww_contracts.errors import DomainError

KINDS = ("risk_profile", "transaction")


@dataclass(frozen=True)
class CaseFacts:
    """One escalated case as the officer sees it, loaded by the adapter of its kind."""

    kind: str  # one of KINDS
    case_id: str
    organisation_id: str
    state: str  # the state names of cases.domain.lifecycle.PROFILE_STATES
    level: str  # simplified | standard | enhanced
    title: str  # a line that names the case for a person (contact name, transaction reference)
    proposed_by: str | None  # account id of the employee who escalated, for the four-eyes rule
    proposal: str | None  # accept | refuse
    motivation: str | None
    contact_ids: tuple[str, ...]  # contacts concerned (a transaction's parties)
    # what a goAML report about this case needs; its shape is documented in
    # officer/README.md ("goAML facts") by the officer package, which renders the report
    report_facts: dict[str, Any] = field(default_factory=dict)


class CaseAdapter(Protocol):
    kind: str

    def load(self, session, organisation_id: str, case_id: str) -> CaseFacts:
        """The case, or DomainError not_found when it is not one of this organisation's."""

    def apply(self, session, actor, case_id: str, action: str, note: str | None) -> CaseFacts:
        """Apply a lifecycle action (see module doc), write the case's own timeline entry, lock
        the row (SELECT … FOR UPDATE) so two decisions cannot cross; DomainError conflict when the
        state does not allow it. Returns the case after the move."""


ADAPTERS: dict[str, CaseAdapter] = {}


def register(adapter: CaseAdapter) -> CaseAdapter:
    if adapter.kind not in KINDS:
        raise ValueError(f"unknown case kind {adapter.kind!r}")
    ADAPTERS[adapter.kind] = adapter
    return adapter


def adapter_for(kind: str) -> CaseAdapter:
    if kind not in ADAPTERS:
        raise DomainError("not_found", f"There are no cases of kind {kind!r}", kind=str(kind)[:32])
    return ADAPTERS[kind]

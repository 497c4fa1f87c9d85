"""The annual report's figures from the year's records, as plain Python: `figures(rows)` turns the
rows the statistics queries return into the report's figure sections (DOMAIN.md §2).

Definitions (written in the report's PDF as well, so a reader knows what was counted):
- contacts identified: contacts with a version accepted or refused in the year (a contact counts
  once, at its last decision of the year); by kind, by role (client / counterparty / other),
  by vigilance level; beneficial owners identified in the organisations accepted in the year.
- refusals: contact versions refused in the year; risk profiles refused in the year.
- hits: contacts decided in the year whose vigilance assessment holds a PEP, high-risk-country or
  sanctions factor; screening hits marked true match / false positive in the year, by list kind.
- escalations: risk profiles and transactions escalated (the employee's motivation and proposal,
  enhanced vigilance) in the year, by where they stand now; `by_kind` splits them into risk
  profiles and transactions, each with the same outcomes (the top-level outcomes are their sums).
- CTIF-CFI: reports the officer made in the year, those submitted on goAML, answers received.
- due-diligence failures: contact versions opened in the year whose identification was not
  completed by the year's end (the relationship may not start, DOMAIN.md §2), and contacts
  refused because a sanctions match blocks acceptance.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from aww_aml_workflow.annual.domain import LEVELS, by_level, hit_kinds

ROLES = ("client", "counterparty", "other")
PROFILE_OUTCOMES = ("awaiting_officer", "accepted", "refused", "reported")


@dataclass
class Rows:
    """What the statistics queries return for one office and year."""

    decisions: list[dict] = field(default_factory=list)  # {contact_id, kind, state, role, level, factors, ubos}
    contacts_created: int = 0
    versions_left_incomplete: int = 0
    screening_runs: int = 0
    hit_decisions: list[dict] = field(default_factory=list)  # {list_kind, decision, count}
    profiles_assessed: dict = field(default_factory=dict)  # level → count
    profiles_decided: dict = field(default_factory=dict)  # state → count (accepted | refused)
    escalations: dict = field(default_factory=dict)  # risk profiles: current state → count
    transaction_escalations: dict = field(default_factory=dict)  # transactions: current state → count
    cfi: dict = field(default_factory=dict)  # {reports, submitted, answers, answers_continue, answers_stop, source}
    transactions: dict | None = None  # from the transactions package once its tables exist


def _last_decision_per_contact(decisions: list[dict]) -> list[dict]:
    last: dict = {}
    for row in decisions:  # ordered by decision time
        last[row["contact_id"]] = row
    return list(last.values())


def figures(rows: Rows) -> dict:
    contacts = _last_decision_per_contact(rows.decisions)
    accepted = [c for c in contacts if c["state"] == "accepted"]
    refused_versions = sum(1 for row in rows.decisions if row["state"] == "refused")
    level_counts = {state: Counter(c["level"] for c in contacts if c["state"] == state and c["level"]) for state in (
        "accepted", "refused")}  # fmt: skip
    hits = Counter()
    for contact in contacts:
        for kind in hit_kinds(contact.get("factors")):
            hits[kind] += 1
    marked = Counter()
    for row in rows.hit_decisions:
        marked[(row["list_kind"], row["decision"])] += int(row["count"])
    blocked = sum(1 for c in contacts if c["state"] == "refused" and "sanctions" in hit_kinds(c.get("factors")))
    return {
        "contacts": {
            "created": rows.contacts_created,
            "identified": len(contacts),
            "accepted": len(accepted),
            "refused": len(contacts) - len(accepted),
            "persons": sum(1 for c in contacts if c["kind"] == "person"),
            "organisations": sum(1 for c in contacts if c["kind"] == "organisation"),
            "by_role": {role: sum(1 for c in contacts if (c.get("role") or "other") == role) for role in ROLES},
            "beneficial_owners": sum(int(c.get("ubos") or 0) for c in accepted if c["kind"] == "organisation"),
        },
        "vigilance": {
            "accepted": by_level(level_counts["accepted"]),
            "refused": by_level(level_counts["refused"]),
            "total": by_level(level_counts["accepted"] + level_counts["refused"]),
        },
        "refusals": {
            "contact_versions": refused_versions,
            "risk_profiles": int(rows.profiles_decided.get("refused", 0)),
        },
        "hits": {
            "pep": hits["pep"],
            "high_risk_country": hits["high_risk_country"],
            "sanctions": hits["sanctions"],
            "screenings": rows.screening_runs,
            "true_matches_sanctions": marked[("sanctions", "true_match")],
            "true_matches_pep": marked[("pep", "true_match")],
            "false_positives": marked[("sanctions", "false_positive")] + marked[("pep", "false_positive")],
        },
        "risk_profiles": {
            "assessed": by_level(rows.profiles_assessed),
            "accepted": int(rows.profiles_decided.get("accepted", 0)),
            "refused": int(rows.profiles_decided.get("refused", 0)),
        },
        "escalations": escalations(rows.escalations, rows.transaction_escalations),
        "cfi": {
            "reports": int(rows.cfi.get("reports", 0)),
            "submitted": int(rows.cfi.get("submitted", 0)),
            "answers": int(rows.cfi.get("answers", 0)),
            "answers_continue": int(rows.cfi.get("answers_continue", 0)),
            "answers_stop": int(rows.cfi.get("answers_stop", 0)),
            "source": rows.cfi.get("source", "timeline"),
        },
        "due_diligence": {
            "incomplete_identifications": rows.versions_left_incomplete,
            "blocked_by_sanctions": blocked,
        },
        "transactions": rows.transactions,
    }


def _outcomes(counts: dict) -> dict:
    return {"total": sum(int(v) for v in counts.values()),
            **{outcome: int(counts.get(outcome, 0)) for outcome in PROFILE_OUTCOMES}}  # fmt: skip


def escalations(profiles: dict, transactions: dict) -> dict:
    """Escalations of the year: the sums, how many of each kind, and the outcomes per kind."""
    by_kind = {"risk_profiles": _outcomes(profiles), "transactions": _outcomes(transactions)}
    return {
        **{key: by_kind["risk_profiles"][key] + by_kind["transactions"][key] for key in ("total", *PROFILE_OUTCOMES)},
        "risk_profiles": by_kind["risk_profiles"]["total"],
        "transactions": by_kind["transactions"]["total"],
        "by_kind": by_kind,
    }


SECTION_ORDER = (
    "contacts",
    "vigilance",
    "refusals",
    "hits",
    "risk_profiles",
    "escalations",
    "cfi",
    "due_diligence",
    "transactions",
)

__all__ = ["LEVELS", "ROLES", "SECTION_ORDER", "Rows", "figures"]

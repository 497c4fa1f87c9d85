"""Rules of membership, administration, tool roles and the AML officer, on plain values."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from aww_contracts.errors import DomainError
from aww_organisation.domain.catalogue import AML, USING_ROLES, Facts, Requirement, Tool, missing, tool

STATUSES = ("pending", "confirmed", "blocked", "removed")

KIND_NAMES = {"biv": "a BIV number", "sf323": "an SF323 verification", "cib": "a CIB membership", "eid": "a linked eID"}


@dataclass(frozen=True)
class Member:
    """One account's relation to one organisation, with what identity knows about the account."""

    account_id: str
    status: str
    admin: bool = False
    roles: dict[str, str] = field(default_factory=dict)
    facts: Facts = field(default_factory=Facts)

    @property
    def confirmed(self) -> bool:
        return self.status == "confirmed"

    def role(self, tool_code: str) -> str:
        return self.roles.get(tool_code, "none")


@dataclass(frozen=True)
class Registration:
    """The organisation's side of one tool: registered, and (if it needs it) allow-listed."""

    registered: bool
    allow_listed: bool = True

    @property
    def active(self) -> bool:
        return self.registered and self.allow_listed


def describe_missing(clauses: Iterable[tuple[str, ...]]) -> str:
    return "; ".join(" or ".join(KIND_NAMES.get(kind, kind) for kind in clause) for clause in clauses)


def missing_kinds(clauses: Iterable[tuple[str, ...]]) -> list[str]:
    return ["|".join(clause) for clause in clauses]


def require_accreditations(requirement: Requirement, facts: Facts, who: str, what: str) -> None:
    """Refuse, naming what is missing, unless `facts` meet `requirement`."""
    gaps = missing(requirement, facts)
    if gaps:
        raise DomainError(
            "accreditation_missing",
            f"{who} cannot {what}: missing {describe_missing(gaps)}",
            missing=missing_kinds(gaps),
        )


# ---- administration ------------------------------------------------------------------------------


def check_keeps_an_admin(admins: Iterable[Member], target: Member, *, losing_admin: bool) -> None:
    """The last confirmed admin can neither lose the admin right nor leave, be blocked or removed."""
    if not losing_admin or not (target.admin and target.confirmed):
        return
    others = [m for m in admins if m.admin and m.confirmed and m.account_id != target.account_id]
    if not others:
        raise DomainError(
            "conflict",
            "The organisation needs at least one admin: make another member admin first",
            reason="last_admin",
        )


def check_role_change(tool_: Tool, target: Member, role: str, who: str) -> None:
    if role not in tool_.roles:
        raise DomainError(
            "validation_failed",
            f"role: the {tool_.name} has no role {role!r}",
            errors=[{"field": "role", "message": f"Choose one of {', '.join(tool_.roles)}"}],
        )
    if not target.confirmed:
        raise DomainError("conflict", "Only confirmed members can be given access to a tool", reason="not_confirmed")
    require_accreditations(tool_.requirement_for(role), target.facts, who, f"be {role.replace('_', ' ')}")


def roles_after_accreditations_changed(member: Member) -> dict[str, str]:
    """The roles the member keeps when their accreditations change: a role whose requirements are
    no longer met steps down to `user` if that is still met, else to `none`."""
    changed = {}
    for code, role in member.roles.items():
        tool_ = tool(code)
        if tool_ is None or role in ("none", "blocked"):
            continue
        if missing(tool_.requirement_for(role), member.facts):
            fallback = "user" if role != "user" and not missing(tool_.requirement_for("user"), member.facts) else "none"
            changed[code] = fallback
    return changed


# ---- the AML officer (DOMAIN.md §1) --------------------------------------------------------------


def officer_warning(members: Iterable[Member]) -> bool:
    """Users of the AML tool and no AML officer: every AML page must say so."""
    confirmed = [m for m in members if m.confirmed]
    has_users = any(m.role(AML) == "user" for m in confirmed)
    has_officer = any(m.role(AML) == "aml_officer" for m in confirmed)
    return has_users and not has_officer


def enrolment_outcome(applicant: Member, members: Iterable[Member], registration: Registration, who: str) -> str:
    """ "appointed" (the first officer, or an admin) or "requested" (needs an admin's approval)."""
    if not applicant.confirmed:
        raise DomainError("forbidden", "Only confirmed members can become AML officer")
    if not registration.active:
        raise DomainError("conflict", "The AML tool is not registered for this organisation", reason="tool_inactive")
    role = applicant.role(AML)
    if role == "aml_officer":
        raise DomainError("conflict", "You are already an AML officer of this organisation", reason="already_officer")
    if role == "blocked":
        raise DomainError("forbidden", "Your access to the AML tool is blocked")
    aml = tool(AML)
    require_accreditations(aml.requirement_for("aml_officer"), applicant.facts, who, "become AML officer")
    has_officer = any(m.confirmed and m.role(AML) == "aml_officer" for m in members)
    return "appointed" if not has_officer or applicant.admin else "requested"


# ---- authorization for other services ------------------------------------------------------------

ACTIONS = ("use", "officer", "register", "manage")


@dataclass(frozen=True)
class Decision:
    allowed: bool
    role: str
    reason: str

    def as_dict(self) -> dict:
        return {"allowed": self.allowed, "role": self.role, "reason": self.reason}


def decide(member: Member | None, tool_code: str, action: str, registration: Registration) -> Decision:
    """May this account do `action` with the tool in this organisation?

    use: a using role (user or AML officer) whose accreditations still hold;
    officer: the AML officer role; register: an admin holding the registration accreditations,
    with the enterprise number allow-listed where the tool needs it; manage: an admin.
    """
    tool_ = tool(tool_code)
    if tool_ is None:
        return Decision(False, "none", "unknown_tool")
    if action not in ACTIONS:
        return Decision(False, "none", "unknown_action")
    if member is None or member.status == "removed":
        return Decision(False, "none", "not_member")
    if member.status != "confirmed":
        return Decision(False, "none", f"membership_{member.status}")
    role = member.role(tool_code) if registration.registered else "none"
    if action in ("register", "manage"):
        if not member.admin:
            return Decision(False, role, "not_admin")
        if action == "register":
            if not registration.allow_listed:
                return Decision(False, role, "not_on_allow_list")
            if missing(tool_.register_requires, member.facts):
                return Decision(False, role, "missing_accreditation")
        return Decision(True, role, "ok")
    if not registration.registered:
        return Decision(False, "none", "tool_not_registered")
    if not registration.allow_listed:
        return Decision(False, role, "not_on_allow_list")
    if role == "blocked":
        return Decision(False, role, "blocked")
    wanted = ("aml_officer",) if action == "officer" else USING_ROLES
    if role not in wanted:
        return Decision(False, role, "no_access" if role == "none" else "role_insufficient")
    if missing(tool_.requirement_for(role), member.facts):
        return Decision(False, role, "missing_accreditation")
    return Decision(True, role, "ok")

"""The tool catalogue, as data: which accreditations register a tool and which each role needs.

Accreditations come from identity (`accreditations_changed`): `biv` (BIV member number of a
real-estate agent or syndic), `sf323` (employee verified through form SF323), `cib` (CIB member).
`eid` is not an accreditation but the fact that the person linked a Belgian eID card; rules that
need a verified identity ask for it the same way.

A requirement is a tuple of clauses that must all hold; a clause is a set of alternatives of
which one is enough: ((biv,), (eid,)) = "a BIV number and a linked eID"; ((biv, sf323),) = "a BIV
number or an SF323 verification".

Choices (DOMAIN.md §1 leaves them to us; keep them data, not code):
- aml: registering needs an admin with a BIV number (the office is a BIV estate agent), and the
  organisation's enterprise number on the operator's allow-list. Users need a BIV number or SF323
  (accredited agents and their verified employees). The AML officer needs a BIV number and a
  linked eID (the law's "valid BIV number"; the eID proves who takes the legal responsibility).
- kbo_syndic: registering needs an admin with a BIV number (professional syndics are BIV
  members); users need a BIV number or SF323. It has no AML officer role.
"""

from __future__ import annotations

from dataclasses import dataclass, field

ACCREDITATION_KINDS = ("biv", "sf323", "cib", "eid")
ROLES = ("none", "user", "aml_officer", "blocked")
USING_ROLES = ("user", "aml_officer")

Requirement = tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Tool:
    code: str
    name: str  # English; the gateway translates it
    description: str
    register_requires: Requirement
    roles: tuple[str, ...]
    role_requires: dict[str, Requirement] = field(default_factory=dict)
    requires_allow_list: bool = False
    order: int = 50

    def requirement_for(self, role: str) -> Requirement:
        return self.role_requires.get(role, ())

    def accreditation_kinds(self) -> list[str]:
        """Every accreditation any of its rules mentions, in a stable order."""
        mentioned = {kind for req in (self.register_requires, *self.role_requires.values()) for c in req for kind in c}
        return [kind for kind in ACCREDITATION_KINDS if kind in mentioned]


TOOLS: dict[str, Tool] = {
    tool.code: tool
    for tool in (
        Tool(
            code="aml",
            name="AML tool",
            description="Identify and screen clients and counterparties, risk profiles, transactions, "
            "escalations to the AML officer and reports to CTIF-CFI.",
            register_requires=(("biv",),),
            roles=("none", "user", "aml_officer", "blocked"),
            role_requires={"user": (("biv", "sf323"),), "aml_officer": (("biv",), ("eid",))},
            requires_allow_list=True,
            order=10,
        ),
        Tool(
            code="kbo_syndic",
            name="KBO syndic registration",
            description="Register syndics of associations of co-owners in the KBO through an enterprise counter.",
            register_requires=(("biv",),),
            roles=("none", "user", "blocked"),
            role_requires={"user": (("biv", "sf323"),)},
            requires_allow_list=False,
            order=20,
        ),
    )
}

AML = "aml"


def tool(code: str) -> Tool | None:
    return TOOLS.get(code)


def tools_in_order() -> list[Tool]:
    return sorted(TOOLS.values(), key=lambda t: t.order)


@dataclass(frozen=True)
class Facts:
    """What identity told us about one account."""

    eid_linked: bool = False
    accreditations: frozenset[str] = frozenset()

    @classmethod
    def of(cls, eid_linked: bool, accreditations: list[dict] | None) -> Facts:
        return cls(bool(eid_linked), frozenset(str(a.get("kind", "")).lower() for a in accreditations or ()))

    def holds(self, kind: str) -> bool:
        return self.eid_linked if kind == "eid" else kind in self.accreditations


def missing(requirement: Requirement, facts: Facts) -> list[tuple[str, ...]]:
    """The clauses of `requirement` that `facts` do not satisfy (empty: all met)."""
    return [clause for clause in requirement if not any(facts.holds(kind) for kind in clause)]

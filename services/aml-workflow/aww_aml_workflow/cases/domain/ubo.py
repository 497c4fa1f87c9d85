"""Ultimate beneficial owners of an organisation, computed from its ownership structure.

Law of 18 Sept 2017 art. 4, 27°: the natural persons who hold directly or indirectly more than
25 % of the shares, voting rights or capital, or who control the entity by other means; if none
is found (or doubt remains), the senior managing officials. Indirect ownership multiplies along
each chain and adds up over the chains (90 % × 30 % = 27 %, DOMAIN.md §2). A person who controls
an intermediate entity (more than 50 % of it, or control by other means) that holds more than
25 % is a beneficial owner through control as well.

Percentages are exact fractions: 33.33 % typed three times must never round up past a threshold.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from fractions import Fraction

SELF = "self"
THRESHOLD = Fraction(25, 100)  # strictly more than 25 %
CONTROL = Fraction(50, 100)  # more than half of an intermediate entity gives control of it
COMPLEX_DEPTH = 3  # chains with this many links or more make the structure "unusually complex"
MAX_ENTITIES = 200


class OwnershipError(ValueError):
    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(message)
        self.field = field_name
        self.message = message


@dataclass(frozen=True)
class Link:
    holder: str
    held: str
    share: Fraction  # of shares, votes or capital, whichever is highest
    control: bool  # control by other means (agreement, veto, right to appoint the board …)


@dataclass
class BeneficialOwner:
    entity_id: str
    share: Fraction
    reasons: list[str]
    chains: list[list[str]] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "entity_id": self.entity_id,
            "percent": percent_text(self.share),
            "reasons": self.reasons,
            "chains": self.chains,
            "indirect": any(len(chain) > 2 for chain in self.chains),
        }


@dataclass
class UboResult:
    owners: list[BeneficialOwner]
    fallback_to_senior_managers: bool
    circular: bool
    max_depth: int
    trust_or_foundation_in_chain: bool
    foreign_layers: int
    unexplained_percent: str  # the part of the organisation's capital nobody was declared to hold

    @property
    def complex(self) -> bool:
        return self.circular or self.max_depth >= COMPLEX_DEPTH or self.trust_or_foundation_in_chain

    def as_dict(self) -> dict:
        return {
            "owners": [owner.as_dict() for owner in self.owners],
            "fallback_to_senior_managers": self.fallback_to_senior_managers,
            "circular": self.circular,
            "max_depth": self.max_depth,
            "trust_or_foundation_in_chain": self.trust_or_foundation_in_chain,
            "foreign_layers": self.foreign_layers,
            "unexplained_percent": self.unexplained_percent,
            "complex": self.complex,
        }


def parse_percent(value, field_name: str) -> Fraction:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise OwnershipError(field_name, "give a percentage such as 30 or 33.33") from None
    if not number.is_finite() or number <= 0 or number > 100:
        raise OwnershipError(field_name, "a percentage is more than 0 and at most 100")
    if number.as_tuple().exponent < -4:
        raise OwnershipError(field_name, "give at most 4 decimals")
    return Fraction(number) / 100


def percent_text(share: Fraction) -> str:
    value = (Decimal(share.numerator) / Decimal(share.denominator) * 100).quantize(Decimal("0.01"))
    return format(value.normalize(), "f") if value == value.to_integral() else format(value, "f")


def links_from(ownership: dict) -> tuple[dict[str, dict], list[Link]]:
    """Check an ownership structure {entities: [...], links: [...]} and return its parts."""
    entities = {}
    for index, entity in enumerate(ownership.get("entities") or []):
        entity_id = entity.get("id")
        if not isinstance(entity_id, str) or not entity_id or entity_id == SELF:
            raise OwnershipError(f"ownership.entities.{index}.id", "each entity needs its own id (not 'self')")
        if entity_id in entities:
            raise OwnershipError(f"ownership.entities.{index}.id", "this id is used twice")
        if entity.get("kind") not in ("person", "organisation"):
            raise OwnershipError(f"ownership.entities.{index}.kind", "choose person or organisation")
        entities[entity_id] = entity
    if len(entities) > MAX_ENTITIES:
        raise OwnershipError("ownership.entities", f"at most {MAX_ENTITIES} entities")
    links = []
    held_total: dict[str, Fraction] = defaultdict(Fraction)
    seen = set()
    for index, raw in enumerate(ownership.get("links") or []):
        where = f"ownership.links.{index}"
        holder, held = raw.get("holder"), raw.get("held")
        if holder not in entities:
            raise OwnershipError(f"{where}.holder", "the holder must be one of the entities")
        if held != SELF and (held not in entities or entities[held]["kind"] != "organisation"):
            raise OwnershipError(f"{where}.held", "what is held is this organisation ('self') or another organisation")
        if holder == held:
            raise OwnershipError(f"{where}.held", "an entity cannot hold itself")
        if (holder, held) in seen:
            raise OwnershipError(where, "this holder and held pair is given twice")
        seen.add((holder, held))
        control = bool(raw.get("control", False))
        if raw.get("percent") in (None, "") and not control:
            raise OwnershipError(f"{where}.percent", "give the percentage held, or mark control by other means")
        share = Fraction(0) if raw.get("percent") in (None, "") else parse_percent(raw["percent"], f"{where}.percent")
        held_total[held] += share
        if held_total[held] > 1:
            raise OwnershipError(f"{where}.percent", "the holdings of one organisation add up to more than 100 %")
        links.append(Link(holder, held, share, control))
    return entities, links


def compute(ownership: dict, *, home_country: str | None = "BE") -> UboResult:
    entities, links = links_from(ownership)
    holders_of: dict[str, list[Link]] = defaultdict(list)
    for link in links:
        holders_of[link.held].append(link)

    chains: dict[str, list[tuple[list[str], Fraction]]] = defaultdict(list)
    circular = False
    max_depth = 0

    def walk(node: str, path: list[str], share: Fraction) -> None:
        nonlocal circular, max_depth
        for link in holders_of.get(node, []):
            if link.holder in path:
                circular = True  # cross-holdings: simple chains only, and the structure is flagged
                continue
            new_path = [link.holder, *path]
            new_share = share * link.share
            max_depth = max(max_depth, len(new_path) - 1)
            chains[link.holder].append((new_path, new_share))
            walk(link.holder, new_path, new_share)

    walk(SELF, [SELF], Fraction(1))

    def effective(entity_id: str) -> Fraction:
        return sum((share for _, share in chains[entity_id]), Fraction(0))

    def controls(person: str, organisation: str) -> bool:
        if any(
            link.holder == person and (link.control or link.share > CONTROL)
            for link in holders_of.get(organisation, [])
        ):
            return True
        return sum((share for _, share in _chains_into(person, organisation, holders_of)), Fraction(0)) > CONTROL

    # intermediate organisations through which control of this one passes
    key_intermediates = [
        other_id
        for other_id, other in entities.items()
        if other["kind"] == "organisation"
        and (
            effective(other_id) > THRESHOLD
            or any(link.holder == other_id and link.control for link in holders_of.get(SELF, []))
        )
    ]
    owners = []
    for entity_id, entity in entities.items():
        if entity["kind"] != "person" or entity_id not in chains:
            continue
        share = effective(entity_id)
        reasons = []
        if share > THRESHOLD:
            reasons.append("ownership")
        if any(link.holder == entity_id and link.control for link in holders_of.get(SELF, [])):
            reasons.append("control")
        if any(controls(entity_id, other_id) for other_id in key_intermediates):
            reasons.append("control_through_chain")
        if reasons:
            owners.append(BeneficialOwner(entity_id, share, reasons, [path for path, _ in chains[entity_id]]))
    owners.sort(key=lambda owner: (-owner.share, owner.entity_id))

    in_chain = {node for paths in chains.values() for path, _ in paths for node in path if node != SELF}
    trust = any(
        entities[node]["kind"] == "organisation" and entities[node].get("legal_form") in ("trust", "foundation")
        for node in in_chain
    )
    foreign = sum(
        1
        for node in in_chain
        if entities[node]["kind"] == "organisation"
        and home_country
        and (entities[node].get("country") or home_country) != home_country
    )
    declared = sum((link.share for link in holders_of.get(SELF, [])), Fraction(0))
    return UboResult(
        owners=owners,
        fallback_to_senior_managers=not owners,
        circular=circular,
        max_depth=max_depth,
        trust_or_foundation_in_chain=trust,
        foreign_layers=foreign,
        unexplained_percent=percent_text(1 - declared) if declared < 1 else "0",
    )


def _chains_into(person: str, organisation: str, holders_of) -> list[tuple[list[str], Fraction]]:
    found = []

    def walk(node: str, path: list[str], share: Fraction) -> None:
        for link in holders_of.get(node, []):
            if link.holder in path:
                continue
            new_path, new_share = [link.holder, *path], share * link.share
            if link.holder == person:
                found.append((new_path, new_share))
            else:
                walk(link.holder, new_path, new_share)

    walk(organisation, [organisation], Fraction(1))
    return found

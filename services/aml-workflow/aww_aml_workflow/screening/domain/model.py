"""The values the screening engine works with: list entries, subjects, hits and their explanations."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from datetime import date

PERSON = "person"
ORGANISATION = "organisation"
KINDS = (PERSON, ORGANISATION)

# what a list is about; the vigilance rules read sanctions and PEP hits differently
SANCTIONS = "sanctions"
PEP = "pep"

# the list sources the platform imports, with what they are about
SOURCES: dict[str, str] = {
    "un": SANCTIONS,  # UN Security Council consolidated list (XML)
    "eu": SANCTIONS,  # EU consolidated financial sanctions list (FSF XML)
    "be": SANCTIONS,  # Belgian national list (FPS Finance, FSF-shaped XML)
    "pep": PEP,  # politically exposed persons (our documented CSV/JSON format)
}

SOURCE_TITLES = {
    "un": "UN Security Council consolidated list",
    "eu": "EU consolidated financial sanctions list",
    "be": "Belgian national list (FPS Finance)",
    "pep": "Politically exposed persons",
}


@dataclass(frozen=True)
class BirthDate:
    """A birth date as lists give it: a full date, a year, an approximate year or a range of years."""

    year_from: int
    year_to: int
    month: int | None = None
    day: int | None = None
    approximate: bool = False

    @classmethod
    def exact(cls, value: date) -> BirthDate:
        return cls(value.year, value.year, value.month, value.day)

    @classmethod
    def year(cls, year: int, approximate: bool = False) -> BirthDate:
        return cls(year, year, approximate=approximate)

    def as_text(self) -> str:
        if self.day and self.month and self.year_from == self.year_to:
            return f"{self.year_from:04d}-{self.month:02d}-{self.day:02d}"
        if self.year_from != self.year_to:
            return f"{self.year_from}–{self.year_to}"
        return f"{'~' if self.approximate else ''}{self.year_from}"


@dataclass(frozen=True)
class ListEntry:
    """One person or organisation on a list, as parsed from the official file."""

    source: str
    entry_id: str  # stable id in the source (UN reference number, EU logical id, …)
    kind: str  # person | organisation
    names: tuple[str, ...]  # the first is the primary name
    weak_names: tuple[str, ...] = ()  # low-quality aliases: matched, but the score says so
    birth_dates: tuple[BirthDate, ...] = ()
    nationalities: tuple[str, ...] = ()  # ISO-2, upper case
    countries: tuple[str, ...] = ()  # ISO-2 of addresses / places of birth
    identifiers: tuple[tuple[str, str], ...] = ()  # (kind, number)
    programme: str | None = None  # sanctions regime / list type
    listed_on: str | None = None
    remarks: str | None = None
    pep_function: str | None = None
    pep_category: str | None = None
    pep_relation: str | None = None  # self | family | close_associate

    @property
    def primary_name(self) -> str:
        return self.names[0] if self.names else (self.weak_names[0] if self.weak_names else "")

    def to_record(self) -> dict:
        record = asdict(self)
        record["birth_dates"] = [asdict(b) for b in self.birth_dates]
        record["identifiers"] = [list(pair) for pair in self.identifiers]
        for key in ("names", "weak_names", "nationalities", "countries"):
            record[key] = list(record[key])
        return record

    @classmethod
    def from_record(cls, record: dict) -> ListEntry:
        values = dict(record)
        values["birth_dates"] = tuple(BirthDate(**b) for b in record.get("birth_dates", ()))
        values["identifiers"] = tuple(tuple(pair) for pair in record.get("identifiers", ()))
        for key in ("names", "weak_names", "nationalities", "countries"):
            values[key] = tuple(record.get(key, ()))
        return cls(**values)

    def content_hash(self) -> str:
        """Changes whenever anything the list says about the entry changes (decisions then lapse)."""
        canonical = json.dumps(self.to_record(), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True)
class Subject:
    """Who is screened: a contact or one of its related persons (UBO, representative, director)."""

    subject_id: str
    kind: str
    names: list[str]
    birth_date: date | None = None
    birth_year: int | None = None
    nationalities: list[str] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)
    identifiers: list[dict] = field(default_factory=list)  # {"kind", "value"}

    def to_record(self) -> dict:
        return {
            "subject_id": self.subject_id,
            "kind": self.kind,
            "names": list(self.names),
            "birth_date": self.birth_date.isoformat() if self.birth_date else None,
            "birth_year": self.birth_year,
            "nationalities": list(self.nationalities),
            "countries": list(self.countries),
            "identifiers": [dict(i) for i in self.identifiers],
        }

    @classmethod
    def from_record(cls, record: dict) -> Subject:
        birth = record.get("birth_date")
        return cls(
            subject_id=record["subject_id"],
            kind=record["kind"],
            names=list(record.get("names") or []),
            birth_date=date.fromisoformat(birth) if birth else None,
            birth_year=record.get("birth_year"),
            nationalities=list(record.get("nationalities") or []),
            countries=list(record.get("countries") or []),
            identifiers=[dict(i) for i in record.get("identifiers") or []],
        )

    @property
    def known_birth_year(self) -> int | None:
        return self.birth_date.year if self.birth_date else self.birth_year

    def fingerprint(self) -> str:
        """What a remembered decision is about: the subject's names, birth and identifiers."""
        from aww_aml_workflow.screening.domain.normalise import name_key

        data = {
            "kind": self.kind,
            "names": sorted({name_key(n) for n in self.names if name_key(n)}),
            "birth": self.birth_date.isoformat() if self.birth_date else self.birth_year,
            "ids": sorted(f"{i.get('kind')}:{i.get('value')}" for i in self.identifiers),
        }
        return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()[:32]


@dataclass(frozen=True)
class PartMatch:
    """How one part of the screened name lines up with the list name."""

    query: str | None
    listed: str | None
    similarity: float
    how: str  # exact | typo | phonetic | initial | joined | missing_in_list | missing_in_query

    def as_dict(self) -> dict:
        return {"query": self.query, "listed": self.listed, "similarity": round(self.similarity, 3), "how": self.how}


@dataclass(frozen=True)
class Evidence:
    """A fact beside the name that moved the score up (delta > 0) or down."""

    kind: str  # birth_date | nationality | identifier | weak_alias
    delta: float
    detail: str

    def as_dict(self) -> dict:
        return {"kind": self.kind, "delta": round(self.delta, 3), "detail": self.detail}


@dataclass(frozen=True)
class Match:
    """The best way a subject matches a list entry."""

    subject_id: str
    entry: ListEntry
    entry_hash: str
    query_name: str
    matched_name: str
    name_score: float
    score: float
    parts: tuple[PartMatch, ...]
    evidence: tuple[Evidence, ...]

    def explanation(self) -> dict:
        return {
            "query_name": self.query_name,
            "matched_name": self.matched_name,
            "name_score": round(self.name_score, 3),
            "score": round(self.score, 3),
            "parts": [p.as_dict() for p in self.parts],
            "evidence": [e.as_dict() for e in self.evidence],
        }

"""The vigilance rules engine. The rules are data: one YAML rulebook per version in rules/, which
holds the risk factors (DOMAIN.md §2), the questions of the wizard and of the risk-profile
questionnaire, the proofs to ask for, the review periods and the country lists the rules name.

A rulebook never changes once published: a change of law or policy is a new file with a new
version and a validity date. Every assessment records the version it used, so an assessment made
last year can still be explained with the texts of last year.

Conditions (used by factors, questions and proofs) are small trees:
  {fact: NAME, eq: VALUE} | {fact: NAME, in: [..] or "@list"} | {fact: NAME, intersects: [..] or "@list"}
  {fact: NAME, nonempty: true} | {fact: NAME, gte: N} | {all: [..]} | {any: [..]} | {not: COND}
Effects of a factor: `enhanced` (always enhanced vigilance), `higher` (an Annex III factor with a
weight; enough weight together makes vigilance enhanced) and `lower` (an Annex II factor with a
weight; enough of them, and no higher-risk factor at all, make vigilance simplified).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from datetime import date
from importlib.resources import files
from typing import Any

import yaml

LEVELS = ("simplified", "standard", "enhanced")
EFFECTS = ("enhanced", "higher", "lower")
LANGUAGES = ("nl", "fr", "en")
SCOPES = ("contact", "risk_profile", "transaction")  # transaction: transactions/domain/rules
QUESTION_TYPES = ("boolean", "choice", "multi", "text")
OPERATORS = ("eq", "in", "intersects", "nonempty", "gte")


class RulebookError(ValueError):
    pass


@dataclass(frozen=True)
class Factor:
    id: str
    effect: str
    weight: int
    params: dict[str, Any]
    blocks_acceptance: bool = False

    def as_dict(self) -> dict:
        return {
            "id": self.id,
            "effect": self.effect,
            "weight": self.weight,
            "params": self.params,
            "blocks_acceptance": self.blocks_acceptance,
        }


@dataclass(frozen=True)
class Assessment:
    level: str
    rules_version: str
    factors: list[Factor]
    higher_weight: int
    lower_weight: int
    decided_by: str  # which rule of the decision fixed the level (for the explanation)

    @property
    def blocks_acceptance(self) -> bool:
        return any(factor.blocks_acceptance for factor in self.factors)

    def as_dict(self) -> dict:
        return {
            "level": self.level,
            "rules_version": self.rules_version,
            "factors": [factor.as_dict() for factor in self.factors],
            "higher_weight": self.higher_weight,
            "lower_weight": self.lower_weight,
            "decided_by": self.decided_by,
        }


@dataclass
class Rulebook:
    version: str
    valid_from: date
    sources: list[str]
    decision: dict
    review_months: dict[str, int]
    lists: dict[str, list[str]]
    factors: list[dict]
    questions: list[dict]
    proofs: list[dict]
    texts: dict[str, dict[str, str]] = field(default_factory=dict)

    # ---- conditions ----------------------------------------------------------------------

    def _resolve(self, value):
        if isinstance(value, str) and value.startswith("@"):
            return self.lists[value[1:]]
        return value

    def holds(self, condition: dict | None, facts: dict) -> bool:
        if condition is None:
            return True
        if "all" in condition:
            return all(self.holds(part, facts) for part in condition["all"])
        if "any" in condition:
            return any(self.holds(part, facts) for part in condition["any"])
        if "not" in condition:
            return not self.holds(condition["not"], facts)
        value = facts.get(condition["fact"])
        if "eq" in condition:
            return value == condition["eq"]
        if "in" in condition:
            return value is not None and value in self._resolve(condition["in"])
        if "intersects" in condition:
            return bool(set(value or ()) & set(self._resolve(condition["intersects"])))
        if "nonempty" in condition:
            return bool(value) == bool(condition["nonempty"])
        if "gte" in condition:
            return value is not None and value >= condition["gte"]
        raise RulebookError(f"unknown condition {condition!r}")

    def facts_named(self, condition: dict | None) -> set[str]:
        if condition is None:
            return set()
        for key in ("all", "any"):
            if key in condition:
                return set().union(*(self.facts_named(part) for part in condition[key]))
        if "not" in condition:
            return self.facts_named(condition["not"])
        return {condition["fact"]}

    # ---- assessment ----------------------------------------------------------------------

    def assess(self, facts: dict, scopes: tuple[str, ...] = ("contact",)) -> Assessment:
        fired: list[Factor] = []
        for rule in self.factors:
            if rule["scope"] not in scopes or not self.holds(rule.get("applies_if"), facts):
                continue
            if self.holds(rule["when"], facts):
                params = {name: facts.get(name) for name in rule.get("params", [])}
                fired.append(
                    Factor(rule["id"], rule["effect"], int(rule.get("weight", 0)), params, rule.get("blocks", False))
                )
        higher = sum(f.weight for f in fired if f.effect == "higher")
        lower = sum(f.weight for f in fired if f.effect == "lower")
        if any(f.effect == "enhanced" for f in fired):
            level, why = "enhanced", "mandatory_enhanced"
        elif higher >= self.decision["enhanced_at_higher_weight"]:
            level, why = "enhanced", "accumulated_higher"
        elif higher == 0 and lower >= self.decision["simplified_at_lower_weight"]:
            level, why = "simplified", "sufficient_lower"
        elif higher > 0:
            level, why = "standard", "some_higher"
        else:
            level, why = "standard", "default"
        return Assessment(level, self.version, fired, higher, lower, why)

    # ---- plain-language texts --------------------------------------------------------------

    def factor_rule(self, factor_id: str) -> dict | None:
        return next((rule for rule in self.factors if rule["id"] == factor_id), None)

    def explain(self, factor: dict, language: str, format_value=None) -> dict:
        """Title, explanation and legal basis of a recorded factor in one language."""
        rule = self.factor_rule(factor["id"])
        if rule is None:
            return {"title": factor["id"], "explanation": "", "basis": ""}
        language = language if language in LANGUAGES else "en"
        params = {
            name: (format_value(name, value, language) if format_value else _plain(value))
            for name, value in (factor.get("params") or {}).items()
        }
        return {
            "title": rule["title"][language],
            "explanation": substitute(rule["explain"][language], params),
            "basis": rule.get("basis", ""),
        }

    def text(self, key: str, language: str, **params) -> str:
        entry = self.texts[key]
        return substitute(entry[language if language in LANGUAGES else "en"], {k: str(v) for k, v in params.items()})

    def review_date(self, level: str, decided_on: date) -> date:
        months = int(self.review_months[level])
        month_index = decided_on.month - 1 + months
        year, month = decided_on.year + month_index // 12, month_index % 12 + 1
        day = min(decided_on.day, _days_in_month(year, month))
        return date(year, month, day)

    # ---- questions and proofs ------------------------------------------------------------

    def questions_for(self, scope: str, kind: str, facts: dict) -> list[dict]:
        """The questions to show now: those of this scope and kind whose show_if holds."""
        shown = []
        for question in self.questions:
            if question["scope"] != scope or kind not in question["applies_to"]:
                continue
            if self.holds(question.get("show_if"), facts):
                shown.append(question)
        return shown

    def proofs_for(self, kind: str, facts: dict) -> list[dict]:
        return [
            proof
            for proof in self.proofs
            if kind in proof["applies_to"] and self.holds(proof.get("required_if"), facts)
        ]

    def proof(self, proof_id: str) -> dict | None:
        return next((proof for proof in self.proofs if proof["id"] == proof_id), None)


_PLACEHOLDER = re.compile(r"\{([a-z_][a-z0-9_.]*)\}")


def substitute(template: str, params: dict[str, str]) -> str:
    """Fill {fact.name} placeholders; an empty value leaves no stray spaces or empty brackets."""
    text = _PLACEHOLDER.sub(lambda m: params.get(m.group(1)) or "", template)
    text = re.sub(r"\(\s*\)", "", text)
    return re.sub(r"\s+([.,:;])", r"\1", re.sub(r" {2,}", " ", text)).strip()


def _plain(value) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return "" if value is None else str(value)


def _days_in_month(year: int, month: int) -> int:
    import calendar

    return calendar.monthrange(year, month)[1]


# ---- loading and checking rulebooks ---------------------------------------------------------------


def _check_texts(where: str, texts) -> None:
    if not isinstance(texts, dict) or any(not isinstance(texts.get(lang), str) for lang in LANGUAGES):
        raise RulebookError(f"{where}: needs nl, fr and en texts")


def _check_condition(where: str, condition, lists: dict) -> None:
    if condition is None:
        return
    if not isinstance(condition, dict) or len(condition) not in (1, 2):
        raise RulebookError(f"{where}: a condition is a small mapping")
    for key in ("all", "any"):
        if key in condition:
            for index, part in enumerate(condition[key]):
                _check_condition(f"{where}.{key}.{index}", part, lists)
            return
    if "not" in condition:
        _check_condition(f"{where}.not", condition["not"], lists)
        return
    operators = [key for key in condition if key != "fact"]
    if "fact" not in condition or len(operators) != 1 or operators[0] not in OPERATORS:
        raise RulebookError(f"{where}: use fact + one of {OPERATORS}")
    value = condition[operators[0]]
    if isinstance(value, str) and value.startswith("@") and value[1:] not in lists:
        raise RulebookError(f"{where}: unknown list {value}")


def parse(document: dict) -> Rulebook:
    lists = {name: list(values) for name, values in (document.get("lists") or {}).items()}
    for key in ("version", "valid_from", "decision", "review_months", "factors", "questions", "proofs"):
        if key not in document:
            raise RulebookError(f"the rulebook lacks {key}")
    if set(document["review_months"]) != set(LEVELS):
        raise RulebookError("review_months needs simplified, standard and enhanced")
    seen = set()
    for rule in document["factors"]:
        where = f"factor {rule.get('id')}"
        if rule.get("id") in seen:
            raise RulebookError(f"{where}: duplicate id")
        seen.add(rule["id"])
        if rule.get("effect") not in EFFECTS:
            raise RulebookError(f"{where}: effect must be one of {EFFECTS}")
        if rule.get("scope") not in SCOPES:
            raise RulebookError(f"{where}: scope must be one of {SCOPES}")
        if rule["effect"] != "enhanced" and int(rule.get("weight", 0)) <= 0:
            raise RulebookError(f"{where}: a higher or lower factor needs a positive weight")
        _check_condition(f"{where}.when", rule.get("when"), lists)
        _check_condition(f"{where}.applies_if", rule.get("applies_if"), lists)
        _check_texts(f"{where}.title", rule.get("title"))
        _check_texts(f"{where}.explain", rule.get("explain"))
    question_ids = set()
    for question in document["questions"]:
        where = f"question {question.get('id')}"
        if question.get("id") in question_ids:
            raise RulebookError(f"{where}: duplicate id")
        question_ids.add(question["id"])
        if question.get("type") not in QUESTION_TYPES or question.get("scope") not in SCOPES:
            raise RulebookError(f"{where}: bad type or scope")
        _check_texts(f"{where}.label", question.get("label"))
        _check_condition(f"{where}.show_if", question.get("show_if"), lists)
        for option in question.get("options", []):
            _check_texts(f"{where}.options.{option.get('value')}", option.get("label"))
        if question["type"] in ("choice", "multi") and not question.get("options"):
            raise RulebookError(f"{where}: a choice needs options")
    for proof in document["proofs"]:
        _check_texts(f"proof {proof.get('id')}.label", proof.get("label"))
        _check_condition(f"proof {proof.get('id')}.required_if", proof.get("required_if"), lists)
    for key, texts in (document.get("texts") or {}).items():
        _check_texts(f"text {key}", texts)
    return Rulebook(
        version=str(document["version"]),
        valid_from=date.fromisoformat(str(document["valid_from"])),
        sources=list(document.get("sources", [])),
        decision=dict(document["decision"]),
        review_months={k: int(v) for k, v in document["review_months"].items()},
        lists=lists,
        factors=list(document["factors"]),
        questions=list(document["questions"]),
        proofs=list(document["proofs"]),
        texts=dict(document.get("texts") or {}),
    )


def _rule_files():
    return sorted(
        (entry for entry in files(__package__).joinpath("rules").iterdir() if entry.name.endswith(".yaml")),
        key=lambda entry: entry.name,
    )


@functools.cache
def rulebooks() -> dict[str, Rulebook]:
    books = {}
    for entry in _rule_files():
        book = parse(yaml.safe_load(entry.read_text(encoding="utf-8")))
        books[book.version] = book
    return books


def rulebook(version: str) -> Rulebook:
    try:
        return rulebooks()[version]
    except KeyError:
        raise RulebookError(f"no rulebook version {version}") from None


def current(today: date) -> Rulebook:
    """The rulebook in force on `today`: the latest whose valid_from has come."""
    in_force = [book for book in rulebooks().values() if book.valid_from <= today]
    if not in_force:
        raise RulebookError(f"no rulebook is in force on {today}")
    return max(in_force, key=lambda book: book.valid_from)

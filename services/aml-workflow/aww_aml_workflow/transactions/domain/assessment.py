"""The vigilance of a transaction: the facts its rulebook reads, and the rulebooks themselves.

The rules are data (transactions/domain/rules/transaction-*.yaml) read by the same engine as the
contacts' rulebook (cases.domain.rules); every assessment records the version it used.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date
from importlib.resources import files

import yaml

from aww_aml_workflow.cases.domain import rules
from aww_aml_workflow.transactions.domain.model import TYPES, format_eur, summarise_payment
from aww_contracts.errors import FieldErrors

SCOPE = "transaction"
FACT_NAMES = frozenset(
    {
        "transaction.type",
        "transaction.price_cents",
        "payment.cash_cents",
        "payment.cash_eur",
        "payment.crypto_cents",
        "parties.enhanced",
        "parties.with_higher_factors",
        "parties.all_simplified",
    }
)
ANSWER_PREFIX = "answers."


@dataclass(frozen=True)
class PartyRisk:
    """A party as the rules see it: its accepted risk profile's level and higher-risk factors."""

    name: str
    role: str
    level: str
    higher_factors: tuple[str, ...] = ()


def gather(transaction_type: str, price_cents: int, payment: dict, answers: dict, parties: list[PartyRisk]) -> dict:
    summary = summarise_payment(price_cents, payment)
    facts = {
        "transaction.type": transaction_type,
        "transaction.price_cents": price_cents,
        "payment.cash_cents": summary.cash_cents,
        "payment.cash_eur": format_eur(summary.cash_cents) if summary.cash_cents else "",
        "payment.crypto_cents": summary.crypto_cents,
        "parties.enhanced": [f"{p.name} ({p.role})" for p in parties if p.level == "enhanced"],
        "parties.with_higher_factors": [
            f"{p.name} ({p.role})" for p in parties if p.level != "enhanced" and p.higher_factors
        ],
        "parties.all_simplified": bool(parties) and all(p.level == "simplified" for p in parties),
    }
    for key, value in (answers or {}).items():
        facts[ANSWER_PREFIX + key] = value
    return facts


def _rule_files():
    folder = files(__package__).joinpath("rules")
    return sorted((entry for entry in folder.iterdir() if entry.name.endswith(".yaml")), key=lambda e: e.name)


@functools.cache
def rulebooks() -> dict[str, rules.Rulebook]:
    books = {}
    for entry in _rule_files():
        book = rules.parse(yaml.safe_load(entry.read_text(encoding="utf-8")))
        books[book.version] = book
    return books


def rulebook(version: str) -> rules.Rulebook:
    try:
        return rulebooks()[version]
    except KeyError:
        raise rules.RulebookError(f"no transaction rulebook version {version}") from None


def current(today: date) -> rules.Rulebook:
    in_force = [book for book in rulebooks().values() if book.valid_from <= today]
    if not in_force:
        raise rules.RulebookError(f"no transaction rulebook is in force on {today}")
    return max(in_force, key=lambda book: book.valid_from)


def questions(book: rules.Rulebook, transaction_type: str) -> list[dict]:
    return [q for q in book.questions if q["scope"] == SCOPE and transaction_type in q["applies_to"]]


def clean_answers(book: rules.Rulebook, transaction_type: str, answers) -> dict:
    """Answers to the transaction questionnaire: booleans of known questions only."""
    if answers is None:
        return {}
    errors = FieldErrors()
    if not isinstance(answers, dict):
        errors.add("answers", "must be an object of question ids and answers")
        errors.raise_if_any()
    known = {q["id"]: q for q in questions(book, transaction_type if transaction_type in TYPES else "other")}
    cleaned = {}
    for key, value in answers.items():
        question = known.get(key)
        if question is None:
            errors.add(f"answers.{key}", "is not a question of this questionnaire")
        elif question["type"] == "boolean" and not isinstance(value, bool):
            errors.add(f"answers.{key}", "must be true or false")
        else:
            cleaned[key] = value
    errors.raise_if_any()
    return cleaned


def assess(book: rules.Rulebook, facts: dict) -> rules.Assessment:
    return book.assess(facts, scopes=(SCOPE,))

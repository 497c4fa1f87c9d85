"""Use cases of transactions: each takes the worker's session and the acting employee, checks the
tenant, calls the domain rules and writes the store. The Nameko entrypoints only unpack arguments
and call these; the wallet comes in as an object with `quote` and `charge` (entrypoints.py wraps
the wallet service's RPCs), so tests and benchmarks call these the same way.

Every query is scoped by the actor's organisation: a transaction or contact of another office is
`not_found`, exactly as one that does not exist.

Paying for the vigilance calculation (DOMAIN.md §1, issue 7 §2), in three steps:
1. the calculation is recorded as `pending` with its idempotency key and the transaction moves to
   `payment_pending` — committed *before* the wallet is asked;
2. the wallet charges with that key (a subscription's allowance first, else the wallet); a refusal
   by the wallet (insufficient funds …) charged nothing: the calculation is `declined` and the
   transaction is a draft again; a transport failure leaves it pending;
3. the level is computed and stored with the charge. If this step fails, or the reply is lost,
   the next Pay finds the pending calculation and uses the same key: the wallet answers its first
   charge again, so nothing is charged twice and the paid calculation is finished, never lost.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, date, datetime
from typing import NamedTuple, Protocol

from sqlalchemy import String, and_, bindparam, func, insert, or_, select, true, update

from aww_aml_workflow.cases import store as case_store
from aww_aml_workflow.cases.handling import Actor, _format_value, folded_contains
from aww_aml_workflow.domain.dates import local_date
from aww_aml_workflow.transactions import store
from aww_aml_workflow.transactions.domain import assessment as tx_rules
from aww_aml_workflow.transactions.domain import lifecycle, model
from aww_contracts.errors import DomainError, field_error
from servicekit.outbox import add_event

PRODUCT = "aml_transaction_assessment"
MAX_PAGE = 100
MAX_REASON = 2000
_KEY = re.compile(r"^[A-Za-z0-9._:\-]{8,200}$")


class Wallet(Protocol):
    def quote(self, organisation_id: str, product: str) -> dict: ...

    def charge(self, organisation_id: str, product: str, reference: str, idempotency_key: str) -> dict: ...


class PaymentNotConfirmed(Exception):
    """The wallet did not answer (timeout, not running): the charge may or may not have happened."""


def now() -> datetime:
    return datetime.now(UTC)


def today() -> date:
    return local_date(now())


def _uuid(value, what: str) -> uuid.UUID:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except (ValueError, TypeError, AttributeError):
        raise DomainError("not_found", f"There is no such {what}") from None


def _reason(value, field: str, *, required: bool) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise field_error(field, "give a reason" if field == "reason" else "write your motivation")
        return None
    if not isinstance(value, str):
        raise field_error(field, "must be text")
    if len(value) > MAX_REASON:
        raise field_error(field, f"at most {MAX_REASON} characters")
    return value.strip()


# ---- statements built once ------------------------------------------------------------------------------
# The reads and writes every request makes, built at import with bind parameters: building a Core
# statement (and its cache key) per call cost about as much CPU as running it.

_TIMELINE_INSERT = insert(case_store.timeline)
_TRANSACTION = select(store.transactions).where(
    store.transactions.c.id == bindparam("transaction_id"),
    store.transactions.c.organisation_id == bindparam("organisation_id"),
)
_TRANSACTION_FOR_UPDATE = _TRANSACTION.with_for_update()
_PARTIES = (
    select(store.parties)
    .where(store.parties.c.transaction_id == bindparam("transaction_id"))
    .order_by(store.parties.c.added_at, store.parties.c.role)
)
_CALCULATION = select(store.calculations).where(store.calculations.c.id == bindparam("calculation_id"))
_CALCULATION_FOR_UPDATE = _CALCULATION.with_for_update()
_KEY_USED = select(store.calculations.c.id).where(
    store.calculations.c.organisation_id == bindparam("organisation_id"),
    store.calculations.c.idempotency_key == bindparam("key"),
)
_REFERENCE_TAKEN = select(store.transactions.c.id).where(
    store.transactions.c.organisation_id == bindparam("organisation_id"),
    store.transactions.c.reference == bindparam("reference"),
)
# writes: an UPDATE's SET columns are the keys of the parameters it runs with (b_… name the row)
_TRANSACTION_INSERT = insert(store.transactions).returning(store.transactions)
_TRANSACTION_UPDATE = update(store.transactions).where(store.transactions.c.id == bindparam("b_transaction_id"))
_TRANSACTION_UPDATE_RETURNING = _TRANSACTION_UPDATE.returning(store.transactions)
_SEARCH_TEXT_UPDATE = _TRANSACTION_UPDATE_RETURNING.values(
    search_text=func.aww_fold(bindparam("b_search_raw", type_=String()))
)
_PARTY_INSERT = insert(store.parties).returning(store.parties)
_CALCULATION_INSERT = insert(store.calculations).returning(store.calculations)
_CALCULATION_UPDATE_RETURNING = (
    update(store.calculations)
    .where(store.calculations.c.id == bindparam("b_calculation_id"))
    .returning(store.calculations)
)


# ---- timeline ---------------------------------------------------------------------------------------


def record(session, actor, action: str, transaction_id, *, details=None, marker=None, contact_id=None) -> None:
    """One line of the timeline (cases' aml_timeline, column transaction_id): who did what, when."""
    role = getattr(actor, "actor_role", None) or ("aml_officer" if actor.role == "aml_officer" else "employee")
    session.execute(
        _TIMELINE_INSERT,
        {
            "organisation_id": actor.organisation_id,
            "contact_id": contact_id,
            "transaction_id": transaction_id,
            "at": now(),
            "actor_id": actor.account_id,
            "actor_role": role,
            "action": action,
            "details": details or {},
            "marker": marker,
        },
    )


def timeline_of(session, actor: Actor, transaction_id) -> list[dict]:
    row = _transaction(session, actor, transaction_id)
    t = case_store.timeline
    rows = session.execute(
        select(t).where(t.c.organisation_id == actor.organisation_id, t.c.transaction_id == row.id).order_by(t.c.id)
    ).all()
    return [
        {
            "at": entry.at.isoformat(),
            "actor_id": str(entry.actor_id) if entry.actor_id else None,
            "actor_role": entry.actor_role,
            "action": entry.action,
            "details": entry.details,
            "marker": entry.marker,
            "contact_id": str(entry.contact_id) if entry.contact_id else None,
        }
        for entry in rows
    ]


# ---- loading -----------------------------------------------------------------------------------------


def _transaction(session, actor, transaction_id, *, lock: bool = False):
    row = session.execute(
        _TRANSACTION_FOR_UPDATE if lock else _TRANSACTION,
        {"transaction_id": _uuid(transaction_id, "transaction"), "organisation_id": actor.organisation_id},
    ).first()
    if row is None:
        raise DomainError("not_found", "There is no such transaction")
    return row


def _parties(session, transaction_id) -> list:
    return session.execute(_PARTIES, {"transaction_id": transaction_id}).all()


def _calculation(session, calculation_id, *, lock: bool = False):
    if calculation_id is None:
        return None
    return session.execute(
        _CALCULATION_FOR_UPDATE if lock else _CALCULATION, {"calculation_id": calculation_id}
    ).first()


def _standings_query():
    c, rp = case_store.contacts.c, case_store.risk_profiles
    latest = (
        select(rp.c.id, rp.c.state, rp.c.level)
        .where(rp.c.contact_id == c.id, rp.c.version_no == c.current_version)
        .order_by(rp.c.created_at.desc())
        .limit(1)
        .lateral("latest_profile")
    )
    return (
        select(
            c.id,
            c.display_name,
            c.status,
            c.current_version,
            latest.c.id.label("profile_id"),
            latest.c.state.label("profile_state"),
            latest.c.level.label("profile_level"),
        )
        .select_from(case_store.contacts.outerjoin(latest, true()))
        .where(c.id.in_(bindparam("contact_ids", expanding=True)), c.organisation_id == bindparam("organisation_id"))
    )


_STANDINGS = _standings_query()  # contacts and the latest risk profile of their current version


class _LatestProfile(NamedTuple):
    id: uuid.UUID
    state: str
    level: str


def _standing(session, actor, contact_id) -> tuple[model.PartyStanding, object, _LatestProfile | None]:
    """What the store knows of a would-be party: the contact and its current version's latest risk
    profile (one query: the profile joined laterally)."""
    found = _standings(session, actor, [_uuid(contact_id, "contact")])[0]
    if found is None:
        raise DomainError("not_found", "There is no such contact", field="contact_id")
    return found


def _standings(session, actor, contact_ids: list) -> list:
    """_standing of several contacts in one query, in the order given; None for one that is not a
    contact of the office."""
    found = {
        row.id: row
        for row in session.execute(
            _STANDINGS, {"contact_ids": list(dict.fromkeys(contact_ids)), "organisation_id": actor.organisation_id}
        )
    }
    standings = []
    for contact_id in contact_ids:
        contact = found.get(contact_id)
        if contact is None:
            standings.append(None)
            continue
        profile = None
        if contact.profile_id is not None:
            profile = _LatestProfile(contact.profile_id, contact.profile_state, contact.profile_level)
        standing = model.PartyStanding(
            contact_id=str(contact.id),
            name=contact.display_name,
            contact_status=contact.status,
            profile_state=profile.state if profile else None,
            profile_level=profile.level if profile else None,
        )
        standings.append((standing, contact, profile))
    return standings


# ---- the transaction as the caller sees it --------------------------------------------------------------


def explain(calculation, language: str) -> dict | None:
    """Level, factors and the reason for the level in plain language, with the rules version used."""
    if calculation is None or calculation.state != "assessed":
        return None
    book = tx_rules.rulebook(calculation.rules_version)
    factors = [
        factor | book.explain(factor, language, format_value=_format_value) for factor in calculation.factors or []
    ]
    threshold = book.decision["enhanced_at_higher_weight"]
    return {
        "level": calculation.level,
        "level_label": book.text(f"level.{calculation.level}", language),
        "rules_version": calculation.rules_version,
        "why": book.text(
            f"decided_by.{calculation.decided_by_rule}", language, weight=calculation.higher_weight, threshold=threshold
        ),
        "factors": factors,
        "higher_weight": calculation.higher_weight,
        "lower_weight": calculation.lower_weight,
        "assessed_at": calculation.assessed_at.isoformat() if calculation.assessed_at else None,
    }


def _payment_view(calculation) -> dict | None:
    if calculation is None:
        return None
    charge = calculation.charge or {}
    return {
        "calculation_id": str(calculation.id),
        "state": calculation.state,
        "idempotency_key": calculation.idempotency_key,
        "paid_by": charge.get("paid_by"),
        "amount_cents": charge.get("amount_cents"),
        "vat_cents": charge.get("vat_cents"),
        "charge_id": charge.get("charge_id"),
        "receipt_document_id": charge.get("receipt_document_id"),
        "paid_at": calculation.paid_at.isoformat() if calculation.paid_at else None,
    }


def _allowed_actions(row) -> list[str]:
    state, level = row.state, row.level
    if state == "draft":
        return ["edit", "pay"]
    if state == "payment_pending":
        return ["pay"]
    if state == "assessed":
        return ["escalate"] if level == "enhanced" else ["accept", "refuse"]
    return []


_UNREAD = object()  # a part of the view the caller did not have in hand


def _view(session, row, language: str, *, parties=None, calculation=_UNREAD) -> dict:
    """The transaction as get_transaction answers it; a use case that just read or wrote them passes
    the parties and the calculation (rows of this transaction) instead of having them read again."""
    if parties is None:
        parties = _parties(session, row.id)
    if calculation is _UNREAD:
        calculation = _calculation(session, row.calculation_id)
    flag = model.cash_flag(row.type, row.price_cents, row.payment)
    summary = model.summarise_payment(row.price_cents, row.payment)
    return {
        "transaction_id": str(row.id),
        "reference": row.reference,
        "type": row.type,
        "state": row.state,
        "property": row.property,
        "price_cents": row.price_cents,
        "currency": row.currency,
        "payment": row.payment,
        "payment_by_method": summary.by_method,
        "cash_cents": row.cash_cents,
        "cash_flag": flag,
        "agreed_on": row.agreed_on.isoformat() if row.agreed_on else None,
        "description": row.description,
        "answers": row.answers,
        "level": row.level,
        "parties": [
            {
                "contact_id": str(p.contact_id),
                "role": p.role,
                "name": p.display_name,
                "version_no": p.version_no,
                "risk_profile_id": str(p.risk_profile_id),
                "level": p.level,
            }
            for p in parties
        ],
        "missing": model.ready_to_assess(row.type, [{"role": p.role} for p in parties])
        if row.state in ("draft", "payment_pending")
        else [],
        "payment_status": _payment_view(calculation),
        "assessment": explain(calculation, language),
        "allowed_actions": _allowed_actions(row),
        "employee_id": str(row.employee_id),
        "created_at": row.created_at.isoformat(),
        "updated_at": row.updated_at.isoformat(),
        "assessed_at": row.assessed_at.isoformat() if row.assessed_at else None,
        "decided_at": row.decided_at.isoformat() if row.decided_at else None,
        "decided_by": str(row.decided_by) if row.decided_by else None,
        "decision_reason": row.decision_reason,
        "escalated_at": row.escalated_at.isoformat() if row.escalated_at else None,
        "escalated_by": str(row.escalated_by) if row.escalated_by else None,
        "motivation": row.motivation,
        "proposal": row.proposal,
    }


def _summary(row) -> dict:
    address = row.property or {}
    return {
        "transaction_id": str(row.id),
        "reference": row.reference,
        "type": row.type,
        "state": row.state,
        "level": row.level,
        "address": address_line(address),
        "price_cents": row.price_cents,
        "currency": row.currency,
        "cash_cents": row.cash_cents,
        "employee_id": str(row.employee_id),
        "created_at": row.created_at.isoformat(),
        "updated_at": row.updated_at.isoformat(),
    }


def address_line(address: dict) -> str:
    street = " ".join(part for part in (address.get("street"), address.get("number")) if part)
    if address.get("box"):
        street += f" bus {address['box']}"
    place = " ".join(part for part in (address.get("postcode"), address.get("city")) if part)
    return ", ".join(part for part in (street, place, address.get("country")) if part)


def get_transaction(session, actor: Actor, transaction_id) -> dict:
    return _view(session, _transaction(session, actor, transaction_id), actor.language)


# ---- search text --------------------------------------------------------------------------------------


def _refresh_search(session, row, parties=None) -> tuple:
    """Rewrite the search text from the transaction `row` (as it stands now in this transaction) and
    its parties (read unless given); returns the row as updated and the parties, for the view."""
    if parties is None:
        parties = _parties(session, row.id)
    names = [p.display_name for p in parties]
    raw = " ".join([row.reference, address_line(row.property or {}), *names])
    updated = session.execute(
        _SEARCH_TEXT_UPDATE, {"b_transaction_id": row.id, "b_search_raw": raw, "updated_at": now()}
    ).one()
    return updated, parties


# ---- create, edit, questionnaire ------------------------------------------------------------------------


def questionnaire(session, actor: Actor, transaction_type) -> dict:
    if transaction_type not in model.TYPES:
        raise field_error("type", f"choose one of {', '.join(model.TYPES)}")
    book = tx_rules.current(today())
    language = actor.language if actor.language in ("nl", "fr", "en") else "en"
    return {
        "rules_version": book.version,
        "questions": [
            {"id": q["id"], "type": q["type"], "label": q["label"][language]}
            for q in tx_rules.questions(book, transaction_type)
        ],
    }


def _reference_taken(session, actor, reference: str, other_than=None) -> None:
    query, params = _REFERENCE_TAKEN, {"organisation_id": actor.organisation_id, "reference": reference}
    if other_than is not None:
        query = query.where(store.transactions.c.id != other_than)
    if session.execute(query, params).first() is not None:
        raise DomainError(
            "conflict",
            f"reference: the office already has a transaction {reference}",
            field="reference",
            errors=[{"field": "reference", "message": "the office already has a transaction with this reference"}],
        )


def create_transaction(session, actor: Actor, *, data, answers=None, parties=None) -> dict:
    cleaned = model.clean(data, today())
    book = tx_rules.current(today())
    cleaned_answers = tx_rules.clean_answers(book, cleaned["type"], answers)
    if parties is not None and (not isinstance(parties, list) or len(parties) > model.MAX_PARTIES):
        raise field_error("parties", f"give a list of at most {model.MAX_PARTIES} parties (contact_id and role)")
    _reference_taken(session, actor, cleaned["reference"])
    transaction_id, moment = uuid.uuid4(), now()
    summary = model.summarise_payment(cleaned["price_cents"], cleaned["payment"])
    row = session.execute(
        _TRANSACTION_INSERT,
        {
            "id": transaction_id,
            "organisation_id": actor.organisation_id,
            "reference": cleaned["reference"],
            "type": cleaned["type"],
            "state": "draft",
            "property": cleaned["property"],
            "price_cents": cleaned["price_cents"],
            "currency": cleaned["currency"],
            "payment": cleaned["payment"],
            "cash_cents": summary.cash_cents,
            "agreed_on": cleaned["agreed_on"],
            "description": cleaned["description"],
            "answers": cleaned_answers,
            "search_text": "",
            "employee_id": actor.account_id,
            "created_at": moment,
            "updated_at": moment,
        },
    ).one()
    record(
        session,
        actor,
        "transaction_created",
        transaction_id,
        details={"reference": cleaned["reference"], "type": cleaned["type"], "cash_cents": summary.cash_cents},
    )
    added: list = []  # the new transaction's parties, as inserted
    for index, party in enumerate(parties or []):
        if not isinstance(party, dict):
            raise field_error(f"parties.{index}", "give contact_id and role")
        added.append(
            _add_party(
                session, actor, row, party.get("contact_id"), party.get("role"), field=f"parties.{index}", present=added
            )
        )
    row, parties = _refresh_search(session, row, sorted(added, key=lambda p: (p.added_at, p.role)))  # as _parties
    return _view(session, row, actor.language, parties=parties, calculation=None)  # no calculation yet


def update_transaction(session, actor: Actor, transaction_id, *, data) -> dict:
    row = _transaction(session, actor, transaction_id, lock=True)
    lifecycle.move(row.state, "edit")
    changes = model.clean(data, today(), partial=True)
    if "reference" in changes:
        _reference_taken(session, actor, changes["reference"], other_than=row.id)
    if "type" in changes and changes["type"] != row.type:
        for party in _parties(session, row.id):
            try:
                model.check_role(changes["type"], party.role)
            except DomainError:
                raise field_error(
                    "type", f"{party.display_name} is a {party.role}: remove that party before changing the type"
                ) from None
    price = changes.get("price_cents", row.price_cents)
    payment = changes.get("payment", row.payment)
    model.check_payment_against_price(payment, price)
    values = {key: value for key, value in changes.items() if key in model.FIELDS}
    values["cash_cents"] = model.summarise_payment(price, payment).cash_cents
    values["updated_at"] = now()
    if "type" in changes and changes["type"] != row.type:
        book = tx_rules.current(today())
        values["answers"] = tx_rules.clean_answers(
            book,
            changes["type"],
            {k: v for k, v in row.answers.items() if k in {q["id"] for q in tx_rules.questions(book, changes["type"])}},
        )
    row = session.execute(_TRANSACTION_UPDATE_RETURNING, {"b_transaction_id": row.id, **values}).one()
    record(session, actor, "transaction_changed", row.id, details={"fields": sorted(changes)})
    row, parties = _refresh_search(session, row)
    return _view(session, row, actor.language, parties=parties)


def answer_questions(session, actor: Actor, transaction_id, *, answers) -> dict:
    row = _transaction(session, actor, transaction_id, lock=True)
    lifecycle.move(row.state, "edit")
    book = tx_rules.current(today())
    merged = dict(row.answers) | tx_rules.clean_answers(book, row.type, answers)
    session.execute(_TRANSACTION_UPDATE, {"b_transaction_id": row.id, "answers": merged, "updated_at": now()})
    record(session, actor, "transaction_questions_answered", row.id, details={"answers": merged})
    return get_transaction(session, actor, row.id)


# ---- parties ---------------------------------------------------------------------------------------------


def _add_party(session, actor, row, contact_id, role, *, field: str = "contact_id", present=None):
    """Add a party to the transaction `row` (read or written in this transaction); `present` are its
    parties when the caller has them (a transaction being created), else they are read. Returns the
    party row as inserted."""
    transaction_id = row.id
    try:
        model.check_role(row.type, role)
    except DomainError:
        allowed = ", ".join(model.ROLES_BY_TYPE.get(row.type, model.ROLES))
        where = "role" if field == "contact_id" else f"{field}.role"
        raise field_error(where, f"a party of a {row.type.replace('_', ' ')} is one of {allowed}") from None
    if contact_id is None:
        raise field_error(field if field == "contact_id" else f"{field}.contact_id", "choose a contact")
    standing, contact, profile = _standing(session, actor, contact_id)
    blocker = model.party_blocker(standing)
    if blocker is not None:
        where = field if field == "contact_id" else f"{field}.contact_id"
        raise DomainError(
            "conflict",
            blocker,
            field=where,
            contact_id=standing.contact_id,
            contact_status=standing.contact_status,
            profile_state=standing.profile_state,
            errors=[{"field": where, "message": blocker}],
        )
    if present is None:
        present = session.execute(
            select(store.parties.c.contact_id, store.parties.c.role).where(
                store.parties.c.transaction_id == transaction_id
            )
        ).all()  # at most MAX_PARTIES
    if any(party.contact_id == contact.id and party.role == role for party in present):
        raise DomainError("conflict", f"{standing.name} is already a {role} of this transaction", field=field)
    if len(present) >= model.MAX_PARTIES:
        raise DomainError("conflict", f"A transaction has at most {model.MAX_PARTIES} parties")
    added = session.execute(
        _PARTY_INSERT,
        {
            "transaction_id": transaction_id,
            "contact_id": contact.id,
            "role": role,
            "organisation_id": actor.organisation_id,
            "version_no": contact.current_version,
            "risk_profile_id": profile.id,
            "level": profile.level,
            "display_name": contact.display_name,
            "added_at": now(),
            "added_by": actor.account_id,
        },
    ).one()
    record(
        session,
        actor,
        "party_added",
        transaction_id,
        contact_id=contact.id,
        details={"role": role, "name": contact.display_name, "level": profile.level, "reference": row.reference},
    )
    return added


def add_party(session, actor: Actor, transaction_id, *, contact_id, role) -> dict:
    row = _transaction(session, actor, transaction_id, lock=True)
    lifecycle.move(row.state, "edit")
    _add_party(session, actor, row, contact_id, role)
    row, parties = _refresh_search(session, row)
    return _view(session, row, actor.language, parties=parties)


def remove_party(session, actor: Actor, transaction_id, *, contact_id, role) -> dict:
    row = _transaction(session, actor, transaction_id, lock=True)
    lifecycle.move(row.state, "edit")
    contact = _uuid(contact_id, "party")
    removed = session.execute(
        store.parties.delete()
        .where(
            store.parties.c.transaction_id == row.id,
            store.parties.c.contact_id == contact,
            store.parties.c.role == role,
        )
        .returning(store.parties.c.display_name)
    ).first()
    if removed is None:
        raise DomainError("not_found", "There is no such party of this transaction")
    record(session, actor, "party_removed", row.id, contact_id=contact, details={"role": role, "name": removed[0]})
    row, parties = _refresh_search(session, row)
    return _view(session, row, actor.language, parties=parties)


def _terms(query) -> list[str]:
    """Up to six words of a search; each must occur (reference, address, party names)."""
    return [term for term in re.split(r"[\s,;]+", query or "") if term][:6]


def eligible_contacts(session, actor: Actor, *, query=None, limit: int = 25) -> list[dict]:
    """Contacts that can be a party now: current version accepted with an accepted risk profile."""
    if query is not None and (not isinstance(query, str) or len(query) > 200):
        raise field_error("query", "at most 200 characters")
    if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= MAX_PAGE:
        raise field_error("limit", f"between 1 and {MAX_PAGE}")
    c, rp = case_store.contacts.c, case_store.risk_profiles
    latest = (
        select(rp.c.state, rp.c.level)
        .where(rp.c.contact_id == c.id, rp.c.version_no == c.current_version)
        .order_by(rp.c.created_at.desc())
        .limit(1)
        .lateral()
    )
    conditions = [c.organisation_id == actor.organisation_id, c.status == "accepted", c.profile_state == "accepted"]
    conditions += [folded_contains(c.search_text, term) for term in _terms(query)]
    rows = session.execute(
        select(c.id, c.display_name, c.kind, c.level, latest.c.state, latest.c.level.label("profile_level"))
        .select_from(case_store.contacts.join(latest, latest.c.state == "accepted"))
        .where(*conditions)
        .order_by(c.sort_name, c.id)
        .limit(limit)
    ).all()
    return [{"contact_id": str(r.id), "name": r.display_name, "kind": r.kind, "level": r.profile_level} for r in rows]


# ---- search ------------------------------------------------------------------------------------------------


def _date_arg(value, field: str) -> date | None:
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise field_error(field, "give a date as YYYY-MM-DD") from None


def search_transactions(
    session,
    actor: Actor,
    *,
    query=None,
    status=None,
    level=None,
    type=None,
    employee_id=None,
    contact_id=None,
    created_from=None,
    created_to=None,
    limit: int = 25,
    after=None,
) -> dict:
    t = store.transactions.c
    conditions = [t.organisation_id == actor.organisation_id]
    if query is not None and (not isinstance(query, str) or len(query) > 200):
        raise field_error("query", "at most 200 characters")
    conditions += [folded_contains(t.search_text, term) for term in _terms(query)]
    if status is not None:
        if status not in lifecycle.STATES:
            raise field_error("status", f"choose one of {', '.join(lifecycle.STATES)}")
        conditions.append(t.state == status)
    if level is not None:
        if level not in ("simplified", "standard", "enhanced"):
            raise field_error("level", "choose simplified, standard or enhanced")
        conditions.append(t.level == level)
    if type is not None:
        if type not in model.TYPES:
            raise field_error("type", f"choose one of {', '.join(model.TYPES)}")
        conditions.append(t.type == type)
    if employee_id is not None:
        try:
            conditions.append(t.employee_id == uuid.UUID(str(employee_id)))
        except ValueError:
            raise field_error("employee_id", "must be a UUID") from None
    if contact_id is not None:
        try:
            party = uuid.UUID(str(contact_id))
        except ValueError:
            raise field_error("contact_id", "must be a UUID") from None
        conditions.append(t.id.in_(select(store.parties.c.transaction_id).where(store.parties.c.contact_id == party)))
    start, end = _date_arg(created_from, "created_from"), _date_arg(created_to, "created_to")
    if start:
        conditions.append(t.created_at >= datetime.combine(start, datetime.min.time(), UTC))
    if end:
        conditions.append(func.date(t.created_at) <= end)
    if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= MAX_PAGE:
        raise field_error("limit", f"between 1 and {MAX_PAGE}")
    if after:
        try:
            moment_text, last_id = str(after).rsplit("|", 1)
            moment, last = datetime.fromisoformat(moment_text), uuid.UUID(last_id)
        except ValueError:
            raise field_error("after", "is not a cursor this list gave") from None
        conditions.append(or_(t.created_at < moment, and_(t.created_at == moment, t.id < last)))
    rows = session.execute(
        select(store.transactions).where(*conditions).order_by(t.created_at.desc(), t.id.desc()).limit(limit + 1)
    ).all()
    items = [_summary(row) for row in rows[:limit]]
    ids = [row.id for row in rows[:limit]]
    names: dict = {}
    if ids:
        for p in session.execute(
            select(store.parties.c.transaction_id, store.parties.c.display_name, store.parties.c.role)
            .where(store.parties.c.transaction_id.in_(ids))
            .order_by(store.parties.c.added_at)
        ).all():
            names.setdefault(str(p.transaction_id), []).append({"name": p.display_name, "role": p.role})
    for item in items:
        item["parties"] = names.get(item["transaction_id"], [])
    last_row = rows[limit - 1] if len(rows) > limit else None
    return {"items": items, "next": f"{last_row.created_at.isoformat()}|{last_row.id}" if last_row else None}


# ---- paying and assessing -------------------------------------------------------------------------------------


def _check_parties(session, actor, parties, *, same_profile: bool) -> None:
    """Every party still stands: its current risk profile is accepted (and, before paying, it is
    the profile the party was added with, so the calculation rests on what is shown)."""
    standings = _standings(session, actor, [party.contact_id for party in parties]) if parties else []
    for party, found in zip(parties, standings, strict=True):
        if found is None:
            raise DomainError("not_found", "There is no such contact", field="contact_id")
        standing, _, profile = found
        blocker = model.party_blocker(standing)
        if blocker is None and same_profile and profile.id != party.risk_profile_id:
            blocker = f"{standing.name}: the contact has a newer accepted risk profile: remove and add the party again"
        if blocker is not None:
            raise DomainError("conflict", blocker, contact_id=str(party.contact_id), missing=[blocker])


def _check_ready(session, actor, row) -> None:
    """Everything the calculation needs, checked before anything is charged."""
    parties = _parties(session, row.id)
    missing = model.ready_to_assess(row.type, [{"role": p.role} for p in parties])
    if missing:
        raise DomainError("conflict", "Not ready for the vigilance calculation: " + "; ".join(missing), missing=missing)
    _check_parties(session, actor, parties, same_profile=True)


def payment_quote(session, actor: Actor, transaction_id, *, wallet: Wallet) -> dict:
    """What Pay will cost now (incl. VAT, or covered by a subscription) and whether the wallet holds it."""
    row = _transaction(session, actor, transaction_id)
    parties = _parties(session, row.id)
    missing = model.ready_to_assess(row.type, [{"role": p.role} for p in parties])
    quote = wallet.quote(str(actor.organisation_id), PRODUCT)
    return {
        "transaction_id": str(row.id),
        "state": row.state,
        "missing": missing if row.state in ("draft", "payment_pending") else [],
        "payable": row.state in ("draft", "payment_pending") and not missing,
        "product": PRODUCT,
        "quote": quote,
    }


def _check_key(value) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not _KEY.match(value):
        raise field_error("idempotency_key", "must be 8 to 200 characters: letters, digits, '.', '_', ':' or '-'")
    return value


def _begin_payment(session, actor, transaction_id, key: str | None):
    """Step 1: the pending calculation and its key, committed before the wallet is asked.
    Returns (transaction, calculation, finished_view or None)."""
    row = _transaction(session, actor, transaction_id, lock=True)
    calculation = _calculation(session, row.calculation_id, lock=True)
    if row.state not in ("draft", "payment_pending"):
        if key is not None and calculation is not None and calculation.idempotency_key == key:
            return row, calculation, _view(session, row, actor.language)  # the same Pay again: its result
        lifecycle.move(row.state, "pay")  # says why not
    if row.state == "payment_pending" and calculation is not None and calculation.state == "pending":
        return row, calculation, None  # finish the paid-pending calculation with its own key
    _check_ready(session, actor, row)
    if key is not None:
        used = session.execute(_KEY_USED, {"organisation_id": actor.organisation_id, "key": key}).first()
        if used is not None:
            raise DomainError("conflict", "This idempotency key was used for another request", field="idempotency_key")
    calculation_id, moment = uuid.uuid4(), now()
    calculation = session.execute(
        _CALCULATION_INSERT,
        {
            "id": calculation_id,
            "organisation_id": actor.organisation_id,
            "transaction_id": row.id,
            "idempotency_key": key or f"aml-tx-calc-{calculation_id}",
            "state": "pending",
            "requested_by": actor.account_id,
            "requested_at": moment,
        },
    ).one()
    session.execute(
        _TRANSACTION_UPDATE,
        {
            "b_transaction_id": row.id,
            "state": lifecycle.move(row.state, "pay"),
            "calculation_id": calculation_id,
            "updated_at": moment,
        },
    )
    record(session, actor, "payment_started", row.id, details={"calculation_id": str(calculation_id)})
    return row, calculation, None


def _decline(session, actor, transaction_id, calculation_id, error: DomainError) -> None:
    """The wallet refused (nothing was charged): the calculation is declined, the transaction a draft again."""
    row = _transaction(session, actor, transaction_id, lock=True)
    calculation = _calculation(session, calculation_id, lock=True)
    if row.state != "payment_pending" or calculation is None or calculation.state != "pending":
        return
    session.execute(
        update(store.calculations).where(store.calculations.c.id == calculation_id).values(state="declined")
    )
    session.execute(
        _TRANSACTION_UPDATE,
        {
            "b_transaction_id": row.id,
            "state": lifecycle.move(row.state, "payment_refused"),
            "calculation_id": None,
            "updated_at": now(),
        },
    )
    details = {"code": error.code}
    if "missing_cents" in error.details:
        details["missing_cents"] = error.details["missing_cents"]
    record(session, actor, "payment_refused", row.id, details=details)


_PROFILE_FACTORS = (  # the factors of risk profiles' assessments (NULL when the assessment is not found)
    select(case_store.risk_profiles.c.id, case_store.assessments.c.factors)
    .select_from(
        case_store.risk_profiles.outerjoin(
            case_store.assessments, case_store.assessments.c.id == case_store.risk_profiles.c.assessment_id
        )
    )
    .where(case_store.risk_profiles.c.id.in_(bindparam("profile_ids", expanding=True)))
)


def _party_risks(session, parties) -> list[tx_rules.PartyRisk]:
    """Each party's level and the higher-risk factors of the risk profile it was added with (one
    query for all parties; no factors when the profile or its assessment is not found)."""
    factors_of: dict = {}
    profile_ids = list(dict.fromkeys(party.risk_profile_id for party in parties))
    if profile_ids:
        factors_of = dict(session.execute(_PROFILE_FACTORS, {"profile_ids": profile_ids}).all())
    risks = []
    for party in parties:
        factors = factors_of.get(party.risk_profile_id)
        higher = tuple(f["id"] for f in factors or [] if f.get("effect") == "higher")
        risks.append(tx_rules.PartyRisk(party.display_name, party.role, party.level, higher))
    return risks


def _finish(session, actor, transaction_id, calculation_id, charge: dict) -> dict:
    """Step 3: the level and its factors, stored with the charge; one commit with the event."""
    row = _transaction(session, actor, transaction_id, lock=True)
    calculation = _calculation(session, calculation_id, lock=True)
    if calculation.state == "assessed":
        return _view(session, row, actor.language)  # another attempt finished it meanwhile
    book = tx_rules.current(today())
    parties = _parties(session, row.id)
    risks = _party_risks(session, parties)
    facts = tx_rules.gather(row.type, row.price_cents, row.payment, row.answers, risks)
    result = tx_rules.assess(book, facts)
    moment = now()
    kept_charge = {
        key: charge.get(key)
        for key in ("charge_id", "status", "paid_by", "amount_cents", "vat_cents", "receipt_document_id", "reference")
    }
    calculation = session.execute(
        _CALCULATION_UPDATE_RETURNING,
        {
            "b_calculation_id": calculation_id,
            "state": "assessed",
            "charge": kept_charge,
            "paid_at": moment,
            "assessed_at": moment,
            "level": result.level,
            "rules_version": result.rules_version,
            "factors": [factor.as_dict() for factor in result.factors],
            "decided_by_rule": result.decided_by,
            "higher_weight": result.higher_weight,
            "lower_weight": result.lower_weight,
            "facts": facts,
        },
    ).one()
    assessed = session.execute(
        _TRANSACTION_UPDATE_RETURNING,
        {
            "b_transaction_id": row.id,
            "state": lifecycle.move(row.state, "assess"),
            "level": result.level,
            "assessed_at": moment,
            "updated_at": moment,
        },
    ).one()
    must_report = bool((model.cash_flag(row.type, row.price_cents, row.payment) or {}).get("must_report"))
    record(
        session,
        actor,
        "transaction_assessed",
        row.id,
        details={
            "level": result.level,
            "factors": [f.id for f in result.factors],
            "rules_version": result.rules_version,
            "paid_by": kept_charge["paid_by"],
            "amount_cents": kept_charge["amount_cents"],
            "charge_id": kept_charge["charge_id"],
            "cash_must_be_reported": must_report,
        },
        marker="cfi" if must_report else None,
    )
    add_event(
        session,
        "transaction_assessed",
        {
            "organisation_id": str(actor.organisation_id),
            "transaction_id": str(row.id),
            "calculation_id": str(calculation_id),
            "reference": row.reference,
            "type": row.type,
            "level": result.level,
            "factors": [f.id for f in result.factors],
            "rules_version": result.rules_version,
            "cash_must_be_reported": must_report,
            "paid_by": kept_charge["paid_by"],
            "amount_cents": int(kept_charge["amount_cents"] or 0),
            "charge_id": kept_charge["charge_id"],
            "assessed_by": str(actor.account_id),
            "assessed_at": moment.isoformat(),
        },
    )
    # the rows as the updates returned them; the parties read above (the transaction is locked)
    return _view(session, assessed, actor.language, parties=parties, calculation=calculation)


def pay_and_assess(session, actor: Actor, transaction_id, *, wallet: Wallet, idempotency_key=None) -> dict:
    """Pay the vigilance calculation and compute the level (see the module doc for the three steps)."""
    key = _check_key(idempotency_key)
    row, calculation, finished = _begin_payment(session, actor, transaction_id, key)
    if finished is not None:
        return finished
    session.commit()  # step 1 is durable before any money moves
    reference = f"AML transaction {row.reference}"[:200]
    try:
        charge = wallet.charge(str(actor.organisation_id), PRODUCT, reference, calculation.idempotency_key)
    except DomainError as refused:  # the wallet refused and rolled back: nothing was charged
        _decline(session, actor, row.id, calculation.id, refused)
        session.commit()
        raise
    return _finish(session, actor, row.id, calculation.id, charge)


# ---- the employee's decisions ----------------------------------------------------------------------------------


def _must_report(row) -> bool:
    return bool((model.cash_flag(row.type, row.price_cents, row.payment) or {}).get("must_report"))


def _decided_event(session, actor, row, state: str, action: str, moment: datetime) -> None:
    add_event(
        session,
        "transaction_decided",
        {
            "organisation_id": str(row.organisation_id),
            "transaction_id": str(row.id),
            "reference": row.reference,
            "state": state,
            "action": action,
            "level": row.level,
            "decided_by": str(actor.account_id),
            "decided_at": moment.isoformat(),
        },
    )


def decide_transaction(session, actor: Actor, transaction_id, *, decision, reason=None) -> dict:
    if decision not in ("accept", "refuse"):
        raise field_error("decision", "choose accept or refuse")
    reason = _reason(reason, "reason", required=decision == "refuse")
    row = _transaction(session, actor, transaction_id, lock=True)
    target = lifecycle.move(row.state, decision)
    lifecycle.check_employee_decision(row.level, decision)
    lifecycle.check_not_blocking(_must_report(row), decision)
    parties = None
    if decision == "accept":  # a party reported, refused or under review since the calculation stops it
        parties = _parties(session, row.id)
        _check_parties(session, actor, parties, same_profile=False)
    moment = now()
    decided = session.execute(
        _TRANSACTION_UPDATE_RETURNING,
        {
            "b_transaction_id": row.id,
            "state": target,
            "decided_at": moment,
            "decided_by": actor.account_id,
            "decision_reason": reason,
            "updated_at": moment,
        },
    ).one()
    record(
        session,
        actor,
        "transaction_accepted" if target == "accepted" else "transaction_refused",
        row.id,
        details={"level": row.level, "reason": reason},
    )
    _decided_event(session, actor, row, target, decision, moment)
    return _view(session, decided, actor.language, parties=parties)


def escalate_transaction(session, actor: Actor, transaction_id, *, motivation, proposal) -> dict:
    """Enhanced vigilance: the employee's motivation and proposal. A proposal to accept (or any cash
    in a sale, which must be reported) goes to the AML officer; a proposal to refuse closes it."""
    motivation = _reason(motivation, "motivation", required=True)
    if proposal not in ("accept", "refuse"):
        raise field_error("proposal", "propose accept or refuse")
    row = _transaction(session, actor, transaction_id, lock=True)
    lifecycle.move(row.state, "escalate")
    lifecycle.check_employee_decision(row.level, "escalate")
    must_report = _must_report(row)
    target = lifecycle.escalation_target(proposal, must_report)
    moment = now()
    values = {
        "state": target,
        "escalated_at": moment,
        "escalated_by": actor.account_id,
        "motivation": motivation,
        "proposal": proposal,
        "updated_at": moment,
    }
    if target == "refused":
        values |= {"decided_at": moment, "decided_by": actor.account_id, "decision_reason": motivation}
    escalated = session.execute(_TRANSACTION_UPDATE_RETURNING, {"b_transaction_id": row.id, **values}).one()
    if target == "refused":
        record(
            session,
            actor,
            "transaction_refused",
            row.id,
            details={"level": row.level, "reason": motivation, "proposal": proposal},
        )
        _decided_event(session, actor, row, target, "escalate_refusal", moment)
    else:
        record(
            session,
            actor,
            "transaction_escalated",
            row.id,
            details={
                "level": row.level,
                "proposal": proposal,
                "motivation": motivation,
                "cash_must_be_reported": must_report,
            },
            marker="officer",
        )
        add_event(
            session,
            "transaction_escalated",
            {
                "organisation_id": str(actor.organisation_id),
                "transaction_id": str(row.id),
                "reference": row.reference,
                "level": row.level,
                "proposal": proposal,
                "cash_must_be_reported": must_report,
                "escalated_by": str(actor.account_id),
                "escalated_at": moment.isoformat(),
            },
        )
    return _view(session, escalated, actor.language)

"""Use cases of case handling: each takes the worker's session and the acting employee, checks
the tenant, calls the domain rules and writes the store. The Nameko entrypoints only unpack
arguments and call these (and the benchmarks and tests can call them the same way).

Every query is scoped by the actor's organisation: a contact of another office is `not_found`,
exactly as a contact that does not exist.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import String, and_, bindparam, func, insert, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.sql.util import ClauseAdapter

from aww_aml_workflow.cases import store
from aww_aml_workflow.cases.domain import contacts as contact_rules
from aww_aml_workflow.cases.domain import facts as fact_rules
from aww_aml_workflow.cases.domain import lifecycle, rules, uploads, wizard
from aww_aml_workflow.cases.domain.identifiers import format_enterprise_number, format_person_number
from aww_aml_workflow.domain.dates import local_date
from aww_contracts.errors import DomainError, field_error
from servicekit.outbox import add_event

MAX_PAGE = 100
MAX_REASON = 2000


@dataclass(frozen=True)
class Actor:
    organisation_id: uuid.UUID
    account_id: uuid.UUID
    role: str  # user | aml_officer
    language: str = "nl"

    @property
    def actor_role(self) -> str:
        return "aml_officer" if self.role == "aml_officer" else "employee"


def now() -> datetime:
    return datetime.now(UTC)


def today() -> date:
    return local_date(now())


def _uuid(value, what: str = "contact") -> uuid.UUID:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except (ValueError, TypeError, AttributeError):
        raise DomainError("not_found", f"There is no such {what}") from None


def _reason(value, field: str, *, required: bool) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise field_error(field, "give a reason")
        return None
    if not isinstance(value, str):
        raise field_error(field, "must be text")
    if len(value) > MAX_REASON:
        raise field_error(field, f"at most {MAX_REASON} characters")
    return value.strip()


# ---- statements built once ----------------------------------------------------------------------------
# The reads and writes every request makes, built at import with bind parameters: building a Core
# statement (and its cache key) per call cost about as much CPU as running it.

_TIMELINE_INSERT = insert(store.timeline)
_CONTACT = select(store.contacts).where(
    store.contacts.c.id == bindparam("contact_id"), store.contacts.c.organisation_id == bindparam("organisation_id")
)
_CONTACT_FOR_UPDATE = _CONTACT.with_for_update()
_VERSION = select(store.versions).where(
    store.versions.c.contact_id == bindparam("contact_id"), store.versions.c.version_no == bindparam("version_no")
)
_VERSION_FOR_UPDATE = _VERSION.with_for_update()
# writes: an UPDATE's SET columns are the keys of the parameters it runs with (b_… name the row)
_CONTACT_INSERT = (
    insert(store.contacts)
    .values(
        search_text=func.aww_fold(bindparam("b_search_raw", type_=String())),
        sort_name=func.aww_fold(bindparam("b_sort_name", type_=String())),
    )
    .returning(store.contacts)
)
_CONTACT_UPDATE = update(store.contacts).where(store.contacts.c.id == bindparam("b_contact_id"))
_CONTACT_UPDATE_RETURNING = _CONTACT_UPDATE.returning(store.contacts)
_VERSION_INSERT = insert(store.versions).returning(store.versions)
_VERSION_UPDATE = update(store.versions).where(
    store.versions.c.contact_id == bindparam("b_contact_id"), store.versions.c.version_no == bindparam("b_version_no")
)
_VERSION_UPDATE_RETURNING = _VERSION_UPDATE.returning(store.versions)
_DOCUMENT_INSERT = insert(store.documents).returning(store.documents)
_BLOB_INSERT = (
    pg_insert(store.blobs)
    .on_conflict_do_nothing(index_elements=["organisation_id", "sha256"])
    .returning(store.blobs.c.id)
)
_BLOB = select(store.blobs.c.id).where(
    store.blobs.c.organisation_id == bindparam("organisation_id"), store.blobs.c.sha256 == bindparam("sha256")
)
_PROFILE_INSERT = insert(store.risk_profiles).returning(store.risk_profiles)
_PROFILE_UPDATE_RETURNING = (
    update(store.risk_profiles)
    .where(store.risk_profiles.c.id == bindparam("b_profile_id"))
    .returning(store.risk_profiles)
)
_DOCUMENTS = (
    select(store.documents)
    .where(
        store.documents.c.contact_id == bindparam("contact_id"),
        store.documents.c.version_no == bindparam("version_no"),
    )
    .order_by(store.documents.c.uploaded_at)
)


# ---- timeline -------------------------------------------------------------------------------------


def record(
    session, actor: Actor | None, action: str, *, contact_id=None, risk_profile_id=None, details=None, marker=None
):
    """One line of the timeline: who did what, when. Never a national number in `details`."""
    session.execute(
        _TIMELINE_INSERT,
        {
            "organisation_id": actor.organisation_id if actor else details["organisation_id"],
            "contact_id": contact_id,
            "risk_profile_id": risk_profile_id,
            "at": now(),
            "actor_id": actor.account_id if actor else None,
            "actor_role": actor.actor_role if actor else "system",
            "action": action,
            "details": details or {},
            "marker": marker,
        },
    )


def timeline_of(session, actor: Actor, contact_id) -> list[dict]:
    contact = _contact(session, actor, contact_id)
    rows = session.execute(
        select(store.timeline)
        .where(store.timeline.c.organisation_id == actor.organisation_id, store.timeline.c.contact_id == contact.id)
        .order_by(store.timeline.c.id)
    ).all()
    return [
        {
            "at": row.at.isoformat(),
            "actor_id": str(row.actor_id) if row.actor_id else None,
            "actor_role": row.actor_role,
            "action": row.action,
            "details": row.details,
            "marker": row.marker,
            "risk_profile_id": str(row.risk_profile_id) if row.risk_profile_id else None,
        }
        for row in rows
    ]


# ---- loading ------------------------------------------------------------------------------------------


def _contact(session, actor: Actor, contact_id, *, lock: bool = False):
    row = session.execute(
        _CONTACT_FOR_UPDATE if lock else _CONTACT,
        {"contact_id": _uuid(contact_id), "organisation_id": actor.organisation_id},
    ).first()
    if row is None:
        raise DomainError("not_found", "There is no such contact")
    return row


def _version(session, contact, version_no: int | None = None, *, lock: bool = False):
    number = contact.current_version if version_no is None else version_no
    if not isinstance(number, int) or isinstance(number, bool):
        raise field_error("version_no", "must be a whole number")
    row = session.execute(
        _VERSION_FOR_UPDATE if lock else _VERSION, {"contact_id": contact.id, "version_no": number}
    ).first()
    if row is None:
        raise DomainError("not_found", "There is no such version of this contact")
    return row


# ---- searchable state -------------------------------------------------------------------------------


def _search_raw(kind: str, data: dict) -> str:
    parts = [contact_rules.display_name(kind, data)]
    if kind == "person":
        parts += [data.get("first_names") or "", data.get("last_name") or ""]
    number = contact_rules.number_of(kind, data)
    if number:
        parts.append(number)
    return " ".join(part for part in parts if part)


def _search_values(kind: str, data: dict) -> dict:
    raw = _search_raw(kind, data)
    name = contact_rules.display_name(kind, data)
    return {
        "display_name": name,
        "number": contact_rules.number_of(kind, data),
        "search_text": func.aww_fold(raw),
        "sort_name": func.aww_fold(name),
    }


# ---- screening and country lists (the screening engine of this service) ----------------------------


def _screening_api():
    from aww_aml_workflow.screening import api

    return api


def _screening_facts(session, actor: Actor, contact) -> dict | None:
    found = _screening_api().screening_facts(session, actor.organisation_id, str(contact.id))
    if not found.get("screened"):
        return None
    return found


def _country_risk(session):
    """The country lists in force, read once per assessment (not once per linked country) and only
    when a country is asked for."""
    risk_of = []
    cache: dict[str, dict] = {}

    def risk(code: str) -> dict:
        if code not in cache:
            if not risk_of:
                risk_of.append(_screening_api().country_risks(session))
            cache[code] = risk_of[0](code)
        return cache[code]

    return risk


def _subjects(kind: str, data: dict) -> list:
    Subject = _screening_api().Subject

    def person_subject(subject_id, entity):
        name = contact_rules.person_name(entity)
        birth = entity.get("birth_date")
        countries = [c for c in (entity.get("residence_country"), (entity.get("address") or {}).get("country")) if c]
        return Subject(
            subject_id=subject_id,
            kind="person",
            names=[name] if name else [],
            birth_date=date.fromisoformat(birth) if birth else None,
            birth_year=int(birth[:4]) if birth else None,
            nationalities=list(entity.get("nationalities", [])),
            countries=countries,
        )

    subjects = []
    if kind == "person":
        subjects.append(person_subject("contact", data))
    else:
        identifiers = (
            [{"kind": "enterprise_number", "value": data["enterprise_number"]}] if data.get("enterprise_number") else []
        )
        subjects.append(
            Subject(
                subject_id="contact",
                kind="organisation",
                names=[data["name"]] if data.get("name") else [],
                countries=[c for c in ((data.get("seat") or {}).get("country"),) if c],
                identifiers=identifiers,
            )
        )
        for person in contact_rules.related_people(kind, data):
            entity = person["entity"]
            if "name" in entity and "last_name" not in entity:  # a director named in one field
                if entity.get("name"):
                    subjects.append(
                        _screening_api().Subject(subject_id=person["ref"], kind="person", names=[entity["name"]])
                    )
                continue
            if entity.get("kind") == "organisation":
                continue
            subject = person_subject(person["ref"], entity)
            if subject.names:
                subjects.append(subject)
    return [subject for subject in subjects if subject.names]


# ---- assessments --------------------------------------------------------------------------------------


def _facts_for(session, actor, contact, version, screening: dict | None, *, answers=None, contact_level=None) -> dict:
    merged = dict(version.answers)
    if answers:
        merged.update(answers)
    return fact_rules.gather(
        contact.kind,
        version.data,
        merged,
        screening=screening,
        country_risk=_country_risk(session),
        contact_level=contact_level,
    )


def _rulebook_for(version) -> rules.Rulebook:
    return rules.current(today())


def _save_assessment(
    session, actor, contact, version_no: int, assessment, facts, screening, *, subject, risk_profile_id=None
):
    """Store an assessment; returns it as _load_assessment would read it back (RETURNING)."""
    assessment_id = uuid.uuid4()
    row = session.execute(
        _ASSESSMENT_INSERT,
        {
            "id": assessment_id,
            "organisation_id": actor.organisation_id,
            "contact_id": contact.id,
            "version_no": version_no,
            "risk_profile_id": risk_profile_id,
            "subject": subject,
            "level": assessment.level,
            "rules_version": assessment.rules_version,
            "factors": [factor.as_dict() for factor in assessment.factors],
            "decided_by_rule": assessment.decided_by,
            "higher_weight": assessment.higher_weight,
            "lower_weight": assessment.lower_weight,
            "facts": _storable_facts(facts),
            "screening": (
                {"run_id": screening.get("run_id"), "list_versions": screening.get("list_versions", [])}
                if screening
                else None
            ),
            "assessed_at": now(),
            "assessed_by": actor.account_id,
        },
    ).one()
    return _assessment_dict(row)


def _storable_facts(facts: dict) -> dict:
    return {key: value for key, value in facts.items() if not isinstance(value, date | datetime)}


def explain_assessment(assessment: dict, language: str) -> dict:
    """Level, factors and the reason for the level in plain language, with the rules version used."""
    book = rules.rulebook(assessment["rules_version"])
    factors = []
    for factor in assessment["factors"]:
        text = book.explain(factor, language, format_value=_format_value)
        factors.append(factor | text)
    threshold = book.decision["enhanced_at_higher_weight"]
    return {
        "level": assessment["level"],
        "level_label": book.text(f"level.{assessment['level']}", language),
        "rules_version": assessment["rules_version"],
        "why": book.text(
            f"decided_by.{assessment['decided_by']}", language, weight=assessment["higher_weight"], threshold=threshold
        ),
        "factors": factors,
        "blocks_acceptance": any(factor.get("blocks_acceptance") for factor in assessment["factors"]),
    }


_COUNTRY_FACTS = ("countries.", "residence_country")


def _format_value(name: str, value, language: str) -> str:
    if value in (None, [], ""):
        return ""
    if name.startswith(_COUNTRY_FACTS):
        from babel import Locale

        territories = Locale.parse(language).territories
        codes = value if isinstance(value, list) else [value]
        return ", ".join(f"{territories.get(code, code)} ({code})" for code in codes)
    if name == "person.pep_function":
        return f"({value.replace('_', ' ')})"
    if name == "screening.pep_functions":
        return f"({', '.join(value)})"
    if name == "person.pep_relation":
        return value.replace("_", " ")
    if isinstance(value, list):
        return ", ".join(str(v).replace("_", " ") for v in value)
    return str(value)


_ASSESSMENT_COLUMNS = tuple(
    store.assessments.c[name]
    for name in (
        *("id", "level", "rules_version", "factors", "decided_by_rule", "higher_weight", "lower_weight"),
        *("screening", "assessed_at", "assessed_by"),
    )
)  # what _assessment_dict shows (not the stored facts)


_ASSESSMENT = select(*_ASSESSMENT_COLUMNS).where(store.assessments.c.id == bindparam("assessment_id"))
_ASSESSMENT_INSERT = insert(store.assessments).returning(*_ASSESSMENT_COLUMNS)


def _assessment_dict(row) -> dict:
    return {
        "assessment_id": str(row.id),
        "level": row.level,
        "rules_version": row.rules_version,
        "factors": row.factors,
        "decided_by": row.decided_by_rule,
        "higher_weight": row.higher_weight,
        "lower_weight": row.lower_weight,
        "screening": row.screening,
        "assessed_at": row.assessed_at.isoformat(),
        "assessed_by": str(row.assessed_by) if row.assessed_by else None,
    }


def _load_assessment(session, assessment_id):
    if assessment_id is None:
        return None
    row = session.execute(_ASSESSMENT, {"assessment_id": assessment_id}).first()
    return _assessment_dict(row) if row else None


# ---- contacts -----------------------------------------------------------------------------------------


def _clean_answers(book: rules.Rulebook, scope: str, kind: str, answers) -> dict:
    if answers is None:
        return {}
    if not isinstance(answers, dict):
        raise field_error("answers", "must be an object of question ids and answers")
    questions = {q["id"]: q for q in book.questions if q["scope"] == scope and kind in q["applies_to"]}
    cleaned = {}
    for key, value in answers.items():
        question = questions.get(key)
        if question is None:
            raise field_error(f"answers.{key}", "is not a question of this questionnaire")
        kind_of = question["type"]
        options = [option["value"] for option in question.get("options", [])]
        if kind_of == "boolean" and not isinstance(value, bool):
            raise field_error(f"answers.{key}", "must be true or false")
        if kind_of == "choice" and value not in options:
            raise field_error(f"answers.{key}", f"choose one of {', '.join(options)}")
        if kind_of == "multi" and (not isinstance(value, list) or any(item not in options for item in value)):
            raise field_error(f"answers.{key}", f"give a list of {', '.join(options)}")
        if kind_of == "text" and (not isinstance(value, str) or len(value) > MAX_REASON):
            raise field_error(f"answers.{key}", "must be a text of at most 2000 characters")
        cleaned[key] = sorted(set(value)) if kind_of == "multi" else value
    return cleaned


def create_contact(session, actor: Actor, *, kind, data, answers=None) -> dict:
    if kind not in contact_rules.KINDS:
        raise field_error("kind", "choose person or organisation")
    if not isinstance(data, dict):
        raise field_error("data", "must be an object")
    cleaned = contact_rules.clean(kind, data, today())
    book = rules.current(today())
    cleaned_answers = _clean_answers(book, "contact", kind, answers)
    contact_id, moment = uuid.uuid4(), now()
    name = contact_rules.display_name(kind, cleaned)
    contact = session.execute(
        _CONTACT_INSERT,
        {
            "id": contact_id,
            "organisation_id": actor.organisation_id,
            "kind": kind,
            "current_version": 1,
            "status": "draft",
            "employee_id": actor.account_id,
            "created_at": moment,
            "updated_at": moment,
            "display_name": name,
            "number": contact_rules.number_of(kind, cleaned),
            "b_search_raw": _search_raw(kind, cleaned),  # folded as _search_values folds them
            "b_sort_name": name,
        },
    ).one()
    version = session.execute(
        _VERSION_INSERT,
        {
            "contact_id": contact_id,
            "version_no": 1,
            "organisation_id": actor.organisation_id,
            "state": "draft",
            "data": cleaned,
            "answers": cleaned_answers,
            "created_at": moment,
            "created_by": actor.account_id,
            "updated_at": moment,
        },
    ).one()
    record(session, actor, "contact_created", contact_id=contact_id, details={"kind": kind, "version_no": 1})
    # the rows as stored (RETURNING); a contact made just now has no screening, documents or decision
    return _contact_view(session, actor, contact, version, screening=None, documents=[], decided=None)


def update_contact(session, actor: Actor, contact_id, *, data) -> dict:
    """Change the identification data of the draft version (top-level fields given replace)."""
    contact = _contact(session, actor, contact_id, lock=True)
    version = _version(session, contact, lock=True)
    lifecycle.require_draft(version.state)
    if not isinstance(data, dict):
        raise field_error("data", "must be an object")
    merged = dict(version.data) | data
    cleaned = contact_rules.clean(contact.kind, {k: v for k, v in merged.items() if v is not None}, today())
    moment = now()
    session.execute(
        update(store.versions)
        .where(store.versions.c.contact_id == contact.id, store.versions.c.version_no == version.version_no)
        .values(data=cleaned, updated_at=moment)
    )
    session.execute(
        update(store.contacts)
        .where(store.contacts.c.id == contact.id)
        .values(updated_at=moment, **_search_values(contact.kind, cleaned))
    )
    changed = sorted(key for key in data if version.data.get(key) != cleaned.get(key))
    record(
        session,
        actor,
        "identification_changed",
        contact_id=contact.id,
        details={"version_no": version.version_no, "fields": changed},
    )
    return get_contact(session, actor, contact.id)


def answer_questions(session, actor: Actor, contact_id, *, answers) -> dict:
    contact = _contact(session, actor, contact_id, lock=True)
    version = _version(session, contact, lock=True)
    lifecycle.require_draft(version.state)
    book = rules.current(today())
    cleaned = _clean_answers(book, "contact", contact.kind, answers)
    merged = dict(version.answers) | cleaned
    session.execute(
        update(store.versions)
        .where(store.versions.c.contact_id == contact.id, store.versions.c.version_no == version.version_no)
        .values(answers=merged, updated_at=now())
    )
    record(
        session,
        actor,
        "questions_answered",
        contact_id=contact.id,
        details={"version_no": version.version_no, "answers": cleaned},
    )
    return get_contact(session, actor, contact.id)


def new_version(session, actor: Actor, contact_id) -> dict:
    """ "Edit" of a decided contact: a copy as a new draft version; the old one stays as it was."""
    contact = _contact(session, actor, contact_id, lock=True)
    current = _version(session, contact)
    if current.state == "draft":
        raise DomainError(
            "conflict", "The current version is still a draft: change it directly", version_no=current.version_no
        )
    number, moment = contact.current_version + 1, now()
    session.execute(
        insert(store.versions).values(
            contact_id=contact.id,
            version_no=number,
            organisation_id=actor.organisation_id,
            state="draft",
            data=current.data,
            answers=current.answers,
            based_on=current.version_no,
            created_at=moment,
            created_by=actor.account_id,
            updated_at=moment,
        )
    )
    # the proofs carry over to the new version (same stored content); the old links stay
    for document in session.execute(
        select(store.documents).where(
            store.documents.c.contact_id == contact.id,
            store.documents.c.version_no == current.version_no,
            store.documents.c.withdrawn_at.is_(None),
        )
    ).all():
        values = dict(document._mapping) | {"id": uuid.uuid4(), "version_no": number}
        session.execute(insert(store.documents).values(**values))
    session.execute(
        update(store.contacts)
        .where(store.contacts.c.id == contact.id)
        .values(current_version=number, status="draft", level=None, updated_at=moment)
    )
    record(
        session,
        actor,
        "version_created",
        contact_id=contact.id,
        details={"version_no": number, "based_on": current.version_no},
    )
    return get_contact(session, actor, contact.id)


def _documents_of(session, contact_id, version_no) -> list[dict]:
    rows = session.execute(_DOCUMENTS, {"contact_id": contact_id, "version_no": version_no}).all()
    return [_document_dict(row) for row in rows]


def _document_dict(row) -> dict:
    return {
        "document_id": str(row.id),
        "proof_kind": row.proof_kind,
        "filename": row.filename,
        "media_type": row.media_type,
        "size_bytes": row.size_bytes,
        "sha256": row.sha256,
        "uploaded_at": row.uploaded_at.isoformat(),
        "uploaded_by": str(row.uploaded_by),
        "withdrawn": row.withdrawn_at is not None,
    }


def _summary(row) -> dict:
    return {
        "contact_id": str(row.id),
        "kind": row.kind,
        "display_name": row.display_name,
        "number": _format_number(row.kind, row.number),
        "status": row.status,
        "level": row.level,
        "current_version": row.current_version,
        "employee_id": str(row.employee_id),
        "created_at": row.created_at.isoformat(),
        "updated_at": row.updated_at.isoformat(),
        "profile_state": row.profile_state,
        "review_due_on": row.review_due_on.isoformat() if row.review_due_on else None,
    }


def _format_number(kind: str, number: str | None) -> str | None:
    if not number:
        return None
    return format_person_number(number) if kind == "person" else format_enterprise_number(number)


def _question_view(book, question, answers, language):
    return {
        "id": question["id"],
        "type": question["type"],
        "label": question["label"][language],
        "options": [{"value": o["value"], "label": o["label"][language]} for o in question.get("options", [])],
        "answer": answers.get(question["id"]),
    }


def get_contact(session, actor: Actor, contact_id, version_no: int | None = None) -> dict:
    contact = _contact(session, actor, contact_id)
    return _contact_view(session, actor, contact, _version(session, contact, version_no))


_UNREAD = object()  # a part of the contact view the caller did not have in hand


def _contact_view(session, actor: Actor, contact, version, *, screening=_UNREAD, documents=None, decided=_UNREAD):
    """The contact as get_contact answers it. A use case that just wrote the contact passes the rows
    its statements returned and the parts it already read in this transaction (the screening
    facts, the documents, the assessment dict) instead of reading them again."""
    language = actor.language
    is_current = version.version_no == contact.current_version
    book = rules.current(today()) if version.state == "draft" else None
    if screening is _UNREAD:
        screening = _screening_facts(session, actor, contact) if is_current else None
    if documents is None:
        documents = _documents_of(session, contact.id, version.version_no)
    view = _summary(contact) | {
        "version": {
            "version_no": version.version_no,
            "state": version.state,
            "current": is_current,
            "based_on": version.based_on,
            "data": version.data,
            "answers": version.answers,
            "created_at": version.created_at.isoformat(),
            "created_by": str(version.created_by),
            "decided_at": version.decided_at.isoformat() if version.decided_at else None,
            "decided_by": str(version.decided_by) if version.decided_by else None,
            "decision_reason": version.decision_reason,
            "screening_run_id": version.screening_run_id,
        },
        "documents": documents,
        "beneficial_owners": contact_rules.beneficial_owners(version.data) if contact.kind == "organisation" else None,
    }
    if decided is _UNREAD:
        decided = _load_assessment(session, version.assessment_id)
    if decided is not None:
        view["assessment"] = decided | explain_assessment(decided, language)
    if version.state == "draft" and is_current:
        facts = _facts_for(session, actor, contact, version, screening)
        preview = book.assess(facts)
        view["assessment"] = preview.as_dict() | explain_assessment(preview.as_dict(), language) | {"preview": True}
        present = {d["proof_kind"] for d in documents if not d["withdrawn"]}
        state = wizard.state(
            rulebook=book,
            kind=contact.kind,
            data=version.data,
            answers=version.answers,
            proof_kinds=present,
            facts=facts,
            assessment=preview,
            version_state=version.state,
            today=today(),
        )
        state["questions"] = [
            _question_view(book, q, version.answers, language)
            for q in book.questions_for("contact", contact.kind, facts)
        ]
        state["proofs"] = [
            {"id": p["id"], "label": p["label"][language], "present": p["id"] in present}
            for p in book.proofs_for(contact.kind, facts)
        ]
        state["proof_kinds"] = [
            {"id": p["id"], "label": p["label"][language]} for p in book.proofs if contact.kind in p["applies_to"]
        ]
        state["rules_version"] = book.version
        view["wizard"] = state
    view["screening"] = screening
    return view


def list_versions(session, actor: Actor, contact_id) -> list[dict]:
    contact = _contact(session, actor, contact_id)
    rows = session.execute(
        select(store.versions).where(store.versions.c.contact_id == contact.id).order_by(store.versions.c.version_no)
    ).all()
    levels = {}
    ids = [row.assessment_id for row in rows if row.assessment_id]
    if ids:
        levels = {
            row.id: row.level
            for row in session.execute(select(store.assessments).where(store.assessments.c.id.in_(ids)))
        }
    return [
        {
            "version_no": row.version_no,
            "state": row.state,
            "current": row.version_no == contact.current_version,
            "display_name": contact_rules.display_name(contact.kind, row.data),
            "level": levels.get(row.assessment_id),
            "created_at": row.created_at.isoformat(),
            "created_by": str(row.created_by),
            "decided_at": row.decided_at.isoformat() if row.decided_at else None,
        }
        for row in rows
    ]


# ---- search -------------------------------------------------------------------------------------------

_NUMBERISH = re.compile(r"^[\d\s./-]+$")
FILTERS = ("kind", "status", "level", "employee_id", "created_from", "created_to", "review_due")


def folded_contains(column, term: str):
    """`column` (accent- and case-folded search text) contains `term`, LIKE wildcards escaped."""
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return column.like(func.concat("%", func.aww_fold(escaped), "%"))


def search_terms(query: str) -> list[str]:
    """'Van den Broeck' → ['van', 'den', 'broeck']; '0403.019.261' → ['0403019261']."""
    query = (query or "").strip()
    if not query:
        return []
    if _NUMBERISH.match(query):
        digits = re.sub(r"\D", "", query)
        return [digits] if digits else []
    return [term for term in re.split(r"[\s,;]+", query) if term][:6]


# Contact search over a large office (issue 6: p95 ≤ 50 ms over 1,000,000 contacts), measured in
# bench/aml_contacts_bench.py: reading the name index costs about 0.5 µs an entry (index-only),
# checking a trigram candidate in the table about 6 µs. So rare terms go through the trigram index
# and common ones walk the name index; neither may run unbounded before the other was tried.
PROBE = 200  # trigram matches sorted at once: a rare term (a number, a full name) ends here
WALK = 50_000  # name-index entries read before giving up on the walk (10 to 25 ms)
SEARCH_CAP = 3_000  # trigram matches sorted when the walk found too few
_WALK_COLUMNS = (  # the name index's columns (migration c003): what search filters on
    *("id", "sort_name", "search_text", "kind", "status", "level", "employee_id", "created_at", "review_due_on"),
)


def _trigram_page(session, scope: list, filters: list, cap: int, wanted: int) -> list | None:
    """The page when the trigram index finds fewer than `cap` matches (unordered, then sorted by
    name in the database's collation); None when there are more."""
    c = store.contacts.c
    capped = select(c.id, c.sort_name).where(*scope, *filters).limit(cap).subquery("capped")
    counted = select(capped, func.count().over().label("total")).subquery("counted")
    rows = session.execute(
        select(counted.c.id, counted.c.total).order_by(counted.c.sort_name, counted.c.id).limit(wanted)
    ).all()
    if rows and rows[0].total >= cap:
        return None
    return [row.id for row in rows]


def _walk_page(session, scope: list, filters: list, wanted: int) -> list | None:
    """The page when it lies within the next WALK entries of the office's name index (an
    index-only scan: the index carries every column a search filters on); None otherwise."""
    c = store.contacts.c
    walk = select(*(c[name] for name in _WALK_COLUMNS)).where(*scope).order_by(c.sort_name, c.id).limit(WALK)
    walk = walk.subquery("walk")
    on_walk = ClauseAdapter(walk).traverse
    ids = (
        session.execute(
            select(walk.c.id)
            .where(*(on_walk(condition) for condition in filters))
            .order_by(walk.c.sort_name, walk.c.id)
            .limit(wanted)
        )
        .scalars()
        .all()
    )
    return ids if len(ids) == wanted else None


def _search_ids(session, scope: list, filters: list, indexed_terms: bool, wanted: int) -> list:
    """The ids of one page of matches in name order: a short trigram probe (rare terms), a bounded
    walk of the name index (common terms, filters), a larger trigram set, then the plain query."""
    c = store.contacts.c
    if filters:
        if indexed_terms and (ids := _trigram_page(session, scope, filters, PROBE, wanted)) is not None:
            return ids
        if (ids := _walk_page(session, scope, filters, wanted)) is not None:
            return ids
        if indexed_terms and (ids := _trigram_page(session, scope, filters, SEARCH_CAP, wanted)) is not None:
            return ids
    query = select(c.id).where(*scope, *filters).order_by(c.sort_name, c.id).limit(wanted)
    return session.execute(query).scalars().all()


def _search_rows(session, scope: list, filters: list, terms: list[str], wanted: int) -> list:
    indexed_terms = any(len(term) >= 3 for term in terms)  # pg_trgm needs three characters
    ids = _search_ids(session, scope, filters, indexed_terms, wanted)
    if not ids:
        return []
    c = store.contacts.c
    return session.execute(select(store.contacts).where(c.id.in_(ids)).order_by(c.sort_name, c.id)).all()


def search_contacts(
    session,
    actor: Actor,
    *,
    query: str | None = None,
    kind=None,
    status=None,
    level=None,
    employee_id=None,
    created_from=None,
    created_to=None,
    review_due: bool = False,
    limit: int = 25,
    after: str | None = None,
) -> dict:
    """Contacts of the office, by name order, keyset-paged (`after` = the last row's cursor)."""
    c = store.contacts.c
    scope = [c.organisation_id == actor.organisation_id]  # where the walk starts
    conditions = []  # what a contact must match
    if query is not None and (not isinstance(query, str) or len(query) > 200):
        raise field_error("query", "at most 200 characters")
    terms = search_terms(query or "")
    for term in terms:
        conditions.append(folded_contains(c.search_text, term))
    if kind is not None:
        if kind not in contact_rules.KINDS:
            raise field_error("kind", "choose person or organisation")
        conditions.append(c.kind == kind)
    if status is not None:
        if status not in lifecycle.VERSION_STATES:
            raise field_error("status", f"choose one of {', '.join(lifecycle.VERSION_STATES)}")
        conditions.append(c.status == status)
    if level is not None:
        if level not in rules.LEVELS:
            raise field_error("level", f"choose one of {', '.join(rules.LEVELS)}")
        conditions.append(c.level == level)
    if employee_id is not None:
        try:
            conditions.append(c.employee_id == uuid.UUID(str(employee_id)))
        except ValueError:
            raise field_error("employee_id", "must be a UUID") from None
    for name, value, op in (("created_from", created_from, "ge"), ("created_to", created_to, "lt")):
        if value is None:
            continue
        try:
            day = date.fromisoformat(value)
        except (TypeError, ValueError):
            raise field_error(name, "give a date as YYYY-MM-DD") from None
        moment = datetime(day.year, day.month, day.day, tzinfo=UTC)
        conditions.append(c.created_at >= moment if op == "ge" else c.created_at < moment + timedelta(days=1))
    if review_due:
        conditions.append(c.review_due_on <= today())
    if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= MAX_PAGE:
        raise field_error("limit", f"between 1 and {MAX_PAGE}")
    if after:
        sort_name, _, last_id = str(after).rpartition("|")
        try:
            scope.append(or_(c.sort_name > sort_name, and_(c.sort_name == sort_name, c.id > uuid.UUID(last_id))))
        except ValueError:
            raise field_error("after", "is not a cursor this list gave") from None
    rows = _search_rows(session, scope, conditions, terms, limit + 1)
    items = [_summary(row) for row in rows[:limit]]
    last = rows[limit - 1] if len(rows) > limit else None
    return {"items": items, "next": f"{last.sort_name}|{last.id}" if last else None}


# ---- documents ------------------------------------------------------------------------------------------


def _stored_blob(session, organisation_id, digest: str, content: bytes) -> uuid.UUID:
    """The office's blob of this content, stored once even when two uploads of it race."""
    inserted = session.execute(
        _BLOB_INSERT, {"id": uuid.uuid4(), "organisation_id": organisation_id, "sha256": digest, "content": content}
    ).scalar_one_or_none()
    if inserted is not None:
        return inserted
    return session.execute(_BLOB, {"organisation_id": organisation_id, "sha256": digest}).scalar_one()


def upload_document(session, actor: Actor, contact_id, *, proof_kind, filename, content: bytes, max_bytes: int) -> dict:
    contact = _contact(session, actor, contact_id, lock=True)
    version = _version(session, contact)
    lifecycle.require_draft(version.state)
    book = rules.current(today())
    proof = book.proof(proof_kind) if isinstance(proof_kind, str) else None
    if proof is None or contact.kind not in proof["applies_to"]:
        raise field_error("proof_kind", "is not a proof asked for this kind of contact")
    if not isinstance(filename, str) or not filename.strip() or len(filename) > 255:
        raise field_error("filename", "give the file's name (at most 255 characters)")
    try:
        recognised = uploads.recognise(content, filename, max_bytes=max_bytes)
    except uploads.UploadRefused as refused:
        code = "payload_too_large" if refused.reason == "too_large" else "unsupported_media_type"
        raise DomainError(code, refused.message, field="file", reason=refused.reason) from None
    digest = hashlib.sha256(content).hexdigest()
    blob_id = _stored_blob(session, actor.organisation_id, digest, content)
    document_id, moment = uuid.uuid4(), now()
    document = session.execute(
        _DOCUMENT_INSERT,
        {
            "id": document_id,
            "organisation_id": actor.organisation_id,
            "contact_id": contact.id,
            "version_no": version.version_no,
            "proof_kind": proof_kind,
            "filename": recognised.filename,
            "media_type": recognised.media_type,
            "size_bytes": recognised.size,
            "sha256": digest,
            "blob_id": blob_id,
            "uploaded_at": moment,
            "uploaded_by": actor.account_id,
        },
    ).one()
    session.execute(_CONTACT_UPDATE, {"b_contact_id": contact.id, "updated_at": moment})
    record(
        session,
        actor,
        "document_uploaded",
        contact_id=contact.id,
        details={
            "version_no": version.version_no,
            "proof_kind": proof_kind,
            "filename": recognised.filename,
            "sha256": digest,
        },
    )
    return _document_dict(document)  # the row as stored (RETURNING)


def _document(session, actor, contact, document_id):
    row = session.execute(
        select(store.documents).where(
            store.documents.c.id == _uuid(document_id, "document"),
            store.documents.c.contact_id == contact.id,
            store.documents.c.organisation_id == actor.organisation_id,
        )
    ).first()
    if row is None:
        raise DomainError("not_found", "There is no such document")
    return row


def document_content(session, actor: Actor, contact_id, document_id) -> dict:
    contact = _contact(session, actor, contact_id)
    row = _document(session, actor, contact, document_id)
    content = session.execute(select(store.blobs.c.content).where(store.blobs.c.id == row.blob_id)).scalar_one()
    return {"content": content, "media_type": row.media_type, "filename": row.filename, "sha256": row.sha256}


def withdraw_document(session, actor: Actor, contact_id, document_id) -> dict:
    """Take a proof off the draft (it stays stored: AML records are kept, DESIGN.md §7)."""
    contact = _contact(session, actor, contact_id, lock=True)
    row = _document(session, actor, contact, document_id)
    version = _version(session, contact, row.version_no)
    lifecycle.require_draft(version.state)
    if row.withdrawn_at is None:
        session.execute(
            update(store.documents)
            .where(store.documents.c.id == row.id)
            .values(withdrawn_at=now(), withdrawn_by=actor.account_id)
        )
        record(
            session,
            actor,
            "document_withdrawn",
            contact_id=contact.id,
            details={"version_no": row.version_no, "proof_kind": row.proof_kind, "filename": row.filename},
        )
    return get_contact(session, actor, contact.id)


# ---- screening ----------------------------------------------------------------------------------------


def screen_contact(session, actor: Actor, contact_id) -> dict:
    contact = _contact(session, actor, contact_id, lock=True)
    version = _version(session, contact)
    lifecycle.require_draft(version.state)
    subjects = _subjects(contact.kind, version.data)
    if not subjects:
        raise field_error("data", "give the contact's name before screening")
    api = _screening_api()
    run = api.screen(
        session,
        organisation_id=actor.organisation_id,
        contact_id=str(contact.id),
        subjects=subjects,
        screened_by=actor.account_id,
    )
    session.execute(
        _VERSION_UPDATE,
        {"b_contact_id": contact.id, "b_version_no": version.version_no, "screening_run_id": run.run_id},
    )
    record(
        session,
        actor,
        "screened",
        contact_id=contact.id,
        details={
            "version_no": version.version_no,
            "run_id": run.run_id,
            "subjects": len(subjects),
            "hits": len(run.hits),
            "open_hits": len(run.open_hits),
        },
    )
    return run.as_dict()


# ---- decisions on the contact -------------------------------------------------------------------------


def decide_contact(session, actor: Actor, contact_id, *, decision, reason=None, notify=None) -> dict:
    """Accept or refuse the current draft version at the published vigilance level.

    `notify(session, actor, contact, level)` tells the AML officers of an enhanced acceptance.
    """
    if decision not in ("accept", "refuse"):
        raise field_error("decision", "choose accept or refuse")
    reason = _reason(reason, "reason", required=decision == "refuse")
    contact = _contact(session, actor, contact_id, lock=True)
    version = _version(session, contact, lock=True)
    lifecycle.require_draft(version.state)
    book = rules.current(today())
    screening = _screening_facts(session, actor, contact)
    facts = _facts_for(session, actor, contact, version, screening)
    assessment = book.assess(facts)
    documents = None
    if decision == "accept":
        documents = _documents_of(session, contact.id, version.version_no)
        present = {d["proof_kind"] for d in documents if not d["withdrawn"]}
        state = wizard.state(
            rulebook=book,
            kind=contact.kind,
            data=version.data,
            answers=version.answers,
            proof_kinds=present,
            facts=facts,
            assessment=assessment,
            version_state=version.state,
            today=today(),
        )
        if state["blockers"]:
            raise DomainError(
                "conflict",
                _blocker_message(state["blockers"][0]),
                blockers=state["blockers"],
            )
    decided = _save_assessment(
        session, actor, contact, version.version_no, assessment, facts, screening, subject="contact"
    )
    moment = now()
    state_after = "accepted" if decision == "accept" else "refused"
    decided_version = session.execute(
        _VERSION_UPDATE_RETURNING,
        {
            "b_contact_id": contact.id,
            "b_version_no": version.version_no,
            "state": state_after,
            "decided_at": moment,
            "decided_by": actor.account_id,
            "decision_reason": reason,
            "assessment_id": uuid.UUID(decided["assessment_id"]),
            "updated_at": moment,
        },
    ).one()
    decided_contact = session.execute(
        _CONTACT_UPDATE_RETURNING,
        {"b_contact_id": contact.id, "status": state_after, "level": assessment.level, "updated_at": moment},
    ).one()
    record(
        session,
        actor,
        "contact_accepted" if decision == "accept" else "contact_refused",
        contact_id=contact.id,
        details={
            "version_no": version.version_no,
            "level": assessment.level,
            "rules_version": assessment.rules_version,
            "factors": [f.id for f in assessment.factors],
            "reason": reason,
        },
    )
    add_event(
        session,
        "contact_decided",
        {
            "organisation_id": str(actor.organisation_id),
            "contact_id": str(contact.id),
            "version_no": version.version_no,
            "decision": state_after,
            "level": assessment.level,
            "rules_version": assessment.rules_version,
            "decided_by": str(actor.account_id),
            "decided_at": moment.isoformat(),
        },
    )
    api = _screening_api()
    api.set_monitored(
        session, organisation_id=actor.organisation_id, contact_id=str(contact.id), monitored=decision == "accept"
    )
    if decision == "accept" and assessment.level == "enhanced" and notify is not None:
        notify(session, actor, contact, version.version_no, assessment.level)
    # the rows as the updates returned them, with the screening facts and documents read above in
    # this transaction (the contact is locked while it is decided)
    return _contact_view(
        session, actor, decided_contact, decided_version, screening=screening, documents=documents, decided=decided
    )


def _blocker_message(blocker: dict) -> str:
    return {
        "missing_fields": "The identification is not complete",
        "missing_proofs": "Proof documents are still missing",
        "unanswered_questions": "Some questions are not answered yet",
        "not_screened": "Screen the contact first",
        "open_hits": "Decide every screening hit first",
        "blocking_factor": "The contact is on a sanctions list and may not be accepted",
    }[blocker["code"]]


# ---- risk profiles ---------------------------------------------------------------------------------------


_PROFILE = select(store.risk_profiles).where(
    store.risk_profiles.c.id == bindparam("profile_id"),
    store.risk_profiles.c.organisation_id == bindparam("organisation_id"),
)
_PROFILE_FOR_UPDATE = _PROFILE.with_for_update()
_PROFILES_OF_CONTACT = (  # a few: one per review
    select(
        store.risk_profiles.c.id,
        store.risk_profiles.c.state,
        store.risk_profiles.c.decided_at,
        store.risk_profiles.c.created_at,
    )
    .where(store.risk_profiles.c.contact_id == bindparam("contact_id"))
    .order_by(store.risk_profiles.c.created_at)
)
_ASSESSMENT_LEVEL = select(store.assessments.c.level).where(store.assessments.c.id == bindparam("assessment_id"))


def _profile(session, actor, profile_id, *, lock=False):
    row = session.execute(
        _PROFILE_FOR_UPDATE if lock else _PROFILE,
        {"profile_id": _uuid(profile_id, "risk profile"), "organisation_id": actor.organisation_id},
    ).first()
    if row is None:
        raise DomainError("not_found", "There is no such risk profile")
    return row


def _profile_dict(session, row, language, assessment: dict | None = None) -> dict:
    """The risk profile as the caller sees it; `assessment` is its assessment dict when the caller
    has it in hand (just stored or read), else it is read."""
    if assessment is None:
        assessment = _load_assessment(session, row.assessment_id)
    return {
        "risk_profile_id": str(row.id),
        "contact_id": str(row.contact_id),
        "version_no": row.version_no,
        "state": row.state,
        "answers": row.answers,
        "skipped": row.skipped,
        "level": row.level,
        "assessment": assessment | explain_assessment(assessment, language),
        "created_at": row.created_at.isoformat(),
        "created_by": str(row.created_by),
        "decided_at": row.decided_at.isoformat() if row.decided_at else None,
        "decided_by": str(row.decided_by) if row.decided_by else None,
        "decision_reason": row.decision_reason,
        "escalated_at": row.escalated_at.isoformat() if row.escalated_at else None,
        "escalated_by": str(row.escalated_by) if row.escalated_by else None,
        "motivation": row.motivation,
        "proposal": row.proposal,
        "review_due_on": row.review_due_on.isoformat() if row.review_due_on else None,
        "review_of": str(row.review_of) if row.review_of else None,
    }


def _assess_profile(session, actor, contact, version, answers: dict):
    book = rules.current(today())
    screening = _screening_facts(session, actor, contact)
    contact_level = session.execute(_ASSESSMENT_LEVEL, {"assessment_id": version.assessment_id}).scalar_one()
    facts = _facts_for(session, actor, contact, version, screening, answers=answers, contact_level=contact_level)
    return book.assess(facts, scopes=("contact", "risk_profile")), facts, screening


def risk_questions(session, actor: Actor, contact_id) -> dict:
    contact = _contact(session, actor, contact_id)
    book = rules.current(today())
    questions = [q for q in book.questions if q["scope"] == "risk_profile" and contact.kind in q["applies_to"]]
    return {
        "questions": [_question_view(book, q, {}, actor.language) for q in questions],
        "skippable": not _has_accepted_profile(session, contact.id),
        "rules_version": book.version,
    }


def _has_accepted_profile(session, contact_id) -> bool:
    return (
        session.execute(
            select(store.risk_profiles.c.id)
            .where(store.risk_profiles.c.contact_id == contact_id, store.risk_profiles.c.decided_at.is_not(None))
            .limit(1)
        ).first()
        is not None
    )


def start_risk_profile(session, actor: Actor, contact_id, *, answers=None, skip: bool = False) -> dict:
    contact = _contact(session, actor, contact_id, lock=True)
    version = _version(session, contact)
    if version.state != "accepted":
        raise DomainError("conflict", "Accept the contact before its risk profile")
    # the contact's profiles (a few: one per review) in one read: is one open, was one decided,
    # which accepted one does the new profile review
    profiles = session.execute(_PROFILES_OF_CONTACT, {"contact_id": contact.id}).all()
    open_profile = next((p for p in profiles if p.state in ("assessed", "awaiting_officer", "reported")), None)
    if open_profile is not None:
        raise DomainError(
            "conflict", "This contact has a risk profile that is not decided yet", risk_profile_id=str(open_profile.id)
        )
    book = rules.current(today())
    if skip:
        if answers:
            raise field_error("answers", "a skipped questionnaire has no answers")
        if any(p.decided_at is not None for p in profiles):
            raise DomainError("conflict", "The questionnaire can only be skipped for a new contact")
        cleaned = {}
    else:
        cleaned = _clean_answers(book, "risk_profile", contact.kind, answers or {})
        wanted = [q["id"] for q in book.questions if q["scope"] == "risk_profile" and contact.kind in q["applies_to"]]
        unanswered = [question for question in wanted if question not in cleaned]
        if unanswered:
            raise field_error(
                f"answers.{unanswered[0]}", "answer every question (or skip the questionnaire for a new contact)"
            )
    assessment, facts, screening = _assess_profile(session, actor, contact, version, cleaned)
    profile_id, moment = uuid.uuid4(), now()
    accepted = [p for p in profiles if p.state == "accepted"]
    previous = max(accepted, key=lambda p: p.created_at) if accepted else None
    stored = _save_assessment(
        session,
        actor,
        contact,
        version.version_no,
        assessment,
        facts,
        screening,
        subject="risk_profile",
        risk_profile_id=profile_id,
    )
    profile = session.execute(
        _PROFILE_INSERT,
        {
            "id": profile_id,
            "organisation_id": actor.organisation_id,
            "contact_id": contact.id,
            "version_no": version.version_no,
            "state": "assessed",
            "answers": cleaned,
            "skipped": bool(skip),
            "level": assessment.level,
            "assessment_id": uuid.UUID(stored["assessment_id"]),
            "created_at": moment,
            "created_by": actor.account_id,
            "updated_at": moment,
            "review_of": previous.id if previous else None,
        },
    ).one()
    _refresh_contact_profile(session, contact.id)
    record(
        session,
        actor,
        "risk_profile_assessed",
        contact_id=contact.id,
        risk_profile_id=profile_id,
        details={
            "level": assessment.level,
            "skipped": bool(skip),
            "factors": [f.id for f in assessment.factors],
            "rules_version": assessment.rules_version,
        },
    )
    return _profile_dict(session, profile, actor.language, stored)


def answer_risk_profile(session, actor: Actor, profile_id, *, answers) -> dict:
    row = _profile(session, actor, profile_id, lock=True)
    lifecycle.move(row.state, "reassess")
    contact = _contact(session, actor, row.contact_id, lock=True)
    version = _version(session, contact, row.version_no)
    book = rules.current(today())
    merged = dict(row.answers) | _clean_answers(book, "risk_profile", contact.kind, answers)
    assessment, facts, screening = _assess_profile(session, actor, contact, version, merged)
    stored = _save_assessment(
        session,
        actor,
        contact,
        version.version_no,
        assessment,
        facts,
        screening,
        subject="risk_profile",
        risk_profile_id=row.id,
    )
    updated = session.execute(
        update(store.risk_profiles)
        .where(store.risk_profiles.c.id == row.id)
        .values(
            answers=merged,
            skipped=False,
            level=assessment.level,
            assessment_id=uuid.UUID(stored["assessment_id"]),
            updated_at=now(),
        )
        .returning(store.risk_profiles)
    ).one()
    record(
        session,
        actor,
        "risk_profile_assessed",
        contact_id=contact.id,
        risk_profile_id=row.id,
        details={
            "level": assessment.level,
            "skipped": False,
            "factors": [f.id for f in assessment.factors],
            "rules_version": assessment.rules_version,
        },
    )
    return _profile_dict(session, updated, actor.language, stored)


def decide_risk_profile(session, actor: Actor, profile_id, *, decision, reason=None) -> dict:
    if decision not in ("accept", "refuse"):
        raise field_error("decision", "choose accept or refuse")
    reason = _reason(reason, "reason", required=decision == "refuse")
    row = _profile(session, actor, profile_id, lock=True)
    target = lifecycle.move(row.state, decision)
    lifecycle.check_employee_decision(row.level, decision)
    moment = now()
    review = None
    assessment = _load_assessment(session, row.assessment_id)  # deciding does not change it
    if target == "accepted":
        review = rules.rulebook(assessment["rules_version"]).review_date(row.level, moment.date())
    decided = session.execute(
        _PROFILE_UPDATE_RETURNING,
        {
            "b_profile_id": row.id,
            "state": target,
            "decided_at": moment,
            "decided_by": actor.account_id,
            "decision_reason": reason,
            "review_due_on": review,
            "updated_at": moment,
        },
    ).one()
    _refresh_contact_profile(session, row.contact_id)
    record(
        session,
        actor,
        "risk_profile_accepted" if target == "accepted" else "risk_profile_refused",
        contact_id=row.contact_id,
        risk_profile_id=row.id,
        details={"level": row.level, "reason": reason, "review_due_on": review.isoformat() if review else None},
    )
    add_event(
        session,
        "risk_profile_decided",
        {
            "organisation_id": str(actor.organisation_id),
            "contact_id": str(row.contact_id),
            "risk_profile_id": str(row.id),
            "state": target,
            "level": row.level,
            "decided_by": str(actor.account_id),
            "decided_at": moment.isoformat(),
            "review_due_on": review.isoformat() if review else None,
        },
    )
    return _profile_dict(session, decided, actor.language, assessment)


def escalate_risk_profile(session, actor: Actor, profile_id, *, motivation, proposal) -> dict:
    motivation = _reason(motivation, "motivation", required=True)
    if proposal not in lifecycle.PROPOSALS:
        raise field_error("proposal", "propose accept or refuse")
    row = _profile(session, actor, profile_id, lock=True)
    target = lifecycle.move(row.state, "escalate")
    lifecycle.check_employee_decision(row.level, "escalate")
    moment = now()
    escalated = session.execute(
        update(store.risk_profiles)
        .where(store.risk_profiles.c.id == row.id)
        .values(
            state=target,
            escalated_at=moment,
            escalated_by=actor.account_id,
            motivation=motivation,
            proposal=proposal,
            updated_at=moment,
        )
        .returning(store.risk_profiles)
    ).one()
    _refresh_contact_profile(session, row.contact_id)
    record(
        session,
        actor,
        "risk_profile_escalated",
        contact_id=row.contact_id,
        risk_profile_id=row.id,
        details={"level": row.level, "proposal": proposal, "motivation": motivation},
        marker="officer",
    )
    add_event(
        session,
        "risk_profile_escalated",
        {
            "organisation_id": str(actor.organisation_id),
            "contact_id": str(row.contact_id),
            "risk_profile_id": str(row.id),
            "level": row.level,
            "proposal": proposal,
            "escalated_by": str(actor.account_id),
            "escalated_at": moment.isoformat(),
        },
    )
    return _profile_dict(session, escalated, actor.language)


def get_risk_profile(session, actor: Actor, profile_id) -> dict:
    return _profile_dict(session, _profile(session, actor, profile_id), actor.language)


def list_risk_profiles(session, actor: Actor, contact_id) -> list[dict]:
    contact = _contact(session, actor, contact_id)
    rows = session.execute(
        select(store.risk_profiles)
        .where(
            store.risk_profiles.c.contact_id == contact.id,
            store.risk_profiles.c.organisation_id == actor.organisation_id,
        )
        .order_by(store.risk_profiles.c.created_at)
    ).all()
    return [_profile_dict(session, row, actor.language) for row in rows]


def _refresh_contact_profile(session, contact_id) -> None:
    """The contacts list shows the latest profile's state and the latest accepted profile's review
    date (NULL when there is none): one UPDATE with the two lookups as subqueries."""
    session.execute(_REFRESH_CONTACT_PROFILE, {"b_contact_id": contact_id, "b_updated_at": now()})


def _refresh_contact_profile_statement():
    rp = store.risk_profiles
    contact_id = bindparam("b_contact_id", type_=store.contacts.c.id.type)
    latest = select(rp.c.state).where(rp.c.contact_id == contact_id).order_by(rp.c.created_at.desc()).limit(1)
    accepted = (
        select(rp.c.review_due_on)
        .where(rp.c.contact_id == contact_id, rp.c.state == "accepted")
        .order_by(rp.c.decided_at.desc())
        .limit(1)
    )
    return (
        update(store.contacts)
        .where(store.contacts.c.id == contact_id)
        .values(
            profile_state=latest.scalar_subquery(),
            review_due_on=accepted.scalar_subquery(),
            updated_at=bindparam("b_updated_at", type_=store.contacts.c.updated_at.type),
        )
    )


_REFRESH_CONTACT_PROFILE = _refresh_contact_profile_statement()


def due_reviews(session, actor: Actor, *, within_days: int = 30, limit: int = 100) -> list[dict]:
    """Accepted risk profiles whose periodic review falls within `within_days` (or is overdue)."""
    if not isinstance(within_days, int) or isinstance(within_days, bool) or not 0 <= within_days <= 3660:
        raise field_error("within_days", "between 0 and 3660")
    if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= 500:
        raise field_error("limit", "between 1 and 500")
    horizon = today() + timedelta(days=within_days)
    rows = session.execute(
        select(store.contacts)
        .where(
            store.contacts.c.organisation_id == actor.organisation_id,
            store.contacts.c.review_due_on.is_not(None),
            store.contacts.c.review_due_on <= horizon,
        )
        .order_by(store.contacts.c.review_due_on, store.contacts.c.id)
        .limit(limit)
    ).all()
    return [_summary(row) | {"overdue": row.review_due_on < today()} for row in rows]

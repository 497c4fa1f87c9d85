"""A use case that writes answers exactly what a fresh read answers right after it.

The write use cases build their answer from the rows their INSERT/UPDATE ... RETURNING gave and
from what they read earlier in the same transaction, instead of reading everything again. These
tests hold them to the read use cases (get_contact, get_risk_profile, get_transaction, the
screening run), on the paths of the AML flow and on the others (refusals, escalation, edits,
parties added and removed), against the real database.
"""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import Session
from test_cases_service_support import NO_RISK_ANSWERS, complete_person, import_un_list

from aww_aml_workflow.cases import handling, samples
from aww_aml_workflow.screening import api as screening
from aww_aml_workflow.service import AmlWorkflowService
from aww_aml_workflow.transactions import handling as transactions
from aww_contracts.errors import DomainError
from belgian_ids import make_person_number

PROOF = samples.pdf("ID card")


@pytest.fixture(scope="module")
def engine(service_database):
    url = service_database("aww_aml_workflow")
    import_un_list(url)
    engine = create_engine(url)
    yield engine
    engine.dispose()


@pytest.fixture
def actor():
    return handling.Actor(organisation_id=uuid.uuid4(), account_id=uuid.uuid4(), role="user", language="en")


def call(engine, use_case, *args, **kwargs):
    """One use case in one committed transaction, as a Nameko worker runs it."""
    with Session(bind=engine, expire_on_commit=False, autoflush=True) as session:
        session.info["service"] = AmlWorkflowService.name
        session.info["publishes"] = frozenset(AmlWorkflowService.publishes)
        result = use_case(session, *args, **kwargs)
        session.commit()
        return result


class Wallet:
    """The wallet's quote and charge as transactions.handling asks them (the wallet service itself
    is tested in test_transactions_service.py)."""

    def quote(self, organisation_id, product):
        return {"amount_cents": 2299, "covered_by_subscription": False, "sufficient": True}

    def charge(self, organisation_id, product, reference, idempotency_key):
        return {
            "charge_id": str(uuid.uuid5(uuid.NAMESPACE_URL, idempotency_key)),
            "status": "charged",
            "paid_by": "wallet",
            "amount_cents": 2299,
            "vat_cents": 399,
            "receipt_document_id": None,
            "reference": reference,
        }


def person(serial: int, **changes) -> dict:
    born = "1971-03-0" + str(1 + serial % 9)
    data = complete_person(
        last_name=f"Answertest{serial}",
        birth_date=born,
        person_number=make_person_number(__import__("datetime").date.fromisoformat(born), 101 + 2 * serial),
        id_document={"type": "id_card", "number": f"592-{serial:07d}-11", "expiry": "2031-05-01"},
    )
    data.update(changes)
    return data


def read_contact(engine, actor, contact_id):
    return call(engine, handling.get_contact, actor, contact_id)


def identified(engine, actor, data, answers=NO_RISK_ANSWERS, proofs=("identity_document",)) -> str:
    """A contact created, with its proofs, screened; each answer checked against a fresh read."""
    created = call(engine, handling.create_contact, actor, kind="person", data=data, answers=answers)
    assert created == read_contact(engine, actor, created["contact_id"])
    contact_id = created["contact_id"]
    for kind in proofs:
        document = call(
            engine,
            handling.upload_document,
            actor,
            contact_id,
            proof_kind=kind,
            filename=f"{kind}.pdf",
            content=PROOF,
            max_bytes=10_000_000,
        )
        assert document in read_contact(engine, actor, contact_id)["documents"]
    run = call(engine, handling.screen_contact, actor, contact_id)
    with Session(bind=engine) as session:
        assert run == screening.run(session, actor.organisation_id, run["run_id"]).as_dict()
        assert run == screening.latest_run(session, actor.organisation_id, contact_id).as_dict()
    assert run["hits"] == []  # a made-up name: the UN list does not know it
    return contact_id


def answers_for(engine, actor, contact_id) -> dict:
    questions = call(engine, handling.risk_questions, actor, contact_id)["questions"]
    first = {"boolean": lambda q: False, "choice": lambda q: q["options"][0]["value"], "multi": lambda q: []}
    return {q["id"]: first.get(q["type"], lambda q: "none")(q) for q in questions}


def test_a_contact_accepted_and_its_risk_profiles_answer_as_read_back(engine, actor):
    # linked with a high-risk third country: the country lists are read for the assessment
    contact_id = identified(engine, actor, person(1, nationalities=["BE", "IR"]))
    accepted = call(engine, handling.decide_contact, actor, contact_id, decision="accept")
    assert accepted == read_contact(engine, actor, contact_id)
    assert accepted["status"] == "accepted" and accepted["assessment"]["level"] in ("standard", "enhanced")
    assert "IR" in str(accepted["assessment"]["factors"])

    first = call(engine, handling.start_risk_profile, actor, contact_id, skip=True)
    assert first == call(engine, handling.get_risk_profile, actor, first["risk_profile_id"])
    assert read_contact(engine, actor, contact_id)["profile_state"] == "assessed"
    with pytest.raises(DomainError) as open_one:
        call(engine, handling.start_risk_profile, actor, contact_id, skip=True)
    assert open_one.value.code == "conflict" and open_one.value.details["risk_profile_id"] == first["risk_profile_id"]

    level = first["level"]
    if level == "enhanced":
        decided = call(
            engine,
            handling.escalate_risk_profile,
            actor,
            first["risk_profile_id"],
            motivation="Known client",
            proposal="accept",
        )
        assert decided == call(engine, handling.get_risk_profile, actor, first["risk_profile_id"])
        return
    decided = call(engine, handling.decide_risk_profile, actor, first["risk_profile_id"], decision="accept")
    assert decided == call(engine, handling.get_risk_profile, actor, first["risk_profile_id"])
    summary = read_contact(engine, actor, contact_id)
    assert decided["review_due_on"] and summary["profile_state"] == "accepted"
    assert summary["review_due_on"] == decided["review_due_on"]

    with pytest.raises(DomainError) as skipped_again:
        call(engine, handling.start_risk_profile, actor, contact_id, skip=True)
    assert skipped_again.value.code == "conflict"
    review = call(
        engine, handling.start_risk_profile, actor, contact_id, answers=answers_for(engine, actor, contact_id)
    )
    assert review["review_of"] == first["risk_profile_id"] and not review["skipped"]
    assert review == call(engine, handling.get_risk_profile, actor, review["risk_profile_id"])
    question = next(iter(review["answers"]))
    answered = call(
        engine,
        handling.answer_risk_profile,
        actor,
        review["risk_profile_id"],
        answers={question: review["answers"][question]},
    )
    assert answered == call(engine, handling.get_risk_profile, actor, review["risk_profile_id"])
    refused = call(
        engine, handling.decide_risk_profile, actor, review["risk_profile_id"], decision="refuse", reason="No"
    )
    assert refused == call(engine, handling.get_risk_profile, actor, review["risk_profile_id"])
    summary = read_contact(engine, actor, contact_id)
    # the latest profile is refused; the review date stays the one of the accepted profile
    assert summary["profile_state"] == "refused" and summary["review_due_on"] == decided["review_due_on"]


def test_a_refused_contact_answers_as_read_back(engine, actor):
    contact_id = identified(engine, actor, person(2))
    refused = call(engine, handling.decide_contact, actor, contact_id, decision="refuse", reason="Not our client")
    assert refused == read_contact(engine, actor, contact_id)
    assert refused["status"] == "refused" and refused["version"]["decision_reason"] == "Not our client"


def test_an_enhanced_contact_and_its_escalated_profile_answer_as_read_back(engine, actor):
    pep = {"self": True, "function": "member_of_parliament"}
    contact_id = identified(engine, actor, person(3, pep=pep), proofs=("identity_document", "source_of_funds"))
    draft = read_contact(engine, actor, contact_id)
    assert draft["assessment"]["level"] == "enhanced", draft["wizard"]["blockers"]
    accepted = call(engine, handling.decide_contact, actor, contact_id, decision="accept")
    assert accepted == read_contact(engine, actor, contact_id)
    profile = call(engine, handling.start_risk_profile, actor, contact_id, skip=True)
    assert profile["level"] == "enhanced"
    escalated = call(
        engine,
        handling.escalate_risk_profile,
        actor,
        profile["risk_profile_id"],
        motivation="A member of parliament buying a home",
        proposal="accept",
    )
    assert escalated == call(engine, handling.get_risk_profile, actor, profile["risk_profile_id"])
    assert escalated["state"] == "awaiting_officer"
    assert read_contact(engine, actor, contact_id)["profile_state"] == "awaiting_officer"


def party(engine, actor, serial: int) -> str:
    contact_id = identified(engine, actor, person(serial))
    call(engine, handling.decide_contact, actor, contact_id, decision="accept")
    profile = call(engine, handling.start_risk_profile, actor, contact_id, skip=True)
    call(engine, handling.decide_risk_profile, actor, profile["risk_profile_id"], decision="accept")
    return contact_id


def read_transaction(engine, actor, transaction_id):
    return call(engine, transactions.get_transaction, actor, transaction_id)


def test_a_transaction_from_draft_to_accepted_answers_as_read_back(engine, actor):
    seller, buyer, other = party(engine, actor, 11), party(engine, actor, 12), party(engine, actor, 13)
    data = {
        "reference": f"ANSWER-{uuid.uuid4().hex[:6]}",
        "type": "sale",
        "property": {"street": "Meir", "number": "1", "postcode": "2000", "city": "Antwerpen"},
        "price_cents": 35_000_000,
    }
    created = call(
        engine,
        transactions.create_transaction,
        actor,
        data=data,
        parties=[{"contact_id": seller, "role": "seller"}, {"contact_id": buyer, "role": "buyer"}],
    )
    tid = created["transaction_id"]
    assert created == read_transaction(engine, actor, tid)
    assert [p["contact_id"] for p in created["parties"]] == [seller, buyer]

    changed = call(engine, transactions.update_transaction, actor, tid, data={"reference": data["reference"] + "-B"})
    assert changed == read_transaction(engine, actor, tid) and changed["reference"].endswith("-B")
    added = call(engine, transactions.add_party, actor, tid, contact_id=other, role="buyer")
    assert added == read_transaction(engine, actor, tid) and len(added["parties"]) == 3
    with pytest.raises(DomainError) as twice:
        call(engine, transactions.add_party, actor, tid, contact_id=other, role="buyer")
    assert twice.value.code == "conflict"
    removed = call(engine, transactions.remove_party, actor, tid, contact_id=other, role="buyer")
    assert removed == read_transaction(engine, actor, tid) and len(removed["parties"]) == 2
    found = call(engine, transactions.search_transactions, actor, query=data["reference"] + "-B")["items"]
    assert [item["transaction_id"] for item in found] == [tid]  # the search text was rewritten

    paid = call(engine, transactions.pay_and_assess, actor, tid, wallet=Wallet(), idempotency_key=f"answer-{tid}")
    assert paid == read_transaction(engine, actor, tid) and paid["state"] == "assessed"
    assert paid["payment_status"]["state"] == "assessed" and paid["assessment"]["level"]
    again = call(engine, transactions.pay_and_assess, actor, tid, wallet=Wallet(), idempotency_key=f"answer-{tid}")
    assert again == paid
    accepted = call(engine, transactions.decide_transaction, actor, tid, decision="accept")
    assert accepted == read_transaction(engine, actor, tid) and accepted["state"] == "accepted"


def test_a_refused_transaction_answers_as_read_back(engine, actor):
    seller, buyer = party(engine, actor, 21), party(engine, actor, 22)
    data = {
        "reference": f"REFUSE-{uuid.uuid4().hex[:6]}",
        "type": "sale",
        "property": {"street": "Meir", "number": "2", "postcode": "2000", "city": "Antwerpen"},
        "price_cents": 35_000_000,
    }
    parties = [{"contact_id": seller, "role": "seller"}, {"contact_id": buyer, "role": "buyer"}]
    tid = call(engine, transactions.create_transaction, actor, data=data, parties=parties)["transaction_id"]
    call(engine, transactions.pay_and_assess, actor, tid, wallet=Wallet(), idempotency_key=f"refuse-{tid}")
    refused = call(engine, transactions.decide_transaction, actor, tid, decision="refuse", reason="Odd deal")
    assert refused == read_transaction(engine, actor, tid) and refused["state"] == "refused"

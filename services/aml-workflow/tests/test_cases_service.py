"""Case handling through the service's RPC entrypoints, against the real broker and database:
the whole path of a person contact, the wizard's blockers, versions, risk profiles, refused
uploads that store nothing, and the timeline."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from nameko.exceptions import RemoteError
from nameko.testing.services import entrypoint_hook
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session
from test_cases_service_support import (
    ACCOUNTS,
    NO_RISK_ANSWERS,
    OFFICE_A,
    b64,
    complete_person,
    import_un_list,
    principal,
    publish_access,
)

from aww_aml_workflow.cases import samples
from aww_aml_workflow.service import AmlWorkflowService
from aww_contracts.errors import DomainError
from servicekit.entrypoints import rpc


class FakeIdentity:
    """identity's get_accounts, as the officers' e-mail addresses come from there."""

    name = "identity"

    @rpc
    def get_accounts(self, account_ids):
        return [
            {
                "account_id": account_id,
                "email": f"officer-{account_id[:8]}@office.example",
                "language": "nl",
                "status": "active",
            }
            for account_id in account_ids
        ]


@pytest.fixture(scope="module")
def database(service_database):
    url = service_database("aww_aml_workflow")
    import_un_list(url)
    return url


@pytest.fixture
def service(container_factory, database, amqp_uri):
    container = container_factory(AmlWorkflowService, database)
    publish_access(amqp_uri, database)
    return container


@pytest.fixture
def aml(rpc_proxy, service):
    return lambda who="a_user", language="en": rpc_proxy("aml_workflow", principal(who, language), timeout=30)


def domain_code(call, *args, **kwargs) -> tuple[str, RemoteError]:
    with pytest.raises(RemoteError) as raised:
        call(*args, **kwargs)
    assert raised.value.exc_type == "DomainError", raised.value
    return raised.value.value, raised.value


def count(database, table: str) -> int:
    engine = create_engine(database)
    with engine.connect() as connection:
        value = connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
    engine.dispose()
    return value


def screen_and_clear(database, aml, contact_id) -> dict:
    """Screen, then mark every hit a false positive (as the employee would after checking)."""
    from aww_aml_workflow.screening import api

    run = aml().screen_contact(contact_id)
    engine = create_engine(database)
    with Session(engine) as session:
        for hit in run["hits"]:
            api.decide_hit(
                session,
                organisation_id=run["organisation_id"],
                hit_id=hit["hit_id"],
                decision="false_positive",
                reason="Other birth place and nationality",
                decided_by=ACCOUNTS["a_user"],
            )
        session.commit()
    engine.dispose()
    return run


def ready_person(aml, **changes) -> dict:
    contact = aml().create_contact("person", complete_person(**changes), NO_RISK_ANSWERS)
    aml().upload_document(contact["contact_id"], "identity_document", "id-card.pdf", b64(samples.pdf("ID card")))
    return contact


def test_a_person_is_identified_screened_accepted_and_profiled(aml, database):
    contact = ready_person(aml)
    assert contact["status"] == "draft" and contact["wizard"]["next_step"] == "proofs"
    run = screen_and_clear(database, aml, contact["contact_id"])
    assert any(hit["entry"]["primary_name"].upper().startswith("MICHEL RUKUNDA") for hit in run["hits"])

    view = aml().get_contact(contact["contact_id"])
    assert view["wizard"]["can_accept"], view["wizard"]["blockers"]
    assert view["assessment"]["level"] == "standard" and view["assessment"]["preview"]
    decided = aml().decide_contact(contact["contact_id"], "accept")
    assert decided["status"] == "accepted" and decided["level"] == "standard"
    assert decided["assessment"]["rules_version"] == "2026.1"
    assert decided["assessment"]["factors"][0]["title"] == "Residence in an EU member state"

    questions = aml().risk_profile_questions(contact["contact_id"])
    assert questions["skippable"]
    profile = aml().start_risk_profile(contact["contact_id"], skip=True)
    assert profile["state"] == "assessed" and profile["level"] == "standard" and profile["skipped"]
    accepted = aml().decide_risk_profile(profile["risk_profile_id"], "accept")
    assert accepted["state"] == "accepted" and accepted["review_due_on"]

    actions = [entry["action"] for entry in aml().contact_timeline(contact["contact_id"])]
    assert actions == [
        "contact_created",
        "document_uploaded",
        "screened",
        "contact_accepted",
        "risk_profile_assessed",
        "risk_profile_accepted",
    ]
    # other tests of this run share the office, so only this contact's presence is certain
    found = aml().search_contacts(query="rukundo", status="accepted")["items"]
    assert contact["contact_id"] in [item["contact_id"] for item in found]
    assert {item["status"] for item in found} == {"accepted"}
    drafts = aml().search_contacts(query="rukundo", status="draft")["items"]
    assert contact["contact_id"] not in [item["contact_id"] for item in drafts]


def test_acceptance_waits_for_proofs_screening_and_hit_decisions(aml, database):
    contact = aml().create_contact("person", complete_person(last_name="Blocked"), NO_RISK_ANSWERS)
    message, _ = domain_code(aml().decide_contact, contact["contact_id"], "accept")
    assert "Proof documents are still missing" in message
    aml().upload_document(contact["contact_id"], "identity_document", "id.docx", b64(samples.docx("ID")))
    message, _ = domain_code(aml().decide_contact, contact["contact_id"], "accept")
    assert "Screen the contact first" in message
    refused = aml().decide_contact(contact["contact_id"], "refuse", "The client would not show an ID card")
    assert refused["status"] == "refused"
    message, _ = domain_code(aml().update_contact, contact["contact_id"], {"profession": "Baker"})
    assert "use Edit" in message


def test_the_questions_and_proofs_adapt_to_the_answers(aml):
    contact = aml().create_contact("person", complete_person(last_name="Remote"), {"face_to_face": False})
    wizard = contact["wizard"]
    assert "electronic_identification" in [q["id"] for q in wizard["questions"]]
    assert {p["id"] for p in wizard["proofs"]} == {"identity_document", "proof_of_address"}
    changed = aml().answer_contact_questions(contact["contact_id"], {"electronic_identification": True})
    assert {p["id"] for p in changed["wizard"]["proofs"]} == {"identity_document"}
    pep = aml().update_contact(contact["contact_id"], {"pep": {"self": True, "function": "member_of_parliament"}})
    assert "source_of_funds" in {p["id"] for p in pep["wizard"]["proofs"]}
    assert pep["assessment"]["level"] == "enhanced"


def test_edit_makes_a_new_version_and_the_old_one_stays_as_it_was(aml, database):
    contact = ready_person(aml, last_name="Versioned")
    screen_and_clear(database, aml, contact["contact_id"])
    aml().decide_contact(contact["contact_id"], "accept")
    edited = aml().new_contact_version(contact["contact_id"])
    assert edited["current_version"] == 2 and edited["status"] == "draft"
    assert [d["proof_kind"] for d in edited["documents"]] == ["identity_document"]
    aml().update_contact(contact["contact_id"], {"profession": "Architect", "last_name": "Versioned-Peeters"})
    old = aml().get_contact(contact["contact_id"], 1)
    assert old["version"]["data"]["profession"] == "Engineer" and old["version"]["state"] == "accepted"
    assert old["assessment"]["level"] == "standard"
    versions = aml().list_contact_versions(contact["contact_id"])
    assert [(v["version_no"], v["state"], v["current"]) for v in versions] == [
        (1, "accepted", False),
        (2, "draft", True),
    ]
    message, _ = domain_code(aml().start_risk_profile, contact["contact_id"], skip=True)
    assert "Accept the contact" in message


def test_refused_uploads_are_explained_and_store_nothing(aml, database, service):
    contact = aml().create_contact("person", complete_person(last_name="Uploads"))
    before = (count(database, "aml_contact_documents"), count(database, "aml_document_blobs"))
    for name, content, code in [
        ("invoice.pdf", samples.executable(), "unsupported_media_type"),
        ("statutes.docx", samples.plain_zip(), "unsupported_media_type"),
        ("statutes.docx", samples.docx(macros=True), "unsupported_media_type"),
        ("id.pdf", samples.pdf_with_javascript(), "unsupported_media_type"),
        ("id.pdf", samples.pdf("x" * 200) + b"\0" * (10 * 1024 * 1024), "payload_too_large"),
    ]:
        hook = entrypoint_hook(service, "upload_document", context_data=principal("a_user"))
        with hook as upload, pytest.raises(DomainError) as raised:
            upload(contact["contact_id"], "identity_document", name, b64(content))
        assert raised.value.code == code and raised.value.details["field"] == "file"
    assert (count(database, "aml_contact_documents"), count(database, "aml_document_blobs")) == before
    assert [entry["action"] for entry in aml().contact_timeline(contact["contact_id"])] == ["contact_created"]


def test_an_enhanced_risk_profile_waits_for_the_officer(aml, database):
    contact = ready_person(aml, last_name="Escalated")
    screen_and_clear(database, aml, contact["contact_id"])
    aml().decide_contact(contact["contact_id"], "accept")
    all_no = {q["id"]: False for q in aml().risk_profile_questions(contact["contact_id"])["questions"]}
    profile = aml().start_risk_profile(contact["contact_id"], dict(all_no, payment_cash=True))
    assert profile["level"] == "enhanced"
    assert "cash_payment" in [f["id"] for f in profile["assessment"]["factors"]]
    message, _ = domain_code(aml().decide_risk_profile, profile["risk_profile_id"], "accept")
    assert "escalate" in message
    escalated = aml().escalate_risk_profile(
        profile["risk_profile_id"], "Buyer insists on paying 20 000 in cash", "refuse"
    )
    assert escalated["state"] == "awaiting_officer" and escalated["proposal"] == "refuse"
    timeline = aml().contact_timeline(contact["contact_id"])
    assert timeline[-1]["action"] == "risk_profile_escalated" and timeline[-1]["marker"] == "officer"


def test_a_refused_risk_profile_is_closed_for_good(aml, database):
    contact = ready_person(aml, last_name="Closed")
    screen_and_clear(database, aml, contact["contact_id"])
    aml().decide_contact(contact["contact_id"], "accept")
    profile = aml().start_risk_profile(contact["contact_id"], skip=True)
    aml().decide_risk_profile(profile["risk_profile_id"], "refuse", "Funds cannot be explained")
    message, _ = domain_code(aml().decide_risk_profile, profile["risk_profile_id"], "accept")
    assert "closed for good" in message
    message, _ = domain_code(aml().answer_risk_profile, profile["risk_profile_id"], {"payment_cash": False})
    assert "closed for good" in message


def test_accepting_an_enhanced_contact_tells_the_officers(aml, database, container_factory):
    container_factory(FakeIdentity)
    contact = aml().create_contact(
        "person",
        complete_person(last_name="Minister", pep={"self": True, "function": "minister_or_state_secretary"}),
        NO_RISK_ANSWERS,
    )
    aml().upload_document(contact["contact_id"], "identity_document", "id.pdf", b64(samples.pdf("ID")))
    aml().upload_document(contact["contact_id"], "source_of_funds", "funds.doc", b64(samples.doc("Payslips")))
    screen_and_clear(database, aml, contact["contact_id"])
    decided = aml().decide_contact(contact["contact_id"], "accept")
    assert decided["level"] == "enhanced"
    notified = [e for e in aml().contact_timeline(contact["contact_id"]) if e["action"] == "officer_notified"]
    assert notified[0]["details"]["officers"] == [ACCOUNTS["a_officer"]] and notified[0]["details"]["mailed"] == 1
    assert count(database, "mail_outbox") >= 1


def test_due_reviews_list_accepted_profiles_by_date(aml, database):
    contact = ready_person(aml, last_name="Review")
    screen_and_clear(database, aml, contact["contact_id"])
    aml().decide_contact(contact["contact_id"], "accept")
    profile = aml().start_risk_profile(contact["contact_id"], skip=True)
    aml().decide_risk_profile(profile["risk_profile_id"], "accept")
    assert contact["contact_id"] not in [c["contact_id"] for c in aml().due_reviews(30)]
    assert contact["contact_id"] in [c["contact_id"] for c in aml().due_reviews(3660)]


def test_search_is_partial_and_ignores_accents_and_case(aml):
    made = aml().create_contact("person", complete_person(first_names="Élodie", last_name="Van den Brûle-Ça"))
    for query in ("elodie", "BRULE", "van den br", "ça", "74.09.12"):
        found = aml().search_contacts(query=query, limit=100)
        assert made["contact_id"] in [item["contact_id"] for item in found["items"]], query
    assert aml().search_contacts(query="zzzz-nothing")["items"] == []
    organisation = aml().create_contact(
        "organisation", {"name": "Brûlerie Société", "enterprise_number": "0403.019.261"}
    )
    assert [i["contact_id"] for i in aml().search_contacts(query="0403019261")["items"]] == [organisation["contact_id"]]
    assert [i["contact_id"] for i in aml().search_contacts(query="brulerie", kind="organisation")["items"]] == [
        organisation["contact_id"]
    ]


def insert_named_contacts(database, names: list[str]) -> None:
    """Contacts of office A straight into the table, in reverse name order."""
    now = datetime.now(UTC)
    engine = create_engine(database)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO aml_contacts (id, organisation_id, kind, current_version, status, display_name, "
                "search_text, sort_name, employee_id, created_at, updated_at) VALUES (:id, :office, 'person', 1, "
                "'draft', :name, :name, :name, :employee, :now, :now)"
            ),
            [
                {"id": uuid.uuid4(), "office": OFFICE_A, "name": name, "employee": ACCOUNTS["a_user"], "now": now}
                for name in reversed(names)
            ],
        )
    engine.dispose()


@pytest.mark.parametrize("matches", [7, 620])
def test_search_pages_every_match_in_name_order_whether_few_or_many(aml, database, matches):
    """Few matches are found through the trigram index and sorted, many by walking the office's
    name index: both must give every match once, in name order, page by page."""
    token = f"qz{uuid.uuid4().hex[:8]}"
    names = [f"{token} {index:04d}" for index in range(matches)]
    insert_named_contacts(database, names)
    seen, after = [], None
    while True:
        page = aml().search_contacts(query=token.upper(), limit=100, after=after)
        seen += [item["display_name"] for item in page["items"]]
        after = page["next"]
        if after is None:
            break
    assert seen == names
    assert aml("b_user").search_contacts(query=token)["items"] == []


@pytest.mark.parametrize("matches", [4, 9])
def test_search_falls_back_in_order_when_probe_and_walk_find_too_few(database, monkeypatch, matches):
    """The later steps of the search (a larger trigram set, then the plain query) give the same
    pages: tuning limits shrunk so an office of a few contacts needs them."""
    from aww_aml_workflow.cases import handling

    monkeypatch.setattr(handling, "PROBE", 2)
    monkeypatch.setattr(handling, "WALK", 3)
    monkeypatch.setattr(handling, "SEARCH_CAP", 5)
    token = f"qy{uuid.uuid4().hex[:8]}"
    names = [f"{token} {index:02d}" for index in range(matches)]
    insert_named_contacts(database, ["!" + name for name in ("aaa", "aab", "aac")])  # first in name order
    insert_named_contacts(database, names)
    actor = handling.Actor(uuid.UUID(OFFICE_A), uuid.UUID(ACCOUNTS["a_user"]), "user", "en")
    engine = create_engine(database)
    with Session(engine) as session:
        seen, after = [], None
        while True:
            page = handling.search_contacts(session, actor, query=token, limit=3, after=after)
            seen += [item["display_name"] for item in page["items"]]
            after = page["next"]
            if after is None:
                break
    engine.dispose()
    assert seen == names


def test_the_same_file_uploaded_for_two_contacts_at_once_is_stored_once(database):
    """Two uploads of one file race: the second waits for the first's blob instead of failing."""
    from eventlet import spawn, tpool

    from aww_aml_workflow.cases import handling

    engine = create_engine(database)
    actor = handling.Actor(uuid.UUID(OFFICE_A), uuid.UUID(ACCOUNTS["a_user"]), "user", "en")
    content = samples.pdf(f"the same ID card {uuid.uuid4()}")
    with Session(engine) as setup:
        contact_ids = [
            handling.create_contact(
                setup, actor, kind="person", data=complete_person(last_name=f"Race{side}"), answers=NO_RISK_ANSWERS
            )["contact_id"]
            for side in (1, 2)
        ]
        setup.commit()

    def upload(session, contact_id):
        return handling.upload_document(session, actor, contact_id, proof_kind="identity_document",
                                        filename="id.pdf", content=content, max_bytes=1 << 20)  # fmt: skip

    with Session(engine) as first, Session(engine) as second:
        upload(first, contact_ids[0])  # its new blob row is not committed yet

        def commit_first_later():
            tpool.execute(__import__("time").sleep, 0.5)
            first.commit()

        committer = spawn(commit_first_later)
        upload(second, contact_ids[1])  # blocks on the first's row, then finds it
        second.commit()
        committer.wait()
    with engine.connect() as conn:
        blobs = conn.execute(
            text("SELECT DISTINCT blob_id FROM aml_contact_documents WHERE contact_id = ANY(:ids)"),
            {"ids": [uuid.UUID(c) for c in contact_ids]},
        ).all()
    engine.dispose()
    assert len(blobs) == 1

"""Retention against the real broker and database: the end of a relationship sets the date, nothing
is purged before it, the purge (timer, use case and operator command) removes personal data only
and keeps the year's figures, and identity's account anonymisation leaves AML records intact."""

from __future__ import annotations

import json
import uuid
from datetime import date

import pytest
from nameko.exceptions import RemoteError
from sqlalchemy import text
from test_annual_support import (
    Office,
    import_un_list,
    move_decision,
    person,
    publish_event,
    publish_offices,
    session_for,
)
from test_cases_service_support import wait_until

from aww_aml_workflow.annual import domain, ops, retention, statistics
from aww_aml_workflow.cases import handling
from aww_aml_workflow.officer import retention as officer_retention
from aww_aml_workflow.service import AmlWorkflowService
from aww_contracts.envelope import validate_envelope

TODAY = retention.today()


@pytest.fixture(scope="module")
def database(service_database):
    url = service_database("aww_aml_workflow")
    import_un_list(url)
    return url


@pytest.fixture(scope="module")
def office():
    return Office()


@pytest.fixture
def service(container_factory, database, amqp_uri, office):
    container = container_factory(AmlWorkflowService, database)
    publish_offices(amqp_uri, [office], database)
    return container


@pytest.fixture
def call(rpc_proxy, service, office):
    return lambda who="user": rpc_proxy("aml_workflow", office.principal(who), timeout=30)


def refused(call_, *args, **kwargs) -> str:
    with pytest.raises(RemoteError) as raised:
        call_(*args, **kwargs)
    assert raised.value.exc_type == "DomainError", raised.value
    return raised.value.value


def snapshot(database, contact_id: str) -> dict:
    with session_for(database) as session:
        one = lambda sql: session.execute(text(sql), {"c": contact_id}).all()  # noqa: E731
        return {
            "contact": one("SELECT display_name, number, search_text FROM aml_contacts WHERE id = :c")[0],
            "data": [r[0] for r in one("SELECT data FROM aml_contact_versions WHERE contact_id = :c")],
            "documents": len(one("SELECT 1 FROM aml_contact_documents WHERE contact_id = :c")),
            "hits": one("SELECT query_name, matched_name FROM screening_hits WHERE contact_id = CAST(:c AS text)"),
            "runs": [r[0] for r in one("SELECT subjects FROM screening_runs WHERE contact_id = CAST(:c AS text)")],
            "timeline": [r[0] for r in one("SELECT details FROM aml_timeline WHERE contact_id = :c ORDER BY id")],
            "blobs": one(
                "SELECT count(*) FROM aml_document_blobs b WHERE b.id IN "
                "(SELECT blob_id FROM aml_contact_documents WHERE contact_id = :c)"
            )[0][0],
        }


def _cfi_report(session, office: Office, kind: str, case_id, title: str, *, year: int) -> str:
    """A CTIF-CFI report answered in `year`, with the officer's notification to the employee."""
    report_id = str(uuid.uuid4())
    session.execute(
        text(
            "INSERT INTO aml_cfi_reports (id, organisation_id, case_kind, case_id, title, state, revision, reason, "
            "indicators, document_id, sha256, filename, created_at, created_by, updated_at, submitted_at, "
            "goaml_reference, answered_at, answer, answer_date, answer_reference) VALUES (:id, :o, :kind, :case, "
            ":title, 'answered', 2, :reason, '[\"-\"]'::jsonb, gen_random_uuid(), 'ab12', :file, :at, :by, :at, "
            ":at, 'GOAML-77', :at, 'continue', :day, 'CFI/77')"
        ),
        {"id": report_id, "o": office.id, "kind": kind, "case": case_id, "title": title,
         "reason": f"{title} paid in cash", "file": f"goaml-{report_id}-r2.xml", "at": f"{year}-05-01T10:00:00+00:00",
         "by": office.officer, "day": f"{year}-05-01"},
    )  # fmt: skip
    session.execute(
        text(
            "INSERT INTO aml_officer_notifications (organisation_id, recipient_id, case_kind, case_id, title, action, "
            "actor_id, at) VALUES (:o, :u, :kind, :case, :title, 'report_to_cfi', :by, :at)"
        ),
        {"o": office.id, "u": office.user, "kind": kind, "case": case_id, "title": title, "by": office.officer,
         "at": f"{year}-05-01T10:00:00+00:00"},
    )  # fmt: skip
    return report_id


def _acceptance_document(session, office: Office, contact_id: str) -> str:
    """The reference to an acceptance document in reporting's archive, as acceptance.generate keeps it."""
    document_id = str(uuid.uuid4())
    session.execute(
        text(
            "INSERT INTO aml_acceptance_documents (id, organisation_id, contact_id, version_no, language, "
            "document_id, sha256, filename, size_bytes, generated_at, generated_by) VALUES (gen_random_uuid(), "
            ":o, :c, 1, 'nl', :d, 'cd34', 'acceptance-x-v1.pdf', 1000, now(), :u)"
        ),
        {"o": office.id, "c": contact_id, "d": document_id, "u": office.user},
    )
    return document_id


def goaml_files(database, report_id: str) -> set[str]:
    """The archived goAML files of a report (revision 2 in `_cfi_report`): the one it names, and
    both revisions' ids as reporting derives them (revision 1's reference was dropped by an edit)."""
    with session_for(database) as session:
        row = session.execute(
            text("SELECT organisation_id, document_id FROM aml_cfi_reports WHERE id = :r"), {"r": report_id}
        ).one()
    return {str(row.document_id)} | {
        str(officer_retention.goaml_document_id(row.organisation_id, report_id, revision)) for revision in (1, 2)
    }


def expired_events(session, record_id: str) -> list[dict]:
    """The `documents_expired` events the purge added for a record (each checked against its schema)."""
    envelopes = (
        session.execute(
            text(
                "SELECT envelope FROM outbox WHERE event_type = 'documents_expired' "
                "AND envelope -> 'data' ->> 'record_id' = :r ORDER BY id"
            ),
            {"r": record_id},
        )
        .scalars()
        .all()
    )
    for envelope in envelopes:
        validate_envelope(envelope)
    return [envelope["data"] for envelope in envelopes]


def test_goaml_file_ids_are_derived_as_reporting_derives_them():
    from aww_reporting.domain import document_id

    office, report = str(uuid.uuid4()), str(uuid.uuid4())
    assert str(officer_retention.goaml_document_id(office, report, 3)) == document_id(
        "goaml_report", office, f"goaml/{report}/r3"
    )


# what a purged CTIF-CFI report keeps: its lifecycle, codes and CTIF-CFI's references, no name or reason
PURGED_REPORT = {"title": "—", "reason": "", "document_id": None, "sha256": "ab12", "indicators": ["-"],
                 "goaml_reference": "GOAML-77", "answer": "continue", "answer_reference": "CFI/77",
                 "notifications": ["—"]}  # fmt: skip


def cfi_snapshot(database, report_id: str) -> dict:
    with session_for(database) as session:
        row = session.execute(
            text(
                "SELECT title, reason, document_id, sha256, indicators, goaml_reference, answer, answer_reference, "
                "case_kind, case_id FROM aml_cfi_reports WHERE id = :r"
            ),
            {"r": report_id},
        ).one()
        titles = session.execute(
            text("SELECT title FROM aml_officer_notifications WHERE case_kind = :k AND case_id = :c"),
            {"k": row.case_kind, "c": row.case_id},
        ).scalars()
        return {key: value for key, value in row._mapping.items() if key not in ("case_kind", "case_id")} | {
            "notifications": list(titles)
        }


def test_the_end_of_a_relationship_sets_the_retention_date(call, database, office):
    with session_for(database) as session:
        contact_id = person(session, office.actor(), "Einde")
        session.commit()
    assert call().contact_retention(contact_id)["retain_until"] is None
    assert "future" in refused(call().end_relationship, contact_id, "2099-01-01")
    assert refused(call().end_relationship, contact_id, "2020-01-01", reason=7).startswith("reason")
    ended = call().end_relationship(contact_id, "2020-02-29", "Mandate ended")
    assert (ended["relationship_ended_on"], ended["retain_until"], ended["ended_by"]) == (
        "2020-02-29",
        "2030-02-28",
        "office",
    )
    overview = call("officer").retention_overview()
    assert overview["counts"]["retained"] >= 1
    assert set(overview["transactions"]) == {"open", "retained", "due", "purged"}
    assert overview["documents"] is None  # reporting does not run in this module: the rest still shows
    reopened = call().reopen_relationship(contact_id)
    assert reopened["retain_until"] is None
    assert "not marked" in refused(call().reopen_relationship, contact_id)
    actions = [e["action"] for e in call().contact_timeline(contact_id)]
    assert actions[-2:] == ["relationship_ended", "relationship_reopened"]
    assert "role" in refused(call("no_role").end_relationship, contact_id)
    assert "role" in refused(call("user").retention_overview)
    assert refused(call().contact_retention, str(uuid.uuid4())) == "There is no such contact"


def test_a_refusal_ends_the_relationship_and_nothing_goes_before_the_date(call, database, office):
    with session_for(database) as session:
        refused_id = person(session, office.actor(), "Geweigerd", decide="refuse")
        session.commit()
    state = call().contact_retention(refused_id)
    ended_on = date.fromisoformat(state["relationship_ended_on"])
    assert state["ended_by"] == "refusal" and ended_on == TODAY
    assert state["retain_until"] == domain.add_years(ended_on, 10).isoformat()
    with session_for(database) as session:
        done = retention.purge_due(session, on=TODAY)
        session.commit()
    assert refused_id not in done["contact_ids"]
    assert snapshot(database, refused_id)["contact"][0] != "—"


def test_the_purge_removes_personal_data_after_the_date_and_keeps_the_figures(call, database, office):
    with session_for(database) as session:
        old = person(session, office.actor(), "Rukundo")  # the UN list has a look-alike: screening hits
        later = person(session, office.actor(), "Nogniet")
        move_decision(session, old, "2014-03-01T10:00:00+00:00")
        profile = handling.start_risk_profile(session, office.actor(), old, skip=True)["risk_profile_id"]
        report_id = _cfi_report(session, office, "risk_profile", profile, "Rukundo, Michel", year=2014)
        acceptance = _acceptance_document(session, office, old)
        _acceptance_document(session, office, later)
        session.commit()
        figures_before = statistics.compute(session, office.id, 2014)
    assert figures_before["cfi"]["reports"] == 1
    call().end_relationship(old, "2014-06-30", "Sold")
    call().end_relationship(later, "2020-06-30", "Sold")
    before = snapshot(database, old)
    assert before["documents"] == 1 and before["hits"] and before["blobs"] == 1

    archived = goaml_files(database, report_id) | {acceptance}
    with session_for(database) as session:
        first = retention.purge_due(session, on=date(2024, 6, 30))  # the retention date itself: not yet
        assert old not in first["contact_ids"] and expired_events(session, old) == []
        done = retention.purge_due(session, on=TODAY)
        session.commit()
    assert old in done["contact_ids"] and later not in done["contact_ids"]
    # the archived documents it referenced go to reporting, ids and a date only, in the purge's transaction
    with session_for(database) as session:
        assert expired_events(session, old) == [
            {"organisation_id": office.id, "record_kind": "contact", "record_id": old,
             "document_ids": sorted(archived), "retention_date": "2024-06-30"}]  # fmt: skip
        assert expired_events(session, later) == []
        assert (
            session.execute(
                text("SELECT count(*) FROM aml_acceptance_documents WHERE contact_id = :c"), {"c": old}
            ).scalar_one()
            == 0
        )
    assert done["documents"] >= len(archived) == 4
    after = snapshot(database, old)
    assert after["contact"] == ("—", None, "")
    assert after["data"] == [{"purged": True, "role": "client", "beneficial_owner_count": 0}]
    assert after["documents"] == 0 and after["runs"] == [[]]
    assert {hit for hit in after["hits"]} == {("", "")}
    assert all("reason" not in details for details in after["timeline"])
    assert "Rukundo" not in json.dumps(after["timeline"])
    assert cfi_snapshot(database, report_id) == PURGED_REPORT
    with session_for(database) as session:
        assert statistics.compute(session, office.id, 2014) == figures_before
        assert retention.purge_due(session, on=TODAY)["contact_ids"] == []  # once only
    state = call().contact_retention(old)
    assert state["purged_at"] and "purged" in refused(call().end_relationship, old, "2014-01-01")
    assert call().get_contact(later)["display_name"] == "Nogniet, Michel"
    assert snapshot(database, later)["documents"] == 1

    with session_for(database) as session:
        done = retention.purge_due(session, on=date(2030, 7, 1))
        session.rollback()  # as if in 2030: the other contact goes then (not kept: this is today)
    assert later in done["contact_ids"]


def test_the_operator_command_purges_what_is_due(call, database, office, monkeypatch, capsys):
    with session_for(database) as session:
        contact_id = person(session, office.actor(), "Operator")
        acceptance = _acceptance_document(session, office, contact_id)
        session.commit()
    call().end_relationship(contact_id, "2015-01-31")
    monkeypatch.setenv("AML_WORKFLOW_DATABASE_URL", database)
    assert ops.main(["overview"]) == 0
    assert json.loads(capsys.readouterr().out)["due"][office.id] >= 1
    assert ops.main(["purge"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["purged"] >= 1 and printed["documents"] >= 1
    assert snapshot(database, contact_id)["contact"][0] == "—"
    with session_for(database) as session:  # the command's events wait in the outbox for the relay
        assert [event["document_ids"] for event in expired_events(session, contact_id)] == [[acceptance]]


def test_anonymising_an_account_leaves_the_aml_records_and_the_audit_shows_it(call, database, office, amqp_uri):
    with session_for(database) as session:
        contact_id = person(session, office.actor(), "Anoniem")
        session.commit()
    call().get_contact(contact_id)  # an audit line by the employee
    before = snapshot(database, contact_id)
    envelope = publish_event(amqp_uri, "identity", "account_anonymised", {"account_id": office.user})

    def recorded():
        with session_for(database) as session:
            return (
                session.execute(
                    text("SELECT count(*) FROM aml_anonymised_accounts WHERE account_id = :a"), {"a": office.user}
                ).scalar_one()
                == 1
            )

    wait_until(recorded, what="the anonymisation")
    publish_event(amqp_uri, "identity", "account_anonymised", {"account_id": office.user}, envelope["event_id"])
    assert snapshot(database, contact_id) == before
    with session_for(database) as session:
        created_by = session.execute(
            text("SELECT created_by FROM aml_contact_versions WHERE contact_id = :c"), {"c": contact_id}
        ).scalar_one()
        handled = session.execute(
            text("SELECT count(*) FROM processed_events WHERE consumer LIKE '%on_account_anonymised'")
        ).scalar_one()
    assert str(created_by) == office.user and handled >= 1
    lines = call("officer").audit_log(actor_id=office.user)["items"]
    assert lines and all(line["actor_anonymised"] and line["actor_name"] is None for line in lines)


def _transaction(session, office: Office, contact_id: str, *, state: str, decided_at: str | None, cash: int = 0):
    transaction_id = uuid.uuid4()
    session.execute(
        text(
            "INSERT INTO aml_transactions (id, organisation_id, reference, type, state, property, price_cents, "
            "currency, payment, cash_cents, answers, level, search_text, employee_id, created_at, updated_at, "
            "assessed_at, decided_at) VALUES (:id, :o, :ref, 'sale', :state, '{}'::jsonb, 25000000, 'EUR', "
            "'{}'::jsonb, :cash, '{}'::jsonb, 'enhanced', '', :e, :at, :at, :at, :decided)"
        ),
        {"id": transaction_id, "o": office.id, "ref": f"T-{transaction_id.hex[:8]}", "state": state, "cash": cash,
         "e": office.user, "at": decided_at or "2018-01-01T10:00:00+00:00", "decided": decided_at},
    )  # fmt: skip
    session.execute(
        text(
            "INSERT INTO aml_transaction_parties (transaction_id, contact_id, role, organisation_id, version_no, "
            "risk_profile_id, level, display_name, added_at, added_by) VALUES (:t, :c, 'seller', :o, 1, :p, "
            "'standard', 'x', now(), :e)"
        ),
        {"t": transaction_id, "c": contact_id, "o": office.id, "p": uuid.uuid4(), "e": office.user},
    )


def test_a_party_to_a_transaction_waits_for_the_transactions_retention(call, database, office):
    with session_for(database) as session:
        recent = person(session, office.actor(), "Verkoper")
        still_open = person(session, office.actor(), "Openstaand")
        session.commit()
    call().end_relationship(recent, "2014-01-31")
    call().end_relationship(still_open, "2014-01-31")
    with session_for(database) as session:
        _transaction(session, office, recent, state="accepted", decided_at="2019-05-01T10:00:00+00:00", cash=1000)
        _transaction(session, office, still_open, state="awaiting_officer", decided_at=None)
        session.commit()
    assert call().contact_retention(recent)["retain_until"] == "2029-05-01"
    assert call().contact_retention(still_open)["retain_until"] is None
    with session_for(database) as session:
        done = retention.purge_due(session, on=TODAY)
        figures = statistics.compute(session, office.id, 2019)["transactions"]
        later = retention.purge_due(session, on=date(2029, 5, 2))
        session.rollback()
    assert recent not in done["contact_ids"] and still_open not in done["contact_ids"]
    assert recent in later["contact_ids"] and still_open not in later["contact_ids"]
    assert figures["total"] == 1 and figures["by_level"]["enhanced"] == 1 and figures["cash_flagged"] == 1


def _old_sale(session, office: Office, contact_id: str, *, state: str, decided_at: str | None) -> str:
    """A sale of 2015 with every kind of personal data the transactions' tables hold."""
    transaction_id = str(uuid.uuid4())
    at = "2015-01-10T10:00:00+00:00"
    session.execute(
        text(
            "INSERT INTO aml_transactions (id, organisation_id, reference, type, state, property, price_cents, "
            "currency, payment, cash_cents, agreed_on, description, answers, level, calculation_id, search_text, "
            "employee_id, created_at, updated_at, assessed_at, decided_at, decided_by, decision_reason, "
            "escalated_at, escalated_by, motivation, proposal) VALUES (:id, :o, :ref, 'sale', :state, "
            "CAST(:property AS jsonb), 25000000, 'EUR', CAST(:payment AS jsonb), 1000, '2015-01-05', "
            "'Sale of the Kagame family house', CAST(:answers AS jsonb), 'enhanced', :calc, 'kagame meir', :e, :at, "
            ":at, '2015-01-20T10:00:00+00:00', :decided, :officer, :reason, '2015-02-01T10:00:00+00:00', :e, "
            "'Kagame pays part in cash', 'accept')"
        ),
        {"id": transaction_id, "o": office.id, "ref": f"Kagame-{transaction_id[:8]}", "state": state,
         "property": json.dumps({"street": "Meir", "number": "10", "postcode": "2000", "city": "Antwerpen",
                                 "country": "BE"}),
         "payment": json.dumps({"parts": [{"method": "cash", "amount_cents": 1000, "note": "from Kagame's brother"},
                                          {"method": "transfer", "amount_cents": 24999000}], "note": "Kagame"}),
         "answers": json.dumps({"source_of_funds": "Inheritance from Kagame senior"}), "calc": transaction_id,
         "e": office.user, "at": at, "decided": decided_at, "officer": office.officer if decided_at else None,
         "reason": "Kagame explained the cash" if decided_at else None},
    )  # fmt: skip
    session.execute(
        text(
            "INSERT INTO aml_transaction_calculations (id, organisation_id, transaction_id, idempotency_key, state, "
            "requested_by, requested_at, charge, paid_at, assessed_at, level, rules_version, factors, "
            "decided_by_rule, higher_weight, lower_weight, facts) VALUES (:id, :o, :id, :key, 'assessed', :e, :at, "
            "CAST(:charge AS jsonb), :at, :at, 'enhanced', 'tx-2026.1', CAST(:factors AS jsonb), "
            "'mandatory_enhanced', 3, 0, CAST(:facts AS jsonb))"
        ),
        {"id": transaction_id, "o": office.id, "key": f"aml-tx-calc-{transaction_id}", "e": office.user, "at": at,
         "charge": json.dumps({"charge_id": "ch-1", "paid_by": "wallet", "amount_cents": 2299,
                               "reference": f"AML transaction Kagame-{transaction_id[:8]}"}),
         "factors": json.dumps([{"id": "cash_in_sale", "effect": "enhanced", "params": {"party": "Kagame"}}]),
         "facts": json.dumps({"parties": [{"name": "Kagame"}], "property": {"street": "Meir"}})},
    )  # fmt: skip
    session.execute(
        text(
            "INSERT INTO aml_transaction_parties (transaction_id, contact_id, role, organisation_id, version_no, "
            "risk_profile_id, level, display_name, added_at, added_by) VALUES (:t, :c, 'seller', :o, 1, :p, "
            "'standard', 'Kagame, Paul', :at, :e)"
        ),
        {"t": transaction_id, "c": contact_id, "o": office.id, "p": uuid.uuid4(), "e": office.user, "at": at},
    )
    for action, details in (
        ("transaction_created", {"reference": f"Kagame-{transaction_id[:8]}", "type": "sale", "cash_cents": 1000}),
        ("party_added", {"role": "seller", "name": "Kagame, Paul", "level": "standard"}),
        ("transaction_escalated", {"level": "enhanced", "proposal": "accept", "motivation": "Kagame pays cash"}),
    ):
        session.execute(
            text(
                "INSERT INTO aml_timeline (organisation_id, transaction_id, at, actor_id, actor_role, action, details) "
                "VALUES (:o, :t, :at, :e, 'employee', :action, CAST(:details AS jsonb))"
            ),
            {"o": office.id, "t": transaction_id, "at": at, "e": office.user, "action": action,
             "details": json.dumps(details)},
        )  # fmt: skip
    return transaction_id


def transaction_snapshot(database, transaction_id: str) -> dict:
    with session_for(database) as session:
        one = lambda sql: session.execute(text(sql), {"t": transaction_id}).all()  # noqa: E731
        return {
            "transaction": dict(
                one(
                    "SELECT reference, state, level, property, payment, cash_cents, description, answers, "
                    "search_text, decision_reason, motivation, proposal, price_cents, agreed_on "
                    "FROM aml_transactions WHERE id = :t"
                )[0]._mapping
            ),
            "parties": one("SELECT display_name, role FROM aml_transaction_parties WHERE transaction_id = :t"),
            "calculations": one(
                "SELECT facts, factors, charge FROM aml_transaction_calculations WHERE transaction_id = :t"
            ),
            "timeline": one("SELECT action, details FROM aml_timeline WHERE transaction_id = :t ORDER BY id"),
            "purged_at": one(
                "SELECT purged_at FROM aml_retention WHERE record_kind = 'transaction' AND record_id = :t"
            ),
        }


def _mail(session, subject: str, created_at: str) -> int:
    return session.execute(
        text(
            "INSERT INTO mail_outbox (message_id, recipient, subject, body_text, created_at, next_attempt_at, "
            "failed_at, attempts, last_error) VALUES (:m, 'olga@office.example', :s, :s, :at, :at, :at, 12, "
            "'550 mailbox unavailable') RETURNING id"
        ),
        {"m": f"<{uuid.uuid4().hex}@aww.example>", "s": subject, "at": created_at},
    ).scalar_one()


def test_a_transaction_its_cfi_report_and_old_mails_are_purged_after_the_date_keeping_the_figures(
    call, database, office
):
    with session_for(database) as session:
        seller = person(session, office.actor(), "Kagame")
        done = _old_sale(session, office, seller, state="accepted", decided_at="2015-03-10T10:00:00+00:00")
        still_open = _old_sale(session, office, seller, state="awaiting_officer", decided_at=None)
        report_id = _cfi_report(session, office, "transaction", done, "Kagame — Meir 10, 2000 Antwerpen", year=2015)
        old_mail = _mail(session, "AML officer decision needed: Kagame — Meir 10", "2015-02-01T10:00:00+00:00")
        newer_mail = _mail(session, "AML officer decision needed: Kagame — Meir 12", "2017-02-01T10:00:00+00:00")
        session.commit()
        figures_before = statistics.compute(session, office.id, 2015)
    assert figures_before["escalations"]["by_kind"]["transactions"] == {
        "total": 2, "awaiting_officer": 1, "accepted": 1, "refused": 0, "reported": 0}  # fmt: skip
    assert figures_before["transactions"]["cash_flagged"] == 2 and figures_before["cfi"]["reports"] == 1
    before = transaction_snapshot(database, done)
    assert before["transaction"]["property"]["street"] == "Meir" and before["purged_at"] == []
    archived = goaml_files(database, report_id)

    with session_for(database) as session:
        on_the_date = retention.purge_due(session, on=date(2025, 3, 10))  # ten years after the decision: not yet
        assert expired_events(session, done) == []
        session.rollback()
    assert done not in on_the_date["transaction_ids"] and on_the_date["mails"] >= 1  # the 2015 mail is past 2025
    assert transaction_snapshot(database, done) == before

    with session_for(database) as session:
        purged = retention.purge_due(session, on=TODAY)
        session.commit()
    assert done in purged["transaction_ids"] and still_open not in purged["transaction_ids"]
    assert seller not in purged["contact_ids"]  # the contact's relationship goes on
    with session_for(database) as session:
        assert expired_events(session, done) == [
            {"organisation_id": office.id, "record_kind": "transaction", "record_id": done,
             "document_ids": sorted(archived), "retention_date": "2025-03-10"}]  # fmt: skip
        assert expired_events(session, still_open) == []
    after = transaction_snapshot(database, done)
    assert after["transaction"] == {
        "reference": f"— {done}", "state": "accepted", "level": "enhanced", "property": {"purged": True},
        "payment": {"parts": [{"method": "cash", "amount_cents": 1000},
                              {"method": "transfer", "amount_cents": 24999000}]},
        "cash_cents": 1000, "description": None, "answers": {}, "search_text": "", "decision_reason": None,
        "motivation": None, "proposal": "accept", "price_cents": 25000000, "agreed_on": date(2015, 1, 5),
    }  # fmt: skip
    assert after["parties"] == [("—", "seller")]
    assert after["calculations"] == [({}, [{"id": "cash_in_sale", "effect": "enhanced"}],
                                      {"charge_id": "ch-1", "paid_by": "wallet", "amount_cents": 2299})]  # fmt: skip
    assert [action for action, _ in after["timeline"]][-1] == "personal_data_purged"
    assert [details for _, details in after["timeline"]][:3] == [
        {"type": "sale", "cash_cents": 1000}, {"role": "seller", "level": "standard"},
        {"level": "enhanced", "proposal": "accept"}]  # fmt: skip
    assert after["purged_at"] and "Kagame" not in json.dumps(after, default=str)
    assert cfi_snapshot(database, report_id) == PURGED_REPORT
    assert transaction_snapshot(database, still_open)["transaction"]["description"] == "Sale of the Kagame family house"
    with session_for(database) as session:
        mails = session.execute(text("SELECT id FROM mail_outbox WHERE id = ANY(:ids)"),
                                {"ids": [old_mail, newer_mail]}).scalars().all()  # fmt: skip
        assert mails == [newer_mail]  # the 2017 mail is kept until 2027
        assert statistics.compute(session, office.id, 2015) == figures_before
        assert done not in retention.purge_due(session, on=TODAY)["transaction_ids"]  # once only
        session.rollback()
    shown = call().get_transaction(done)  # a purged transaction still reads, without its personal data
    assert shown["reference"] == f"— {done}" and shown["parties"][0]["name"] == "—" and shown["state"] == "accepted"

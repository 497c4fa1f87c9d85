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
from aww_aml_workflow.service import AmlWorkflowService

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
    assert call("officer").retention_overview()["counts"]["retained"] >= 1
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
        session.commit()
        figures_before = statistics.compute(session, office.id, 2014)
    call().end_relationship(old, "2014-06-30", "Sold")
    call().end_relationship(later, "2020-06-30", "Sold")
    before = snapshot(database, old)
    assert before["documents"] == 1 and before["hits"] and before["blobs"] == 1

    with session_for(database) as session:
        first = retention.purge_due(session, on=date(2024, 6, 30))  # the retention date itself: not yet
        assert old not in first["contact_ids"]
        done = retention.purge_due(session, on=TODAY)
        session.commit()
    assert old in done["contact_ids"] and later not in done["contact_ids"]
    after = snapshot(database, old)
    assert after["contact"] == ("—", None, "")
    assert after["data"] == [{"purged": True, "role": "client", "beneficial_owner_count": 0}]
    assert after["documents"] == 0 and after["runs"] == [[]]
    assert {hit for hit in after["hits"]} == {("", "")}
    assert all("reason" not in details for details in after["timeline"])
    assert "Rukundo" not in json.dumps(after["timeline"])
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
        session.commit()
    call().end_relationship(contact_id, "2015-01-31")
    monkeypatch.setenv("AML_WORKFLOW_DATABASE_URL", database)
    assert ops.main(["overview"]) == 0
    assert json.loads(capsys.readouterr().out)["due"][office.id] >= 1
    assert ops.main(["purge"]) == 0
    assert json.loads(capsys.readouterr().out)["purged"] >= 1
    assert snapshot(database, contact_id)["contact"][0] == "—"


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
    assert handling.today() == TODAY


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

"""Transactions through the service's RPC entrypoints, against the real broker, databases and the
real wallet service: parties with accepted profiles only, pay then assess (insufficient funds,
idempotency, a failure after payment, a subscription), the employee's decisions, the officer's
adapter, the timeline, search, tenant isolation and bad input that changes nothing."""

from __future__ import annotations

import pytest
from nameko.exceptions import RemoteError
from sqlalchemy import create_engine, text
from test_cases_service_support import import_un_list
from test_transactions_support import (
    NO_RISK_PROFILE,
    PRICE,
    accepted_party,
    balance,
    charges_of,
    fund,
    new_office,
    sale_data,
)

from aww_aml_workflow.service import AmlWorkflowService
from aww_reporting.service import ReportingService
from aww_wallet.service import WalletService


@pytest.fixture(scope="module")
def database(service_database):
    url = service_database("aww_aml_workflow")
    import_un_list(url)
    return url


@pytest.fixture(scope="module")
def wallet_database(service_database):
    return service_database("aww_wallet")


WALLETS: list = []  # the running wallet container of the current test


@pytest.fixture
def services(container_factory, database, wallet_database, service_database):
    container_factory(ReportingService, service_database("aww_reporting"))
    WALLETS[:] = [container_factory(WalletService, wallet_database)]
    return container_factory(AmlWorkflowService, database)


@pytest.fixture
def aml(rpc_proxy, services):
    return lambda ctx: rpc_proxy("aml_workflow", ctx, timeout=60)


@pytest.fixture
def office(services, amqp_uri, database, wallet_database):
    return new_office(amqp_uri, database, wallet_database)


@pytest.fixture
def deal(aml, database, office):
    """A sale between two accepted parties, as a draft."""
    seller = accepted_party(aml, database, office, "Seller")
    buyer = accepted_party(aml, database, office, "Buyer", person_number="85073003328", birth_date="1985-07-30")
    created = aml(office.ctx()).create_transaction(
        sale_data(), parties=[{"contact_id": seller, "role": "seller"}, {"contact_id": buyer, "role": "buyer"}]
    )
    return {"seller": seller, "buyer": buyer, "transaction": created}


def refused(call, *args, **kwargs) -> RemoteError:
    with pytest.raises(RemoteError) as raised:
        call(*args, **kwargs)
    assert raised.value.exc_type == "DomainError", raised.value
    return raised.value


def rows(database: str, statement: str, **params) -> list:
    engine = create_engine(database)
    with engine.connect() as connection:
        found = connection.execute(text(statement), params).all()
    engine.dispose()
    return found


# ---- parties --------------------------------------------------------------------------------------


def test_a_party_without_an_accepted_risk_profile_cannot_be_added(aml, database, office, deal):
    call = aml(office.ctx())
    transaction_id = deal["transaction"]["transaction_id"]
    unprofiled = accepted_party(aml, database, office, "Noprofile", profile=False)
    before = call.transaction_timeline(transaction_id)
    error = refused(call.add_transaction_party, transaction_id, unprofiled, "buyer")
    assert "Noprofile" in error.value and "has no risk profile yet" in error.value
    draft = call.create_contact("person", {"role": "client", "first_names": "Dirk", "last_name": "Draft"})
    error = refused(call.add_transaction_party, transaction_id, draft["contact_id"], "buyer")
    assert "current version is not accepted" in error.value
    after = call.get_transaction(transaction_id)
    assert [p["role"] for p in after["parties"]] == ["seller", "buyer"]
    assert call.transaction_timeline(transaction_id) == before  # nothing changed


def test_roles_fit_the_type_and_a_party_can_be_removed(aml, office, deal):
    call = aml(office.ctx())
    transaction_id = deal["transaction"]["transaction_id"]
    error = refused(call.add_transaction_party, transaction_id, deal["buyer"], "tenant")
    assert "role: a party of a sale is one of seller, buyer, representative" in error.value
    removed = call.remove_transaction_party(transaction_id, deal["buyer"], "buyer")
    assert removed["missing"] == ["add a buyer"]
    error = refused(call.pay_transaction, transaction_id)
    assert "add a buyer" in error.value


# ---- pay, then assess -------------------------------------------------------------------------------------


def test_without_money_nothing_is_charged_and_the_missing_amount_is_told(aml, rpc_proxy, wallet_database, office, deal):
    call = aml(office.ctx())
    transaction_id = deal["transaction"]["transaction_id"]
    quote = call.transaction_payment_quote(transaction_id)
    assert quote["payable"] and quote["quote"]["gross_cents"] == PRICE and quote["quote"]["net_cents"] == 1900
    assert quote["quote"]["missing_cents"] == PRICE and not quote["quote"]["covered_by_subscription"]
    error = refused(call.pay_transaction, transaction_id)
    assert "lacks EUR 22.99" in error.value
    assert call.get_transaction(transaction_id)["state"] == "draft"
    assert charges_of(wallet_database, office) == []
    assert call.transaction_timeline(transaction_id)[-1]["details"] == {
        "code": "insufficient_funds",
        "missing_cents": PRICE,
    }

    fund(rpc_proxy, wallet_database, office, PRICE)
    paid = call.pay_transaction(transaction_id, idempotency_key=f"pay-{transaction_id}")
    assert paid["state"] == "assessed" and paid["level"] == "standard"
    assert paid["payment_status"]["paid_by"] == "wallet" and paid["payment_status"]["amount_cents"] == PRICE
    assert paid["assessment"]["level_label"] == "Standard vigilance" and paid["assessment"]["rules_version"]
    assert paid["allowed_actions"] == ["accept", "refuse"]
    assert balance(rpc_proxy, office) == 0

    again = call.pay_transaction(transaction_id, idempotency_key=f"pay-{transaction_id}")
    assert again["payment_status"] == paid["payment_status"]  # the same Pay answers its first result
    assert "vigilance of this transaction was calculated" in refused(call.pay_transaction, transaction_id).value
    assert len(charges_of(wallet_database, office)) == 1


def test_a_failure_after_payment_never_charges_twice_nor_loses_the_paid_calculation(
    aml, rpc_proxy, database, wallet_database, office, deal
):
    call = aml(office.ctx())
    transaction_id = deal["transaction"]["transaction_id"]
    fund(rpc_proxy, wallet_database, office, 2 * PRICE)
    trigger = f"fail_{transaction_id.replace('-', '_')}"
    engine = create_engine(database)
    with engine.begin() as connection:  # the assessment step fails after the wallet charged
        connection.execute(
            text(
                f"CREATE FUNCTION {trigger}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                f"IF NEW.transaction_id = '{transaction_id}' AND NEW.state = 'assessed' THEN "
                "RAISE EXCEPTION 'injected failure'; END IF; RETURN NEW; END $$; "
                f"CREATE TRIGGER {trigger} BEFORE UPDATE ON aml_transaction_calculations "
                f"FOR EACH ROW EXECUTE FUNCTION {trigger}()"
            )
        )
    try:
        with pytest.raises(RemoteError):
            call.pay_transaction(transaction_id)
        pending = call.get_transaction(transaction_id)
        assert pending["state"] == "payment_pending" and pending["payment_status"]["state"] == "pending"
        assert pending["allowed_actions"] == ["pay"]
        assert refused(call.update_transaction, transaction_id, {"price_cents": 1}).value.startswith(
            "The vigilance calculation of this transaction is being paid"
        )
        assert balance(rpc_proxy, office) == PRICE  # charged once
    finally:
        with engine.begin() as connection:
            connection.execute(
                text(f"DROP TRIGGER {trigger} ON aml_transaction_calculations; DROP FUNCTION {trigger}()")
            )
        engine.dispose()
    finished = call.pay_transaction(transaction_id)  # a new Pay finishes the paid calculation
    assert finished["state"] == "assessed"
    assert finished["payment_status"]["calculation_id"] == pending["payment_status"]["calculation_id"]
    assert balance(rpc_proxy, office) == PRICE  # and charged nothing more
    charges = charges_of(wallet_database, office)
    assert len(charges) == 1 and charges[0].idempotency_key == pending["payment_status"]["idempotency_key"]


def test_a_wallet_that_does_not_answer_leaves_the_calculation_pending_and_a_retry_charges_once(
    aml, rpc_proxy, container_factory, wallet_database, office, deal, monkeypatch
):
    call = aml(office.ctx())
    transaction_id = deal["transaction"]["transaction_id"]
    fund(rpc_proxy, wallet_database, office, 2 * PRICE)
    monkeypatch.setenv("AML_WALLET_TIMEOUT_SECONDS", "2")
    WALLETS[0].kill()  # the wallet stops; its queue keeps the charge request
    error = refused(call.pay_transaction, transaction_id)
    assert "not confirmed yet" in error.value
    pending = call.get_transaction(transaction_id)
    assert pending["state"] == "payment_pending" and pending["allowed_actions"] == ["pay"]
    container_factory(WalletService, wallet_database)  # back: it takes the queued charge
    paid = call.pay_transaction(transaction_id)  # the same key: the wallet answers its first charge
    assert paid["state"] == "assessed" and paid["payment_status"]["amount_cents"] == PRICE
    assert balance(rpc_proxy, office) == PRICE
    assert len(charges_of(wallet_database, office)) == 1


def test_parallel_pays_with_different_keys_charge_once(aml, amqp_uri, rpc_proxy, wallet_database, office, deal):
    import eventlet
    from nameko.standalone.rpc import ClusterRpcProxy

    transaction_id = deal["transaction"]["transaction_id"]
    fund(rpc_proxy, wallet_database, office, 3 * PRICE)

    def press(index):
        with ClusterRpcProxy({"AMQP_URI": amqp_uri}, context_data=office.ctx(), timeout=60) as cluster:
            try:
                return cluster.aml_workflow.pay_transaction(
                    transaction_id, idempotency_key=f"click-{index}-{transaction_id}"
                )
            except RemoteError as exc:
                return exc

    results = list(eventlet.GreenPool(6).imap(press, range(6)))
    views = [r for r in results if isinstance(r, dict)]
    others = [r for r in results if not isinstance(r, dict)]
    assert views and all(v["state"] == "assessed" for v in views)
    assert all("vigilance of this transaction was calculated" in e.value for e in others), others
    assert len({v["payment_status"]["calculation_id"] for v in views}) == 1
    assert balance(rpc_proxy, office) == 2 * PRICE
    assert len(charges_of(wallet_database, office)) == 1


def test_a_subscription_pays_before_the_wallet(aml, rpc_proxy, wallet_database, office, deal):
    fund(rpc_proxy, wallet_database, office, 27_104)
    rpc_proxy("wallet", office.ctx()).buy_subscription(plan="bronze", idempotency_key=f"b-{office.organisation_id}")
    call = aml(office.ctx())
    transaction_id = deal["transaction"]["transaction_id"]
    quote = call.transaction_payment_quote(transaction_id)["quote"]
    assert quote["covered_by_subscription"] and quote["amount_due_cents"] == 0 and quote["missing_cents"] == 0
    paid = call.pay_transaction(transaction_id)
    assert paid["payment_status"]["paid_by"] == "subscription" and paid["payment_status"]["amount_cents"] == 0


# ---- decisions ---------------------------------------------------------------------------------------------


def test_normal_level_the_employee_accepts_or_refuses_for_good(aml, rpc_proxy, database, wallet_database, office):
    call = aml(office.ctx())
    seller = accepted_party(aml, database, office, "Verkoper")
    buyer = accepted_party(aml, database, office, "Koper")
    fund(rpc_proxy, wallet_database, office, 2 * PRICE)
    parties = [{"contact_id": seller, "role": "seller"}, {"contact_id": buyer, "role": "buyer"}]
    first = call.create_transaction(sale_data(), parties=parties)["transaction_id"]
    second = call.create_transaction(sale_data(), parties=parties)["transaction_id"]
    call.pay_transaction(first)
    call.pay_transaction(second)
    assert "escalated" in refused(call.escalate_transaction, first, "Looks odd", "accept").value
    review = call.start_risk_profile(seller, skip=False, answers=NO_RISK_PROFILE)  # the seller is under review
    error = refused(call.decide_transaction, first, "accept")
    assert error.value.startswith("Verkoper, Michel: ") and "waits for a decision" in error.value
    call.decide_risk_profile(review["risk_profile_id"], "accept")
    accepted = call.decide_transaction(first, "accept")
    assert accepted["state"] == "accepted" and accepted["decided_by"] == office.accounts["user"]
    assert "give a reason" in refused(call.decide_transaction, second, "refuse").value
    closed = call.decide_transaction(second, "refuse", "The buyer withdrew")
    assert closed["state"] == "refused" and closed["allowed_actions"] == []
    for attempt in (
        lambda: call.decide_transaction(second, "accept"),
        lambda: call.escalate_transaction(second, "Please", "accept"),
        lambda: call.pay_transaction(second),
        lambda: call.update_transaction(second, {"description": "again"}),
        lambda: call.add_transaction_party(second, seller, "representative"),
    ):
        assert "closed for good" in refused(attempt).value
    actions = [entry["action"] for entry in call.transaction_timeline(second)]
    assert actions == [
        "transaction_created",
        "party_added",
        "party_added",
        "payment_started",
        "transaction_assessed",
        "transaction_refused",
    ]


def test_enhanced_the_employee_escalates_and_the_officer_decides(aml, rpc_proxy, database, wallet_database, office):
    from aww_aml_workflow.officer import subjects

    call = aml(office.ctx())
    seller = accepted_party(aml, database, office, "Hoog")
    buyer = accepted_party(aml, database, office, "Risico")
    fund(rpc_proxy, wallet_database, office, 3 * PRICE)
    parties = [{"contact_id": seller, "role": "seller"}, {"contact_id": buyer, "role": "buyer"}]
    high = {"office_high_risk": True}
    to_officer = call.create_transaction(sale_data(), answers=high, parties=parties)["transaction_id"]
    to_refuse = call.create_transaction(sale_data(), answers=high, parties=parties)["transaction_id"]
    assessed = call.pay_transaction(to_officer)
    assert assessed["level"] == "enhanced" and assessed["allowed_actions"] == ["escalate"]
    assert [f["id"] for f in assessed["assessment"]["factors"]] == ["office_high_risk"]
    assert "enhanced vigilance" in refused(call.decide_transaction, to_officer, "accept").value
    assert "motivation" in refused(call.escalate_transaction, to_officer, " ", "accept").value
    waiting = call.escalate_transaction(to_officer, "Known family, funds documented", "accept")
    assert waiting["state"] == "awaiting_officer" and waiting["proposal"] == "accept"
    assert "waits for the AML officer" in refused(call.decide_transaction, to_officer, "accept").value

    call.pay_transaction(to_refuse)
    closed = call.escalate_transaction(to_refuse, "The buyer cannot explain the funds", "refuse")
    assert closed["state"] == "refused"

    engine = create_engine(database)

    def Session(bind):  # a worker's session, as servicekit's Database provider makes it
        from sqlalchemy.orm import Session as Plain

        session = Plain(bind=bind, expire_on_commit=False)
        session.info.update(service="aml_workflow", publishes=frozenset(AmlWorkflowService.publishes))
        return session

    adapter = subjects.adapter_for("transaction")
    officer = type("Officer", (), {"organisation_id": office.organisation_id, "account_id": office.accounts["officer"]})
    with Session(engine) as session:
        facts = adapter.load(session, office.organisation_id, to_officer)
        assert facts.state == "awaiting_officer" and facts.proposed_by == office.accounts["user"]
        assert facts.report_facts["transaction"]["price_cents"] == 35_000_000
        assert {p["role"] for p in facts.report_facts["parties"]} == {"seller", "buyer"}
        assert facts.report_facts["parties"][0]["data"]["last_name"] in ("Hoog", "Risico")
        assert [c.kind for c in adapter.awaiting(session, office.organisation_id)] == ["transaction"]
        reported = adapter.apply(session, officer, to_officer, "report_to_cfi", "Unexplained funds")
        assert reported.state == "reported"
        session.commit()
    assert "blocked until CTIF-CFI answers" in refused(call.decide_transaction, to_officer, "accept").value
    with Session(engine) as session:
        with pytest.raises(Exception, match="blocked until CTIF-CFI answers"):
            adapter.apply(session, officer, to_officer, "officer_accept", None)
        session.rollback()
        cleared = adapter.apply(session, officer, to_officer, "cfi_cleared", "CTIF-CFI: continue, ref 2026/123")
        assert cleared.state == "accepted"
        session.commit()
        with pytest.raises(Exception, match="There is no such transaction"):
            adapter.load(session, "00000000-0000-0000-0000-000000000000", to_officer)
    engine.dispose()
    timeline = [e for e in call.transaction_timeline(to_officer) if e["action"] != "officer_notified"]
    assert [(e["action"], e["marker"]) for e in timeline[-3:]] == [
        ("transaction_escalated", "officer"),
        ("transaction_reported_to_cfi", "cfi"),
        ("transaction_cfi_cleared", "cfi"),
    ]
    assert timeline[-1]["actor_id"] == office.accounts["officer"] and timeline[-1]["actor_role"] == "aml_officer"


def test_cash_in_a_sale_is_flagged_enhanced_and_goes_to_the_officer(aml, rpc_proxy, database, wallet_database, office):
    call = aml(office.ctx())
    seller = accepted_party(aml, database, office, "Contant")
    buyer = accepted_party(aml, database, office, "Cash")
    fund(rpc_proxy, wallet_database, office, PRICE)
    payment = {
        "parts": [
            {"method": "transfer", "amount_cents": 34_000_000},
            {"method": "cash", "amount_cents": 1_000_000, "note": "agent's fee"},
        ]
    }
    created = call.create_transaction(
        sale_data(payment=payment),
        parties=[{"contact_id": seller, "role": "seller"}, {"contact_id": buyer, "role": "buyer"}],
    )
    assert created["cash_flag"]["code"] == "cash_in_sale" and created["cash_flag"]["must_report"]
    assert created["cash_cents"] == 1_000_000
    paid = call.pay_transaction(created["transaction_id"])
    factor = paid["assessment"]["factors"][0]
    assert paid["level"] == "enhanced" and factor["id"] == "cash_in_sale" and factor["blocks_acceptance"]
    assert "EUR 10,000.00" in factor["explanation"]
    escalated = call.escalate_transaction(created["transaction_id"], "Cash announced for the fee", "refuse")
    assert escalated["state"] == "awaiting_officer"  # it must be reported: only the officer does that
    entries = {e["action"]: e for e in call.transaction_timeline(created["transaction_id"])}
    assert (
        entries["transaction_assessed"]["marker"] == "cfi" and entries["transaction_escalated"]["marker"] == "officer"
    )


# ---- search, isolation, roles, bad input ----------------------------------------------------------------------


def test_search_by_reference_address_and_party_with_filters(aml, database, office, deal):
    call = aml(office.ctx())
    reference = deal["transaction"]["reference"]
    assert [i["reference"] for i in call.search_transactions(query=reference.lower())["items"]] == [reference]
    by_party = call.search_transactions(query="seller meir", status="draft", type="sale")["items"]
    assert [i["reference"] for i in by_party] == [reference]
    assert by_party[0]["parties"] == [
        {"name": "Seller, Michel", "role": "seller"},
        {"name": "Buyer, Michel", "role": "buyer"},
    ]
    assert call.search_transactions(query=reference, status="accepted")["items"] == []
    assert call.search_transactions(contact_id=deal["buyer"])["items"][0]["reference"] == reference
    assert call.search_transactions(employee_id=office.accounts["officer"])["items"] == []
    assert "status: choose one of" in refused(call.search_transactions, status="closed").value
    eligible = call.eligible_parties(query="buyer")
    assert [c["contact_id"] for c in eligible] == [deal["buyer"]]


def test_views_searches_and_the_timeline_are_in_the_audit_log(aml, amqp_uri, database, wallet_database, office, deal):
    call = aml(office.ctx())
    transaction_id = deal["transaction"]["transaction_id"]
    call.get_transaction(transaction_id)
    call.search_transactions(query="seller meir")
    call.search_transactions(status="accepted")
    timeline = call.transaction_timeline(transaction_id)
    call.eligible_parties(query="buyer")
    other = new_office(amqp_uri, database, wallet_database)
    refused(aml(other.ctx()).get_transaction, transaction_id)  # refused: no line, in either office

    log = aml(office.ctx("officer")).audit_log(actor_id=office.accounts["user"])["items"]
    ours = {"transaction", "transaction_list", "transaction_timeline"}
    lines = [(line["action"], line["subject_kind"], line["subject_id"], line["details"]) for line in log
             if line["subject_kind"] in ours or line["details"].get("purpose") == "transaction_party"]  # fmt: skip
    assert lines == [
        ("search", "contact_list", None, {"query": True, "results": 1, "purpose": "transaction_party"}),
        ("view", "transaction_timeline", transaction_id, {"entries": len(timeline)}),
        ("search", "transaction_list", None, {"query": False, "results": 0}),
        ("search", "transaction_list", None, {"query": True, "results": 1}),
        ("view", "transaction", transaction_id, {"parties": 2}),
    ]
    assert all(line["actor_role"] == "employee" for line in log)
    assert "meir" not in str(log).lower() and "Seller" not in str(log)
    assert aml(other.ctx("officer")).audit_log()["items"] == []


def test_another_office_reaches_nothing(aml, amqp_uri, database, wallet_database, office, deal):
    other = new_office(amqp_uri, database, wallet_database)
    call = aml(other.ctx())
    transaction_id = deal["transaction"]["transaction_id"]
    for attempt in (
        lambda: call.get_transaction(transaction_id),
        lambda: call.update_transaction(transaction_id, {"description": "mine"}),
        lambda: call.add_transaction_party(transaction_id, deal["seller"], "seller"),
        lambda: call.transaction_timeline(transaction_id),
        lambda: call.transaction_payment_quote(transaction_id),
        lambda: call.pay_transaction(transaction_id),
        lambda: call.decide_transaction(transaction_id, "accept"),
        lambda: call.escalate_transaction(transaction_id, "x", "accept"),
    ):
        assert refused(attempt).value == "There is no such transaction"
    assert call.search_transactions(query=deal["transaction"]["reference"])["items"] == []
    assert call.eligible_parties() == []
    mine = call.create_transaction(sale_data())
    error = refused(call.add_transaction_party, mine["transaction_id"], deal["seller"], "seller")
    assert error.value == "There is no such contact"


def test_a_member_without_the_aml_role_is_refused(aml, office, deal):
    error = refused(aml(office.ctx("no_role")).get_transaction, deal["transaction"]["transaction_id"])
    assert "forbidden" in repr(error) or "AML" in error.value or "role" in error.value


def test_bad_input_is_named_and_changes_nothing(aml, database, office, deal):
    call = aml(office.ctx())
    count = rows(database, "SELECT count(*) FROM aml_transactions WHERE organisation_id = :o", o=office.organisation_id)
    error = refused(call.create_transaction, sale_data(price_cents=-5, property={"city": "Gent"}, kind="x"))
    assert error.value == "kind: is not a field of a transaction (and 3 more)"
    assert refused(call.create_transaction, sale_data(reference=deal["transaction"]["reference"])).value.startswith(
        "reference: the office already has a transaction"
    )
    error = refused(call.create_transaction, sale_data(), answers={"unusual_price": "maybe"})
    assert error.value == "answers.unusual_price: must be true or false"
    assert refused(call.get_transaction, "not-a-uuid").value == "There is no such transaction"
    assert refused(call.pay_transaction, deal["transaction"]["transaction_id"], "short").value.startswith(
        "idempotency_key: must be 8 to 200 characters"
    )
    again = rows(database, "SELECT count(*) FROM aml_transactions WHERE organisation_id = :o", o=office.organisation_id)
    assert again == count
    edited = call.update_transaction(
        deal["transaction"]["transaction_id"],
        {"price_cents": 40_000_000, "payment": {"parts": [{"method": "transfer", "amount_cents": 40_000_000}]}},
    )
    assert edited["price_cents"] == 40_000_000
    error = refused(call.update_transaction, deal["transaction"]["transaction_id"], {"price_cents": 1})
    assert error.value.startswith("payment.parts: the parts add up to EUR 400,000.00")

"""Charging: exactly as much as the money (or the allowance) allows, even 50 at once; the same
key answers the first result; holds confirm, release and expire; the database keeps the rules."""

import uuid

import eventlet
import pytest
from nameko.exceptions import RemoteError
from wallet_helpers import call, context

PRODUCT = "aml_transaction_assessment"
PRICE = 2299  # EUR 19.00 + 21 % VAT


def refused(fn):
    with pytest.raises(RemoteError) as error:
        fn()
    assert error.value.exc_type == "DomainError"
    return error.value


def charge_many(amqp_uri, office, count):
    ctx = context(office.account_id, office.organisation_id)

    def one(i):
        try:
            return call(
                amqp_uri,
                "wallet",
                "charge",
                ctx,
                organisation_id=office.organisation_id,
                product=PRODUCT,
                reference=f"TX-{i}",
                idempotency_key=f"parallel-{office.organisation_id}-{i}",
            )
        except RemoteError as exc:
            return exc

    return list(eventlet.GreenPool(count).imap(one, range(count)))


def test_fifty_parallel_charges_against_money_for_twenty(make_office, fund, amqp_uri, sql):
    office = make_office()
    fund(office.organisation_id, 20 * PRICE)
    results = charge_many(amqp_uri, office, 50)
    settled = [r for r in results if isinstance(r, dict)]
    failures = [r for r in results if not isinstance(r, dict)]
    assert len(settled) == 20
    assert all(r["paid_by"] == "wallet" and r["amount_cents"] == PRICE for r in settled)
    assert all("insufficient_funds" in repr(f.value) or "lacks" in f.value for f in failures), failures[:2]
    assert len(failures) == 30
    assert office.wallet.get_wallet()["balance_cents"] == 0
    assert sql("SELECT coalesce(sum(amount_cents), 0) FROM postings")[0][0] == 0
    assert (
        sql("SELECT count(*) FROM charges WHERE organisation_id = :o AND status = 'settled'", o=office.organisation_id)[
            0
        ][0]
        == 20
    )
    assert sql("SELECT count(*) FROM charges WHERE status = 'pending'")[0][0] == 0


def test_fifty_parallel_charges_against_an_allowance_of_twenty(make_office, fund, amqp_uri, sql):
    office = make_office()
    fund(office.organisation_id, 27_104 + 1000)  # Bronze: EUR 224.00 + 21 % = 271.04, and less than one charge
    subscription = office.wallet.buy_subscription(plan="bronze", idempotency_key=f"bronze-{office.organisation_id}")
    assert subscription["amount_cents"] == 27_104 and subscription["allowance"] == 20
    balance_before = office.wallet.get_wallet()["balance_cents"]
    assert balance_before == 1000  # too little for one more charge: only the allowance can pay
    results = charge_many(amqp_uri, office, 50)
    settled = [r for r in results if isinstance(r, dict)]
    assert len(settled) == 20
    assert all(r["paid_by"] == "subscription" and r["amount_cents"] == 0 for r in settled)
    assert office.wallet.get_wallet()["subscriptions"][0]["remaining"] == 0
    assert office.wallet.get_wallet()["balance_cents"] == balance_before
    assert sql("SELECT used FROM subscriptions WHERE organisation_id = :o", o=office.organisation_id)[0][0] == 20
    assert sql("SELECT coalesce(sum(amount_cents), 0) FROM postings")[0][0] == 0


def test_the_same_key_returns_the_first_result_and_another_request_under_it_is_refused(make_office, fund):
    office = make_office()
    fund(office.organisation_id, 10_000)
    args = {
        "organisation_id": office.organisation_id,
        "product": PRODUCT,
        "reference": "TX-1",
        "idempotency_key": "key-00000001",
    }
    first = office.wallet.charge(**args)
    again = office.wallet.charge(**args)
    assert again == first
    assert first["balance_cents"] == 10_000 - PRICE and first["vat_cents"] == 399
    assert office.wallet.get_wallet()["balance_cents"] == 10_000 - PRICE
    error = refused(lambda: office.wallet.charge(**{**args, "reference": "TX-2"}))
    assert "another request" in error.value


def test_insufficient_funds_names_what_is_missing_and_changes_nothing(make_office, fund, sql):
    office = make_office()
    fund(office.organisation_id, 1000)
    error = refused(
        lambda: office.wallet.charge(
            organisation_id=office.organisation_id, product=PRODUCT, reference="TX", idempotency_key="key-poor-0001"
        )
    )
    assert "lacks EUR 12.99" in error.value
    assert sql("SELECT count(*) FROM charges WHERE organisation_id = :o", o=office.organisation_id)[0][0] == 0
    quote = office.wallet.quote(organisation_id=office.organisation_id, product=PRODUCT)
    assert quote["gross_cents"] == PRICE and quote["net_cents"] == 1900 and quote["vat_cents"] == 399
    assert quote["missing_cents"] == PRICE - 1000 and quote["covered_by_subscription"] is False


def test_bad_input_is_refused_by_name(make_office):
    office = make_office()
    good = {
        "organisation_id": office.organisation_id,
        "product": PRODUCT,
        "reference": "TX",
        "idempotency_key": "key-bad-00001",
    }
    assert "product" in refused(lambda: office.wallet.charge(**{**good, "product": "caviar"})).value
    assert (
        "subscriptions are bought"
        in refused(lambda: office.wallet.charge(**{**good, "product": "subscription_gold"})).value
    )
    assert "idempotency_key" in refused(lambda: office.wallet.charge(**{**good, "idempotency_key": "x"})).value
    assert "reference" in refused(lambda: office.wallet.charge(**{**good, "reference": ""})).value
    assert "organisation_id" in refused(lambda: office.wallet.charge(**{**good, "organisation_id": "nope"})).value
    assert (
        "plan" in refused(lambda: office.wallet.buy_subscription(plan="platinum", idempotency_key="key-plan-01")).value
    )


def test_only_members_with_a_tool_role_may_pay(make_office, rpc_proxy):
    office = make_office()
    stranger = rpc_proxy("wallet", context(str(uuid.uuid4()), office.organisation_id))
    args = {
        "organisation_id": office.organisation_id,
        "product": PRODUCT,
        "reference": "TX",
        "idempotency_key": "key-stranger-1",
    }
    assert "not a confirmed member" in refused(lambda: stranger.charge(**args)).value
    assert "not a confirmed member" in refused(lambda: stranger.get_wallet()).value
    no_role = make_office(role="none")
    args["organisation_id"] = no_role.organisation_id
    assert "Only users of a tool" in refused(lambda: no_role.wallet.charge(**args)).value


def test_hold_then_confirm_or_release(make_office, fund, sql):
    office = make_office()
    fund(office.organisation_id, 3 * PRICE)
    org = office.organisation_id
    hold = office.wallet.hold(organisation_id=org, product=PRODUCT, reference="TX-H1", idempotency_key="hold-0000001")
    assert hold["status"] == "held" and hold["balance_cents"] == 2 * PRICE
    confirmed = office.wallet.confirm_hold(hold_id=hold["hold_id"])
    assert confirmed["status"] == "settled" and confirmed["receipt_document_id"]
    assert office.wallet.confirm_hold(hold_id=hold["hold_id"])["status"] == "settled"
    assert "already confirmed" in refused(lambda: office.wallet.release_hold(hold_id=hold["hold_id"])).value
    second = office.wallet.hold(organisation_id=org, product=PRODUCT, reference="TX-H2", idempotency_key="hold-0000002")
    released = office.wallet.release_hold(hold_id=second["hold_id"])
    assert released["status"] == "released"
    assert office.wallet.get_wallet()["balance_cents"] == 2 * PRICE
    assert "released" in refused(lambda: office.wallet.confirm_hold(hold_id=second["hold_id"])).value
    third = office.wallet.hold(organisation_id=org, product=PRODUCT, reference="TX-H3", idempotency_key="hold-0000003")
    sql("UPDATE charges SET hold_expires_at = now() - interval '1 second' WHERE charge_id = :c", c=third["hold_id"])
    from wallet_helpers import wait_until

    wait_until(
        lambda: sql("SELECT status FROM charges WHERE charge_id = :c", c=third["hold_id"])[0][0] == "expired",
        timeout=45,
        what="the hold to expire",
    )
    assert office.wallet.get_wallet()["balance_cents"] == 2 * PRICE


def test_the_database_refuses_a_negative_balance_an_unbalanced_entry_and_ledger_edits(make_office, sql, db):
    from sqlalchemy import text

    office = make_office()
    account = sql("SELECT account_id FROM wallets WHERE organisation_id = :o", o=office.organisation_id)[0][0]

    def book(*amounts):
        entry = str(uuid.uuid4())
        with db.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO journal_entries (entry_id, kind, reference, description, actor, idempotency_key) "
                    "VALUES (:e, 'x', 'x', 'x', 'system', :k)"
                ),
                {"e": entry, "k": f"k-{entry}"},
            )
            for account_id, amount in amounts:
                conn.execute(
                    text("INSERT INTO postings (entry_id, account_id, amount_cents) VALUES (:e, :a, :x)"),
                    {"e": entry, "a": account_id, "x": amount},
                )

    revenue = "00000000-0000-4000-8000-000000000003"
    with pytest.raises(Exception, match="wallet_balance_never_negative"):
        book((account, -1), (revenue, 1))
    with pytest.raises(Exception, match="does not balance"):
        book((account, 5))
    book((account, 5), (account, -5))  # balanced and never below zero: accepted
    for statement in ("UPDATE postings SET amount_cents = 1", "DELETE FROM journal_entries", "TRUNCATE postings"):
        with pytest.raises(Exception, match="immutable"):
            sql(statement)

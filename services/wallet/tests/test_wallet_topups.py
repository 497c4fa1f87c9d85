"""Online top-ups through the fake Mollie: credited once on paid, whatever the webhooks do."""

import uuid

import httpx
import pytest
from nameko.exceptions import RemoteError


def refused(fn):
    with pytest.raises(RemoteError) as error:
        fn()
    assert error.value.exc_type == "DomainError"
    return error.value.value


def control(fake, payment_id, **body):
    return httpx.post(f"{fake['url']}/_control/payments/{payment_id}", json=body, timeout=10).json()


def payment_of(fake, checkout_url):
    return checkout_url.rsplit("/", 1)[1]


def test_paid_top_up_is_credited_once_however_often_the_webhook_comes(make_office, fake_mollie, sql):
    office = make_office()
    topup = office.wallet.create_topup(amount_cents=5000, payment_method="bancontact", idempotency_key="topup-000001")
    assert topup["status"] == "open" and topup["checkout_url"].startswith(fake_mollie["url"])
    payment_id = payment_of(fake_mollie, topup["checkout_url"])
    control(fake_mollie, payment_id, status="paid", webhook=False)
    for _ in range(3):
        assert office.wallet.payment_webhook(payment_id=payment_id)["status"] == "paid"
    assert office.wallet.get_wallet()["balance_cents"] == 5000
    assert (
        sql(
            "SELECT count(*) FROM journal_entries WHERE kind = 'topup' AND organisation_id = :o",
            o=office.organisation_id,
        )[0][0]
        == 1
    )
    # a late 'expired' (out of order) changes nothing: paid money stays paid
    control(fake_mollie, payment_id, status="expired", webhook=False)
    assert office.wallet.payment_webhook(payment_id=payment_id)["status"] == "paid"
    assert office.wallet.get_wallet()["balance_cents"] == 5000


@pytest.mark.parametrize("outcome", ["failed", "canceled", "expired"])
def test_unsuccessful_payments_credit_nothing(make_office, fake_mollie, outcome):
    office = make_office()
    topup = office.wallet.create_topup(amount_cents=7500, payment_method="visa", idempotency_key=f"topup-{outcome}-1")
    payment_id = payment_of(fake_mollie, topup["checkout_url"])
    control(fake_mollie, payment_id, status=outcome, webhook=False)
    assert office.wallet.payment_webhook(payment_id=payment_id)["status"] == outcome
    assert office.wallet.payment_webhook(payment_id=payment_id)["status"] == outcome
    assert office.wallet.get_wallet()["balance_cents"] == 0
    assert office.wallet.get_topup(topup_id=topup["topup_id"])["checkout_url"] is None


def test_the_return_page_refresh_credits_a_payment_whose_webhook_was_lost(make_office, fake_mollie):
    office = make_office()
    topup = office.wallet.create_topup(
        amount_cents=10_000, payment_method="mastercard", idempotency_key="topup-lost-01"
    )
    control(fake_mollie, payment_of(fake_mollie, topup["checkout_url"]), status="paid", webhook=False)
    assert office.wallet.get_topup(topup_id=topup["topup_id"])["status"] == "open"
    assert office.wallet.get_topup(topup_id=topup["topup_id"], refresh=True)["status"] == "paid"
    assert office.wallet.get_wallet()["balance_cents"] == 10_000


def test_a_paid_payment_whose_top_up_row_never_committed_is_recovered(make_office, fake_mollie):
    office = make_office()
    topup_id = str(uuid.uuid4())
    created = httpx.post(
        f"{fake_mollie['url']}/v2/payments",
        headers={"Authorization": f"Bearer {fake_mollie['key']}"},
        json={
            "amount": {"currency": "EUR", "value": "60.00"},
            "description": "lost",
            "method": "bancontact",
            "redirectUrl": "http://127.0.0.1:9/x",
            "metadata": {"topup_id": topup_id, "organisation_id": office.organisation_id},
        },
    ).json()
    control(fake_mollie, created["id"], status="paid", webhook=False)
    assert office.wallet.payment_webhook(payment_id=created["id"])["topup_id"] == topup_id
    assert office.wallet.get_wallet()["balance_cents"] == 6000


def test_the_same_key_returns_the_same_payment_and_other_terms_are_refused(make_office):
    office = make_office()
    first = office.wallet.create_topup(amount_cents=5000, payment_method="bancontact", idempotency_key="topup-same-01")
    assert (
        office.wallet.create_topup(amount_cents=5000, payment_method="bancontact", idempotency_key="topup-same-01")
        == first
    )
    assert "another request" in refused(
        lambda: office.wallet.create_topup(
            amount_cents=6000, payment_method="bancontact", idempotency_key="topup-same-01"
        )
    )


@pytest.mark.parametrize(
    ("amount", "method", "message"),
    [
        (0, "bancontact", "more than zero"),
        (-5000, "bancontact", "more than zero"),
        (4999, "bancontact", "at least EUR 50.00"),
        (500_001, "bancontact", "may not exceed EUR 5000.00"),
        (50.5, "bancontact", "whole number of cents"),
        ("5000", "bancontact", "whole number of cents"),
        (True, "bancontact", "whole number of cents"),
        (5000, "paypal", "payment_method"),
    ],
)
def test_bad_amounts_and_methods_are_refused_and_nothing_is_stored(make_office, sql, amount, method, message):
    office = make_office()
    assert message in refused(
        lambda: office.wallet.create_topup(amount_cents=amount, payment_method=method, idempotency_key="topup-bad-001")
    )
    assert sql("SELECT count(*) FROM topups WHERE organisation_id = :o", o=office.organisation_id)[0][0] == 0


def test_unknown_or_malformed_payment_ids_are_not_found(make_office):
    office = make_office()
    assert "Unknown payment" in refused(lambda: office.wallet.payment_webhook(payment_id="tr_; DROP TABLE"))
    assert "does not know" in refused(lambda: office.wallet.payment_webhook(payment_id="tr_doesnotexist"))


def test_a_payment_the_provider_reports_in_another_currency_is_not_credited(make_office, fake_mollie, sql):
    office = make_office()
    topup = office.wallet.create_topup(amount_cents=5000, payment_method="visa", idempotency_key="topup-usd-0001")
    payment_id = payment_of(fake_mollie, topup["checkout_url"])
    control(fake_mollie, payment_id, status="paid", amount={"currency": "USD", "value": "50.00"}, webhook=False)
    assert office.wallet.payment_webhook(payment_id=payment_id)["status"] == "open"  # left for an administrator
    assert office.wallet.get_wallet()["balance_cents"] == 0
    assert sql("SELECT count(*) FROM journal_entries WHERE organisation_id = :o", o=office.organisation_id)[0][0] == 0


def test_a_paid_amount_that_differs_from_the_request_credits_what_was_paid(make_office, fake_mollie, admin):
    office = make_office()
    topup = office.wallet.create_topup(amount_cents=7500, payment_method="maestro", idempotency_key="topup-diff-001")
    payment_id = payment_of(fake_mollie, topup["checkout_url"])
    control(fake_mollie, payment_id, status="paid", amount={"currency": "EUR", "value": "70.00"}, webhook=False)
    assert office.wallet.payment_webhook(payment_id=payment_id)["status"] == "paid"
    assert office.wallet.get_wallet()["balance_cents"] == 7000
    assert admin.reconcile()["failures"] == []

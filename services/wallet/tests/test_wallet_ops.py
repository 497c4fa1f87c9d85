"""The operator commands: reconciliation and the invoice run, straight against the database."""

import subprocess
import sys

from sqlalchemy.engine import make_url


def run_ops(wallet_url, *args):
    url = make_url(wallet_url)
    env = {"WALLET_DATABASE_URL": wallet_url, "PATH": "/usr/bin:/bin", "PSYCOPG_WAIT_FUNC": "wait_select"}
    assert url.database
    return subprocess.run(
        [sys.executable, "-m", "aww_wallet.ops", *args], capture_output=True, text=True, env=env, timeout=120
    )


def test_reconcile_command_reports_a_balanced_ledger_and_fails_on_a_broken_one(wallet_url, make_office, fund, sql):
    office = make_office()
    fund(office.organisation_id, 10_000)
    result = run_ops(wallet_url, "reconcile")
    assert result.returncode == 0, result.stdout + result.stderr
    assert '"ok": true' in result.stdout
    # a paid top-up that the ledger does not hold: the kind of drift the check exists for
    sql("UPDATE topups SET amount_cents = amount_cents + 1 WHERE organisation_id = :o", o=office.organisation_id)
    broken = run_ops(wallet_url, "reconcile")
    assert broken.returncode == 1 and "paid_topups_without_entry" in broken.stdout
    sql("UPDATE topups SET amount_cents = amount_cents - 1 WHERE organisation_id = :o", o=office.organisation_id)


def test_invoice_command_issues_once(wallet_url, make_office, fund, sql):
    office = make_office()
    fund(office.organisation_id, 10_000)
    office.wallet.charge(
        organisation_id=office.organisation_id,
        product="aml_transaction_assessment",
        reference="TX-OPS",
        idempotency_key="ops-charge-01",
    )
    sql("UPDATE charges SET settled_at = '2024-06-10T10:00:00Z' WHERE organisation_id = :o", o=office.organisation_id)
    first = run_ops(wallet_url, "invoices", "--period", "2024-06")
    assert first.returncode == 0, first.stderr
    assert '"gross_cents": 2299' in first.stdout
    second = run_ops(wallet_url, "invoices", "--period", "2024-06")
    assert '"issued": []' in second.stdout
    bad = run_ops(wallet_url, "invoices", "--period", "June")
    assert bad.returncode != 0

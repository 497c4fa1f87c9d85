"""Operator commands of the wallet, run against its database directly (no broker needed).

    python -m aww_wallet.ops reconcile            # every money invariant; exit 1 if one fails
    python -m aww_wallet.ops invoices --period 2026-10   # issue that month's invoices now

Configuration as for the service: WALLET_DATABASE_URL or AWW_DB_PREFIX/PGHOST…, WALLET_SELLER_*.
Invoices issued here publish their `invoice_issued` event through the outbox (the running service's
relay sends it) and their documents are rendered by the running service's document timer.
"""

from __future__ import annotations

import argparse
import json
import sys

from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from aww_wallet import store
from aww_wallet.config import Seller, Settings
from aww_wallet.domain.invoicing import parse_period
from aww_wallet.invoicing import issue_invoices
from servicekit.config import database_url


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="aww_wallet.ops")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("reconcile", help="check that the ledger balances and matches payments")
    invoices = commands.add_parser("invoices", help="issue the monthly invoices of a period")
    invoices.add_argument("--period", required=True, help="YYYY-MM")
    args = parser.parse_args(argv)
    engine = create_engine(database_url("wallet"))
    try:
        with Session(engine) as session:
            session.info["service"] = "wallet"
            session.info["publishes"] = frozenset({"invoice_issued"})
            if args.command == "reconcile":
                result = store.reconciliation(session)
                print(json.dumps(result, indent=2))
                return 0 if result["ok"] else 1
            result = issue_invoices(
                session, parse_period(args.period), Seller(), store.now(), Settings().document_language
            )
            session.commit()
            print(json.dumps(result, indent=2))
            return 0
    finally:
        engine.dispose()


if __name__ == "__main__":
    sys.exit(main())

"""Operator commands of retention, run against the aml-workflow database directly (no broker).

    python -m aww_aml_workflow.annual.ops overview [--on YYYY-MM-DD]   # contacts and transactions due, by office
    python -m aww_aml_workflow.annual.ops purge [--on YYYY-MM-DD] [--limit N]   # purge what is past its date

The purge's `documents_expired` events wait in the outbox until a running aml-workflow service's relay
publishes them (within OUTBOX_SWEEP_SECONDS); reporting then purges the archived documents.

Configuration as for the service: AML_WORKFLOW_DATABASE_URL or AWW_DB_PREFIX/PGHOST…. The running
service's timer does the same purge every AML_RETENTION_PURGE_SECONDS.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date

from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from aww_aml_workflow.annual import retention
from aww_aml_workflow.transactions import retention as transaction_retention
from servicekit.config import database_url


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="aww_aml_workflow.annual.ops")
    commands = parser.add_subparsers(dest="command", required=True)
    for name, help_text in (("overview", "count records past their retention date"), ("purge", "purge them")):
        command = commands.add_parser(name, help=help_text)
        command.add_argument("--on", type=date.fromisoformat, default=None, help="as if today were this day")
        command.add_argument("--limit", type=int, default=1000)
    args = parser.parse_args(argv)
    engine = create_engine(database_url("aml_workflow"))
    try:
        with Session(engine) as session:
            # the purge adds its `documents_expired` events to the outbox; the service's relay sends them
            session.info["service"] = "aml_workflow"
            session.info["publishes"] = frozenset({retention.DOCUMENTS_EXPIRED})
            day = args.on or retention.today()
            if args.command == "overview":
                rows = session.execute(
                    text(
                        "SELECT c.organisation_id, count(*) FROM aml_contacts c JOIN aml_contact_versions v "
                        "ON v.contact_id = c.id AND v.version_no = c.current_version LEFT JOIN aml_retention r "
                        f"ON r.record_kind = 'contact' AND r.record_id = c.id WHERE {retention.RETAIN_UNTIL_SQL} "
                        "< :today AND r.purged_at IS NULL GROUP BY 1 ORDER BY 1"
                    ),
                    {"today": day},
                ).all()
                transactions = session.execute(
                    text(
                        "SELECT t.organisation_id, count(*) FROM aml_transactions t LEFT JOIN aml_retention r "
                        "ON r.record_kind = 'transaction' AND r.record_id = t.id "
                        f"WHERE {transaction_retention.RETAIN_UNTIL_SQL} < :today AND r.purged_at IS NULL "
                        "GROUP BY 1 ORDER BY 1"
                    ),
                    {"today": day},
                ).all()
                print(json.dumps({"on": day.isoformat(), "due": {str(o): n for o, n in rows},
                                  "transactions_due": {str(o): n for o, n in transactions}}, indent=2))  # fmt: skip
                return 0
            total = {"purged": 0, "contacts": 0, "transactions": 0, "mails": 0, "documents": 0}
            while total["purged"] < args.limit:
                done = retention.purge_due(session, on=day, limit=min(100, args.limit - total["purged"]))
                session.commit()
                total = {key: value + done[key] for key, value in total.items()}
                if done["purged"] == 0:
                    break
            print(json.dumps({"on": day.isoformat(), **total}, indent=2))
            return 0
    finally:
        engine.dispose()


if __name__ == "__main__":
    sys.exit(main())

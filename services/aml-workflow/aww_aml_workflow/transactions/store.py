"""Tables of transactions (on the service's one MetaData) — created by migration t001_transactions.

- aml_transactions: one row per transaction with its data, state, level and the searchable text
  (reference, property address and the parties' names, folded by aww_fold and trigram-indexed).
- aml_transaction_parties: the parties, each a contact (its version and accepted risk profile at
  the time it was added) in a role.
- aml_transaction_calculations: every paid vigilance calculation: its idempotency key (the
  wallet's charge key), the charge, and once assessed the level, factors and rules version.
The timeline is cases/store.py's aml_timeline (column transaction_id).
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Date, DateTime, Integer, PrimaryKeyConstraint, Table, Text, Uuid
from sqlalchemy.dialects.postgresql import JSONB

from aww_aml_workflow.store import metadata

transactions = Table(
    "aml_transactions",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("organisation_id", Uuid, nullable=False),
    Column("reference", Text, nullable=False),
    Column("type", Text, nullable=False),
    Column("state", Text, nullable=False),
    Column("property", JSONB, nullable=False),
    Column("price_cents", BigInteger, nullable=False),
    Column("currency", Text, nullable=False),
    Column("payment", JSONB, nullable=False),
    Column("cash_cents", BigInteger, nullable=False),
    Column("agreed_on", Date),
    Column("description", Text),
    Column("answers", JSONB, nullable=False),
    Column("level", Text),
    Column("calculation_id", Uuid),  # the current (pending or assessed) calculation
    Column("search_text", Text, nullable=False),
    Column("employee_id", Uuid, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("assessed_at", DateTime(timezone=True)),
    Column("decided_at", DateTime(timezone=True)),
    Column("decided_by", Uuid),
    Column("decision_reason", Text),
    Column("escalated_at", DateTime(timezone=True)),
    Column("escalated_by", Uuid),
    Column("motivation", Text),
    Column("proposal", Text),
)

parties = Table(
    "aml_transaction_parties",
    metadata,
    Column("transaction_id", Uuid, nullable=False),
    Column("contact_id", Uuid, nullable=False),
    Column("role", Text, nullable=False),
    Column("organisation_id", Uuid, nullable=False),
    Column("version_no", Integer, nullable=False),
    Column("risk_profile_id", Uuid, nullable=False),
    Column("level", Text, nullable=False),
    Column("display_name", Text, nullable=False),
    Column("added_at", DateTime(timezone=True), nullable=False),
    Column("added_by", Uuid, nullable=False),
    PrimaryKeyConstraint("transaction_id", "contact_id", "role"),
)

calculations = Table(
    "aml_transaction_calculations",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("organisation_id", Uuid, nullable=False),
    Column("transaction_id", Uuid, nullable=False),
    Column("idempotency_key", Text, nullable=False),
    Column("state", Text, nullable=False),  # pending | declined | assessed
    Column("requested_by", Uuid, nullable=False),
    Column("requested_at", DateTime(timezone=True), nullable=False),
    Column("charge", JSONB),  # the wallet's answer: charge_id, paid_by, amount_cents, vat_cents, receipt
    Column("paid_at", DateTime(timezone=True)),
    Column("assessed_at", DateTime(timezone=True)),
    Column("level", Text),
    Column("rules_version", Text),
    Column("factors", JSONB),
    Column("decided_by_rule", Text),
    Column("higher_weight", Integer),
    Column("lower_weight", Integer),
    Column("facts", JSONB),
)

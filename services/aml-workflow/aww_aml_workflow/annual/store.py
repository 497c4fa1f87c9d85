"""Tables of the annual report, retention and audit log (on the service's one MetaData).

- aml_annual_reports: one report per office and year; a draft the officer edits, then final with
  its figures frozen and the archived PDF (reporting's document id) per language.
- aml_retention: the retention register, keyed by record kind and id: when the office ended the
  relationship (refusals end it by themselves, computed from the contact), and when the purge
  removed the personal data. Kept here rather than as columns of other packages' tables.
- aml_audit_log: who viewed or exported which personal data, when (ids only, never the data).
- aml_anonymised_accounts: accounts identity anonymised (from `identity.account_anonymised`).

The DDL is in migrations/versions/a001_annual.py (the `annual` branch); a test compares the two.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    DateTime,
    Identity,
    Integer,
    PrimaryKeyConstraint,
    Table,
    Text,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.dialects.postgresql import JSONB

from aww_aml_workflow.store import metadata

annual_reports = Table(
    "aml_annual_reports",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("organisation_id", Uuid, nullable=False),
    Column("year", Integer, nullable=False),
    Column("state", Text, nullable=False),  # draft | final
    Column("office", JSONB, nullable=False),
    Column("texts", JSONB, nullable=False),
    Column("figures", JSONB),  # frozen when final
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("created_by", Uuid, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("updated_by", Uuid, nullable=False),
    Column("finalised_at", DateTime(timezone=True)),
    Column("finalised_by", Uuid),
    Column("documents", JSONB, nullable=False),  # {language: {document_id, sha256, filename, size_bytes}}
    UniqueConstraint("organisation_id", "year", name="aml_annual_reports_one_per_year"),
)

retention = Table(
    "aml_retention",
    metadata,
    Column("record_kind", Text, nullable=False),  # contact | transaction
    Column("record_id", Uuid, nullable=False),
    Column("organisation_id", Uuid, nullable=False),
    Column("relationship_ended_on", Date),
    Column("ended_by", Uuid),
    Column("ended_at", DateTime(timezone=True)),
    Column("end_reason", Text),
    Column("purged_at", DateTime(timezone=True)),
    PrimaryKeyConstraint("record_kind", "record_id"),
)

audit_log = Table(
    "aml_audit_log",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("organisation_id", Uuid, nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("actor_id", Uuid, nullable=False),
    Column("actor_role", Text, nullable=False),  # employee | aml_officer
    Column("action", Text, nullable=False),  # view | search | download | export
    Column("subject_kind", Text, nullable=False),
    Column("subject_id", Text),
    Column("details", JSONB, nullable=False),
)

anonymised_accounts = Table(
    "aml_anonymised_accounts",
    metadata,
    Column("account_id", Uuid, primary_key=True),
    Column("anonymised_at", DateTime(timezone=True), nullable=False),
)

TABLES = (annual_reports, retention, audit_log, anonymised_accounts)

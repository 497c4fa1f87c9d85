"""Tables of the officer package (on the service's one MetaData).

- aml_officer_settings: per office, its goAML configuration (rentity_id, branch, CTIF-CFI code
  lists, the office address) and each officer's goAML user code.
- aml_cfi_reports: CTIF-CFI reports and their lifecycle; at most one open report per case.
- aml_officer_notifications: what the officer did on an employee's case, for that employee.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Date, DateTime, Identity, Integer, Table, Text, Uuid
from sqlalchemy.dialects.postgresql import JSONB

from aww_aml_workflow.store import metadata

settings = Table(
    "aml_officer_settings",
    metadata,
    Column("organisation_id", Uuid, primary_key=True),
    Column("settings", JSONB, nullable=False),
    Column("user_codes", JSONB, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("updated_by", Uuid, nullable=False),
)

reports = Table(
    "aml_cfi_reports",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("organisation_id", Uuid, nullable=False),
    Column("case_kind", Text, nullable=False),
    Column("case_id", Uuid, nullable=False),
    Column("title", Text, nullable=False),
    Column("state", Text, nullable=False),
    Column("revision", Integer, nullable=False),
    Column("reason", Text, nullable=False),
    Column("indicators", JSONB, nullable=False),
    Column("document_id", Uuid),
    Column("sha256", Text),
    Column("filename", Text),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("created_by", Uuid, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("validated_at", DateTime(timezone=True)),
    Column("validated_by", Uuid),
    Column("downloaded_at", DateTime(timezone=True)),
    Column("downloaded_by", Uuid),
    Column("submitted_at", DateTime(timezone=True)),
    Column("submitted_by", Uuid),
    Column("goaml_reference", Text),
    Column("answered_at", DateTime(timezone=True)),
    Column("answered_by", Uuid),
    Column("answer", Text),
    Column("answer_date", Date),
    Column("answer_reference", Text),
)

notifications = Table(
    "aml_officer_notifications",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("organisation_id", Uuid, nullable=False),
    Column("recipient_id", Uuid, nullable=False),
    Column("case_kind", Text, nullable=False),
    Column("case_id", Uuid, nullable=False),
    Column("title", Text, nullable=False),
    Column("action", Text, nullable=False),
    Column("actor_id", Uuid),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("read_at", DateTime(timezone=True)),
)

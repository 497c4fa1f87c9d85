"""Tables of the screening engine (on the service's one MetaData) and the queries on them.

- screening_list_snapshots: one row per imported file (source, publisher's date, checksum, counts);
  exactly one `current` snapshot per source (partial unique index), older ones `superseded`.
- screening_list_entries: the parsed entries of a snapshot (JSONB record + content hash).
- screening_runs / screening_hits: the audit record of every screening (list versions used,
  threshold, subjects, hits with score and explanation).
- screening_decisions: true match / false positive per contact and list entry, with who and when;
  never updated, a later decision is a new row.
- screening_monitoring: which contacts are re-screened when a list changes.
- screening_rescreen_jobs: the background re-screen after an import, processed in chunks.
- screening_alerts: new hits found by monitoring, for the office (also published as an event).
- screening_country_lists: versioned country lists (EU high-risk, FATF, sanctioned countries).
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    Table,
    Text,
    Uuid,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB

from aww_aml_workflow.store import metadata

snapshots = Table(
    "screening_list_snapshots",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("source", Text, nullable=False),
    Column("list_kind", Text, nullable=False),  # sanctions | pep
    Column("list_date", Text),  # as the publisher dated the file
    Column("imported_at", DateTime(timezone=True), nullable=False),
    Column("imported_by", Uuid),
    Column("filename", Text),
    Column("checksum", Text, nullable=False),  # sha256 of the uploaded bytes
    Column("entry_count", Integer, nullable=False),
    Column("counts", JSONB, nullable=False),
    Column("status", Text, nullable=False),  # current | superseded
    Column("superseded_at", DateTime(timezone=True)),
    Index("screening_one_current_snapshot", "source", unique=True, postgresql_where=text("status = 'current'")),
)

entries = Table(
    "screening_list_entries",
    metadata,
    Column("snapshot_id", Uuid, ForeignKey("screening_list_snapshots.id"), primary_key=True),
    Column("entry_id", Text, primary_key=True),
    Column("kind", Text, nullable=False),
    Column("primary_name", Text, nullable=False),
    Column("record", JSONB, nullable=False),
    Column("content_hash", Text, nullable=False),
)

runs = Table(
    "screening_runs",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("organisation_id", Uuid, nullable=False),
    Column("contact_id", Text, nullable=False),
    Column("trigger", Text, nullable=False),  # request | monitoring
    Column("screened_by", Uuid),  # None for monitoring
    Column("screened_at", DateTime(timezone=True), nullable=False),
    Column("threshold", Float, nullable=False),
    Column("engine_version", Text, nullable=False),
    Column("list_versions", JSONB, nullable=False),
    Column("subjects", JSONB, nullable=False),
    Column("hit_count", Integer, nullable=False),
    Column("new_hit_count", Integer, nullable=False, server_default=text("0")),
    Index("screening_runs_contact", "organisation_id", "contact_id", "screened_at"),
)

hits = Table(
    "screening_hits",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("run_id", Uuid, ForeignKey("screening_runs.id"), nullable=False, index=True),
    Column("organisation_id", Uuid, nullable=False),
    Column("contact_id", Text, nullable=False),
    Column("subject_id", Text, nullable=False),
    Column("subject_fingerprint", Text, nullable=False),
    Column("source", Text, nullable=False),
    Column("list_kind", Text, nullable=False),
    Column("snapshot_id", Uuid, nullable=False),
    Column("entry_id", Text, nullable=False),
    Column("entry_hash", Text, nullable=False),
    Column("entry_summary", JSONB, nullable=False),
    Column("query_name", Text, nullable=False),
    Column("matched_name", Text, nullable=False),
    Column("score", Float, nullable=False),
    Column("explanation", JSONB, nullable=False),
    Column("decision_id", Uuid),  # the decision in force for this hit (own or re-applied)
    Column("decision_reapplied", Boolean, nullable=False, server_default=text("false")),
    Column("is_new", Boolean, nullable=False, server_default=text("false")),
)

decisions = Table(
    "screening_decisions",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("organisation_id", Uuid, nullable=False),
    Column("contact_id", Text, nullable=False),
    Column("source", Text, nullable=False),
    Column("entry_id", Text, nullable=False),
    Column("entry_hash", Text, nullable=False),
    Column("subject_fingerprint", Text, nullable=False),
    Column("hit_id", Uuid, nullable=False),
    Column("decision", Text, nullable=False),  # true_match | false_positive
    Column("reason", Text, nullable=False),
    Column("decided_by", Uuid, nullable=False),
    Column("decided_at", DateTime(timezone=True), nullable=False),
    Index("screening_decisions_lookup", "organisation_id", "contact_id", "source", "entry_id", "decided_at"),
)

monitoring = Table(
    "screening_monitoring",
    metadata,
    Column("organisation_id", Uuid, primary_key=True),
    Column("contact_id", Text, primary_key=True),
    Column("monitored", Boolean, nullable=False),
    Column("changed_at", DateTime(timezone=True), nullable=False),
    Index("screening_monitored_contacts", "organisation_id", "contact_id", postgresql_where=text("monitored")),
)

rescreen_jobs = Table(
    "screening_rescreen_jobs",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("snapshot_id", Uuid, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("status", Text, nullable=False),  # pending | done
    Column("after_organisation", Uuid),  # the cursor: last (organisation, contact) processed
    Column("after_contact", Text),
    Column("processed", Integer, nullable=False, server_default=text("0")),
    Column("new_hits", Integer, nullable=False, server_default=text("0")),
    Column("finished_at", DateTime(timezone=True)),
)

alerts = Table(
    "screening_alerts",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("organisation_id", Uuid, nullable=False),
    Column("contact_id", Text, nullable=False),
    Column("run_id", Uuid, nullable=False),
    Column("snapshot_id", Uuid),
    Column("new_hits", Integer, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("event_id", Uuid),
    Index("screening_alerts_office", "organisation_id", "created_at"),
)

country_lists = Table(
    "screening_country_lists",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("list_name", Text, nullable=False),  # eu_high_risk | fatf | sanctioned_countries
    Column("version", Text, nullable=False),
    Column("in_force_from", Date),
    Column("document", JSONB, nullable=False),
    Column("checksum", Text, nullable=False),
    Column("imported_at", DateTime(timezone=True), nullable=False),
    Column("imported_by", Uuid),
    Column("status", Text, nullable=False),  # current | superseded
    Index("screening_one_current_country_list", "list_name", unique=True, postgresql_where=text("status = 'current'")),
)

TABLES = (snapshots, entries, runs, hits, decisions, monitoring, rescreen_jobs, alerts, country_lists)
# The DDL lives in migrations/versions/s0xx_*.py (the screening branch); a test compares the two.

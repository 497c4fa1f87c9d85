"""screening engine: list snapshots and entries, runs, hits, decisions, monitoring, country lists

Revision ID: s001_screening
Revises: 0002_access
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "s001_screening"
down_revision = "0002_access"
branch_labels = ("screening",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "screening_list_snapshots",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("list_kind", sa.Text, nullable=False),
        sa.Column("list_date", sa.Text),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("imported_by", sa.Uuid),
        sa.Column("filename", sa.Text),
        sa.Column("checksum", sa.Text, nullable=False),
        sa.Column("entry_count", sa.Integer, nullable=False),
        sa.Column("counts", JSONB, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("superseded_at", sa.DateTime(timezone=True)),
    )
    op.create_index(
        "screening_one_current_snapshot",
        "screening_list_snapshots",
        ["source"],
        unique=True,
        postgresql_where=sa.text("status = 'current'"),
    )
    op.create_table(
        "screening_list_entries",
        sa.Column("snapshot_id", sa.Uuid, sa.ForeignKey("screening_list_snapshots.id"), primary_key=True),
        sa.Column("entry_id", sa.Text, primary_key=True),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("primary_name", sa.Text, nullable=False),
        sa.Column("record", JSONB, nullable=False),
        sa.Column("content_hash", sa.Text, nullable=False),
    )
    op.create_table(
        "screening_runs",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("organisation_id", sa.Uuid, nullable=False),
        sa.Column("contact_id", sa.Text, nullable=False),
        sa.Column("trigger", sa.Text, nullable=False),
        sa.Column("screened_by", sa.Uuid),
        sa.Column("screened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("threshold", sa.Float, nullable=False),
        sa.Column("engine_version", sa.Text, nullable=False),
        sa.Column("list_versions", JSONB, nullable=False),
        sa.Column("subjects", JSONB, nullable=False),
        sa.Column("hit_count", sa.Integer, nullable=False),
        sa.Column("new_hit_count", sa.Integer, nullable=False, server_default=sa.text("0")),
    )
    op.create_index("screening_runs_contact", "screening_runs", ["organisation_id", "contact_id", "screened_at"])
    op.create_table(
        "screening_hits",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("run_id", sa.Uuid, sa.ForeignKey("screening_runs.id"), nullable=False),
        sa.Column("organisation_id", sa.Uuid, nullable=False),
        sa.Column("contact_id", sa.Text, nullable=False),
        sa.Column("subject_id", sa.Text, nullable=False),
        sa.Column("subject_fingerprint", sa.Text, nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("list_kind", sa.Text, nullable=False),
        sa.Column("snapshot_id", sa.Uuid, nullable=False),
        sa.Column("entry_id", sa.Text, nullable=False),
        sa.Column("entry_hash", sa.Text, nullable=False),
        sa.Column("entry_summary", JSONB, nullable=False),
        sa.Column("query_name", sa.Text, nullable=False),
        sa.Column("matched_name", sa.Text, nullable=False),
        sa.Column("score", sa.Float, nullable=False),
        sa.Column("explanation", JSONB, nullable=False),
        sa.Column("decision_id", sa.Uuid),
        sa.Column("decision_reapplied", sa.Boolean, nullable=False, server_default=sa.text("false")),
        sa.Column("is_new", sa.Boolean, nullable=False, server_default=sa.text("false")),
    )
    op.create_index("ix_screening_hits_run_id", "screening_hits", ["run_id"])
    op.create_table(
        "screening_decisions",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("organisation_id", sa.Uuid, nullable=False),
        sa.Column("contact_id", sa.Text, nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("entry_id", sa.Text, nullable=False),
        sa.Column("entry_hash", sa.Text, nullable=False),
        sa.Column("subject_fingerprint", sa.Text, nullable=False),
        sa.Column("hit_id", sa.Uuid, nullable=False),
        sa.Column("decision", sa.Text, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("decided_by", sa.Uuid, nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index(
        "screening_decisions_lookup",
        "screening_decisions",
        ["organisation_id", "contact_id", "source", "entry_id", "decided_at"],
    )
    op.create_table(
        "screening_monitoring",
        sa.Column("organisation_id", sa.Uuid, primary_key=True),
        sa.Column("contact_id", sa.Text, primary_key=True),
        sa.Column("monitored", sa.Boolean, nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index(
        "screening_monitored_contacts",
        "screening_monitoring",
        ["organisation_id", "contact_id"],
        postgresql_where=sa.text("monitored"),
    )
    op.create_table(
        "screening_rescreen_jobs",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("snapshot_id", sa.Uuid, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("after_organisation", sa.Uuid),
        sa.Column("after_contact", sa.Text),
        sa.Column("processed", sa.Integer, nullable=False, server_default=sa.text("0")),
        sa.Column("new_hits", sa.Integer, nullable=False, server_default=sa.text("0")),
        sa.Column("finished_at", sa.DateTime(timezone=True)),
    )
    op.create_table(
        "screening_alerts",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("organisation_id", sa.Uuid, nullable=False),
        sa.Column("contact_id", sa.Text, nullable=False),
        sa.Column("run_id", sa.Uuid, nullable=False),
        sa.Column("snapshot_id", sa.Uuid),
        sa.Column("new_hits", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("event_id", sa.Uuid),
    )
    op.create_index("screening_alerts_office", "screening_alerts", ["organisation_id", "created_at"])
    op.create_table(
        "screening_country_lists",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("list_name", sa.Text, nullable=False),
        sa.Column("version", sa.Text, nullable=False),
        sa.Column("in_force_from", sa.Date),
        sa.Column("document", JSONB, nullable=False),
        sa.Column("checksum", sa.Text, nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("imported_by", sa.Uuid),
        sa.Column("status", sa.Text, nullable=False),
    )
    op.create_index(
        "screening_one_current_country_list",
        "screening_country_lists",
        ["list_name"],
        unique=True,
        postgresql_where=sa.text("status = 'current'"),
    )


def downgrade() -> None:
    for name in (
        "screening_country_lists",
        "screening_alerts",
        "screening_rescreen_jobs",
        "screening_monitoring",
        "screening_decisions",
        "screening_hits",
        "screening_runs",
        "screening_list_entries",
        "screening_list_snapshots",
    ):
        op.drop_table(name)

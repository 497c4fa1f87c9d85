"""screening engine: list snapshots and entries, runs, hits, decisions, monitoring, country lists

Revision ID: s001_screening
Revises: 0002_access
"""

from alembic import op

revision = "s001_screening"
down_revision = "0002_access"
branch_labels = ("screening",)
depends_on = None


def upgrade() -> None:
    from aww_aml_workflow.screening.store import create_tables

    create_tables(op.get_bind())


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

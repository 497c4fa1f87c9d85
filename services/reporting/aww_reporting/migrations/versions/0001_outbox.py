"""outbox and processed-events tables

Revision ID: 0001
Revises:
"""

from alembic import op

from servicekit.outbox import create_tables

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_tables(op.get_bind())


def downgrade() -> None:
    op.drop_table("processed_events")
    op.drop_table("outbox")

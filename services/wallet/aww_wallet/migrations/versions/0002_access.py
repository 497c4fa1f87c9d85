"""organisation access read model

Revision ID: 0002_access
Revises: 0001
"""

from alembic import op

from servicekit.access import create_tables

revision = "0002_access"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_tables(op.get_bind())


def downgrade() -> None:
    op.drop_table("organisation_access")

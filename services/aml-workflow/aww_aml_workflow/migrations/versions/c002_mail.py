"""mail outbox (AML officers are told of enhanced-vigilance acceptances)

Revision ID: c002_mail
Revises: c001_cases
"""

from alembic import op

from servicekit.mail import create_tables

revision = "c002_mail"
down_revision = "c001_cases"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_tables(op.get_bind())  # checkfirst: the screening branch may create it as well


def downgrade() -> None:
    pass  # the table may be shared with the screening branch; it holds no case data

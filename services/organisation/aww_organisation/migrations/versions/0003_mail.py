"""mail outbox (servicekit.mail)

Revision ID: 0003_mail
Revises: 0002_organisations
"""

from alembic import op

from servicekit.mail import create_tables

revision = "0003_mail"
down_revision = "0002_organisations"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_tables(op.get_bind())


def downgrade() -> None:
    op.drop_table("mail_outbox")

"""accounts, codes, sessions, accreditations, OIDC flows, mail outbox

Revision ID: 0002_accounts
Revises: 0001
"""

from alembic import op

from aww_identity import store
from servicekit.mail import create_tables as create_mail_tables

revision = "0002_accounts"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # the tables as they were at this revision; later revisions add theirs with their own DDL
    tables = [store.accounts, store.codes, store.sessions, store.accreditations, store.oidc_flows]
    store.metadata.create_all(bind=op.get_bind(), tables=tables, checkfirst=True)
    create_mail_tables(op.get_bind())


def downgrade() -> None:
    for table in ("oidc_flows", "accreditations", "sessions", "account_codes", "accounts", "mail_outbox"):
        op.drop_table(table)

"""accounts, codes, sessions, accreditations, OIDC flows, mail outbox

Revision ID: 0002_accounts
Revises: 0001
"""

from alembic import op

from servicekit.mail import create_tables as create_mail_tables
from servicekit.migrations import run_ddl

revision = "0002_accounts"
down_revision = "0001"
branch_labels = None
depends_on = None

# the tables as they were at this revision, frozen; later revisions change them with their own DDL
DDL = (
    """CREATE TABLE IF NOT EXISTS accounts (
        id UUID NOT NULL,
        username TEXT NOT NULL,
        email TEXT,
        pending_email TEXT,
        first_name TEXT NOT NULL,
        last_name TEXT NOT NULL,
        birth_date DATE,
        gender TEXT,
        phone TEXT,
        language TEXT NOT NULL,
        status TEXT NOT NULL,
        password_hash TEXT,
        platform_admin BOOLEAN DEFAULT false NOT NULL,
        failed_logins INTEGER DEFAULT 0 NOT NULL,
        locked_until TIMESTAMP WITH TIME ZONE,
        created_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL,
        activated_at TIMESTAMP WITH TIME ZONE,
        last_login_at TIMESTAMP WITH TIME ZONE,
        national_number TEXT,
        eid_card JSONB,
        eid_linked_at TIMESTAMP WITH TIME ZONE,
        itsme_subject TEXT,
        itsme_linked_at TIMESTAMP WITH TIME ZONE,
        accreditations_checked_at TIMESTAMP WITH TIME ZONE,
        PRIMARY KEY (id),
        UNIQUE (username),
        UNIQUE (national_number),
        UNIQUE (itsme_subject)
    )""",
    """CREATE TABLE IF NOT EXISTS account_codes (
        id UUID NOT NULL,
        account_id UUID NOT NULL,
        purpose TEXT NOT NULL,
        code_hash BYTEA NOT NULL,
        email TEXT,
        created_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL,
        expires_at TIMESTAMP WITH TIME ZONE NOT NULL,
        attempts INTEGER DEFAULT 0 NOT NULL,
        used_at TIMESTAMP WITH TIME ZONE,
        PRIMARY KEY (id),
        FOREIGN KEY(account_id) REFERENCES accounts (id) ON DELETE CASCADE
    )""",
    "CREATE INDEX IF NOT EXISTS account_codes_hash ON account_codes (code_hash)",
    "CREATE INDEX IF NOT EXISTS account_codes_live ON account_codes (account_id, purpose) WHERE used_at IS NULL",
    """CREATE TABLE IF NOT EXISTS sessions (
        id UUID NOT NULL,
        account_id UUID NOT NULL,
        token_hash BYTEA NOT NULL,
        method TEXT NOT NULL,
        created_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL,
        last_seen_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL,
        expires_at TIMESTAMP WITH TIME ZONE NOT NULL,
        revoked_at TIMESTAMP WITH TIME ZONE,
        organisation_id UUID,
        user_agent TEXT,
        client_ip TEXT,
        PRIMARY KEY (id),
        FOREIGN KEY(account_id) REFERENCES accounts (id) ON DELETE CASCADE,
        UNIQUE (token_hash)
    )""",
    "CREATE INDEX IF NOT EXISTS sessions_of_account ON sessions (account_id) WHERE revoked_at IS NULL",
    """CREATE TABLE IF NOT EXISTS accreditations (
        account_id UUID NOT NULL,
        kind TEXT NOT NULL,
        number TEXT NOT NULL,
        valid_until DATE,
        PRIMARY KEY (account_id, kind, number),
        FOREIGN KEY(account_id) REFERENCES accounts (id) ON DELETE CASCADE
    )""",
    """CREATE TABLE IF NOT EXISTS oidc_flows (
        state_hash BYTEA NOT NULL,
        purpose TEXT NOT NULL,
        account_id UUID,
        session_id UUID,
        nonce TEXT NOT NULL,
        code_verifier TEXT NOT NULL,
        redirect_uri TEXT NOT NULL,
        created_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL,
        expires_at TIMESTAMP WITH TIME ZONE NOT NULL,
        used_at TIMESTAMP WITH TIME ZONE,
        PRIMARY KEY (state_hash)
    )""",
)


def upgrade() -> None:
    run_ddl(op.get_bind(), DDL)
    create_mail_tables(op.get_bind())


def downgrade() -> None:
    for table in ("oidc_flows", "accreditations", "sessions", "account_codes", "accounts", "mail_outbox"):
        op.drop_table(table)

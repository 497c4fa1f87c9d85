"""transactions: transactions, their parties, paid vigilance calculations

Revision ID: t001_transactions
Revises: c002_mail

The DDL is written out here (not taken from transactions/store.py) so this revision stays what it
was when later revisions change the tables.
"""

from alembic import op

revision = "t001_transactions"
down_revision = "c002_mail"
branch_labels = ("transactions",)
depends_on = None

UPGRADE = """
CREATE TABLE aml_transactions (
    id uuid PRIMARY KEY,
    organisation_id uuid NOT NULL,
    reference text NOT NULL,
    type text NOT NULL CHECK (type IN ('sale', 'rental', 'long_lease', 'other')),
    state text NOT NULL CHECK (state IN ('draft', 'payment_pending', 'assessed', 'accepted', 'refused',
                                         'awaiting_officer', 'reported')),
    property jsonb NOT NULL,
    price_cents bigint NOT NULL CHECK (price_cents > 0),
    currency text NOT NULL,
    payment jsonb NOT NULL,
    cash_cents bigint NOT NULL CHECK (cash_cents >= 0),
    agreed_on date,
    description text,
    answers jsonb NOT NULL,
    level text CHECK (level IN ('simplified', 'standard', 'enhanced')),
    calculation_id uuid,
    search_text text NOT NULL,
    employee_id uuid NOT NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    assessed_at timestamptz,
    decided_at timestamptz,
    decided_by uuid,
    decision_reason text,
    escalated_at timestamptz,
    escalated_by uuid,
    motivation text,
    proposal text,
    CONSTRAINT aml_transactions_reference UNIQUE (organisation_id, reference)
);
CREATE INDEX aml_transactions_by_created ON aml_transactions (organisation_id, created_at DESC, id DESC);
CREATE INDEX aml_transactions_by_state ON aml_transactions (organisation_id, state);
CREATE INDEX aml_transactions_search ON aml_transactions USING gin (search_text gin_trgm_ops);

CREATE TABLE aml_transaction_parties (
    transaction_id uuid NOT NULL REFERENCES aml_transactions (id),
    contact_id uuid NOT NULL REFERENCES aml_contacts (id),
    role text NOT NULL CHECK (role IN ('seller', 'buyer', 'landlord', 'tenant', 'representative')),
    organisation_id uuid NOT NULL,
    version_no integer NOT NULL,
    risk_profile_id uuid NOT NULL,
    level text NOT NULL,
    display_name text NOT NULL,
    added_at timestamptz NOT NULL,
    added_by uuid NOT NULL,
    PRIMARY KEY (transaction_id, contact_id, role)
);
CREATE INDEX aml_transaction_parties_of_contact ON aml_transaction_parties (contact_id);

CREATE TABLE aml_transaction_calculations (
    id uuid PRIMARY KEY,
    organisation_id uuid NOT NULL,
    transaction_id uuid NOT NULL REFERENCES aml_transactions (id),
    idempotency_key text NOT NULL,
    state text NOT NULL CHECK (state IN ('pending', 'declined', 'assessed')),
    requested_by uuid NOT NULL,
    requested_at timestamptz NOT NULL,
    charge jsonb,
    paid_at timestamptz,
    assessed_at timestamptz,
    level text,
    rules_version text,
    factors jsonb,
    decided_by_rule text,
    higher_weight integer,
    lower_weight integer,
    facts jsonb,
    CONSTRAINT aml_transaction_calculations_key UNIQUE (organisation_id, idempotency_key)
);
CREATE INDEX aml_transaction_calculations_of ON aml_transaction_calculations (transaction_id);
CREATE INDEX aml_timeline_of_transaction ON aml_timeline (organisation_id, transaction_id, id)
    WHERE transaction_id IS NOT NULL;
"""


def upgrade() -> None:
    op.execute(UPGRADE)


def downgrade() -> None:
    op.execute("DROP INDEX IF EXISTS aml_timeline_of_transaction")
    for name in ("aml_transaction_calculations", "aml_transaction_parties", "aml_transactions"):
        op.drop_table(name)

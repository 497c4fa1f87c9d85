"""ledger, wallets, products and prices, charges, subscriptions, top-ups, statements, invoices

Revision ID: 0003_ledger
Revises: 0002_access

The rules that money depends on are enforced here, in the database, not only in Python:
- a wallet's balance can never go below zero (CHECK), and it is maintained by a trigger from the
  postings, so it cannot drift from the ledger;
- every journal entry balances (a deferred constraint trigger checks the sum of its postings at
  commit);
- journal entries and postings are immutable (triggers refuse UPDATE, DELETE, TRUNCATE);
- one journal entry per idempotency key; one charge/top-up/subscription per (organisation, key);
- a subscription's use never exceeds its allowance (CHECK).
"""

from alembic import op

revision = "0003_ledger"
down_revision = "0002_access"
branch_labels = None
depends_on = None

# Fixed ids of the platform's own ledger accounts (they need no balance row: only wallets are hot)
PSP_CLEARING = "00000000-0000-4000-8000-000000000001"
BANK_CLEARING = "00000000-0000-4000-8000-000000000002"
REVENUE = "00000000-0000-4000-8000-000000000003"
VAT_PAYABLE = "00000000-0000-4000-8000-000000000004"
HOLDS = "00000000-0000-4000-8000-000000000005"

SCHEMA = f"""
CREATE TABLE products (
  code text PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('service', 'subscription')),
  allowance integer CHECK (allowance IS NULL OR allowance > 0),
  validity_months integer CHECK (validity_months IS NULL OR validity_months > 0),
  names jsonb NOT NULL,
  CHECK (kind = 'subscription' OR (allowance IS NULL AND validity_months IS NULL))
);

CREATE TABLE prices (
  product_code text NOT NULL REFERENCES products,
  valid_from date NOT NULL,
  valid_until date,
  net_cents bigint NOT NULL CHECK (net_cents >= 0),
  vat_rate_bp integer NOT NULL CHECK (vat_rate_bp BETWEEN 0 AND 10000),
  PRIMARY KEY (product_code, valid_from),
  CHECK (valid_until IS NULL OR valid_until > valid_from)
);

CREATE TABLE organisations (
  organisation_id uuid PRIMARY KEY,
  enterprise_number text NOT NULL,
  name text NOT NULL,
  address jsonb NOT NULL,
  vat_liable boolean NOT NULL,
  vat_number text,
  version bigint NOT NULL
);

CREATE TABLE ledger_accounts (
  account_id uuid PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('wallet', 'psp_clearing', 'bank_clearing', 'revenue', 'vat_payable', 'holds')),
  organisation_id uuid,
  name text NOT NULL,
  CHECK ((kind = 'wallet') = (organisation_id IS NOT NULL))
);
INSERT INTO ledger_accounts (account_id, kind, name) VALUES
  ('{PSP_CLEARING}', 'psp_clearing', 'Payment provider clearing'),
  ('{BANK_CLEARING}', 'bank_clearing', 'Bank account (third-party funds)'),
  ('{REVENUE}', 'revenue', 'Service revenue'),
  ('{VAT_PAYABLE}', 'vat_payable', 'VAT payable'),
  ('{HOLDS}', 'holds', 'Money held for unconfirmed charges');

CREATE SEQUENCE wallet_ogm_base START WITH 1000001;

CREATE TABLE wallets (
  organisation_id uuid PRIMARY KEY,
  account_id uuid NOT NULL UNIQUE REFERENCES ledger_accounts,
  balance_cents bigint NOT NULL DEFAULT 0 CONSTRAINT wallet_balance_never_negative CHECK (balance_cents >= 0),
  ogm text NOT NULL UNIQUE CHECK (ogm ~ '^[0-9]{{12}}$'),
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE journal_entries (
  entry_id uuid PRIMARY KEY,
  kind text NOT NULL,
  organisation_id uuid,
  reference text NOT NULL,
  description text NOT NULL,
  actor text NOT NULL,
  actor_account_id uuid,
  idempotency_key text NOT NULL UNIQUE,
  metadata jsonb NOT NULL DEFAULT '{{}}',
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX journal_by_organisation ON journal_entries (organisation_id, created_at);

CREATE TABLE postings (
  posting_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  entry_id uuid NOT NULL REFERENCES journal_entries,
  account_id uuid NOT NULL REFERENCES ledger_accounts,
  amount_cents bigint NOT NULL CHECK (amount_cents <> 0)
);
CREATE INDEX postings_by_entry ON postings (entry_id);
CREATE INDEX postings_by_account ON postings (account_id);

CREATE FUNCTION ledger_is_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'the ledger is immutable: % on % refused', TG_OP, TG_TABLE_NAME
    USING ERRCODE = 'insufficient_privilege';
END $$;

CREATE TRIGGER journal_entries_immutable BEFORE UPDATE OR DELETE ON journal_entries
  FOR EACH ROW EXECUTE FUNCTION ledger_is_immutable();
CREATE TRIGGER journal_entries_no_truncate BEFORE TRUNCATE ON journal_entries
  FOR EACH STATEMENT EXECUTE FUNCTION ledger_is_immutable();
CREATE TRIGGER postings_immutable BEFORE UPDATE OR DELETE ON postings
  FOR EACH ROW EXECUTE FUNCTION ledger_is_immutable();
CREATE TRIGGER postings_no_truncate BEFORE TRUNCATE ON postings
  FOR EACH STATEMENT EXECUTE FUNCTION ledger_is_immutable();

-- the wallet balance follows the postings; the CHECK above refuses a negative result
CREATE FUNCTION wallet_balance_follows_postings() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE wallets SET balance_cents = balance_cents + NEW.amount_cents WHERE account_id = NEW.account_id;
  RETURN NULL;
END $$;
CREATE TRIGGER postings_move_wallet_balance AFTER INSERT ON postings
  FOR EACH ROW EXECUTE FUNCTION wallet_balance_follows_postings();

-- every journal entry balances, checked at commit when all its postings are in
CREATE FUNCTION journal_entry_balances() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE total bigint;
BEGIN
  SELECT coalesce(sum(amount_cents), 0) INTO total FROM postings WHERE entry_id = NEW.entry_id;
  IF total <> 0 THEN
    RAISE EXCEPTION 'journal entry % does not balance (sum %)', NEW.entry_id, total
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER postings_balance AFTER INSERT ON postings
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION journal_entry_balances();

CREATE TABLE subscriptions (
  subscription_id uuid PRIMARY KEY,
  organisation_id uuid NOT NULL,
  product_code text NOT NULL REFERENCES products,
  allowance integer CHECK (allowance IS NULL OR allowance > 0),
  used integer NOT NULL DEFAULT 0,
  valid_from timestamptz NOT NULL,
  valid_until timestamptz NOT NULL,
  net_cents bigint NOT NULL,
  vat_cents bigint NOT NULL,
  vat_rate_bp integer NOT NULL,
  purchased_by uuid,
  idempotency_key text NOT NULL,
  fingerprint text NOT NULL,
  entry_id uuid REFERENCES journal_entries,
  receipt_document_id uuid NOT NULL,
  invoice_id uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT subscription_use_within_allowance CHECK (used >= 0 AND (allowance IS NULL OR used <= allowance)),
  UNIQUE (organisation_id, idempotency_key)
);
CREATE INDEX subscriptions_valid ON subscriptions (organisation_id, valid_until);

CREATE TABLE charges (
  charge_id uuid PRIMARY KEY,
  organisation_id uuid NOT NULL,
  product_code text NOT NULL REFERENCES products,
  reference text NOT NULL,
  mode text NOT NULL CHECK (mode IN ('charge', 'hold')),
  idempotency_key text NOT NULL,
  fingerprint text NOT NULL,
  status text NOT NULL CHECK (status IN ('pending', 'held', 'settled', 'released', 'expired')),
  paid_by text CHECK (paid_by IN ('subscription', 'wallet')),
  subscription_id uuid REFERENCES subscriptions,
  net_cents bigint NOT NULL DEFAULT 0 CHECK (net_cents >= 0),
  vat_cents bigint NOT NULL DEFAULT 0 CHECK (vat_cents >= 0),
  vat_rate_bp integer NOT NULL DEFAULT 0,
  list_net_cents bigint NOT NULL DEFAULT 0,
  balance_after_cents bigint,
  created_by uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  settled_at timestamptz,
  hold_expires_at timestamptz,
  receipt_document_id uuid NOT NULL,
  invoice_id uuid,
  UNIQUE (organisation_id, idempotency_key)
);
CREATE INDEX charges_by_organisation ON charges (organisation_id, settled_at);
CREATE INDEX charges_held ON charges (hold_expires_at) WHERE status = 'held';

CREATE TABLE topups (
  topup_id uuid PRIMARY KEY,
  organisation_id uuid NOT NULL,
  channel text NOT NULL CHECK (channel IN ('online', 'bank_transfer')),
  method text NOT NULL,
  amount_cents bigint NOT NULL CHECK (amount_cents > 0),
  status text NOT NULL CHECK (status IN ('open', 'paid', 'failed', 'canceled', 'expired')),
  psp_payment_id text UNIQUE,
  checkout_url text,
  statement_entry_id uuid UNIQUE,
  created_by uuid,
  idempotency_key text,
  fingerprint text,
  entry_id uuid REFERENCES journal_entries,
  receipt_document_id uuid NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  paid_at timestamptz,
  UNIQUE (organisation_id, idempotency_key)
);
CREATE INDEX topups_by_organisation ON topups (organisation_id, paid_at);

CREATE TABLE statements (
  statement_id uuid PRIMARY KEY,
  format text NOT NULL,
  source_id text NOT NULL,
  account text NOT NULL,
  filename text NOT NULL,
  file_sha256 text NOT NULL UNIQUE,
  imported_by uuid,
  imported_at timestamptz NOT NULL DEFAULT now(),
  entries integer NOT NULL,
  booked integer NOT NULL,
  queued integer NOT NULL,
  duplicates integer NOT NULL
);

CREATE TABLE statement_entries (
  statement_entry_id uuid PRIMARY KEY,
  statement_id uuid NOT NULL REFERENCES statements,
  entry_key text NOT NULL UNIQUE,
  booking_date date,
  amount_cents bigint NOT NULL,
  currency text NOT NULL,
  direction text NOT NULL CHECK (direction IN ('credit', 'debit')),
  structured_ref text,
  raw_ref text,
  counterparty text NOT NULL DEFAULT '',
  counterparty_iban text NOT NULL DEFAULT '',
  free_text text NOT NULL DEFAULT '',
  outcome text NOT NULL CHECK (outcome IN ('booked', 'review', 'ignored')),
  review_reason text,
  review_status text CHECK (review_status IN ('open', 'assigned', 'dismissed')),
  organisation_id uuid,
  resolved_by uuid,
  resolved_at timestamptz,
  resolution_note text
);
CREATE INDEX statement_entries_review ON statement_entries (review_status) WHERE review_status = 'open';

CREATE TABLE invoice_counters (
  year integer PRIMARY KEY,
  last_sequence integer NOT NULL CHECK (last_sequence >= 0)
);

CREATE TABLE invoices (
  invoice_id uuid PRIMARY KEY,
  organisation_id uuid NOT NULL,
  period_start date NOT NULL,
  period_end date NOT NULL,
  year integer NOT NULL,
  sequence integer NOT NULL CHECK (sequence > 0),
  number text NOT NULL UNIQUE,
  issue_date date NOT NULL,
  net_cents bigint NOT NULL,
  vat_cents bigint NOT NULL,
  gross_cents bigint NOT NULL,
  prepaid_cents bigint NOT NULL,
  pdf_document_id uuid NOT NULL,
  ubl_document_id uuid NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (organisation_id, period_start),
  UNIQUE (year, sequence)
);

-- documents the wallet asked reporting for: rendered by a timer, retried until they exist
CREATE TABLE document_requests (
  document_id uuid PRIMARY KEY,
  kind text NOT NULL,
  organisation_id uuid,
  reference text NOT NULL,
  language text NOT NULL,
  data jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  rendered_at timestamptz,
  attempts integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  last_error text
);
CREATE INDEX document_requests_pending ON document_requests (next_attempt_at) WHERE rendered_at IS NULL;

CREATE TABLE payment_events (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  psp_payment_id text NOT NULL,
  status text NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now()
);
"""

PRODUCTS = """
INSERT INTO products (code, kind, allowance, validity_months, names) VALUES
  ('aml_transaction_assessment', 'service', NULL, NULL,
   '{"nl": "Waakzaamheidsberekening transactie", "fr": "Calcul de vigilance d''une transaction",
     "en": "Transaction vigilance calculation"}'),
  ('subscription_bronze', 'subscription', 20, 12,
   '{"nl": "Abonnement Brons (20 transacties)", "fr": "Abonnement Bronze (20 transactions)",
     "en": "Bronze subscription (20 transactions)"}'),
  ('subscription_silver', 'subscription', 100, 12,
   '{"nl": "Abonnement Zilver (100 transacties)", "fr": "Abonnement Argent (100 transactions)",
     "en": "Silver subscription (100 transactions)"}'),
  ('subscription_gold', 'subscription', NULL, 12,
   '{"nl": "Abonnement Goud (onbeperkt)", "fr": "Abonnement Or (illimité)", "en": "Gold subscription (unlimited)"}');
-- DOMAIN.md §1, 2025 prices excl. VAT; a new price is a new row with its own valid_from
INSERT INTO prices (product_code, valid_from, net_cents, vat_rate_bp) VALUES
  ('aml_transaction_assessment', '2025-01-01', 1900, 2100),
  ('subscription_bronze', '2025-01-01', 22400, 2100),
  ('subscription_silver', '2025-01-01', 44000, 2100),
  ('subscription_gold', '2025-01-01', 66500, 2100);
"""


def upgrade() -> None:
    op.execute(SCHEMA)
    op.execute(PRODUCTS)


def downgrade() -> None:
    for table in (
        "payment_events",
        "document_requests",
        "invoices",
        "invoice_counters",
        "statement_entries",
        "statements",
        "topups",
        "charges",
        "subscriptions",
        "postings",
        "journal_entries",
        "wallets",
        "ledger_accounts",
        "organisations",
        "prices",
        "products",
    ):
        op.execute(f"DROP TABLE {table} CASCADE")
    op.execute("DROP SEQUENCE wallet_ogm_base")
    op.execute("DROP FUNCTION ledger_is_immutable, wallet_balance_follows_postings, journal_entry_balances")

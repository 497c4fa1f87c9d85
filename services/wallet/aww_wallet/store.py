"""Tables of the wallet database and the repository functions the service uses.

The schema and the rules the database enforces are in migrations/versions/0003_ledger.py (raw
DDL, so the triggers and checks read as SQL). Functions here take the worker's session and run
inside its transaction; none of them commits.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

from sqlalchemy import MetaData, text

from aww_wallet.domain.identifiers import ogm_digits
from aww_wallet.domain.products import PriceRow
from servicekit.access import metadata as access_metadata
from servicekit.outbox import metadata as outbox_metadata

metadata = MetaData()

# Alembic compares against the outbox and access tables; the wallet's own are raw DDL.
target_metadata = [metadata, outbox_metadata, access_metadata]

PSP_CLEARING = "00000000-0000-4000-8000-000000000001"
BANK_CLEARING = "00000000-0000-4000-8000-000000000002"
REVENUE = "00000000-0000-4000-8000-000000000003"
VAT_PAYABLE = "00000000-0000-4000-8000-000000000004"
HOLDS = "00000000-0000-4000-8000-000000000005"


def now() -> datetime:
    return datetime.now(UTC)


def _one(session, sql: str, **params):
    return session.execute(text(sql), params).first()


def _all(session, sql: str, **params):
    return session.execute(text(sql), params).all()


# ---- wallets -------------------------------------------------------------------------------


def ensure_wallet(session, organisation_id: str):
    """The organisation's wallet, created on first use (its ledger account and its OGM too)."""
    row = _one(
        session,
        "SELECT organisation_id, account_id, balance_cents, ogm FROM wallets WHERE organisation_id = :o",
        o=organisation_id,
    )
    if row is not None:
        return row
    account_id = str(uuid.uuid4())
    base = session.execute(text("SELECT nextval('wallet_ogm_base')")).scalar_one()
    session.execute(
        text("INSERT INTO ledger_accounts (account_id, kind, organisation_id, name) VALUES (:a, 'wallet', :o, :n)"),
        {"a": account_id, "o": organisation_id, "n": f"Wallet {organisation_id}"},
    )
    inserted = _one(
        session,
        "INSERT INTO wallets (organisation_id, account_id, ogm) VALUES (:o, :a, :g) "
        "ON CONFLICT (organisation_id) DO NOTHING RETURNING organisation_id",
        o=organisation_id,
        a=account_id,
        g=ogm_digits(base),
    )
    if inserted is None:  # a concurrent first use won; our account row stays unused and harmless
        pass
    return _one(
        session,
        "SELECT organisation_id, account_id, balance_cents, ogm FROM wallets WHERE organisation_id = :o",
        o=organisation_id,
    )


def lock_wallet(session, organisation_id: str):
    """Lock the wallet row for this transaction: concurrent debits of one wallet queue here."""
    return _one(
        session,
        "SELECT organisation_id, account_id, balance_cents, ogm FROM wallets WHERE organisation_id = :o FOR UPDATE",
        o=organisation_id,
    )


def wallet_by_ogm(session, digits: str):
    return _one(session, "SELECT organisation_id, account_id, ogm FROM wallets WHERE ogm = :g", g=digits)


def wallets_by_ogm(session, digits: list[str]) -> dict[str, str]:
    rows = _all(session, "SELECT ogm, organisation_id FROM wallets WHERE ogm = ANY(:g)", g=list(digits))
    return {row.ogm: str(row.organisation_id) for row in rows}


# ---- products ------------------------------------------------------------------------------


def product(session, code: str):
    return _one(session, "SELECT code, kind, allowance, validity_months, names FROM products WHERE code = :c", c=code)


def products(session):
    return _all(session, "SELECT code, kind, allowance, validity_months, names FROM products ORDER BY code")


def price_rows(session, code: str | None = None) -> list[PriceRow]:
    rows = _all(
        session,
        "SELECT product_code, valid_from, valid_until, net_cents, vat_rate_bp FROM prices "
        "WHERE (CAST(:c AS text) IS NULL OR product_code = :c)",
        c=code,
    )
    return [PriceRow(r.product_code, r.valid_from, r.valid_until, r.net_cents, r.vat_rate_bp) for r in rows]


# ---- the ledger ----------------------------------------------------------------------------


def post_entry(
    session,
    *,
    kind: str,
    organisation_id: str | None,
    reference: str,
    description: str,
    actor: str,
    actor_account_id: str | None,
    idempotency_key: str,
    postings: list[tuple[str, int]],
    metadata: dict | None = None,
) -> str | None:
    """Book one journal entry and its postings; None if this idempotency key was booked before.

    The postings must sum to zero (the database checks it at commit); a wallet posting moves the
    wallet's balance through a trigger, and a negative result fails the wallet's CHECK.
    """
    if sum(amount for _, amount in postings) != 0:
        raise ValueError("a journal entry must balance")
    entry_id = str(uuid.uuid4())
    inserted = _one(
        session,
        "INSERT INTO journal_entries (entry_id, kind, organisation_id, reference, description, actor, "
        "actor_account_id, idempotency_key, metadata) VALUES (:e, :k, :o, :r, :d, :a, :aa, :key, CAST(:m AS jsonb)) "
        "ON CONFLICT (idempotency_key) DO NOTHING RETURNING entry_id",
        e=entry_id,
        k=kind,
        o=organisation_id,
        r=reference,
        d=description,
        a=actor,
        aa=actor_account_id,
        key=idempotency_key,
        m=json.dumps(metadata or {}),
    )
    if inserted is None:
        return None
    rows = [(account_id, amount) for account_id, amount in postings if amount]
    if rows:  # one statement for all postings: a round trip less per line, inside the wallet's row lock
        values = ", ".join(f"(:e, :a{i}, :x{i})" for i in range(len(rows)))
        params = {"e": entry_id}
        for i, (account_id, amount) in enumerate(rows):
            params |= {f"a{i}": account_id, f"x{i}": amount}
        session.execute(text(f"INSERT INTO postings (entry_id, account_id, amount_cents) VALUES {values}"), params)
    return entry_id


# ---- subscriptions -------------------------------------------------------------------------


def valid_subscriptions(session, organisation_id: str, at: datetime):
    return _all(
        session,
        "SELECT s.subscription_id, s.product_code, s.allowance, s.used, s.valid_from, s.valid_until, p.names "
        "FROM subscriptions s JOIN products p ON p.code = s.product_code "
        "WHERE s.organisation_id = :o AND s.valid_from <= :t AND s.valid_until > :t "
        "ORDER BY s.valid_until, s.created_at",
        o=organisation_id,
        t=at,
    )


def use_subscription(session, organisation_id: str, at: datetime):
    """Take one use from a valid subscription (the one ending first); None if none has any left.

    The UPDATE re-checks the allowance on the row it locked, so parallel charges never take more
    uses than the allowance (and the CHECK constraint stands behind it).
    """
    for candidate in valid_subscriptions(session, organisation_id, at):
        if candidate.allowance is not None and candidate.used >= candidate.allowance:
            continue
        taken = _one(
            session,
            "UPDATE subscriptions SET used = used + 1 WHERE subscription_id = :s "
            "AND (allowance IS NULL OR used < allowance) AND valid_until > :t "
            "RETURNING subscription_id, used, allowance",
            s=candidate.subscription_id,
            t=at,
        )
        if taken is not None:
            return taken
    return None


def give_back_subscription_use(session, subscription_id: str) -> None:
    session.execute(
        text("UPDATE subscriptions SET used = used - 1 WHERE subscription_id = :s AND used > 0"),
        {"s": subscription_id},
    )


# ---- charges -------------------------------------------------------------------------------

CHARGE_COLUMNS = (
    "charge_id, organisation_id, product_code, reference, mode, idempotency_key, fingerprint, status, paid_by, "
    "subscription_id, net_cents, vat_cents, vat_rate_bp, list_net_cents, balance_after_cents, created_by, created_at, "
    "settled_at, "
    "hold_expires_at, receipt_document_id"
)


def claim_charge(session, row: dict):
    """Insert the charge in 'pending' state; None if (organisation, idempotency key) exists.

    A concurrent request with the same key waits here until the first one commits (then gets
    None and answers with the first result) or rolls back (then it proceeds itself).
    """
    return _one(
        session,
        "INSERT INTO charges (charge_id, organisation_id, product_code, reference, mode, idempotency_key, fingerprint, "
        "status, created_by, receipt_document_id) VALUES (:charge_id, :organisation_id, :product_code, :reference, "
        ":mode, :idempotency_key, :fingerprint, 'pending', :created_by, :receipt_document_id) "
        "ON CONFLICT (organisation_id, idempotency_key) DO NOTHING RETURNING charge_id",
        **row,
    )


def charge_by_key(session, organisation_id: str, key: str):
    return _one(
        session,
        f"SELECT {CHARGE_COLUMNS} FROM charges WHERE organisation_id = :o AND idempotency_key = :k",
        o=organisation_id,
        k=key,
    )


def charge_by_id(session, charge_id: str, *, lock: bool = False):
    return _one(
        session,
        f"SELECT {CHARGE_COLUMNS} FROM charges WHERE charge_id = :c" + (" FOR UPDATE" if lock else ""),
        c=charge_id,
    )


def update_charge(session, charge_id: str, **values):
    """Change a charge; answers the changed row (one round trip instead of an UPDATE and a SELECT)."""
    assignments = ", ".join(f"{name} = :{name}" for name in values)
    return session.execute(
        text(f"UPDATE charges SET {assignments} WHERE charge_id = :charge_id RETURNING {CHARGE_COLUMNS}"),
        {**values, "charge_id": charge_id},
    ).first()


def expired_holds(session, at: datetime, limit: int = 100):
    return _all(
        session,
        f"SELECT {CHARGE_COLUMNS} FROM charges WHERE status = 'held' AND hold_expires_at <= :t "
        "ORDER BY hold_expires_at LIMIT :n FOR UPDATE SKIP LOCKED",
        t=at,
        n=limit,
    )


# ---- top-ups -------------------------------------------------------------------------------

TOPUP_COLUMNS = (
    "topup_id, organisation_id, channel, method, amount_cents, status, psp_payment_id, checkout_url, "
    "statement_entry_id, created_by, idempotency_key, fingerprint, entry_id, receipt_document_id, created_at, paid_at"
)


def claim_topup(session, row: dict):
    return _one(
        session,
        "INSERT INTO topups (topup_id, organisation_id, channel, method, amount_cents, status, created_by, "
        "idempotency_key, fingerprint, receipt_document_id, statement_entry_id) VALUES (:topup_id, :organisation_id, "
        ":channel, :method, :amount_cents, :status, :created_by, :idempotency_key, :fingerprint, :receipt_document_id, "
        ":statement_entry_id) ON CONFLICT DO NOTHING RETURNING topup_id",
        **{"statement_entry_id": None, "idempotency_key": None, "fingerprint": None, **row},
    )


def topup_by_key(session, organisation_id: str, key: str):
    return _one(
        session,
        f"SELECT {TOPUP_COLUMNS} FROM topups WHERE organisation_id = :o AND idempotency_key = :k",
        o=organisation_id,
        k=key,
    )


def topup_by_id(session, topup_id: str, *, lock: bool = False):
    return _one(
        session, f"SELECT {TOPUP_COLUMNS} FROM topups WHERE topup_id = :t" + (" FOR UPDATE" if lock else ""), t=topup_id
    )


def topup_by_payment(session, payment_id: str, *, lock: bool = False):
    return _one(
        session,
        f"SELECT {TOPUP_COLUMNS} FROM topups WHERE psp_payment_id = :p" + (" FOR UPDATE" if lock else ""),
        p=payment_id,
    )


def update_topup(session, topup_id: str, **values) -> None:
    assignments = ", ".join(f"{name} = :{name}" for name in values)
    session.execute(
        text(f"UPDATE topups SET {assignments} WHERE topup_id = :topup_id"), {**values, "topup_id": topup_id}
    )


# ---- documents -----------------------------------------------------------------------------


def request_document(
    session, *, document_id: str, kind: str, organisation_id: str | None, reference: str, language: str, data: dict
) -> None:
    session.execute(
        text(
            "INSERT INTO document_requests (document_id, kind, organisation_id, reference, language, data) "
            "VALUES (:d, :k, :o, :r, :l, CAST(:data AS jsonb)) ON CONFLICT (document_id) DO NOTHING"
        ),
        {
            "d": document_id,
            "k": kind,
            "o": organisation_id,
            "r": reference,
            "l": language,
            "data": json.dumps(data, default=str),
        },
    )


def pending_documents(session, at: datetime, limit: int = 20):
    return _all(
        session,
        "SELECT document_id, kind, organisation_id, reference, language, data, attempts FROM document_requests "
        "WHERE rendered_at IS NULL AND next_attempt_at <= :t ORDER BY created_at LIMIT :n FOR UPDATE SKIP LOCKED",
        t=at,
        n=limit,
    )


def document_rendered(session, document_id: str) -> None:
    session.execute(text("UPDATE document_requests SET rendered_at = now() WHERE document_id = :d"), {"d": document_id})


def document_failed(session, document_id: str, attempts: int, error: str) -> None:
    delay = min(2 ** min(attempts, 10), 600)
    session.execute(
        text(
            "UPDATE document_requests SET attempts = :a, last_error = :e, "
            "next_attempt_at = now() + make_interval(secs => :s) WHERE document_id = :d"
        ),
        {"a": attempts, "e": error[:500], "s": delay, "d": document_id},
    )


def document_request(session, document_id: str):
    return _one(
        session,
        "SELECT document_id, kind, organisation_id, rendered_at FROM document_requests WHERE document_id = :d",
        d=document_id,
    )


# ---- organisations (read model of organisation.organisation_changed) -----------------------


def apply_organisation_changed(session, data: dict) -> bool:
    row = _one(
        session,
        "INSERT INTO organisations "
        "(organisation_id, enterprise_number, name, address, vat_liable, vat_number, version) "
        "VALUES (:organisation_id, :enterprise_number, :name, CAST(:address AS jsonb), :vat_liable, :vat_number, "
        ":version) ON CONFLICT (organisation_id) DO UPDATE SET enterprise_number = excluded.enterprise_number, "
        "name = excluded.name, address = excluded.address, vat_liable = excluded.vat_liable, "
        "vat_number = excluded.vat_number, version = excluded.version "
        "WHERE organisations.version < excluded.version RETURNING 1",
        organisation_id=data["organisation_id"],
        enterprise_number=data["enterprise_number"],
        name=data["name"],
        address=json.dumps(data["address"]),
        vat_liable=data["vat_liable"],
        vat_number=data.get("vat_number"),
        version=data["version"],
    )
    return row is not None


def organisation(session, organisation_id: str):
    return _one(
        session,
        "SELECT organisation_id, enterprise_number, name, address, vat_liable, vat_number FROM organisations "
        "WHERE organisation_id = :o",
        o=organisation_id,
    )


def display_name(session, organisation_id: str, account_id: str | None) -> str | None:
    if not account_id:
        return None
    return session.execute(
        text("SELECT display_name FROM organisation_access WHERE organisation_id = :o AND account_id = :a"),
        {"o": organisation_id, "a": account_id},
    ).scalar()


# ---- operations (the wallet page's table) --------------------------------------------------

OPERATIONS_SQL = """
SELECT * FROM (
  SELECT t.topup_id AS operation_id, t.organisation_id, 'topup' AS type, t.paid_at AS occurred_at,
         NULL AS product_code, t.method AS detail, t.topup_id::text AS reference, t.created_by AS account_id,
         t.amount_cents AS credit_cents, 0 AS debit_cents, 0 AS vat_cents, NULL AS paid_by,
         t.receipt_document_id, t.channel
    FROM topups t WHERE t.status = 'paid'
  UNION ALL
  SELECT c.charge_id, c.organisation_id, 'charge', c.settled_at, c.product_code, c.paid_by, c.reference,
         c.created_by, 0, c.net_cents + c.vat_cents, c.vat_cents, c.paid_by, c.receipt_document_id, NULL
    FROM charges c WHERE c.status = 'settled'
  UNION ALL
  SELECT s.subscription_id, s.organisation_id, 'subscription', s.created_at, s.product_code, NULL,
         s.subscription_id::text, s.purchased_by, 0, s.net_cents + s.vat_cents, s.vat_cents, 'wallet',
         s.receipt_document_id, NULL
    FROM subscriptions s
) o
"""

SORTABLE = {
    "date": "occurred_at",
    "type": "type",
    "product": "product_code",
    "amount": "debit_cents - credit_cents",
    "user": "display_name",
}


def operations(session, organisation_id: str, filters: dict, *, limit: int | None = 50, offset: int = 0):
    where = ["o.organisation_id = :o"]
    params: dict = {"o": organisation_id}
    if filters.get("date_from"):
        where.append("o.occurred_at >= :date_from")
        params["date_from"] = filters["date_from"]
    if filters.get("date_to"):
        where.append("o.occurred_at < :date_to")
        params["date_to"] = filters["date_to"]
    if filters.get("type"):
        where.append("o.type = :type")
        params["type"] = filters["type"]
    if filters.get("product"):
        where.append("o.product_code = :product")
        params["product"] = filters["product"]
    if filters.get("account_id"):
        where.append("o.account_id = :account_id")
        params["account_id"] = filters["account_id"]
    sort = SORTABLE.get(filters.get("sort") or "date", "occurred_at")
    order = "ASC" if filters.get("order") == "asc" else "DESC"
    base = (
        f"SELECT o.*, a.display_name, d.rendered_at AS receipt_rendered_at, p.names AS product_names "
        f"FROM ({OPERATIONS_SQL}) o "
        "LEFT JOIN organisation_access a ON a.organisation_id = o.organisation_id AND a.account_id = o.account_id "
        "LEFT JOIN document_requests d ON d.document_id = o.receipt_document_id "
        "LEFT JOIN products p ON p.code = o.product_code "
        f"WHERE {' AND '.join(where)}"
    )
    total = session.execute(text(f"SELECT count(*) FROM ({base}) counted"), params).scalar_one()
    query = f"{base} ORDER BY {sort} {order} NULLS LAST, o.occurred_at DESC, o.operation_id"
    if limit is not None:
        query += " LIMIT :limit OFFSET :offset"
        params.update(limit=limit, offset=offset)
    return total, session.execute(text(query), params).all()


def operation_receipt(session, organisation_id: str, operation_id: str):
    return _one(
        session,
        f"SELECT receipt_document_id FROM ({OPERATIONS_SQL}) o WHERE o.organisation_id = :o AND o.operation_id = :op",
        o=organisation_id,
        op=operation_id,
    )


def members(session, organisation_id: str):
    return _all(
        session,
        "SELECT account_id, display_name FROM organisation_access WHERE organisation_id = :o ORDER BY display_name",
        o=organisation_id,
    )


# ---- bank statements -----------------------------------------------------------------------


def statement_by_sha(session, sha: str):
    return _one(
        session,
        "SELECT statement_id, entries, booked, queued, duplicates FROM statements WHERE file_sha256 = :s",
        s=sha,
    )


def insert_statement(session, row: dict) -> None:
    session.execute(
        text(
            "INSERT INTO statements (statement_id, format, source_id, account, filename, file_sha256, imported_by, "
            "entries, booked, queued, duplicates) VALUES (:statement_id, :format, :source_id, :account, :filename, "
            ":file_sha256, :imported_by, :entries, 0, 0, 0)"
        ),
        row,
    )


def finish_statement(session, statement_id: str, booked: int, queued: int, duplicates: int) -> None:
    session.execute(
        text("UPDATE statements SET booked = :b, queued = :q, duplicates = :d WHERE statement_id = :s"),
        {"b": booked, "q": queued, "d": duplicates, "s": statement_id},
    )


def insert_statement_entries(session, rows: list[dict]) -> set[str]:
    """Insert entries that were never imported; return the entry keys that are new."""
    if not rows:
        return set()
    result = session.execute(
        text(
            "INSERT INTO statement_entries (statement_entry_id, statement_id, entry_key, booking_date, amount_cents, "
            "currency, direction, structured_ref, raw_ref, counterparty, counterparty_iban, free_text, outcome, "
            "review_reason, review_status, organisation_id) "
            "SELECT * FROM jsonb_to_recordset(CAST(:rows AS jsonb)) AS r(statement_entry_id uuid, statement_id uuid, "
            "entry_key text, booking_date date, amount_cents bigint, currency text, direction text, "
            "structured_ref text, raw_ref text, counterparty text, counterparty_iban text, free_text text, "
            "outcome text, review_reason text, "
            "review_status text, organisation_id uuid) "
            "ON CONFLICT (entry_key) DO NOTHING RETURNING entry_key"
        ),
        {"rows": json.dumps(rows, default=str)},
    )
    return {row.entry_key for row in result}


def review_queue(session, status: str = "open", limit: int = 200):
    return _all(
        session,
        "SELECT e.statement_entry_id, e.booking_date, e.amount_cents, e.currency, e.structured_ref, e.raw_ref, "
        "e.counterparty, e.counterparty_iban, e.free_text, e.review_reason, e.review_status, e.organisation_id, "
        "e.resolution_note, e.resolved_at, s.filename FROM statement_entries e JOIN statements s USING (statement_id) "
        "WHERE e.review_status = :st ORDER BY e.booking_date NULLS LAST, e.statement_entry_id LIMIT :n",
        st=status,
        n=limit,
    )


def review_entry(session, entry_id: str, *, lock: bool = False):
    return _one(
        session,
        "SELECT statement_entry_id, amount_cents, currency, direction, structured_ref, raw_ref, counterparty, "
        "review_status, booking_date FROM statement_entries WHERE statement_entry_id = :e AND outcome = 'review'"
        + (" FOR UPDATE" if lock else ""),
        e=entry_id,
    )


def resolve_review(session, entry_id: str, status: str, organisation_id: str | None, by: str, note: str) -> None:
    session.execute(
        text(
            "UPDATE statement_entries SET review_status = :st, organisation_id = :o, resolved_by = :b, "
            "resolved_at = now(), resolution_note = :n WHERE statement_entry_id = :e"
        ),
        {"st": status, "o": organisation_id, "b": by, "n": note, "e": entry_id},
    )


# ---- invoices ------------------------------------------------------------------------------


def organisations_to_invoice(session, start: datetime, end: datetime) -> list[str]:
    rows = _all(
        session,
        "SELECT organisation_id FROM charges WHERE status = 'settled' AND paid_by = 'wallet' AND invoice_id IS NULL "
        "AND settled_at >= :s AND settled_at < :e "
        "UNION SELECT organisation_id FROM subscriptions WHERE invoice_id IS NULL "
        "AND created_at >= :s AND created_at < :e",
        s=start,
        e=end,
    )
    return sorted(str(row.organisation_id) for row in rows)


def usage_of(session, organisation_id: str, start: datetime, end: datetime):
    return _all(
        session,
        "SELECT 'charge' AS source, c.charge_id AS id, c.product_code, p.names, c.net_cents, c.vat_rate_bp, "
        "c.net_cents + c.vat_cents AS gross_cents FROM charges c JOIN products p ON p.code = c.product_code "
        "WHERE c.organisation_id = :o AND c.status = 'settled' AND c.paid_by = 'wallet' AND c.invoice_id IS NULL "
        "AND c.settled_at >= :s AND c.settled_at < :e "
        "UNION ALL SELECT 'subscription', s.subscription_id, s.product_code, p.names, s.net_cents, s.vat_rate_bp, "
        "s.net_cents + s.vat_cents FROM subscriptions s JOIN products p ON p.code = s.product_code "
        "WHERE s.organisation_id = :o AND s.invoice_id IS NULL AND s.created_at >= :s AND s.created_at < :e",
        o=organisation_id,
        s=start,
        e=end,
    )


def invoice_for(session, organisation_id: str, period_start):
    return _one(
        session,
        "SELECT invoice_id, number FROM invoices WHERE organisation_id = :o AND period_start = :p",
        o=organisation_id,
        p=period_start,
    )


def next_invoice_sequence(session, year: int) -> int:
    """Gapless: the counter row is locked until this transaction ends; a rollback gives it back."""
    session.execute(
        text("INSERT INTO invoice_counters (year, last_sequence) VALUES (:y, 0) ON CONFLICT (year) DO NOTHING"),
        {"y": year},
    )
    return session.execute(
        text("UPDATE invoice_counters SET last_sequence = last_sequence + 1 WHERE year = :y RETURNING last_sequence"),
        {"y": year},
    ).scalar_one()


def insert_invoice(session, row: dict) -> None:
    session.execute(
        text(
            "INSERT INTO invoices (invoice_id, organisation_id, period_start, period_end, year, sequence, number, "
            "issue_date, net_cents, vat_cents, gross_cents, prepaid_cents, pdf_document_id, ubl_document_id) VALUES "
            "(:invoice_id, :organisation_id, :period_start, :period_end, :year, :sequence, :number, :issue_date, "
            ":net_cents, :vat_cents, :gross_cents, :prepaid_cents, :pdf_document_id, :ubl_document_id)"
        ),
        row,
    )
    for table, column in (("charges", "charge_id"), ("subscriptions", "subscription_id")):
        ids = [i for source, i in row["usage_ids"] if source == table[:-1]]
        if ids:
            session.execute(
                text(f"UPDATE {table} SET invoice_id = :inv WHERE {column} = ANY(:ids)"),
                {"inv": row["invoice_id"], "ids": ids},
            )


def invoices(session, organisation_id: str):
    return _all(
        session,
        "SELECT i.invoice_id, i.number, i.period_start, i.period_end, i.issue_date, i.net_cents, i.vat_cents, "
        "i.gross_cents, i.pdf_document_id, i.ubl_document_id, pd.rendered_at AS pdf_ready, ud.rendered_at AS ubl_ready "
        "FROM invoices i LEFT JOIN document_requests pd ON pd.document_id = i.pdf_document_id "
        "LEFT JOIN document_requests ud ON ud.document_id = i.ubl_document_id "
        "WHERE i.organisation_id = :o ORDER BY i.year DESC, i.sequence DESC",
        o=organisation_id,
    )


def wallet_document_owner(session, document_id: str):
    """The organisation a wallet document (receipt or invoice) belongs to, if the wallet made it."""
    return _one(session, "SELECT organisation_id, kind FROM document_requests WHERE document_id = :d", d=document_id)


# ---- reconciliation ------------------------------------------------------------------------


def reconciliation(session) -> dict:
    """Every invariant money depends on, measured from the data; `ok` only if all hold."""
    checks: dict = {}
    checks["ledger_sum_cents"] = session.execute(
        text("SELECT coalesce(sum(amount_cents), 0) FROM postings")
    ).scalar_one()
    checks["unbalanced_entries"] = session.execute(
        text("SELECT count(*) FROM (SELECT entry_id FROM postings GROUP BY entry_id HAVING sum(amount_cents) <> 0) u")
    ).scalar_one()
    checks["wallets_not_matching_postings"] = session.execute(
        text(
            "SELECT count(*) FROM wallets w LEFT JOIN (SELECT account_id, sum(amount_cents) AS s FROM postings "
            "GROUP BY account_id) p USING (account_id) WHERE w.balance_cents <> coalesce(p.s, 0)"
        )
    ).scalar_one()
    checks["negative_wallets"] = session.execute(
        text("SELECT count(*) FROM wallets WHERE balance_cents < 0")
    ).scalar_one()
    checks["paid_topups_without_entry"] = session.execute(
        text(
            "SELECT count(*) FROM topups t WHERE t.status = 'paid' AND NOT EXISTS (SELECT 1 FROM postings p "
            "WHERE p.entry_id = t.entry_id AND p.amount_cents = t.amount_cents)"
        )
    ).scalar_one()
    checks["entries_without_paid_topup"] = session.execute(
        text(
            "SELECT count(*) FROM journal_entries j WHERE j.kind = 'topup' AND NOT EXISTS "
            "(SELECT 1 FROM topups t WHERE t.entry_id = j.entry_id AND t.status = 'paid')"
        )
    ).scalar_one()
    checks["psp_clearing_vs_paid_online_topups"] = session.execute(
        text(
            "SELECT coalesce((SELECT -sum(amount_cents) FROM postings WHERE account_id = :psp), 0) - "
            "coalesce((SELECT sum(amount_cents) FROM topups WHERE status = 'paid' AND channel = 'online'), 0)"
        ),
        {"psp": PSP_CLEARING},
    ).scalar_one()
    checks["bank_clearing_vs_paid_transfers"] = session.execute(
        text(
            "SELECT coalesce((SELECT -sum(amount_cents) FROM postings WHERE account_id = :bank), 0) - "
            "coalesce((SELECT sum(amount_cents) FROM topups WHERE status = 'paid' AND channel = 'bank_transfer'), 0)"
        ),
        {"bank": BANK_CLEARING},
    ).scalar_one()
    checks["holds_vs_held_charges"] = session.execute(
        text(
            "SELECT coalesce((SELECT sum(amount_cents) FROM postings WHERE account_id = :holds), 0) - "
            "coalesce((SELECT sum(net_cents + vat_cents) FROM charges WHERE status = 'held' AND paid_by = 'wallet'), 0)"
        ),
        {"holds": HOLDS},
    ).scalar_one()
    checks["revenue_vs_settled_sales"] = session.execute(
        text(
            "SELECT coalesce((SELECT sum(amount_cents) FROM postings WHERE account_id = :rev), 0) - "
            "coalesce((SELECT sum(net_cents) FROM charges WHERE status = 'settled' AND paid_by = 'wallet'), 0) - "
            "coalesce((SELECT sum(net_cents) FROM subscriptions), 0)"
        ),
        {"rev": REVENUE},
    ).scalar_one()
    checks["subscriptions_over_allowance"] = session.execute(
        text("SELECT count(*) FROM subscriptions WHERE allowance IS NOT NULL AND used > allowance")
    ).scalar_one()
    checks["subscription_use_vs_charges"] = session.execute(
        text(
            "SELECT count(*) FROM subscriptions s WHERE s.used <> (SELECT count(*) FROM charges c WHERE "
            "c.subscription_id = s.subscription_id AND c.status IN ('settled', 'held'))"
        )
    ).scalar_one()
    checks["pending_charges"] = session.execute(
        text("SELECT count(*) FROM charges WHERE status = 'pending'")
    ).scalar_one()
    checks["wallet_total_cents"] = session.execute(
        text("SELECT coalesce(sum(balance_cents), 0) FROM wallets")
    ).scalar_one()
    checks["failures"] = sorted(key for key, value in checks.items() if key != "wallet_total_cents" and value != 0)
    checks["ok"] = not checks["failures"]
    return {key: value if isinstance(value, bool | list) else int(value) for key, value in checks.items()}


def wallet_by_organisation(session, organisation_id: str):
    return _one(
        session,
        "SELECT organisation_id, account_id, balance_cents, ogm FROM wallets WHERE organisation_id = :o",
        o=organisation_id,
    )

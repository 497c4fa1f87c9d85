"""Top-ups: online through the payment provider, by bank transfer with the wallet's structured
communication (booked from imported statements), and the review queue of unmatched transfers.

Bank transfers use one structured communication per wallet, not per request: an office can save
it with the platform's IBAN as a beneficiary and top up any amount at any time; a transfer made
weeks later, or twice, still lands in the right wallet; nothing expires and there is no request
to create first. What a per-request reference would add (knowing the expected amount) matters
little when any amount up to EUR 5,000 is accepted. The OGM is derived from a sequence with
valid check digits (DOMAIN.md §3) and is unique per wallet in the database.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import logging
import re
import uuid

from aww_contracts.errors import DomainError, field_error
from aww_wallet import store
from aww_wallet.base import as_key, as_text, as_uuid, document_id
from aww_wallet.domain.identifiers import format_ogm
from aww_wallet.domain.money import TOPUP_MAX_CENTS, TOPUP_MIN_CENTS, require_topup_amount
from aww_wallet.domain.statements import BOOK, IGNORE, MAX_STATEMENT_BYTES, decide, parse_statement
from aww_wallet.payments import FINAL_STATUSES, METHODS
from servicekit.entrypoints import rpc, timer
from servicekit.outbox import add_event

log = logging.getLogger(__name__)
_PAYMENT_ID = re.compile(r"^tr_[A-Za-z0-9]{1,64}$")
METHOD_LABELS = {
    "bancontact": "Bancontact",
    "visa": "Visa",
    "mastercard": "Mastercard",
    "maestro": "Maestro",
    "bank_transfer": "Bank transfer",
}


def _topup_result(row) -> dict:
    return {
        "topup_id": str(row.topup_id),
        "status": row.status,
        "channel": row.channel,
        "method": row.method,
        "amount_cents": row.amount_cents,
        "checkout_url": row.checkout_url if row.status == "open" else None,
        "receipt_document_id": str(row.receipt_document_id) if row.status == "paid" else None,
        "created_at": row.created_at.isoformat(),
        "paid_at": row.paid_at.isoformat() if row.paid_at else None,
    }


class TopupEntrypoints:
    # ---- online ----------------------------------------------------------------------------

    @rpc
    def create_topup(self, amount_cents, payment_method, idempotency_key):
        """Start an online top-up; the answer's checkout_url is where the user pays."""
        organisation_id, access = self._require_member()
        cents = require_topup_amount(amount_cents)
        method = payment_method
        if method not in METHODS:
            raise field_error("payment_method", "must be bancontact, visa, mastercard or maestro")
        key = as_key(idempotency_key)
        fingerprint = f"{cents}:{method}"
        existing = store.topup_by_key(self.db, organisation_id, key)
        if existing is not None:
            return self._topup_replay(existing, fingerprint)
        topup_id = str(uuid.uuid4())
        claimed = store.claim_topup(
            self.db,
            {
                "topup_id": topup_id,
                "organisation_id": organisation_id,
                "channel": "online",
                "method": method,
                "amount_cents": cents,
                "status": "open",
                "created_by": access.account_id,
                "idempotency_key": key,
                "fingerprint": fingerprint,
                "receipt_document_id": document_id("receipt", organisation_id, f"topup-{topup_id}"),
            },
        )
        if claimed is None:
            return self._topup_replay(store.topup_by_key(self.db, organisation_id, key), fingerprint)
        store.ensure_wallet(self.db, organisation_id)
        payment = self.payments.create_payment(
            amount_cents=cents,
            method=method,
            description=f"Wallet top-up {topup_id[:8]}",
            topup_id=topup_id,
            organisation_id=organisation_id,
        )
        store.update_topup(self.db, topup_id, psp_payment_id=payment.id, checkout_url=payment.checkout_url)
        return _topup_result(store.topup_by_id(self.db, topup_id))

    def _topup_replay(self, row, fingerprint: str) -> dict:
        if row.fingerprint != fingerprint:
            raise DomainError("conflict", "This idempotency key was used for another request", field="idempotency_key")
        return _topup_result(row)

    @rpc
    def get_topup(self, topup_id, refresh=False):
        """A top-up of the active organisation; refresh=True asks the provider when it is still open
        (the return page does, so a lost webhook does not leave the user waiting)."""
        organisation_id, _ = self._require_member()
        row = store.topup_by_id(self.db, as_uuid(topup_id, "topup_id"))
        if row is None or str(row.organisation_id) != organisation_id:
            raise DomainError("not_found", "There is no such top-up")
        if refresh and row.status == "open" and row.psp_payment_id:
            self._apply_payment(self.payments.get_payment(row.psp_payment_id))
            row = store.topup_by_id(self.db, str(row.topup_id))
        return _topup_result(row)

    @rpc
    def payment_webhook(self, payment_id):
        """The provider says a payment changed: only its id arrives, so fetch it and act on its
        status. Repeated and out-of-order calls are harmless: the status is read fresh each time,
        a top-up is credited once (its journal entry's idempotency key), and paid never goes back."""
        if not isinstance(payment_id, str) or not _PAYMENT_ID.match(payment_id):
            raise DomainError("not_found", "Unknown payment")
        return self._apply_payment(self.payments.get_payment(payment_id))

    def _apply_payment(self, payment) -> dict:
        self.db.execute(
            store.text("INSERT INTO payment_events (psp_payment_id, status) VALUES (:p, :s)"),
            {"p": payment.id, "s": payment.status},
        )
        row = store.topup_by_payment(self.db, payment.id, lock=True)
        if row is None:
            row = self._recover_topup(payment)
            if row is None:
                log.warning("payment %s matches no top-up; ignored", payment.id)
                return {"topup_id": None, "status": "ignored"}
        if payment.status == "paid" and row.status != "paid":
            if payment.currency != "EUR" or payment.amount_cents is None or payment.amount_cents <= 0:
                log.error("payment %s paid in %s; not credited, needs an administrator", payment.id, payment.currency)
                return _topup_result(row)
            if payment.amount_cents != row.amount_cents:
                log.warning("payment %s amount differs from the top-up; crediting what was paid", payment.id)
            if row.status != "open":
                log.warning("payment %s turned paid after %s; crediting it", payment.id, row.status)
            self._credit(row, payment.amount_cents, clearing=store.PSP_CLEARING, actor="psp")
        elif payment.status in FINAL_STATUSES and row.status == "open":
            store.update_topup(self.db, str(row.topup_id), status=payment.status)
        return _topup_result(store.topup_by_id(self.db, str(row.topup_id)))

    def _recover_topup(self, payment):
        """A payment whose top-up row is unknown by payment id: the worker that created it died
        between the provider's answer and its commit. The metadata names the top-up; if the row
        never committed, re-create it from what the provider holds, so paid money is not lost."""
        topup_id = payment.metadata.get("topup_id")
        organisation_id = payment.metadata.get("organisation_id")
        try:
            topup_id, organisation_id = str(uuid.UUID(str(topup_id))), str(uuid.UUID(str(organisation_id)))
        except ValueError:
            return None
        row = store.topup_by_id(self.db, topup_id, lock=True)
        if row is not None:
            if str(row.organisation_id) != organisation_id:
                return None
            if row.psp_payment_id is None:
                store.update_topup(self.db, topup_id, psp_payment_id=payment.id)
            return store.topup_by_id(self.db, topup_id, lock=True)
        if store.wallet_by_organisation(self.db, organisation_id) is None or payment.amount_cents is None:
            return None
        store.claim_topup(
            self.db,
            {
                "topup_id": topup_id,
                "organisation_id": organisation_id,
                "channel": "online",
                "method": "bancontact",
                "amount_cents": payment.amount_cents,
                "status": "open",
                "created_by": None,
                "receipt_document_id": document_id("receipt", organisation_id, f"topup-{topup_id}"),
            },
        )
        store.update_topup(self.db, topup_id, psp_payment_id=payment.id)
        return store.topup_by_id(self.db, topup_id, lock=True)

    @timer(interval=60)
    def poll_open_payments(self):
        """Ask the provider about payments still open after a minute: a webhook lost while the
        broker or this service was down must not leave paid money uncredited."""
        rows = store._all(
            self.db,
            "SELECT psp_payment_id FROM topups WHERE status = 'open' AND psp_payment_id IS NOT NULL "
            "AND created_at < now() - interval '1 minute' AND created_at > now() - interval '2 days' "
            "ORDER BY created_at LIMIT 50",
        )
        for row in rows:
            try:
                self._apply_payment(self.payments.get_payment(row.psp_payment_id))
            except DomainError as exc:
                log.warning("polling payment failed: %s", exc.code)
                return

    def _credit(self, row, amount_cents: int, *, clearing: str, actor: str, actor_account_id=None) -> None:
        organisation_id = str(row.organisation_id)
        wallet = store.ensure_wallet(self.db, organisation_id)
        entry = store.post_entry(
            self.db,
            kind="topup",
            organisation_id=organisation_id,
            reference=f"topup-{row.topup_id}",
            description=f"Top-up by {METHOD_LABELS.get(row.method, row.method)}",
            actor=actor,
            actor_account_id=actor_account_id,
            idempotency_key=f"topup:{row.topup_id}",
            postings=[(str(wallet.account_id), amount_cents), (clearing, -amount_cents)],
            metadata={"topup_id": str(row.topup_id)},
        )
        if entry is None:
            return
        now = store.now()
        store.update_topup(
            self.db, str(row.topup_id), status="paid", paid_at=now, entry_id=entry, amount_cents=amount_cents
        )
        balance = store.wallet_by_organisation(self.db, organisation_id).balance_cents
        self._request_receipt(
            organisation_id,
            str(row.receipt_document_id),
            f"topup-{row.topup_id}",
            {
                "reference": f"topup-{row.topup_id}",
                "operation": "topup",
                "issued_at": now.isoformat(),
                "description": {
                    "nl": "Oplading portefeuille",
                    "fr": "Rechargement du portefeuille",
                    "en": "Wallet top-up",
                },
                "amount_excl_vat_cents": amount_cents,
                "vat_cents": 0,
                "amount_incl_vat_cents": amount_cents,
                "vat_rate": "0",
                "payment_method": METHOD_LABELS.get(row.method, row.method),
                "balance_after_cents": balance,
                "performed_by": store.display_name(self.db, organisation_id, str(row.created_by))
                if row.created_by
                else None,
            },
        )
        add_event(
            self.db,
            "wallet_topped_up",
            {
                "topup_id": str(row.topup_id),
                "organisation_id": organisation_id,
                "channel": row.channel,
                "amount_cents": amount_cents,
                "balance_cents": balance,
                "receipt_document_id": str(row.receipt_document_id),
            },
        )

    # ---- bank transfers ----------------------------------------------------------------------

    @rpc
    def import_statement(self, filename, content_b64):
        """Import a camt.053 or CODA statement (platform admins): credits with a known structured
        communication up to EUR 5,000 are booked, other credits wait in the review queue, debits
        are recorded and ignored. The same file, or an entry seen before, books nothing again."""
        principal = self._require_platform_admin()
        filename = as_text(filename, "filename")
        if not isinstance(content_b64, str) or len(content_b64) > MAX_STATEMENT_BYTES * 4 // 3 + 4:
            raise field_error("file", "must be base64 text of at most 32 MB")
        try:
            content = base64.b64decode(content_b64, validate=True)
        except (binascii.Error, ValueError):
            raise field_error("file", "is not valid base64") from None
        statement = parse_statement(content, filename)
        return self._book_statement(statement, content, filename, principal.account_id)

    def _book_statement(self, statement, content: bytes, filename: str, imported_by: str) -> dict:
        sha = hashlib.sha256(content).hexdigest()
        previous = store.statement_by_sha(self.db, sha)
        summary = {"format": statement.format, "entries": len(statement.entries)}
        if previous is not None:
            return {
                **summary,
                "statement_id": str(previous.statement_id),
                "duplicate": True,
                "booked": 0,
                "queued": 0,
                "ignored": 0,
                "already_imported": len(statement.entries),
            }
        statement_id = str(uuid.uuid4())
        store.insert_statement(
            self.db,
            {
                "statement_id": statement_id,
                "format": statement.format,
                "source_id": statement.source_id[:200],
                "account": statement.account[:64],
                "filename": filename,
                "file_sha256": sha,
                "imported_by": imported_by,
                "entries": len(statement.entries),
            },
        )
        known = store.wallets_by_ogm(self.db, [e.structured_ref for e in statement.entries if e.structured_ref])
        rows, decisions = [], {}
        for entry in statement.entries:
            outcome, reason = decide(entry, entry.structured_ref in known)
            entry_id = str(uuid.uuid4())
            decisions[entry.entry_key] = (entry_id, outcome, entry)
            rows.append(
                {
                    "statement_entry_id": entry_id,
                    "statement_id": statement_id,
                    "entry_key": entry.entry_key,
                    "booking_date": entry.booking_date.isoformat() if entry.booking_date else None,
                    "amount_cents": entry.amount_cents,
                    "currency": entry.currency[:3],
                    "direction": entry.direction,
                    "structured_ref": entry.structured_ref,
                    "raw_ref": (entry.raw_ref or None) and entry.raw_ref[:140],
                    "counterparty": entry.counterparty[:140],
                    "counterparty_iban": entry.counterparty_iban[:34],
                    "free_text": entry.free_text,
                    "outcome": {BOOK: "booked", IGNORE: "ignored"}.get(outcome, "review"),
                    "review_reason": reason,
                    "review_status": "open" if outcome not in (BOOK, IGNORE) else None,
                    "organisation_id": known.get(entry.structured_ref) if outcome == BOOK else None,
                }
            )
        new = store.insert_statement_entries(self.db, rows)
        booked = queued = ignored = 0
        for key, (entry_id, outcome, entry) in decisions.items():
            if key not in new:
                continue
            if outcome == BOOK:
                self._book_transfer(known[entry.structured_ref], entry_id, entry.amount_cents, "bank", None)
                booked += 1
            elif outcome == IGNORE:
                ignored += 1
            else:
                queued += 1
        duplicates = len(rows) - len(new)
        store.finish_statement(self.db, statement_id, booked, queued, duplicates)
        return {
            **summary,
            "statement_id": statement_id,
            "duplicate": False,
            "booked": booked,
            "queued": queued,
            "ignored": ignored,
            "already_imported": duplicates,
        }

    def _book_transfer(self, organisation_id: str, statement_entry_id: str, cents: int, actor: str, actor_id) -> None:
        topup_id = str(uuid.uuid4())
        store.claim_topup(
            self.db,
            {
                "topup_id": topup_id,
                "organisation_id": organisation_id,
                "channel": "bank_transfer",
                "method": "bank_transfer",
                "amount_cents": cents,
                "status": "open",
                "created_by": None,
                "statement_entry_id": statement_entry_id,
                "receipt_document_id": document_id("receipt", organisation_id, f"topup-{topup_id}"),
            },
        )
        self._credit(
            store.topup_by_id(self.db, topup_id, lock=True),
            cents,
            clearing=store.BANK_CLEARING,
            actor=actor,
            actor_account_id=actor_id,
        )

    @rpc
    def review_queue(self, status="open"):
        self._require_platform_admin()
        if status not in ("open", "assigned", "dismissed"):
            raise field_error("status", "must be open, assigned or dismissed")
        return [
            {
                "entry_id": str(row.statement_entry_id),
                "booking_date": row.booking_date.isoformat() if row.booking_date else None,
                "amount_cents": row.amount_cents,
                "currency": row.currency,
                "structured_ref": format_ogm(row.structured_ref) if row.structured_ref else None,
                "raw_ref": row.raw_ref,
                "counterparty": row.counterparty,
                "counterparty_iban": row.counterparty_iban,
                "free_text": row.free_text,
                "reason": row.review_reason,
                "status": row.review_status,
                "organisation_id": str(row.organisation_id) if row.organisation_id else None,
                "note": row.resolution_note,
                "filename": row.filename,
            }
            for row in store.review_queue(self.db, status)
        ]

    @rpc
    def resolve_review(self, entry_id, action, organisation_id=None, note=""):
        """assign: book the transfer to an organisation's wallet; dismiss: close it with a note
        (e.g. "refunded to the sender"). Either happens once."""
        principal = self._require_platform_admin()
        entry = store.review_entry(self.db, as_uuid(entry_id, "entry_id"), lock=True)
        if entry is None:
            raise DomainError("not_found", "There is no such entry in the review queue")
        if entry.review_status != "open":
            raise DomainError("conflict", f"This entry was already {entry.review_status}")
        note = note.strip() if isinstance(note, str) else ""
        if len(note) > 500:
            raise field_error("note", "may not exceed 500 characters")
        if action == "assign":
            organisation_id = as_uuid(organisation_id, "organisation_id")
            if entry.currency != "EUR" or entry.direction != "credit":
                raise field_error("action", "only credits in EUR can be booked to a wallet")
            known = store.organisation(self.db, organisation_id) or store._one(
                self.db, "SELECT 1 FROM organisation_access WHERE organisation_id = :o LIMIT 1", o=organisation_id
            )
            if known is None:
                raise field_error("organisation_id", "is not a known organisation")
            self._book_transfer(
                organisation_id, str(entry.statement_entry_id), entry.amount_cents, "admin", principal.account_id
            )
            store.resolve_review(
                self.db, str(entry.statement_entry_id), "assigned", organisation_id, principal.account_id, note
            )
        elif action == "dismiss":
            if not note:
                raise field_error("note", "say why the transfer is dismissed (e.g. refunded)")
            store.resolve_review(self.db, str(entry.statement_entry_id), "dismissed", None, principal.account_id, note)
        else:
            raise field_error("action", "must be assign or dismiss")
        return {"entry_id": str(entry.statement_entry_id), "status": "assigned" if action == "assign" else "dismissed"}

    def _bank_instructions(self, ogm: str) -> dict:
        seller = self.seller
        return {
            "iban": seller.iban,
            "bic": seller.bic,
            "beneficiary": seller.name,
            "communication": format_ogm(ogm),
            "max_cents": TOPUP_MAX_CENTS,
        }

    @staticmethod
    def _online_limits() -> dict:
        return {"min_cents": TOPUP_MIN_CENTS, "max_cents": TOPUP_MAX_CENTS, "methods": list(METHODS)}

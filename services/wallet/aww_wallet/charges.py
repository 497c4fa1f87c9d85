"""Charges, holds, quotes and subscription purchases (the API other services and tools use).

Concurrency: a charge first claims its (organisation, idempotency key) row, then takes a
subscription use (row lock + re-checked allowance) or locks the wallet row and debits it. Parallel
charges of one wallet therefore queue on that row, and the database refuses a negative balance
even if this code were wrong (CHECK on wallets, fed by a trigger on postings).
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import timedelta

from sqlalchemy import text

from aww_contracts.errors import DomainError, field_error
from aww_wallet import store
from aww_wallet.base import as_key, as_text, as_uuid, document_id
from aww_wallet.domain.money import format_eur
from aww_wallet.domain.products import SUBSCRIPTION_PLANS, subscription_code
from servicekit.entrypoints import rpc, timer
from servicekit.outbox import add_event


def _fingerprint(*parts) -> str:
    return hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).hexdigest()


def _add_months(moment, months: int):
    month = moment.month - 1 + months
    year, month = moment.year + month // 12, month % 12 + 1
    day = min(
        moment.day,
        [31, 29 if year % 4 == 0 and (year % 100 or year % 400 == 0) else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][
            month - 1
        ],
    )
    return moment.replace(year=year, month=month, day=day)


def _charge_result(row) -> dict:
    gross = row.net_cents + row.vat_cents
    result = {
        "charge_id": str(row.charge_id),
        "status": row.status,
        "paid_by": row.paid_by,
        "product": row.product_code,
        "reference": row.reference,
        "amount_cents": gross,
        "vat_cents": row.vat_cents,
        "balance_cents": row.balance_after_cents,
        "receipt_document_id": str(row.receipt_document_id) if row.status == "settled" else None,
    }
    if row.mode == "hold":
        result["hold_id"] = str(row.charge_id)
        result["expires_at"] = row.hold_expires_at.isoformat() if row.hold_expires_at else None
    return result


class ChargeEntrypoints:
    # ---- quote -----------------------------------------------------------------------------

    @rpc
    def quote(self, organisation_id, product):
        organisation_id, _ = self._require_payer(as_uuid(organisation_id, "organisation_id"))
        item, price = self._price(product)
        wallet = store.ensure_wallet(self.db, organisation_id)
        covering = None
        if item.kind == "service":
            for sub in store.valid_subscriptions(self.db, organisation_id, store.now()):
                if sub.allowance is None or sub.used < sub.allowance:
                    covering = sub
                    break
        due = 0 if covering else price.gross_cents
        return {
            "product": item.code,
            "names": dict(item.names),
            "net_cents": price.net_cents,
            "vat_cents": price.vat_cents,
            "vat_rate": price.vat_rate,
            "gross_cents": price.gross_cents,
            "covered_by_subscription": covering is not None,
            "subscription": None
            if covering is None
            else {
                "subscription_id": str(covering.subscription_id),
                "plan": covering.product_code.removeprefix("subscription_"),
                "remaining": None if covering.allowance is None else covering.allowance - covering.used,
                "valid_until": covering.valid_until.isoformat(),
            },
            "amount_due_cents": due,
            "balance_cents": wallet.balance_cents,
            "missing_cents": max(0, due - wallet.balance_cents),
        }

    # ---- charge and hold -------------------------------------------------------------------

    @rpc
    def charge(self, organisation_id, product, reference, idempotency_key):
        """Pay for one use of a product: a subscription's allowance first, otherwise the wallet."""
        return self._take(organisation_id, product, reference, idempotency_key, mode="charge")

    @rpc
    def hold(self, organisation_id, product, reference, idempotency_key):
        """Reserve the price (or a subscription use) until confirm_hold or release_hold."""
        return self._take(organisation_id, product, reference, idempotency_key, mode="hold")

    def _take(self, organisation_id, product_code, reference, key, *, mode: str) -> dict:
        organisation_id, access = self._require_payer(as_uuid(organisation_id, "organisation_id"))
        reference = as_text(reference, "reference")
        key = as_key(key)
        item, price = self._price(product_code)
        if item.kind != "service":
            raise field_error("product", "subscriptions are bought with buy_subscription, not charged")
        fingerprint = _fingerprint(mode, item.code, reference)
        charge_id = str(uuid.uuid4())
        receipt = document_id("receipt", organisation_id, f"charge-{charge_id}")
        claimed = store.claim_charge(
            self.db,
            {
                "charge_id": charge_id,
                "organisation_id": organisation_id,
                "product_code": item.code,
                "reference": reference,
                "mode": mode,
                "idempotency_key": key,
                "fingerprint": fingerprint,
                "created_by": access.account_id,
                "receipt_document_id": receipt,
            },
        )
        if claimed is None:  # this key was used before (or committed meanwhile): answer with its result
            return self._replay(store.charge_by_key(self.db, organisation_id, key), fingerprint)
        now = store.now()
        status = "settled" if mode == "charge" else "held"
        expires = now + timedelta(minutes=self.settings.hold_minutes) if mode == "hold" else None
        description = f"{item.names.get('en', item.code)} — {reference}"
        used = store.use_subscription(self.db, organisation_id, now)
        if used is not None:
            store.post_entry(
                self.db,
                kind=mode,
                organisation_id=organisation_id,
                reference=reference,
                description=f"{description} (subscription)",
                actor="account",
                actor_account_id=access.account_id,
                idempotency_key=f"{mode}:{charge_id}",
                postings=[],
                metadata={"charge_id": charge_id, "subscription_id": str(used.subscription_id)},
            )
            balance = store.ensure_wallet(self.db, organisation_id).balance_cents
            values = {
                "paid_by": "subscription",
                "subscription_id": used.subscription_id,
                "net_cents": 0,
                "vat_cents": 0,
            }
        else:
            locked = store.lock_wallet(self.db, organisation_id)
            if locked is None:  # the first use of this wallet
                store.ensure_wallet(self.db, organisation_id)
                locked = store.lock_wallet(self.db, organisation_id)
            if locked.balance_cents < price.gross_cents:
                missing = price.gross_cents - locked.balance_cents
                raise DomainError(
                    "insufficient_funds",
                    f"The wallet lacks {format_eur(missing)} to pay {format_eur(price.gross_cents)}",
                    missing_cents=missing,
                    balance_cents=locked.balance_cents,
                    price_cents=price.gross_cents,
                )
            if mode == "charge":
                postings = [
                    (str(locked.account_id), -price.gross_cents),
                    (store.REVENUE, price.net_cents),
                    (store.VAT_PAYABLE, price.vat_cents),
                ]
            else:
                postings = [(str(locked.account_id), -price.gross_cents), (store.HOLDS, price.gross_cents)]
            store.post_entry(
                self.db,
                kind=mode,
                organisation_id=organisation_id,
                reference=reference,
                description=description,
                actor="account",
                actor_account_id=access.account_id,
                idempotency_key=f"{mode}:{charge_id}",
                postings=postings,
                metadata={"charge_id": charge_id},
            )
            balance = locked.balance_cents - price.gross_cents
            values = {
                "paid_by": "wallet",
                "subscription_id": None,
                "net_cents": price.net_cents,
                "vat_cents": price.vat_cents,
            }
        row = store.update_charge(
            self.db,
            charge_id,
            status=status,
            vat_rate_bp=price.vat_rate_bp,
            list_net_cents=price.net_cents,
            balance_after_cents=balance,
            settled_at=now if status == "settled" else None,
            hold_expires_at=expires,
            **values,
        )
        if status == "settled":
            self._settled(row, item, access.display_name)
        return _charge_result(row)

    def _replay(self, row, fingerprint: str) -> dict:
        if row.fingerprint != fingerprint:
            raise DomainError("conflict", "This idempotency key was used for another request", field="idempotency_key")
        return _charge_result(row)

    def _settled(self, row, item, performed_by: str | None) -> None:
        gross = row.net_cents + row.vat_cents
        self._request_receipt(
            str(row.organisation_id),
            str(row.receipt_document_id),
            f"charge-{row.charge_id}",
            {
                "reference": row.reference,
                "operation": "charge",
                "issued_at": (row.settled_at or store.now()).isoformat(),
                "description": dict(item.names),
                "amount_excl_vat_cents": row.net_cents,
                "vat_cents": row.vat_cents,
                "amount_incl_vat_cents": gross,
                "vat_rate": "21" if row.vat_rate_bp == 2100 else f"{row.vat_rate_bp / 100:g}",
                "paid_by": row.paid_by,
                "balance_after_cents": row.balance_after_cents,
                "performed_by": performed_by,
            },
        )
        add_event(
            self.db,
            "charge_settled",
            {
                "charge_id": str(row.charge_id),
                "organisation_id": str(row.organisation_id),
                "product": row.product_code,
                "reference": row.reference,
                "paid_by": row.paid_by,
                "amount_cents": gross,
                "vat_cents": row.vat_cents,
                "receipt_document_id": str(row.receipt_document_id),
            },
        )

    # ---- confirm, release, expire ----------------------------------------------------------

    def _held_charge(self, hold_id):
        row = store.charge_by_id(self.db, as_uuid(hold_id, "hold_id"), lock=True)
        if row is None or row.mode != "hold":
            raise DomainError("not_found", "There is no such hold")
        self._require_payer(str(row.organisation_id))
        return row

    @rpc
    def confirm_hold(self, hold_id):
        row = self._held_charge(hold_id)
        if row.status == "settled":
            return _charge_result(row)
        if row.status != "held":
            raise DomainError("gone", f"The hold was {row.status} and can no longer be confirmed", status=row.status)
        if row.paid_by == "wallet":
            store.post_entry(
                self.db,
                kind="hold_confirmed",
                organisation_id=str(row.organisation_id),
                reference=row.reference,
                description=f"Hold {row.charge_id} confirmed",
                actor="account",
                actor_account_id=self.context.principal.account_id,
                idempotency_key=f"confirm:{row.charge_id}",
                postings=[
                    (store.HOLDS, -(row.net_cents + row.vat_cents)),
                    (store.REVENUE, row.net_cents),
                    (store.VAT_PAYABLE, row.vat_cents),
                ],
            )
        store.update_charge(self.db, str(row.charge_id), status="settled", settled_at=store.now())
        row = store.charge_by_id(self.db, str(row.charge_id))
        item = store.product(self.db, row.product_code)
        self._settled(row, item, store.display_name(self.db, str(row.organisation_id), str(row.created_by)))
        return _charge_result(row)

    @rpc
    def release_hold(self, hold_id):
        row = self._held_charge(hold_id)
        if row.status in ("released", "expired"):
            return _charge_result(row)
        if row.status != "held":
            raise DomainError("conflict", "The hold was already confirmed; it cannot be released")
        return self._release(row, "released", self.context.principal.account_id)

    def _release(self, row, status: str, actor_account_id: str | None) -> dict:
        if row.paid_by == "wallet":
            wallet = store.ensure_wallet(self.db, str(row.organisation_id))
            gross = row.net_cents + row.vat_cents
            store.post_entry(
                self.db,
                kind=f"hold_{status}",
                organisation_id=str(row.organisation_id),
                reference=row.reference,
                description=f"Hold {row.charge_id} {status}: money back to the wallet",
                actor="account" if actor_account_id else "system",
                actor_account_id=actor_account_id,
                idempotency_key=f"release:{row.charge_id}",
                postings=[(store.HOLDS, -gross), (str(wallet.account_id), gross)],
            )
        elif row.subscription_id is not None:
            store.give_back_subscription_use(self.db, str(row.subscription_id))
        store.update_charge(self.db, str(row.charge_id), status=status)
        return _charge_result(store.charge_by_id(self.db, str(row.charge_id)))

    @timer(interval=30)
    def expire_holds(self):
        for row in store.expired_holds(self.db, store.now()):
            self._release(row, "expired", None)

    # ---- subscriptions ---------------------------------------------------------------------

    @rpc
    def buy_subscription(self, plan, idempotency_key):
        organisation_id, access = self._require_payer()
        if plan not in SUBSCRIPTION_PLANS:
            raise field_error("plan", "must be bronze, silver or gold")
        key = as_key(idempotency_key)
        item, price = self._price(subscription_code(plan), field="plan")
        fingerprint = _fingerprint("subscription", plan)
        existing = self._subscription_by_key(organisation_id, key)
        if existing is not None:
            return self._subscription_replay(existing, fingerprint)
        store.ensure_wallet(self.db, organisation_id)
        locked = store.lock_wallet(self.db, organisation_id)
        existing = self._subscription_by_key(organisation_id, key)  # the same key may have committed meanwhile
        if existing is not None:
            return self._subscription_replay(existing, fingerprint)
        if locked.balance_cents < price.gross_cents:
            missing = price.gross_cents - locked.balance_cents
            raise DomainError(
                "insufficient_funds",
                f"The wallet lacks {format_eur(missing)} to pay {format_eur(price.gross_cents)}",
                missing_cents=missing,
                balance_cents=locked.balance_cents,
                price_cents=price.gross_cents,
            )

        subscription_id = str(uuid.uuid4())
        now = store.now()
        entry = store.post_entry(
            self.db,
            kind="subscription",
            organisation_id=organisation_id,
            reference=f"subscription-{subscription_id}",
            description=item.names.get("en", item.code),
            actor="account",
            actor_account_id=access.account_id,
            idempotency_key=f"subscription:{subscription_id}",
            postings=[
                (str(locked.account_id), -price.gross_cents),
                (store.REVENUE, price.net_cents),
                (store.VAT_PAYABLE, price.vat_cents),
            ],
        )
        receipt = document_id("receipt", organisation_id, f"subscription-{subscription_id}")
        valid_until = _add_months(now, item.validity_months or 12)
        self.db.execute(
            text(
                "INSERT INTO subscriptions (subscription_id, organisation_id, product_code, allowance, valid_from, "
                "valid_until, net_cents, vat_cents, vat_rate_bp, purchased_by, idempotency_key, fingerprint, entry_id, "
                "receipt_document_id) VALUES (:s, :o, :p, :a, :f, :u, :n, :v, :r, :b, :k, :fp, :e, :rd)"
            ),
            {
                "s": subscription_id,
                "o": organisation_id,
                "p": item.code,
                "a": item.allowance,
                "f": now,
                "u": valid_until,
                "n": price.net_cents,
                "v": price.vat_cents,
                "r": price.vat_rate_bp,
                "b": access.account_id,
                "k": key,
                "fp": fingerprint,
                "e": entry,
                "rd": receipt,
            },
        )
        balance = locked.balance_cents - price.gross_cents
        self._request_receipt(
            organisation_id,
            receipt,
            f"subscription-{subscription_id}",
            {
                "reference": f"subscription-{subscription_id}",
                "operation": "subscription",
                "issued_at": now.isoformat(),
                "description": dict(item.names),
                "amount_excl_vat_cents": price.net_cents,
                "vat_cents": price.vat_cents,
                "amount_incl_vat_cents": price.gross_cents,
                "vat_rate": price.vat_rate,
                "paid_by": "wallet",
                "balance_after_cents": balance,
                "performed_by": access.display_name,
            },
        )
        add_event(
            self.db,
            "subscription_purchased",
            {
                "subscription_id": subscription_id,
                "organisation_id": organisation_id,
                "plan": plan,
                "allowance": item.allowance,
                "valid_from": now.isoformat(),
                "valid_until": valid_until.isoformat(),
                "amount_cents": price.gross_cents,
                "vat_cents": price.vat_cents,
            },
        )
        return self._subscription_replay(self._subscription_by_key(organisation_id, key), fingerprint, balance)

    def _subscription_by_key(self, organisation_id: str, key: str):
        return self.db.execute(
            text(
                "SELECT subscription_id, product_code, allowance, used, valid_from, valid_until, net_cents, vat_cents, "
                "fingerprint, receipt_document_id FROM subscriptions "
                "WHERE organisation_id = :o AND idempotency_key = :k"
            ),
            {"o": organisation_id, "k": key},
        ).first()

    def _subscription_replay(self, row, fingerprint: str, balance: int | None = None) -> dict:
        if row.fingerprint != fingerprint:
            raise DomainError("conflict", "This idempotency key was used for another request", field="idempotency_key")
        if balance is None:
            balance = store.ensure_wallet(self.db, self._active_organisation()).balance_cents
        return {
            "subscription_id": str(row.subscription_id),
            "plan": row.product_code.removeprefix("subscription_"),
            "allowance": row.allowance,
            "used": row.used,
            "valid_from": row.valid_from.isoformat(),
            "valid_until": row.valid_until.isoformat(),
            "amount_cents": row.net_cents + row.vat_cents,
            "vat_cents": row.vat_cents,
            "balance_cents": balance,
            "receipt_document_id": str(row.receipt_document_id),
        }

"""What the wallet page and the API read: balance, instructions, operations, CSV, invoices, prices."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from aww_contracts.errors import field_error
from aww_wallet import store
from aww_wallet.base import as_uuid
from aww_wallet.domain.export import to_csv
from aww_wallet.domain.invoicing import BRUSSELS
from aww_wallet.domain.money import to_decimal_string
from aww_wallet.domain.products import price_amount, price_in_force
from servicekit.entrypoints import rpc

TYPES = ("topup", "charge", "subscription")
MAX_PAGE = 200
CSV_HEADER = [
    "date",
    "type",
    "product",
    "reference",
    "user",
    "paid_by",
    "credit_eur",
    "debit_eur",
    "vat_eur",
    "receipt_document_id",
]


def _day(value, field: str):
    if value in (None, ""):
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()
    except (TypeError, ValueError):
        raise field_error(field, "must be a date as YYYY-MM-DD") from None


def _filters(date_from=None, date_to=None, type=None, product=None, user=None, sort=None, order=None) -> dict:
    start, end = _day(date_from, "date_from"), _day(date_to, "date_to")
    if start and end and end < start:
        raise field_error("date_to", "must not be before date_from")
    if type not in (None, "") and type not in TYPES:
        raise field_error("type", "must be topup, charge or subscription")
    if product not in (None, "") and (not isinstance(product, str) or len(product) > 64):
        raise field_error("product", "is not a product code")
    if sort not in (None, "", *store.SORTABLE):
        raise field_error("sort", f"must be one of {', '.join(store.SORTABLE)}")
    if order not in (None, "", "asc", "desc"):
        raise field_error("order", "must be asc or desc")
    return {
        # days are Brussels days: [date_from 00:00, date_to + 1 day 00:00) local time
        "date_from": datetime.combine(start, time.min, BRUSSELS).astimezone(UTC) if start else None,
        "date_to": datetime.combine(end + timedelta(days=1), time.min, BRUSSELS).astimezone(UTC) if end else None,
        "type": type or None,
        "product": product or None,
        "account_id": as_uuid(user, "user") if user else None,
        "sort": sort or "date",
        "order": order or "desc",
    }


def _operation(row) -> dict:
    return {
        "operation_id": str(row.operation_id),
        "type": row.type,
        "occurred_at": row.occurred_at.isoformat() if row.occurred_at else None,
        "product": row.product_code,
        "product_names": dict(row.product_names) if row.product_names else None,
        "detail": row.detail,
        "reference": row.reference,
        "account_id": str(row.account_id) if row.account_id else None,
        "user": row.display_name,
        "credit_cents": int(row.credit_cents),
        "debit_cents": int(row.debit_cents),
        "vat_cents": int(row.vat_cents),
        "paid_by": row.paid_by,
        "receipt_document_id": str(row.receipt_document_id),
        "receipt_ready": row.receipt_rendered_at is not None,
    }


class ViewEntrypoints:
    @rpc
    def get_wallet(self):
        organisation_id, access = self._require_viewer()
        wallet = store.ensure_wallet(self.db, organisation_id)
        now = store.now()
        subscriptions = [
            {
                "subscription_id": str(s.subscription_id),
                "plan": s.product_code.removeprefix("subscription_"),
                "names": dict(s.names),
                "allowance": s.allowance,
                "used": s.used,
                "remaining": None if s.allowance is None else s.allowance - s.used,
                "valid_from": s.valid_from.isoformat(),
                "valid_until": s.valid_until.isoformat(),
            }
            for s in store.valid_subscriptions(self.db, organisation_id, now)
        ]
        return {
            "organisation_id": organisation_id,
            "balance_cents": wallet.balance_cents,
            "bank_transfer": self._bank_instructions(wallet.ogm),
            "online": self._online_limits(),
            "subscriptions": subscriptions,
            "may_pay": any(role in ("user", "aml_officer") for role in access.tools.values()),
        }

    @rpc
    def get_balance(self):
        """The header of every tool page: one indexed read."""
        organisation_id, _ = self._require_viewer()
        wallet = store.wallet_by_organisation(self.db, organisation_id)
        return {"organisation_id": organisation_id, "balance_cents": wallet.balance_cents if wallet else 0}

    @rpc
    def list_operations(
        self,
        date_from=None,
        date_to=None,
        type=None,
        product=None,
        user=None,
        sort=None,
        order=None,
        limit=50,
        offset=0,
    ):
        organisation_id, _ = self._require_viewer()
        filters = _filters(date_from, date_to, type, product, user, sort, order)
        if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_PAGE:
            raise field_error("limit", f"must be between 1 and {MAX_PAGE}")
        if isinstance(offset, bool) or not isinstance(offset, int) or offset < 0:
            raise field_error("offset", "must be zero or more")
        total, rows = store.operations(self.db, organisation_id, filters, limit=limit, offset=offset)
        return {
            "total": total,
            "items": [_operation(row) for row in rows],
            "users": [
                {"account_id": str(m.account_id), "name": m.display_name}
                for m in store.members(self.db, organisation_id)
            ],
            "products": [{"code": p.code, "names": dict(p.names)} for p in store.products(self.db)],
        }

    @rpc
    def export_operations(
        self, date_from=None, date_to=None, type=None, product=None, user=None, sort=None, order=None
    ):
        """The filtered operations as CSV (semicolon-separated, formula injection neutralised)."""
        organisation_id, _ = self._require_viewer()
        filters = _filters(date_from, date_to, type, product, user, sort, order)
        _, rows = store.operations(self.db, organisation_id, filters, limit=None)
        lines = []
        for row in rows:
            occurred = row.occurred_at.astimezone(BRUSSELS).strftime("%Y-%m-%d %H:%M:%S") if row.occurred_at else ""
            lines.append(
                [
                    occurred,
                    row.type,
                    row.product_code or "",
                    row.reference,
                    row.display_name or "",
                    row.paid_by or "",
                    to_decimal_string(int(row.credit_cents)),
                    to_decimal_string(int(row.debit_cents)),
                    to_decimal_string(int(row.vat_cents)),
                    str(row.receipt_document_id),
                ]
            )
        stamp = store.now().astimezone(BRUSSELS).strftime("%Y%m%d")
        return {
            "filename": f"wallet-operations-{stamp}.csv",
            "media_type": "text/csv",
            "content": to_csv(CSV_HEADER, lines),
        }

    @rpc
    def list_invoices(self):
        organisation_id, _ = self._require_viewer()
        return [
            {
                "invoice_id": str(row.invoice_id),
                "number": row.number,
                "period_start": row.period_start.isoformat(),
                "period_end": row.period_end.isoformat(),
                "issue_date": row.issue_date.isoformat(),
                "net_cents": row.net_cents,
                "vat_cents": row.vat_cents,
                "gross_cents": row.gross_cents,
                "pdf_document_id": str(row.pdf_document_id),
                "ubl_document_id": str(row.ubl_document_id),
                "ready": row.pdf_ready is not None and row.ubl_ready is not None,
            }
            for row in store.invoices(self.db, organisation_id)
        ]

    @rpc
    def list_products(self):
        """Products with the price in force today, incl. VAT (what the subscription form shows)."""
        self._principal()
        today = store.now().date()
        rows = store.price_rows(self.db)
        items = []
        for product in store.products(self.db):
            row = price_in_force(rows, product.code, today)
            if row is None:
                continue
            price = price_amount(row)
            items.append(
                {
                    "code": product.code,
                    "kind": product.kind,
                    "plan": product.code.removeprefix("subscription_") if product.kind == "subscription" else None,
                    "names": dict(product.names),
                    "allowance": product.allowance,
                    "validity_months": product.validity_months,
                    "net_cents": price.net_cents,
                    "vat_cents": price.vat_cents,
                    "gross_cents": price.gross_cents,
                    "vat_rate": price.vat_rate,
                    "valid_from": row.valid_from.isoformat(),
                }
            )
        return items

    @rpc
    def document_owner(self, document_id):
        """Whether the caller may see this wallet document (receipt or invoice) and whether it is ready."""
        organisation_id, _ = self._require_viewer()
        row = store.document_request(self.db, as_uuid(document_id, "document_id"))
        if row is None or str(row.organisation_id) != organisation_id:
            from aww_contracts.errors import DomainError

            raise DomainError("not_found", "There is no such document")
        return {"document_id": str(row.document_id), "kind": row.kind, "ready": row.rendered_at is not None}

    @rpc
    def reconcile(self):
        """Every money invariant, measured (platform admins; also `python -m aww_wallet.ops reconcile`)."""
        self._require_platform_admin()
        return store.reconciliation(self.db)

"""The Nameko entrypoints of the wallet service: thin, they call domain and store.

The class is assembled from mixins: charges (charge, hold, quote, subscriptions), top-ups (online,
webhook, bank statements, review queue), views (wallet page, operations, CSV, invoices, prices),
documents (receipts and invoices rendered by reporting) and invoicing (monthly run).
"""

from __future__ import annotations

from functools import cached_property

from aww_wallet import store
from aww_wallet.base import WalletBase
from aww_wallet.charges import ChargeEntrypoints
from aww_wallet.config import Seller, Settings
from aww_wallet.documents import DocumentEntrypoints
from aww_wallet.domain.invoicing import parse_period, previous_month
from aww_wallet.invoicing import issue_invoices
from aww_wallet.payments import Payments
from aww_wallet.topups import TopupEntrypoints
from aww_wallet.views import ViewEntrypoints
from servicekit.access import AccessReadModel
from servicekit.entrypoints import event_handler, rpc, timer
from servicekit.service import ServiceBase


class WalletService(
    ChargeEntrypoints, TopupEntrypoints, ViewEntrypoints, DocumentEntrypoints, WalletBase, AccessReadModel, ServiceBase
):
    name = "wallet"
    publishes = ("wallet_topped_up", "charge_settled", "subscription_purchased", "invoice_issued")

    payments = Payments()

    @cached_property
    def settings(self) -> Settings:
        return Settings()

    @cached_property
    def seller(self) -> Seller:
        return Seller()

    @event_handler("organisation", "organisation_changed")
    def on_organisation_changed(self, data, envelope):
        """The invoice addressee (name, enterprise number, address, VAT number), newest version wins."""
        store.apply_organisation_changed(self.db, data)

    @timer(interval=3600)
    def issue_due_invoices(self):
        """On the first of the month (and every hour after, harmlessly): last month's invoices."""
        now = store.now()
        issue_invoices(self.db, previous_month(now), self.seller, now, self.settings.document_language)

    @rpc
    def issue_invoices(self, period):
        """Operators: issue the invoices of a month (YYYY-MM) now; repeating it issues nothing twice."""
        self._require_platform_admin()
        now = store.now()
        return issue_invoices(self.db, parse_period(period), self.seller, now, self.settings.document_language)

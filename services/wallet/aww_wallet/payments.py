"""The payment provider adapter: Mollie's API through the official mollie-api-python client.

Only the subset the wallet needs: create a payment, get a payment. The endpoint is configurable
(MOLLIE_API_ENDPOINT), so development and tests talk to the fake provider over HTTP
(aww_devtools.fakes.payments) with the same client and the same wire format.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from mollie.api.client import Client
from mollie.api.error import Error as MollieError
from nameko.extensions import DependencyProvider

from aww_contracts.errors import DomainError
from aww_wallet.config import Settings
from aww_wallet.domain.money import parse_decimal_eur, to_decimal_string

log = logging.getLogger(__name__)

# our methods → Mollie's method ids (Maestro, Visa and Mastercard are all card payments at Mollie)
METHODS = {"bancontact": "bancontact", "visa": "creditcard", "mastercard": "creditcard", "maestro": "creditcard"}
FINAL_STATUSES = ("paid", "failed", "canceled", "expired")


@dataclass(frozen=True)
class Payment:
    id: str
    status: str
    amount_cents: int | None
    currency: str
    checkout_url: str | None
    metadata: dict


class PaymentProvider:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.client = Client(api_endpoint=settings.mollie_endpoint, timeout=(3, 10), retry=1)
        if settings.mollie_api_key:
            self.client.set_api_key(settings.mollie_api_key)

    def _unavailable(self, exc: Exception) -> DomainError:
        log.warning("payment provider call failed: %s", type(exc).__name__)
        return DomainError(
            "service_unavailable", "The payment provider cannot be reached; try again later", service="payments"
        )

    def create_payment(
        self, *, amount_cents: int, method: str, description: str, topup_id: str, organisation_id: str
    ) -> Payment:
        if not self.settings.mollie_api_key:
            raise DomainError("service_unavailable", "Online payments are not configured", service="payments")
        try:
            payment = self.client.payments.create(
                {
                    "amount": {"currency": "EUR", "value": to_decimal_string(amount_cents)},
                    "description": description,
                    "method": METHODS[method],
                    "redirectUrl": f"{self.settings.public_url}/wallet/topups/{topup_id}/return",
                    "webhookUrl": f"{self.settings.public_url}/api/v1/wallet/payments/webhook",
                    "metadata": {"topup_id": topup_id, "organisation_id": organisation_id},
                },
                idempotency_key=topup_id,
            )
        except MollieError as exc:
            raise self._unavailable(exc) from None
        return _payment(payment)

    def get_payment(self, payment_id: str) -> Payment:
        try:
            return _payment(self.client.payments.get(payment_id))
        except MollieError as exc:
            if getattr(exc, "status", None) == 404 or type(exc).__name__ == "NotFoundError":
                raise DomainError("not_found", "The payment provider does not know this payment") from None
            raise self._unavailable(exc) from None


def _payment(resource) -> Payment:
    amount = resource.amount or {}
    return Payment(
        id=resource.id,
        status=resource.status,
        amount_cents=parse_decimal_eur(amount.get("value", "")),
        currency=amount.get("currency", ""),
        checkout_url=resource.checkout_url,
        metadata=dict(resource.metadata or {}),
    )


class Payments(DependencyProvider):
    """One provider client per container."""

    def setup(self):
        self.provider = PaymentProvider(Settings())

    def get_dependency(self, worker_ctx):
        return self.provider

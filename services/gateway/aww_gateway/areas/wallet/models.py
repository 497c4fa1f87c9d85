"""Request and response bodies of the wallet API (pydantic: unknown fields refused, strict types)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from aww_gateway.api import ApiModel


class TopupRequest(ApiModel):
    amount_cents: int = Field(description="Whole cents, EUR 50.00 (5000) to EUR 5,000.00 (500000)")
    method: Literal["bancontact", "visa", "mastercard", "maestro"]


class Topup(ApiModel):
    topup_id: str
    status: Literal["open", "paid", "failed", "canceled", "expired"]
    channel: Literal["online", "bank_transfer"]
    method: str
    amount_cents: int
    checkout_url: str | None = Field(description="Where the payer pays, while the top-up is open")
    receipt_document_id: str | None
    created_at: str
    paid_at: str | None


class SubscriptionRequest(ApiModel):
    plan: Literal["bronze", "silver", "gold"]


class Subscription(ApiModel):
    subscription_id: str
    plan: str
    allowance: int | None = Field(description="Uses included; null = unlimited")
    used: int
    valid_from: str
    valid_until: str
    amount_cents: int
    vat_cents: int
    balance_cents: int
    receipt_document_id: str


class ChargeRequest(ApiModel):
    product: str = Field(description="Product code, e.g. aml_transaction_assessment")
    reference: str = Field(description="What is paid for (e.g. the transaction's reference)", max_length=200)


class Charge(ApiModel):
    charge_id: str
    status: Literal["held", "settled", "released", "expired"]
    paid_by: Literal["subscription", "wallet"] | None
    product: str
    reference: str
    amount_cents: int = Field(description="Incl. VAT; 0 when a subscription covered it")
    vat_cents: int
    balance_cents: int | None
    receipt_document_id: str | None
    hold_id: str | None = None
    expires_at: str | None = None


class Quote(ApiModel):
    product: str
    names: dict[str, str]
    net_cents: int
    vat_cents: int
    vat_rate: str
    gross_cents: int
    covered_by_subscription: bool
    subscription: dict | None
    amount_due_cents: int
    balance_cents: int
    missing_cents: int


class BankTransfer(ApiModel):
    iban: str
    bic: str
    beneficiary: str
    communication: str = Field(description="The wallet's structured communication (+++DDD/DDDD/DDDDD+++)")
    max_cents: int


class WalletView(ApiModel):
    organisation_id: str
    balance_cents: int
    bank_transfer: BankTransfer
    online: dict
    subscriptions: list[dict]
    may_pay: bool


class Balance(ApiModel):
    organisation_id: str
    balance_cents: int


class OperationsQuery(ApiModel):
    date_from: str | None = Field(default=None, description="YYYY-MM-DD (Brussels day, inclusive)")
    date_to: str | None = Field(default=None, description="YYYY-MM-DD (Brussels day, inclusive)")
    type: Literal["topup", "charge", "subscription"] | None = None
    product: str | None = None
    user: str | None = Field(default=None, description="account id of the member who did it")
    sort: Literal["date", "type", "product", "amount", "user"] | None = None
    order: Literal["asc", "desc"] | None = None
    limit: int = Field(default=50, ge=1, le=200)
    offset: int = Field(default=0, ge=0)


class ExportQuery(ApiModel):
    date_from: str | None = None
    date_to: str | None = None
    type: Literal["topup", "charge", "subscription"] | None = None
    product: str | None = None
    user: str | None = None
    sort: Literal["date", "type", "product", "amount", "user"] | None = None
    order: Literal["asc", "desc"] | None = None


class QuoteQuery(ApiModel):
    product: str = "aml_transaction_assessment"


class TopupQuery(ApiModel):
    refresh: bool = Field(default=False, description="Ask the payment provider while the top-up is open")


class StatementImport(ApiModel):
    filename: str = Field(max_length=200)
    content_base64: str = Field(description="The camt.053 XML or CODA file, base64-encoded")


class ReviewQuery(ApiModel):
    status: Literal["open", "assigned", "dismissed"] = "open"


class ReviewDecision(ApiModel):
    action: Literal["assign", "dismiss"]
    organisation_id: str | None = None
    note: str = Field(default="", max_length=500)


class InvoiceRun(ApiModel):
    period: str = Field(description="YYYY-MM", pattern=r"^\d{4}-\d{2}$")

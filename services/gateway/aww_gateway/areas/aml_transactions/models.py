"""Request and response bodies of the AML transactions API (documented in the OpenAPI document)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from aww_gateway.api import ApiModel

TxType = Literal["sale", "rental", "long_lease", "other"]
Role = Literal["seller", "buyer", "landlord", "tenant", "representative"]
Level = Literal["simplified", "standard", "enhanced"]
State = Literal["draft", "payment_pending", "assessed", "accepted", "refused", "awaiting_officer", "reported"]
Method = Literal["transfer", "cheque", "cash", "crypto", "other"]


class Address(ApiModel):
    street: str = Field(max_length=200)
    number: str | None = Field(default=None, max_length=200)
    box: str | None = Field(default=None, max_length=200)
    postcode: str = Field(max_length=200)
    city: str = Field(max_length=200)
    country: str = Field(default="BE", min_length=2, max_length=2, description="ISO 3166-1 alpha-2")


class PaymentPart(ApiModel):
    method: Method
    amount_cents: int = Field(gt=0)
    note: str | None = Field(default=None, max_length=200)


class PaymentTerms(ApiModel):
    parts: list[PaymentPart] = Field(
        default_factory=list,
        max_length=20,
        description="How the price is paid; the parts add up to the price. Empty: all by transfer. Any cash in a "
        "sale price is flagged and must be reported to CTIF-CFI (law of 18 September 2017, art. 67).",
    )
    note: str | None = Field(default=None, max_length=2000)


class PartyRef(ApiModel):
    contact_id: str
    role: Role


class TransactionCreate(ApiModel):
    reference: str = Field(min_length=1, max_length=64, description="The office's own reference, unique per office")
    type: TxType
    property: Address
    price_cents: int = Field(gt=0, description="Price in euro cents")
    currency: Literal["EUR"] = "EUR"
    payment: PaymentTerms | None = None
    agreed_on: str | None = Field(default=None, description="YYYY-MM-DD: date of the agreement or deed")
    description: str | None = Field(default=None, max_length=2000)
    answers: dict[str, bool] | None = Field(default=None, description="Answers to the transaction questionnaire")
    parties: list[PartyRef] | None = Field(
        default=None, max_length=30, description="Contacts whose current risk profile is accepted, with their role"
    )


class TransactionUpdate(ApiModel):
    reference: str | None = Field(default=None, min_length=1, max_length=64)
    type: TxType | None = None
    property: Address | None = None
    price_cents: int | None = Field(default=None, gt=0)
    payment: PaymentTerms | None = None
    agreed_on: str | None = None
    description: str | None = Field(default=None, max_length=2000)


class Answers(ApiModel):
    answers: dict[str, bool]


class Decision(ApiModel):
    decision: Literal["accept", "refuse"]
    reason: str | None = Field(default=None, max_length=2000, description="Required to refuse")


class Escalation(ApiModel):
    motivation: str = Field(min_length=1, max_length=2000)
    proposal: Literal["accept", "refuse"] = Field(
        description="accept: the AML officer decides; refuse: the transaction is closed for good (cash in a sale "
        "price always goes to the officer, who reports it)"
    )


class TransactionQuery(ApiModel):
    q: str | None = Field(default=None, max_length=200, description="Reference, address or a party's name, partial")
    status: State | None = None
    level: Level | None = None
    type: TxType | None = None
    employee_id: str | None = None
    contact_id: str | None = Field(default=None, description="Transactions where this contact is a party")
    created_from: str | None = Field(default=None, description="YYYY-MM-DD")
    created_to: str | None = Field(default=None, description="YYYY-MM-DD")
    limit: int = Field(default=25, ge=1, le=100)
    after: str | None = Field(default=None, description="The `next` cursor of the previous page")


class QuestionsQuery(ApiModel):
    type: TxType


class EligibleQuery(ApiModel):
    q: str | None = Field(default=None, max_length=200)
    limit: int = Field(default=25, ge=1, le=100)


class Party(ApiModel):
    contact_id: str
    role: Role
    name: str
    version_no: int
    risk_profile_id: str
    level: Level


class CashFlag(ApiModel):
    code: Literal["cash_in_sale", "cash_payment"]
    cash_cents: int
    must_report: bool
    message: str


class PaymentStatus(ApiModel):
    calculation_id: str
    state: Literal["pending", "declined", "assessed"]
    idempotency_key: str
    paid_by: Literal["wallet", "subscription"] | None = None
    amount_cents: int | None = None
    vat_cents: int | None = None
    charge_id: str | None = None
    receipt_document_id: str | None = None
    paid_at: str | None = None


class Factor(ApiModel):
    id: str
    effect: str
    weight: int
    params: dict[str, Any]
    blocks_acceptance: bool
    title: str
    explanation: str
    basis: str


class Assessment(ApiModel):
    level: Level
    level_label: str
    rules_version: str
    why: str
    factors: list[Factor]
    higher_weight: int
    lower_weight: int
    assessed_at: str | None = None


class Transaction(ApiModel):
    transaction_id: str
    reference: str
    type: TxType
    state: State
    property: dict[str, str]
    price_cents: int
    currency: str
    payment: dict[str, Any]
    payment_by_method: dict[str, int]
    cash_cents: int
    cash_flag: CashFlag | None
    agreed_on: str | None
    description: str | None
    answers: dict[str, bool]
    level: Level | None
    parties: list[Party]
    missing: list[str] = Field(description="What is still needed before the vigilance calculation can be paid")
    payment_status: PaymentStatus | None
    assessment: Assessment | None
    allowed_actions: list[str]
    employee_id: str
    created_at: str
    updated_at: str
    assessed_at: str | None
    decided_at: str | None
    decided_by: str | None
    decision_reason: str | None
    escalated_at: str | None
    escalated_by: str | None
    motivation: str | None
    proposal: str | None


class PartyName(ApiModel):
    name: str
    role: Role


class TransactionSummary(ApiModel):
    transaction_id: str
    reference: str
    type: TxType
    state: State
    level: Level | None
    address: str
    price_cents: int
    currency: str
    cash_cents: int
    employee_id: str
    created_at: str
    updated_at: str
    parties: list[PartyName]


class TransactionList(ApiModel):
    items: list[TransactionSummary]
    next: str | None


class Quote(ApiModel):
    product: str
    names: dict[str, str]
    net_cents: int
    vat_cents: int
    vat_rate: str
    gross_cents: int
    covered_by_subscription: bool
    subscription: dict[str, Any] | None
    amount_due_cents: int
    balance_cents: int
    missing_cents: int


class PaymentQuote(ApiModel):
    transaction_id: str
    state: State
    missing: list[str]
    payable: bool
    product: str
    quote: Quote


class Question(ApiModel):
    id: str
    type: str
    label: str


class Questionnaire(ApiModel):
    rules_version: str
    questions: list[Question]


class EligibleContact(ApiModel):
    contact_id: str
    name: str
    kind: Literal["person", "organisation"]
    level: Level


class TimelineEntry(ApiModel):
    at: str
    actor_id: str | None
    actor_role: str
    action: str
    details: dict[str, Any]
    marker: str | None
    contact_id: str | None

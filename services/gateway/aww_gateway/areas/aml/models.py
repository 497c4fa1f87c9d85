"""Request and response bodies of the AML API (documented in the OpenAPI document)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from aww_gateway.api import ApiModel

Kind = Literal["person", "organisation"]
Level = Literal["simplified", "standard", "enhanced"]


DATA_HELP = (
    "Identification data (persons: names, birth, nationalities, address, person_number, id_document, profession, "
    "pep; organisations: name, legal_form, enterprise_number, seat, directors, representatives, ownership, "
    "senior_managers)"
)


class ContactCreate(ApiModel):
    kind: Kind
    data: dict[str, Any] = Field(description=DATA_HELP)
    answers: dict[str, Any] | None = Field(default=None, description="Answers to the contact questions of the wizard")


class ContactUpdate(ApiModel):
    data: dict[str, Any] = Field(description="Fields to replace in the draft version's identification data")


class Answers(ApiModel):
    answers: dict[str, Any]


class Decision(ApiModel):
    decision: Literal["accept", "refuse"]
    reason: str | None = Field(default=None, max_length=2000, description="Required to refuse")


class RiskProfileStart(ApiModel):
    answers: dict[str, Any] | None = None
    skip: bool = Field(default=False, description="Skip the questionnaire (only for a new contact)")


class Escalation(ApiModel):
    motivation: str = Field(min_length=1, max_length=2000)
    proposal: Literal["accept", "refuse"]


class AcceptanceRequest(ApiModel):
    version_no: int | None = Field(default=None, ge=1)
    language: Literal["nl", "fr", "en"] | None = None


class EidPrefill(ApiModel):
    certificate_pem: str = Field(
        min_length=1, max_length=20000, description="The card's authentication certificate (PEM)"
    )


class ContactQuery(ApiModel):
    q: str | None = Field(default=None, max_length=200, description="Name or number, partial, accents and case ignored")
    kind: Kind | None = None
    status: Literal["draft", "accepted", "refused"] | None = None
    level: Level | None = None
    employee_id: str | None = None
    created_from: str | None = Field(default=None, description="YYYY-MM-DD")
    created_to: str | None = Field(default=None, description="YYYY-MM-DD")
    review_due: bool = False
    limit: int = Field(default=25, ge=1, le=100)
    after: str | None = Field(default=None, description="The `next` cursor of the previous page")


class ReviewQuery(ApiModel):
    within_days: int = Field(default=30, ge=0, le=3660)


class ContactSummary(ApiModel):
    contact_id: str
    kind: Kind
    display_name: str
    number: str | None
    status: str
    level: Level | None
    current_version: int
    employee_id: str
    created_at: str
    updated_at: str
    profile_state: str | None
    review_due_on: str | None


class ContactList(ApiModel):
    items: list[ContactSummary]
    next: str | None


class Contact(ContactSummary):
    version: dict[str, Any]
    documents: list[dict[str, Any]]
    beneficial_owners: dict[str, Any] | None
    assessment: dict[str, Any] | None = None
    wizard: dict[str, Any] | None = None
    screening: dict[str, Any] | None


class VersionSummary(ApiModel):
    version_no: int
    state: str
    current: bool
    display_name: str
    level: Level | None
    created_at: str
    created_by: str
    decided_at: str | None


class Document(ApiModel):
    document_id: str
    proof_kind: str
    filename: str
    media_type: str
    size_bytes: int
    sha256: str
    uploaded_at: str
    uploaded_by: str
    withdrawn: bool


class TimelineEntry(ApiModel):
    at: str
    actor_id: str | None
    actor_role: str
    action: str
    details: dict[str, Any]
    marker: str | None
    risk_profile_id: str | None


class RiskProfile(ApiModel):
    risk_profile_id: str
    contact_id: str
    version_no: int
    state: str
    answers: dict[str, Any]
    skipped: bool
    level: Level
    assessment: dict[str, Any]
    created_at: str
    created_by: str
    decided_at: str | None
    decided_by: str | None
    decision_reason: str | None
    escalated_at: str | None
    escalated_by: str | None
    motivation: str | None
    proposal: str | None
    review_due_on: str | None
    review_of: str | None


class Questionnaire(ApiModel):
    questions: list[dict[str, Any]]
    skippable: bool
    rules_version: str


class AcceptanceDocument(ApiModel):
    document_id: str
    version_no: int
    language: str
    sha256: str
    filename: str
    size_bytes: int
    generated_at: str


class Prefill(ApiModel):
    kind: Kind
    data: dict[str, Any]
    source: str
    status: str | None = Field(default=None, description="The enterprise's status in the company register")

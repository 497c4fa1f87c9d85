"""Request and response bodies of the annual-report, audit-log and retention API."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from aww_gateway.api import ApiModel

Language = Literal["nl", "fr", "en"]
TEXT = 20_000


class Office(ApiModel):
    name: str | None = Field(default=None, max_length=200)
    enterprise_number: str | None = Field(default=None, max_length=200, description="KBO/BCE number, check digits")
    biv_number: str | None = Field(default=None, max_length=200)
    officer_name: str | None = Field(default=None, max_length=200)
    senior_responsible: str | None = Field(default=None, max_length=200)


class Texts(ApiModel):
    risk_assessment: str | None = Field(default=None, max_length=TEXT, description="last update, changes, main risks")
    procedures: str | None = Field(default=None, max_length=TEXT)
    atypical_transactions: str | None = Field(default=None, max_length=TEXT)
    training: str | None = Field(default=None, max_length=TEXT)
    action_plan: str | None = Field(default=None, max_length=TEXT, description="inspections and action plan")


class ReportUpdate(ApiModel):
    office: Office | None = None
    texts: Texts | None = None


class Finalisation(ApiModel):
    language: Language | None = Field(default=None, description="language of the archived PDF (default: yours)")


class DocumentQuery(ApiModel):
    language: Language | None = None


class ReportDocument(ApiModel):
    language: str
    document_id: str
    sha256: str
    filename: str
    size_bytes: int


class Report(ApiModel):
    report_id: str
    year: int
    state: Literal["draft", "final"]
    office: dict[str, str]
    texts: dict[str, str]
    figures: dict[str, Any] | None = Field(description="live for a draft, frozen in a final report")
    missing: list[str] = Field(description="what a final report still needs (fields named as in this API)")
    created_at: str
    updated_at: str
    updated_by: str
    finalised_at: str | None
    finalised_by: str | None
    documents: list[ReportDocument]


class ReportSummary(ApiModel):
    year: int
    state: Literal["draft", "final"]
    finalised_at: str | None


class AuditQuery(ApiModel):
    actor_id: str | None = Field(default=None, max_length=36)
    subject_kind: str | None = Field(default=None, max_length=40)
    subject_id: str | None = Field(default=None, max_length=100)
    before: str | None = Field(default=None, max_length=20, description="the `next` value of the previous page")
    limit: int = Field(default=50, ge=1, le=200)


class AuditEntry(ApiModel):
    id: int
    at: str
    actor_id: str
    actor_name: str | None
    actor_anonymised: bool
    actor_role: str
    action: str
    subject_kind: str
    subject_id: str | None
    details: dict[str, Any]


class AuditPage(ApiModel):
    items: list[AuditEntry]
    next: str | None


class RetentionQuery(ApiModel):
    limit: int = Field(default=50, ge=1, le=200)


class Retention(ApiModel):
    contact_id: str
    display_name: str
    kind: str
    status: str
    relationship_ended_on: str | None
    ended_by: Literal["office", "refusal", "none"]
    end_reason: str | None
    retain_until: str | None
    purged_at: str | None


class PurgedDocuments(ApiModel):
    purged: int = Field(description="the office's archived documents purged after their retention date")
    by_kind: dict[str, int] = Field(description="acceptance_document, goaml_report")
    last_purged_at: str | None


class RetentionOverview(ApiModel):
    today: str
    retention_years: int
    counts: dict[str, int] = Field(description="contacts: ongoing, retained, due, purged")
    transactions: dict[str, int] = Field(description="transactions: open, retained, due, purged")
    documents: PurgedDocuments | None = Field(description="null when the archive (reporting) did not answer")
    upcoming: list[Retention]


class RelationshipEnd(ApiModel):
    ended_on: str | None = Field(default=None, description="YYYY-MM-DD, not in the future (default: today)")
    reason: str | None = Field(default=None, max_length=500)

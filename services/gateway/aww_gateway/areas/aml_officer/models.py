"""Request and response bodies of the AML officer API (documented in the OpenAPI document)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from aww_gateway.api import ApiModel

Kind = Literal["risk_profile", "transaction"]
ReportState = Literal["draft", "validated", "downloaded", "submitted", "answered"]


class FourEyes(ApiModel):
    own_proposal: bool
    applies: bool = Field(description="True: another AML officer must decide (the case was proposed by this officer)")
    other_officers: int
    message: str | None


class CaseSummary(ApiModel):
    kind: Kind
    case_id: str
    title: str
    state: str
    level: str
    proposal: str | None
    motivation: str | None
    proposed_by: str | None
    proposed_by_name: str | None
    contact_ids: list[str]
    four_eyes: FourEyes


class Report(ApiModel):
    report_id: str
    kind: Kind
    case_id: str
    title: str
    state: ReportState
    revision: int
    reason: str
    indicators: list[str]
    document_id: str | None
    sha256: str | None
    filename: str | None
    created_at: str
    created_by: str
    validated_at: str | None
    downloaded_at: str | None
    submitted_at: str | None
    goaml_reference: str | None
    answered_at: str | None
    answer: Literal["continue", "stop"] | None
    answer_date: str | None
    answer_reference: str | None
    downloadable: bool = Field(description="A validated goAML file can be downloaded")


class ReportDetail(Report):
    indicator_choices: list[dict[str, str]]
    indicator_labels: list[dict[str, str]]


class Counts(ApiModel):
    awaiting_decision: int
    awaiting_cfi: int
    total: int


class Inbox(ApiModel):
    awaiting_decision: list[CaseSummary]
    awaiting_cfi: list[Report]
    counts: Counts


class NavCounts(ApiModel):
    officer: bool
    unread: int
    awaiting_decision: int
    awaiting_cfi: int
    total: int


class CaseDetail(CaseSummary):
    reports: list[Report]
    can_decide: bool
    can_report: bool
    blocked: bool = Field(description="Reported to CTIF-CFI: nothing continues until its answer is recorded")
    parties: list[dict[str, Any]]
    factors: list[dict[str, Any]]
    report_id: str | None = None


class Decision(ApiModel):
    decision: Literal["accept", "refuse", "report"]
    reason: str | None = Field(default=None, max_length=4000, description="Required to refuse or report")
    indicators: list[str] | None = Field(default=None, max_length=50, description="Indicator codes (report)")


class ReportEdit(ApiModel):
    reason: str | None = Field(default=None, max_length=4000)
    indicators: list[str] | None = Field(default=None, max_length=50)


class Submission(ApiModel):
    goaml_reference: str = Field(min_length=1, max_length=100, description="The reference goAML gave the upload")


class Answer(ApiModel):
    answer: Literal["continue", "stop"]
    answer_date: str = Field(description="Date of CTIF-CFI's answer, YYYY-MM-DD")
    answer_reference: str = Field(min_length=1, max_length=100)


class ValidateRequest(ApiModel):
    language: Literal["nl", "fr", "en"] | None = None


class TimelineEntry(ApiModel):
    at: str
    actor_id: str | None
    actor_name: str | None
    actor_role: str
    action: str
    details: dict[str, Any]
    marker: str | None = Field(description="officer | cfi | null: how the notifications page marks the entry")
    risk_profile_id: str | None


class Notification(ApiModel):
    id: int
    kind: Kind
    case_id: str
    title: str
    action: str
    actor_id: str | None
    actor_name: str | None
    at: str
    unread: bool


class Notifications(ApiModel):
    items: list[Notification]
    unread: int


class NotificationQuery(ApiModel):
    limit: int = Field(default=50, ge=1, le=200)
    mark_read: bool = False


class ReportQuery(ApiModel):
    state: ReportState | None = None
    limit: int = Field(default=100, ge=1, le=200)


class Settings(ApiModel):
    settings: dict[str, Any] = Field(
        description="rentity_id, rentity_branch, report_code_activity, report_code_transaction, transmode_code, "
        "party_role_codes {role: code}, indicators [{code, label}], location {street, number, box, postcode, "
        "city, country}, address_type_code, id_type_code, ubo_role_code, representative_role_code"
    )
    defaults: dict[str, str]
    party_roles: list[str]
    reporting_user_code: str | None


class SettingsUpdate(ApiModel):
    settings: dict[str, Any] | None = None
    reporting_user_code: str | None = Field(default=None, max_length=50, description="Your own goAML user code")

"""Request and response bodies of the organisation API (they document the OpenAPI schemas)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from aww_gateway.api import ApiModel

Role = Literal["none", "user", "aml_officer", "blocked"]
Status = Literal["pending", "confirmed", "blocked", "removed"]


class Address(ApiModel):
    street: str = Field(max_length=200, examples=["Meir 1"])
    postcode: str = Field(max_length=12, examples=["2000"])
    city: str = Field(max_length=100, examples=["Antwerpen"])
    country: str = Field(default="BE", max_length=2, description="ISO 3166 alpha-2")


class OrganisationInput(ApiModel):
    enterprise_number: str = Field(description="KBO/BCE number, with or without dots", examples=["0403.019.261"])
    name: str = Field(max_length=200)
    address: Address
    vat_liable: bool
    contact_email: str = Field(description="Your own contact e-mail in this organisation")
    contact_phone: str | None = None
    job_title: str | None = None
    email: str | None = None
    phone: str | None = None
    website: str | None = None


class OrganisationChanges(ApiModel):
    name: str | None = None
    address: Address | None = None
    vat_liable: bool | None = None
    email: str | None = None
    phone: str | None = None
    website: str | None = None


class MembershipSummary(ApiModel):
    status: Status
    admin: bool
    is_default: bool


class Organisation(ApiModel):
    organisation_id: str
    enterprise_number: str
    enterprise_number_display: str
    name: str
    address: Address
    vat_liable: bool
    vat_number: str | None
    email: str | None
    phone: str | None
    website: str | None
    created_at: str
    tools: list[str] = Field(description="Codes of the tools registered and active")
    my_membership: MembershipSummary | None


class SearchHit(ApiModel):
    organisation_id: str
    name: str
    enterprise_number: str
    city: str
    my_status: Status | None


class SearchQuery(ApiModel):
    q: str = Field(min_length=2, max_length=100, description="Part of the name or enterprise number")


class MyOrganisation(ApiModel):
    organisation_id: str
    name: str
    enterprise_number: str
    city: str
    status: Status
    admin: bool
    is_default: bool
    active: bool


class OrganisationChoice(ApiModel):
    organisation_id: str | None


class ActiveOrganisation(ApiModel):
    organisation_id: str
    name: str


class JoinRequest(ApiModel):
    contact_email: str
    contact_phone: str | None = None
    job_title: str | None = None
    message: str | None = Field(default=None, max_length=1000)


class JoinAnswer(ApiModel):
    organisation_id: str
    name: str
    status: Status


class Accreditations(ApiModel):
    eid_linked: bool
    kinds: list[str]


class Member(ApiModel):
    account_id: str
    display_name: str | None
    username: str | None
    status: Status
    admin: bool
    job_title: str | None
    branch_id: str | None
    branch_name: str | None
    roles: dict[str, Role]
    accreditations: Accreditations
    requested_at: str
    decided_at: str | None
    contact_email: str | None = None
    contact_phone: str | None = None
    message: str | None = None


class MemberQuery(ApiModel):
    status: Literal["pending", "confirmed", "blocked"] | None = None


class MemberChanges(ApiModel):
    contact_email: str | None = None
    contact_phone: str | None = None
    job_title: str | None = None
    branch_id: str | None = Field(default=None, description="Admins only; empty string detaches")


class Approval(ApiModel):
    approve: bool


class AdminFlag(ApiModel):
    admin: bool


class BlockedFlag(ApiModel):
    blocked: bool


class BranchInput(ApiModel):
    name: str = Field(max_length=100)
    address: Address
    email: str | None = None
    phone: str | None = None


class BranchChanges(ApiModel):
    name: str | None = None
    address: Address | None = None
    email: str | None = None
    phone: str | None = None


class Branch(ApiModel):
    branch_id: str
    name: str
    address: Address
    email: str | None
    phone: str | None
    members: int | None = None


class Tool(ApiModel):
    code: str
    name: str
    description: str
    roles: list[Role]
    register_requires: list[list[str]] = Field(
        description="Clauses that must all hold; one accreditation of each clause is enough (biv, sf323, cib, eid)"
    )
    role_requires: dict[str, list[list[str]]]
    requires_allow_list: bool
    accreditation_kinds: list[str]


class OrganisationTool(Tool):
    registered: bool
    registered_at: str | None
    registered_by: str | None
    allow_listed: bool
    active: bool
    holders: dict[str, list[str]] = Field(description="Accreditation → names of the members who hold it")
    my_role: Role
    my_register_gaps: list[str]


class ToolRegistration(ApiModel):
    tool: str


class ToolMember(ApiModel):
    account_id: str
    display_name: str | None
    admin: bool
    role: Role
    missing: dict[str, list[str]] = Field(description="Role → accreditations the member lacks for it")


class RoleChoice(ApiModel):
    role: Role


class RoleAnswer(ApiModel):
    account_id: str
    tool: str
    role: Role


class DefaultOrganisation(ApiModel):
    default_organisation_id: str | None


class MembershipDecided(ApiModel):
    account_id: str
    status: Literal["confirmed", "removed"]


class AdminChanged(ApiModel):
    account_id: str
    admin: bool


class MemberStatus(ApiModel):
    account_id: str
    status: Status


class ToolRegistered(ApiModel):
    tool: str
    registered: bool


class OfficerEnded(ApiModel):
    account_id: str
    role: Role = Field(description="The member's AML tool role from now on")
    warning: bool = Field(description="The AML tool has users and now no AML officer")


class AllowListAdded(ApiModel):
    tool: str
    enterprise_number: str


class Officer(ApiModel):
    account_id: str
    display_name: str | None


class OfficerRequest(ApiModel):
    account_id: str
    display_name: str | None
    position: str
    requested_at: str


class OfficerStatus(ApiModel):
    organisation_id: str
    tool_registered: bool
    tool_active: bool
    officers: list[Officer]
    users: int
    has_officer: bool
    warning: bool = Field(description="Users of the AML tool and no AML officer: show the warning")
    my_role: Role
    can_enrol: bool
    enrol_outcome: Literal["appointed", "requested"] | None
    my_missing: list[str]
    my_request_pending: bool
    pending_requests: list[OfficerRequest]


class Enrolment(ApiModel):
    position: str = Field(max_length=100, description="Your position in the office")
    declaration: bool = Field(
        description="You have the experience, rank and autonomy the role needs (not a receptionist)"
    )


class EnrolmentOutcome(ApiModel):
    outcome: Literal["appointed", "requested"]


class ActivityEntry(ApiModel):
    at: str
    action: str
    actor: str | None
    subject: str | None
    details: dict


class AllowListEntry(ApiModel):
    enterprise_number: str
    note: str | None
    added_at: str
    organisation_name: str | None
    organisation_id: str | None


class AllowListInput(ApiModel):
    enterprise_number: str
    note: str | None = Field(default=None, max_length=300)


class AuthorizationQuery(ApiModel):
    tool: str
    action: Literal["use", "officer", "register", "manage"]


class Decision(ApiModel):
    allowed: bool
    role: Role
    reason: str

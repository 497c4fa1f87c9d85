"""Rows as the JSON the RPCs answer with (ids as text, times as ISO 8601 UTC)."""

from __future__ import annotations

from aww_organisation import store
from aww_organisation.domain.catalogue import Facts, Tool
from aww_organisation.domain.rules import missing_kinds
from belgian_ids import format_enterprise_number


def iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def address_of(row) -> dict:
    return {"street": row.street, "postcode": row.postcode, "city": row.city, "country": row.country}


def organisation_view(row, membership=None, tools: list[str] | None = None) -> dict:
    return {
        "organisation_id": str(row.id),
        "enterprise_number": row.enterprise_number,
        "enterprise_number_display": format_enterprise_number(row.enterprise_number),
        "name": row.name,
        "address": address_of(row),
        "vat_liable": row.vat_liable,
        "vat_number": f"BE{row.enterprise_number}" if row.vat_liable else None,
        "email": row.email,
        "phone": row.phone,
        "website": row.website,
        "created_at": iso(row.created_at),
        "tools": tools or [],
        "my_membership": membership_summary(membership),
    }


def membership_summary(row) -> dict | None:
    if row is None:
        return None
    return {"status": row.status, "admin": row.admin, "is_default": row.is_default}


def accreditations_view(account_row) -> dict:
    if account_row is None:
        return {"eid_linked": False, "kinds": []}
    facts = Facts.of(account_row.eid_linked, account_row.accreditations)
    return {"eid_linked": facts.eid_linked, "kinds": sorted(facts.accreditations)}


def member_view(row, account_row, roles: dict, branch_names: dict, *, with_contact: bool) -> dict:
    view = {
        "account_id": str(row.account_id),
        "display_name": store.display_name(account_row),
        "username": None if account_row is None or account_row.anonymised else account_row.username,
        "status": row.status,
        "admin": row.admin,
        "job_title": row.job_title,
        "branch_id": str(row.branch_id) if row.branch_id else None,
        "branch_name": branch_names.get(row.branch_id),
        "roles": roles,
        "accreditations": accreditations_view(account_row),
        "requested_at": iso(row.requested_at),
        "decided_at": iso(row.decided_at),
    }
    if with_contact:
        view |= {"contact_email": row.contact_email, "contact_phone": row.contact_phone, "message": row.message}
    return view


def branch_view(row) -> dict:
    return {
        "branch_id": str(row.id),
        "name": row.name,
        "address": address_of(row),
        "email": row.email,
        "phone": row.phone,
    }


def requirement_view(requirement) -> list[list[str]]:
    return [list(clause) for clause in requirement]


def tool_view(tool: Tool) -> dict:
    return {
        "code": tool.code,
        "name": tool.name,
        "description": tool.description,
        "roles": list(tool.roles),
        "register_requires": requirement_view(tool.register_requires),
        "role_requires": {role: requirement_view(tool.requirement_for(role)) for role in tool.roles},
        "requires_allow_list": tool.requires_allow_list,
        "accreditation_kinds": tool.accreditation_kinds(),
    }


def gaps_view(gaps) -> list[str]:
    return missing_kinds(gaps)

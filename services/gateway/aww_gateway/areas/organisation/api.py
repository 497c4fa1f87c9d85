"""The organisation API: /api/v1/organisations/…, /api/v1/me/…, /api/v1/tools, /api/v1/platform/allow-lists.

Handlers pass the request on to the organisation service, which checks every right itself
(DESIGN.md §7); the gateway only shapes the HTTP side.
"""

from __future__ import annotations

from aww_gateway.api import ApiCall, operation_factory
from aww_gateway.areas.organisation import models as m
from aww_gateway.areas.organisation.names import remember

S = "organisation"
TAG = "organisations"
ORG = "/api/v1/organisations/{organisation_id}"
NOT_FOUND = ("not_found", "forbidden")


def _body(call: ApiCall, *, drop_unset: bool = True) -> dict:
    return call.body.model_dump(exclude_unset=drop_unset)


async def create_organisation(call: ApiCall):
    organisation = await call.rpc(S, "create_organisation", **_body(call))
    remember(call.request, organisation)
    return organisation


async def search_organisations(call: ApiCall):
    return await call.rpc(S, "search_organisations", query=call.query.q)


async def my_organisations(call: ApiCall):
    return await call.rpc(S, "my_organisations")


async def set_default(call: ApiCall):
    return await call.rpc(S, "set_default_organisation", organisation_id=call.body.organisation_id)


async def switch(call: ApiCall):
    answer = await call.rpc(S, "switch_organisation", organisation_id=call.body.organisation_id)
    remember(call.request, answer)
    return answer


async def get_organisation(call: ApiCall):
    organisation = await call.rpc(S, "get_organisation", organisation_id=call.path["organisation_id"])
    remember(call.request, organisation)
    return organisation


async def update_organisation(call: ApiCall):
    organisation = await call.rpc(S, "update_organisation", organisation_id=call.path["organisation_id"], **_body(call))
    remember(call.request, organisation)
    return organisation


async def list_members(call: ApiCall):
    statuses = [call.query.status] if call.query and call.query.status else None
    return await call.rpc(S, "list_members", organisation_id=call.path["organisation_id"], statuses=statuses)


async def get_member(call: ApiCall):
    return await call.rpc(S, "get_member", **call.path)


async def update_member(call: ApiCall):
    return await call.rpc(S, "update_member", **call.path, **_body(call))


async def request_membership(call: ApiCall):
    return await call.rpc(S, "request_membership", organisation_id=call.path["organisation_id"], **_body(call))


async def withdraw_request(call: ApiCall):
    await call.rpc(S, "withdraw_request", organisation_id=call.path["organisation_id"])


async def leave(call: ApiCall):
    await call.rpc(S, "leave_organisation", organisation_id=call.path["organisation_id"])


async def decide_membership(call: ApiCall):
    return await call.rpc(S, "decide_membership", **call.path, approve=call.body.approve)


async def set_admin(call: ApiCall):
    return await call.rpc(S, "set_admin", **call.path, admin=call.body.admin)


async def block_member(call: ApiCall):
    return await call.rpc(S, "block_member", **call.path, blocked=call.body.blocked)


async def remove_member(call: ApiCall):
    await call.rpc(S, "remove_member", **call.path)


async def list_branches(call: ApiCall):
    return await call.rpc(S, "list_branches", organisation_id=call.path["organisation_id"])


async def create_branch(call: ApiCall):
    return await call.rpc(S, "create_branch", organisation_id=call.path["organisation_id"], **_body(call))


async def update_branch(call: ApiCall):
    return await call.rpc(S, "update_branch", **call.path, **_body(call))


async def tool_catalogue(call: ApiCall):
    return await call.rpc(S, "tool_catalogue")


async def list_tools(call: ApiCall):
    return await call.rpc(S, "list_tools", organisation_id=call.path["organisation_id"])


async def register_tool(call: ApiCall):
    return await call.rpc(S, "register_tool", organisation_id=call.path["organisation_id"], tool=call.body.tool)


async def tool_members(call: ApiCall):
    return await call.rpc(S, "tool_members", organisation_id=call.path["organisation_id"], tool=call.path["tool"])


async def set_tool_role(call: ApiCall):
    return await call.rpc(S, "set_tool_role", **call.path, role=call.body.role)


async def officer_status(call: ApiCall):
    return await call.rpc(S, "aml_officer_status", organisation_id=call.path["organisation_id"])


async def enrol(call: ApiCall):
    return await call.rpc(
        S, "enrol_aml_officer", organisation_id=call.path["organisation_id"], **_body(call, drop_unset=False)
    )


async def decide_officer(call: ApiCall):
    return await call.rpc(S, "decide_officer_request", **call.path, approve=call.body.approve)


async def end_officer(call: ApiCall):
    return await call.rpc(S, "end_aml_officer", **call.path)


async def activity(call: ApiCall):
    return await call.rpc(S, "activity", organisation_id=call.path["organisation_id"])


async def allow_list(call: ApiCall):
    return await call.rpc(S, "allow_list", tool=call.path["tool"])


async def add_to_allow_list(call: ApiCall):
    return await call.rpc(S, "add_to_allow_list", tool=call.path["tool"], **_body(call))


async def remove_from_allow_list(call: ApiCall):
    await call.rpc(S, "remove_from_allow_list", **call.path)


async def authorization(call: ApiCall):
    """The caller's own rights; other services ask organisation.authorize over RPC."""
    return await call.rpc(
        S,
        "authorize",
        account_id=call.principal["account_id"],
        organisation_id=call.path["organisation_id"],
        tool=call.query.tool,
        action=call.query.action,
    )


op = operation_factory(tag=TAG)

MEMBER = ORG + "/members/{account_id}"

OPERATIONS = [
    op("POST", "/api/v1/organisations", "createOrganisation", "Create an organisation; you become its admin",
       create_organisation, body=m.OrganisationInput, response=m.Organisation, status=201, errors=("conflict",)),
    op("GET", "/api/v1/organisations", "searchOrganisations", "Find organisations to join by name or enterprise number",
       search_organisations, query=m.SearchQuery, response=list[m.SearchHit]),
    op("GET", "/api/v1/me/organisations", "listMyOrganisations", "Your memberships, the starred and the active one",
       my_organisations, response=list[m.MyOrganisation]),
    op("PUT", "/api/v1/me/default-organisation", "setDefaultOrganisation",
       "Star the organisation used by default at login (null: none)", set_default, body=m.OrganisationChoice,
       response=m.DefaultOrganisation, errors=(*NOT_FOUND, "conflict")),
    op("PUT", "/api/v1/me/active-organisation", "switchOrganisation",
       "Work in another organisation: changes the active organisation of this session", switch,
       body=m.OrganisationChoice, response=m.ActiveOrganisation, errors=NOT_FOUND),
    op("GET", ORG, "getOrganisation", "One organisation (members and platform administrators)", get_organisation,
       response=m.Organisation, errors=NOT_FOUND),
    op("PATCH", ORG, "updateOrganisation", "Edit the organisation's details (admins)", update_organisation,
       body=m.OrganisationChanges, response=m.Organisation, errors=NOT_FOUND),
    op("GET", ORG + "/members", "listMembers", "Members; admins also see pending and blocked ones", list_members,
       query=m.MemberQuery, response=list[m.Member], errors=NOT_FOUND),
    op("GET", MEMBER, "getMember", "One member", get_member, response=m.Member, errors=NOT_FOUND),
    op("PATCH", MEMBER, "updateMember", "Edit a member's details in this organisation (admins, or the member)",
       update_member, body=m.MemberChanges, response=m.Member, errors=NOT_FOUND),
    op("DELETE", MEMBER, "removeMember", "Remove a member (admins; the last admin stays)", remove_member,
       status=204, errors=(*NOT_FOUND, "conflict")),
    op("POST", ORG + "/membership-requests", "requestMembership",
       "Ask to join; you wait for an admin's confirmation", request_membership, body=m.JoinRequest,
       response=m.JoinAnswer, status=201, errors=("not_found", "conflict")),
    op("DELETE", ORG + "/membership-requests/mine", "withdrawMembershipRequest", "Withdraw your request to join",
       withdraw_request, status=204, errors=("not_found",)),
    op("POST", ORG + "/leave", "leaveOrganisation", "Leave the organisation (not as its last admin)", leave,
       status=204, errors=(*NOT_FOUND, "conflict")),
    op("PUT", MEMBER + "/decision", "decideMembership", "Confirm or refuse a request to join (admins)",
       decide_membership, body=m.Approval, response=m.MembershipDecided, errors=(*NOT_FOUND, "conflict")),
    op("PUT", MEMBER + "/admin", "setAdmin", "Grant or take away the admin right", set_admin, body=m.AdminFlag,
       response=m.AdminChanged, errors=(*NOT_FOUND, "conflict")),
    op("PUT", MEMBER + "/blocked", "blockMember", "Block or unblock a member (admins)", block_member,
       body=m.BlockedFlag, response=m.MemberStatus, errors=(*NOT_FOUND, "conflict")),
    op("GET", ORG + "/branches", "listBranches", "Branches (vestigingen)", list_branches, response=list[m.Branch],
       errors=NOT_FOUND),
    op("POST", ORG + "/branches", "createBranch", "Add a branch (admins)", create_branch, body=m.BranchInput,
       response=m.Branch, status=201, errors=(*NOT_FOUND, "conflict")),
    op("PATCH", ORG + "/branches/{branch_id}", "updateBranch", "Edit a branch (admins)", update_branch,
       body=m.BranchChanges, response=m.Branch, errors=(*NOT_FOUND, "conflict")),
    op("GET", "/api/v1/tools", "toolCatalogue", "The tools and the accreditations they need", tool_catalogue,
       response=list[m.Tool], auth="public"),
    op("GET", ORG + "/tools", "listOrganisationTools",
       "Tools for this organisation: registered, allow-listed, who holds the accreditations", list_tools,
       response=list[m.OrganisationTool], errors=NOT_FOUND),
    op("POST", ORG + "/tools", "registerTool", "Register a tool (admins holding its accreditations)", register_tool,
       body=m.ToolRegistration, response=m.ToolRegistered, status=201,
       errors=(*NOT_FOUND, "conflict", "accreditation_missing")),
    op("GET", ORG + "/tools/{tool}/members", "listToolMembers", "Each member's role in a tool (admins)",
       tool_members, response=list[m.ToolMember], errors=NOT_FOUND),
    op("PUT", ORG + "/tools/{tool}/members/{account_id}", "setToolRole",
       "Set a member's access to a tool; refused naming a missing accreditation", set_tool_role,
       body=m.RoleChoice, response=m.RoleAnswer, errors=(*NOT_FOUND, "conflict", "accreditation_missing")),
    op("GET", ORG + "/aml-officer", "getAmlOfficerStatus",
       "The AML officers, the no-officer warning and what you can do", officer_status, response=m.OfficerStatus,
       errors=NOT_FOUND),
    op("POST", ORG + "/aml-officer/enrolment", "enrolAmlOfficer",
       "Become AML officer: at once as the first one or as admin, else after an admin's approval", enrol,
       body=m.Enrolment, response=m.EnrolmentOutcome, status=201,
       errors=(*NOT_FOUND, "conflict", "accreditation_missing")),
    op("PUT", ORG + "/aml-officer/requests/{account_id}/decision", "decideAmlOfficerRequest",
       "Approve or refuse a request to become AML officer (admins)", decide_officer, body=m.Approval,
       response=m.RoleAnswer, errors=(*NOT_FOUND, "conflict", "accreditation_missing")),
    op("DELETE", ORG + "/aml-officer/officers/{account_id}", "endAmlOfficer",
       "End an AML officer role (admins, or the officer); the person stays a user", end_officer,
       response=m.OfficerEnded, errors=(*NOT_FOUND, "conflict")),
    op("GET", ORG + "/activity", "listOrganisationActivity", "Who did what (admins)", activity,
       response=list[m.ActivityEntry], errors=NOT_FOUND),
    op("GET", ORG + "/authorization", "authorizeMe", "May I do this action with this tool here?", authorization,
       query=m.AuthorizationQuery, response=m.Decision),
    op("GET", "/api/v1/platform/allow-lists/{tool}", "listAllowList",
       "Enterprise numbers allowed to register the tool (platform administrators)", allow_list,
       response=list[m.AllowListEntry], auth="platform_admin", tag="platform administration"),
    op("POST", "/api/v1/platform/allow-lists/{tool}", "addToAllowList", "Allow an enterprise number",
       add_to_allow_list, body=m.AllowListInput, response=m.AllowListAdded, status=201,
       auth="platform_admin", errors=("conflict",),
       tag="platform administration"),
    op("DELETE", "/api/v1/platform/allow-lists/{tool}/{enterprise_number}", "removeFromAllowList",
       "Take an enterprise number off the allow-list: the tool is suspended for that organisation",
       remove_from_allow_list, status=204, auth="platform_admin", errors=("not_found",),
       tag="platform administration"),
]  # fmt: skip

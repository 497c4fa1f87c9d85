"""The organisation pages: list, search, create, join, choose and switch, detail with members,
requests, branches, tools, per-tool roles, the AML officer, activity; the operator's allow-list.

Every page works without JavaScript: forms post and redirect (303) back with a short notice; a
refused form is shown again with the problem next to the field (status 400/403/409).
"""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from aww_gateway.areas.organisation import labels
from aww_gateway.areas.organisation.names import remember, remember_all
from aww_gateway.context import call, language_of
from aww_gateway.i18n import N_, gettext
from aww_gateway.problems import Problem, problem_from_rpc_error
from aww_gateway.rpc_client import RemoteError
from aww_gateway.web import login_required, safe_next, web

S = "organisation"
SHOWN_AGAIN = ("validation_failed", "conflict", "accreditation_missing", "forbidden")


def _t(request: Request, text: str) -> str:
    return gettext(language_of(request), text)


def _clean(value) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _go(request: Request, path: str, flash: str | None = None) -> Response:
    target = path + (("&" if "?" in path else "?") + urlencode({"flash": flash}) if flash else "")
    return web(request).redirect(request, target)


def _messages(request: Request) -> list[dict]:
    key = request.query_params.get("flash")
    if key in labels.FLASH:
        return [{"kind": "ok", "text": _t(request, labels.FLASH[key])}]
    return []


def _problem(exc: RemoteError) -> Problem | None:
    problem = problem_from_rpc_error(exc)
    return problem if problem.code in SHOWN_AGAIN else None


def _field_errors(problem: Problem | None) -> dict:
    if problem is None:
        return {}
    return {error["field"]: error["message"] for error in problem.extra.get("errors", []) if "field" in error}


async def _rpc(request: Request, method: str, **kwargs):
    return await call(request, S, method, **kwargs)


def _render(request: Request, template: str, context: dict, problem: Problem | None = None) -> Response:
    values = {
        "labels": labels,
        "messages": _messages(request),
        "problem": problem,
        "errors": _field_errors(problem),
        **context,
    }
    if problem is not None:
        values["messages"] = [{"kind": "error", "text": problem.detail}]
    return web(request).render(request, template, values, status=problem.status if problem else 200)


async def _organisation(request: Request) -> dict:
    organisation = await _rpc(request, "get_organisation", organisation_id=request.path_params["organisation_id"])
    remember(request, organisation)
    return organisation


async def _page(request: Request, template: str, tab: str, extra: dict | None = None, problem=None) -> Response:
    organisation = await _organisation(request)
    mine = organisation["my_membership"] or {}
    context = {
        "organisation": organisation,
        "tab": tab,
        "is_admin": bool(mine.get("admin")) and mine.get("status") == "confirmed",
        "is_member": mine.get("status") == "confirmed",
        **(extra or {}),
    }
    return _render(request, template, context, problem)


def _address(form) -> dict:
    return {
        "street": _clean(form.get("street")) or "",
        "postcode": _clean(form.get("postcode")) or "",
        "city": _clean(form.get("city")) or "",
        "country": (_clean(form.get("country")) or "BE").upper(),
    }


# ---- my organisations, search, create, choose --------------------------------------------------


@login_required
async def my_organisations(request: Request):
    mine = await _rpc(request, "my_organisations")
    remember_all(request, mine)
    query = _clean(request.query_params.get("q"))
    results, problem = None, None
    if query:
        try:
            results = await _rpc(request, "search_organisations", query=query)
        except RemoteError as exc:
            problem = _problem(exc)
            if problem is None:
                raise
    return _render(request, "organisation/list.html", {"mine": mine, "query": query or "", "results": results}, problem)


@login_required
async def new_organisation(request: Request):
    form_values: dict = {"country": "BE", "vat_liable": True}
    problem = None
    if request.method == "POST":
        form = await web(request).form(request)
        form_values = {key: form.get(key) for key in form if key != "csrf_token"}
        form_values["vat_liable"] = form.get("vat_liable") == "on"
        try:
            organisation = await _rpc(
                request,
                "create_organisation",
                enterprise_number=_clean(form.get("enterprise_number")) or "",
                name=_clean(form.get("name")) or "",
                address=_address(form),
                vat_liable=form.get("vat_liable") == "on",
                contact_email=_clean(form.get("contact_email")) or "",
                contact_phone=_clean(form.get("contact_phone")),
                job_title=_clean(form.get("job_title")),
                email=_clean(form.get("email")),
                phone=_clean(form.get("phone")),
                website=_clean(form.get("website")),
            )
        except RemoteError as exc:
            problem = _problem(exc)
            if problem is None:
                raise
        else:
            remember(request, organisation)
            return _go(request, f"/organisations/{organisation['organisation_id']}", "created")
    return _render(request, "organisation/new.html", {"form": form_values}, problem)


@login_required
async def choose(request: Request):
    """Where login sends a user: the starred (or only) organisation is used at once; with several
    the user picks; with none they find or create one."""
    target = safe_next(request.query_params.get("next"), "/")
    principal = request.state.principal
    mine = [m for m in await _rpc(request, "my_organisations") if m["status"] == "confirmed"]
    remember_all(request, mine)
    if not mine:
        return _go(request, "/organisations")
    if not principal.get("organisation_id") and request.query_params.get("pick") != "1":
        chosen = await _rpc(request, "choose_at_login")
        if chosen["organisation_id"]:
            await _rpc(request, "switch_organisation", organisation_id=chosen["organisation_id"])
            return _go(request, target)
    return _render(request, "organisation/choose.html", {"mine": mine, "next": target})


@login_required
async def switch(request: Request):
    form = await web(request).form(request)
    organisation_id = request.path_params["organisation_id"]
    answer = await _rpc(request, "switch_organisation", organisation_id=organisation_id)
    remember(request, answer)
    target = safe_next(_clean(form.get("next")), f"/organisations/{organisation_id}")
    return _go(request, target, "switched" if target.startswith("/organisations") else None)


@login_required
async def star(request: Request):
    await web(request).form(request)
    await _rpc(request, "set_default_organisation", organisation_id=request.path_params["organisation_id"])
    return _go(request, "/organisations", "starred")


@login_required
async def join(request: Request):
    organisation_id = request.path_params["organisation_id"]
    hits = None
    form_values: dict = {}
    problem = None
    if request.method == "POST":
        form = await web(request).form(request)
        form_values = {key: form.get(key) for key in form if key != "csrf_token"}
        try:
            await _rpc(
                request,
                "request_membership",
                organisation_id=organisation_id,
                contact_email=_clean(form.get("contact_email")) or "",
                contact_phone=_clean(form.get("contact_phone")),
                job_title=_clean(form.get("job_title")),
                message=_clean(form.get("message")),
            )
        except RemoteError as exc:
            problem = _problem(exc)
            if problem is None:
                raise
        else:
            return _go(request, "/organisations", "requested")
    name = _clean(request.query_params.get("name"))
    if name:
        hits = [
            h
            for h in await _rpc(request, "search_organisations", query=name)
            if h["organisation_id"] == organisation_id
        ]
    target = hits[0] if hits else {"organisation_id": organisation_id, "name": name}
    return _render(request, "organisation/join.html", {"target": target, "form": form_values}, problem)


@login_required
async def withdraw(request: Request):
    await web(request).form(request)
    await _rpc(request, "withdraw_request", organisation_id=request.path_params["organisation_id"])
    return _go(request, "/organisations", "withdrawn")


# ---- one organisation ------------------------------------------------------------------------------


@login_required
async def overview(request: Request):
    organisation_id = request.path_params["organisation_id"]
    status = await _rpc(request, "aml_officer_status", organisation_id=organisation_id)
    branches = await _rpc(request, "list_branches", organisation_id=organisation_id)
    return await _page(request, "organisation/overview.html", "overview", {"aml": status, "branches": branches})


@login_required
async def edit(request: Request):
    problem, form_values = None, None
    if request.method == "POST":
        form = await web(request).form(request)
        form_values = {key: form.get(key) for key in form if key != "csrf_token"}
        form_values["vat_liable"] = form.get("vat_liable") == "on"
        try:
            await _rpc(
                request,
                "update_organisation",
                organisation_id=request.path_params["organisation_id"],
                name=_clean(form.get("name")) or "",
                address=_address(form),
                vat_liable=form.get("vat_liable") == "on",
                email=_clean(form.get("email")),
                phone=_clean(form.get("phone")),
                website=_clean(form.get("website")),
            )
        except RemoteError as exc:
            problem = _problem(exc)
            if problem is None:
                raise
        else:
            return _go(request, f"/organisations/{request.path_params['organisation_id']}", "saved")
    return await _page(request, "organisation/edit.html", "overview", {"form": form_values}, problem)


@login_required
async def members(request: Request):
    organisation_id = request.path_params["organisation_id"]
    everyone = await _rpc(request, "list_members", organisation_id=organisation_id)
    return await _page(
        request,
        "organisation/members.html",
        "members",
        {
            "pending": [m for m in everyone if m["status"] == "pending"],
            "confirmed": [m for m in everyone if m["status"] == "confirmed"],
            "blocked": [m for m in everyone if m["status"] == "blocked"],
        },
    )


async def _member_context(request: Request) -> dict:
    organisation_id = request.path_params["organisation_id"]
    member = await _rpc(
        request, "get_member", organisation_id=organisation_id, account_id=request.path_params["account_id"]
    )
    branches = await _rpc(request, "list_branches", organisation_id=organisation_id)
    tools = await _rpc(request, "list_tools", organisation_id=organisation_id)
    return {"member": member, "branches": branches, "tools": [t for t in tools if t["active"]]}


@login_required
async def member(request: Request):
    problem, form_values = None, None
    if request.method == "POST":
        form = await web(request).form(request)
        form_values = {key: form.get(key) for key in form if key != "csrf_token"}
        changes = {
            "contact_email": _clean(form.get("contact_email")) or "",
            "contact_phone": _clean(form.get("contact_phone")),
            "job_title": _clean(form.get("job_title")),
        }
        if "branch_id" in form:
            changes["branch_id"] = _clean(form.get("branch_id"))
        try:
            await _rpc(request, "update_member", **request.path_params, **changes)
        except RemoteError as exc:
            problem = _problem(exc)
            if problem is None:
                raise
        else:
            return _go(request, request.url.path, "saved")
    context = await _member_context(request)
    context["form"] = form_values
    return await _page(request, "organisation/member.html", "members", context, problem)


async def _member_action(request: Request, method: str, flash: str, back: str | None = None, **kwargs) -> Response:
    """Run one admin action from a form; a refusal is shown on the member page."""
    await web(request).form(request)
    organisation_id = request.path_params["organisation_id"]
    back = back or f"/organisations/{organisation_id}/members/{request.path_params['account_id']}"
    try:
        await _rpc(request, method, **request.path_params, **kwargs)
    except RemoteError as exc:
        problem = _problem(exc)
        if problem is None:
            raise
        if back.endswith("/members"):
            everyone = await _rpc(request, "list_members", organisation_id=organisation_id)
            return await _page(
                request,
                "organisation/members.html",
                "members",
                {
                    "pending": [m for m in everyone if m["status"] == "pending"],
                    "confirmed": [m for m in everyone if m["status"] == "confirmed"],
                    "blocked": [m for m in everyone if m["status"] == "blocked"],
                },
                problem,
            )
        context = await _member_context(request)
        return await _page(request, "organisation/member.html", "members", context, problem)
    return _go(request, back, flash)


@login_required
async def decide(request: Request):
    form = await web(request).form(request)
    approve = form.get("approve") == "1"
    back = f"/organisations/{request.path_params['organisation_id']}/members"
    return await _member_action(
        request, "decide_membership", "confirmed" if approve else "refused", back, approve=approve
    )


@login_required
async def admin_flag(request: Request):
    form = await web(request).form(request)
    return await _member_action(request, "set_admin", "saved", admin=form.get("admin") == "1")


@login_required
async def block(request: Request):
    form = await web(request).form(request)
    return await _member_action(request, "block_member", "saved", blocked=form.get("blocked") == "1")


@login_required
async def remove(request: Request):
    back = f"/organisations/{request.path_params['organisation_id']}/members"
    return await _member_action(request, "remove_member", "removed", back)


@login_required
async def role(request: Request):
    form = await web(request).form(request)
    back = _clean(form.get("back"))
    organisation_id = request.path_params["organisation_id"]
    tool = _clean(form.get("tool")) or ""
    target = safe_next(back, f"/organisations/{organisation_id}/members/{request.path_params['account_id']}")
    try:
        await _rpc(
            request,
            "set_tool_role",
            organisation_id=organisation_id,
            account_id=request.path_params["account_id"],
            tool=tool,
            role=_clean(form.get("role")) or "",
        )
    except RemoteError as exc:
        problem = _problem(exc)
        if problem is None:
            raise
        if target.startswith(f"/organisations/{organisation_id}/tools/"):
            return await _tool_page(request, tool, problem)
        return await _page(request, "organisation/member.html", "members", await _member_context(request), problem)
    return _go(request, target, "saved")


@login_required
async def leave(request: Request):
    await web(request).form(request)
    organisation_id = request.path_params["organisation_id"]
    try:
        await _rpc(request, "leave_organisation", organisation_id=organisation_id)
    except RemoteError as exc:
        problem = _problem(exc)
        if problem is None:
            raise
        status = await _rpc(request, "aml_officer_status", organisation_id=organisation_id)
        branches = await _rpc(request, "list_branches", organisation_id=organisation_id)
        return await _page(
            request, "organisation/overview.html", "overview", {"aml": status, "branches": branches}, problem
        )
    return _go(request, "/organisations", "left")


# ---- branches ------------------------------------------------------------------------------------------


@login_required
async def branches(request: Request):
    organisation_id = request.path_params["organisation_id"]
    problem, form_values = None, None
    if request.method == "POST":
        form = await web(request).form(request)
        form_values = {key: form.get(key) for key in form if key != "csrf_token"}
        try:
            await _rpc(
                request,
                "create_branch",
                organisation_id=organisation_id,
                name=_clean(form.get("name")) or "",
                address=_address(form),
                email=_clean(form.get("email")),
                phone=_clean(form.get("phone")),
            )
        except RemoteError as exc:
            problem = _problem(exc)
            if problem is None:
                raise
        else:
            return _go(request, f"/organisations/{organisation_id}/branches", "saved")
    listed = await _rpc(request, "list_branches", organisation_id=organisation_id)
    context = {"branches": listed, "form": form_values or {"country": "BE"}}
    return await _page(request, "organisation/branches.html", "branches", context, problem)


@login_required
async def branch(request: Request):
    organisation_id = request.path_params["organisation_id"]
    branch_id = request.path_params["branch_id"]
    problem, form_values = None, None
    if request.method == "POST":
        form = await web(request).form(request)
        form_values = {key: form.get(key) for key in form if key != "csrf_token"}
        try:
            await _rpc(
                request,
                "update_branch",
                organisation_id=organisation_id,
                branch_id=branch_id,
                name=_clean(form.get("name")) or "",
                address=_address(form),
                email=_clean(form.get("email")),
                phone=_clean(form.get("phone")),
            )
        except RemoteError as exc:
            problem = _problem(exc)
            if problem is None:
                raise
        else:
            return _go(request, f"/organisations/{organisation_id}/branches", "saved")
    listed = await _rpc(request, "list_branches", organisation_id=organisation_id)
    found = next((b for b in listed if b["branch_id"] == branch_id), None)
    if found is None:
        raise Problem("not_found", _t(request, N_("There is no such branch in this organisation")))
    if form_values is None:
        form_values = {"name": found["name"], "email": found["email"], "phone": found["phone"], **found["address"]}
    return await _page(request, "organisation/branch.html", "branches", {"branch": found, "form": form_values}, problem)


# ---- tools, roles ------------------------------------------------------------------------------------


@login_required
async def tools(request: Request):
    organisation_id = request.path_params["organisation_id"]
    listed = await _rpc(request, "list_tools", organisation_id=organisation_id)
    return await _page(request, "organisation/tools.html", "tools", {"tools": listed})


@login_required
async def register(request: Request):
    form = await web(request).form(request)
    organisation_id = request.path_params["organisation_id"]
    try:
        await _rpc(request, "register_tool", organisation_id=organisation_id, tool=_clean(form.get("tool")) or "")
    except RemoteError as exc:
        problem = _problem(exc)
        if problem is None:
            raise
        listed = await _rpc(request, "list_tools", organisation_id=organisation_id)
        return await _page(request, "organisation/tools.html", "tools", {"tools": listed}, problem)
    return _go(request, f"/organisations/{organisation_id}/tools", "registered")


async def _tool_page(request: Request, tool_code: str, problem=None) -> Response:
    organisation_id = request.path_params["organisation_id"]
    listed = await _rpc(request, "list_tools", organisation_id=organisation_id)
    tool = next((t for t in listed if t["code"] == tool_code), None)
    if tool is None:
        raise Problem("not_found", _t(request, N_("There is no such tool")))
    roles = await _rpc(request, "tool_members", organisation_id=organisation_id, tool=tool_code)
    return await _page(request, "organisation/tool.html", "tools", {"tool": tool, "rows": roles}, problem)


@login_required
async def tool(request: Request):
    return await _tool_page(request, request.path_params["tool"])


# ---- the AML officer -------------------------------------------------------------------------------


async def _officer_page(request: Request, problem=None, form_values=None) -> Response:
    status = await _rpc(request, "aml_officer_status", organisation_id=request.path_params["organisation_id"])
    context = {"aml": status, "aml_officer_status": status, "form": form_values or {}}
    return await _page(request, "organisation/officer.html", "officer", context, problem)


@login_required
async def officer(request: Request):
    return await _officer_page(request)


@login_required
async def enrol(request: Request):
    form = await web(request).form(request)
    organisation_id = request.path_params["organisation_id"]
    try:
        answer = await _rpc(
            request,
            "enrol_aml_officer",
            organisation_id=organisation_id,
            position=_clean(form.get("position")) or "",
            declaration=form.get("declaration") == "on",
        )
    except RemoteError as exc:
        problem = _problem(exc)
        if problem is None:
            raise
        return await _officer_page(request, problem, {key: form.get(key) for key in form if key != "csrf_token"})
    flash = "appointed" if answer["outcome"] == "appointed" else "officer_requested"
    return _go(request, f"/organisations/{organisation_id}/aml-officer", flash)


@login_required
async def officer_decision(request: Request):
    form = await web(request).form(request)
    approve = form.get("approve") == "1"
    organisation_id = request.path_params["organisation_id"]
    try:
        await _rpc(request, "decide_officer_request", **request.path_params, approve=approve)
    except RemoteError as exc:
        problem = _problem(exc)
        if problem is None:
            raise
        return await _officer_page(request, problem)
    return _go(
        request, f"/organisations/{organisation_id}/aml-officer", "officer_approved" if approve else "officer_refused"
    )


@login_required
async def officer_end(request: Request):
    await web(request).form(request)
    organisation_id = request.path_params["organisation_id"]
    try:
        await _rpc(request, "end_aml_officer", **request.path_params)
    except RemoteError as exc:
        problem = _problem(exc)
        if problem is None:
            raise
        return await _officer_page(request, problem)
    return _go(request, f"/organisations/{organisation_id}/aml-officer", "officer_ended")


@login_required
async def activity(request: Request):
    entries = await _rpc(request, "activity", organisation_id=request.path_params["organisation_id"])
    return await _page(request, "organisation/activity.html", "activity", {"entries": entries})


# ---- the operator's allow-list -----------------------------------------------------------------------


@login_required
async def allow_list(request: Request):
    problem, form_values = None, {}
    if request.method == "POST":
        form = await web(request).form(request)
        form_values = {key: form.get(key) for key in form if key != "csrf_token"}
        try:
            if form.get("remove"):
                await _rpc(request, "remove_from_allow_list", tool="aml", enterprise_number=form.get("remove"))
                flash = "unlisted"
            else:
                await _rpc(
                    request,
                    "add_to_allow_list",
                    tool="aml",
                    enterprise_number=_clean(form.get("enterprise_number")) or "",
                    note=_clean(form.get("note")),
                )
                flash = "listed"
        except RemoteError as exc:
            problem = _problem(exc)
            if problem is None or problem.code == "forbidden":
                raise
        else:
            return _go(request, "/platform/allow-list", flash)
    entries = await _rpc(request, "allow_list", tool="aml")
    return _render(request, "organisation/allow_list.html", {"entries": entries, "form": form_values}, problem)


ROUTES = [
    Route("/organisations", my_organisations, methods=["GET"]),
    Route("/organisations/new", new_organisation, methods=["GET", "POST"]),
    Route("/organisations/choose", choose, methods=["GET"]),
    Route("/organisations/{organisation_id}", overview, methods=["GET"]),
    Route("/organisations/{organisation_id}/edit", edit, methods=["GET", "POST"]),
    Route("/organisations/{organisation_id}/switch", switch, methods=["POST"]),
    Route("/organisations/{organisation_id}/star", star, methods=["POST"]),
    Route("/organisations/{organisation_id}/join", join, methods=["GET", "POST"]),
    Route("/organisations/{organisation_id}/withdraw", withdraw, methods=["POST"]),
    Route("/organisations/{organisation_id}/leave", leave, methods=["POST"]),
    Route("/organisations/{organisation_id}/members", members, methods=["GET"]),
    Route("/organisations/{organisation_id}/members/{account_id}", member, methods=["GET", "POST"]),
    Route("/organisations/{organisation_id}/members/{account_id}/decision", decide, methods=["POST"]),
    Route("/organisations/{organisation_id}/members/{account_id}/admin", admin_flag, methods=["POST"]),
    Route("/organisations/{organisation_id}/members/{account_id}/block", block, methods=["POST"]),
    Route("/organisations/{organisation_id}/members/{account_id}/remove", remove, methods=["POST"]),
    Route("/organisations/{organisation_id}/members/{account_id}/role", role, methods=["POST"]),
    Route("/organisations/{organisation_id}/branches", branches, methods=["GET", "POST"]),
    Route("/organisations/{organisation_id}/branches/{branch_id}", branch, methods=["GET", "POST"]),
    Route("/organisations/{organisation_id}/tools", tools, methods=["GET"]),
    Route("/organisations/{organisation_id}/tools/register", register, methods=["POST"]),
    Route("/organisations/{organisation_id}/tools/{tool}", tool, methods=["GET"]),
    Route("/organisations/{organisation_id}/aml-officer", officer, methods=["GET"]),
    Route("/organisations/{organisation_id}/aml-officer/enrol", enrol, methods=["POST"]),
    Route("/organisations/{organisation_id}/aml-officer/requests/{account_id}", officer_decision, methods=["POST"]),
    Route("/organisations/{organisation_id}/aml-officer/end/{account_id}", officer_end, methods=["POST"]),
    Route("/organisations/{organisation_id}/activity", activity, methods=["GET"]),
    Route("/platform/allow-list", allow_list, methods=["GET", "POST"]),
]

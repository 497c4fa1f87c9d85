"""The AML officer's pages: the inbox, a case with the decision (and the four-eyes notice), a
CTIF-CFI report with its lifecycle and the validated goAML download, the goAML guide, the office's
goAML settings, the notifications and the timeline of a case; plus the counts in the navigation.

Every page works without JavaScript: forms post and redirect (303) back with a short notice; a
refused form is shown again with the problem and the field errors (missing goAML data listed).
"""

from __future__ import annotations

from typing import get_args
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from aww_gateway.areas.aml.api import file_response
from aww_gateway.areas.aml_officer import labels
from aww_gateway.areas.aml_officer import models as m
from aww_gateway.context import call, language_of
from aww_gateway.i18n import gettext
from aww_gateway.problems import Problem, problem_from_rpc_error
from aww_gateway.rpc_client import RemoteError, RpcError
from aww_gateway.web import login_required, web

S = "aml_workflow"
SHOWN_AGAIN = ("validation_failed", "conflict", "four_eyes", "goaml_incomplete", "goaml_invalid",
               "service_unavailable", "forbidden")  # fmt: skip
KINDS = get_args(m.Kind)


def _go(request: Request, path: str, flash: str | None = None) -> Response:
    return web(request).redirect(request, path + (("?" + urlencode({"flash": flash})) if flash else ""))


def _problem(exc: RemoteError) -> Problem:
    problem = problem_from_rpc_error(exc)
    if problem.code not in SHOWN_AGAIN:
        raise exc
    return problem


async def _rpc(request: Request, method: str, **kwargs):
    return await call(request, S, method, **kwargs)


async def _render(request: Request, template: str, context: dict, problem: Problem | None = None) -> Response:
    errors = {}
    if problem is not None:
        items = problem.extra.get("errors", []) + problem.extra.get("missing", [])
        errors = {e["field"]: e["message"] for e in items if "field" in e}
    key = request.query_params.get("flash")
    messages = [{"kind": "ok", "text": gettext(language_of(request), labels.FLASH[key])}] if key in labels.FLASH else []
    values = {
        "labels": labels,
        "messages": messages if problem is None else [{"kind": "error", "text": problem.detail}],
        "problem": problem,
        "errors": errors,
        "missing": problem.extra.get("missing", []) if problem else [],
        "schema_errors": problem.extra.get("errors", []) if problem and problem.code == "goaml_invalid" else [],
        **context,
    }
    return web(request).render(request, template, values, status=problem.status if problem else 200)


def _organisation(request: Request) -> Response | None:
    principal = getattr(request.state, "principal", None) or {}
    return None if principal.get("organisation_id") else _go(request, "/organisations")


def _kind(request: Request) -> str:
    kind = request.path_params["kind"]
    if kind not in KINDS:
        raise Problem("not_found", "There is no such kind of case")
    return kind


# ---- inbox, counts, notifications, timeline ----------------------------------------------------------


@login_required
async def inbox_page(request: Request):
    if (redirect := _organisation(request)) is not None:
        return redirect
    try:
        inbox = await _rpc(request, "officer_inbox")
    except RemoteError as exc:
        return await _render(request, "aml_officer/inbox.html", {"inbox": None}, _problem(exc))
    return await _render(request, "aml_officer/inbox.html", {"inbox": inbox})


async def counts_json(request: Request):
    """For the navigation include (progressive enhancement; nothing for visitors without the tool)."""
    principal = getattr(request.state, "principal", None)
    from aww_gateway.auth import resolve_principal

    principal = principal or await resolve_principal(request)
    if not principal or not principal.get("organisation_id"):
        return JSONResponse({})
    try:
        found = await _rpc(request, "officer_counts")
    except (RemoteError, RpcError):
        return JSONResponse({})
    return JSONResponse(found, headers={"cache-control": "private, no-store"})


@login_required
async def notifications_page(request: Request):
    if (redirect := _organisation(request)) is not None:
        return redirect
    news = await _rpc(request, "officer_notifications", limit=100, mark_read=True)
    counts = await _rpc(request, "officer_counts")
    inbox = await _rpc(request, "officer_inbox") if counts["officer"] else None
    return await _render(request, "aml_officer/notifications.html", {"news": news, "counts": counts, "inbox": inbox})


@login_required
async def timeline_page(request: Request):
    kind = request.path_params["kind"]
    case_id = request.path_params["case_id"]
    if kind == "contact":
        entries = await _rpc(request, "contact_timeline", contact_id=case_id)
    else:
        entries = await _rpc(request, "case_timeline", kind=_kind(request), case_id=case_id)
    return await _render(request, "aml_officer/timeline.html", {"entries": entries, "kind": kind, "case_id": case_id})


# ---- one case ------------------------------------------------------------------------------------------


async def _case_page(request: Request, problem: Problem | None = None) -> Response:
    kind, case_id = _kind(request), request.path_params["case_id"]
    case = await _rpc(request, "officer_case", kind=kind, case_id=case_id)
    entries = await _rpc(request, "case_timeline", kind=kind, case_id=case_id)
    settings = await _rpc(request, "officer_settings")
    return await _render(
        request,
        "aml_officer/case.html",
        {"case": case, "entries": entries, "indicators": settings["settings"].get("indicators", [])},
        problem,
    )


@login_required
async def case_page(request: Request):
    try:
        return await _case_page(request)
    except RemoteError as exc:
        return await _render(request, "aml_officer/inbox.html", {"inbox": None}, _problem(exc))


@login_required
async def decision_submit(request: Request):
    kind, case_id = _kind(request), request.path_params["case_id"]
    form = await web(request).form(request)
    decision = form.get("decision") or ""
    try:
        after = await _rpc(
            request,
            "officer_decide",
            kind=kind,
            case_id=case_id,
            decision=decision,
            reason=form.get("reason") or None,
            indicators=form.getlist("indicators") or None,
        )
    except RemoteError as exc:
        return await _case_page(request, _problem(exc))
    if after.get("report_id"):
        return _go(request, f"/aml/officer/reports/{after['report_id']}", "reported")
    return _go(request, f"/aml/officer/cases/{kind}/{case_id}", "decided")


# ---- reports -------------------------------------------------------------------------------------------


async def _report_page(request: Request, problem: Problem | None = None) -> Response:
    report = await _rpc(request, "cfi_report", report_id=request.path_params["report_id"])
    return await _render(request, "aml_officer/report.html", {"report": report}, problem)


@login_required
async def report_page(request: Request):
    return await _report_page(request)


async def _report_action(request: Request, method: str, flash: str, **fields) -> Response:
    report_id = request.path_params["report_id"]
    form = await web(request).form(request)
    kwargs = {name: (read(form) if callable(read) else form.get(read)) for name, read in fields.items()}
    try:
        await _rpc(request, method, report_id=report_id, **kwargs)
    except RemoteError as exc:
        return await _report_page(request, _problem(exc))
    return _go(request, f"/aml/officer/reports/{report_id}", flash)


@login_required
async def report_edit(request: Request):
    return await _report_action(
        request, "edit_cfi_report", "edited", reason="reason", indicators=lambda f: f.getlist("indicators") or None
    )


@login_required
async def report_validate(request: Request):
    return await _report_action(request, "validate_cfi_report", "validated", language=lambda f: language_of(request))


@login_required
async def report_submit(request: Request):
    return await _report_action(request, "submit_cfi_report", "submitted", goaml_reference="goaml_reference")


@login_required
async def report_answer(request: Request):
    return await _report_action(
        request, "answer_cfi_report", "answered", answer="answer", answer_date="answer_date",
        answer_reference="answer_reference",
    )  # fmt: skip


@login_required
async def report_file(request: Request):
    try:
        found = await _rpc(request, "download_cfi_report", report_id=request.path_params["report_id"])
    except RemoteError as exc:
        return await _report_page(request, _problem(exc))
    return file_response(found)


# ---- guide and settings ----------------------------------------------------------------------------------


@login_required
async def guide_page(request: Request):
    return await _render(request, "aml_officer/guide.html", {})


async def _settings_page(request: Request, problem: Problem | None = None, submitted: dict | None = None):
    found = await _rpc(request, "officer_settings")
    return await _render(request, "aml_officer/settings.html", {"found": found, "submitted": submitted}, problem)


@login_required
async def settings_page(request: Request):
    if (redirect := _organisation(request)) is not None:
        return redirect
    try:
        return await _settings_page(request)
    except RemoteError as exc:
        return await _render(request, "aml_officer/inbox.html", {"inbox": None}, _problem(exc))


def form_to_settings(form) -> dict:
    from aww_gateway.areas.aml_officer.settings_form import parse

    return parse(form)


@login_required
async def settings_submit(request: Request):
    form = await web(request).form(request)
    settings = form_to_settings(form)
    try:
        await _rpc(request, "save_officer_settings", settings=settings,
                   reporting_user_code=(form.get("reporting_user_code") or "").strip() or None)  # fmt: skip
    except RemoteError as exc:
        return await _settings_page(request, _problem(exc), settings)
    return _go(request, "/aml/officer/settings", "saved")


C = "/aml/officer/cases/{kind}/{case_id}"
R = "/aml/officer/reports/{report_id}"
ROUTES = [
    Route("/aml/officer", inbox_page, methods=["GET"]),
    Route("/aml/officer/counts.json", counts_json, methods=["GET"]),
    Route("/aml/officer/guide", guide_page, methods=["GET"]),
    Route("/aml/officer/settings", settings_page, methods=["GET"]),
    Route("/aml/officer/settings", settings_submit, methods=["POST"]),
    Route("/aml/notifications", notifications_page, methods=["GET"]),
    Route("/aml/timeline/{kind}/{case_id}", timeline_page, methods=["GET"]),
    Route(C, case_page, methods=["GET"]),
    Route(C + "/decision", decision_submit, methods=["POST"]),
    Route(R, report_page, methods=["GET"]),
    Route(R + "/edit", report_edit, methods=["POST"]),
    Route(R + "/validate", report_validate, methods=["POST"]),
    Route(R + "/file", report_file, methods=["GET"]),
    Route(R + "/submit", report_submit, methods=["POST"]),
    Route(R + "/answer", report_answer, methods=["POST"]),
]

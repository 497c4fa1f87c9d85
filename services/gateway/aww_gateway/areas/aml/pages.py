"""The AML pages: the contacts list with search and filters, a new contact (optionally filled in
from an eID certificate or the enterprise number), the contact's wizard (identification, proofs,
questions, screening with hit decisions, level and decision), versions, risk profiles, due
reviews, the timeline and the acceptance document.

Every page works without JavaScript: forms post and redirect (303) back with a short notice; a
refused form is shown again with the problem and the field errors (status 400/409/413/415).
"""

from __future__ import annotations

import base64
import logging
import re
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from aww_gateway.areas.aml import labels
from aww_gateway.areas.aml.api import file_response
from aww_gateway.context import call, language_of
from aww_gateway.i18n import N_, gettext
from aww_gateway.problems import Problem, problem_from_rpc_error
from aww_gateway.rpc_client import RemoteError, RpcError
from aww_gateway.web import login_required, web

log = logging.getLogger(__name__)

S = "aml_workflow"
SHOWN_AGAIN = (
    "validation_failed",
    "conflict",
    "unsupported_media_type",
    "payload_too_large",
    "service_unavailable",
    "not_found",
)
MAX_ROWS = {"directors": 4, "representatives": 3, "senior_managers": 3, "ownership.entities": 6, "ownership.links": 8}
_INDEX = re.compile(r"^\d+$")


def _t(request: Request, text: str) -> str:
    return gettext(language_of(request), text)


def _go(request: Request, path: str, flash: str | None = None) -> Response:
    path, hash_mark, fragment = path.partition("#")
    target = path + (("&" if "?" in path else "?") + urlencode({"flash": flash}) if flash else "")
    return web(request).redirect(request, target + hash_mark + fragment)


def _messages(request: Request) -> list[dict]:
    key = request.query_params.get("flash")
    return [{"kind": "ok", "text": _t(request, labels.FLASH[key])}] if key in labels.FLASH else []


def _problem(exc: RemoteError) -> Problem:
    problem = problem_from_rpc_error(exc)
    if problem.code not in SHOWN_AGAIN:
        raise exc
    return problem


async def _rpc(request: Request, method: str, **kwargs):
    return await call(request, S, method, **kwargs)


async def _officer_status(request: Request) -> dict | None:
    principal = getattr(request.state, "principal", None) or {}
    if not principal.get("organisation_id"):
        return None
    try:
        return await call(request, "organisation", "aml_officer_status", organisation_id=principal["organisation_id"])
    except RpcError as exc:  # the warning must never take the AML pages down
        log.warning("aml_officer_status failed: %s", type(exc).__name__)
        return None


async def _render(request: Request, template: str, context: dict, problem: Problem | None = None) -> Response:
    errors = {}
    if problem is not None:
        errors = {e["field"]: e["message"] for e in problem.extra.get("errors", []) if "field" in e}
        if "field" in problem.extra and problem.extra["field"] not in errors:
            errors[problem.extra["field"]] = problem.detail
    values = {
        "labels": labels,
        "messages": _messages(request) if problem is None else [{"kind": "error", "text": problem.detail}],
        "problem": problem,
        "errors": errors,
        "aml_officer_status": await _officer_status(request),
        **context,
    }
    return web(request).render(request, template, values, status=problem.status if problem else 200)


def _require_organisation(request: Request) -> Response | None:
    principal = getattr(request.state, "principal", None) or {}
    if not principal.get("organisation_id"):
        return _go(request, "/organisations")
    return None


# ---- forms → identification data ----------------------------------------------------------------


def _set(target: dict, parts: list[str], value) -> None:
    for part in parts[:-1]:
        target = target.setdefault(part, {})
    target[parts[-1]] = value


def _listify(node):
    if isinstance(node, dict):
        node = {key: _listify(value) for key, value in node.items()}
        if node and all(_INDEX.match(key) for key in node):
            rows = [node[key] for key in sorted(node, key=int)]
            return [row for row in rows if _filled(row)]
    return node


def _filled(value) -> bool:
    if isinstance(value, dict):
        return any(_filled(v) for k, v in value.items() if k not in ("id", "kind", "held", "control"))
    if isinstance(value, list):
        return bool(value)
    return value not in (None, "", False)


def _countries(text: str) -> list[str]:
    return [code.upper() for code in re.split(r"[\s,;]+", text or "") if code]


def form_to_data(form, kind: str) -> dict:
    """Dotted field names (address.city, directors.0.name, ownership.links.2.percent) → data."""
    data: dict = {}
    for key, value in form.multi_items():
        if key == "csrf_token" or not isinstance(value, str):
            continue
        value = value.strip()
        parts = key.split(".")
        if parts[-1] == "nationalities":
            value = _countries(value)
        elif parts[-1] in ("self", "pep", "control"):
            value = {"yes": True, "no": False, "on": True}.get(value)
        elif value == "":
            value = None
        _set(data, parts, value)
    data = _listify(data)
    for key in ("address", "seat", "id_document", "pep", "registration"):
        if isinstance(data.get(key), dict):
            data[key] = {k: v for k, v in data[key].items() if v not in (None, "")}
            if not data[key]:
                data[key] = None
    ownership = data.get("ownership")
    if isinstance(ownership, dict):
        entities = ownership.get("entities") or []
        links = [link for link in ownership.get("links") or [] if link.get("holder") and link.get("held")]
        for link in links:
            link["control"] = bool(link.get("control"))
        data["ownership"] = (
            {"entities": [_entity(e) for e in entities], "links": [_clean_row(link) for link in links]}
            if entities or links
            else None
        )
    for key in ("directors", "representatives", "senior_managers"):
        if isinstance(data.get(key), list):
            data[key] = [_clean_row(row) for row in data[key]]
    return {key: value for key, value in data.items() if key not in ("kind",)}


def _entity(row: dict) -> dict:
    """A shareholder row: a company keeps name/country/legal form, a person names/birth/nationalities."""
    row = _clean_row(row)
    if row.get("kind") == "organisation":
        name = row.get("name") or " ".join(p for p in (row.get("first_names"), row.get("last_name")) if p)
        country = row.get("country") or (row.get("nationalities") or [None])[0]
        keep = {
            "id": row["id"],
            "kind": "organisation",
            "name": name,
            "country": country,
            "legal_form": row.get("legal_form"),
        }
        return _clean_row(keep)
    keep = ("id", "kind", "first_names", "last_name", "birth_date", "nationalities", "residence_country", "pep")
    person = {key: row[key] for key in keep if key in row}
    if row.get("name") and not person.get("first_names"):
        person["first_names"] = row["name"]
    return person


def _clean_row(row: dict) -> dict:
    return {key: value for key, value in row.items() if value not in (None, "", [])}


def _answers_from(form, questions: list[dict]) -> dict:
    answers = {}
    for question in questions:
        name = f"q.{question['id']}"
        if question["type"] == "boolean":
            answers[question["id"]] = form.get(name) == "yes"
        elif question["type"] == "multi":
            answers[question["id"]] = [value for value in form.getlist(name) if isinstance(value, str)]
        elif question["type"] == "choice":
            if form.get(name):
                answers[question["id"]] = form.get(name)
        else:
            answers[question["id"]] = (form.get(name) or "").strip()
    return answers


# ---- the contacts list --------------------------------------------------------------------------

FILTER_KEYS = ("q", "kind", "status", "level", "employee_id", "created_from", "created_to", "review_due", "after")


@login_required
async def contacts_page(request: Request):
    if (redirect := _require_organisation(request)) is not None:
        return redirect
    params = {key: request.query_params.get(key) or None for key in FILTER_KEYS}
    problem = None
    result = {"items": [], "next": None}
    try:
        result = await _rpc(
            request,
            "search_contacts",
            query=params["q"],
            kind=params["kind"],
            status=params["status"],
            level=params["level"],
            employee_id=params["employee_id"],
            created_from=params["created_from"],
            created_to=params["created_to"],
            review_due=params["review_due"] == "1",
            after=params["after"],
            limit=25,
        )
    except RemoteError as exc:
        problem = _problem(exc)
    next_query = (
        urlencode({k: v for k, v in params.items() if v and k != "after"} | {"after": result["next"]})
        if result["next"]
        else None
    )
    return await _render(
        request, "aml/contacts.html", {"params": params, "result": result, "next_query": next_query}, problem
    )


@login_required
async def due_reviews_page(request: Request):
    if (redirect := _require_organisation(request)) is not None:
        return redirect
    days = request.query_params.get("days", "30")
    days = int(days) if days.isdigit() and int(days) <= 3660 else 30
    reviews = await _rpc(request, "due_reviews", within_days=days)
    return await _render(request, "aml/reviews.html", {"reviews": reviews, "days": days})


# ---- new contact ----------------------------------------------------------------------------------


@login_required
async def new_contact_page(request: Request):
    if (redirect := _require_organisation(request)) is not None:
        return redirect
    return await _render(request, "aml/new.html", {"kind": request.query_params.get("kind", "person")})


@login_required
async def new_contact(request: Request):
    if (redirect := _require_organisation(request)) is not None:
        return redirect
    form = await web(request).form(request)
    kind = form.get("kind") if form.get("kind") in ("person", "organisation") else "person"
    source = form.get("source") or "empty"
    try:
        data: dict = {}
        if source == "eid":
            upload = form.get("certificate")
            if upload is None or isinstance(upload, str):
                raise Problem(
                    "validation_failed",
                    _t(request, N_("Choose the certificate file of the card")),
                    errors=[
                        {"field": "certificate", "message": _t(request, N_("Choose the certificate file of the card"))}
                    ],
                )
            certificate = await upload.read()
            prefill = await _rpc(
                request, "prefill_from_eid", certificate_b64=base64.b64encode(certificate[:65536]).decode()
            )
            kind, data = "person", prefill["data"]
        elif source == "enterprise":
            prefill = await _rpc(
                request, "prefill_from_enterprise_number", enterprise_number=form.get("enterprise_number") or ""
            )
            kind, data = "organisation", prefill["data"]
        data["role"] = form.get("role") if form.get("role") in labels.ROLES else "client"
        if source == "empty":
            if kind == "person":
                data |= {"first_names": form.get("first_names") or None, "last_name": form.get("last_name") or None}
            else:
                data["name"] = form.get("name") or None
            data = {k: v for k, v in data.items() if v}
        contact = await _rpc(request, "create_contact", kind=kind, data=data)
    except RemoteError as exc:
        return await _render(request, "aml/new.html", {"kind": kind, "form": form}, _problem(exc))
    except Problem as problem:
        return await _render(request, "aml/new.html", {"kind": kind, "form": form}, problem)
    return _go(request, f"/aml/contacts/{contact['contact_id']}/edit", "created")


# ---- one contact ---------------------------------------------------------------------------------


async def _contact_context(request: Request, contact_id: str, version_no: int | None = None) -> dict:
    contact = await _rpc(request, "get_contact", contact_id=contact_id, version_no=version_no)
    context = {"contact": contact, "version_view": version_no is not None}
    if version_no is None:
        context["versions"] = await _rpc(request, "list_contact_versions", contact_id=contact_id)
        context["profiles"] = await _rpc(request, "list_risk_profiles", contact_id=contact_id)
        context["timeline"] = await _rpc(request, "contact_timeline", contact_id=contact_id)
        try:
            context["screening"] = await call(request, S, "screening_contact_results", contact_id=contact_id)
        except RemoteError as exc:  # the screening part answers on its own; the page still shows the rest
            log.warning("screening results failed: %s", problem_from_rpc_error(exc).code)
            context["screening"] = None
    return context


async def _contact_page(request: Request, problem: Problem | None = None):
    contact_id = request.path_params["contact_id"]
    version = request.path_params.get("version_no")
    context = await _contact_context(request, contact_id, int(version) if version else None)
    return await _render(request, "aml/contact.html", context, problem)


async def _post(request: Request, action, flash: str, *, back: str | None = None):
    """Run a form action; on a shown-again problem render the contact page with it."""
    contact_id = request.path_params["contact_id"]
    form = await web(request).form(request)
    try:
        target = await action(form)
    except RemoteError as exc:
        return await _contact_page(request, _problem(exc))
    except Problem as problem:
        return await _contact_page(request, problem)
    return _go(request, target or back or f"/aml/contacts/{contact_id}", flash)


async def _edit_page(request: Request, problem: Problem | None = None, submitted: dict | None = None):
    contact_id = request.path_params["contact_id"]
    contact = await _rpc(request, "get_contact", contact_id=contact_id)
    data = submitted if submitted is not None else contact["version"]["data"]
    rows = {key: range(count) for key, count in MAX_ROWS.items()}
    return await _render(request, "aml/edit.html", {"contact": contact, "data": data, "rows": rows}, problem)


@login_required
async def edit_submit(request: Request):
    contact_id = request.path_params["contact_id"]
    form = await web(request).form(request)
    contact = await _rpc(request, "get_contact", contact_id=contact_id)
    data = form_to_data(form, contact["kind"])
    cleared = {key: None for key in contact["version"]["data"] if key not in data}
    try:
        await _rpc(request, "update_contact", contact_id=contact_id, data=cleared | data)
    except RemoteError as exc:
        return await _edit_page(request, _problem(exc), data)
    return _go(request, f"/aml/contacts/{contact_id}", "saved")


@login_required
async def questions_submit(request: Request):
    contact_id = request.path_params["contact_id"]

    async def action(form):
        contact = await _rpc(request, "get_contact", contact_id=contact_id)
        answers = _answers_from(form, contact["wizard"]["questions"])
        await _rpc(request, "answer_contact_questions", contact_id=contact_id, answers=answers)
        return f"/aml/contacts/{contact_id}#questions"

    return await _post(request, action, "saved")


@login_required
async def upload_submit(request: Request):
    contact_id = request.path_params["contact_id"]

    async def action(form):
        upload = form.get("file")
        if upload is None or isinstance(upload, str) or not upload.filename:
            message = _t(request, N_("Choose a file"))
            raise Problem("validation_failed", message, errors=[{"field": "file", "message": message}])
        content = await upload.read()
        await _rpc(
            request,
            "upload_document",
            contact_id=contact_id,
            proof_kind=form.get("proof_kind") or "",
            filename=upload.filename,
            content_b64=base64.b64encode(content).decode(),
        )
        return f"/aml/contacts/{contact_id}#proofs"

    return await _post(request, action, "uploaded")


@login_required
async def withdraw_submit(request: Request):
    contact_id, document_id = request.path_params["contact_id"], request.path_params["document_id"]

    async def action(form):
        await _rpc(request, "withdraw_document", contact_id=contact_id, document_id=document_id)
        return f"/aml/contacts/{contact_id}#proofs"

    return await _post(request, action, "withdrawn")


@login_required
async def document_download(request: Request):
    found = await _rpc(
        request,
        "get_document",
        contact_id=request.path_params["contact_id"],
        document_id=request.path_params["document_id"],
    )
    return file_response(found)


@login_required
async def screen_submit(request: Request):
    contact_id = request.path_params["contact_id"]

    async def action(form):
        await _rpc(request, "screen_contact", contact_id=contact_id)
        return f"/aml/contacts/{contact_id}#screening"

    return await _post(request, action, "screened")


@login_required
async def hit_submit(request: Request):
    contact_id, hit_id = request.path_params["contact_id"], request.path_params["hit_id"]

    async def action(form):
        # the hit must belong to this contact of this office: the screening part scopes by office
        await _rpc(request, "get_contact", contact_id=contact_id)
        await call(
            request,
            S,
            "screening_decide_hit",
            hit_id=hit_id,
            decision=form.get("decision") or "",
            reason=form.get("reason") or "",
        )
        return f"/aml/contacts/{contact_id}#screening"

    return await _post(request, action, "hit_decided")


@login_required
async def decision_submit(request: Request):
    contact_id = request.path_params["contact_id"]
    decision = None

    async def action(form):
        nonlocal decision
        decision = form.get("decision") or ""
        await _rpc(
            request, "decide_contact", contact_id=contact_id, decision=decision, reason=form.get("reason") or None
        )
        return f"/aml/contacts/{contact_id}"

    response = await _post(request, action, "accepted")
    if decision == "refuse" and response.status_code == 303:
        return _go(request, f"/aml/contacts/{contact_id}", "refused")
    return response


@login_required
async def new_version_submit(request: Request):
    contact_id = request.path_params["contact_id"]

    async def action(form):
        await _rpc(request, "new_contact_version", contact_id=contact_id)
        return f"/aml/contacts/{contact_id}/edit"

    return await _post(request, action, "edited")


@login_required
async def acceptance_submit(request: Request):
    contact_id = request.path_params["contact_id"]
    form = await web(request).form(request)
    version = form.get("version_no")
    language = form.get("language") if form.get("language") in ("nl", "fr", "en") else language_of(request)
    try:
        made = await _rpc(
            request,
            "generate_acceptance_document",
            contact_id=contact_id,
            version_no=int(version) if version and version.isdigit() else None,
            language=language,
        )
    except RemoteError as exc:
        return await _contact_page(request, _problem(exc))
    return web(request).redirect(request, f"/aml/contacts/{contact_id}/acceptance-documents/{made['document_id']}")


@login_required
async def acceptance_download(request: Request):
    found = await _rpc(
        request,
        "get_acceptance_document",
        contact_id=request.path_params["contact_id"],
        document_id=request.path_params["document_id"],
    )
    return file_response(found)


# ---- risk profiles ------------------------------------------------------------------------------


async def _profile_new_page(request: Request, problem: Problem | None = None):
    contact_id = request.path_params["contact_id"]
    contact = await _rpc(request, "get_contact", contact_id=contact_id)
    questionnaire = await _rpc(request, "risk_profile_questions", contact_id=contact_id)
    return await _render(
        request, "aml/risk_profile_new.html", {"contact": contact, "questionnaire": questionnaire}, problem
    )


@login_required
async def profile_new_submit(request: Request):
    contact_id = request.path_params["contact_id"]
    form = await web(request).form(request)
    try:
        if form.get("skip") == "1":
            profile = await _rpc(request, "start_risk_profile", contact_id=contact_id, skip=True)
        else:
            questionnaire = await _rpc(request, "risk_profile_questions", contact_id=contact_id)
            answers = _answers_from(form, questionnaire["questions"])
            profile = await _rpc(request, "start_risk_profile", contact_id=contact_id, answers=answers)
    except RemoteError as exc:
        return await _profile_new_page(request, _problem(exc))
    return _go(request, f"/aml/risk-profiles/{profile['risk_profile_id']}", "profile_saved")


async def _profile_page(request: Request, problem: Problem | None = None):
    profile = await _rpc(request, "get_risk_profile", risk_profile_id=request.path_params["risk_profile_id"])
    contact = await _rpc(request, "get_contact", contact_id=profile["contact_id"], version_no=profile["version_no"])
    return await _render(request, "aml/risk_profile.html", {"profile": profile, "contact": contact}, problem)


@login_required
async def profile_decision_submit(request: Request):
    profile_id = request.path_params["risk_profile_id"]
    form = await web(request).form(request)
    decision = form.get("decision") or ""
    try:
        await _rpc(
            request,
            "decide_risk_profile",
            risk_profile_id=profile_id,
            decision=decision,
            reason=form.get("reason") or None,
        )
    except RemoteError as exc:
        return await _profile_page(request, _problem(exc))
    return _go(
        request, f"/aml/risk-profiles/{profile_id}", "profile_accepted" if decision == "accept" else "profile_refused"
    )


@login_required
async def profile_escalation_submit(request: Request):
    profile_id = request.path_params["risk_profile_id"]
    form = await web(request).form(request)
    try:
        await _rpc(
            request,
            "escalate_risk_profile",
            risk_profile_id=profile_id,
            motivation=form.get("motivation") or "",
            proposal=form.get("proposal") or "",
        )
    except RemoteError as exc:
        return await _profile_page(request, _problem(exc))
    return _go(request, f"/aml/risk-profiles/{profile_id}", "escalated")


@login_required
async def contact_page(request: Request):
    return await _contact_page(request)


@login_required
async def edit_page(request: Request):
    return await _edit_page(request)


@login_required
async def profile_new_page(request: Request):
    return await _profile_new_page(request)


@login_required
async def profile_page(request: Request):
    return await _profile_page(request)


async def aml_home(request: Request):
    return web(request).redirect(request, "/aml/contacts")


C = "/aml/contacts/{contact_id}"
ROUTES = [
    Route("/aml", aml_home, methods=["GET"]),
    Route("/aml/contacts", contacts_page, methods=["GET"]),
    Route("/aml/contacts/new", new_contact_page, methods=["GET"]),
    Route("/aml/contacts/new", new_contact, methods=["POST"]),
    Route("/aml/reviews", due_reviews_page, methods=["GET"]),
    Route(C, contact_page, methods=["GET"]),
    Route(C + "/versions/{version_no:int}", contact_page, methods=["GET"]),
    Route(C + "/edit", edit_page, methods=["GET"]),
    Route(C + "/edit", edit_submit, methods=["POST"]),
    Route(C + "/questions", questions_submit, methods=["POST"]),
    Route(C + "/documents", upload_submit, methods=["POST"]),
    Route(C + "/documents/{document_id}", document_download, methods=["GET"]),
    Route(C + "/documents/{document_id}/withdraw", withdraw_submit, methods=["POST"]),
    Route(C + "/screen", screen_submit, methods=["POST"]),
    Route(C + "/hits/{hit_id}", hit_submit, methods=["POST"]),
    Route(C + "/decision", decision_submit, methods=["POST"]),
    Route(C + "/versions", new_version_submit, methods=["POST"]),
    Route(C + "/acceptance-document", acceptance_submit, methods=["POST"]),
    Route(C + "/acceptance-documents/{document_id}", acceptance_download, methods=["GET"]),
    Route(C + "/risk-profiles/new", profile_new_page, methods=["GET"]),
    Route(C + "/risk-profiles/new", profile_new_submit, methods=["POST"]),
    Route("/aml/risk-profiles/{risk_profile_id}", profile_page, methods=["GET"]),
    Route("/aml/risk-profiles/{risk_profile_id}/decision", profile_decision_submit, methods=["POST"]),
    Route("/aml/risk-profiles/{risk_profile_id}/escalation", profile_escalation_submit, methods=["POST"]),
]

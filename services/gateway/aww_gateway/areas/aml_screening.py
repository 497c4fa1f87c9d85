"""Screening pages and API: the list snapshots in force and their import (platform
administrators), a contact's screening results with hits, scores, explanations and the
true-match / false-positive decision, and the office's monitoring alerts.

The contact pages of the AML tool link to /aml/screening/contacts/<contact_id> or include the
partial template aml_screening/_hits.html with `screening` (the answer of
aml_workflow.screening_contact_results) and `return_to`.
"""

from __future__ import annotations

import base64
from typing import Any, Literal
from urllib.parse import urlencode

from pydantic import Field
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from aww_gateway.api import ApiCall, ApiModel, Operation
from aww_gateway.areas import Area
from aww_gateway.context import call, language_of
from aww_gateway.i18n import N_, gettext
from aww_gateway.problems import Problem, problem_from_rpc_error
from aww_gateway.rpc_client import RemoteError
from aww_gateway.web import NavItem, login_required, safe_next, web

SERVICE = "aml_workflow"
SOURCES = {
    "un": N_("UN Security Council consolidated list (XML)"),
    "eu": N_("EU consolidated financial sanctions list (XML)"),
    "be": N_("Belgian national list, FPS Finance (XML)"),
    "pep": N_("Politically exposed persons (CSV or JSON)"),
}
DECISIONS = {"true_match": N_("True match"), "false_positive": N_("False positive")}
HOW = {
    "exact": N_("same"),
    "typo": N_("spelling differs"),
    "phonetic": N_("sounds the same"),
    "initial": N_("initial"),
    "joined": N_("written as one word"),
    "missing_in_list": N_("not on the list"),
    "missing_in_query": N_("not in the contact's name"),
}
EVIDENCE = {
    "birth_date": N_("Birth date"),
    "nationality": N_("Nationality or country"),
    "identifier": N_("Identity document"),
    "weak_alias": N_("Low-quality alias"),
}
FLASH = {
    "imported": N_("The list was imported; monitored contacts are being screened again."),
    "unchanged": N_("This file is the version already in force: nothing changed."),
    "decided": N_("Your decision is recorded."),
}
MAX_IMPORT_BYTES = 10 * 1024 * 1024  # the gateway's upload cap; compress larger files (gzip or ZIP)


def _t(request: Request, text: str) -> str:
    return gettext(language_of(request), text)


def _labels() -> dict:
    return {"sources": SOURCES, "decisions": DECISIONS, "how": HOW, "evidence": EVIDENCE}


def _render(request: Request, template: str, context: dict, problem: Problem | None = None) -> Response:
    messages = []
    if request.query_params.get("flash") in FLASH:
        messages.append({"kind": "ok", "text": _t(request, FLASH[request.query_params["flash"]])})
    if problem is not None:
        messages = [{"kind": "error", "text": problem.detail}]
    values = {"labels": _labels(), "messages": messages, "problem": problem, **context}
    return web(request).render(request, template, values, status=problem.status if problem else 200)


def _shown_again(exc: RemoteError) -> Problem:
    problem = problem_from_rpc_error(exc)
    if problem.code not in ("validation_failed", "forbidden", "payload_too_large", "not_found"):
        raise exc
    return problem


def _go(request: Request, path: str, flash: str) -> Response:
    return web(request).redirect(request, f"{path}{'&' if '?' in path else '?'}{urlencode({'flash': flash})}")


# ---- pages --------------------------------------------------------------------------------------


async def _lists_page(request: Request, problem: Problem | None = None) -> Response:
    lists = await call(request, SERVICE, "screening_lists")
    return _render(request, "aml_screening/lists.html", {"lists": lists}, problem)


@login_required
async def lists_page(request: Request):
    return await _lists_page(request)


@login_required
async def import_page(request: Request):
    form = await web(request).form(request)
    upload = form.get("file")
    source = form.get("source")
    problem = None
    if source not in SOURCES:
        problem = Problem("validation_failed", _t(request, N_("Choose which list the file is.")))
    elif upload is None or not hasattr(upload, "read"):
        problem = Problem("validation_failed", _t(request, N_("Choose the file to import.")))
    else:
        content = await upload.read(MAX_IMPORT_BYTES + 1)
        if not content:
            problem = Problem("validation_failed", _t(request, N_("The file is empty.")))
        elif len(content) > MAX_IMPORT_BYTES:
            problem = Problem(
                "payload_too_large",
                _t(request, N_("The file is larger than 10 MB: upload it gzip- or ZIP-compressed.")),
            )
        else:
            try:
                snapshot = await call(
                    request,
                    SERVICE,
                    "screening_import_list",
                    source=source,
                    content_base64=base64.b64encode(content).decode(),
                    filename=(upload.filename or "")[:200],
                )
                return _go(request, "/aml/screening/lists", "unchanged" if snapshot.get("unchanged") else "imported")
            except RemoteError as exc:
                problem = _shown_again(exc)
    return await _lists_page(request, problem)


async def _contact_page(request: Request, problem: Problem | None = None) -> Response:
    contact_id = request.path_params["contact_id"]
    screening = await call(request, SERVICE, "screening_contact_results", contact_id=contact_id)
    return _render(
        request,
        "aml_screening/contact.html",
        {"screening": screening, "contact_id": contact_id, "return_to": request.url.path},
        problem,
    )


@login_required
async def contact_page(request: Request):
    return await _contact_page(request)


@login_required
async def decide_page(request: Request):
    form = await web(request).form(request)
    target = safe_next(form.get("return_to"), "/aml/screening/alerts")
    try:
        await call(
            request,
            SERVICE,
            "screening_decide_hit",
            hit_id=request.path_params["hit_id"],
            decision=form.get("decision") or "",
            reason=form.get("reason") or "",
        )
    except RemoteError as exc:
        problem = _shown_again(exc)
        contact_id = form.get("contact_id")
        if contact_id and isinstance(contact_id, str):
            request.path_params["contact_id"] = contact_id
            return await _contact_page(request, problem)
        raise
    return _go(request, target, "decided")


@login_required
async def alerts_page(request: Request):
    alerts = await call(request, SERVICE, "screening_alerts")
    return _render(request, "aml_screening/alerts.html", {"alerts": alerts})


# ---- API --------------------------------------------------------------------------------------


class DecisionBody(ApiModel):
    decision: Literal["true_match", "false_positive"]
    reason: str = Field(min_length=1, max_length=2000)


class CountryListBody(ApiModel):
    content_base64: str = Field(min_length=1, max_length=1_000_000, description="the country list JSON, base64")


async def api_lists(call_: ApiCall):
    return await call_.rpc(SERVICE, "screening_lists")


async def api_import(call_: ApiCall):
    form = await call_.request.form(max_part_size=MAX_IMPORT_BYTES)
    source, upload = form.get("source"), form.get("file")
    if source not in SOURCES:
        raise Problem(
            "validation_failed",
            "source: must be one of un, eu, be, pep",
            errors=[{"field": "source", "message": "unknown list"}],
        )
    if upload is None or not hasattr(upload, "read"):
        raise Problem("validation_failed", "file: send the list file", errors=[{"field": "file", "message": "missing"}])
    content = await upload.read()
    return await call_.rpc(
        SERVICE,
        "screening_import_list",
        source=source,
        content_base64=base64.b64encode(content).decode(),
        filename=(upload.filename or "")[:200],
    )


async def api_import_countries(call_: ApiCall):
    return await call_.rpc(SERVICE, "screening_import_country_list", content_base64=call_.body.content_base64)


async def api_contact(call_: ApiCall):
    return await call_.rpc(SERVICE, "screening_contact_results", contact_id=call_.path["contact_id"])


async def api_run(call_: ApiCall):
    return await call_.rpc(SERVICE, "screening_run", run_id=call_.path["run_id"])


async def api_decide(call_: ApiCall):
    return await call_.rpc(
        SERVICE,
        "screening_decide_hit",
        hit_id=call_.path["hit_id"],
        decision=call_.body.decision,
        reason=call_.body.reason,
    )


async def api_alerts(call_: ApiCall):
    return await call_.rpc(SERVICE, "screening_alerts")


async def api_country(call_: ApiCall):
    return await call_.rpc(SERVICE, "screening_country_risk", iso2=call_.path["iso2"])


# a JSON object whose members the screening service defines (not yet a model of its own here)
JSON_OBJECT = dict[str, Any]
TAG = "aml screening"
AREA = Area(
    name="aml_screening",
    operations=[
        Operation(
            "GET",
            "/api/v1/aml/screening/lists",
            "listScreeningLists",
            "List snapshots and country lists in force",
            api_lists,
            TAG,
            response=JSON_OBJECT,
        ),
        Operation(
            "POST",
            "/api/v1/aml/screening/lists",
            "importScreeningList",
            "Import a sanctions or PEP list file (platform administrators)",
            api_import,
            TAG,
            response=JSON_OBJECT,
            raw_body={
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "required": ["source", "file"],
                        "properties": {
                            "source": {"type": "string", "enum": list(SOURCES)},
                            "file": {"type": "string", "format": "binary"},
                        },
                    }
                }
            },
            status=201,
            auth="platform_admin",
            errors=("validation_failed", "payload_too_large", "forbidden"),
            description=(
                "multipart/form-data with `source` (un, eu, be, pep) and `file` (XML for un/eu/be; CSV or JSON "
                "for pep; gzip or ZIP accepted). The import is one transaction: a file that fails leaves the "
                "previous snapshot in force."
            ),
        ),
        Operation(
            "POST",
            "/api/v1/aml/screening/country-lists",
            "importCountryList",
            "Import a new version of a country list (EU high-risk, FATF, sanctioned countries)",
            api_import_countries,
            TAG,
            response=JSON_OBJECT,
            body=CountryListBody,
            status=201,
            auth="platform_admin",
            errors=("validation_failed", "forbidden"),
        ),
        Operation(
            "GET",
            "/api/v1/aml/contacts/{contact_id}/screening",
            "getContactScreening",
            "A contact's latest screening with hits and explanations, earlier screenings and decisions",
            api_contact,
            TAG,
            response=JSON_OBJECT,
            auth="organisation",
            errors=("forbidden",),
        ),
        Operation(
            "GET",
            "/api/v1/aml/screening/runs/{run_id}",
            "getScreeningRun",
            "One screening (audit record)",
            api_run,
            TAG,
            response=JSON_OBJECT,
            auth="organisation",
            errors=("not_found", "forbidden"),
        ),
        Operation(
            "POST",
            "/api/v1/aml/screening/hits/{hit_id}/decision",
            "decideScreeningHit",
            "Mark a hit as true match or false positive, with the reason",
            api_decide,
            TAG,
            response=JSON_OBJECT,
            body=DecisionBody,
            auth="organisation",
            errors=("validation_failed", "not_found", "forbidden"),
        ),
        Operation(
            "GET",
            "/api/v1/aml/screening/alerts",
            "listScreeningAlerts",
            "New hits found by ongoing monitoring",
            api_alerts,
            TAG,
            response=list[JSON_OBJECT],
            auth="organisation",
            errors=("forbidden",),
        ),
        Operation(
            "GET",
            "/api/v1/aml/countries/{iso2}/risk",
            "getCountryRisk",
            "Country risk from the country lists in force",
            api_country,
            TAG,
            response=JSON_OBJECT,
            errors=("validation_failed",),
            path_parameters={"iso2": {"type": "string", "pattern": "^[A-Za-z]{2}$"}},
        ),
    ],
    web_routes=[
        Route("/aml/screening/lists", lists_page, methods=["GET"]),
        Route("/aml/screening/lists/import", import_page, methods=["POST"]),
        Route("/aml/screening/contacts/{contact_id}", contact_page, methods=["GET"]),
        Route("/aml/screening/hits/{hit_id}/decision", decide_page, methods=["POST"]),
        Route("/aml/screening/alerts", alerts_page, methods=["GET"]),
    ],
    nav=[NavItem("/aml/screening/lists", N_("Screening lists"), order=62)],
)

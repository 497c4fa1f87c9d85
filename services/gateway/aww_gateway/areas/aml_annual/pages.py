"""Pages of the annual report, the audit log and retention (nl/fr/en, no JavaScript needed):

/aml/annual                      the year choice and the office's reports
/aml/annual/{year}               prefilled figures, the officer's parts (editable while a draft), finalise
/aml/annual/{year}/document      the final PDF (?language=)
/aml/audit-log                   who viewed or exported what
/aml/retention                   counts and the next retention dates
/aml/retention/contacts/{id}     a contact's retention date; mark the relationship ended or going on

Forms post and redirect (303) back with a notice; a refused form is shown again with the problem.
"""

from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from aww_gateway.areas.aml.api import file_response
from aww_gateway.context import call, language_of
from aww_gateway.i18n import N_, gettext
from aww_gateway.problems import Problem, problem_from_rpc_error
from aww_gateway.rpc_client import RemoteError
from aww_gateway.web import login_required, web

S = "aml_workflow"
SHOWN_AGAIN = ("validation_failed", "conflict", "not_found", "upstream_timeout")
TEXTS = (
    ("risk_assessment", N_("Overall risk assessment"), N_("Last update, what changed, the main risks.")),
    ("procedures", N_("Policies and procedures"), N_("What changed in the office's AML policy and procedures.")),
    ("atypical_transactions", N_("Atypical transactions analysed"), N_("Optional: what was analysed and written.")),
    ("training", N_("Training"), N_("Who followed which training, when.")),
    ("action_plan", N_("Inspections and action plan"), N_("Inspections of the year and the plan that follows.")),
)
OFFICE = (
    ("name", N_("Office")),
    ("enterprise_number", N_("Enterprise number")),
    ("biv_number", N_("BIV number")),
    ("officer_name", N_("AML officer")),
    ("senior_responsible", N_("Senior responsible person")),
)
LEVELS = (("simplified", N_("Simplified")), ("standard", N_("Standard")), ("enhanced", N_("Enhanced")))
FIGURES = {
    "contacts": (N_("Clients and counterparties"), (
        ("created", N_("New contacts")), ("identified", N_("Identified (decided)")), ("accepted", N_("Accepted")),
        ("refused", N_("Refused")), ("persons", N_("Natural persons")), ("organisations", N_("Organisations")),
        ("beneficial_owners", N_("Beneficial owners identified")))),
    "refusals": (N_("Refusals"), (("contact_versions", N_("Contacts refused")),
                                  ("risk_profiles", N_("Risk profiles refused")))),
    "hits": (N_("Hits"), (
        ("pep", N_("PEPs (and relatives)")), ("high_risk_country", N_("Link with a high-risk country")),
        ("sanctions", N_("Sanctions lists")), ("screenings", N_("Screenings")),
        ("true_matches_sanctions", N_("True matches (sanctions)")), ("true_matches_pep", N_("True matches (PEP)")),
        ("false_positives", N_("False positives")))),
    "escalations": (N_("Escalations to the AML officer"), (
        ("total", N_("Escalated")), ("risk_profiles", N_("of which: risk profiles")),
        ("transactions", N_("of which: transactions")), ("awaiting_officer", N_("Awaiting decision")),
        ("accepted", N_("Accepted")), ("refused", N_("Refused")), ("reported", N_("Reported to CTIF-CFI")))),
    "cfi": (N_("Reports to CTIF-CFI (goAML)"), (
        ("reports", N_("Reports")), ("submitted", N_("Submitted through goAML")),
        ("answers", N_("Answers of CTIF-CFI")),
        ("answers_continue", N_("of which: continue")), ("answers_stop", N_("of which: do not continue")))),
    "due_diligence": (N_("Due-diligence failures"), (
        ("incomplete_identifications", N_("Identifications not completed by the end of the year")),
        ("blocked_by_sanctions", N_("Refused for a sanctions match")))),
    "transactions": (N_("Transactions"), (
        ("total", N_("Assessed")), ("refused", N_("Refused")), ("escalated", N_("Escalated to the AML officer")),
        ("cash_flagged", N_("Flagged for cash in a sale price")))),
}  # fmt: skip
# the breakdown of escalations by kind (figures.escalations.by_kind, since transactions are escalated too)
ESCALATION_KINDS = (("risk_profiles", N_("Risk profiles")), ("transactions", N_("Transactions")))
FLASH = {
    "saved": N_("Your changes are saved."),
    "finalised": N_("The annual report is final and archived."),
    "ended": N_("The end of the relationship is recorded: the retention period runs from that day."),
    "reopened": N_("The relationship goes on: the retention date is lifted."),
}


def _t(request: Request, text: str) -> str:
    return gettext(language_of(request), text)


def _go(request: Request, path: str, flash: str) -> Response:
    return web(request).redirect(request, f"{path}?{urlencode({'flash': flash})}")


def _render(request: Request, template: str, context: dict, problem: Problem | None = None) -> Response:
    messages = []
    if request.query_params.get("flash") in FLASH:
        messages.append({"kind": "ok", "text": _t(request, FLASH[request.query_params["flash"]])})
    if problem is not None:
        messages = [{"kind": "error", "text": problem.detail}]
    values = {"messages": messages, "problem": problem, "TEXTS": TEXTS, "OFFICE": OFFICE, "LEVELS": LEVELS,
              "FIGURES": FIGURES, "ESCALATION_KINDS": ESCALATION_KINDS, **context}  # fmt: skip
    return web(request).render(request, template, values, status=problem.status if problem else 200)


def _problem(exc: RemoteError) -> Problem:
    problem = problem_from_rpc_error(exc)
    if problem.code not in SHOWN_AGAIN:
        raise exc
    return problem


def _year(request: Request) -> int:
    raw = request.path_params["year"]
    if not raw.isdigit() or len(raw) != 4:
        raise Problem("not_found", _t(request, N_("There is no annual report for this year.")))
    return int(raw)


# ---- the annual report ---------------------------------------------------------------------------


async def _index(request: Request, problem: Problem | None = None) -> Response:
    reports = await call(request, S, "annual_reports")
    this_year = date.today().year
    return _render(request, "aml_annual/index.html", {"reports": reports, "years": list(range(this_year, 2016, -1)),
                                                      "chosen": this_year - 1}, problem)  # fmt: skip


@login_required
async def index_page(request: Request):
    return await _index(request)


@login_required
async def open_page(request: Request):
    form = await web(request).form(request)
    raw = form.get("year") or ""
    if not isinstance(raw, str) or not raw.isdigit():
        return await _index(request, Problem("validation_failed", _t(request, N_("Choose a year."))))
    try:
        await call(request, S, "open_annual_report", year=int(raw))
    except RemoteError as exc:
        return await _index(request, _problem(exc))
    return web(request).redirect(request, f"/aml/annual/{int(raw)}")


async def _report(request: Request, problem: Problem | None = None, entered: dict | None = None) -> Response:
    report = await call(request, S, "get_annual_report", year=_year(request))
    if entered:  # a refused edit shows what was typed, not what is stored
        report["office"] = report["office"] | entered.get("office", {})
        report["texts"] = report["texts"] | entered.get("texts", {})
    return _render(request, "aml_annual/report.html", {"report": report}, problem)


@login_required
async def report_page(request: Request):
    return await _report(request)


@login_required
async def save_page(request: Request):
    form = await web(request).form(request)
    entered = {
        "office": {key: str(form.get(f"office.{key}") or "") for key, _ in OFFICE if f"office.{key}" in form},
        "texts": {key: str(form.get(f"texts.{key}") or "") for key, _, _ in TEXTS if f"texts.{key}" in form},
    }
    try:
        await call(request, S, "update_annual_report", year=_year(request), **entered)
    except RemoteError as exc:
        return await _report(request, _problem(exc), entered)
    return _go(request, f"/aml/annual/{_year(request)}", "saved")


@login_required
async def finalise_page(request: Request):
    form = await web(request).form(request)
    language = form.get("language") if form.get("language") in ("nl", "fr", "en") else language_of(request)
    try:
        await call(request, S, "finalise_annual_report", year=_year(request), language=language)
    except RemoteError as exc:
        return await _report(request, _problem(exc))
    return _go(request, f"/aml/annual/{_year(request)}", "finalised")


@login_required
async def document_page(request: Request):
    language = request.query_params.get("language")
    found = await call(request, S, "get_annual_report_document", year=_year(request),
                       language=language if language in ("nl", "fr", "en") else language_of(request))  # fmt: skip
    return file_response(found)


# ---- audit log and retention ---------------------------------------------------------------------


@login_required
async def audit_page(request: Request):
    before = request.query_params.get("before")
    page = await call(request, S, "audit_log", before=before if before and before.isdigit() else None, limit=100)
    return _render(request, "aml_annual/audit.html", {"page": page})


@login_required
async def retention_page(request: Request):
    overview = await call(request, S, "retention_overview", limit=100)
    return _render(request, "aml_annual/retention.html", {"overview": overview})


async def _contact_retention(request: Request, problem: Problem | None = None) -> Response:
    state = await call(request, S, "contact_retention", contact_id=request.path_params["contact_id"])
    return _render(request, "aml_annual/contact_retention.html", {"state": state, "today": date.today()}, problem)


@login_required
async def contact_retention_page(request: Request):
    return await _contact_retention(request)


@login_required
async def relationship_page(request: Request):
    form = await web(request).form(request)
    contact_id = request.path_params["contact_id"]
    try:
        if form.get("action") == "reopen":
            await call(request, S, "reopen_relationship", contact_id=contact_id)
            flash = "reopened"
        else:
            await call(request, S, "end_relationship", contact_id=contact_id, ended_on=form.get("ended_on") or None,
                       reason=form.get("reason") or None)  # fmt: skip
            flash = "ended"
    except RemoteError as exc:
        return await _contact_retention(request, _problem(exc))
    return _go(request, f"/aml/retention/contacts/{contact_id}", flash)


ROUTES = [
    Route("/aml/annual", index_page, methods=["GET"]),
    Route("/aml/annual", open_page, methods=["POST"]),
    Route("/aml/annual/{year}", report_page, methods=["GET"]),
    Route("/aml/annual/{year}", save_page, methods=["POST"]),
    Route("/aml/annual/{year}/finalise", finalise_page, methods=["POST"]),
    Route("/aml/annual/{year}/document", document_page, methods=["GET"]),
    Route("/aml/audit-log", audit_page, methods=["GET"]),
    Route("/aml/retention", retention_page, methods=["GET"]),
    Route("/aml/retention/contacts/{contact_id}", contact_retention_page, methods=["GET"]),
    Route("/aml/retention/contacts/{contact_id}", relationship_page, methods=["POST"]),
]

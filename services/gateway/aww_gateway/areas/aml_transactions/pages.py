"""The AML transaction pages: the list with search and filters, a new transaction (parties picked
from the contacts whose risk profile is accepted), edit, the transaction (parties, questionnaire,
the vigilance result, decisions, timeline), and the Pay page (price incl. VAT; without enough money
a 402 page says how much is missing and links to the wallet's top-up).

Every page works without JavaScript: forms post and redirect (303) back with a short notice; a
refused form is shown again with the problem and the field errors.
"""

from __future__ import annotations

import logging
import uuid
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from aww_gateway.areas.aml_transactions import labels
from aww_gateway.areas.wallet.pages import eur
from aww_gateway.context import call, language_of
from aww_gateway.i18n import N_, gettext
from aww_gateway.problems import Problem, problem_from_rpc_error
from aww_gateway.rpc_client import RemoteError, RpcError
from aww_gateway.web import login_required, web

log = logging.getLogger(__name__)

S = "aml_workflow"
SHOWN_AGAIN = ("validation_failed", "conflict", "not_found", "service_unavailable", "upstream_timeout")
FILTERS = ("q", "status", "level", "type", "employee_id", "contact_id", "created_from", "created_to")
PAYMENT_ROWS = 3
PARTY_ROWS = 3


def _t(request: Request, text: str) -> str:
    return gettext(language_of(request), text)


def _go(request: Request, path: str, flash: str | None = None) -> Response:
    path, hash_mark, fragment = path.partition("#")
    target = path + (("&" if "?" in path else "?") + urlencode({"flash": flash}) if flash else "")
    return web(request).redirect(request, target + hash_mark + fragment)


def _problem(exc: RemoteError) -> Problem:
    problem = problem_from_rpc_error(exc)
    if problem.code not in SHOWN_AGAIN:
        raise exc
    return problem


async def _rpc(request: Request, method: str, **kwargs):
    return await call(request, S, method, **kwargs)


async def _officer_status(request: Request) -> dict | None:
    principal = getattr(request.state, "principal", None) or {}
    try:
        return await call(request, "organisation", "aml_officer_status", organisation_id=principal["organisation_id"])
    except (RpcError, KeyError) as exc:  # the warning must never take the pages down
        log.warning("aml_officer_status failed: %s", type(exc).__name__)
        return None


async def _render(request: Request, template: str, context: dict, problem: Problem | None = None, status=None):
    errors = {}
    if problem is not None:
        errors = {e["field"]: e["message"] for e in problem.extra.get("errors", []) if "field" in e}
        if "field" in problem.extra and problem.extra["field"] not in errors:
            errors[problem.extra["field"]] = problem.detail
    flash = request.query_params.get("flash")
    messages = [{"kind": "ok", "text": _t(request, labels.FLASH[flash])}] if flash in labels.FLASH else []
    values = {
        "labels": labels,
        "eur": lambda cents: eur(request, cents),
        "messages": messages if problem is None else [{"kind": "error", "text": problem.detail}],
        "problem": problem,
        "errors": errors,
        "aml_officer_status": await _officer_status(request),
        **context,
    }
    return web(request).render(request, template, values, status=status or (problem.status if problem else 200))


def _require_organisation(request: Request) -> Response | None:
    principal = getattr(request.state, "principal", None) or {}
    if not principal.get("organisation_id"):
        return _go(request, "/organisations")
    return None


def euros_to_cents(text: str) -> int | None:
    """'350000', '350.000,50', '350000.50' → cents; anything else → None (the service names the field)."""
    text = (text or "").strip().replace(" ", "").replace("\u00a0", "")
    if "," in text:
        text = text.replace(".", "").replace(",", ".")
    if not text or text.count(".") > 1 or not text.replace(".", "").isdigit():
        return None
    whole, _, part = text.partition(".")
    if len(part) > 2:
        return None
    return int(whole or "0") * 100 + int((part + "00")[:2])


def cents_to_text(cents) -> str:
    if cents is None:
        return ""
    return f"{cents // 100}.{cents % 100:02d}"


# ---- form → data --------------------------------------------------------------------------------


def form_to_data(form) -> tuple[dict, list[str]]:
    """The transaction's data from the form, and the fields whose amounts could not be read."""
    unreadable = []
    price_text = (form.get("price") or "").strip()
    price = euros_to_cents(price_text)
    if price_text and price is None:
        unreadable.append("price_cents")
    parts = []
    for index in range(PAYMENT_ROWS):
        method = (form.get(f"payment.{index}.method") or "").strip()
        amount_text = (form.get(f"payment.{index}.amount") or "").strip()
        if not method and not amount_text:
            continue
        amount = euros_to_cents(amount_text)
        if amount is None:
            unreadable.append(f"payment.parts.{len(parts)}.amount_cents")
        parts.append({"method": method or None, "amount_cents": amount})
    data = {
        "reference": (form.get("reference") or "").strip() or None,
        "type": form.get("type") or None,
        "property": {
            key: (form.get(f"property.{key}") or "").strip() or None
            for key in ("street", "number", "box", "postcode", "city", "country")
        },
        "price_cents": price,
        "payment": {"parts": parts, **({"note": form.get("payment_note").strip()} if form.get("payment_note") else {})},
        "agreed_on": (form.get("agreed_on") or "").strip() or None,
        "description": (form.get("description") or "").strip() or None,
    }
    data["property"] = {k: v for k, v in data["property"].items() if v}
    return data, unreadable


def _unreadable_problem(request: Request, fields: list[str]) -> Problem:
    message = _t(request, N_("give an amount in euro, such as 350000 or 350000.50"))
    return Problem(
        "validation_failed",
        f"{fields[0]}: {message}",
        errors=[{"field": field, "message": message} for field in fields],
    )


def _form_values(form) -> dict:
    return {key: value for key, value in form.multi_items() if isinstance(value, str)}


def _values_of(transaction: dict) -> dict:
    values = {
        "reference": transaction["reference"],
        "type": transaction["type"],
        "price": cents_to_text(transaction["price_cents"]),
        "agreed_on": transaction.get("agreed_on") or "",
        "description": transaction.get("description") or "",
        "payment_note": (transaction.get("payment") or {}).get("note") or "",
    }
    for key, value in (transaction.get("property") or {}).items():
        values[f"property.{key}"] = value
    for index, part in enumerate((transaction.get("payment") or {}).get("parts") or []):
        values[f"payment.{index}.method"] = part["method"]
        values[f"payment.{index}.amount"] = cents_to_text(part["amount_cents"])
    return values


# ---- list ---------------------------------------------------------------------------------------------


@login_required
async def transactions_page(request: Request) -> Response:
    if (gone := _require_organisation(request)) is not None:
        return gone
    params = {key: request.query_params.get(key) or None for key in FILTERS}
    after = request.query_params.get("after") or None
    problem = None
    try:
        result = await _rpc(
            request, "search_transactions", **{("query" if k == "q" else k): v for k, v in params.items()}, after=after
        )
    except RemoteError as exc:
        problem = _problem(exc)
        result = await _rpc(request, "search_transactions")
    shown = {k: v for k, v in params.items() if v}
    next_query = urlencode({**shown, "after": result["next"]}) if result.get("next") else None
    return await _render(
        request,
        "aml_transactions/list.html",
        {"result": result, "params": params, "next_query": next_query},
        problem,
    )


# ---- new and edit ----------------------------------------------------------------------------------------


async def _eligible(request: Request) -> list[dict]:
    return await _rpc(request, "eligible_parties", limit=100)


async def _questions(request: Request, transaction_type: str) -> list[dict]:
    return (await _rpc(request, "transaction_questions", type=transaction_type))["questions"]


@login_required
async def new_page(request: Request) -> Response:
    if (gone := _require_organisation(request)) is not None:
        return gone
    transaction_type = request.query_params.get("type") if request.query_params.get("type") in labels.TYPES else "sale"
    return await _render(
        request,
        "aml_transactions/form.html",
        {
            "transaction": None,
            "values": {"type": transaction_type, "property.country": "BE"},
            "eligible": await _eligible(request),
            "questions": await _questions(request, transaction_type),
            "payment_rows": PAYMENT_ROWS,
            "party_rows": PARTY_ROWS,
        },
    )


@login_required
async def create(request: Request) -> Response:
    form = await web(request).form(request)
    data, unreadable = form_to_data(form)
    parties = []
    for index in range(PARTY_ROWS):
        contact_id, role = form.get(f"party.{index}.contact_id"), form.get(f"party.{index}.role")
        if contact_id:
            parties.append({"contact_id": contact_id, "role": role or None})
    transaction_type = data["type"] if data["type"] in labels.TYPES else "sale"
    questions = await _questions(request, transaction_type)
    answers = {q["id"]: form.get(f"answers.{q['id']}") == "yes" for q in questions}
    try:
        if unreadable:
            raise _unreadable_problem(request, unreadable)
        created = await _rpc(request, "create_transaction", data=data, answers=answers, parties=parties)
    except (RemoteError, Problem) as exc:
        problem = exc if isinstance(exc, Problem) else _problem(exc)
        return await _render(
            request,
            "aml_transactions/form.html",
            {
                "transaction": None,
                "values": _form_values(form),
                "eligible": await _eligible(request),
                "questions": questions,
                "payment_rows": PAYMENT_ROWS,
                "party_rows": PARTY_ROWS,
            },
            problem,
        )
    return _go(request, f"/aml/transactions/{created['transaction_id']}", "created")


@login_required
async def edit_page(request: Request) -> Response:
    transaction = await _rpc(request, "get_transaction", transaction_id=request.path_params["transaction_id"])
    return await _render(
        request,
        "aml_transactions/form.html",
        {"transaction": transaction, "values": _values_of(transaction), "payment_rows": PAYMENT_ROWS},
    )


@login_required
async def update(request: Request) -> Response:
    transaction_id = request.path_params["transaction_id"]
    form = await web(request).form(request)
    data, unreadable = form_to_data(form)
    try:
        if unreadable:
            raise _unreadable_problem(request, unreadable)
        await _rpc(request, "update_transaction", transaction_id=transaction_id, data=data)
    except (RemoteError, Problem) as exc:
        problem = exc if isinstance(exc, Problem) else _problem(exc)
        transaction = await _rpc(request, "get_transaction", transaction_id=transaction_id)
        return await _render(
            request,
            "aml_transactions/form.html",
            {"transaction": transaction, "values": _form_values(form), "payment_rows": PAYMENT_ROWS},
            problem,
        )
    return _go(request, f"/aml/transactions/{transaction_id}", "saved")


# ---- the transaction ------------------------------------------------------------------------------------------


async def _detail(request: Request, transaction_id: str, problem: Problem | None = None) -> Response:
    transaction = await _rpc(request, "get_transaction", transaction_id=transaction_id)
    draft = transaction["state"] == "draft"
    return await _render(
        request,
        "aml_transactions/transaction.html",
        {
            "transaction": transaction,
            "timeline": await _rpc(request, "transaction_timeline", transaction_id=transaction_id),
            "eligible": await _eligible(request) if draft else [],
            "questions": await _questions(request, transaction["type"]) if draft else [],
        },
        problem,
    )


@login_required
async def transaction_page(request: Request) -> Response:
    return await _detail(request, request.path_params["transaction_id"])


async def _post(request: Request, method: str, flash: str, anchor: str = "", **kwargs) -> Response:
    transaction_id = request.path_params["transaction_id"]
    try:
        await _rpc(request, method, transaction_id=transaction_id, **kwargs)
    except RemoteError as exc:
        return await _detail(request, transaction_id, _problem(exc))
    return _go(request, f"/aml/transactions/{transaction_id}{anchor}", flash)


@login_required
async def add_party(request: Request) -> Response:
    form = await web(request).form(request)
    return await _post(
        request,
        "add_transaction_party",
        "party_added",
        "#parties",
        contact_id=form.get("contact_id") or None,
        role=form.get("role") or None,
    )


@login_required
async def remove_party(request: Request) -> Response:
    form = await web(request).form(request)
    return await _post(
        request, "remove_transaction_party", "party_removed", "#parties",
        contact_id=form.get("contact_id") or None, role=form.get("role") or None,
    )  # fmt: skip


@login_required
async def answers(request: Request) -> Response:
    form = await web(request).form(request)
    transaction = await _rpc(request, "get_transaction", transaction_id=request.path_params["transaction_id"])
    questions = await _questions(request, transaction["type"])
    given = {q["id"]: form.get(f"answers.{q['id']}") == "yes" for q in questions}
    return await _post(request, "answer_transaction_questions", "answers_saved", "#questions", answers=given)


@login_required
async def decision(request: Request) -> Response:
    form = await web(request).form(request)
    choice = form.get("decision")
    return await _post(
        request,
        "decide_transaction",
        "accepted" if choice == "accept" else "refused",
        "#decision",
        decision=choice,
        reason=form.get("reason") or None,
    )


@login_required
async def escalation(request: Request) -> Response:
    form = await web(request).form(request)
    return await _post(
        request,
        "escalate_transaction",
        "escalated",
        "#decision",
        motivation=form.get("motivation") or None,
        proposal=form.get("proposal") or None,
    )


# ---- pay ----------------------------------------------------------------------------------------------------------


@login_required
async def pay_page(request: Request) -> Response:
    transaction_id = request.path_params["transaction_id"]
    transaction = await _rpc(request, "get_transaction", transaction_id=transaction_id)
    problem = None
    try:
        quote = await _rpc(request, "transaction_payment_quote", transaction_id=transaction_id)
    except RemoteError as exc:
        problem, quote = _problem(exc), None
    return await _render(
        request,
        "aml_transactions/pay.html",
        {"transaction": transaction, "quote": quote, "payment_key": f"web-{uuid.uuid4()}"},
        problem,
    )


@login_required
async def pay(request: Request) -> Response:
    transaction_id = request.path_params["transaction_id"]
    form = await web(request).form(request)
    key = form.get("idempotency_key") or f"web-{uuid.uuid4()}"
    try:
        await _rpc(request, "pay_transaction", transaction_id=transaction_id, idempotency_key=key)
    except RemoteError as exc:
        problem = problem_from_rpc_error(exc)
        if problem.code != "insufficient_funds" and problem.code not in SHOWN_AGAIN:
            raise
        transaction = await _rpc(request, "get_transaction", transaction_id=transaction_id)
        quote = None
        try:
            quote = await _rpc(request, "transaction_payment_quote", transaction_id=transaction_id)
        except RemoteError:
            quote = None
        return await _render(
            request,
            "aml_transactions/pay.html",
            {
                "transaction": transaction,
                "quote": quote,
                "payment_key": key if problem.code == "upstream_timeout" else f"web-{uuid.uuid4()}",
                "missing_cents": problem.extra.get("missing_cents"),
            },
            problem,
            status=problem.status,
        )
    return _go(request, f"/aml/transactions/{transaction_id}#result", "paid")


T = "/aml/transactions/{transaction_id}"
ROUTES = [
    Route("/aml/transactions", transactions_page, methods=["GET"]),
    Route("/aml/transactions", create, methods=["POST"]),
    Route("/aml/transactions/new", new_page, methods=["GET"]),
    Route(T, transaction_page, methods=["GET"]),
    Route(T + "/edit", edit_page, methods=["GET"]),
    Route(T + "/edit", update, methods=["POST"]),
    Route(T + "/parties", add_party, methods=["POST"]),
    Route(T + "/parties/remove", remove_party, methods=["POST"]),
    Route(T + "/answers", answers, methods=["POST"]),
    Route(T + "/pay", pay_page, methods=["GET"]),
    Route(T + "/pay", pay, methods=["POST"]),
    Route(T + "/decision", decision, methods=["POST"]),
    Route(T + "/escalation", escalation, methods=["POST"]),
]

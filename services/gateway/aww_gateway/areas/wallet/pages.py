"""The wallet pages: balance and how to top up (card via the payment provider, or bank transfer
with the wallet's structured communication), subscriptions, the operations table (filters, sort,
CSV export, receipts) and invoices; and for platform admins the statement import, the review
queue and the reconciliation.

Every page works without JavaScript: forms post and redirect (303) with a short notice; a refused
form shows the page again with the problem. Forms that move money carry a random idempotency
key, so a double click or a reload pays once.
"""

from __future__ import annotations

import base64
import secrets
from decimal import Decimal
from urllib.parse import urlencode

from babel.numbers import format_currency
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from aww_gateway.areas.wallet.api import csv_response, import_statement_rpc, wallet_document
from aww_gateway.auth import resolve_principal
from aww_gateway.context import call, language_of
from aww_gateway.i18n import N_, gettext
from aww_gateway.problems import Problem, problem_from_rpc_error
from aww_gateway.rpc_client import RemoteError, RpcError
from aww_gateway.web import login_required, web

S = "wallet"
LOCALES = {"nl": "nl_BE", "fr": "fr_BE", "en": "en_GB"}
SHOWN_AGAIN = ("validation_failed", "conflict", "insufficient_funds", "service_unavailable", "not_found", "gone")
FILTERS = ("date_from", "date_to", "type", "product", "user", "sort", "order")
PAGE = 25

FLASH = {
    "subscribed": N_("The subscription is active. Its receipt is in the operations below."),
    "statement": N_("The statement was imported."),
    "resolved": N_("The transfer was handled."),
}
TYPES = {"topup": N_("Top-up"), "charge": N_("Paid service"), "subscription": N_("Subscription")}
PAID_BY = {"wallet": N_("Wallet"), "subscription": N_("Subscription")}
TOPUP_STATUS = {
    "open": N_("We are waiting for the payment provider's confirmation."),
    "paid": N_("The payment succeeded: the amount was added to the wallet."),
    "failed": N_("The payment failed. Nothing was charged."),
    "canceled": N_("The payment was cancelled. Nothing was charged."),
    "expired": N_("The payment expired. Nothing was charged."),
}
REASONS = {
    "no_structured_reference": N_("no structured communication"),
    "invalid_reference": N_("invalid structured communication"),
    "unknown_reference": N_("structured communication of no wallet"),
    "over_limit": N_("more than EUR 5,000"),
    "foreign_currency": N_("not in euro"),
    "zero_amount": N_("zero amount"),
}


def eur(request: Request, cents: int | None) -> str:
    if cents is None:
        return "—"
    return format_currency(Decimal(cents) / 100, "EUR", locale=LOCALES[language_of(request)])


def _t(request: Request, text: str) -> str:
    return gettext(language_of(request), text)


def _go(request: Request, path: str, flash: str | None = None) -> Response:
    return web(request).redirect(
        request, path + (("&" if "?" in path else "?") + urlencode({"flash": flash}) if flash else "")
    )


def _problem(exc: RemoteError) -> Problem:
    problem = problem_from_rpc_error(exc)
    if problem.code not in SHOWN_AGAIN:
        raise exc
    return problem


def _problem_text(request: Request, problem: Problem) -> str:
    if problem.code == "insufficient_funds":
        return _t(request, N_("The wallet does not hold enough money: %(missing)s is missing.")) % {
            "missing": eur(request, problem.extra.get("missing_cents"))
        }
    return problem.detail


def _names(request: Request, names: dict | None, fallback: str = "") -> str:
    return (names or {}).get(language_of(request)) or (names or {}).get("en") or fallback


def _euros_to_cents(text: str) -> int | None:
    """'50', '50.00', '50,5' → cents; anything else → None (the service names the field)."""
    text = (text or "").strip().replace(" ", "").replace(",", ".")
    if not text or text.count(".") > 1 or not text.replace(".", "").isdigit():
        return None
    whole, _, part = text.partition(".")
    if len(part) > 2:
        return None
    return int(whole or "0") * 100 + int((part + "00")[:2])


async def _wallet_context(request: Request) -> dict:
    params = {key: request.query_params.get(key) or None for key in FILTERS}
    try:
        page = max(int(request.query_params.get("page", "1")), 1)
    except ValueError:
        page = 1
    wallet = await call(request, S, "get_wallet")
    products = await call(request, S, "list_products")
    invoices = await call(request, S, "list_invoices")
    problem = None
    try:
        operations = await call(request, S, "list_operations", **params, limit=PAGE, offset=(page - 1) * PAGE)
    except RemoteError as exc:
        problem = _problem(exc)
        operations = await call(request, S, "list_operations", limit=PAGE)
        params = dict.fromkeys(FILTERS)
    query = {k: v for k, v in params.items() if v}
    return {
        "wallet": wallet,
        "plans": [p for p in products if p["kind"] == "subscription"],
        "service_products": [p for p in products if p["kind"] == "service"],
        "invoices": invoices,
        "operations": operations,
        "params": params,
        "page": page,
        "pages": max((operations["total"] + PAGE - 1) // PAGE, 1),
        "query": urlencode(query),
        "sort_link": lambda column: (
            "?"
            + urlencode(
                {
                    **query,
                    "sort": column,
                    "order": "asc" if params.get("sort") == column and params.get("order") != "asc" else "desc",
                }
            )
        ),
        "page_link": lambda number: "?" + urlencode({**query, "page": number}),
        "eur": lambda cents: eur(request, cents),
        "names": lambda names, fallback="": _names(request, names, fallback),
        "types": TYPES,
        "paid_by": PAID_BY,
        "key": secrets.token_urlsafe(18),
        "filter_problem": problem,
    }


async def _page(request: Request, problem: Problem | None = None, form: dict | None = None) -> Response:
    context = await _wallet_context(request)
    messages = []
    if problem is not None:
        messages.append({"kind": "error", "text": _problem_text(request, problem)})
    elif request.query_params.get("flash") in FLASH:
        messages.append({"kind": "ok", "text": _t(request, FLASH[request.query_params["flash"]])})
    if context["filter_problem"] is not None:
        messages.append({"kind": "error", "text": context["filter_problem"].detail})
    errors = {e["field"]: e["message"] for e in (problem.extra.get("errors", []) if problem else []) if "field" in e}
    return web(request).render(
        request,
        "wallet/wallet.html",
        {
            **context,
            "messages": messages,
            "errors": errors,
            "form": form or {},
            "wallet_balance": eur(request, context["wallet"]["balance_cents"]),
        },
        status=problem.status if problem else 200,
    )


def _needs_organisation(request: Request) -> Response | None:
    principal = getattr(request.state, "principal", None) or {}
    return None if principal.get("organisation_id") else _go(request, "/organisations")


# ---- pages ------------------------------------------------------------------------------------


@login_required
async def wallet_page(request: Request):
    return _needs_organisation(request) or await _page(request)


@login_required
async def topup(request: Request):
    if (redirect := _needs_organisation(request)) is not None:
        return redirect
    form = await web(request).form(request)
    amount = _euros_to_cents(str(form.get("amount", "")))
    values = {"amount": str(form.get("amount", "")), "method": str(form.get("method", ""))}
    if amount is None:
        problem = Problem(
            "validation_failed",
            _t(request, N_("Give an amount in euro, e.g. 50 or 125.50")),
            errors=[{"field": "amount_cents", "message": _t(request, N_("is not an amount in euro"))}],
        )
        return await _page(request, problem, values)
    try:
        started = await call(
            request,
            S,
            "create_topup",
            amount_cents=amount,
            payment_method=values["method"],
            idempotency_key=str(form.get("idempotency_key", "")),
        )
    except RemoteError as exc:
        return await _page(request, _problem(exc), values)
    if started["status"] != "open" or not started["checkout_url"]:
        return _go(request, f"/wallet/topups/{started['topup_id']}/return")
    # Not a 303 straight to the provider: the pages' CSP says form-action 'self', and browsers apply
    # it to the redirects that follow a form post. A page of our own hands over to the provider.
    return _go(request, f"/wallet/topups/{started['topup_id']}/pay")


@login_required
async def topup_pay(request: Request):
    """Hands the payer over to the provider's checkout page (a link, and a refresh that follows it)."""
    if (redirect := _needs_organisation(request)) is not None:
        return redirect
    topup = await call(request, S, "get_topup", topup_id=request.path_params["topup_id"])
    if topup["status"] != "open" or not topup["checkout_url"]:
        return _go(request, f"/wallet/topups/{topup['topup_id']}/return")
    return web(request).render(
        request,
        "wallet/topup_pay.html",
        {"topup": topup, "amount": eur(request, topup["amount_cents"])},
    )


@login_required
async def topup_return(request: Request):
    """Where the payer comes back from the provider: ask the provider if the webhook is late."""
    if (redirect := _needs_organisation(request)) is not None:
        return redirect
    topup = await call(request, S, "get_topup", topup_id=request.path_params["topup_id"], refresh=True)
    wallet = await call(request, S, "get_balance")
    return web(request).render(
        request,
        "wallet/topup_return.html",
        {
            "topup": topup,
            "status_text": _t(request, TOPUP_STATUS[topup["status"]]),
            "amount": eur(request, topup["amount_cents"]),
            "balance": eur(request, wallet["balance_cents"]),
            "wallet_balance": eur(request, wallet["balance_cents"]),
        },
    )


@login_required
async def subscribe(request: Request):
    if (redirect := _needs_organisation(request)) is not None:
        return redirect
    form = await web(request).form(request)
    try:
        await call(
            request,
            S,
            "buy_subscription",
            plan=str(form.get("plan", "")),
            idempotency_key=str(form.get("idempotency_key", "")),
        )
    except RemoteError as exc:
        return await _page(request, _problem(exc))
    return _go(request, "/wallet", "subscribed")


@login_required
async def export_csv(request: Request):
    if (redirect := _needs_organisation(request)) is not None:
        return redirect
    params = {key: request.query_params.get(key) or None for key in FILTERS}
    return csv_response(await call(request, S, "export_operations", **params))


@login_required
async def document(request: Request):
    return await wallet_document(request, request.path_params["document_id"])


async def balance_json(request: Request):
    """For the balance in the header of every page (wallet.js); 204 when there is none to show."""
    principal = await resolve_principal(request)
    if not principal or not principal.get("organisation_id"):
        return Response(status_code=204)
    try:
        balance = await call(request, S, "get_balance")
    except RpcError:  # no wallet role, or the wallet is down: the header shows just the link
        return Response(status_code=204)
    return JSONResponse(
        {"balance_cents": balance["balance_cents"], "text": eur(request, balance["balance_cents"])},
        headers={"cache-control": "private, no-store"},
    )


# ---- platform administrators ----------------------------------------------------------------


async def _admin_page(request: Request, problem: Problem | None = None, result: dict | None = None) -> Response:
    queue = await call(request, S, "review_queue", status="open")
    reconciliation = await call(request, S, "reconcile")
    messages = []
    if problem is not None:
        messages.append({"kind": "error", "text": problem.detail})
    elif request.query_params.get("flash") in FLASH:
        messages.append({"kind": "ok", "text": _t(request, FLASH[request.query_params["flash"]])})
    return web(request).render(
        request,
        "wallet/admin.html",
        {
            "queue": queue,
            "reconciliation": reconciliation,
            "result": result,
            "messages": messages,
            "eur": lambda cents: eur(request, cents),
            "reasons": REASONS,
        },
        status=problem.status if problem else 200,
    )


def _admin_only(request: Request) -> None:
    principal = getattr(request.state, "principal", None) or {}
    if not principal.get("platform_admin"):
        raise Problem("forbidden", _t(request, N_("Only platform administrators may do this")))


@login_required
async def admin_page(request: Request):
    _admin_only(request)
    return await _admin_page(request)


@login_required
async def admin_import(request: Request):
    _admin_only(request)
    form = await web(request).form(request)
    upload = form.get("file")
    if upload is None or isinstance(upload, str) or not upload.filename:
        return await _admin_page(request, Problem("validation_failed", _t(request, N_("Choose a statement file"))))
    content = await upload.read()
    try:
        result = await import_statement_rpc(request, upload.filename[:200], base64.b64encode(content).decode())
    except RemoteError as exc:
        return await _admin_page(request, _problem(exc))
    return await _admin_page(request, result=result)


@login_required
async def admin_resolve(request: Request):
    _admin_only(request)
    form = await web(request).form(request)
    try:
        await call(
            request,
            S,
            "resolve_review",
            entry_id=request.path_params["entry_id"],
            action=str(form.get("action", "")),
            organisation_id=str(form.get("organisation_id", "")) or None,
            note=str(form.get("note", "")),
        )
    except RemoteError as exc:
        return await _admin_page(request, _problem(exc))
    return _go(request, "/wallet/admin", "resolved")


ROUTES = [
    Route("/wallet", wallet_page, methods=["GET"]),
    Route("/wallet/topups", topup, methods=["POST"]),
    Route("/wallet/topups/{topup_id}/pay", topup_pay, methods=["GET"]),
    Route("/wallet/topups/{topup_id}/return", topup_return, methods=["GET"]),
    Route("/wallet/subscriptions", subscribe, methods=["POST"]),
    Route("/wallet/operations.csv", export_csv, methods=["GET"]),
    Route("/wallet/documents/{document_id}", document, methods=["GET"]),
    Route("/wallet/balance.json", balance_json, methods=["GET"]),
    Route("/wallet/admin", admin_page, methods=["GET"]),
    Route("/wallet/admin/statements", admin_import, methods=["POST"]),
    Route("/wallet/admin/review/{entry_id}", admin_resolve, methods=["POST"]),
]

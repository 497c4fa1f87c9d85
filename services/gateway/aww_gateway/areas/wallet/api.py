"""The wallet API: /api/v1/wallet/… over the wallet service, which checks membership and roles of
the active organisation on every call (DESIGN.md §7). Money-moving calls take an
`Idempotency-Key` header (8–200 characters: letters, digits, . _ : -): a repeat with the same key
answers the first result; the same key with another request is a 409 conflict."""

from __future__ import annotations

import base64
from urllib.parse import quote

from starlette.responses import Response

from aww_gateway.api import ApiCall, Operation
from aww_gateway.areas.wallet import models as m
from aww_gateway.context import call as rpc_call
from aww_gateway.context import correlation_id_of, language_of, rpc_client
from aww_gateway.problems import Problem
from aww_gateway.rpc_client import RemoteError

S = "wallet"
TAG = "wallet"
IDEMPOTENCY_HEADER = {
    "name": "Idempotency-Key",
    "required": True,
    "description": "Unique per intended operation (8–200 characters: letters, digits, . _ : -). A repeat answers "
    "the first result; the same key with another request is refused (409).",
    "schema": {"type": "string", "minLength": 8, "maxLength": 200, "pattern": "^[A-Za-z0-9._:-]+$"},
}
MONEY = ("conflict", "insufficient_funds", "forbidden", "unauthenticated")
# A statement import books every entry before it answers: 10,000 entries took about 80 s on the
# bench machine (bench/wallet_bench.py), far beyond the usual RPC timeout. Waiting longer is safe:
# a retry after a timeout books nothing twice (the file's sha256 and every entry key are unique).
IMPORT_TIMEOUT_SECONDS = 600.0


async def import_statement_rpc(request, filename: str, content_b64: str) -> dict:
    """import_statement with the long timeout above (the same context headers as every call)."""
    context = {
        "correlation_id": correlation_id_of(request),
        "language": language_of(request),
        "principal": getattr(request.state, "principal", None),
    }
    return await rpc_client(request).call(
        S,
        "import_statement",
        {"filename": filename, "content_b64": content_b64},
        context=context,
        timeout=IMPORT_TIMEOUT_SECONDS,
    )


def idempotency_key(call: ApiCall) -> str:
    key = call.request.headers.get("idempotency-key", "").strip()
    if not key:
        raise Problem(
            "validation_failed",
            "header.Idempotency-Key: send a unique key with every call that moves money",
            errors=[{"field": "header.Idempotency-Key", "message": "is required"}],
        )
    return key


def file_response(found: dict) -> Response:
    content = base64.b64decode(found["content_b64"])
    name = found["filename"]
    ascii_name = name.encode("ascii", "replace").decode().replace('"', "")
    return Response(
        content,
        media_type=found["media_type"],
        headers={
            "content-disposition": f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}",
            "cache-control": "private, no-store",
            "x-content-sha256": found["sha256"],
        },
    )


def csv_response(exported: dict) -> Response:
    return Response(
        exported["content"].encode("utf-8-sig"),  # the BOM makes spreadsheet programs read UTF-8
        media_type="text/csv; charset=utf-8",
        headers={
            "content-disposition": f'attachment; filename="{exported["filename"]}"',
            "cache-control": "private, no-store",
        },
    )


async def wallet_document(request, document_id: str) -> Response:
    """A receipt or invoice of the active organisation's wallet, as a file."""
    owner = await rpc_call(request, S, "document_owner", document_id=document_id)
    if not owner["ready"]:
        raise Problem("not_found", "The document is still being prepared; try again in a moment")
    return file_response(await rpc_call(request, "reporting", "get_document", document_id=document_id))


# ---- handlers --------------------------------------------------------------------------------


async def get_wallet(call: ApiCall):
    return await call.rpc(S, "get_wallet")


async def get_balance(call: ApiCall):
    return await call.rpc(S, "get_balance")


async def list_products(call: ApiCall):
    return await call.rpc(S, "list_products")


async def quote_product(call: ApiCall):
    return await call.rpc(S, "quote", organisation_id=call.principal["organisation_id"], product=call.query.product)


async def list_operations(call: ApiCall):
    return await call.rpc(S, "list_operations", **call.query.model_dump())


async def export_operations(call: ApiCall):
    return csv_response(await call.rpc(S, "export_operations", **call.query.model_dump()))


async def create_topup(call: ApiCall):
    key = idempotency_key(call)
    return await call.rpc(
        S, "create_topup", amount_cents=call.body.amount_cents, payment_method=call.body.method, idempotency_key=key
    )


async def get_topup(call: ApiCall):
    return await call.rpc(S, "get_topup", topup_id=call.path["topup_id"], refresh=call.query.refresh)


async def buy_subscription(call: ApiCall):
    key = idempotency_key(call)
    return await call.rpc(S, "buy_subscription", plan=call.body.plan, idempotency_key=key)


async def charge(call: ApiCall):
    key = idempotency_key(call)
    return await call.rpc(
        S, "charge", organisation_id=call.principal["organisation_id"], **call.body.model_dump(), idempotency_key=key
    )


async def hold(call: ApiCall):
    key = idempotency_key(call)
    return await call.rpc(
        S, "hold", organisation_id=call.principal["organisation_id"], **call.body.model_dump(), idempotency_key=key
    )


async def confirm_hold(call: ApiCall):
    return await call.rpc(S, "confirm_hold", hold_id=call.path["hold_id"])


async def release_hold(call: ApiCall):
    return await call.rpc(S, "release_hold", hold_id=call.path["hold_id"])


async def list_invoices(call: ApiCall):
    return await call.rpc(S, "list_invoices")


async def get_document(call: ApiCall):
    return await wallet_document(call.request, call.path["document_id"])


async def payment_webhook(call: ApiCall):
    """The payment provider's webhook: a form with only `id`. Unknown ids get 200 as well (nothing
    to tell a caller who guesses); a failure on our side gets 503, so the provider retries."""
    form = await call.request.form()
    payment_id = form.get("id")
    if not isinstance(payment_id, str) or not payment_id:
        raise Problem(
            "validation_failed", "id: the payment id is required", errors=[{"field": "id", "message": "is required"}]
        )
    try:
        await rpc_call(call.request, S, "payment_webhook", principal={}, payment_id=payment_id)
    except RemoteError as exc:
        if (exc.error.get("exc_args") or [None])[0] != "not_found":
            raise
    return Response(status_code=200)


async def import_statement(call: ApiCall):
    return await import_statement_rpc(call.request, call.body.filename, call.body.content_base64)


async def review_queue(call: ApiCall):
    return await call.rpc(S, "review_queue", status=call.query.status)


async def resolve_review(call: ApiCall):
    return await call.rpc(S, "resolve_review", entry_id=call.path["entry_id"], **call.body.model_dump())


async def reconcile(call: ApiCall):
    return await call.rpc(S, "reconcile")


async def issue_invoices(call: ApiCall):
    return await call.rpc(S, "issue_invoices", period=call.body.period)


W = "/api/v1/wallet"
FILE = {"description": "The file", "content": {"application/pdf": {}, "application/xml": {}}}

OPERATIONS = [
    Operation(
        "GET",
        W,
        "getWallet",
        "The active organisation's wallet: balance, bank-transfer instructions, subscriptions",
        get_wallet,
        TAG,
        response=m.WalletView,
        auth="organisation",
    ),
    Operation(
        "GET",
        f"{W}/balance",
        "getWalletBalance",
        "The wallet balance (page headers)",
        get_balance,
        TAG,
        response=m.Balance,
        auth="organisation",
    ),
    Operation(
        "GET",
        f"{W}/products",
        "listWalletProducts",
        "Products and subscriptions with today's prices (excl. and incl. VAT)",
        list_products,
        TAG,
        response=list[dict],
    ),
    Operation(
        "GET",
        f"{W}/quote",
        "quoteWalletProduct",
        "Price incl. VAT, whether a subscription covers it, and how much the wallet misses",
        quote_product,
        TAG,
        query=m.QuoteQuery,
        response=m.Quote,
        auth="organisation",
        errors=("validation_failed",),
    ),
    Operation(
        "GET",
        f"{W}/operations",
        "listWalletOperations",
        "Operations, filtered, sorted and paged",
        list_operations,
        TAG,
        query=m.OperationsQuery,
        response=dict,
        auth="organisation",
    ),
    Operation(
        "GET",
        f"{W}/operations.csv",
        "exportWalletOperations",
        "The filtered operations as CSV "
        "(semicolon-separated; cells that a spreadsheet would run as a formula start with ')",
        export_operations,
        TAG,
        query=m.ExportQuery,
        auth="organisation",
        extra_responses={200: {"description": "CSV", "content": {"text/csv": {}}}},
    ),
    Operation(
        "POST",
        f"{W}/topups",
        "createWalletTopup",
        "Start an online top-up; pay at checkout_url",
        create_topup,
        TAG,
        body=m.TopupRequest,
        response=m.Topup,
        status=201,
        auth="organisation",
        errors=("conflict", "service_unavailable"),
        headers=(IDEMPOTENCY_HEADER,),
    ),
    Operation(
        "GET",
        f"{W}/topups/{{topup_id}}",
        "getWalletTopup",
        "A top-up and its status",
        get_topup,
        TAG,
        query=m.TopupQuery,
        response=m.Topup,
        auth="organisation",
        errors=("not_found",),
    ),
    Operation(
        "POST",
        f"{W}/subscriptions",
        "buyWalletSubscription",
        "Buy a subscription, paid from the wallet",
        buy_subscription,
        TAG,
        body=m.SubscriptionRequest,
        response=m.Subscription,
        status=201,
        auth="organisation",
        errors=MONEY,
        headers=(IDEMPOTENCY_HEADER,),
    ),
    Operation(
        "POST",
        f"{W}/charges",
        "chargeWallet",
        "Pay one use of a product (subscription allowance first)",
        charge,
        TAG,
        body=m.ChargeRequest,
        response=m.Charge,
        status=201,
        auth="organisation",
        errors=MONEY,
        headers=(IDEMPOTENCY_HEADER,),
    ),
    Operation(
        "POST",
        f"{W}/holds",
        "holdWallet",
        "Reserve the price of one use until confirmed or released",
        hold,
        TAG,
        body=m.ChargeRequest,
        response=m.Charge,
        status=201,
        auth="organisation",
        errors=MONEY,
        headers=(IDEMPOTENCY_HEADER,),
    ),
    Operation(
        "POST",
        f"{W}/holds/{{hold_id}}/confirm",
        "confirmWalletHold",
        "Settle a hold",
        confirm_hold,
        TAG,
        response=m.Charge,
        auth="organisation",
        errors=("not_found", "gone"),
    ),
    Operation(
        "POST",
        f"{W}/holds/{{hold_id}}/release",
        "releaseWalletHold",
        "Give a hold back",
        release_hold,
        TAG,
        response=m.Charge,
        auth="organisation",
        errors=("not_found", "conflict"),
    ),
    Operation(
        "GET",
        f"{W}/invoices",
        "listWalletInvoices",
        "Monthly invoices",
        list_invoices,
        TAG,
        response=list[dict],
        auth="organisation",
    ),
    Operation(
        "GET",
        f"{W}/documents/{{document_id}}",
        "getWalletDocument",
        "A receipt or invoice file (PDF or Peppol UBL XML)",
        get_document,
        TAG,
        auth="organisation",
        errors=("not_found",),
        extra_responses={200: FILE},
    ),
    Operation(
        "POST",
        f"{W}/payments/webhook",
        "walletPaymentWebhook",
        "The payment provider's webhook (form field `id` only; the payment is fetched from the provider)",
        payment_webhook,
        TAG,
        auth="public",
        status=200,
        raw_body={
            "application/x-www-form-urlencoded": {
                "schema": {
                    "type": "object",
                    "required": ["id"],
                    "properties": {"id": {"type": "string", "minLength": 1}},
                }
            }
        },
        extra_responses={200: {"description": "Received (an unknown payment id too: nothing to tell a guesser)"}},
    ),
    Operation(
        "POST",
        f"{W}/admin/statements",
        "importBankStatement",
        "Import a camt.053 or CODA statement (platform admins)",
        import_statement,
        TAG,
        body=m.StatementImport,
        response=dict,
        auth="platform_admin",
    ),
    Operation(
        "GET",
        f"{W}/admin/review-queue",
        "listWalletReviewQueue",
        "Transfers waiting for an administrator",
        review_queue,
        TAG,
        query=m.ReviewQuery,
        response=list[dict],
        auth="platform_admin",
    ),
    Operation(
        "POST",
        f"{W}/admin/review-queue/{{entry_id}}",
        "resolveWalletReview",
        "Book a queued transfer to a wallet, or dismiss it with a note",
        resolve_review,
        TAG,
        body=m.ReviewDecision,
        response=dict,
        auth="platform_admin",
        errors=("not_found", "conflict"),
    ),
    Operation(
        "GET",
        f"{W}/admin/reconciliation",
        "reconcileWallets",
        "Every money invariant, measured",
        reconcile,
        TAG,
        response=dict,
        auth="platform_admin",
    ),
    Operation(
        "POST",
        f"{W}/admin/invoice-runs",
        "issueWalletInvoices",
        "Issue a month's invoices now (nothing is issued twice)",
        issue_invoices,
        TAG,
        body=m.InvoiceRun,
        response=dict,
        auth="platform_admin",
    ),
]

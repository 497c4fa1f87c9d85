"""The AML transactions API: /api/v1/aml/transactions/… over the aml-workflow service, which checks
the AML tool role and the active organisation on every call (DESIGN.md §7) and pays through the
wallet service; the gateway only shapes the HTTP side.

Paying is the one call that moves money: it needs an `Idempotency-Key` header (a repeat with the
same key answers the first result). Without enough money the answer is 402 `insufficient_funds`
with `missing_cents`; top up at /wallet and pay again.
"""

from __future__ import annotations

from aww_gateway.api import ApiCall, operation_factory
from aww_gateway.areas.aml_transactions import models as m
from aww_gateway.areas.aml_transactions.labels import ROLES
from aww_gateway.areas.wallet.api import IDEMPOTENCY_HEADER, idempotency_key

S = "aml_workflow"
TAG = "aml-transactions"
T = "/api/v1/aml/transactions/{transaction_id}"
COMMON = ("not_found", "forbidden", "unauthenticated")


def _drop_none(values: dict) -> dict:
    return {key: value for key, value in values.items() if value is not None}


async def list_transactions(call: ApiCall):
    query = call.query.model_dump()
    query["query"] = query.pop("q")
    return await call.rpc(S, "search_transactions", **query)


async def create_transaction(call: ApiCall):
    body = call.body.model_dump()
    answers, parties = body.pop("answers"), body.pop("parties")
    return await call.rpc(S, "create_transaction", data=_drop_none(body), answers=answers, parties=parties)


async def get_transaction(call: ApiCall):
    return await call.rpc(S, "get_transaction", transaction_id=call.path["transaction_id"])


async def update_transaction(call: ApiCall):
    data = call.body.model_dump(exclude_unset=True)
    return await call.rpc(S, "update_transaction", transaction_id=call.path["transaction_id"], data=data)


async def answer_questions(call: ApiCall):
    return await call.rpc(
        S, "answer_transaction_questions", transaction_id=call.path["transaction_id"], answers=call.body.answers
    )


async def add_party(call: ApiCall):
    return await call.rpc(
        S, "add_transaction_party", transaction_id=call.path["transaction_id"], **call.body.model_dump()
    )


async def remove_party(call: ApiCall):
    return await call.rpc(
        S,
        "remove_transaction_party",
        transaction_id=call.path["transaction_id"],
        contact_id=call.path["contact_id"],
        role=call.path["role"],
    )


async def quote(call: ApiCall):
    return await call.rpc(S, "transaction_payment_quote", transaction_id=call.path["transaction_id"])


async def pay(call: ApiCall):
    key = idempotency_key(call)
    return await call.rpc(S, "pay_transaction", transaction_id=call.path["transaction_id"], idempotency_key=key)


async def decide(call: ApiCall):
    return await call.rpc(S, "decide_transaction", transaction_id=call.path["transaction_id"], **call.body.model_dump())


async def escalate(call: ApiCall):
    return await call.rpc(
        S, "escalate_transaction", transaction_id=call.path["transaction_id"], **call.body.model_dump()
    )


async def timeline(call: ApiCall):
    return await call.rpc(S, "transaction_timeline", transaction_id=call.path["transaction_id"])


async def questions(call: ApiCall):
    return await call.rpc(S, "transaction_questions", type=call.query.type)


async def eligible(call: ApiCall):
    return await call.rpc(S, "eligible_parties", query=call.query.q, limit=call.query.limit)


_op = operation_factory(
    tag=TAG, auth="organisation", errors=COMMON, path_parameters={"role": {"type": "string", "enum": list(ROLES)}}
)

OPERATIONS = [
    _op(
        "GET",
        "/api/v1/aml/transactions",
        "listAmlTransactions",
        "Search (reference, address, party) and filter (status, level, type, employee, party, date) transactions",
        list_transactions,
        query=m.TransactionQuery,
        response=m.TransactionList,
    ),
    _op(
        "POST",
        "/api/v1/aml/transactions",
        "createAmlTransaction",
        "Create a transaction (a draft) with its parties and questionnaire",
        create_transaction,
        body=m.TransactionCreate,
        response=m.Transaction,
        status=201,
        errors=(*COMMON, "conflict"),
        description="Every party is a contact of the office whose current risk profile is accepted; otherwise "
        "409 says what is missing for that contact.",
    ),
    _op(
        "GET",
        T,
        "getAmlTransaction",
        "A transaction: data, parties, payment, level and factors",
        get_transaction,
        response=m.Transaction,
    ),
    _op(
        "PATCH",
        T,
        "updateAmlTransaction",
        "Change a draft transaction's data",
        update_transaction,
        body=m.TransactionUpdate,
        response=m.Transaction,
        errors=(*COMMON, "conflict"),
    ),
    _op(
        "PUT",
        T + "/answers",
        "answerAmlTransactionQuestions",
        "Answer the transaction questionnaire (draft only)",
        answer_questions,
        body=m.Answers,
        response=m.Transaction,
        errors=(*COMMON, "conflict"),
    ),
    _op(
        "POST",
        T + "/parties",
        "addAmlTransactionParty",
        "Add a party: a contact whose current risk profile is accepted, in a role",
        add_party,
        body=m.PartyRef,
        response=m.Transaction,
        status=201,
        errors=(*COMMON, "conflict"),
    ),
    _op(
        "DELETE",
        T + "/parties/{contact_id}/{role}",
        "removeAmlTransactionParty",
        "Remove a party from a draft transaction",
        remove_party,
        response=m.Transaction,
        errors=(*COMMON, "conflict"),
    ),
    _op(
        "GET",
        T + "/payment",
        "quoteAmlTransactionPayment",
        "The price of the vigilance calculation incl. VAT, subscription cover, balance and any missing amount",
        quote,
        response=m.PaymentQuote,
        errors=(*COMMON, "service_unavailable"),
    ),
    _op(
        "POST",
        T + "/payment",
        "payAmlTransaction",
        "Pay the vigilance calculation (subscription or wallet) and compute the level",
        pay,
        response=m.Transaction,
        errors=(*COMMON, "conflict", "insufficient_funds", "upstream_timeout", "validation_failed"),
        headers=(IDEMPOTENCY_HEADER,),
        description="402 insufficient_funds carries missing_cents: top up the wallet (/wallet) and pay again. "
        "A failure after the wallet charged (504) is finished by paying again: nothing is charged twice.",
    ),
    _op(
        "POST",
        T + "/decision",
        "decideAmlTransaction",
        "Accept or refuse a transaction with normal vigilance (refused = closed for good)",
        decide,
        body=m.Decision,
        response=m.Transaction,
        errors=(*COMMON, "conflict"),
    ),
    _op(
        "POST",
        T + "/escalation",
        "escalateAmlTransaction",
        "Enhanced vigilance: motivation and proposal (accept → the AML officer decides; refuse → closed)",
        escalate,
        body=m.Escalation,
        response=m.Transaction,
        errors=(*COMMON, "conflict"),
    ),
    _op(
        "GET",
        T + "/timeline",
        "getAmlTransactionTimeline",
        "Who did what on a transaction, oldest first",
        timeline,
        response=list[m.TimelineEntry],
    ),
    _op(
        "GET",
        "/api/v1/aml/transaction-questions",
        "getAmlTransactionQuestions",
        "The transaction questionnaire for a type of transaction",
        questions,
        query=m.QuestionsQuery,
        response=m.Questionnaire,
    ),
    _op(
        "GET",
        "/api/v1/aml/transaction-parties",
        "listAmlEligibleParties",
        "Contacts that can be a party now (current risk profile accepted)",
        eligible,
        query=m.EligibleQuery,
        response=list[m.EligibleContact],
    ),
]

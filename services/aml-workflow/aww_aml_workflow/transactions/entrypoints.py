"""Entrypoints of the transactions package, mixed into AmlWorkflowService (see service.py).

Each RPC checks the AML tool role of the caller in the caller's active organisation (servicekit
access read model), then calls one use case of aww_aml_workflow.transactions.handling. The wallet
is the real wallet service over RPC; the caller's principal travels with the call, so the wallet
checks the same person's right to pay from the same organisation's wallet.
"""

from __future__ import annotations

import logging
import uuid

from nameko.exceptions import RemoteError

from aww_aml_workflow import audit
from aww_aml_workflow.transactions import handling
from aww_aml_workflow.transactions import officer_adapter as _registers_the_adapter  # noqa: F401
from aww_contracts.errors import DomainError
from servicekit.calls import ServiceRpc
from servicekit.config import env_int
from servicekit.entrypoints import rpc

log = logging.getLogger(__name__)


def wallet_timeout() -> int:
    """Seconds to wait for the wallet (AML_WALLET_TIMEOUT_SECONDS, read at each call)."""
    return env_int("AML_WALLET_TIMEOUT_SECONDS", 15)


class WalletClient:
    """The wallet's quote and charge over RPC (servicekit.calls). Its domain errors come back as
    DomainError (with their details, e.g. missing_cents); a wallet that is down, does not answer in
    time or fails raises handling.PaymentNotConfirmed: the charge may or may not have happened."""

    def __init__(self, proxy) -> None:
        self.proxy = proxy

    def _call(self, method: str, **kwargs):
        try:
            return getattr(self.proxy.with_timeout(wallet_timeout()), method)(**kwargs)
        except DomainError as error:
            if error.temporary:
                raise handling.PaymentNotConfirmed(f"the wallet did not confirm {method}: {error}") from None
            raise
        except RemoteError as error:
            raise handling.PaymentNotConfirmed(f"the wallet failed: {error.exc_type}") from None

    def quote(self, organisation_id, product):
        try:
            return self._call("quote", organisation_id=organisation_id, product=product)
        except handling.PaymentNotConfirmed:
            raise DomainError(
                "service_unavailable", "The wallet does not answer; try again", service="wallet"
            ) from None

    def charge(self, organisation_id, product, reference, idempotency_key):
        return self._call(
            "charge", organisation_id=organisation_id, product=product, reference=reference,
            idempotency_key=idempotency_key,
        )  # fmt: skip


class TransactionEntrypoints:
    # event types this package publishes (each has a schema in contracts/events)
    EVENTS: tuple[str, ...] = ("transaction_assessed", "transaction_escalated", "transaction_decided")

    wallet_rpc = ServiceRpc("wallet")  # waits wallet_timeout() s

    def _wallet(self) -> WalletClient:
        return WalletClient(self.wallet_rpc)

    @rpc
    def transaction_questions(self, type):
        return handling.questionnaire(self.db, self._actor(), type)

    @rpc
    def create_transaction(self, data, answers=None, parties=None):
        return handling.create_transaction(self.db, self._actor(), data=data, answers=answers, parties=parties)

    @rpc
    def get_transaction(self, transaction_id):
        actor = self._actor()
        found = handling.get_transaction(self.db, actor, transaction_id)
        audit.record_for(
            self.db, actor, "view", "transaction", found["transaction_id"], {"parties": len(found["parties"])}
        )
        return found

    @rpc
    def update_transaction(self, transaction_id, data):
        return handling.update_transaction(self.db, self._actor(), transaction_id, data=data)

    @rpc
    def answer_transaction_questions(self, transaction_id, answers):
        return handling.answer_questions(self.db, self._actor(), transaction_id, answers=answers)

    @rpc
    def add_transaction_party(self, transaction_id, contact_id, role):
        return handling.add_party(self.db, self._actor(), transaction_id, contact_id=contact_id, role=role)

    @rpc
    def remove_transaction_party(self, transaction_id, contact_id, role):
        return handling.remove_party(self.db, self._actor(), transaction_id, contact_id=contact_id, role=role)

    @rpc
    def eligible_parties(self, query=None, limit=25):
        actor = self._actor()
        found = handling.eligible_contacts(self.db, actor, query=query, limit=limit)
        audit.record_for(self.db, actor, "search", "contact_list", None,
                         {"query": bool(query), "results": len(found), "purpose": "transaction_party"})  # fmt: skip
        return found

    @rpc
    def search_transactions(self, query=None, status=None, level=None, type=None, employee_id=None,
                            contact_id=None, created_from=None, created_to=None, limit=25, after=None):  # fmt: skip
        actor = self._actor()
        found = handling.search_transactions(
            self.db,
            actor,
            query=query,
            status=status,
            level=level,
            type=type,
            employee_id=employee_id,
            contact_id=contact_id,
            created_from=created_from,
            created_to=created_to,
            limit=limit,
            after=after,
        )
        # never the search text itself: it may be a name or an address
        audit.record_for(
            self.db, actor, "search", "transaction_list", None, {"query": bool(query), "results": len(found["items"])}
        )
        return found

    @rpc
    def transaction_timeline(self, transaction_id):
        actor = self._actor()
        found = handling.timeline_of(self.db, actor, transaction_id)
        audit.record_for(
            self.db, actor, "view", "transaction_timeline", str(uuid.UUID(str(transaction_id))), {"entries": len(found)}
        )
        return found

    @rpc
    def transaction_payment_quote(self, transaction_id):
        return handling.payment_quote(self.db, self._actor(), transaction_id, wallet=self._wallet())

    @rpc
    def pay_transaction(self, transaction_id, idempotency_key=None):
        actor = self._actor()
        try:
            return handling.pay_and_assess(
                self.db, actor, transaction_id, wallet=self._wallet(), idempotency_key=idempotency_key
            )
        except handling.PaymentNotConfirmed as exc:
            log.warning("transaction payment not confirmed: %s", exc)
            raise DomainError(
                "upstream_timeout",
                "The payment is not confirmed yet: press Pay again — you will not be charged twice",
                transaction_id=str(transaction_id),
            ) from None

    @rpc
    def decide_transaction(self, transaction_id, decision, reason=None):
        return handling.decide_transaction(self.db, self._actor(), transaction_id, decision=decision, reason=reason)

    @rpc
    def escalate_transaction(self, transaction_id, motivation, proposal):
        return handling.escalate_transaction(
            self.db,
            self._actor(),
            transaction_id,
            motivation=motivation,
            proposal=proposal,
        )  # the officer package mails the officers on the transaction_escalated event

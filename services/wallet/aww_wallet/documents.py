"""Documents the wallet asks the reporting service for (receipts, invoices), rendered after the
money moved: a charge never waits for a PDF, and a reporting outage delays documents but never a
payment. Each request has its final document id from the start (derived like reporting derives
it), so the id can be handed out at once; the timer renders and retries with a growing pause."""

from __future__ import annotations

import logging

from aww_wallet import store
from servicekit.calls import ServiceRpc
from servicekit.config import env_float
from servicekit.entrypoints import timer

log = logging.getLogger(__name__)
DOCUMENT_SWEEP_SECONDS = env_float("WALLET_DOCUMENT_SWEEP_SECONDS", 1.0)
RENDER_TIMEOUT_SECONDS = 30


class DocumentEntrypoints:
    reporting = ServiceRpc("reporting", timeout=RENDER_TIMEOUT_SECONDS)

    @timer(interval=DOCUMENT_SWEEP_SECONDS)
    def render_documents(self):
        for request in store.pending_documents(self.db, store.now()):
            try:
                result = self.reporting.render_document(
                    kind=request.kind,
                    organisation_id=str(request.organisation_id) if request.organisation_id else None,
                    reference=request.reference,
                    data=dict(request.data),
                    language=request.language,
                )
            except Exception as exc:  # retried later; the money already moved
                log.warning("rendering %s %s failed: %s", request.kind, request.document_id, type(exc).__name__)
                store.document_failed(self.db, str(request.document_id), request.attempts + 1, repr(exc)[:300])
                continue
            if result["document_id"] != str(request.document_id):
                log.error("reporting gave %s another id than the wallet derived", request.document_id)
            store.document_rendered(self.db, str(request.document_id))

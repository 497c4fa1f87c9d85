"""The Nameko entrypoints of the reporting service: thin, they call domain, renderers and store.

Who may do what:
- `render_document` is for services (wallet, aml-workflow …), never exposed by the gateway as is.
  A call that carries a principal (the user's request forwarded by a service) must come from a
  confirmed member of the document's organisation (or a platform admin); a call without one is a
  service acting on its own (timers, webhooks) on the internal network (contracts/RPC.md).
- `get_document` / `list_documents`: confirmed members of the document's organisation; platform
  documents (organisation_id null) only for platform admins. Anything else is `not_found`, so a
  document id of another office reveals nothing.
- `purged_documents`: the same members; how many of the organisation's documents were purged.

The purge after a retention date: aml-workflow's `documents_expired` event names the documents of a
purged contact or transaction; `on_documents_expired` purges those of the event's organisation and
of the kinds aml-workflow renders (store.purge_documents). A purged document answers `gone` (410)
with its purge date, to `get_document` and to a new `render_document` of the same key alike: the
content is not made again under the same id.
"""

from __future__ import annotations

import base64
import logging

from eventlet import tpool

from aww_contracts.errors import DomainError, field_error
from aww_reporting import store
from aww_reporting.documents import renderer
from aww_reporting.domain import (
    MAX_REFERENCE,
    PURGEABLE_KINDS,
    data_fingerprint,
    document_id,
    purged_message,
    sha256_hex,
)
from servicekit.access import AccessReadModel, access_of
from servicekit.context import LANGUAGES
from servicekit.entrypoints import event_handler, rpc
from servicekit.outbox import add_event
from servicekit.service import ServiceBase

log = logging.getLogger(__name__)


def _metadata(row) -> dict:
    return {
        "document_id": str(row.document_id),
        "kind": row.kind,
        "organisation_id": str(row.organisation_id) if row.organisation_id else None,
        "reference": row.reference,
        "sha256": row.sha256,
        "media_type": row.media_type,
        "filename": row.filename,
        "size_bytes": row.size_bytes,
        "language": row.language,
        "created_at": row.created_at.isoformat(),
        "purged_at": row.purged_at.isoformat() if row.purged_at else None,
    }


def _refuse_if_purged(row) -> None:
    if row.purged_at is not None:
        raise DomainError(
            "gone",
            purged_message(row.purged_at),
            document_id=str(row.document_id),
            purged_at=row.purged_at.isoformat(),
            reason="retention_purge",
        )


class ReportingService(AccessReadModel, ServiceBase):
    name = "reporting"
    publishes = ("document_generated",)

    # ---- authorization ---------------------------------------------------------------------

    def _may_read(self, organisation_id: str | None) -> bool:
        principal = self.context.principal
        if principal is None:
            return False
        if organisation_id is None:
            return principal.platform_admin
        access = access_of(self.db, organisation_id, principal.account_id)
        return access is not None and access.membership_status == "confirmed"

    # ---- RPC -------------------------------------------------------------------------------

    @rpc
    def render_document(self, kind, organisation_id, reference, data, language="nl"):
        """Render and archive a document once; the same (kind, organisation, reference) returns it again."""
        module = renderer(kind)
        if not isinstance(reference, str) or not reference.strip() or len(reference) > MAX_REFERENCE:
            raise field_error("reference", f"must be a text of 1 to {MAX_REFERENCE} characters")
        if language not in LANGUAGES:
            raise field_error("language", "must be nl, fr or en")
        if not isinstance(data, dict):
            raise field_error("data", "must be an object")
        if organisation_id is not None:
            organisation_id = str(organisation_id)
        principal = self.context.principal
        if principal is not None and not principal.platform_admin and not self._may_read(organisation_id):
            raise DomainError("forbidden", "You may not create documents for this organisation")
        fingerprint = data_fingerprint(data, language)
        doc_id = document_id(kind, organisation_id, reference)
        existing = store.find_document(self.db, doc_id)
        if existing is not None:
            return self._same_or_conflict(existing, fingerprint)
        if callable(getattr(module, "validate", None)):
            module.validate(data)
        # fpdf2 and lxml hold the CPU for tens of milliseconds: a real thread keeps the hub free
        rendered = tpool.execute(module.render, data, language)
        digest = sha256_hex(rendered.content)
        row = {
            "document_id": doc_id,
            "kind": kind,
            "organisation_id": organisation_id,
            "reference": reference,
            "sha256": digest,
            "media_type": rendered.media_type,
            "filename": rendered.filename,
            "size_bytes": len(rendered.content),
            "language": language,
            "data_sha256": fingerprint,
            "created_by": principal.account_id if principal else None,
        }
        if not store.store_document(self.db, row, rendered.content):
            # a concurrent render of the same key won; answer with its document
            return self._same_or_conflict(store.find_document(self.db, doc_id), fingerprint)
        add_event(
            self.db,
            "document_generated",
            {
                "document_id": doc_id,
                "kind": kind,
                "organisation_id": organisation_id,
                "reference": reference,
                "sha256": digest,
                "media_type": rendered.media_type,
                "size_bytes": len(rendered.content),
            },
        )
        return {
            "document_id": doc_id,
            "sha256": digest,
            "media_type": rendered.media_type,
            "filename": rendered.filename,
            "size_bytes": len(rendered.content),
        }

    @staticmethod
    def _same_or_conflict(row, fingerprint: str) -> dict:
        _refuse_if_purged(row)  # the key was purged: its content is not made again
        if row.data_sha256 != fingerprint:
            raise DomainError(
                "conflict",
                "A document with this kind and reference already exists with other content",
                document_id=str(row.document_id),
            )
        return {
            "document_id": str(row.document_id),
            "sha256": row.sha256,
            "media_type": row.media_type,
            "filename": row.filename,
            "size_bytes": row.size_bytes,
        }

    @rpc
    def get_document(self, document_id):
        key = _uuid_or_none(document_id)
        row = store.find_document_with_content(self.db, key) if key else None
        if row is None or not self._may_read(str(row.organisation_id) if row.organisation_id else None):
            raise DomainError("not_found", "There is no such document")
        _refuse_if_purged(row)
        return {
            "content_b64": base64.b64encode(row.content).decode(),
            "media_type": row.media_type,
            "filename": row.filename,
            "sha256": row.sha256,
        }

    @rpc
    def get_document_info(self, document_id):
        row = store.find_document(self.db, _uuid_or_none(document_id)) if _uuid_or_none(document_id) else None
        if row is None or not self._may_read(str(row.organisation_id) if row.organisation_id else None):
            raise DomainError("not_found", "There is no such document")
        return _metadata(row)

    @rpc
    def list_documents(self, organisation_id=None, kind=None):
        if organisation_id is not None and _uuid_or_none(organisation_id) is None:
            raise field_error("organisation_id", "must be a UUID")
        if not self._may_read(organisation_id):
            if self.context.principal is None:
                raise DomainError("unauthenticated", "This operation needs a logged-in account")
            raise DomainError("forbidden", "You are not a confirmed member of this organisation")
        return [_metadata(row) for row in store.list_documents(self.db, organisation_id, kind)]

    @rpc
    def purged_documents(self, organisation_id):
        """How many of the organisation's documents the retention purge took (for its overview)."""
        if _uuid_or_none(organisation_id) is None:
            raise field_error("organisation_id", "must be a UUID")
        organisation_id = _uuid_or_none(organisation_id)
        if not self._may_read(organisation_id):
            if self.context.principal is None:
                raise DomainError("unauthenticated", "This operation needs a logged-in account")
            raise DomainError("forbidden", "You are not a confirmed member of this organisation")
        return store.purge_summary(self.db, organisation_id)

    # ---- events ------------------------------------------------------------------------------

    @event_handler("aml_workflow", "documents_expired")
    def on_documents_expired(self, data, envelope):
        """aml-workflow purged a record past its retention date: purge the documents it names."""
        done = store.purge_documents(
            self.db,
            organisation_id=data["organisation_id"],
            document_ids=data["document_ids"],
            kinds=PURGEABLE_KINDS["aml_workflow"],
            record_kind=data["record_kind"],
            record_id=data["record_id"],
            retention_date=data["retention_date"],
            event_id=envelope["event_id"],
        )
        log.info(
            "retention purge of %s %s: %d document(s) purged, %d skipped, %d blob(s) emptied, %d kept",
            data["record_kind"], data["record_id"], done["documents"], done["skipped"],
            done["blobs_emptied"], done["blobs_kept"],
        )  # fmt: skip


def _uuid_or_none(value) -> str | None:
    import uuid

    try:
        return str(uuid.UUID(str(value)))
    except (ValueError, TypeError, AttributeError):
        return None

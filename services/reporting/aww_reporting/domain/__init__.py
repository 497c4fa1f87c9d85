"""The rules of the reporting service, as plain Python: no Nameko, no SQLAlchemy, no I/O."""

from __future__ import annotations

import hashlib
import json
import re
import uuid

# Document ids are derived from the natural key, so a caller knows the id of a document before
# it is rendered (the wallet hands out receipt ids at once and renders them a moment later).
DOCUMENT_NAMESPACE = uuid.UUID("6f4d1c2e-4a57-4b8f-9a53-2b1f0c7d9e10")
KIND_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
MAX_REFERENCE = 200


def document_id(kind: str, organisation_id: str | None, reference: str) -> str:
    """The id of the document (kind, organisation, reference): the same everywhere, forever."""
    return str(uuid.uuid5(DOCUMENT_NAMESPACE, f"{kind}\x1f{organisation_id or '-'}\x1f{reference}"))


def data_fingerprint(data: dict, language: str) -> str:
    """A stable hash of what was asked for: a repeat with other data under the same key is a conflict."""
    canonical = json.dumps({"data": data, "language": language}, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def sha256_hex(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


# The kinds each producer's retention purge may take: only documents it had rendered about a person
# (an office's annual report, a wallet's receipt or invoice are kept by their own rules).
PURGEABLE_KINDS = {"aml_workflow": ("acceptance_document", "goaml_report")}


def purged_message(purged_at) -> str:
    return (
        f"This document was purged on {purged_at.date().isoformat()} after its retention period "
        "(law of 18 September 2017, art. 60); its content is no longer kept"
    )

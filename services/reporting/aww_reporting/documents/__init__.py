"""Renderers of the reporting service: one module per document kind.

How to add a renderer
---------------------
1. Create `aww_reporting/documents/<kind>.py`, where `<kind>` is the name callers pass to the
   `render_document` RPC (lower case, digits and underscores, e.g. `acceptance_document`). The
   service finds it by that name; nothing else needs registering.
2. Define `render(data: dict, language: str) -> RenderedDocument`. `data` is the JSON the caller
   sent; `language` is `nl`, `fr` or `en`. Return the bytes, their media type and a file name.
   Rendering runs in a real OS thread (eventlet.tpool), so it may take CPU time, but it must not
   do I/O of its own (no database, no RPC, no network): everything it needs comes in `data`.
3. Optionally define `validate(data: dict) -> None` raising
   `aww_contracts.errors.field_error("data.<field>", "…")` (a DomainError) that names what is
   missing; the service calls it before rendering, so a bad request fails with a clear 400.
4. For PDFs use `aww_reporting.pdf.DocumentPdf` (DejaVu fonts, headings, tables, key-value blocks,
   page numbers in the footer) and translate labels with `aww_reporting.i18n.label` (add your
   labels to its catalogue, nl/fr/en, or keep your own dict in your module and pass it in).
   Never put the document's sha256 inside the document: it is computed over the final bytes.
5. Make the output a function of `data` and `language` only (pass dates in `data`; the PDF
   toolkit fixes the creation date from `data["issued_at"]` when given), so re-rendering the same
   request gives the same bytes.
6. Test it in `services/reporting/tests/test_reporting_<kind>.py`: render, then read the text
   back with pypdf (or parse the XML) and check what a reader must see.

The archive is keyed by (kind, organisation_id, reference): rendering the same key again returns
the first document; the same key with other data is refused (`conflict`).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from types import ModuleType

from aww_contracts.errors import DomainError
from aww_reporting.domain import KIND_PATTERN


@dataclass(frozen=True)
class RenderedDocument:
    content: bytes
    media_type: str
    filename: str


def renderer(kind: str) -> ModuleType:
    """The module that renders `kind`, found by naming convention; not_found if there is none."""
    if not isinstance(kind, str) or not KIND_PATTERN.match(kind):
        raise DomainError("not_found", "There is no renderer for this kind of document", kind=str(kind)[:64])
    try:
        module = importlib.import_module(f"{__name__}.{kind}")
    except ModuleNotFoundError as exc:
        if exc.name == f"{__name__}.{kind}":
            raise DomainError("not_found", f"There is no renderer for documents of kind {kind!r}", kind=kind) from None
        raise
    if not callable(getattr(module, "render", None)):
        raise DomainError("not_found", f"There is no renderer for documents of kind {kind!r}", kind=kind)
    return module

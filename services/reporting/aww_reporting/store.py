"""Tables of the reporting database and the repository functions the service uses.

The archive is immutable: `document_blobs` holds each content once, keyed by its sha256;
`documents` names a blob as (kind, organisation, reference). Migration 0003 adds triggers that
refuse UPDATE, DELETE and TRUNCATE on both tables, so not even a bug in this service can change
a document that was handed out.

The one exception is the purge after a retention date (`purge_documents`, migration 0004): the
document is recorded in `document_purges` (insert only), its row keeps ids, kind, sha256, sizes
and dates but gets a neutral reference and filename, and a blob loses its content once no
document that is not purged names it. The triggers check both steps in the database.
"""

from __future__ import annotations

import uuid

from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    DateTime,
    Index,
    LargeBinary,
    MetaData,
    Table,
    Text,
    Uuid,
    select,
    text,
)

from servicekit.access import metadata as access_metadata
from servicekit.outbox import metadata as outbox_metadata

metadata = MetaData()

blobs = Table(
    "document_blobs",
    metadata,
    Column("sha256", Text, primary_key=True),
    Column("content", LargeBinary),  # NULL once purged (then purged_at is set)
    Column("size_bytes", BigInteger, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=text("now()")),
    Column("purged_at", DateTime(timezone=True)),
)

documents = Table(
    "documents",
    metadata,
    Column("document_id", Uuid, primary_key=True),
    Column("kind", Text, nullable=False),
    Column("organisation_id", Uuid),  # NULL: a platform document (platform admins only)
    Column("reference", Text, nullable=False),
    Column("sha256", Text, nullable=False),
    Column("media_type", Text, nullable=False),
    Column("filename", Text, nullable=False),
    Column("size_bytes", BigInteger, nullable=False),
    Column("language", Text, nullable=False),
    Column("data_sha256", Text, nullable=False),  # fingerprint of the request: same key, other data → conflict
    Column("created_by", Uuid),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=text("now()")),
    Index("documents_by_organisation", "organisation_id", "kind", "created_at"),
)

purges = Table(
    "document_purges",
    metadata,
    Column("document_id", Uuid, primary_key=True),
    Column("organisation_id", Uuid, nullable=False),
    Column("record_kind", Text, nullable=False),  # what the producer purged: contact | transaction
    Column("record_id", Uuid, nullable=False),
    Column("retention_date", Date, nullable=False),
    Column("event_id", Uuid, nullable=False),
    Column("purged_at", DateTime(timezone=True), nullable=False, server_default=text("now()")),
)

# Alembic compares against all three: own tables, outbox/processed-events, the access read model.
target_metadata = [metadata, outbox_metadata, access_metadata]

_COLUMNS = (
    documents.c.document_id,
    documents.c.kind,
    documents.c.organisation_id,
    documents.c.reference,
    documents.c.sha256,
    documents.c.media_type,
    documents.c.filename,
    documents.c.size_bytes,
    documents.c.language,
    documents.c.data_sha256,
    documents.c.created_at,
    purges.c.purged_at,
)
_WITH_PURGES = documents.outerjoin(purges, purges.c.document_id == documents.c.document_id)


def find_document(session, document_id: str):
    return session.execute(
        select(*_COLUMNS).select_from(_WITH_PURGES).where(documents.c.document_id == document_id)
    ).first()


def store_document(session, row: dict, content: bytes) -> bool:
    """Archive a rendered document; False if a document with this id already exists.

    A concurrent insert of the same id waits on the primary key and then reports the conflict,
    so two renders of the same (kind, organisation, reference) archive one document.

    The blob is locked even when it exists (DO UPDATE, not DO NOTHING), so a purge running at the
    same time either waits for this document and keeps the content, or finishes first and this
    insert puts the very same bytes back (the trigger checks their sha256).
    """
    session.execute(
        text(
            "INSERT INTO document_blobs (sha256, content, size_bytes) VALUES (:sha256, :content, :size) "
            "ON CONFLICT (sha256) DO UPDATE SET content = EXCLUDED.content, purged_at = NULL "
            "WHERE document_blobs.content IS NULL"
        ),
        {"sha256": row["sha256"], "content": content, "size": len(content)},
    )
    inserted = session.execute(
        text(
            "INSERT INTO documents (document_id, kind, organisation_id, reference, sha256, media_type, filename, "
            "size_bytes, language, data_sha256, created_by) VALUES (:document_id, :kind, :organisation_id, "
            ":reference, :sha256, :media_type, :filename, :size_bytes, :language, :data_sha256, :created_by) "
            "ON CONFLICT (document_id) DO NOTHING RETURNING 1"
        ),
        row,
    ).first()
    return inserted is not None


def find_document_with_content(session, document_id: str):
    """The document, its purge if any and its bytes, read in one statement: read in two, a purge
    committing in between showed a document not yet purged whose content was already gone."""
    return session.execute(
        select(*_COLUMNS, blobs.c.content)
        .select_from(_WITH_PURGES.join(blobs, blobs.c.sha256 == documents.c.sha256))
        .where(documents.c.document_id == document_id)
    ).first()


def list_documents(session, organisation_id: str | None, kind: str | None, limit: int = 500):
    query = select(*_COLUMNS).select_from(_WITH_PURGES)
    if organisation_id is None:
        query = query.where(documents.c.organisation_id.is_(None))
    else:
        query = query.where(documents.c.organisation_id == organisation_id)
    if kind:
        query = query.where(documents.c.kind == kind)
    return session.execute(query.order_by(documents.c.created_at.desc()).limit(limit)).all()


# ---- the purge after a retention date ----------------------------------------------------------------

PURGE_SQL = {
    # the documents this purge may take: named, of the organisation, of a kind the producer made,
    # not purged yet (locked, so two purges of one document record it once)
    "candidates": """
        SELECT d.document_id FROM documents d
        WHERE d.document_id = ANY(:ids) AND d.organisation_id = :organisation_id AND d.kind = ANY(:kinds)
          AND NOT EXISTS (SELECT 1 FROM document_purges p WHERE p.document_id = d.document_id)
        ORDER BY d.document_id FOR UPDATE OF d
    """,
    "record": """
        INSERT INTO document_purges (document_id, organisation_id, record_kind, record_id, retention_date, event_id)
        SELECT unnest(CAST(:ids AS uuid[])), :organisation_id, :record_kind, :record_id, :retention_date, :event_id
        ON CONFLICT (document_id) DO NOTHING RETURNING document_id
    """,
    "neutralise": """
        UPDATE documents SET reference = archive_purged_reference(document_id),
               filename = archive_purged_filename(document_id, filename), data_sha256 = 'purged'
        WHERE document_id = ANY(:ids) RETURNING sha256
    """,
    # lock the blobs first: a render of the same bytes then waits (store_document) or comes after
    "lock_blobs": "SELECT sha256 FROM document_blobs WHERE sha256 = ANY(:shas) ORDER BY sha256 FOR UPDATE",
    "empty_blobs": """
        UPDATE document_blobs b SET content = NULL, purged_at = now()
        WHERE b.sha256 = ANY(:shas) AND b.content IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM documents d WHERE d.sha256 = b.sha256
                          AND NOT EXISTS (SELECT 1 FROM document_purges p WHERE p.document_id = d.document_id))
        RETURNING b.sha256
    """,
}


def purge_documents(
    session, *, organisation_id, document_ids, kinds, record_kind, record_id, retention_date, event_id
) -> dict:
    """Purge the named documents of one organisation: record, neutralise, empty the blobs no other
    document needs. Unknown ids, other organisations' documents, other kinds and documents purged
    before are left alone (and counted as skipped)."""
    run = lambda name, **params: session.execute(text(PURGE_SQL[name]), params)  # noqa: E731
    wanted = sorted({uuid.UUID(str(d)) for d in document_ids})
    found = run("candidates", ids=wanted, organisation_id=organisation_id, kinds=list(kinds)).scalars().all()
    recorded = []
    if found:
        recorded = (
            run(
                "record",
                ids=list(found),
                organisation_id=organisation_id,
                record_kind=record_kind,
                record_id=record_id,
                retention_date=retention_date,
                event_id=event_id,
            )
            .scalars()
            .all()
        )
    shas = sorted(set(run("neutralise", ids=list(recorded)).scalars().all())) if recorded else []
    emptied = []
    if shas:
        run("lock_blobs", shas=shas)
        emptied = run("empty_blobs", shas=shas).scalars().all()
    return {
        "documents": len(recorded),
        "skipped": len(wanted) - len(recorded),
        "blobs_emptied": len(emptied),
        "blobs_kept": len(shas) - len(emptied),
    }


def purge_summary(session, organisation_id: str) -> dict:
    """How many of the organisation's documents were purged, by kind and by the record purged."""
    rows = session.execute(
        text(
            "SELECT d.kind, p.record_kind, count(*) AS n, max(p.purged_at) AS last FROM document_purges p "
            "JOIN documents d ON d.document_id = p.document_id WHERE p.organisation_id = :o "
            "GROUP BY d.kind, p.record_kind"
        ),
        {"o": organisation_id},
    ).all()
    by_kind: dict[str, int] = {}
    by_record_kind: dict[str, int] = {}
    for row in rows:
        by_kind[row.kind] = by_kind.get(row.kind, 0) + row.n
        by_record_kind[row.record_kind] = by_record_kind.get(row.record_kind, 0) + row.n
    last = max((row.last for row in rows), default=None)
    return {
        "organisation_id": organisation_id,
        "purged": sum(by_kind.values()),
        "by_kind": by_kind,
        "by_record_kind": by_record_kind,
        "last_purged_at": last.isoformat() if last else None,
    }

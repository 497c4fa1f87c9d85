"""Tables of the reporting database and the repository functions the service uses.

The archive is immutable: `document_blobs` holds each content once, keyed by its sha256;
`documents` names a blob as (kind, organisation, reference). Migration 0003 adds triggers that
refuse UPDATE, DELETE and TRUNCATE on both tables, so not even a bug in this service can change
a document that was handed out.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
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
    Column("content", LargeBinary, nullable=False),
    Column("size_bytes", BigInteger, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=text("now()")),
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
)


def find_document(session, document_id: str):
    return session.execute(select(*_COLUMNS).where(documents.c.document_id == document_id)).first()


def store_document(session, row: dict, content: bytes) -> bool:
    """Archive a rendered document; False if a document with this id already exists.

    A concurrent insert of the same id waits on the primary key and then reports the conflict,
    so two renders of the same (kind, organisation, reference) archive one document.
    """
    session.execute(
        text(
            "INSERT INTO document_blobs (sha256, content, size_bytes) VALUES (:sha256, :content, :size) "
            "ON CONFLICT (sha256) DO NOTHING"
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


def document_content(session, sha256: str) -> bytes:
    return session.execute(select(blobs.c.content).where(blobs.c.sha256 == sha256)).scalar_one()


def list_documents(session, organisation_id: str | None, kind: str | None, limit: int = 500):
    query = select(*_COLUMNS)
    if organisation_id is None:
        query = query.where(documents.c.organisation_id.is_(None))
    else:
        query = query.where(documents.c.organisation_id == organisation_id)
    if kind:
        query = query.where(documents.c.kind == kind)
    return session.execute(query.order_by(documents.c.created_at.desc()).limit(limit)).all()

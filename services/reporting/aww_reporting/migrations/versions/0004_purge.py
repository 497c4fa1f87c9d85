"""the purge of documents past their retention date (the archive stays immutable otherwise)

Revision ID: 0004_purge
Revises: 0003_archive

`document_purges` records each purged document (insert only). The triggers of 0003 are replaced by
ones that still refuse every DELETE and TRUNCATE and every UPDATE except the two steps of a purge,
each checked in the database so that no other code path can take it:
- a document row may only get its neutral reference, filename and request fingerprint
  (archive_purged_reference / archive_purged_filename below, nothing else changed) once the
  document is in `document_purges`;
- a blob may lose its content (content NULL, purged_at set, nothing else changed) only when at least
  one document names it and every document naming it is in `document_purges`; a purged blob may get
  its content back only with bytes whose sha256 is the blob's key (a new document rendered with the
  very same content).
"""

from alembic import op

revision = "0004_purge"
down_revision = "0003_archive"
branch_labels = None
depends_on = None

UPGRADE = r"""
CREATE TABLE document_purges (
    document_id uuid PRIMARY KEY REFERENCES documents (document_id),
    organisation_id uuid NOT NULL,
    record_kind text NOT NULL CHECK (record_kind ~ '^[a-z][a-z0-9_]{0,63}$'),
    record_id uuid NOT NULL,
    retention_date date NOT NULL,
    event_id uuid NOT NULL,
    purged_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX document_purges_of_organisation ON document_purges (organisation_id, purged_at);

ALTER TABLE document_blobs ALTER COLUMN content DROP NOT NULL;
ALTER TABLE document_blobs ADD COLUMN purged_at timestamptz;
ALTER TABLE document_blobs ADD CONSTRAINT blob_content_or_purged
    CHECK ((content IS NULL) = (purged_at IS NOT NULL));
CREATE INDEX documents_by_blob ON documents (sha256);

-- the neutral values a purged document row holds: ids only, nothing a caller typed
CREATE FUNCTION archive_purged_reference(document_id uuid) RETURNS text
    LANGUAGE sql IMMUTABLE AS $$ SELECT 'purged/' || document_id::text $$;
CREATE FUNCTION archive_purged_filename(document_id uuid, filename text) RETURNS text
    LANGUAGE sql IMMUTABLE AS $$
    SELECT 'purged-' || document_id::text || coalesce(substring(filename FROM '\.[A-Za-z0-9]{1,5}$'), '') $$;

CREATE FUNCTION archive_document_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM document_purges p WHERE p.document_id = OLD.document_id)
     AND NEW.reference = archive_purged_reference(OLD.document_id)
     AND NEW.filename = archive_purged_filename(OLD.document_id, OLD.filename)
     AND NEW.data_sha256 = 'purged'
     AND to_jsonb(NEW) - 'reference' - 'filename' - 'data_sha256'
         = to_jsonb(OLD) - 'reference' - 'filename' - 'data_sha256' THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'the document archive is immutable: UPDATE on documents refused (a purge only)'
    USING ERRCODE = 'insufficient_privilege';
END $$;

CREATE FUNCTION archive_blob_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.sha256 = OLD.sha256 AND NEW.size_bytes = OLD.size_bytes AND NEW.created_at = OLD.created_at THEN
    -- the purge: no document that is not purged may still name this content
    IF OLD.content IS NOT NULL AND NEW.content IS NULL AND NEW.purged_at IS NOT NULL
       AND EXISTS (SELECT 1 FROM documents d JOIN document_purges p USING (document_id) WHERE d.sha256 = OLD.sha256)
       AND NOT EXISTS (SELECT 1 FROM documents d WHERE d.sha256 = OLD.sha256 AND NOT EXISTS
                        (SELECT 1 FROM document_purges p WHERE p.document_id = d.document_id)) THEN
      RETURN NEW;
    END IF;
    -- a new document with the very same bytes: the content comes back, proven by its hash
    IF OLD.content IS NULL AND NEW.content IS NOT NULL AND NEW.purged_at IS NULL
       AND encode(sha256(NEW.content), 'hex') = OLD.sha256 AND octet_length(NEW.content) = OLD.size_bytes THEN
      RETURN NEW;
    END IF;
  END IF;
  RAISE EXCEPTION 'the document archive is immutable: UPDATE on document_blobs refused (a purge only)'
    USING ERRCODE = 'insufficient_privilege';
END $$;

DROP TRIGGER documents_immutable ON documents;
DROP TRIGGER document_blobs_immutable ON document_blobs;
CREATE TRIGGER documents_no_delete BEFORE DELETE ON documents
    FOR EACH ROW EXECUTE FUNCTION archive_is_immutable();
CREATE TRIGGER document_blobs_no_delete BEFORE DELETE ON document_blobs
    FOR EACH ROW EXECUTE FUNCTION archive_is_immutable();
CREATE TRIGGER documents_purge_only BEFORE UPDATE ON documents
    FOR EACH ROW EXECUTE FUNCTION archive_document_update();
CREATE TRIGGER document_blobs_purge_only BEFORE UPDATE ON document_blobs
    FOR EACH ROW EXECUTE FUNCTION archive_blob_update();
CREATE TRIGGER document_purges_immutable BEFORE UPDATE OR DELETE ON document_purges
    FOR EACH ROW EXECUTE FUNCTION archive_is_immutable();
CREATE TRIGGER document_purges_no_truncate BEFORE TRUNCATE ON document_purges
    FOR EACH STATEMENT EXECUTE FUNCTION archive_is_immutable();
"""

DOWNGRADE = """
DROP TRIGGER documents_purge_only ON documents;
DROP TRIGGER document_blobs_purge_only ON document_blobs;
DROP TRIGGER documents_no_delete ON documents;
DROP TRIGGER document_blobs_no_delete ON document_blobs;
CREATE TRIGGER documents_immutable BEFORE UPDATE OR DELETE ON documents
    FOR EACH ROW EXECUTE FUNCTION archive_is_immutable();
CREATE TRIGGER document_blobs_immutable BEFORE UPDATE OR DELETE ON document_blobs
    FOR EACH ROW EXECUTE FUNCTION archive_is_immutable();
DROP FUNCTION archive_document_update();
DROP FUNCTION archive_blob_update();
DROP FUNCTION archive_purged_filename(uuid, text);
DROP FUNCTION archive_purged_reference(uuid);
DROP INDEX documents_by_blob;
ALTER TABLE document_blobs DROP CONSTRAINT blob_content_or_purged;
ALTER TABLE document_blobs DROP COLUMN purged_at;
DROP TABLE document_purges;
"""


def upgrade() -> None:
    op.execute(UPGRADE)


def downgrade() -> None:
    # a purged blob has no content any more: going back cannot restore NOT NULL on content
    op.execute(DOWNGRADE)

"""immutable, content-addressed document archive

Revision ID: 0003_archive
Revises: 0002_access
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_archive"
down_revision = "0002_access"
branch_labels = None
depends_on = None

IMMUTABLE = """
CREATE FUNCTION archive_is_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'the document archive is immutable: % on % refused', TG_OP, TG_TABLE_NAME
    USING ERRCODE = 'insufficient_privilege';
END $$;
"""


def upgrade() -> None:
    op.create_table(
        "document_blobs",
        sa.Column("sha256", sa.Text, primary_key=True),
        sa.Column("content", sa.LargeBinary, nullable=False),
        sa.Column("size_bytes", sa.BigInteger, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.text("now()")),
        sa.CheckConstraint("sha256 ~ '^[0-9a-f]{64}$'", name="blob_sha256_hex"),
    )
    op.create_table(
        "documents",
        sa.Column("document_id", sa.Uuid, primary_key=True),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("organisation_id", sa.Uuid),
        sa.Column("reference", sa.Text, nullable=False),
        sa.Column("sha256", sa.Text, sa.ForeignKey("document_blobs.sha256"), nullable=False),
        sa.Column("media_type", sa.Text, nullable=False),
        sa.Column("filename", sa.Text, nullable=False),
        sa.Column("size_bytes", sa.BigInteger, nullable=False),
        sa.Column("language", sa.Text, nullable=False),
        sa.Column("data_sha256", sa.Text, nullable=False),
        sa.Column("created_by", sa.Uuid),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.text("now()")),
    )
    op.create_index("documents_by_organisation", "documents", ["organisation_id", "kind", "created_at"])
    # one document per (kind, organisation, reference), platform documents (NULL organisation) included
    op.execute(
        "CREATE UNIQUE INDEX documents_natural_key ON documents (kind, organisation_id, reference) NULLS NOT DISTINCT"
    )
    op.execute(IMMUTABLE)
    for table in ("documents", "document_blobs"):
        op.execute(
            f"CREATE TRIGGER {table}_immutable BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION archive_is_immutable()"
        )
        op.execute(
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION archive_is_immutable()"
        )


def downgrade() -> None:
    op.drop_table("documents")
    op.drop_table("document_blobs")
    op.execute("DROP FUNCTION archive_is_immutable()")

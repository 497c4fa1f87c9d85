"""contact search: the office's name index carries the columns search filters on

The search walks this index in name order and filters on its entries without reading the table
(an index-only scan); see cases/handling.py `_search_ids` and bench/aml_contacts_bench.py.

Revision ID: c003_contact_search
Revises: c002_mail
"""

from alembic import op

revision = "c003_contact_search"
down_revision = "c002_mail"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("DROP INDEX aml_contacts_by_name")
    op.execute(
        "CREATE INDEX aml_contacts_by_name ON aml_contacts (organisation_id, sort_name, id) "
        "INCLUDE (search_text, kind, status, level, employee_id, created_at, review_due_on)"
    )


def downgrade() -> None:
    op.execute("DROP INDEX aml_contacts_by_name")
    op.execute("CREATE INDEX aml_contacts_by_name ON aml_contacts (organisation_id, sort_name, id)")

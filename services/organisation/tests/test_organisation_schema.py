"""The migrations build exactly the schema store.py describes."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine

from aww_organisation.store import target_metadata


def test_migrated_database_matches_the_store(org_db_url):
    engine = create_engine(org_db_url)
    with engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), target_metadata)
    engine.dispose()
    assert differences == []

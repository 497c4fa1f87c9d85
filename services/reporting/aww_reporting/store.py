"""Tables of the reporting database and the repository functions the service uses."""

from sqlalchemy import MetaData

from servicekit.outbox import metadata as outbox_metadata

metadata = MetaData()

# Alembic compares against both: the service's own tables and the outbox/processed-events tables.
target_metadata = [metadata, outbox_metadata]

"""Tables of the aml-workflow database. Each part keeps its tables in its own store module
(screening/store.py, cases/store.py) on this one MetaData, so Alembic sees them all."""

from sqlalchemy import MetaData

from servicekit.access import metadata as access_metadata
from servicekit.outbox import metadata as outbox_metadata

metadata = MetaData()

target_metadata = [metadata, outbox_metadata, access_metadata]

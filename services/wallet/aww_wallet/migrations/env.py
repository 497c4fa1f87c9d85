from alembic import context

from aww_wallet.store import target_metadata
from servicekit.migrations import run_env

run_env(context, target_metadata)

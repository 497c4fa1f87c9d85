"""One Alembic history per service database, run programmatically.

Each service keeps its history in `aww_<name>/migrations`; its env.py calls `run_env`. Independent
parts of a service may keep their own branch from the first revision ("heads" upgrades all). Upgrades
take a PostgreSQL advisory lock, so replicas starting together migrate once.
"""

from __future__ import annotations

import zlib

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, engine_from_config, pool, text


def alembic_config(package: str, url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", f"{package}:migrations")
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(package: str, url: str, revision: str = "heads") -> None:
    lock_key = zlib.crc32(package.encode())
    engine = create_engine(url, poolclass=pool.NullPool)
    with engine.connect() as conn:
        conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": lock_key})
        try:
            command.upgrade(alembic_config(package, url), revision)
        finally:
            conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": lock_key})
            conn.commit()
    engine.dispose()


def run_env(context, target_metadata) -> None:
    """The body of every service's migrations/env.py (online mode only)."""
    config = context.config
    connectable = engine_from_config(
        config.get_section(config.config_ini_section, {}), prefix="sqlalchemy.", poolclass=pool.NullPool
    )
    with connectable.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata)
        with context.begin_transaction():
            context.run_migrations()

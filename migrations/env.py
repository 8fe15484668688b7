"""Alembic environment: runs on a connection handed over by `baton migrate`, or on
BATON_DATABASE_DIRECT_URL, else DATABASE_URL."""

from __future__ import annotations

import asyncio
import logging
import os

from alembic import context
from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from domain.db import make_engine
from domain.metadata import metadata

config = context.config


def run(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=metadata, compare_type=True)
    with context.begin_transaction():
        # Migrations may move any tenant's rows; row-level security admits that only in system scope
        # (transaction-local, like every setting Baton makes).
        logging.getLogger("baton.db").info("system scope: migrations")
        connection.execute(select(func.set_config("app.scope", "system", True)))
        context.run_migrations()


async def run_on_url(url: str) -> None:
    engine = make_engine(url)
    async with engine.connect() as conn:
        await conn.run_sync(run)
        await conn.commit()
    await engine.dispose()


if context.is_offline_mode():
    raise SystemExit("Offline migrations are not supported; run `baton migrate`.")
connection = config.attributes.get("connection")
if connection is not None:
    run(connection)
else:
    # Postgres itself: past a PgBouncer in DATABASE_URL, as `baton migrate` connects.
    url = (
        config.get_main_option("sqlalchemy.url")
        or os.environ.get("BATON_DATABASE_DIRECT_URL")
        or os.environ.get("DATABASE_URL")
    )
    if not url:
        raise SystemExit("Set DATABASE_URL (or BATON_DATABASE_DIRECT_URL) to run alembic directly.")
    asyncio.run(run_on_url(url))

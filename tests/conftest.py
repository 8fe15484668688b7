"""Shared fixtures: a real Postgres (TEST_DATABASE_URL, else an embedded one), a fresh database per
test session built by the Alembic migrations, and truncation after every test that used it."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.db import make_engine
from domain.metadata import metadata
from domain.tenancy import service as tenancy
from domain.tenancy.models import Role

ROOT = Path(__file__).resolve().parent.parent


def _server_url() -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url
    from server.embedded_pg import start

    return start(Path(os.environ.get("BATON_TEST_DATA_DIR", ROOT / ".baton" / "test")), "postgres")


def _dsn(url: str, database: str) -> str:
    """A plain libpq-style DSN for asyncpg (it does not take the +asyncpg driver name)."""
    u = make_url(url).set(drivername="postgresql", database=database)
    return u.render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def database_url() -> AsyncIterator[str]:
    server = _server_url()
    name = f"baton_test_{uuid.uuid4().hex[:10]}"

    async def admin(sql: str) -> None:
        conn = await asyncpg.connect(_dsn(server, "postgres"))
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(admin(f'CREATE DATABASE "{name}"'))
    url = _dsn(server, name)
    from server.migrate import migrate

    asyncio.run(migrate(url))
    yield url
    asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = make_engine(database_url, pool_size=20, max_overflow=10)
    yield engine
    await engine.dispose()


@pytest.fixture
async def db(engine: AsyncEngine) -> AsyncIterator[AsyncEngine]:
    """The engine, with every table emptied after the test."""
    yield engine
    tables = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
    async with engine.begin() as conn:
        await conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


@dataclass
class TenantKeys:
    id: uuid.UUID
    admin: str
    engine: AsyncEngine

    async def key(self, role: Role) -> str:
        return (await tenancy.create_api_key(self.engine, self.id, role)).secret


@pytest.fixture
async def tenant(db: AsyncEngine) -> TenantKeys:
    created, issued = await tenancy.create_tenant(db, "Acme", "USD", tax_rate_bps=1000)
    return TenantKeys(created.id, issued.secret, db)


@pytest.fixture
async def other_tenant(db: AsyncEngine) -> TenantKeys:
    created, issued = await tenancy.create_tenant(db, "Globex", "USD")
    return TenantKeys(created.id, issued.secret, db)

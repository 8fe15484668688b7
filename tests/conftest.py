"""Shared fixtures: a real Postgres (TEST_DATABASE_URL, else an embedded one), a fresh database per
test session built by the Alembic migrations, and truncation after every test that used it."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from domain import secrets
from domain.db import make_engine
from domain.metadata import metadata
from domain.tenancy import service as tenancy
from domain.tenancy.models import Role

ROOT = Path(__file__).resolve().parent.parent


APP_ROLE = os.environ.get("BATON_TEST_ROLE", "baton_test")

# Stored secrets are sealed with this session's own key; processes the tests start inherit it.
os.environ.setdefault("BATON_SECRET_KEY", secrets.new_key())
secrets.install(os.environ["BATON_SECRET_KEY"].split(","))


def _server_url() -> str:
    """A superuser URL of the server the tests use."""
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url
    from server.embedded_pg import start

    data_dir = Path(os.environ.get("BATON_TEST_DATA_DIR", ROOT / ".baton" / "test"))
    return start(data_dir, "postgres", role=None)


def _dsn(url: str, database: str, user: str | None = None) -> str:
    """A plain libpq-style DSN for asyncpg (it does not take the +asyncpg driver name)."""
    u = make_url(url).set(drivername="postgresql", database=database)
    if user:
        u = u.set(username=user, password=None)
    return u.render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    """A fresh database, owned by an ordinary role that the tests (and the app under test) connect
    as, so row-level security applies as it does in production. Built by the migrations."""
    server = _server_url()
    name = f"baton_test_{uuid.uuid4().hex[:10]}"

    async def admin(*statements: str) -> None:
        conn = await asyncpg.connect(_dsn(server, "postgres"))
        try:
            for sql in statements:
                await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(
        admin(
            f"DO $$ BEGIN CREATE ROLE {APP_ROLE} LOGIN NOSUPERUSER; "
            "EXCEPTION WHEN duplicate_object THEN NULL; END $$",
            f'CREATE DATABASE "{name}" OWNER {APP_ROLE}',
        )
    )
    url = _dsn(server, name, APP_ROLE)
    from server.migrate import migrate

    asyncio.run(migrate(url))
    yield url
    asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def superuser_url(database_url: str) -> str:
    """The test database as a superuser, which row-level security does not hold: to show what Baton
    does when it is given such a role."""
    return _dsn(_server_url(), make_url(database_url).database or "postgres")


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

"""Tests that read or change tables directly: row-level security shows a connection that names no
tenant and no scope nothing, so these open one in system scope (an observer that sees every tenant,
as the background workers do) or in one tenant's scope."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from domain.db import SYSTEM_SESSION, set_tenant, system_scope


@asynccontextmanager
async def as_system(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """A transaction over every tenant's rows, committed when the block ends without an error."""
    async with engine.begin() as conn:
        await system_scope(conn, "a test reads or changes tables directly")
        yield conn


@asynccontextmanager
async def as_tenant(engine: AsyncEngine, tenant_id: uuid.UUID) -> AsyncIterator[AsyncConnection]:
    """A transaction over one tenant's rows, committed when the block ends without an error."""
    async with engine.begin() as conn:
        await set_tenant(conn, tenant_id)
        yield conn


async def system_connection(database_url: str) -> asyncpg.Connection:
    """A plain asyncpg connection whose whole session is in system scope, like the workers' pool."""
    return await asyncpg.connect(database_url, server_settings=SYSTEM_SESSION)

"""Every request's transaction carries a statement timeout and an idle-in-transaction timeout, so one
costly request cannot hold connections and locks for everyone."""

from __future__ import annotations

from collections.abc import Iterator

import asyncpg
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from domain.db import Limits
from domain.reading import ReadPool
from domain.uow import UnitOfWork


@pytest.fixture
def short_limits() -> Iterator[None]:
    before = (Limits.statement_ms, Limits.idle_in_transaction_ms)
    Limits.configure(0.2, 3)
    yield
    Limits.statement_ms, Limits.idle_in_transaction_ms = before


async def test_a_read_longer_than_the_statement_timeout_is_cancelled_by_postgres(
    database_url, tenant, short_limits
):
    reads = ReadPool(database_url, 2)
    try:
        async with reads.tenant(tenant.id) as reader:
            settings = await reader.first(
                text(
                    "SELECT current_setting('statement_timeout') AS statement, "
                    "current_setting('idle_in_transaction_session_timeout') AS idle"
                )
            )
        assert (settings.statement, settings.idle) == ("200ms", "3s")
        with pytest.raises(asyncpg.QueryCanceledError):
            async with reads.tenant(tenant.id) as reader:
                await reader.all(text("SELECT pg_sleep(2)"))
    finally:
        await reads.close()


async def test_a_write_longer_than_the_statement_timeout_is_cancelled_and_rolled_back(
    db, tenant, short_limits
):
    with pytest.raises(DBAPIError) as refused:
        work = UnitOfWork(db, tenant.id)
        async with work as uow:
            await uow.session.execute(
                text("UPDATE tenants SET name = 'Slow' WHERE id = :id"), {"id": tenant.id}
            )
            await uow.session.execute(text("SELECT pg_sleep(2)"))
            await work.commit()

    assert "canceling statement due to statement timeout" in str(refused.value)
    async with UnitOfWork(db, tenant.id) as uow:
        name = (await uow.session.execute(text("SELECT name FROM tenants"))).scalar_one()
        timeout = (
            await uow.session.execute(text("SELECT current_setting('statement_timeout')"))
        ).scalar_one()
    assert (name, timeout) == ("Acme", "200ms")


async def test_the_limits_end_with_the_transaction(database_url, tenant, short_limits):
    reads = ReadPool(database_url, 1)
    try:
        async with reads.tenant(tenant.id):
            pass
        async with reads._connections.connection() as conn:  # the same one: the pool holds one
            assert await conn.fetchval("SELECT current_setting('statement_timeout')") == "0"
    finally:
        await reads.close()

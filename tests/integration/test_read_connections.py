"""The read side's own connections (domain/read_connections.py), on a real Postgres: bounded, handed
on in turn, closed when their state is in doubt or they sit unused, and never lost."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest

from domain.availability import PoolExhausted
from domain.read_connections import ReadConnections
from domain.reading import plain_dsn

pytestmark = pytest.mark.integration


def connections(database_url: str, size: int, wait: float = 5.0, idle: float = 300.0) -> ReadConnections:
    async def open_one() -> asyncpg.Connection:
        return await asyncpg.connect(plain_dsn(database_url))

    return ReadConnections(open_one, size, wait, idle)


async def backend(driver: asyncpg.Connection) -> int:
    return int(await driver.fetchval("SELECT pg_backend_pid()"))


async def test_a_connection_is_used_again_after_a_result_and_after_postgres_refuses_a_statement(
    database_url: str,
) -> None:
    pool = connections(database_url, size=2)
    async with pool.connection() as driver:
        first = await backend(driver)
    with pytest.raises(asyncpg.UndefinedTableError):
        async with pool.connection() as driver:
            assert await backend(driver) == first
            await driver.fetchval("SELECT * FROM no_such_table")
    async with pool.connection() as driver:
        assert await backend(driver) == first
    assert pool.size() == (1, 1)
    await pool.close()
    assert pool.size() == (0, 0)


async def test_no_more_than_size_are_open_and_a_waiting_caller_gets_the_next_one_given_back(
    database_url: str,
) -> None:
    pool = connections(database_url, size=2)
    order: list[str] = []

    async def hold(name: str, seconds: float) -> int:
        async with pool.connection() as driver:
            order.append(name)
            pid = await backend(driver)
            await asyncio.sleep(seconds)
            return pid

    a, b, c = await asyncio.gather(hold("a", 0.3), hold("b", 0.6), hold("c", 0))
    assert order[-1] == "c"
    assert c == a  # the first given back, handed straight to the caller in line
    assert len({a, b}) == 2
    assert pool.size() == (2, 2)
    await pool.close()


async def test_a_caller_that_finds_none_free_within_the_wait_gets_pool_exhausted_and_loses_nothing(
    database_url: str,
) -> None:
    pool = connections(database_url, size=1, wait=0.2)
    async with pool.connection() as driver:
        held = await backend(driver)
        with pytest.raises(PoolExhausted):
            async with pool.connection():
                pass
    async with pool.connection() as driver:  # the one that was held is free again, and the only one
        assert await backend(driver) == held
    assert pool.size() == (1, 1)
    await pool.close()


async def test_a_statement_cancelled_half_way_is_stopped_in_postgres_and_its_connection_replaced(
    database_url: str,
) -> None:
    pool = connections(database_url, size=1)
    started = asyncio.Event()
    pids: list[int] = []

    async def slow() -> None:
        async with pool.connection() as driver:
            pids.append(await backend(driver))
            started.set()
            await driver.fetchval("SELECT pg_sleep(30)")

    task = asyncio.create_task(slow())
    await started.wait()
    await asyncio.sleep(0.1)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    async with pool.connection() as driver:  # waits for the old one to be closed: the pool holds one
        fresh = await backend(driver)
        assert await driver.fetchval("SELECT 1") == 1
        # Postgres was told to stop the sleep, not left running it for a socket nobody reads
        running = await driver.fetchval(
            "SELECT count(*) FROM pg_stat_activity WHERE pid = $1 AND state = 'active'", pids[0]
        )
    assert fresh != pids[0]
    assert running == 0
    assert pool.size() == (1, 1)
    await pool.close()


async def test_connections_unused_for_the_idle_time_are_closed_but_for_the_last(database_url: str) -> None:
    pool = connections(database_url, size=3, idle=0.05)

    async def hold() -> None:
        async with pool.connection() as driver:
            await backend(driver)
            await asyncio.sleep(0.1)

    await asyncio.gather(hold(), hold(), hold())
    assert pool.size() == (3, 3)
    await asyncio.sleep(0.1)
    async with pool.connection():
        pass
    assert pool.size() == (1, 1)
    await pool.close()


async def test_a_connection_in_use_when_the_pool_closes_is_closed_when_it_comes_back(
    database_url: str,
) -> None:
    pool = connections(database_url, size=2)
    async with pool.connection() as driver:
        closing = asyncio.create_task(pool.close())
        await asyncio.sleep(0.05)
        assert not driver.is_closed()
    await closing
    for _ in range(100):
        if driver.is_closed():
            break
        await asyncio.sleep(0.01)
    assert driver.is_closed()
    assert pool.size() == (0, 0)
    with pytest.raises(asyncpg.InterfaceError):
        async with pool.connection():
            pass
